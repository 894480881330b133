"""The CLI contract (issue 2), end to end with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner, Result

from tests.conftest import check_contract
from zoning.cli import cli

K = 5


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """``zoning demo``: ``zoning plan`` on the demo's stations and incidents, every output.

    (``plan`` with explicit demo files runs in test_cli_workflow.py's fixture.)
    """
    out = tmp_path_factory.mktemp("demo") / "d"
    return run("demo", "--out", str(out), "--quiet"), out


def test_plan_on_demo_honours_the_contract(demo_run: tuple[Result, Path]) -> None:
    result, out = demo_run
    assert result.exit_code == 0, result.output
    plan, report = check_contract(out, k=K, core="369901001")
    assert plan["zone"].nunique() == K
    assert len(plan) == 21
    # the urban core (城关) was taken from the 城关 column and sits alone in zone 1
    assert plan.loc[plan["station_id"] == "369901001", "zone"].item() == 1
    assert report["urban_core"] == "369901001"
    # loads equal the ledger's weighted total of assigned incidents
    assert plan["load"].sum() == pytest.approx(report["intake"]["weighted_total"], rel=1e-12)
    # the demo's rural loads cannot be split more evenly into 4 contiguous zones:
    # the exact solver proves its spread optimal
    assert report["solver"]["status"] == "optimal"
    assert report["spread"] < 0.05
    assert "地图：" in result.output


def test_demo_command_prints_where_the_map_is(demo_run: tuple[Result, Path]) -> None:
    result, out = demo_run
    assert result.exit_code == 0, result.output
    assert str((out / "map.html").resolve()) in result.output


def test_plan_on_a_grid_with_load_column(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "grid"
    result = run(
        "plan", str(grid_file), "--load-column", "警情量", "--zones", "3", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    plan, report = check_contract(out, k=3, core="r1c1")
    assert plan["zone"].nunique() == 3
    assert plan["load"].sum() == sum(10 + i for i in range(9))
    assert report["solver"]["status"] == "optimal"


def test_urban_core_by_name_and_english(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "en"
    result = run(
        "plan",
        str(grid_file),
        "--load-column",
        "警情量",
        "--zones",
        "2",
        "--urban-core",
        "r0c0派出所",
        "--out",
        str(out),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "Done:" in result.output
    check_contract(out, k=2, core="r0c0")


def test_default_out_dir_is_maps_stem(grid_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("plan", str(grid_file), "--load-column", "警情量", "-k", "3", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "maps" / "grid" / "map.html").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["plan", "no/such/file.geojson", "--load-column", "x"], "no/such/file.geojson"),
        (["plan", "{grid}"], "--incidents"),
        (["plan", "{grid}", "--load-column", "警情量", "--zones", "12"], "K = 12"),
        (["plan", "{grid}", "--load-column", "警情量", "--urban-core", "火星所"], "火星所"),
        (["plan", "{grid}", "--load-column", "没有这列"], "没有这列"),
    ],
)
def test_input_problems_exit_1_with_a_clear_message(
    grid_file: Path, args: list[str], needle: str
) -> None:
    result = run(*[a.replace("{grid}", str(grid_file)) for a in args])
    assert result.exit_code == 1, result.output
    assert needle in result.output
    assert result.output.startswith("错误：")
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_usage_errors_exit_2(grid_file: Path) -> None:
    assert run("plan", str(grid_file), "--no-such-option").exit_code == 2
    assert run("plan").exit_code == 2
    assert run("plan", str(grid_file), "--lang", "fr").exit_code == 2


def test_config_file_is_used_and_cli_overrides_it(grid_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        '[input]\nload_column = "警情量"\n[plan]\nzones = 2\n[output]\nlang = "en"\n',
        encoding="utf-8",
    )
    out = tmp_path / "cfg"
    result = run("plan", str(grid_file), "--config", str(config), "--zones", "3", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Done:" in result.output  # language from the file
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["n_zones"] == 3  # --zones beats the file
    assert report["scenario"]["load_column"] == "警情量"


def test_init_writes_template(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "s.toml"))
    assert result.exit_code == 0
    assert (tmp_path / "s.toml").exists()
    again = run("init", str(tmp_path / "s.toml"))
    assert again.exit_code == 1 and "已存在" in again.output


ROADS = Path(__file__).parent / "data" / "roads"


def test_plan_with_real_roads_and_features(tmp_path: Path) -> None:
    """Issue 5: with --roads the travel figures come from the OSM road network."""
    out = tmp_path / "roads"
    result = run(
        "plan",
        str(ROADS / "stations.geojson"),
        "--incidents",
        str(ROADS / "incidents.csv"),
        "--roads",
        str(ROADS / "MissionTown.graphml"),
        "--features",
        str(ROADS / "features.geojson"),
        "--zones",
        "2",
        "--out",
        str(out),
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "按道路网络计算" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["travel"]["method"] == "road"
    zones = gpd.read_file(out / "zones.geojson")
    assert set(zones["travel_method"]) == {"road"}
    assert zones["max_minutes"].gt(0).all()
    # named after the rivers of the features file, not the 中心所
    assert any(name.endswith("河防区") or name.endswith("沟防区") for name in zones["zone_name"])
    for row in report["zones"]:
        assert row["center_reason"] and row["case_team_reason"] and row["community_team_reason"]
    plan = gpd.read_file(out / "plan.geojson")
    assert plan.loc[plan["is_center"], "minutes_to_center"].eq(0).all()
    for name in ("zones.xlsx", "plan.gpkg", "map.png", "map.pdf"):
        assert (out / name).stat().st_size > 0, name


def test_missing_road_file_is_an_input_error(grid_file: Path, tmp_path: Path) -> None:
    result = run(
        "plan", str(grid_file), "--load-column", "警情量", "--roads", str(tmp_path / "no.graphml")
    )
    assert result.exit_code == 1
    assert "no.graphml" in result.output and "Traceback" not in result.output


def test_forbidden_links_that_cut_a_station_off_warn(grid_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        '[links]\nforbidden = [["r0c0派出所", "r0c1派出所"], ["r0c0", "r1c0"]]\n', encoding="utf-8"
    )
    out = tmp_path / "cut"
    result = run(
        "plan", str(grid_file), "--load-column", "警情量", "-k", "3", "--config", str(config),
        "--out", str(out), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "警告：" in result.output and "分成了 2 块" in result.output
    assert "r0c0派出所" in result.output
    plan = gpd.read_file(out / "plan.geojson").set_index("station_id")
    assert (plan["zone"] == plan.loc["r0c0", "zone"]).sum() == 1  # a zone of its own


def test_no_print_skips_the_printable_map(grid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(
        "plan",
        str(grid_file),
        "--load-column",
        "警情量",
        "-k",
        "3",
        "--out",
        str(out),
        "--no-print",
    )
    assert result.exit_code == 0, result.output
    assert (out / "map.html").is_file() and (out / "zones.xlsx").is_file()
    assert not (out / "map.png").exists() and not (out / "map.pdf").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert "png" not in report["files"] and "pdf" not in report["files"]
    assert report["scenario"]["print_map"] is False
