"""One planning run on stations already read: partition, 中心所, names, report.

:func:`plan_stations` is the library entry point below the file layer (spopt
style: the stations are checked and in canonical columns, the loads computed);
:mod:`zoning.workflow.plan` adds reading files and writing outputs.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.naming import read_features
from zoning.centers.naming import zone_names as feature_zone_names
from zoning.centers.placement import ZoneCenter, centers_from_plan, locks_by_station
from zoning.centers.roads import RoadNetwork, graph_from_file, graph_from_polygon_online
from zoning.centers.travel import TravelTimes, travel_times
from zoning.decision.farstations import far_stations
from zoning.decision.profiles import has_times, profile_mix
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.graph import graph_from_stations
from zoning.io.stations import find_station
from zoning.load import LoadResult
from zoning.outputs.tables import plan_frame, zones_frame
from zoning.periods import check_robust, periods_from_load
from zoning.scenario import Scenario
from zoning.solve.partition import Plan, partition, with_centers
from zoning.solve.rules import core_stations, core_zone, violations
from zoning.utils import split_names
from zoning.workflow.report import add_island_caveats, plan_report

Progress = Callable[[dict[str, Any]], None]


@dataclass
class PlanResult:
    """Everything one planning run produced."""

    plan: gpd.GeoDataFrame  # one row per station
    zones: gpd.GeoDataFrame  # one row per zone
    report: dict[str, Any]
    partition: Plan
    load: LoadResult
    centers: dict[int, ZoneCenter]
    travel: TravelTimes | None = None
    files: dict[str, Path] = field(default_factory=dict)
    alternatives: list[PlanResult] = field(default_factory=list)  # runners-up, ranked
    frontier: list[PlanResult] = field(default_factory=list)  # solved rungs, tightest first


def plan_stations(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    *,
    scenario: Scenario | None = None,
    source: str = "stations",
    progress: Progress | None = None,
    exclude: Sequence[Mapping[Any, int]] = (),
) -> PlanResult:
    """Partition canonical stations with known loads and place 中心所.

    Parameters
    ----------
    stations
        Canonical station frame from :func:`zoning.io.stations.stations_from_file`.
    load
        Loads from :mod:`zoning.load`.
    scenario
        Planning choices.
    source
        Name of the stations file, for messages.
    progress
        Solver progress callback.
    exclude
        Earlier plans (station id -> zone) this plan must differ from
        (see :mod:`zoning.workflow.alternatives`).

    Returns
    -------
    PlanResult
        With ``files`` empty (nothing written).
    """
    scenario = scenario or Scenario()
    started = time.perf_counter()
    core, locks, together, forbidden, forced = resolve_names(stations, scenario, source)
    team_ids = resolve_team_locks(stations, scenario, source)
    graph = graph_from_stations(stations, min_shared_m=scenario.min_shared_m)
    travel = travel_from_scenario(stations, scenario)
    mix = category_mix(
        load.by_category,
        stations.index,
        incidents=load.incidents,
        basis=similarity_basis(load, scenario),
    )
    officers: dict[Hashable, float] | None = None
    if S.OFFICERS in stations.columns and stations[S.OFFICERS].notna().all():
        officers = {str(k): float(v) for k, v in stations[S.OFFICERS].items()}
    elif scenario.balance == "per_officer":
        missing = (
            stations.index[stations[S.OFFICERS].isna()].tolist() if S.OFFICERS in stations else []
        )
        raise InputError(
            tr(
                f"{source}：按警力均衡（balance = per_officer）需要每个所的警力，"
                f"缺少：{', '.join(map(str, missing)) or '警力列'}；请补充“警力”列",
                f"{source}: balance = per_officer needs officers for every station; missing: "
                f"{', '.join(map(str, missing)) or 'the officers column'}; add an officers column",
            )
        )
    names: dict[Hashable, str] = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    node_locks: dict[Hashable, int] = {k: v for k, v in locks.items()}
    # metric seat positions, computed once by graph_from_stations
    positions: dict[Hashable, tuple[float, float]] = dict(graph.nodes(data="pos"))
    periods = periods_from_load(load)
    if scenario.robust:
        check_robust(periods, load)
    plan = partition(
        graph,
        {str(k): float(v) for k, v in load.load.items()},
        k=scenario.zones,
        urban_core=core,
        officers=officers,
        category_mix=mix,
        locks=node_locks,
        together=together,
        forbidden_links=forbidden,
        forced_links=forced,
        positions=positions,
        islands=scenario.islands,
        objective=scenario.objective,
        band=scenario.band,
        minutes=travel.frame(),
        center_eligible=eligible_centers(stations, scenario, source),
        center_locks=team_ids["center"] if scenario.objective == "travel" else (),
        frontier=scenario.frontier if scenario.objective == "travel" and not exclude else (),
        robust=scenario.robust,
        period_loads=periods.held_loads() if periods is not None else None,
        balance=scenario.balance,
        tolerance=scenario.tolerance,
        compactness_weight=scenario.compactness_weight,
        similarity_weight=scenario.similarity_weight,
        solver=scenario.solver,
        time_limit=scenario.time_limit,
        seed=scenario.seed,
        names=names,
        progress=progress,
        exclude=exclude,
    )
    problems = [
        v
        for v in violations(
            plan.graph,
            plan.assignment,
            k=scenario.zones,
            core=core,
            locks=node_locks,
            together=together,
        )
        if v.kind != "guideline"  # more than 5 zones was asked for; partition warned
    ]
    if problems:  # the solver guarantees these; a violation here is a bug, not an input problem
        raise AssertionError("; ".join(map(str, problems)))
    _warn_about_parts(plan, core, names)
    _mark_same_plans(plan)
    result = result_from_plan(
        stations,
        load,
        plan,
        scenario=scenario,
        core=core,
        travel=travel,
        team_locks=team_ids,
        seconds=time.perf_counter() - started,
    )
    built: list[tuple[Any, Any, PlanResult]] = []
    for entry in plan.frontier:  # the trade-off ladder: each solved rung, built the same way
        if not isinstance(entry.get("plan"), Plan):
            continue
        twin = next(
            (r for a, c, r in built if a == entry["assignment"] and c == entry["centers"]), None
        )
        if twin is None:
            rung = result_from_plan(
                stations,
                load,
                entry["plan"],
                scenario=scenario,
                core=core,
                travel=travel,
                team_locks=team_ids,
                seconds=0.0,
            )
            built.append((entry["assignment"], entry["centers"], rung))
        else:  # a wider band kept a narrower one's plan: the same result, its own report
            rung = replace(twin, report=copy.deepcopy(twin.report), files={})
        rung.report["frontier_band"] = entry["band"]
        result.frontier.append(rung)
    return result


def _mark_same_plans(plan: Plan) -> None:
    """Give each solved frontier entry whose plan was seen before a ``same_as``.

    ``"plan"`` when its zones and 中心所 are those of the main plan, else the band
    of the first narrower rung with that plan (a wider band often keeps the plan
    of a narrower one), so that tables can say which rungs are one plan.
    """
    seen: list[tuple[Any, dict[Hashable, int], dict[int, Hashable]]] = [
        ("plan", plan.assignment, plan.centers)
    ]
    for entry in plan.frontier:
        if not isinstance(entry.get("plan"), Plan):
            continue
        same = next(
            (tag for tag, a, c in seen if a == entry["assignment"] and c == entry["centers"]),
            None,
        )
        if same is None:
            seen.append((entry["band"], entry["assignment"], entry["centers"]))
        else:
            entry["same_as"] = same


def result_from_plan(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    plan: Plan,
    *,
    scenario: Scenario,
    core: str | tuple[str, ...] | None,
    travel: TravelTimes | None,
    team_locks: Mapping[str, Sequence[str]],
    seconds: float,
) -> PlanResult:
    """Turn a partition (zones and, under the travel objective, 中心所) into a :class:`PlanResult`.

    The one place that gives a plan its 中心所 and team bases with reasons, its
    zone names, its station and zone frames and its report: the main plan of
    :func:`plan_stations` and each plan of its trade-off ladder go through it.

    Parameters
    ----------
    stations, load
        As for :func:`plan_stations`.
    plan
        The partition; with ``scenario.objective == "travel"`` its ``centers`` are
        kept as the 中心所 (``center_source = "joint"``).
    scenario
        Planning choices (criteria, locks, names, ``within_minutes`` …).
    core
        The urban core as resolved by :func:`resolve_names`.
    travel
        Station-to-station minutes (:func:`travel_from_scenario`).
    team_locks
        ``center`` / ``case_team`` / ``community_team`` station ids
        (:func:`resolve_team_locks`).
    seconds
        Time spent so far, for the report.
    """
    names: dict[Hashable, str] = {str(k): str(v) for k, v in stations[S.STATION_NAME].items()}
    centers = centers_from_plan(
        stations,
        plan.assignment,
        load.load,
        by_category=load.by_category,
        criteria=dict(scenario.center_criteria) or None,
        locks=locks_by_station(plan.assignment, team_locks["center"]),
        case_team_locks=locks_by_station(plan.assignment, team_locks["case_team"]),
        community_team_locks=locks_by_station(plan.assignment, team_locks["community_team"]),
        travel=travel,
        within_minutes=scenario.within_minutes,
        incidents=load.incidents if load.incidents is not None and len(load.incidents) else None,
        chosen={z: str(c) for z, c in plan.centers.items()}
        if scenario.objective == "travel"
        else None,
    )
    if travel is not None and scenario.objective != "travel":
        # the balance-first engine's 中心所 come from the guideline's criteria: the
        # travel figures must describe those stations, not the fastest ones
        plan = with_centers(
            plan,
            {z: c.center_id for z, c in centers.items()},
            travel.frame(),
            load.load.to_dict(),
            urban_core=core,
        )
    urban_zone = core_zone(plan.assignment, core)
    named = feature_zone_names(
        stations,
        plan.assignment,
        {z: names[c.center_id] for z, c in centers.items()},
        features=read_features(scenario.features) if scenario.features else None,
        name_after=scenario.name_after if scenario.features else "center",
    )
    zone_names = {z: scenario.zone_names.get(z) or named[z].name for z in centers}
    zone_name_reasons = {
        z: tr("由规划人员命名", "named by the planner")
        if z in scenario.zone_names
        else named[z].reason
        for z in centers
    }
    frame = plan_frame(stations, plan.assignment, load.load, centers, zone_names)
    zones = zones_frame(frame, centers, urban_core_zone=urban_zone)
    zones["zone_name_source"] = [
        "planner" if z in scenario.zone_names else named[int(z)].source for z in zones[S.ZONE]
    ]
    report = plan_report(plan, zones, centers, load, scenario, core, seconds)
    for row in report["zones"]:
        row["zone_name_reason"] = zone_name_reasons[int(row[S.ZONE])]
    if travel is not None:
        report["travel"] = travel.info(within_minutes=scenario.within_minutes)
    add_island_caveats(report, zones, plan, names)
    report["far_stations"] = (
        None
        if travel is None
        else far_stations(
            plan.assignment,
            {z: c.center_id for z, c in centers.items()},
            travel.frame(),
            plan.graph,
            load.load.to_dict(),
            names={str(k): v for k, v in names.items()},
            zone_names=zone_names,
            core_zones=() if urban_zone is None else (urban_zone,),
            band=(report.get("band") or {}).get("used"),
            objective=scenario.objective,
            frontier=report.get("frontier") or [],
            method_text=travel.method_text(),
        )
    )
    return PlanResult(
        plan=frame,
        zones=zones,
        report=report,
        partition=plan,
        load=load,
        centers=centers,
        travel=travel,
    )


def _warn_about_parts(
    plan: Plan, core: str | tuple[str, ...] | None, names: Mapping[Hashable, str]
) -> None:
    """Warn when forbidden links (or the removed urban core) split the map into parts.

    Each part must hold whole zones, so a small part becomes a zone of its own and
    the balance suffers; planners should see that at once, not only in the spread.
    """
    cores = set(core_stations(core))
    rest = plan.graph.subgraph([v for v in plan.graph.nodes if v not in cores])
    parts = sorted(nx.connected_components(rest), key=len)
    if len(parts) < 2:
        return
    small = "；".join(
        "、".join(names.get(v, str(v)) for v in sorted(p, key=str)) for p in parts[:-1]
    )
    warnings.warn(
        tr(
            f"派出所之间的连接（含禁止连接）把县域分成了 {len(parts)} 块，每块必须单独成区："
            f"{small}。若这不是本意，请检查 [links].forbidden。",
            f"the links between stations (after forbidden links) split the county into "
            f"{len(parts)} parts, each of which must hold whole zones: {small}. If this is "
            "not intended, check [links].forbidden.",
        ),
        ZoningWarning,
        stacklevel=2,
    )


def travel_from_scenario(stations: gpd.GeoDataFrame, scenario: Scenario) -> TravelTimes:
    """Station-to-station travel minutes: by road when a network is given, else estimated."""
    detour, speed = scenario.detour_factor, scenario.straight_speed_kph
    if scenario.roads is None:
        return travel_times(stations, None, detour=detour, speed_kph=speed)
    if scenario.roads == "download":
        graph = graph_from_polygon_online(stations)
    else:
        graph = graph_from_file(scenario.roads)
    network = RoadNetwork.from_graph(graph, hwy_speeds=dict(scenario.hwy_speeds) or None)
    return travel_times(
        stations, network, detour=detour, speed_kph=speed, max_snap_m=scenario.max_snap_m
    )


def resolve_team_locks(
    stations: gpd.GeoDataFrame, scenario: Scenario, source: str
) -> dict[str, list[str]]:
    """Station ids the planner fixed as 中心所 / case-team / community-team bases."""
    problems = ProblemList()
    out: dict[str, list[str]] = {}
    for kind, keys in (
        ("center", scenario.center_locks),
        ("case_team", scenario.case_team_locks),
        ("community_team", scenario.community_team_locks),
    ):
        out[kind] = []
        for key in keys:
            sid = find_station(stations, key)
            if sid is None:
                problems.add(
                    tr(
                        f"{source}：[centers].{kind} 中的“{key}”不是已知的派出所编号或名称",
                        f"{source}: '{key}' in [centers].{kind} is not a known station id or name",
                    )
                )
            else:
                out[kind].append(sid)
    problems.raise_if_any()
    return out


def resolve_names(
    stations: gpd.GeoDataFrame, scenario: Scenario, source: str
) -> tuple[
    str | tuple[str, ...] | None,
    dict[str, int],
    list[list[str]],
    list[tuple[str, str]],
    list[tuple[str, str]],
]:
    """Turn ids-or-names from options into station ids, gathering every problem.

    The urban core comes back as one station id, a tuple of ids (several
    stations forming the 城关 zone together) or ``None``.
    """
    problems = ProblemList()
    n = len(stations)
    if scenario.zones < 1 or scenario.zones > n:
        problems.add(
            tr(
                f"{source}：防区数 K = {scenario.zones} 无效，"
                f"应在 1 到站点数 {n} 之间；请修改 --zones",
                f"{source}: K = {scenario.zones} zones is not possible; it must be between 1 and "
                f"the number of stations ({n}); change --zones",
            )
        )

    def lookup(key: str, what: str) -> str | None:
        sid = find_station(stations, key, what=what)
        if sid is None:
            problems.add(
                tr(
                    f"{source}：{what}“{key}”不是已知的派出所编号或名称；可用的有："
                    f"{'、'.join(stations[S.STATION_NAME].astype(str).head(30))}",
                    f"{source}: {what} '{key}' is not a known station id or name; known: "
                    f"{', '.join(stations[S.STATION_NAME].astype(str).head(30))}",
                )
            )
        return sid

    cores: list[str] = []
    if scenario.urban_core:
        for key in split_names(scenario.urban_core):
            sid = lookup(key, tr("城关所", "urban core"))
            if sid is not None and sid not in cores:
                cores.append(sid)
    elif S.IS_URBAN_CORE in stations.columns:
        # several flagged stations form the 城关 zone together (county seats often have 2–4)
        cores = stations.index[stations[S.IS_URBAN_CORE].astype(bool)].astype(str).tolist()
    core: str | tuple[str, ...] | None = (
        None if not cores else cores[0] if len(cores) == 1 else tuple(cores)
    )
    locks: dict[str, int] = {}
    for key, zone in scenario.locks.items():
        sid = lookup(key, tr("锁定的派出所", "locked station"))
        if sid is not None:
            locks[sid] = int(zone)
    together = []
    for group in scenario.together:
        ids = [lookup(k, tr("同区组中的派出所", "station of a together group")) for k in group]
        together.append([i for i in ids if i is not None])
    pairs: dict[str, list[tuple[str, str]]] = {"forbidden": [], "forced": []}
    for kind, links in (("forbidden", scenario.forbidden_links), ("forced", scenario.forced_links)):
        for a, b in links:
            ia = lookup(a, tr("连接中的派出所", "station of a link"))
            ib = lookup(b, tr("连接中的派出所", "station of a link"))
            if ia is not None and ib is not None:
                pairs[kind].append((ia, ib))
    problems.raise_if_any()
    return core, locks, together, pairs["forbidden"], pairs["forced"]


def eligible_centers(
    stations: gpd.GeoDataFrame, scenario: Scenario, source: str
) -> list[str] | None:
    """Stations that may be 中心所 (``[centers] eligible``), or ``None`` for all.

    Raises
    ------
    InputError
        ``eligible = "case_area"`` without a 办案区 column, or with no station having one.
    """
    if scenario.center_eligible == "all":
        return None
    flags = stations.get(S.HAS_CASE_AREA)
    ids = (
        [] if flags is None else [str(s) for s in stations.index[flags.fillna(False).astype(bool)]]
    )
    if not ids:
        raise InputError(
            tr(
                f"{source}：中心所限于有办案区的所（eligible = case_area），"
                "但没有任何所标记办案区；"
                "请补充“办案区”列（是/否），或改为 eligible = all",
                f"{source}: 中心所 are limited to stations with a case-handling area "
                "(eligible = case_area), but no station has one; add a 办案区 column (是/否) "
                "or use eligible = all",
            )
        )
    return ids


def similarity_basis(load: LoadResult, scenario: Scenario) -> str | None:
    """What the solver's similarity term compares (``report.json`` ``profiles.similarity``).

    ``"profile"`` (category shares and period-of-day shares,
    :func:`zoning.decision.profiles.profile_mix`) when the scenario asks for it
    (the default) and incidents have times; ``"category"`` (category shares
    alone) otherwise; ``None`` without incident counts (a load column).
    """
    by_category = load.by_category
    if by_category is None or by_category.empty or by_category.to_numpy().sum() == 0:
        return None
    if scenario.similarity_basis == "profile" and has_times(load.incidents):
        return "profile"
    return "category"


def category_mix(
    by_category: pd.DataFrame | None,
    index: pd.Index,
    *,
    incidents: pd.DataFrame | None = None,
    basis: str | None = "category",
) -> dict[Hashable, list[float]] | None:
    """Per-station vectors whose total-variation distance is the solver's dissimilarity.

    ``basis="category"``: incident-category shares; ``"profile"``: the station
    incident profile (:func:`zoning.decision.profiles.profile_mix`, needs
    ``incidents`` with times); ``None``: no similarity term.
    """
    if basis is None or by_category is None or by_category.empty:
        return None
    if by_category.to_numpy().sum() == 0:
        return None
    if basis == "profile":
        return profile_mix(by_category, incidents, index)
    counts = by_category.reindex(index).fillna(0.0).to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return {str(sid): row.tolist() for sid, row in zip(index, shares, strict=True)}
