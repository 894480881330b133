"""The whole pipeline: files in → plan, zones, report and map out.

``plan_from_files`` reads inputs (:mod:`zoning.intake`), computes loads
(:mod:`zoning.load`), builds the adjacency graph (:mod:`zoning.graph`),
partitions (:mod:`zoning.partition`), places 中心所 (:mod:`zoning.centers`)
and writes outputs (:mod:`zoning.export`, :mod:`zoning.maps`).
``plan_stations`` is the same without file input/output, for library use.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._basemaps import resolve_basemap
from zoning._i18n import tr
from zoning._naming import read_features
from zoning._naming import zone_names as feature_zone_names
from zoning.centers import ZoneCenter, centers_from_plan, locks_by_station
from zoning.constraints import violations
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.export import plan_frame, write_geojson, write_report, zones_frame
from zoning.graph import graph_from_stations
from zoning.intake import find_station, incidents_from_file, stations_from_file
from zoning.load import LoadResult, loads_from_column, loads_from_incidents
from zoning.partition import Plan, partition
from zoning.roads import (
    RoadNetwork,
    TravelTimes,
    graph_from_file,
    graph_from_polygon_online,
    travel_times,
)
from zoning.scenario import Scenario

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


def plan_from_files(
    stations: str | Path,
    *,
    scenario: Scenario | None = None,
    out_dir: str | Path | None = None,
    write: bool = True,
    progress: Progress | None = None,
) -> PlanResult:
    """Run the whole pipeline on files and write the outputs.

    Parameters
    ----------
    stations
        Station jurisdiction polygons (GeoJSON, Shapefile, GeoPackage).
    scenario
        Planning choices; ``scenario.incidents`` or ``scenario.load_column``
        supplies the load.
    out_dir
        Output folder; default ``scenario.out`` or ``maps/<stations stem>/``.
    write
        Write plan.geojson, zones.geojson, report.json and map.html.
    progress
        Called with solver progress events on long solves.

    Returns
    -------
    PlanResult
    """
    scenario = scenario or Scenario()
    stations_path = Path(stations)
    if write:  # check the basemap before the work, so a bad value fails fast
        resolve_basemap(scenario.basemap, tianditu_key=scenario.tianditu_key)
    frame = stations_from_scenario(stations_path, scenario)
    load = load_from_scenario(frame, scenario, source=str(stations_path))
    source = str(stations_path)
    if scenario.alternatives > 1:
        from zoning.alternatives import plan_alternatives  # imports this module

        results = plan_alternatives(
            frame,
            load,
            n=scenario.alternatives,
            slack=scenario.alternatives_slack,
            scenario=scenario,
            source=source,
            progress=progress,
        )
    else:
        results = [plan_stations(frame, load, scenario=scenario, source=source, progress=progress)]
    result = results[0]
    result.alternatives = results[1:]
    inputs = {
        "stations": source,
        "incidents": str(scenario.incidents) if scenario.incidents else None,
        "load_column": scenario.load_column,
    }
    folders = {1: "."} | {rank: f"alternatives/{rank}" for rank in range(2, len(results) + 1)}
    summary = [
        {
            "rank": rank,
            "folder": folders[rank],
            "spread": r.partition.spread,
            "max_dev": r.partition.max_dev,
            "cut_edges": r.partition.cut_edges,
            "solver_status": r.partition.solver.get("status"),
            "moved": r.report.get("alternative", {}).get("moved", []),
        }
        for rank, r in enumerate(results, start=1)
    ]
    for r in results:
        r.report["inputs"] = inputs
        if len(results) > 1:
            r.report["alternatives"] = summary
    if write:
        out = Path(out_dir or scenario.out or Path("maps") / stations_path.stem)
        for rank, r in enumerate(results, start=1):
            r.files = write_outputs(r, out / folders[rank], scenario=scenario)
    return result


def stations_from_scenario(path: Path, scenario: Scenario) -> gpd.GeoDataFrame:
    """Read the station file with the scenario's column choices."""
    return stations_from_file(
        path,
        id_column=scenario.id_column,
        name_column=scenario.name_column,
        columns=dict(scenario.station_columns) or None,
    )


def load_from_scenario(
    stations: gpd.GeoDataFrame, scenario: Scenario, *, source: str = "stations"
) -> LoadResult:
    """Station loads from ``scenario.load_column`` or else ``scenario.incidents``.

    Raises
    ------
    InputError
        When neither is given, or the load cannot be computed.
    """
    if scenario.load_column:
        return loads_from_column(stations, scenario.load_column, source=source)
    if scenario.incidents:
        table = incidents_from_file(
            scenario.incidents,
            columns=dict(scenario.incident_columns) or None,
            crs=scenario.incidents_crs,
            date_from=scenario.date_from,
            date_to=scenario.date_to,
        )
        return loads_from_incidents(
            stations,
            table,
            weights=dict(scenario.category_weights) or None,
            tolerance_m=scenario.outside_tolerance_m,
        )
    raise InputError(
        tr(
            f"{source}：没有警情数据。请用 --incidents 指定警情文件，"
            "或用 --load-column 指定站点文件中的警情量列",
            f"{source}: no load given. Pass --incidents FILE, or --load-column COL "
            "naming a load column of the stations file",
        )
    )


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
        Canonical station frame from :func:`zoning.intake.stations_from_file`.
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
        (see :mod:`zoning.alternatives`).

    Returns
    -------
    PlanResult
        With ``files`` empty (nothing written).
    """
    scenario = scenario or Scenario()
    started = time.perf_counter()
    core, locks, together, forbidden, forced = _resolve_names(stations, scenario, source)
    team_ids = _resolve_team_locks(stations, scenario, source)
    graph = graph_from_stations(stations, min_shared_m=scenario.min_shared_m)
    travel = _travel(stations, scenario)
    mix = _category_mix(load.by_category, stations.index)
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
    problems = violations(
        plan.graph,
        plan.assignment,
        k=scenario.zones,
        core=core,
        locks=node_locks,
        together=together,
    )
    if problems:  # the solver guarantees these; a violation here is a bug, not an input problem
        raise AssertionError("; ".join(problems))
    _warn_about_parts(plan, core, names)
    centers = centers_from_plan(
        stations,
        plan.assignment,
        load.load,
        by_category=load.by_category,
        criteria=dict(scenario.center_criteria) or None,
        locks=locks_by_station(plan.assignment, team_ids["center"]),
        case_team_locks=locks_by_station(plan.assignment, team_ids["case_team"]),
        community_team_locks=locks_by_station(plan.assignment, team_ids["community_team"]),
        travel=travel,
        within_minutes=scenario.within_minutes,
        incidents=load.incidents if load.incidents is not None and len(load.incidents) else None,
    )
    core_zone = plan.assignment[core] if core is not None else None
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
    zones = zones_frame(frame, centers, urban_core_zone=core_zone)
    zones["zone_name_source"] = [
        "planner" if z in scenario.zone_names else named[int(z)].source for z in zones[S.ZONE]
    ]
    report = _report(plan, zones, centers, load, scenario, core, time.perf_counter() - started)
    for row in report["zones"]:
        row["zone_name_reason"] = zone_name_reasons[int(row[S.ZONE])]
    report["travel"] = travel.info(within_minutes=scenario.within_minutes)
    return PlanResult(
        plan=frame,
        zones=zones,
        report=report,
        partition=plan,
        load=load,
        centers=centers,
        travel=travel,
    )


def _warn_about_parts(plan: Plan, core: str | None, names: Mapping[Hashable, str]) -> None:
    """Warn when forbidden links (or the removed urban core) split the map into parts.

    Each part must hold whole zones, so a small part becomes a zone of its own and
    the balance suffers; planners should see that at once, not only in the spread.
    """
    rest = plan.graph.subgraph([v for v in plan.graph.nodes if v != core])
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


def write_outputs(result: PlanResult, out: Path, *, scenario: Scenario) -> dict[str, Path]:
    """Write every output of a plan into ``out``.

    plan.geojson, zones.geojson, plan.gpkg, zones.xlsx, map.html (offline unless
    ``scenario.online``), the printable map.png / map.pdf and report.json.
    """
    from zoning.excel import plan_to_excel, plan_to_gpkg  # heavy imports only when writing
    from zoning.maps import map_from_plan, save_map
    from zoning.printmap import plan_to_print

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "plan": write_geojson(result.plan, out / "plan.geojson"),
        "zones": write_geojson(result.zones, out / "zones.geojson"),
        "gpkg": plan_to_gpkg(result.plan, result.zones, out / "plan.gpkg"),
    }
    title = scenario.title or tr("多所连片防区规划（草案）", "Cross-station defence zones (draft)")
    heat = result.load.incidents
    river = _read_layer(scenario.river)
    fmap = map_from_plan(
        result.plan,
        result.zones,
        title=title,
        incidents=heat if heat is not None and len(heat) else None,
        river=river,
        online=scenario.online,
        basemap=resolve_basemap(scenario.basemap, tianditu_key=scenario.tianditu_key),
    )
    files["map"] = save_map(fmap, out / "map.html", online=scenario.online)
    files["png"], files["pdf"] = plan_to_print(
        result.plan,
        result.zones,
        title=title,
        path_png=out / "map.png",
        path_pdf=out / "map.pdf",
        river=river,
        spread=result.report["spread"],
    )
    result.report["files"] = {k: v.name for k, v in files.items()} | {
        "xlsx": "zones.xlsx",
        "report": "report.json",
    }
    files["xlsx"] = plan_to_excel(result.plan, result.zones, result.report, out / "zones.xlsx")
    files["report"] = write_report(result.report, out / "report.json")
    return files


def _travel(stations: gpd.GeoDataFrame, scenario: Scenario) -> TravelTimes:
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


def _resolve_team_locks(
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


def _read_layer(path: Path | None) -> gpd.GeoDataFrame | None:
    if path is None:
        return None
    try:
        return gpd.read_file(path).to_crs("EPSG:4326")
    except Exception as exc:  # any reader failure is an input problem
        raise InputError(
            tr(f"{path}：无法读取图层（{exc}）", f"{path}: cannot read the layer ({exc})")
        ) from None


def _resolve_names(
    stations: gpd.GeoDataFrame, scenario: Scenario, source: str
) -> tuple[
    str | None,
    dict[str, int],
    list[list[str]],
    list[tuple[str, str]],
    list[tuple[str, str]],
]:
    """Turn ids-or-names from options into station ids, gathering every problem."""
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
        sid = find_station(stations, key)
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

    core: str | None = None
    if scenario.urban_core:
        core = lookup(scenario.urban_core, tr("城关所", "urban core"))
    elif S.IS_URBAN_CORE in stations.columns:
        flagged = stations.index[stations[S.IS_URBAN_CORE].astype(bool)].astype(str).tolist()
        if len(flagged) == 1:
            core = flagged[0]
        elif len(flagged) > 1:
            problems.add(
                tr(
                    f"{source}：城关列标记了多个派出所（{', '.join(flagged)}），只能有一个；"
                    "请修正该列或用 --urban-core 指定",
                    f"{source}: the urban-core column flags several stations "
                    f"({', '.join(flagged)}); "
                    "only one is allowed; fix the column or pass --urban-core",
                )
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


def _category_mix(
    by_category: pd.DataFrame | None, index: pd.Index
) -> dict[Hashable, list[float]] | None:
    if by_category is None or by_category.empty or by_category.to_numpy().sum() == 0:
        return None
    counts = by_category.reindex(index).fillna(0.0).to_numpy(dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    return {str(sid): row.tolist() for sid, row in zip(index, shares, strict=True)}


def _report(
    plan: Plan,
    zones: gpd.GeoDataFrame,
    centers: dict[int, ZoneCenter],
    load: LoadResult,
    scenario: Scenario,
    core: str | None,
    seconds: float,
) -> dict[str, Any]:
    zone_rows = []
    for row in zones.drop(columns="geometry").to_dict("records"):
        center = centers[int(row[S.ZONE])]
        row["center_candidates"] = center.candidates
        row["case_team_reason"] = center.case_team_reason
        row["community_team_reason"] = center.community_team_reason
        row["center_locked"] = center.center_locked
        row["case_team_candidates"] = center.case_team_candidates
        row["community_team_candidates"] = center.community_team_candidates
        row["travel"] = center.travel.to_dict() if center.travel is not None else None
        zone_rows.append(row)
    try:
        version = metadata.version("zoning")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = "unknown"
    balanced = [z for z in plan.zone_load if core is None or plan.assignment[core] != z]
    return {
        "tool": {"name": "zoning", "version": version},
        "n_stations": len(plan.assignment),
        "n_zones": len(zone_rows),
        "urban_core": core,
        "zones": zone_rows,
        "balanced_zones": sorted(balanced),
        "spread": plan.spread,
        "max_dev": plan.max_dev,
        "cut_edges": plan.cut_edges,
        "total_load": float(sum(plan.zone_load.values())),
        "solver": plan.solver,
        "graph": {
            "nodes": plan.graph.number_of_nodes(),
            "edges": plan.graph.number_of_edges(),
            "added_links": [list(e) for e in plan.added_links],
        },
        "intake": load.ledger,
        "scenario": scenario.to_dict(),
        "warnings": list(plan.warnings),
        "seconds": round(seconds, 3),
    }
