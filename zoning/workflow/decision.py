"""The decision blocks of a plan's report: before/after, staffing, incident profiles.

:func:`add_decision_blocks` adds to ``report.json``

- ``before_after`` (:func:`zoning.workflow.baseline.before_after`),
- ``staffing`` (:func:`zoning.decision.staffing.staffing_transfers`): the zones that
  take part are the balanced zones; the 城关 zone is left out unless the scenario
  says ``[staffing] include_urban_core = true`` (the county-seat station also
  carries county-wide duties — command room, patrols, events — that incident
  counts do not measure, and the guideline keeps it apart);
- ``profiles`` (:mod:`zoning.decision.profiles`): each zone's hour-of-day and
  weekday profile and peak hour, the station types, and the similarity basis the
  solver used;

and a ``station_type`` column to the plan frame (for the map layer and the Excel).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from zoning import _schema as S
from zoning import settings
from zoning._i18n import tr
from zoning.decision.profiles import has_times, station_profiles, station_types, zone_time_profiles
from zoning.decision.staffing import Staffing, staffing_transfers
from zoning.io.assignment import Assignment
from zoning.scenario import Scenario
from zoning.workflow.baseline import BaselineSide, baseline_side, before_after
from zoning.workflow.run import PlanResult, eligible_centers, similarity_basis

__all__ = ["SharedBlocks", "add_decision_blocks", "staffing_report"]


@dataclass
class SharedBlocks:
    """What every plan of one run shares, measured once (keyed by the load and travel objects)."""

    baselines: dict[tuple[int, int], BaselineSide] = field(default_factory=dict)
    types: dict[int, dict[str, Any] | None] = field(default_factory=dict)


def add_decision_blocks(
    result: PlanResult,
    stations: gpd.GeoDataFrame,
    scenario: Scenario,
    *,
    baseline: Assignment | None = None,
    shared: SharedBlocks | None = None,
) -> None:
    """Add ``before_after``, ``staffing`` and ``profiles`` to ``result.report``.

    ``shared``: one :class:`SharedBlocks` for all the plans of a run, so that what
    does not depend on the plan (the baseline, the station types) is measured once.
    """
    report = result.report
    report["guideline"] = {"max_zones": settings.guideline_max_zones}
    officers = [z.get(S.OFFICERS) for z in report["zones"]]
    known = [float(v) for v in officers if v is not None and math.isfinite(float(v))]
    report["total_officers"] = sum(known) if known and len(known) == len(officers) else None
    core = report.get("urban_core")
    assignment = {str(s): int(z) for s, z in result.partition.assignment.items()}
    if result.travel is not None:
        key = (id(result.travel), id(result.load))
        side = None if shared is None else shared.baselines.get(key)
        if side is None:
            side = baseline_side(
                stations,
                result.load,
                result.travel,
                core=core,
                baseline=baseline,
                criteria=dict(scenario.center_criteria) or None,
                objective=scenario.objective,
                eligible=eligible_centers(stations, scenario, "stations"),
            )
            if shared is not None:
                shared.baselines[key] = side
        report["before_after"] = before_after(
            stations,
            result.load,
            result.travel,
            after=assignment,
            after_centers=result.centers,
            core=core,
            side=side,
        )
    report["staffing"] = staffing_report(stations, assignment, result, scenario).to_dict()
    report["profiles"] = profiles_report(stations, assignment, result, scenario, shared=shared)
    types = (report["profiles"].get("types") or {}).get("stations") or {}
    if types:
        result.plan["station_type"] = result.plan[S.STATION_ID].astype(str).map(types)


def staffing_report(
    stations: gpd.GeoDataFrame,
    assignment: dict[str, int],
    result: PlanResult,
    scenario: Scenario,
) -> Staffing:
    """The staffing what-if of a plan (``unavailable`` without an officers column)."""
    names = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    balanced = list(result.report.get("balanced_zones") or sorted(set(assignment.values())))
    counted = sorted(set(assignment.values())) if scenario.staffing_include_core else balanced
    band, minimum = scenario.staffing_band, scenario.staffing_minimum
    if S.OFFICERS not in stations.columns or stations[S.OFFICERS].isna().all():
        return Staffing(
            status="unavailable",
            band=band,
            minimum=minimum,
            zones_counted=counted,
            reason=tr(
                "站点文件没有警力列（警力），无法计算警力调配",
                "the stations file has no officers column (警力): no staffing what-if",
            ),
        )
    officers = stations[S.OFFICERS]
    missing = [str(s) for s in officers.index[officers.isna()]]
    if missing:
        return Staffing(
            status="unavailable",
            band=band,
            minimum=minimum,
            zones_counted=counted,
            reason=tr(
                f"{len(missing)} 个派出所缺少警力：{'、'.join(names[s] for s in missing[:8])}",
                f"{len(missing)} stations lack officers: "
                f"{', '.join(names[s] for s in missing[:8])}",
            ),
        )
    whole = {str(k): round(float(v)) for k, v in officers.items()}
    rounded = [str(k) for k, v in officers.items() if not math.isclose(float(v), whole[str(k)])]
    loads = {str(k): float(v) for k, v in result.load.load.items()}
    staffing = staffing_transfers(
        assignment, whole, loads, band=band, minimum=minimum, zones=counted, names=names
    )
    zone_names = {int(z["zone"]): str(z.get("zone_name", "")) for z in result.report["zones"]}
    for row in staffing.zones:
        row["zone_name"] = zone_names.get(int(row["zone"]), "")
    for t in staffing.transfers:
        t["from_zone_name"] = zone_names.get(int(t["from_zone"]), "")
        t["to_zone_name"] = zone_names.get(int(t["to_zone"]), "")
    staffing.solver["rounded_stations"] = rounded
    staffing.solver["urban_core_included"] = bool(scenario.staffing_include_core)
    return staffing


def profiles_report(
    stations: gpd.GeoDataFrame,
    assignment: dict[str, int],
    result: PlanResult,
    scenario: Scenario,
    *,
    shared: SharedBlocks | None = None,
) -> dict[str, Any]:
    """Zone time profiles, station types and the similarity basis.

    The station types depend on the stations' incidents only, not on the plan:
    with ``shared`` they are clustered once per run.
    """
    load = result.load
    names = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    incidents = load.incidents if load.incidents is not None and len(load.incidents) else None
    profiles = station_profiles(load.by_category, incidents, stations.index)
    zone_names = {int(z["zone"]): str(z.get("zone_name", "")) for z in result.report["zones"]}
    time = zone_time_profiles(incidents, assignment)
    key = id(load)
    if shared is not None and key in shared.types:
        types = shared.types[key]
    else:
        types = station_types(profiles, names=names) if profiles is not None else None
        if shared is not None:
            shared.types[key] = types
    if time is not None:
        for row in time["zones"]:
            row["zone_name"] = zone_names.get(int(row["zone"]), "")
    return {
        "has_times": has_times(incidents),
        "time": time,
        "types": copy.deepcopy(types),
        "similarity": {
            "basis": similarity_basis(load, scenario),
            "features": [str(c) for c in profiles.columns] if profiles is not None else [],
        },
    }
