"""report.json, zones.xlsx and compare.json name input files relative to the output folder:
no absolute local path is written."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from tests.conftest import DEMO, grid_stations
from zoning.cli import cli


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def _no_absolute_paths(data, *roots: Path) -> None:
    for text in strings_in(data):
        for root in roots:
            assert str(root.resolve()) not in text, text
        assert not Path(text).is_absolute() or text == "/", text


def test_report_names_inputs_relative_to_the_output_folder(tmp_path: Path) -> None:
    data = tmp_path / "county" / "data"
    data.mkdir(parents=True)
    stations = data / "stations.geojson"
    stations.write_bytes((DEMO / "stations.geojson").read_bytes())
    incidents = data / "incidents.csv"
    incidents.write_bytes((DEMO / "incidents.csv").read_bytes())
    out = tmp_path / "county" / "maps" / "k5"
    args = ["plan", str(stations), "--incidents", str(incidents), "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "-q", "--no-print"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    _no_absolute_paths(report, tmp_path, DEMO)
    assert report["inputs"]["stations"] == "../../data/stations.geojson"
    assert report["scenario"]["incidents"] == "../../data/incidents.csv"
    assert report["intake"]["source"] == "../../data/incidents.csv"
    assert report["scenario"]["out"] == "."
    assert (out / report["inputs"]["stations"]).resolve() == stations.resolve()
    sheet = pd.read_excel(out / "zones.xlsx", sheet_name=None, header=None)
    cells = [str(v) for frame in sheet.values() for v in frame.to_numpy().ravel()]
    assert not any(str(tmp_path.resolve()) in c for c in cells)


def test_evaluate_and_compare_write_no_absolute_paths(tmp_path: Path) -> None:
    grid = tmp_path / "grid.geojson"
    grid_stations().to_file(grid, driver="GeoJSON")
    runner = CliRunner()
    for k in (2, 3):
        args = ["plan", str(grid), "--load-column", "警情量", "-k", str(k), "--no-print", "-q"]
        done = runner.invoke(cli, [*args, "--out", str(tmp_path / f"k{k}")])
        assert done.exit_code == 0, done.output
    assignment = tmp_path / "k3" / "plan.geojson"
    args = ["evaluate", str(grid), "-a", str(assignment), "--load-column", "警情量"]
    done = runner.invoke(cli, [*args, "--out", str(tmp_path / "eval")])
    assert done.exit_code == 0, done.output
    report = json.loads((tmp_path / "eval" / "report.json").read_text(encoding="utf-8"))
    _no_absolute_paths(report, tmp_path)
    assert report["inputs"]["assignment"] == "../k3/plan.geojson"
    done = runner.invoke(
        cli, ["compare", str(tmp_path / "k2"), str(tmp_path / "k3"), "--out", str(tmp_path / "c")]
    )
    assert done.exit_code == 0, done.output
    saved = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    _no_absolute_paths(saved, tmp_path)
    assert (saved["a"]["path"], saved["b"]["path"]) == ("../k2", "../k3")
