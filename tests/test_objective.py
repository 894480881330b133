"""The travel objective wired through ``zoning plan``: options, report, summary (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from zoning.cli import cli
from zoning.solve.rules import core_is_alone


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def plan(grid_file: Path, out: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    result = run(
        "plan", str(grid_file), "--load-column", "警情量", "-k", "3", "--out", str(out),
        "-q", "--no-print", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result, json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_travel_is_the_default_objective_and_the_report_says_what_was_proven(
    grid_file: Path, tmp_path: Path
) -> None:
    result, report = plan(grid_file, tmp_path / "out", "--band", "0.5")
    assert report["objective"] == "travel"
    assert report["band"]["requested"] == 0.5
    figures = report["travel_figures"]
    assert figures["mean_minutes"] > 0 and figures["max_minutes"] >= figures["mean_minutes"]
    assert report["solver"]["status"] == "optimal" and report["solver"]["gap"] == 0
    assert report["solver"]["bound"] is not None
    # every zone's 中心所 is the one chosen with the zones, and the reason says so
    for zone in report["zones"]:
        if zone["n_stations"] > 1:
            assert zone["center_source"] == "joint"
            assert "一并选定" in zone["center_reason"]
    assert "目标：防区与中心所一并选定" in result.output and "已证明最优" in result.output
    # the ladder: one row per band, no plans inside report.json
    bands = [row["band"] for row in report["frontier"]]
    assert bands == [0.02, 0.05, 0.1, 0.2]
    assert all("assignment" not in row and "centers" not in row for row in report["frontier"])
    solved = [row for row in report["frontier"] if row["status"] == "solved"]
    minutes = [row["mean_minutes"] for row in solved]
    assert minutes == sorted(minutes, reverse=True)  # a wider band never costs travel


def test_balance_keeps_the_balance_first_engine(grid_file: Path, tmp_path: Path) -> None:
    result, report = plan(grid_file, tmp_path / "out", "--objective", "balance")
    assert report["objective"] == "balance"
    assert report["frontier"] == []
    assert {z["center_source"] for z in report["zones"]} == {"score"}
    assert "目标：负荷均衡优先" in result.output
    # the travel figures describe the 中心所 the plan names, not the fastest ones
    stations = json.loads((tmp_path / "out" / "plan.geojson").read_text(encoding="utf-8"))
    rows = [f["properties"] for f in stations["features"] if not f["properties"]["is_urban_core"]]
    farthest = max(r["minutes_to_center"] for r in rows)
    assert report["travel_figures"]["max_minutes"] == pytest.approx(farthest, abs=0.05)
    weighted = sum(r["load"] * r["minutes_to_center"] for r in rows) / sum(r["load"] for r in rows)
    assert report["travel_figures"]["mean_minutes"] == pytest.approx(weighted, abs=0.05)


def test_frontier_can_be_switched_off(grid_file: Path, tmp_path: Path) -> None:
    _, report = plan(grid_file, tmp_path / "out", "--frontier", "none", "--band", "0.5")
    assert report["frontier"] == [] and report["scenario"]["frontier"] == []


def test_bad_bands_are_refused_like_the_scenario_file(grid_file: Path, tmp_path: Path) -> None:
    for args in (("--band", "-0.1"), ("--frontier", "0.05,abc"), ("--frontier", "0,2")):
        result = run("plan", str(grid_file), "--load-column", "警情量", *args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output


def test_several_urban_core_stations_form_zone_one(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, report = plan(
        grid_file, out, "--urban-core", "r1c1", "--urban-core", "r0c1派出所", "--band", "0.9"
    )
    assert report["urban_core"] == ["r1c1", "r0c1"]
    import geopandas as gpd

    frame = gpd.read_file(out / "plan.geojson")
    assignment = dict(zip(frame["station_id"], frame["zone"].astype(int), strict=True))
    assert assignment["r1c1"] == assignment["r0c1"] == 1
    assert core_is_alone(assignment, ["r1c1", "r0c1"])
    assert report["balanced_zones"] == [2, 3]
    # comma-separated works the same
    _, again = plan(grid_file, tmp_path / "again", "--urban-core", "r1c1,r0c1", "--band", "0.9")
    assert again["urban_core"] == ["r1c1", "r0c1"]


def test_only_stations_with_a_case_area_may_be_centres(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, report = plan(grid_file, out, "--center-eligible", "case_area", "--band", "0.9")
    import geopandas as gpd

    frame = gpd.read_file(out / "plan.geojson")
    case_area = dict(zip(frame["station_id"], frame["has_case_area"], strict=True))
    for zone in report["zones"]:
        assert case_area[zone["center_id"]], zone["center_id"]


def test_officers_needed_follow_the_county_average(grid_file: Path, tmp_path: Path) -> None:
    _, report = plan(grid_file, tmp_path / "out", "--band", "0.5")
    balanced = [z for z in report["zones"] if z["zone"] in report["balanced_zones"]]
    average = sum(z["load"] for z in balanced) / sum(z["officers"] for z in balanced)
    for zone in report["zones"]:
        assert zone["officers_needed"] == pytest.approx(
            zone["load"] / average - zone["officers"], abs=0.05
        )
    assert sum(z["officers_needed"] for z in balanced) == pytest.approx(0, abs=0.2)
