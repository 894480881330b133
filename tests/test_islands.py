"""Island links: their travel minutes are a straight-line guess, and every output says so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import grid_stations, page_data, readable
from zoning.cli import cli


def test_island_travel_is_called_a_straight_line_guess(tmp_path: Path) -> None:
    path = tmp_path / "coast.geojson"
    grid_stations(island=True).to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    args = ["plan", str(path), "--load-column", "警情量", "-k", "3", "--no-print", "-q"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "注意：海岛派出所 与其他派出所不相邻" in result.output
    assert "通行时间按直线距离估算" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    (island,) = report["travel"]["island_links"]
    assert island["stations"] == ["island"] and island["link"][1] == "island"
    zone = next(z for z in report["zones"] if z["zone"] == island["zone"])
    assert "直线距离估算" in zone["travel_caveat"]
    others = [z for z in report["zones"] if z["zone"] != island["zone"]]
    assert all(not z.get("travel_caveat") for z in others)
    page = (out / "map.html").read_text(encoding="utf-8")
    (data,) = page_data(page)
    assert "未计轮渡" in data["popups"][str(island["zone"])]
    assert sum("未计轮渡" in p for p in data["popups"].values()) == 1
    assert "zp-caveat" in readable(page)


def test_no_island_no_caveat(tmp_path: Path) -> None:
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    args = ["plan", str(path), "--load-column", "警情量", "-k", "3", "--no-print", "-q"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "直线距离估算（未计轮渡" not in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["travel"]["island_links"] == []
