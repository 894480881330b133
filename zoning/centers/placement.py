"""中心所 and the zone's two teams: who hosts what, with ranked reasons and travel times.

Guideline (Haidong 2023): the zone office and its command room (综合指挥室) sit
in the station with the larger population, larger area and more complex
security situation; the case team (执法办案队) where there is a case-handling
area (办案区); the community team (社区警务队) where there are most communities.

Each criterion is scored within the zone as value / best value (so 1.0 is the
best station of the zone), and the weighted mean of the scores ranks the
candidates. Accessibility is the incident-weighted mean travel time (minutes)
from a station's seat to the seats of the zone's stations (itself included at
0 minutes; weights = station loads, equal weights if the zone has no load),
by road when a :class:`~zoning.centers.roads.TravelTimes` by road is given, else by
straight line × detour factor at an assumed speed (:mod:`zoning.centers.roads`).

Per zone, :class:`ZoneTravel` (:mod:`zoning.centers.travel`) gives the minutes
from the 中心所 to every station seat, their maximum and incident-weighted mean
and the share of incidents within T minutes; the 中心所's reason quotes them
and names the travel-time method.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.travel import (
    WITHIN_MINUTES,
    TravelTimes,
    ZoneTravel,
    minutes_to_points,
    seat_points,
    straight_line_times,
    weights,
    zone_travel,
)
from zoning.errors import InputError, ZoningWarning
from zoning.graph import metric_crs

__all__ = [
    "DEFAULT_CRITERIA",
    "ZoneCenter",
    "ZoneTravel",
    "centers_from_plan",
    "cheapest_centers",
    "locks_by_station",
    "minutes_to_center",
    "minutes_to_points",
    "station_criteria",
    "zone_name_for",
    "zone_travel",
]

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
    "accessibility": ("到区内各所加权平均行车", "weighted mean drive to the zone's stations"),
}


@dataclass
class ZoneCenter:
    """Placement of one zone's office and teams, with reasons and travel times."""

    zone: int
    center_id: str
    reason: str
    candidates: list[dict[str, Any]] = field(default_factory=list)
    case_team_id: str | None = None
    case_team_reason: str = ""
    community_team_id: str | None = None
    community_team_reason: str = ""
    center_locked: bool = False
    #: how the 中心所 was chosen: "score" (criteria), "planner" (a lock) or "joint"
    #: (chosen together with the zones for the least incident-weighted travel)
    center_source: str = "score"
    case_team_candidates: list[dict[str, Any]] = field(default_factory=list)
    community_team_candidates: list[dict[str, Any]] = field(default_factory=list)
    travel: ZoneTravel | None = None

    def columns(self) -> dict[str, Any]:
        """Flat travel columns for ``zones.geojson`` (empty without travel times)."""
        return self.travel.columns() if self.travel is not None else {}


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
    assignment: Mapping[Any, int],
    load: pd.Series,
    *,
    by_category: pd.DataFrame | None = None,
    criteria: Mapping[str, float] | None = None,
    locks: Mapping[int, str] | None = None,
    case_team_locks: Mapping[int, str] | None = None,
    community_team_locks: Mapping[int, str] | None = None,
    travel: TravelTimes | None = None,
    within_minutes: float = WITHIN_MINUTES,
    incidents: pd.DataFrame | None = None,
    chosen: Mapping[int, str] | None = None,
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
    locks, case_team_locks, community_team_locks
        Zone number -> station id forced as 中心所 / case-team base /
        community-team base (see :func:`locks_by_station`). A lock naming a
        station outside its zone is ignored with a ZoningWarning.
    travel
        Station × station minutes (:func:`zoning.centers.roads.travel_times`); default
        straight line × 1.3 at 40 km/h between seats.
    within_minutes
        Threshold T for ``share_within_t``.
    incidents
        Counted incidents (``LoadResult.incidents``: station_id, weight, lon,
        lat) for the share of incidents within T; default station loads.
    chosen
        Zone number -> the 中心所 the solver chose together with the zones
        (travel objective). It is kept (a planner lock still wins); the
        guideline's criteria then rank the candidates and explain the choice.

    Returns
    -------
    dict
        Zone number -> :class:`ZoneCenter` (with ``travel`` filled).
    """
    weights = {**DEFAULT_CRITERIA, **(criteria or {})}
    stations = stations.set_axis([str(i) for i in stations.index])  # ids are text throughout
    load = load.set_axis([str(i) for i in load.index])
    if by_category is not None:
        by_category = by_category.set_axis([str(i) for i in by_category.index])
    values = station_criteria(stations, load, by_category)
    travel = travel if travel is not None else straight_line_times(seat_points(stations))
    if missing := sorted(set(stations.index) - set(travel.ids)):
        raise ValueError(f"travel times lack stations {missing[:5]}; compute them for all")
    minutes = travel.frame()
    names = stations[S.STATION_NAME].astype(str)
    members_of = {
        z: [s for s in stations.index if assignment.get(s) == z]
        for z in sorted(set(assignment.values()))
    }
    result: dict[int, ZoneCenter] = {}
    tables: dict[int, pd.DataFrame] = {}
    for zone, members in members_of.items():
        table = tables[zone] = values.loc[members].copy()
        access = _weighted_minutes(minutes.loc[members, members], table["load"])
        table["accessibility"] = access
        scores = _scores(table, weights)
        order = scores.sort_values(ascending=False, kind="stable").index.tolist()
        locked = _lock(locks, zone, members, tr("中心所", "central station"))
        joint = str((chosen or {}).get(zone, "")) or None
        joint = joint if joint in members else None
        center = locked or joint or str(order[0])
        candidates = [
            {
                "station_id": sid,
                "station_name": names[sid],
                "rank": rank,
                "score": round(float(scores[sid]), 3),
                **{k: _clean(table.at[sid, k]) for k in DEFAULT_CRITERIA},
                "mean_minutes": _clean(access[sid]),
                "max_minutes": _clean(minutes.loc[sid, members].max()),
            }
            for rank, sid in enumerate(order, start=1)
        ]
        result[zone] = ZoneCenter(
            zone=zone,
            center_id=center,
            reason="",
            candidates=candidates,
            center_locked=bool(locked),
            center_source="planner" if locked else "joint" if joint else "score",
        )
    metrics = zone_travel(
        travel,
        assignment,
        {z: c.center_id for z, c in result.items()},
        load,
        within_minutes=within_minutes,
        incidents=incidents,
    )
    for zone, zc in result.items():
        zc.travel = metrics[zone]
        zc.reason = _reason(zc, names, tables[zone], weights, travel)
        _place_teams(
            zc,
            stations,
            members_of[zone],
            tables[zone],
            names,
            case_team_locks,
            community_team_locks,
        )
    return result


def cheapest_centers(
    assignment: Mapping[Any, int],
    load: pd.Series,
    travel: TravelTimes,
    *,
    eligible: Iterable[str] | None = None,
) -> dict[int, str]:
    """Each zone's 中心所 by the travel objective's rule, for a plan made elsewhere.

    The station of the zone from which its load is reached in the least total
    time (Σ load × minutes from it to each station; the first in the zone on
    ties), among ``eligible`` stations when some are in the zone. This is the
    rule :func:`zoning.solve.partition.partition` applies to its own zones, so
    scoring a planned plan (``zoning evaluate``) or a baseline gives the same
    中心所 the planner saw.
    """
    minutes = travel.frame()
    load = load.set_axis([str(i) for i in load.index])
    allowed = None if eligible is None else {str(s) for s in eligible}
    out: dict[int, str] = {}
    for zone in sorted(set(assignment.values())):
        members = [str(s) for s, z in assignment.items() if z == zone]
        cand = [s for s in members if allowed is None or s in allowed] or members
        weight = load.reindex(members).fillna(0.0).to_numpy(dtype=float)
        cost = minutes.loc[cand, members].to_numpy() @ weight
        out[int(zone)] = cand[int(np.argmin(cost))]
    return out


def locks_by_station(assignment: Mapping[Any, int], station_ids: Iterable[str]) -> dict[int, str]:
    """Turn "these stations must host" into zone -> station locks.

    Raises
    ------
    InputError
        If a station is not in the plan, or two fall in the same zone.
    """
    out: dict[int, str] = {}
    problems = []
    for sid in station_ids:
        zone = assignment.get(sid)
        if zone is None:
            problems.append(
                tr(f"锁定的{sid}不在方案中", f"locked station {sid} is not in the plan")
            )
        elif zone in out:
            problems.append(
                tr(
                    f"{out[zone]}与{sid}都被锁定，但同在第 {zone} 防区；每个防区只能锁定一个",
                    f"{out[zone]} and {sid} are both locked but share zone {zone}; "
                    "lock one per zone",
                )
            )
        else:
            out[zone] = sid
    if problems:
        raise InputError(problems)
    return out


def minutes_to_center(centers: Mapping[int, ZoneCenter]) -> dict[str, float]:
    """Station id -> minutes from its zone's 中心所 (a plan.geojson column)."""
    return {
        sid: m
        for c in centers.values()
        if c.travel is not None
        for sid, m in c.travel.station_minutes.items()
    }


def _weighted_minutes(minutes: pd.DataFrame, load: pd.Series) -> pd.Series:
    w = weights(load, [str(i) for i in minutes.columns])
    return pd.Series(minutes.to_numpy() @ w / w.sum(), index=minutes.index)


def _lock(locks: Mapping[int, str] | None, zone: int, members: list[str], what: str) -> str | None:
    sid = (locks or {}).get(zone)
    if sid is None:
        return None
    if str(sid) in members:
        return str(sid)
    warnings.warn(
        tr(
            f"第 {zone} 防区的{what}锁定为 {sid}，但该所不在此防区，锁定未生效",
            f"zone {zone}: {what} lock {sid} is not a station of this zone and is ignored",
        ),
        ZoningWarning,
        stacklevel=3,
    )
    return None


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


def _rank(table: pd.DataFrame, key: str, sid: str) -> int:
    col = table[key].astype(float)
    ascending = key == "accessibility"
    ranks = col.rank(ascending=ascending, method="min").fillna(len(col))
    return int(ranks.loc[sid])


def _reason(
    zc: ZoneCenter,
    names: pd.Series,
    table: pd.DataFrame,
    weights: Mapping[str, float],
    travel: TravelTimes,
) -> str:
    center = zc.center_id
    trip = _travel_clause(zc, names, travel, len(table))
    if len(table) == 1:
        return tr(
            f"{names[center]}单独成区，即为中心所{trip}。",
            f"{names[center]} forms a zone on its own and is its central station{trip}.",
        )
    if zc.center_locked:
        rank = next(c["rank"] for c in zc.candidates if c["station_id"] == center)
        return tr(
            f"{names[center]}由规划人员指定为中心所（综合得分区内第{rank}）{trip}。",
            f"{names[center]} was set as the central station by the planner "
            f"(score #{rank} in the zone){trip}.",
        )
    parts = []
    if zc.center_source == "joint":
        rank = next(c["rank"] for c in zc.candidates if c["station_id"] == center)
        mean = zc.travel.mean_minutes if zc.travel is not None else float("nan")
        return tr(
            f"{names[center]}与防区一并选定为中心所：区内警情到此加权平均通行 {mean:.1f} 分钟，"
            f"为区内最短，全县各所到中心所的总通行时间因此最短（指导意见的人口、面积、警情、"
            f"复杂度等综合得分区内第{rank}）{trip}。",
            f"{names[center]} was chosen together with the zones: the zone's incidents reach it "
            f"in {mean:.1f} min on average (weighted), the least in the zone, so the county's "
            f"total travel to its 中心所 is least (guideline criteria score #{rank} in the "
            f"zone){trip}.",
        )
    for key in DEFAULT_CRITERIA:
        raw = float(table[key].astype(float).loc[center])
        if weights.get(key, 0) <= 0 or math.isnan(raw):
            continue
        label_zh, label_en = _LABELS[key]
        value = _fmt(key, raw)
        rank = _rank(table, key, center)
        parts.append(tr(f"{label_zh}{value}（区内第{rank}）", f"{label_en} {value} (#{rank})"))
    return tr(
        f"{names[center]}综合得分最高：" + "、".join(parts) + f"{trip}。",
        f"{names[center]} scores highest: " + ", ".join(parts) + f"{trip}.",
    )


def _travel_clause(zc: ZoneCenter, names: pd.Series, travel: TravelTimes, n: int) -> str:
    t = zc.travel
    if t is None:
        return ""
    within = tr(
        f"{t.within_minutes:g} 分钟内可达{'警情' if t.share_basis != 'stations' else '所'}"
        f" {t.share_within_t:.0%}",
        f"{t.share_within_t:.0%} of {'incidents' if t.share_basis != 'stations' else 'stations'}"
        f" within {t.within_minutes:g} min",
    )
    how = travel.method_text()
    if n == 1:
        return tr(f"；{within}（{how}）", f"; {within} ({how})") if t.n_incidents else ""
    far = names[t.farthest_id]
    return tr(
        f"；最远的{far} {t.max_minutes:.1f} 分钟，{within}（{how}）",
        f"; farthest {far} {t.max_minutes:.1f} min, {within} ({how})",
    )


def _fmt(key: str, value: float) -> str:
    if key == "population":
        return tr(f"{value / 1e4:.1f}万", f"{value:,.0f}")
    if key == "area_km2":
        return f"{value:.1f} km²" if value < 10 else f"{value:.0f} km²"
    if key == "load":
        return f"{value:,.0f}"
    if key == "complexity":
        return f"{value:.0%}"
    return tr(f" {value:.1f} 分钟", f"{value:.1f} min")


def _place_teams(
    zc: ZoneCenter,
    stations: gpd.GeoDataFrame,
    members: list[str],
    table: pd.DataFrame,
    names: pd.Series,
    case_locks: Mapping[int, str] | None,
    community_locks: Mapping[int, str] | None,
) -> None:
    has_area = stations.get(S.HAS_CASE_AREA, pd.Series(False, index=stations.index))
    with_area = [m for m in members if bool(has_area.get(m, False))]
    center = zc.center_id
    access = table["accessibility"].astype(float)
    ranked = sorted(with_area, key=lambda m: (access[m], m != center, members.index(m)))
    zc.case_team_candidates = [
        {"station_id": m, "station_name": names[m], "rank": r, "mean_minutes": _clean(access[m])}
        for r, m in enumerate(ranked, start=1)
    ]
    same = tr("，与中心所同址", ", together with the central station")
    locked = _lock(case_locks, zc.zone, members, tr("执法办案队驻地", "case-team base"))
    if locked:
        zc.case_team_id = locked
        note = (
            "" if locked in with_area else tr("；该所没有办案区，需建设", "; it has no case area")
        )
        zc.case_team_reason = tr(
            f"{names[locked]}由规划人员指定为执法办案队驻地{note}。",
            f"{names[locked]} was set as the case-team base by the planner{note}.",
        )
    elif ranked:
        best = ranked[0]
        zc.case_team_id = best
        tail = same if best == center else ""
        zc.case_team_reason = (
            tr(
                f"{names[best]}设有办案区，在区内 {len(ranked)} 个有办案区的所中到各所警情加权"
                f"平均行车时间最短（{access[best]:.1f} 分钟）{tail}。",
                f"{names[best]} has a case-handling area and the shortest weighted mean drive to "
                f"the zone's stations ({access[best]:.1f} min) of the {len(ranked)} that do{tail}.",
            )
            if len(ranked) > 1
            else tr(
                f"{names[best]}是区内唯一设有办案区的所（到各所警情加权平均行车 "
                f"{access[best]:.1f} 分钟）{tail}。",
                f"{names[best]} is the only station of the zone with a case-handling area "
                f"(weighted mean drive to the zone's stations {access[best]:.1f} min){tail}.",
            )
        )
    else:
        zc.case_team_reason = tr(
            "区内没有办案区，执法办案队需依托县局或相邻防区的办案区。",
            "No station in the zone has a case-handling area; the case team must use the "
            "county's or a neighbouring zone's.",
        )
    communities = stations.get(S.COMMUNITIES, pd.Series(np.nan, index=stations.index))
    counts = communities.reindex(members).astype(float)
    order = sorted(members, key=lambda m: (-np.nan_to_num(counts[m], nan=-1.0), access[m]))
    zc.community_team_candidates = [
        {"station_id": m, "station_name": names[m], "rank": r, "communities": _clean(counts[m])}
        for r, m in enumerate(order, start=1)
    ]
    locked = _lock(community_locks, zc.zone, members, tr("社区警务队驻地", "community-team base"))
    minutes = zc.travel.station_minutes if zc.travel is not None else {}
    if locked:
        zc.community_team_id = locked
        zc.community_team_reason = tr(
            f"{names[locked]}由规划人员指定为社区警务队驻地。",
            f"{names[locked]} was set as the community-team base by the planner.",
        )
    elif counts.notna().any():
        best = order[0]
        zc.community_team_id = best
        trip = (
            same
            if best == center
            else tr(
                f"，距中心所 {minutes.get(best, math.nan):.1f} 分钟",
                f", {minutes.get(best, math.nan):.1f} min from the central station",
            )
        )
        zc.community_team_reason = tr(
            f"{names[best]}社区（村居）最多（{counts[best]:.0f}个）{trip}。",
            f"{names[best]} has the most communities/villages ({counts[best]:.0f}){trip}.",
        )
    else:
        zc.community_team_id = center
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
