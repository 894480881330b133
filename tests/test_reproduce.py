"""Same inputs, same plan: the reproduce block of report.json and ``plan --check``."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
from click.testing import CliRunner, Result

from zoning.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def plan_grid(grid_file: Path, out: Path, *extra: str) -> Result:
    return run(
        "plan", str(grid_file), "--load-column", "警情量", "-k", "3", "--out", str(out), "-q",
        "--no-print", *extra,
    )  # fmt: skip


def test_report_records_versions_seed_and_fingerprints(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert plan_grid(grid_file, out).exit_code == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    block = report["reproduce"]
    assert block["seed"] == 0 and block["tool_version"]
    assert block["packages"]["ortools"] and block["packages"]["numpy"]
    stations = block["inputs"]["stations"]
    assert stations["file"] == grid_file.name  # a name, never a local absolute path
    assert stations["sha256"] == hashlib.sha256(grid_file.read_bytes()).hexdigest()
    assert len(block["plan_sha256"]) == 64


def test_check_says_a_rerun_reproduces_the_plan(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert plan_grid(grid_file, out).exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    result = plan_grid(grid_file, tmp_path / "unused", "--check", str(out))
    assert result.exit_code == 0, result.output
    assert "已复现" in result.output
    assert sorted(p.name for p in out.iterdir()) == before  # the check writes nothing
    assert not (tmp_path / "unused").exists()


def test_check_names_what_differs_and_which_input_changed(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert plan_grid(grid_file, out).exit_code == 0
    frame = gpd.read_file(grid_file)
    frame.loc[frame["所代码"] == "r0c0", "警情量"] = 500  # the county changed since the meeting
    frame.to_file(grid_file, driver="GeoJSON")
    result = plan_grid(grid_file, tmp_path / "unused", "--check", str(out), "--lang", "en")
    assert result.exit_code == 1
    assert "Not reproduced" in result.output
    assert "input files changed since the plan was saved: stations" in result.output
    assert "total_load differs" in result.output


def test_check_needs_a_saved_plan(grid_file: Path, tmp_path: Path) -> None:
    result = plan_grid(grid_file, tmp_path / "unused", "--check", str(tmp_path / "nothing"))
    assert result.exit_code == 1
    assert "report.json" in result.output and "Traceback" not in result.output
