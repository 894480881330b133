"""``report.json``: what a plan is, how it was found, and from which data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.placement import ZoneCenter
from zoning.load import LoadResult
from zoning.periods import no_periods_reason, period_figures, periods_from_load
from zoning.scenario import Scenario
from zoning.solve.partition import Plan
from zoning.solve.rules import core_zone


def plan_report(
    plan: Plan,
    zones: gpd.GeoDataFrame,
    centers: dict[int, ZoneCenter],
    load: LoadResult,
    scenario: Scenario,
    core: str | tuple[str, ...] | None,
    seconds: float,
) -> dict[str, Any]:
    """The ``report.json`` dictionary of one plan (shared by ``plan`` and ``evaluate``)."""
    zone_rows = []
    for row in zones.drop(columns="geometry").to_dict("records"):
        center = centers[int(row[S.ZONE])]
        row["center_candidates"] = center.candidates
        row["case_team_reason"] = center.case_team_reason
        row["community_team_reason"] = center.community_team_reason
        row["center_locked"] = center.center_locked
        row["center_source"] = center.center_source
        row["case_team_candidates"] = center.case_team_candidates
        row["community_team_candidates"] = center.community_team_candidates
        row["travel"] = center.travel.to_dict() if center.travel is not None else None
        zone_rows.append(row)
    try:
        version = metadata.version("zoning")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = "unknown"
    urban_zone = core_zone(plan.assignment, core)
    balanced = [z for z in plan.zone_load if z != urban_zone]
    add_officers_needed(zone_rows, balanced)
    return {
        "tool": {"name": "zoning", "version": version},
        "n_stations": len(plan.assignment),
        "n_zones": len(zone_rows),
        "urban_core": list(core) if isinstance(core, tuple) else core,
        "zones": zone_rows,
        "balanced_zones": sorted(balanced),
        "spread": plan.spread,
        "max_dev": plan.max_dev,
        "cut_edges": plan.cut_edges,
        "total_load": float(sum(plan.zone_load.values())),
        "objective": plan.solver.get("objective_kind", scenario.objective),
        "band": plan.band,
        "travel_figures": travel_figures(plan),
        "frontier": frontier_rows(plan),
        "periods": periods_block(
            load,
            plan,
            urban_zone,
            robust=scenario.robust,
            names={int(r[S.ZONE]): str(r.get(S.ZONE_NAME) or r[S.ZONE]) for r in zone_rows},
        ),
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


def periods_block(
    load: LoadResult,
    plan: Plan,
    urban_zone: int | None,
    *,
    robust: bool,
    names: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Each zone's load and the spread per quarter or year (:mod:`zoning.periods`).

    ``{"available": False, "reason": …, "labels": []}`` without incident times.
    """
    periods = periods_from_load(load)
    if periods is None:
        return {"available": False, "reason": no_periods_reason(load), "labels": []}
    balanced = [z for z in plan.zone_load if z != urban_zone]
    held = robust and bool((plan.band or {}).get("robust"))
    return period_figures(periods, plan.assignment, balanced=balanced, robust=held, names=names)


def travel_figures(plan: Plan) -> dict[str, Any] | None:
    """The plan's travel to its 中心所 (balanced zones): weighted mean, farthest, shares.

    ``None`` when the plan was made without travel times.
    """
    travel = plan.travel
    if not travel:
        return None
    share = travel.get("share_within") or {}
    return {
        "method": travel.get("method"),
        "mean_minutes": travel.get("mean_minutes"),
        "max_minutes": travel.get("max_minutes"),
        "farthest": travel.get("farthest"),
        "share_within_15": share.get("15"),
        "share_within_30": share.get("30"),
        "mean_minutes_all": travel.get("mean_minutes_all"),
        "max_minutes_all": travel.get("max_minutes_all"),
        "objective": travel.get("objective"),
    }


def frontier_rows(plan: Plan) -> list[dict[str, Any]]:
    """The trade-off ladder for report.json: one row per band, without the plans themselves.

    :func:`zoning.workflow.plan.plan_from_files` adds each solved row's ``folder``
    (:func:`frontier_folder`) when it writes the rung's plan there.
    """
    rows = []
    for entry in plan.frontier:
        share = entry.get("share_within") or {}
        row = {
            k: v
            for k, v in entry.items()
            if k not in ("assignment", "centers", "share_within", "plan")
        }
        row["share_within_15"] = share.get("15")
        row["share_within_30"] = share.get("30")
        rows.append(row)
    return rows


def frontier_folder(band: float) -> str:
    """The folder (relative to the output folder) of the frontier plan at ``band``.

    Examples
    --------
    >>> frontier_folder(0.1), frontier_folder(0.025)
    ('frontier/10', 'frontier/2.5')
    """
    return f"frontier/{round(float(band) * 100, 4):g}"


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def add_officers_needed(rows: list[dict[str, Any]], balanced: list[int]) -> None:
    """Each zone's officers needed to reach the county's average load per officer.

    The average is over the balanced zones (the 城关 zone carries county-wide
    duties); ``officers_needed`` is ``load / average − officers`` (positive: the
    zone is short of officers), for every zone with officers; 警力与警情相匹配.
    """
    kept = [r for r in rows if int(r[S.ZONE]) in balanced]
    officers = [_number(r.get(S.OFFICERS)) for r in kept]
    if not kept or any(not o > 0 for o in officers):
        return
    average = sum(float(r[S.LOAD]) for r in kept) / sum(officers)
    if average <= 0:
        return
    for row in rows:
        have = _number(row.get(S.OFFICERS))
        if have == have:  # not NaN
            row["officers_needed"] = round(float(row[S.LOAD]) / average - have, 1)
            row["county_load_per_officer"] = average


#: Column of the zones frame (and key of a report zone) with the island travel caveat.
TRAVEL_CAVEAT = "travel_caveat"


def island_notes(plan: Plan, names: Mapping[Any, str]) -> list[dict[str, Any]]:
    """What each island link means for travel times.

    An island (a station or group of stations sharing no boundary with the rest)
    is joined to the nearest mainland station by a link across water. No road
    network crosses it, so the minutes between the island and the rest of its
    zone are a straight-line estimate, ferries and bridges not counted.

    Returns
    -------
    list of dict
        One per added link: ``link`` (mainland id, island id), ``stations`` (the
        island's station ids), ``zone`` (the island's zone) and ``note`` (text).
    """
    if not plan.added_links:
        return []
    land = plan.graph.copy()
    land.remove_edges_from(plan.added_links)
    notes = []
    for mainland, island in plan.added_links:
        group = sorted(nx.node_connected_component(land, island), key=str)
        listed = tr("、", ", ").join(names.get(v, str(v)) for v in group)
        notes.append(
            {
                "link": [str(mainland), str(island)],
                "stations": [str(v) for v in group],
                "zone": int(plan.assignment[island]),
                "note": tr(
                    f"{listed} 与其他派出所不相邻，经 {names.get(mainland, mainland)} 跨水连接；"
                    "其通行时间按直线距离估算（未计轮渡、桥梁），仅供参考。",
                    f"{listed} shares no boundary with other stations and is linked across "
                    f"water to {names.get(mainland, mainland)}; its travel minutes are a "
                    "straight-line guess (no ferry or bridge counted).",
                ),
            }
        )
    return notes


def add_island_caveats(
    report: dict[str, Any], zones: gpd.GeoDataFrame, plan: Plan, names: Mapping[Any, str]
) -> None:
    """Put :func:`island_notes` into ``report["travel"]`` and on the zones they concern.

    Each zone holding an island gets :data:`TRAVEL_CAVEAT` (in ``zones`` and in the
    report's zone rows), which the maps show next to the travel figures.
    """
    notes = island_notes(plan, names)
    report.setdefault("travel", {})["island_links"] = notes
    caveats: dict[int, str] = {}
    for note in notes:
        caveats[note["zone"]] = " ".join(filter(None, [caveats.get(note["zone"]), note["note"]]))
    if not caveats:
        return
    zones[TRAVEL_CAVEAT] = [caveats.get(int(z)) for z in zones[S.ZONE]]
    for row in report["zones"]:
        row[TRAVEL_CAVEAT] = caveats.get(int(row[S.ZONE]))


def portable_path(value: str | Path, out: Path) -> str:
    """A file named relative to the output folder ``out`` (``../data/x.csv``), or by its
    name alone when no relative path exists (another drive)."""
    path = Path(value).resolve()
    try:
        return Path(os.path.relpath(path, Path(out).resolve())).as_posix()
    except ValueError:  # Windows: another drive
        return path.name


def portable_report(report: Mapping[str, Any], out: Path, scenario: Scenario) -> dict[str, Any]:
    """A copy of ``report`` to write into ``out``: no absolute local path in it.

    The input files (``inputs``, the scenario's file fields, the ``source`` of the
    incident ledger and of evaluate's plan table) are named relative to ``out``
    (see :func:`portable_path`), so the folder can be shared or moved together
    with its inputs without disclosing where they lie on this machine.
    """
    copy = dict(report)
    if isinstance(report.get("inputs"), Mapping):
        copy["inputs"] = {
            k: portable_path(v, out) if k != "load_column" and isinstance(v, str) and v else v
            for k, v in report["inputs"].items()
        }
    if isinstance(report.get("scenario"), Mapping):
        files = {f.name for f in fields(scenario) if isinstance(getattr(scenario, f.name), Path)}
        copy["scenario"] = {
            k: portable_path(v, out) if k in files and isinstance(v, str) and v else v
            for k, v in report["scenario"].items()
        }
    for key in ("intake", "assignment"):  # the incident ledger, evaluate's plan table
        part = report.get(key)
        if isinstance(part, Mapping) and isinstance(part.get("source"), str) and part["source"]:
            copy[key] = {**part, "source": portable_path(part["source"], out)}
    return copy
