"""``zoning evaluate``, ``zoning compare`` and ``zoning app`` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
import socket
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from tests.conftest import DEMO
from zoning.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_clean_failure(result: Result, needle: str, *, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert needle in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "plan"
    result = run(
        "plan",
        str(DEMO / "stations.geojson"),
        "--incidents",
        str(DEMO / "incidents.csv"),
        "--out",
        str(out),
        "-q",
        "--frontier",  # evaluate and compare read the plan, not the ladder or the print map
        "none",
        "--no-print",
    )
    assert result.exit_code == 0, result.output
    return out


def hand_edited(plan_dir: Path, path: Path) -> Path:
    """The demo plan as a planner's CSV (名称 → 第N防区) with three edits."""
    plan = gpd.read_file(plan_dir / "plan.geojson")
    zones = dict(zip(plan["station_name"], plan["zone"].astype(int), strict=True))
    core_zone = zones["城关派出所"]
    zones["白沙派出所"] = core_zone  # joins the urban core
    del zones["云峰派出所"]  # forgotten
    rows = [(name.removesuffix("派出所"), f"第{z}防区") for name, z in zones.items()]
    rows.append(("火星", "第2防区"))  # not a station of the county
    pd.DataFrame(rows, columns=["派出所", "防区"]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


# --- evaluate ------------------------------------------------------------------------------


def test_evaluate_the_plan_itself_finds_nothing(demo_plan: Path, tmp_path: Path) -> None:
    result = run(
        "evaluate",
        str(DEMO / "stations.geojson"),
        "--assignment",
        str(demo_plan / "plan.geojson"),
        "--incidents",
        str(DEMO / "incidents.csv"),
        "--out",
        str(tmp_path / "ev"),
    )
    assert result.exit_code == 0, result.output
    assert "未发现违反规则之处" in result.output and "地图：" in result.output
    mine = json.loads((tmp_path / "ev" / "report.json").read_text(encoding="utf-8"))
    planned = json.loads((demo_plan / "report.json").read_text(encoding="utf-8"))
    for key in ("spread", "max_dev", "cut_edges", "n_zones"):
        assert mine[key] == pytest.approx(planned[key]), key
    assert [z["load"] for z in mine["zones"]] == [z["load"] for z in planned["zones"]]
    assert [z["center_id"] for z in mine["zones"]] == [z["center_id"] for z in planned["zones"]]


def test_evaluate_a_hand_edited_plan_lists_violations_and_exits_0(
    demo_plan: Path, tmp_path: Path
) -> None:
    csv = hand_edited(demo_plan, tmp_path / "手工方案.csv")
    out = tmp_path / "ev"
    result = run(
        "evaluate",
        str(DEMO / "stations.geojson"),
        "-a",
        str(csv),
        "--incidents",
        str(DEMO / "incidents.csv"),
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert "发现" in text and "处问题" in text
    assert "云峰派出所" in text and "没有分配防区" in text
    assert "火星" in text and "站点文件中没有" in text
    assert "城关所 城关派出所 没有单独成区" in text and "白沙派出所" in text
    for name in ("plan.geojson", "zones.geojson", "report.json", "map.html"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    kinds = {v["kind"] for v in report["violations"]}
    assert {"missing_station", "unknown_station", "urban_core_not_alone"} <= kinds
    assert report["assignment"]["missing"] == ["369901012"]


def test_evaluate_in_english_with_a_config_and_k(demo_plan: Path, tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text(
        f'[input]\nincidents = "{(DEMO / "incidents.csv").resolve().as_posix()}"\n'
        '[output]\nlang = "en"\n',
        encoding="utf-8",
    )
    result = run(
        "evaluate",
        str(DEMO / "stations.geojson"),
        "-a",
        str(demo_plan / "plan.geojson"),
        "--config",
        str(config),
        "--zones",
        "4",
        "--out",
        str(tmp_path / "ev"),
    )
    assert result.exit_code == 0, result.output
    assert "Evaluation of plan.geojson" in result.output
    assert "5 zones used, more than K = 4" in result.output


def test_evaluate_default_out_dir(grid_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"所代码": ["r0c0", "r1c1"], "防区": [2, 1]}).to_csv("draft.csv", index=False)
    result = run("evaluate", str(grid_file), "-a", "draft.csv", "--load-column", "警情量")
    assert result.exit_code == 0, result.output
    assert "7 个派出所没有分配防区" in result.output
    assert (tmp_path / "maps" / "evaluate-draft" / "map.html").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-a", "no/such.csv", "--load-column", "警情量"], "no/such.csv"),
        (["-a", "{bad}", "--load-column", "警情量"], "找不到防区列"),
        (["-a", "{good}"], "--incidents"),
        (["-a", "{good}", "--load-column", "警情量", "--zones", "0"], "--zones 0"),
        (["-a", "{good}", "--load-column", "警情量", "--urban-core", "火星所"], "火星所"),
    ],
)
def test_evaluate_broken_input_exits_1(grid_file: Path, tmp_path: Path, args, needle) -> None:
    good = tmp_path / "good.csv"
    pd.DataFrame({"所代码": ["r0c0"], "防区": [1]}).to_csv(good, index=False)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"所代码": ["r0c0"], "颜色": ["红"]}).to_csv(bad, index=False)
    args = [a.replace("{good}", str(good)).replace("{bad}", str(bad)) for a in args]
    result = run("evaluate", str(grid_file), *args, "--out", str(tmp_path / "o"))
    assert_clean_failure(result, needle)
    assert result.output.startswith("错误：")


def test_evaluate_usage_errors_exit_2(grid_file: Path) -> None:
    assert run("evaluate", str(grid_file)).exit_code == 2  # --assignment is required
    assert run("evaluate").exit_code == 2
    assert run("evaluate", str(grid_file), "-a", "x.csv", "--lang", "fr").exit_code == 2


# --- compare -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_plans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import grid_stations

    root = tmp_path_factory.mktemp("grid")
    grid_stations().to_file(root / "grid.geojson", driver="GeoJSON")
    for k in ("2", "3"):
        args = ["plan", str(root / "grid.geojson"), "--load-column", "警情量", "-k", k]
        result = run(*args, "--out", str(root / f"k{k}"), "-q")
        assert result.exit_code == 0, result.output
    return root


def test_compare_prints_metrics_and_moves(grid_plans: Path, tmp_path: Path) -> None:
    result = run("compare", str(grid_plans / "k2"), str(grid_plans / "k3"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = result.output
    for needle in (
        "A：k2",
        "B：k3",
        "负荷极差",
        "最大偏差",
        "切断相邻",
        "防区对应",
        "调整的派出所",
    ):
        assert needle in text, needle
    data = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert data["a"]["n_zones"] == 2 and data["b"]["n_zones"] == 3
    assert data["moves"]
    for m in data["moves"]:
        assert f"{m['station_name']}：A 第 {m['zone_a']} 防区" in text
    # the two-map page outlines them on both halves (legend rows in its data block)
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert page.count(f"调整防区的派出所（{len(data['moves'])} 个）") == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_compare_into_a_closed_pipe_writes_its_files_and_stops_quietly(
    grid_plans: Path, tmp_path: Path
) -> None:
    """``zoning compare A B | head``: the reader leaves before the table is printed;
    the map and compare.json are already written, no error, exit 141 as a shell says."""
    import os
    import subprocess

    read, write = os.pipe()
    os.close(read)  # a reader that has gone before the first line
    try:
        a, b = (str(grid_plans / k) for k in ("k2", "k3"))
        done = subprocess.run(
            [sys.executable, "-m", "zoning", "compare", a, b, "--out", str(tmp_path / "cmp")],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, "")
    assert (tmp_path / "cmp" / "compare.html").stat().st_size > 0
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text(encoding="utf-8"))["moves"]


def test_renumbered_zones_are_not_moves(grid_plans: Path, tmp_path: Path) -> None:
    plan = gpd.read_file(grid_plans / "k3" / "plan.geojson")
    plan["zone"] = plan["zone"].map({1: 3, 2: 1, 3: 2})
    (tmp_path / "renumbered").mkdir()
    plan.to_file(tmp_path / "renumbered" / "plan.geojson", driver="GeoJSON")
    result = run(
        "compare",
        str(grid_plans / "k3" / "plan.geojson"),
        str(tmp_path / "renumbered"),
        "--out",
        str(tmp_path / "cmp"),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    assert "No station moved." in result.output


def test_compare_writes_the_dual_map(grid_plans: Path, tmp_path: Path) -> None:
    result = run("compare", str(grid_plans / "k2"), str(grid_plans / "k3"), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert "A：k2" in page and "B：k3" in page
    assert "<script src=" not in page and 'rel="stylesheet" href="http' not in page  # offline
    assert str((tmp_path / "compare.html").resolve()) in result.output


def test_compare_broken_input_exits_1(grid_plans: Path, tmp_path: Path) -> None:
    result = run("compare", str(tmp_path), str(grid_plans / "k3"), "--out", str(tmp_path / "o"))
    assert_clean_failure(result, "plan.geojson")
    shutil.copy(grid_plans / "k3" / "report.json", tmp_path / "plan.geojson")
    result = run("compare", str(tmp_path), str(grid_plans / "k3"), "--out", str(tmp_path / "o"))
    assert_clean_failure(result, "plan.geojson")
    assert run("compare", str(grid_plans / "k3")).exit_code == 2


# --- app -----------------------------------------------------------------------------------


def test_app_help_and_usage_errors() -> None:
    result = run("app", "--help")
    assert result.exit_code == 0 and "127.0.0.1" in result.output
    assert run("app", "--port", "0").exit_code == 2
    assert run("app", "--lang", "fr").exit_code == 2


def test_app_on_a_busy_port_exits_1() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("app", "--port", str(port), "--no-browser")
    assert_clean_failure(result, f"127.0.0.1:{port}")
    assert "--port" in result.output


def test_app_without_streamlit_exits_1(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "streamlit", None)
    monkeypatch.setitem(sys.modules, "streamlit.web", None)
    result = run("app", "--no-browser", "--lang", "en")
    assert_clean_failure(result, "pip install 'zoning[app]'")
