"""The whole pipeline from files: read, plan, write.

:func:`plan_from_files` reads the stations (:mod:`zoning.io`), computes loads
(:mod:`zoning.load`), plans with :func:`zoning.workflow.run.plan_stations`
(graph, partition, 中心所), adds ranked alternatives
(:mod:`zoning.workflow.alternatives`) and writes every output
(:mod:`zoning.outputs`, :mod:`zoning.maps`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from zoning._i18n import tr
from zoning.errors import InputError
from zoning.io.assignment import read_assignment
from zoning.io.guard import (
    check_writable,
    input_files,
    refuse_overwriting_inputs,
    scenario_inputs,
)
from zoning.io.incidents import IncidentTable, incidents_from_file
from zoning.io.jurisdictions import jurisdiction_summary
from zoning.io.layers import read_layer
from zoning.io.loadtable import loads_table_from_file
from zoning.io.stations import stations_from_file
from zoning.load import LoadResult, loads_from_column, loads_from_incidents, loads_from_table
from zoning.outputs.tables import write_geojson, write_report
from zoning.scenario import Scenario
from zoning.workflow.alternatives import plan_alternatives
from zoning.workflow.decision import SharedBlocks, add_decision_blocks
from zoning.workflow.report import frontier_folder, portable_path, portable_report
from zoning.workflow.reproduce import reproducibility
from zoning.workflow.run import PlanResult, Progress, plan_stations


def plan_from_files(
    stations: str | Path,
    *,
    scenario: Scenario | None = None,
    out_dir: str | Path | None = None,
    write: bool = True,
    progress: Progress | None = None,
    force: bool = False,
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
    force
        Write even where an output would replace an input file (the inputs
        are read first); by default that is refused before any work.

    Returns
    -------
    PlanResult

    Raises
    ------
    InputError
        Besides every input problem: an output folder that cannot be written,
        or outputs that would overwrite inputs (without ``force``).
    """
    scenario = scenario or Scenario()
    stations_path = Path(stations)
    out = Path(out_dir or scenario.out or Path("maps") / stations_path.stem)
    if write:  # check the basemap and the output folder before the work, so they fail fast
        from zoning.maps.basemaps import resolve_basemap  # folium: only when writing

        resolve_basemap(scenario.basemap, tianditu_key=scenario.tianditu_key)
        ranks = range(2, scenario.alternatives + 1)
        targets = [out, *(out / "alternatives" / str(r) for r in ranks)]
        if scenario.objective == "travel":
            targets += [out / frontier_folder(b) for b in scenario.frontier]
        refuse_overwriting_inputs(
            [folder / name for folder in targets for name in OUTPUT_FILES],
            scenario_inputs(stations_path, scenario),
            force=force,
        )
        check_writable(out)
    frame = stations_from_scenario(stations_path, scenario)
    load = load_from_scenario(frame, scenario, source=str(stations_path))
    source = str(stations_path)
    if scenario.alternatives > 1:
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
    baseline = read_assignment(scenario.baseline, frame) if scenario.baseline else None
    shared = SharedBlocks()  # the baseline and the station types are measured once
    for r in [*results, *results[0].frontier]:
        add_decision_blocks(r, frame, scenario, baseline=baseline, shared=shared)
    result = results[0]
    result.alternatives = results[1:]
    inputs = {
        "stations": source,
        "incidents": str(scenario.incidents) if scenario.incidents else None,
        "loads": str(scenario.loads) if scenario.loads else None,
        "load_column": scenario.load_column,
        "baseline": str(scenario.baseline) if scenario.baseline else None,
    }
    folders = {1: "."} | {rank: f"alternatives/{rank}" for rank in range(2, len(results) + 1)}
    summary = [
        {
            "rank": rank,
            "folder": folders[rank],
            "spread": r.partition.spread,
            "mean_minutes": (r.partition.travel or {}).get("mean_minutes"),
            "max_dev": r.partition.max_dev,
            "cut_edges": r.partition.cut_edges,
            "solver_status": r.partition.solver.get("status"),
            "moved": r.report.get("alternative", {}).get("moved", []),
        }
        for rank, r in enumerate(results, start=1)
    ]
    jurisdictions = jurisdiction_summary(frame)
    for r in result.frontier:
        r.report["inputs"] = inputs
        if jurisdictions is not None:
            r.report["jurisdictions"] = jurisdictions
    for r in results:
        r.report["inputs"] = inputs
        r.report["reproduce"] = reproducibility(r, scenario, stations_path)
        if jurisdictions is not None:
            r.report["jurisdictions"] = jurisdictions
        if len(results) > 1:
            r.report["alternatives"] = summary
    if write:
        write_frontier(result, out, scenario=scenario)
        kept = {out / r["folder"] for r in result.report.get("frontier") or [] if "folder" in r}
        remove_stale_rungs(out, kept, input_files(scenario_inputs(stations_path, scenario)))
        for rank, r in enumerate(results, start=1):
            r.files = write_outputs(r, out / folders[rank], scenario=scenario)
    return result


def write_frontier(result: PlanResult, out: Path, *, scenario: Scenario) -> None:
    """Write each plan of the trade-off ladder like an alternative: ``out/frontier/<band %>/``.

    Every solved rung gets its folder (plan.geojson, zones.geojson, map.html and
    report.json: :func:`write_outputs` with ``light=True``; the print map, Excel,
    GeoPackage and document would double the run time), also when its plan is the
    main plan's or a narrower rung's (``same_as`` says so), so that ``zoning compare
    out/frontier/5 out/frontier/10`` works for any two bands. Each solved row of
    ``result.report["frontier"]`` gains its ``folder`` (relative to ``out``): call it
    before writing the main plan, so that its report.json names the folders.
    """
    rows = [r for r in result.report.get("frontier") or [] if r.get("status") == "solved"]
    if len(rows) != len(result.frontier):  # pragma: no cover - plan_stations builds both
        raise AssertionError("frontier rows and plans disagree")
    title = scenario.title or tr("多所连片防区规划（草案）", "Cross-station defence zones (draft)")
    for row, rung in zip(rows, result.frontier, strict=True):
        row["folder"] = frontier_folder(row["band"])
        rung.report["frontier_of"] = portable_path(out, out / row["folder"])
        shown = replace(
            scenario,
            title=title + tr(f"（负荷带 {row['band']:.0%}）", f" (load band {row['band']:.0%})"),
        )
        rung.files = write_outputs(rung, out / row["folder"], scenario=shown, light=True)


def remove_stale_rungs(out: Path, kept: set[Path], inputs: list[Path]) -> list[Path]:
    """Remove ladder folders an earlier run left in ``out/frontier/`` that this run did not write.

    A re-run with other bands (or a band that is no longer solved) must not leave
    an old plan beside the new ones, where ``zoning compare`` would take it for
    current. Only folders holding a ``report.json`` that says it is a ladder plan
    (``frontier_of``) are touched, only the files zoning writes are removed, and
    never an input; a folder is deleted once it is empty. Returns the removed folders.
    """
    removed: list[Path] = []
    ladder = out / "frontier"
    if not ladder.is_dir():
        return removed
    resolved = {p.resolve() for p in inputs}
    for folder in sorted(ladder.iterdir()):
        if not folder.is_dir() or folder in kept:
            continue
        try:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not a ladder folder zoning wrote
        if not isinstance(report, dict) or "frontier_of" not in report:
            continue
        for name in OUTPUT_FILES:
            path = folder / name
            if path.is_file() and path.resolve() not in resolved:
                path.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()
            removed.append(folder)
    return removed


#: Every file :func:`write_outputs` writes into an output folder (add new outputs here,
#: so that :func:`plan_from_files` refuses to overwrite an input of the same name).
OUTPUT_FILES = (
    "plan.geojson",
    "zones.geojson",
    "plan.gpkg",
    "zones.xlsx",
    "map.html",
    "map.png",
    "map.pdf",
    "report.json",
    "report.docx",
)


def stations_from_scenario(path: Path, scenario: Scenario) -> gpd.GeoDataFrame:
    """Read the station file with the scenario's column and layer choices."""
    return stations_from_file(
        path,
        id_column=scenario.id_column,
        name_column=scenario.name_column,
        columns=dict(scenario.station_columns) or None,
        layer=scenario.layer,
    )


def load_from_scenario(
    stations: gpd.GeoDataFrame,
    scenario: Scenario,
    *,
    source: str = "stations",
    incidents: IncidentTable | None = None,
) -> LoadResult:
    """Station loads from ``scenario.load_column``, the ``loads`` table or the incidents.

    The one place that chooses the load source (``plan``, ``evaluate``, the app),
    in this order: a load column of the stations file, a statistics table
    (:mod:`zoning.io.loadtable`), incident records. Exactly one must be given.

    Parameters
    ----------
    stations
        Canonical stations.
    scenario
        ``load_column``, ``loads`` or ``incidents`` (each read here with the
        scenario's column, CRS and date choices) and the category weights.
    source
        Name of the stations file, for messages.
    incidents
        An incident table already read (the app reads an upload once); used
        instead of reading ``scenario.incidents``.

    Raises
    ------
    InputError
        When none or more than one source is given, or the load cannot be computed.
    """
    given = {
        "load_column": scenario.load_column,
        "loads": scenario.loads,
        "incidents": incidents if incidents is not None else scenario.incidents,
    }
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) > 1:
        what = {k: str(v) for k, v in given.items() if not isinstance(v, IncidentTable)}
        shown = "、".join(f"{_OPTION[n]} {what.get(n, '')}".strip() for n in chosen)
        raise InputError(
            tr(
                f"{source}：警情量来源只能有一个，现在给了 {len(chosen)} 个：{shown}。"
                "请只保留其中之一（也检查场景文件的 [input]）。",
                f"{source}: give one load source, not {len(chosen)} ({shown}). Keep one "
                "of them (check [input] of the scenario file too).",
            )
        )
    weights = dict(scenario.category_weights) or None
    if scenario.load_column:
        return loads_from_column(stations, scenario.load_column, source=source)
    if scenario.loads is not None:
        table = loads_table_from_file(scenario.loads, stations, categories=weights or ())
        return loads_from_table(stations, table, weights=weights)
    if incidents is None and scenario.incidents:
        incidents = incidents_from_file(
            scenario.incidents,
            columns=dict(scenario.incident_columns) or None,
            crs=scenario.incidents_crs,
            date_from=scenario.date_from,
            date_to=scenario.date_to,
        )
    if incidents is not None:
        return loads_from_incidents(
            stations,
            incidents,
            weights=weights,
            tolerance_m=scenario.outside_tolerance_m,
        )
    raise InputError(
        tr(
            f"{source}：没有警情数据。请用 --incidents 指定警情文件，用 --loads 指定警情统计表，"
            "或用 --load-column 指定站点文件中的警情量列",
            f"{source}: no load given. Pass --incidents FILE, --loads FILE (a statistics "
            "table), or --load-column COL naming a load column of the stations file",
        )
    )


#: How each load source is given on the command line.
_OPTION = {"load_column": "--load-column", "loads": "--loads", "incidents": "--incidents"}


def write_outputs(
    result: PlanResult, out: Path, *, scenario: Scenario, light: bool = False
) -> dict[str, Path]:
    """Write every output of a plan into ``out``.

    plan.geojson, zones.geojson, plan.gpkg, zones.xlsx, map.html (offline unless
    ``scenario.online``), the printable map.png / map.pdf, report.json and
    report.docx; with ``light``, only plan.geojson, zones.geojson, map.html and
    report.json (the plans of the trade-off ladder).
    """
    from zoning.maps.basemaps import resolve_basemap
    from zoning.maps.webmap import map_from_plan, save_map
    from zoning.outputs.document import document_from_report
    from zoning.outputs.excel import plan_to_excel, plan_to_gpkg  # heavy imports only when writing

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "plan": write_geojson(result.plan, out / "plan.geojson"),
        "zones": write_geojson(result.zones, out / "zones.geojson"),
    }
    if not light:
        files["gpkg"] = plan_to_gpkg(result.plan, result.zones, out / "plan.gpkg")
    title = scenario.title or tr("多所连片防区规划（草案）", "Cross-station defence zones (draft)")
    heat = result.load.incidents
    river = read_layer(scenario.river, what=tr("河流图层", "river layer"))
    fmap = map_from_plan(
        result.plan,
        result.zones,
        title=title,
        incidents=heat if heat is not None and len(heat) else None,
        river=river,
        online=scenario.online,
        basemap=resolve_basemap(scenario.basemap, tianditu_key=scenario.tianditu_key),
        report=result.report,
    )
    files["map"] = save_map(fmap, out / "map.html", online=scenario.online)
    if scenario.print_map and not light:
        from zoning.outputs.printmap import plan_to_print  # matplotlib: only when printing

        files["png"], files["pdf"] = plan_to_print(
            result.plan,
            result.zones,
            title=title,
            path_png=out / "map.png",
            path_pdf=out / "map.pdf",
            river=river,
            spread=result.report["spread"],
            before_after=result.report.get("before_after"),
            report=result.report,
        )
    more = {"report": "report.json"} if light else {"xlsx": "zones.xlsx", "report": "report.json"}
    result.report["files"] = {k: v.name for k, v in files.items()} | more
    if not light:
        result.report["files"]["docx"] = "report.docx"
    report = portable_report(result.report, out, scenario)  # no absolute local paths
    if not light:
        files["xlsx"] = plan_to_excel(result.plan, result.zones, report, out / "zones.xlsx")
    files["report"] = write_report(report, out / "report.json")
    if not light:  # the document is written from report.json itself: the two cannot disagree
        written = json.loads(files["report"].read_text(encoding="utf-8"))
        files["docx"] = document_from_report(written, out / "report.docx", map_png=files.get("png"))
    return files
