"""Before and after: today's arrangement against the plan, on the same measures.

The baseline is the current arrangement, read with
:func:`zoning.io.assignment.read_assignment` (a station → zone table, or a
``plan.geojson`` written by ``zoning plan`` / ``zoning evaluate``); without one it
is "every station on its own" (each station its own zone and 中心所). Stations
the baseline leaves out stand on their own in it (with a warning).

Both sides are measured the same way (:func:`arrangement_figures`):

- ``spread``: (max − min) / mean zone load over the balanced zones (the zone
  holding the 城关所 left out), as in ``report.json``;
- ``load_per_officer_spread``: the same over the zones' loads per officer
  (``None`` without officers);
- ``mean_minutes``: minutes from each station's seat to its zone's 中心所,
  weighted by the station's incidents (all stations, the 城关 included);
- ``max_minutes``: the farthest station from its 中心所;
- ``share_within_15`` / ``share_within_30``: the share of incidents within 15 / 30
  minutes of their zone's 中心所 (incident points when they have coordinates,
  else at their station's seat: :func:`zoning.centers.travel.zone_travel`).

The baseline's 中心所 are chosen exactly as a plan's
(:func:`zoning.centers.placement.centers_from_plan`, same criteria and the same
:class:`~zoning.centers.travel.TravelTimes`). ``stations_moved`` counts the
stations whose zone changes, zones matched by their largest overlap
(:func:`zoning.workflow.compare.compare_assignments`); against "every station on its
own" that is every station that joins another one's zone but the one that keeps
each zone's number.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.placement import ZoneCenter, centers_from_plan, cheapest_centers
from zoning.centers.travel import TravelTimes, zone_travel_within
from zoning.errors import ZoningWarning
from zoning.io.assignment import Assignment
from zoning.load import LoadResult
from zoning.solve import rules
from zoning.utils import join_names
from zoning.workflow.compare import compare_assignments

__all__ = [
    "THRESHOLDS",
    "BaselineSide",
    "arrangement_figures",
    "baseline_assignment",
    "baseline_side",
    "before_after",
]

#: Response thresholds (minutes) of the before/after shares.
THRESHOLDS = (15, 30)


def baseline_assignment(
    stations: gpd.GeoDataFrame, given: Assignment | Mapping[str, int] | None
) -> tuple[dict[str, int], dict[str, Any]]:
    """Station id → zone of today's arrangement, and a description of it.

    Without ``given`` every station is its own zone. Stations missing from
    ``given`` are put on their own (numbered after its zones) with a
    :class:`~zoning.errors.ZoningWarning`.
    """
    ids = [str(i) for i in stations.index]
    names = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    if given is None:
        return {s: z for z, s in enumerate(ids, start=1)}, {
            "kind": "separate",
            "source": None,
            "text": tr("各所单独运行", "every station on its own"),
        }
    table = given if isinstance(given, Assignment) else Assignment(dict(given))
    zones = {str(s): int(z) for s, z in table.zones.items() if str(s) in names}
    missing = [s for s in ids if s not in zones]
    if missing:
        warnings.warn(
            tr(
                f"{table.source or '现状方案'}：{len(missing)} 个派出所不在现状方案中，"
                f"按各自单独成区计：{join_names([names[s] for s in missing])}",
                f"{table.source or 'baseline'}: {len(missing)} stations are not in the "
                f"baseline and count as zones of their own: "
                f"{join_names([names[s] for s in missing])}",
            ),
            ZoningWarning,
            stacklevel=2,
        )
        start = max(zones.values(), default=0) + 1
        zones |= {s: z for z, s in enumerate(missing, start=start)}
    return zones, {
        "kind": "file",
        "source": table.source or None,
        "text": tr(f"现状方案（{table.source}）", f"current arrangement ({table.source})"),
        "missing": missing,
        "unknown": list(table.unknown),
        "labels": {str(k): v for k, v in table.labels.items()},
    }


def arrangement_figures(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    travel: TravelTimes,
    assignment: Mapping[str, int],
    centers: Mapping[int, str],
    *,
    core: str | Sequence[str] | None,
) -> dict[str, Any]:
    """The before/after measures of one arrangement (see the module docstring)."""
    loads = load.load.set_axis([str(i) for i in load.load.index])
    zone_load = rules.zone_loads({s: float(loads.get(s, 0.0)) for s in assignment}, assignment)
    urban_zone = rules.core_zone(assignment, core)
    exclude = {urban_zone} if urban_zone is not None else set()
    officers = None
    if S.OFFICERS in stations.columns and stations[S.OFFICERS].notna().all():
        per_station = {str(k): float(v) for k, v in stations[S.OFFICERS].items()}
        officers = rules.zone_loads(per_station, assignment)
    incidents = load.incidents if load.incidents is not None and len(load.incidents) else None
    metrics = zone_travel_within(
        travel, assignment, dict(centers), loads, THRESHOLDS, incidents=incidents
    )
    first = metrics[THRESHOLDS[0]]
    minutes = {s: m for zt in first.values() for s, m in zt.station_minutes.items()}
    ids = sorted(minutes)
    w = np.array([max(float(loads.get(s, 0.0)), 0.0) for s in ids])
    m = np.array([minutes[s] for s in ids])
    if w.sum() <= 0:
        w = np.ones(len(ids))
    zone_weight = {z: max(float(zone_load.get(z, 0.0)), 0.0) for z in first}
    if sum(zone_weight.values()) <= 0:
        zone_weight = {z: float(len(zt.station_minutes)) for z, zt in first.items()}
    total_weight = sum(zone_weight.values())
    out: dict[str, Any] = {
        "zones": len(set(assignment.values())),
        "spread": rules.spread(zone_load, exclude=exclude),
        "load_per_officer_spread": (
            rules.per_officer_spread(zone_load, officers, exclude=exclude)
            if officers is not None
            else None
        ),
        "mean_minutes": float((w * m).sum() / w.sum()),
        "max_minutes": float(m.max()),
        "farthest_station": ids[int(m.argmax())] if m.max() > 0 else None,
    }
    for t in THRESHOLDS:
        share = sum(metrics[t][z].share_within_t * zone_weight[z] for z in metrics[t])
        out[f"share_within_{t}"] = float(share / total_weight)
    out["share_basis"] = next(iter(first.values())).share_basis if first else None
    out["centers"] = {str(z): c for z, c in sorted(centers.items())}
    return out


@dataclass(frozen=True)
class BaselineSide:
    """The "before" half of :func:`before_after`: the same for every plan of one run."""

    assignment: dict[str, int]
    about: dict[str, Any]
    figures: dict[str, Any]


def baseline_side(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    travel: TravelTimes,
    *,
    core: str | Sequence[str] | None,
    baseline: Assignment | Mapping[str, int] | None = None,
    criteria: Mapping[str, float] | None = None,
    objective: str = "travel",
    eligible: Sequence[str] | None = None,
) -> BaselineSide:
    """Today's arrangement, its 中心所 and its figures (parameters as :func:`before_after`).

    A run that writes several plans (alternatives, the trade-off ladder) measures
    the baseline once and hands it to :func:`before_after` for each.
    """
    before, about = baseline_assignment(stations, baseline)
    by_id = stations.set_axis([str(i) for i in stations.index])
    loads = load.load.set_axis([str(i) for i in load.load.index])
    incidents = load.incidents if load.incidents is not None and len(load.incidents) else None
    before_centers = centers_from_plan(
        by_id,
        before,
        loads,
        by_category=load.by_category,
        criteria=dict(criteria) if criteria else None,
        travel=travel,
        incidents=incidents,
        chosen=cheapest_centers(before, loads, travel, eligible=eligible)
        if objective == "travel"
        else None,
    )
    figures = arrangement_figures(
        by_id, load, travel, before, {z: c.center_id for z, c in before_centers.items()}, core=core
    )
    return BaselineSide(dict(before), about, figures)


def before_after(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    travel: TravelTimes,
    *,
    after: Mapping[str, int],
    after_centers: Mapping[int, ZoneCenter],
    core: str | Sequence[str] | None,
    baseline: Assignment | Mapping[str, int] | None = None,
    criteria: Mapping[str, float] | None = None,
    objective: str = "travel",
    eligible: Sequence[str] | None = None,
    side: BaselineSide | None = None,
) -> dict[str, Any]:
    """The ``before_after`` block of ``report.json``.

    Parameters
    ----------
    stations
        Canonical stations.
    load
        Their loads (and incidents, for the shares within 15 / 30 minutes).
    travel
        The plan's travel times (both sides use them).
    after, after_centers
        The plan: station id → zone, and its 中心所.
    core
        The 城关所 (its zone is left out of the spreads).
    baseline
        Today's arrangement; ``None``: every station on its own.
    criteria
        中心所 criterion weights (the scenario's), for the baseline's 中心所.
    objective, eligible
        With ``"travel"`` the baseline's 中心所 are chosen as plans choose theirs
        (:func:`zoning.centers.placement.cheapest_centers`, among ``eligible``),
        so before and after are timed alike.
    side
        The baseline already measured by :func:`baseline_side` with the same
        inputs (``baseline``, ``criteria``, ``objective`` and ``eligible`` are
        then not used).

    Returns
    -------
    dict
        ``baseline`` (what it is), ``before``, ``after`` (each from
        :func:`arrangement_figures`), ``stations_moved`` (count) and ``moved``
        (the station ids), ``thresholds``.
    """
    if side is None:
        side = baseline_side(
            stations,
            load,
            travel,
            core=core,
            baseline=baseline,
            criteria=criteria,
            objective=objective,
            eligible=eligible,
        )
    by_id = stations.set_axis([str(i) for i in stations.index])
    after_ids = {str(s): int(z) for s, z in after.items()}
    _, moved = compare_assignments(side.assignment, after_ids)
    return {
        "baseline": copy.deepcopy(side.about),
        "before": copy.deepcopy(side.figures),
        "after": arrangement_figures(
            by_id,
            load,
            travel,
            after_ids,
            {z: c.center_id for z, c in after_centers.items()},
            core=core,
        ),
        "stations_moved": len(moved),
        "moved": sorted(moved),
        "thresholds": list(THRESHOLDS),
        "travel_method": travel.method,
    }
