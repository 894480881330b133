"""``report.json``: what a plan is, how it was found, and from which data."""

from __future__ import annotations

from importlib import metadata
from typing import Any

import geopandas as gpd

from zoning import _schema as S
from zoning.centers.placement import ZoneCenter
from zoning.load import LoadResult
from zoning.scenario import Scenario
from zoning.solve.partition import Plan


def plan_report(
    plan: Plan,
    zones: gpd.GeoDataFrame,
    centers: dict[int, ZoneCenter],
    load: LoadResult,
    scenario: Scenario,
    core: str | None,
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
