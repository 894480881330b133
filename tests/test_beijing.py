"""End to end on a real district: 门头沟 townships → stations → plan (issue 12).

The township polygons are real (tests/data/beijing/mentougou/SOURCE.txt); the
station grouping, officers and incident counts are made up by
tests/data/beijing/make_tables.py and say so in their title rows.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner, Result

from tests.conftest import check_contract
from zoning.cli import cli
from zoning.graph import graph_from_stations
from zoning.solve.rules import is_contiguous

BEIJING = Path(__file__).parent / "data" / "beijing"
MENTOUGOU = BEIJING / "mentougou"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_made_up_tables_are_what_the_script_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_tables", BEIJING / "make_tables.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in ("stations_table.csv", "loads.xlsx", "seats.csv"):
        assert (tmp_path / name).read_bytes() == (MENTOUGOU / name).read_bytes(), name


@pytest.fixture(scope="module")
def mentougou(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("mentougou") / "stations.geojson"
    result = run(
        "jurisdictions",
        "--townships",
        str(MENTOUGOU / "townships.geojson"),
        "--table",
        str(MENTOUGOU / "stations_table.csv"),
        "--out",
        str(out),
    )
    return out, result


def test_mentougou_townships_become_nine_stations(mentougou: tuple[Path, Result]) -> None:
    out, result = mentougou
    assert result.exit_code == 0, result.output
    assert "13 个乡镇（街道）→ 9 个派出所辖区" in result.output
    stations = gpd.read_file(out)
    assert len(stations) == 9
    towns = gpd.read_file(MENTOUGOU / "townships.geojson")
    # every township exactly once, the union unchanged
    listed = [t for text in stations["townships"] for t in text.split("、")]
    assert sorted(listed) == sorted(towns["name"])
    metric = 32650
    assert stations.to_crs(metric).area.sum() == pytest.approx(
        towns.to_crs(metric).area.sum(), rel=1e-9
    )
    assert stations["communities"].sum() == towns["n_villages_nbs2023"].sum() == 304
    assert stations["is_urban_core"].sum() == 1
    assert (stations["seat_source"] == "table").all()
    assert not stations["approximate"].any()


def test_mentougou_plan_from_the_statistics_table(
    mentougou: tuple[Path, Result], tmp_path: Path
) -> None:
    stations, _ = mentougou
    out = tmp_path / "plan"
    result = run(
        "plan",
        str(stations),
        "--loads",
        str(MENTOUGOU / "loads.xlsx"),
        "--zones",
        "4",
        "--out",
        str(out),
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    plan, report = check_contract(out, k=4, core="110109A01")
    assert len(plan) == 9 and plan["station_id"].is_unique
    graph = graph_from_stations(plan.set_index("station_id", drop=False))
    assignment = dict(zip(plan["station_id"], plan["zone"].astype(int), strict=True))
    assert is_contiguous(graph, assignment)
    intake = report["intake"]
    assert intake["kind"] == "load_table"
    assert intake["rows_read"] == intake["rows_used"] + len(intake["rows_dropped"]) == 11
    assert [d["kind"] for d in intake["rows_dropped"]] == ["total", "note"]
    assert intake["total_rows"][0]["matches"] is True
    assert plan["load"].sum() == intake["weighted_total"] == report["total_load"]
    assert report["jurisdictions"] == {"approximate": False, "method": ["townships"], "note": None}
    assert "辖区为估算" not in (out / "map.html").read_text(encoding="utf-8")


def test_mentougou_seats_estimate_most_of_the_real_townships(tmp_path: Path) -> None:
    """Voronoi cells of the 13 label points against the 13 real township polygons."""
    out = tmp_path / "est.geojson"
    result = run(
        "jurisdictions",
        "--seats",
        str(MENTOUGOU / "seats.csv"),
        "--outline",
        str(MENTOUGOU / "county_outline.geojson"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "未做地址解析" in result.output
    estimated = gpd.read_file(out).to_crs(32650)
    assert estimated.is_valid.all() and (estimated.geom_type == "Polygon").all()
    real = gpd.read_file(MENTOUGOU / "townships.geojson").to_crs(32650)
    real["station_name"] = [
        n.removesuffix("街道").removesuffix("镇") + "派出所" for n in real["name"]
    ]
    both = estimated.merge(real[["station_name", "geometry"]], on="station_name")
    assert len(both) == 13
    agree = sum(
        a.intersection(b).area for a, b in zip(both.geometry_x, both.geometry_y, strict=True)
    )
    share = agree / real.area.sum()
    assert 0.75 < share < 0.9, share  # 0.81 when written: an estimate, and flagged as one
    assert estimated["approximate"].all()
