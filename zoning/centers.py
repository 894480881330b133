"""中心所 and the zone's two teams: who hosts what, with ranked reasons.

Guideline (Haidong 2023): the zone office sits in the station with the larger
population, larger area and more complex security situation; the case team
(执法办案队) where there is a case-handling area (办案区); the community team
(社区警务队) where there are most communities.

Each criterion is scored within the zone as value / best value (so 1.0 is the
best station of the zone), and the weighted mean of the scores ranks the
candidates. Accessibility is the incident-weighted mean straight-line distance
from a station's seat to the other seats of the zone (smaller is better).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.graph import metric_crs, positions_from_stations

#: Default criterion weights for the 中心所.
DEFAULT_CRITERIA: dict[str, float] = {
    "population": 1.0,
    "area_km2": 1.0,
    "load": 1.0,
    "complexity": 1.0,
    "accessibility": 1.0,
}

_LABELS = {
    "population": ("人口", "population"),
    "area_km2": ("面积", "area"),
    "load": ("警情量", "load"),
    "complexity": ("刑事治安占比", "criminal+public-order share"),
    "accessibility": ("到区内各所平均距离", "mean distance to the zone's stations"),
}


@dataclass
class ZoneCenter:
    """Placement of one zone's office and teams, with reasons."""

    zone: int
    center_id: str
    reason: str
    candidates: list[dict[str, Any]] = field(default_factory=list)
    case_team_id: str | None = None
    case_team_reason: str = ""
    community_team_id: str | None = None
    community_team_reason: str = ""


def station_criteria(
    stations: gpd.GeoDataFrame,
    load: pd.Series,
    by_category: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-station criterion values used to rank 中心所 candidates.

    Parameters
    ----------
    stations
        Canonical station frame (index = station id).
    load
        Weighted incident load per station.
    by_category
        Incident counts per category (columns from ``_schema.CATEGORIES``).

    Returns
    -------
    pandas.DataFrame
        Columns population, area_km2, load, complexity (share of 刑事 + 治安).
    """
    area = stations.geometry.to_crs(metric_crs(stations)).area / 1e6
    out = pd.DataFrame(index=stations.index)
    out["population"] = stations.get(S.POPULATION, pd.Series(np.nan, index=stations.index))
    out["area_km2"] = area.to_numpy()
    out["load"] = load.reindex(stations.index).fillna(0.0).to_numpy()
    if by_category is not None and len(by_category.columns):
        counts = by_category.reindex(stations.index).fillna(0)
        total = counts.sum(axis=1).replace(0, np.nan)
        serious = counts.reindex(columns=["刑事", "治安"], fill_value=0).sum(axis=1)
        out["complexity"] = (serious / total).to_numpy()
    else:
        out["complexity"] = np.nan
    return out


def centers_from_plan(
    stations: gpd.GeoDataFrame,
    assignment: Mapping[str, int],
    load: pd.Series,
    *,
    by_category: pd.DataFrame | None = None,
    criteria: Mapping[str, float] | None = None,
    locks: Mapping[int, str] | None = None,
) -> dict[int, ZoneCenter]:
    """Choose each zone's 中心所, case-team base and community-team base.

    Parameters
    ----------
    stations
        Canonical station frame (index = station id).
    assignment
        Station id -> zone number.
    load
        Weighted incident load per station.
    by_category
        Incident counts per category, for the complexity criterion.
    criteria
        Criterion weights (keys of :data:`DEFAULT_CRITERIA`); missing keys
        keep their default, a weight of 0 switches a criterion off.
    locks
        Zone number -> station id forced as 中心所.

    Returns
    -------
    dict
        Zone number -> :class:`ZoneCenter`.
    """
    weights = {**DEFAULT_CRITERIA, **(criteria or {})}
    values = station_criteria(stations, load, by_category)
    positions = positions_from_stations(stations)
    names = stations[S.STATION_NAME].astype(str)
    result: dict[int, ZoneCenter] = {}
    for zone in sorted(set(assignment.values())):
        members = [sid for sid in stations.index if assignment.get(sid) == zone]
        table = values.loc[members].copy()
        table["accessibility"] = _mean_distance_km(members, positions, table["load"])
        scores = _scores(table, weights)
        order = scores.sort_values(ascending=False, kind="stable").index.tolist()
        locked = (locks or {}).get(zone)
        center = locked if locked in members else order[0]
        candidates = [
            {
                "station_id": sid,
                "station_name": names[sid],
                "rank": rank,
                "score": round(float(scores[sid]), 3),
                **{k: _clean(table.at[sid, k]) for k in DEFAULT_CRITERIA},
            }
            for rank, sid in enumerate(order, start=1)
        ]
        if locked in members:
            reason = tr(
                f"{names[center]}由规划人员指定为中心所。",
                f"{names[center]} was set as the central station by the planner.",
            )
        else:
            reason = _reason(center, names, table, weights, len(members))
        zc = ZoneCenter(zone=zone, center_id=center, reason=reason, candidates=candidates)
        _place_teams(zc, stations, members, table, names)
        result[zone] = zc
    return result


def _scores(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    total = pd.Series(0.0, index=table.index)
    used = 0.0
    for key, weight in weights.items():
        if weight <= 0 or key not in table.columns:
            continue
        col = table[key].astype(float)
        if col.isna().all():
            continue
        if key == "accessibility":
            best = col[col > 0].min() if (col > 0).any() else 0.0
            score = (best / col.replace(0, best or 1.0)).fillna(0.0) if best else col * 0 + 1.0
        else:
            best = col.max()
            score = (col / best).fillna(0.0) if best and best > 0 else col * 0
        total += weight * score
        used += weight
    return total / used if used else total


def _mean_distance_km(
    members: list[str], positions: Mapping[str, tuple[float, float]], load: pd.Series
) -> pd.Series:
    xy = np.array([positions[m] for m in members], dtype=float)
    w = load.reindex(members).to_numpy(dtype=float)
    w = np.where(w > 0, w, 1.0)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]) / 1000.0
    mean = (d * w[None, :]).sum(axis=1) / w.sum()
    return pd.Series(mean, index=members)


def _rank(table: pd.DataFrame, key: str, sid: str) -> int:
    col = table[key].astype(float)
    ascending = key == "accessibility"
    return int(col.rank(ascending=ascending, method="min").fillna(len(col)).at[sid])


def _reason(
    center: str,
    names: pd.Series,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    n: int,
) -> str:
    if n == 1:
        return tr(
            f"{names[center]}单独成区，即为中心所。",
            f"{names[center]} forms a zone on its own and is its central station.",
        )
    parts = []
    for key in ("population", "area_km2", "load", "complexity", "accessibility"):
        if weights.get(key, 0) <= 0 or pd.isna(table.at[center, key]):
            continue
        label_zh, label_en = _LABELS[key]
        value = _fmt(key, table.at[center, key])
        rank = _rank(table, key, center)
        parts.append(tr(f"{label_zh}{value}（区内第{rank}）", f"{label_en} {value} (#{rank})"))
    return tr(
        f"{names[center]}综合得分最高：" + "、".join(parts) + "。",
        f"{names[center]} scores highest: " + ", ".join(parts) + ".",
    )


def _fmt(key: str, value: float) -> str:
    if key == "population":
        return tr(f"{value / 1e4:.1f}万", f"{value:,.0f}")
    if key == "area_km2":
        return f"{value:.0f} km²"
    if key == "load":
        return f"{value:,.0f}"
    if key == "complexity":
        return f"{value:.0%}"
    return f"{value:.1f} km"


def _place_teams(
    zc: ZoneCenter,
    stations: gpd.GeoDataFrame,
    members: list[str],
    table: pd.DataFrame,
    names: pd.Series,
) -> None:
    has_area = stations.get(S.HAS_CASE_AREA, pd.Series(False, index=stations.index))
    with_area = [m for m in members if bool(has_area.get(m, False))]
    if zc.center_id in with_area:
        zc.case_team_id = zc.center_id
        zc.case_team_reason = tr(
            f"中心所{names[zc.center_id]}设有办案区。",
            f"The central station {names[zc.center_id]} has a case-handling area.",
        )
    elif with_area:
        best = min(with_area, key=lambda m: (table.at[m, "accessibility"], members.index(m)))
        zc.case_team_id = best
        zc.case_team_reason = tr(
            f"{names[best]}设有办案区，且在区内有办案区的所中到各所平均距离最短。",
            f"{names[best]} has a case-handling area and is the most central of those that do.",
        )
    else:
        zc.case_team_reason = tr(
            "区内没有办案区，执法办案队需依托县局或相邻防区的办案区。",
            "No station in the zone has a case-handling area; the case team must use the "
            "county's or a neighbouring zone's.",
        )
    communities = stations.get(S.COMMUNITIES, pd.Series(np.nan, index=stations.index))
    counts = communities.reindex(members).astype(float)
    if counts.notna().any():
        best = str(counts.idxmax())
        zc.community_team_id = best
        zc.community_team_reason = tr(
            f"{names[best]}社区（村居）最多（{counts[best]:.0f}个）。",
            f"{names[best]} has the most communities/villages ({counts[best]:.0f}).",
        )
    else:
        zc.community_team_id = zc.center_id
        zc.community_team_reason = tr(
            "缺少社区（村居）数，暂设在中心所。",
            "Community counts are missing; placed at the central station for now.",
        )


def _clean(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else round(f, 4)


def zone_name_for(center_name: str) -> str:
    """Default zone name: the 中心所's place name + 防区 (青山派出所 → 青山防区)."""
    base = center_name.strip()
    for suffix in ("派出所", "所"):
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    return tr(f"{base}防区", f"{base} zone")
