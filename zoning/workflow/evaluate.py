"""Score an existing plan, e.g. one drawn by hand (the planner's workflow, issue 7).

:func:`evaluate_files` scores a hand-drawn plan (a table station → zone) with
the same measures as ``zoning plan``: load spread and maximum deviation over
the balanced zones, cut adjacencies, per-zone loads, shares and officers, and
中心所 suggestions. Broken rules are *findings* (:class:`Violation`), not
errors: a plan that is not contiguous can still be scored and drawn.

Comparing two plans is in :mod:`zoning.workflow.compare`.

Examples
--------
>>> ev = evaluate_files("stations.geojson", "hand.csv", scenario=s)  # doctest: +SKIP
>>> [v.message for v in ev.violations]  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.placement import centers_from_plan, cheapest_centers, zone_name_for
from zoning.errors import InputError
from zoning.graph import graph_from_stations, graph_with_links
from zoning.io.assignment import Assignment, read_assignment
from zoning.io.assignment import zone_number as _zone_number  # noqa: F401  (kept for callers)
from zoning.io.columns import format_rows
from zoning.io.guard import check_writable, refuse_overwriting_inputs, scenario_inputs
from zoning.io.jurisdictions import jurisdiction_summary
from zoning.load import LoadResult
from zoning.outputs.tables import plan_frame, zones_frame
from zoning.scenario import Scenario
from zoning.solve import rules as cons
from zoning.solve.partition import Plan
from zoning.solve.rules import Violation, violations
from zoning.workflow.decision import add_decision_blocks
from zoning.workflow.plan import (
    OUTPUT_FILES,
    load_from_scenario,
    stations_from_scenario,
    write_outputs,
)
from zoning.workflow.report import plan_report
from zoning.workflow.run import (
    PlanResult,
    eligible_centers,
    resolve_names,
    travel_from_scenario,
)

__all__ = [
    "Assignment",
    "Evaluation",
    "Violation",
    "evaluate_assignment",
    "evaluate_files",
    "evaluate_plan",
    "load_from_scenario",
    "read_assignment",
]


@dataclass
class Evaluation(PlanResult):
    """A scored plan: everything :class:`~zoning.workflow.plan.PlanResult` has, plus findings."""

    violations: list[Violation] = field(default_factory=list)


def evaluate_assignment(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    assignment: Assignment | Mapping[str, int],
    *,
    scenario: Scenario | None = None,
    source: str = "stations",
) -> Evaluation:
    """Score a station → zone assignment with the measures of ``zoning plan``.

    Parameters
    ----------
    stations
        Canonical stations.
    load
        Their loads (:func:`load_from_scenario`).
    assignment
        An :class:`Assignment` or a plain mapping station id → zone number.
    scenario
        ``zones`` (K), ``urban_core``, links, locks and names as for planning.
    source
        Name of the stations file, for messages.

    Returns
    -------
    Evaluation
        Plan and zone frames of the assigned stations, a ``report`` shaped like
        the one of ``zoning plan`` (plus ``kind = "evaluation"``, ``violations``
        and ``assignment``), and the violations. Stations without a zone are
        left out of every measure and reported.

    Raises
    ------
    InputError
        Bad scenario values (K, unknown urban core, …) or no known station.
    """
    started = time.perf_counter()
    scenario = scenario or Scenario()
    given = assignment if isinstance(assignment, Assignment) else Assignment(dict(assignment))
    core, locks, together, forbidden, forced = resolve_names(stations, scenario, source)
    names = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    known: dict[Hashable, int] = {str(s): int(z) for s, z in given.zones.items() if str(s) in names}
    if not known:
        raise InputError(
            tr(f"{given.source}：方案中没有已知的派出所", f"{given.source}: no known station")
        )
    unknown = [*given.unknown, *(str(s) for s in given.zones if str(s) not in names)]
    missing = [s for s in names if s not in known]
    graph = graph_from_stations(stations, min_shared_m=scenario.min_shared_m)
    work, added, notes = graph_with_links(
        graph,
        core=core,
        forced_links=forced,
        forbidden_links=forbidden,
        positions=dict(graph.nodes(data="pos")),
        islands="keep" if scenario.islands == "error" else "link",
        names=dict(names),
    )
    found = violations(
        work, known, k=scenario.zones, core=core, locks=locks, together=together, names=names
    )
    if unknown:
        listed = format_rows(unknown)
        text = tr(
            f"方案中有 {len(unknown)} 个站点文件中没有的派出所：{listed}",
            f"{len(unknown)} stations of the plan are not in the stations file: {listed}",
        )
        found.insert(0, Violation("unknown_station", text, stations=tuple(unknown)))
    subset = stations.loc[[s for s in stations.index if str(s) in known]]
    loads: dict[Hashable, float] = {s: float(load.load.get(s, 0.0)) for s in known}
    zone_load = cons.zone_loads(loads, known)
    urban_zone = cons.core_zone(known, core)
    exclude = {urban_zone} if urban_zone is not None else set()
    solver: dict[str, Any] = {"name": "evaluate", "status": "evaluated", "objective": None}
    solver |= {"bound": None, "gap": None, "seconds": 0.0, "balance": scenario.balance}
    if S.OFFICERS in subset and subset[S.OFFICERS].notna().all():
        officers = subset.groupby(subset.index.map(known))[S.OFFICERS].sum()
        solver["spread_per_officer"] = cons.per_officer_spread(
            zone_load, officers.to_dict(), exclude=exclude
        )
    plan = Plan(
        assignment=known,
        graph=work,
        solver=solver,
        zone_load=zone_load,
        spread=cons.spread(zone_load, exclude=exclude),
        max_dev=cons.max_dev(zone_load, exclude=exclude),
        cut_edges=cons.cut_edges(work, known),
        added_links=added,
        warnings=notes,
    )
    by_id = {str(s): z for s, z in known.items()}
    travel = travel_from_scenario(subset, scenario)
    chosen = None
    if scenario.objective == "travel":  # the 中心所 zoning plan would give these zones
        chosen = cheapest_centers(
            by_id, load.load, travel, eligible=eligible_centers(subset, scenario, source)
        )
    centers = centers_from_plan(
        subset,
        by_id,
        load.load,
        by_category=load.by_category,
        criteria=dict(scenario.center_criteria) or None,
        travel=travel,
        within_minutes=scenario.within_minutes,
        chosen=chosen,
    )
    zone_names = {
        z: scenario.zone_names.get(z) or given.labels.get(z) or zone_name_for(names[c.center_id])
        for z, c in centers.items()
    }
    frame = plan_frame(subset, by_id, load.load, centers, zone_names)
    zones = zones_frame(frame, centers, urban_core_zone=urban_zone)
    solver["seconds"] = round(time.perf_counter() - started, 3)
    scored_core = core if urban_zone is not None else None  # plan_report needs it assigned
    report = plan_report(plan, zones, centers, load, scenario, scored_core, solver["seconds"])
    report["urban_core"] = list(core) if isinstance(core, tuple) else core
    report["kind"] = "evaluation"
    report["n_stations_total"] = len(names)
    report["violations"] = [v.to_dict() for v in found]
    report["assignment"] = {"source": given.source, "missing": missing, "unknown": unknown}
    return Evaluation(
        plan=frame,
        zones=zones,
        report=report,
        partition=plan,
        load=load,
        centers=centers,
        violations=found,
    )


def evaluate_files(
    stations: str | Path,
    assignment: str | Path,
    *,
    scenario: Scenario | None = None,
    out_dir: str | Path | None = None,
    write: bool = True,
    station_column: str | None = None,
    zone_column: str | None = None,
    force: bool = False,
) -> Evaluation:
    """Read stations, loads and a plan table; score it; write the outputs.

    Parameters
    ----------
    stations
        Station jurisdiction polygons.
    assignment
        The plan to score (see :func:`read_assignment`).
    scenario
        Load source (``incidents`` or ``load_column``), K, urban core, links.
    out_dir
        Output folder; default ``maps/evaluate-<plan file stem>/`` (never
        ``scenario.out``, which holds the planned outputs).
    write
        Write plan.geojson, zones.geojson, report.json and map.html.
    station_column, zone_column
        Columns of the plan table to use instead of the recognised ones.
    force
        Write even where an output would replace an input (the plan being
        scored is often a ``plan.geojson``); refused by default.

    Returns
    -------
    Evaluation
    """
    scenario = scenario or Scenario()
    stations_path, plan_path = Path(stations), Path(assignment)
    out = Path(out_dir or Path("maps") / f"evaluate-{plan_path.stem}")
    if write:
        refuse_overwriting_inputs(
            [out / name for name in OUTPUT_FILES],
            [*scenario_inputs(stations_path, scenario), plan_path],
            force=force,
        )
        check_writable(out)
    frame = stations_from_scenario(stations_path, scenario)
    load = load_from_scenario(frame, scenario, source=str(stations_path))
    table = read_assignment(
        plan_path, frame, station_column=station_column, zone_column=zone_column
    )
    result = evaluate_assignment(frame, load, table, scenario=scenario, source=str(stations_path))
    add_decision_blocks(result, frame, scenario)  # staffing and profiles of the scored plan
    result.report["inputs"] = {
        "stations": str(stations_path),
        "assignment": str(plan_path),
        "incidents": str(scenario.incidents) if scenario.incidents else None,
        "loads": str(scenario.loads) if scenario.loads else None,
        "load_column": scenario.load_column,
    }
    if (jurisdictions := jurisdiction_summary(frame)) is not None:
        result.report["jurisdictions"] = jurisdictions
    if write:
        title = scenario.title or tr(
            f"方案评估：{plan_path.name}", f"Plan evaluation: {plan_path.name}"
        )
        result.files = write_outputs(result, out, scenario=replace(scenario, title=title))
    return result


#: The public name of :func:`evaluate_files` (``zoning.evaluate_plan``).
evaluate_plan = evaluate_files
