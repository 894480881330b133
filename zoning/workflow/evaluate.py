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

import re
import time
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.placement import centers_from_plan, zone_name_for
from zoning.errors import InputError
from zoning.graph import graph_from_stations, graph_with_links
from zoning.io.columns import STATION_ALIASES, as_text, format_rows, resolve_columns
from zoning.io.encoding import read_table, read_vector
from zoning.io.jurisdictions import jurisdiction_summary
from zoning.io.stations import find_station
from zoning.load import LoadResult
from zoning.outputs.tables import plan_frame, zones_frame
from zoning.scenario import Scenario
from zoning.solve import rules as cons
from zoning.solve.partition import Plan
from zoning.solve.rules import Violation, violations
from zoning.workflow.plan import load_from_scenario, stations_from_scenario, write_outputs
from zoning.workflow.report import plan_report
from zoning.workflow.run import PlanResult, resolve_names

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

#: Zone-number column aliases of an assignment table (earlier aliases win).
ZONE_ALIASES = ("防区号", "防区编号", "zone", "zone_id", "防区", "所属防区", "片区", "分区")
#: Zone-name column aliases (a second, textual zone column).
ZONE_NAME_ALIASES = ("防区名称", "防区名", "zone_name", "防区", "所属防区")
_VECTOR = {".geojson", ".json", ".gpkg", ".shp"}
_CN = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
_ZONE_TEXT = re.compile(
    r"(?:第|zone|z)?\s*([0-9]+|[零一二三四五六七八九十]+)\s*(?:号)?\s*(?:防区|片区|区|片)?"
)


@dataclass
class Assignment:
    """A plan as read from a file: station id → zone number."""

    zones: dict[str, int]
    labels: dict[int, str] = field(default_factory=dict)  # zone → name given in the file
    unknown: list[str] = field(default_factory=list)  # keys matching no station
    source: str = ""


@dataclass
class Evaluation(PlanResult):
    """A scored plan: everything :class:`~zoning.workflow.plan.PlanResult` has, plus findings."""

    violations: list[Violation] = field(default_factory=list)


def _zone_number(value: Any) -> int | None:
    """``3``, ``"3"``, ``"3.0"``, ``"第3防区"``, ``"三"``, ``"Zone 3"`` → 3; else None."""
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if re.fullmatch(r"[0-9]+(\.0*)?", text):
        return int(float(text))
    match = _ZONE_TEXT.fullmatch(text)
    if not match:
        return None
    digits = match[1]
    if digits.isdigit():
        return int(digits)
    tens, _, ones = digits.partition("十")
    if "十" not in digits:
        return _CN[digits] if len(digits) == 1 else None
    return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)


def read_assignment(
    path: str | Path,
    stations: gpd.GeoDataFrame,
    *,
    station_column: str | None = None,
    zone_column: str | None = None,
) -> Assignment:
    """Read a plan table: station id or name → zone (CSV, Excel, GeoJSON, GeoPackage).

    Parameters
    ----------
    path
        The plan. Columns are recognised by name: station ``所代码``/``station_id``
        /``派出所``/``station_name`` …, zone ``防区``/``防区号``/``zone`` …; zones
        may be numbers (``3``, ``第三防区``) or names (numbered in order of
        appearance, the name kept). A plan.geojson written by ``zoning plan`` works.
    stations
        Canonical stations (:func:`zoning.io.stations.stations_from_file`).
    station_column, zone_column
        Columns to use instead of the recognised ones.

    Returns
    -------
    Assignment
        Rows whose station is unknown are listed in ``unknown``, not raised.

    Raises
    ------
    InputError
        Unreadable file, no station or zone column, a station given two
        different zones, or no row naming a known station.
    """
    path = Path(path)
    if path.suffix.lower() in _VECTOR:
        raw: pd.DataFrame = pd.DataFrame(read_vector(path)[0])
        raw = raw.drop(columns=[c for c in raw.columns if c == "geometry"])
    else:
        raw = read_table(path)[0]
    raw = raw.dropna(how="all").reset_index(drop=True)
    available = [str(c) for c in raw.columns]
    aliases = {
        S.STATION_ID: STATION_ALIASES[S.STATION_ID],
        S.STATION_NAME: STATION_ALIASES[S.STATION_NAME],
        S.ZONE: ZONE_ALIASES,
        S.ZONE_NAME: ZONE_NAME_ALIASES,
    }
    explicit = {S.ZONE: zone_column} if zone_column else {}
    if station_column:
        explicit[S.STATION_ID] = station_column
    found, missing = resolve_columns(available, aliases, explicit)
    shown = "、".join(available) or tr("（无）", "(none)")
    problems = [
        tr(
            f"{path}：找不到列“{col}”；现有的列：{shown}",
            f"{path}: column '{col}' does not exist; columns: {shown}",
        )
        for _, col in missing
    ]
    if S.ZONE not in found and not zone_column:
        problems.append(
            tr(
                f"{path}：找不到防区列（如 防区、防区号、zone）；现有的列：{shown}。"
                "请用 --zone-column 指定",
                f"{path}: no zone column (防区, zone …); columns: {shown}. Pass --zone-column",
            )
        )
    keys = [found[c] for c in (S.STATION_ID, S.STATION_NAME) if c in found]
    if not keys and not station_column:
        problems.append(
            tr(
                f"{path}：找不到派出所编号或名称列（如 所代码、派出所、station_id）；"
                f"现有的列：{shown}。请用 --station-column 指定",
                f"{path}: no station id or name column (所代码, 派出所, station_id …); "
                f"columns: {shown}. Pass --station-column",
            )
        )
    if problems or raw.empty:
        raise InputError(problems or tr(f"{path}：文件中没有数据", f"{path}: the file is empty"))
    zone_text = as_text(raw[found[S.ZONE]])
    numbers = [_zone_number(v) for v in zone_text.dropna()]
    numeric = all(n is not None and n >= 1 for n in numbers)
    names = as_text(raw[found[S.ZONE_NAME]]) if S.ZONE_NAME in found else None
    key_columns = [as_text(raw[k]) for k in keys]
    labels: dict[int, str] = {}
    by_label: dict[str, int] = {}
    zones: dict[str, int] = {}
    unknown: list[str] = []
    for row in range(len(raw)):
        label = zone_text.iloc[row]
        key_values = [v for c in key_columns if isinstance(v := c.iloc[row], str)]
        if not isinstance(label, str) or not key_values:
            continue  # no zone (the station counts as missing) or no station
        if numeric:
            zone = int(_zone_number(label) or 0)
            if names is not None and isinstance(names.iloc[row], str):
                labels.setdefault(zone, str(names.iloc[row]))
        else:  # zones given by name: number them in order of appearance
            zone = by_label.setdefault(label, len(by_label) + 1)
            if _zone_number(label) is None:
                labels.setdefault(zone, label)
        sid = next((s for k in key_values if (s := find_station(stations, k)) is not None), None)
        if sid is None:
            unknown.append(key_values[0])
        elif zones.setdefault(sid, zone) != zone:
            raise InputError(
                tr(
                    f"{path}：派出所 {sid}（{stations.at[sid, S.STATION_NAME]}）"
                    f"同时分在第 {zones[sid]} 和第 {zone} 防区；每个所只能属于一个防区",
                    f"{path}: station {sid} ({stations.at[sid, S.STATION_NAME]}) is given zones "
                    f"{zones[sid]} and {zone}; each station belongs to one zone",
                )
            )
    if not zones:
        raise InputError(
            tr(
                f"{path}：没有一行对应站点文件中的派出所（如 {format_rows(unknown, 5)}）。"
                "请检查编号/名称列，或用 --station-column 指定",
                f"{path}: no row names a station of the stations file (e.g. "
                f"{format_rows(unknown, 5)}). Check the id/name column or pass --station-column",
            )
        )
    return Assignment(zones=zones, labels=labels, unknown=unknown, source=str(path))


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
    core_zone = known.get(core) if core is not None else None
    exclude = {core_zone} if core_zone is not None else set()
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
    centers = centers_from_plan(subset, by_id, load.load, by_category=load.by_category)
    zone_names = {
        z: scenario.zone_names.get(z) or given.labels.get(z) or zone_name_for(names[c.center_id])
        for z, c in centers.items()
    }
    frame = plan_frame(subset, by_id, load.load, centers, zone_names)
    zones = zones_frame(frame, centers, urban_core_zone=core_zone)
    solver["seconds"] = round(time.perf_counter() - started, 3)
    scored_core = core if core_zone is not None else None  # plan_report needs it assigned
    report = plan_report(plan, zones, centers, load, scenario, scored_core, solver["seconds"])
    report["urban_core"] = core
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

    Returns
    -------
    Evaluation
    """
    scenario = scenario or Scenario()
    stations_path, plan_path = Path(stations), Path(assignment)
    frame = stations_from_scenario(stations_path, scenario)
    load = load_from_scenario(frame, scenario, source=str(stations_path))
    table = read_assignment(
        plan_path, frame, station_column=station_column, zone_column=zone_column
    )
    result = evaluate_assignment(frame, load, table, scenario=scenario, source=str(stations_path))
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
        out = Path(out_dir or Path("maps") / f"evaluate-{plan_path.stem}")
        title = scenario.title or tr(
            f"方案评估：{plan_path.name}", f"Plan evaluation: {plan_path.name}"
        )
        result.files = write_outputs(result, out, scenario=replace(scenario, title=title))
    return result


#: The public name of :func:`evaluate_files` (``zoning.evaluate_plan``).
evaluate_plan = evaluate_files
