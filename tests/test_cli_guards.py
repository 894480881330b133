"""The command line never shows a traceback and never overwrites an input (issue 10, 5–7).

Every failure here must exit 1 (2 for usage) with one clear, non-empty message
and no traceback; ``--debug`` shows the traceback of a bug on request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import failed_cleanly, grid_incidents, grid_stations, run_cli
from zoning import settings
from zoning.errors import InputError
from zoning.scenario import scenario_from_toml

FAST = ("--no-print", "--quiet")


# ------------------------------------------------- every value validated like the file


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--seed", "-1", "--seed -1 取值无效，应为：integer from 0 to 2147483647"),
        ("--seed", "99999999999", "--seed 99999999999 取值无效"),
        ("--within-minutes", "nan", "--within-minutes nan 取值无效，应为：number ≥ 0"),
        ("--within-minutes", "-5", "--within-minutes -5.0 取值无效"),
        ("--time-limit", "0", "--time-limit 0.0 取值无效"),
        ("--zones", "0", "--zones 0 取值无效"),
    ],
)
def test_command_line_values_are_checked_like_the_scenario_file(
    grid_file: Path, tmp_path: Path, option: str, value: str, needle: str
) -> None:
    result = run_cli("plan", grid_file, "--load-column", "警情量", option, value, "--out", tmp_path)
    failed_cleanly(result, needle)
    assert not (tmp_path / "plan.geojson").exists()


def test_the_scenario_file_rejects_nan_and_huge_seeds(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[roads]\nwithin_minutes = nan\n[plan]\nseed = 4294967296\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        scenario_from_toml(path)
    assert len(info.value.problems) == 2
    assert "[roads].within_minutes = nan" in info.value.problems[0]
    assert "[plan].seed = 4294967296" in info.value.problems[1]


# ------------------------------------------------------------------ no traceback


def test_an_unwritable_output_folder_is_one_message(
    grid_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zoning.io.guard

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(zoning.io.guard.tempfile, "TemporaryFile", refuse)
    result = run_cli("plan", grid_file, "--load-column", "警情量", "--out", tmp_path / "o", *FAST)
    failed_cleanly(result, "输出目录无法写入（Permission denied）", "--out")


def test_an_output_folder_inside_a_file_is_one_message(grid_file: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    out = tmp_path / "afile" / "sub"
    result = run_cli("plan", grid_file, "--load-column", "警情量", "--out", out, *FAST)
    failed_cleanly(result, "输出目录无法写入")


def test_stations_given_as_an_excel_table(tmp_path: Path) -> None:
    grid_stations().drop(columns="geometry").to_excel(tmp_path / "st.xlsx", index=False)
    result = run_cli("plan", tmp_path / "st.xlsx", "--load-column", "警情量", "--out", tmp_path)
    failed_cleanly(result, "没有几何图形的表格", "zoning jurisdictions")


def test_a_huge_input_is_refused_with_its_size(
    grid_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid_incidents(3000).to_csv(tmp_path / "jq.csv", index=False)
    monkeypatch.setattr(settings, "max_input_mb", 0.05)
    result = run_cli("plan", grid_file, "--incidents", tmp_path / "jq.csv", "--out", tmp_path)
    failed_cleanly(result, "jq.csv：文件大小", "超过读取上限 51.2 KB")


def test_an_ambiguous_urban_core_names_both_stations(tmp_path: Path) -> None:
    grid = grid_stations()
    grid.loc[0, "派出所"] = "r2c2"
    grid.loc[8, "派出所"] = "南山派出所"
    grid.to_file(tmp_path / "st.geojson")
    result = run_cli(
        "plan", tmp_path / "st.geojson", "--load-column", "警情量", "--urban-core", "r2c2",
        "--out", tmp_path / "o",
    )  # fmt: skip
    failed_cleanly(result, "城关所“r2c2”有歧义", "r2c2（南山派出所）", "r0c0（r2c2）")


def bug(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom")


def test_a_bug_prints_one_line_and_points_to_debug(
    grid_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("zoning.workflow.plan.plan_from_files", bug)
    result = run_cli("plan", grid_file, "--load-column", "警情量", "--out", tmp_path)
    failed_cleanly(result, "内部错误（RuntimeError：boom）", "--debug")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("where", ["group", "command"])
def test_debug_shows_the_traceback(
    grid_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setattr("zoning.workflow.plan.plan_from_files", bug)
    args = ["plan", grid_file, "--load-column", "警情量", "--out", tmp_path]
    args = ["--debug", *args] if where == "group" else [*args, "--debug"]
    result = run_cli(*args)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and 'raise RuntimeError("boom")' in result.stderr
    # and the flag does not stick to the next run
    quiet = run_cli("plan", grid_file, "--load-column", "警情量", "--out", tmp_path)
    assert "Traceback" not in quiet.stderr


def test_an_error_without_a_message_still_says_something(
    grid_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("zoning.workflow.plan.plan_from_files", out_of_memory)
    result = run_cli("plan", grid_file, "--load-column", "警情量", "--out", tmp_path)
    failed_cleanly(result, "内存不足")


# ------------------------------------------------------------------ never overwrite inputs


def test_save_scenario_never_replaces_an_input(grid_file: Path, tmp_path: Path) -> None:
    before = grid_file.read_bytes()
    result = run_cli(
        "plan", grid_file, "--load-column", "警情量", "--save-scenario", grid_file,
        "--out", tmp_path / "o",
    )  # fmt: skip
    failed_cleanly(result, "不会覆盖输入文件", str(grid_file.resolve()), "--force")
    assert grid_file.read_bytes() == before
    config = tmp_path / "s.toml"
    config.write_text('[input]\nload_column = "警情量"\n', encoding="utf-8")
    result = run_cli("plan", grid_file, "--config", config, "--save-scenario", config)
    failed_cleanly(result, "不会覆盖输入文件", "s.toml")


def test_out_never_replaces_inputs_named_like_outputs(tmp_path: Path) -> None:
    grid_stations().to_file(tmp_path / "plan.geojson")  # the stations, named like an output
    before = (tmp_path / "plan.geojson").read_bytes()
    stations = tmp_path / "plan.geojson"
    result = run_cli("plan", stations, "--load-column", "警情量", "--out", tmp_path)
    failed_cleanly(result, "不会覆盖输入文件", "plan.geojson")
    assert (tmp_path / "plan.geojson").read_bytes() == before


def test_evaluate_refuses_to_overwrite_the_plan_it_scores_unless_forced(
    grid_file: Path, tmp_path: Path
) -> None:
    pd.DataFrame(
        {"所代码": [f"r{r}c{c}" for r in range(3) for c in range(3)], "防区": [1, 1, 1] * 3}
    ).to_csv(tmp_path / "hand.csv", index=False)
    scored = run_cli(
        "evaluate", grid_file, "-a", tmp_path / "hand.csv", "--load-column", "警情量",
        "--out", tmp_path / "ev",
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    plan = tmp_path / "ev" / "plan.geojson"
    before = plan.read_bytes()
    args = ["evaluate", grid_file, "-a", plan, "--load-column", "警情量", "--out", tmp_path / "ev"]
    failed_cleanly(run_cli(*args), "不会覆盖输入文件", "plan.geojson")
    assert plan.read_bytes() == before
    forced = run_cli(*args, "--force")
    assert forced.exit_code == 0, forced.output


# ------------------------------------------------------------------ rough edges


def test_config_alone_names_the_stations(grid_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "scenario.toml"
    config.write_text(
        f'[input]\nstations = "{grid_file.as_posix()}"\nload_column = "警情量"\n'
        "[plan]\nzones = 3\n",
        encoding="utf-8",
    )
    result = run_cli("plan", "--config", config, "--out", tmp_path / "o", *FAST)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))
    assert report["n_zones"] == 3 and report["intake"]["load_column"] == "警情量"


def test_config_without_stations_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "scenario.toml"
    config.write_text("[plan]\nzones = 3\n", encoding="utf-8")
    result = run_cli("plan", "--config", config)
    failed_cleanly(result, "STATIONS", "[input]", code=2)


def test_evaluate_takes_the_input_options_of_plan(tmp_path: Path) -> None:
    grid = grid_stations().rename(columns={"所代码": "单位编码X", "派出所": "单位简称X"})
    grid.to_file(tmp_path / "st.geojson")
    incidents = grid_incidents(40)  # 2024-01-01 … 2024-01-10, six hours apart
    incidents["管辖单位"] = None
    incidents.to_csv(tmp_path / "jq.csv", index=False)
    config = tmp_path / "w.toml"
    config.write_text('[weights]\n"刑事" = 0\n"治安" = 0\n"交通" = 0\n', encoding="utf-8")
    pd.DataFrame({"单位": [f"r{r}c{c}" for r in range(3) for c in range(3)], "防区": 1}).to_csv(
        tmp_path / "hand.csv", index=False
    )
    result = run_cli(
        "evaluate", tmp_path / "st.geojson", "-a", tmp_path / "hand.csv",
        "--station-column", "单位", "--id-column", "单位编码X", "--name-column", "单位简称X",
        "--incidents", tmp_path / "jq.csv", "--incidents-crs", "wgs84",
        "--from", "2024-01-02", "--to", "2024-01-03", "--config", config,
        "--zones", "1", "--out", tmp_path / "ev",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ev" / "report.json").read_text(encoding="utf-8"))
    intake = report["intake"]
    assert intake["rows_read"] == 40 and intake["rows_kept"] == 8  # two days of four
    assert intake["outside_window"] == 32 and intake["crs_source"] == "argument"
    kept = incidents.iloc[4:12]
    assert intake["weighted_total"] == (kept["警情类别"] == "纠纷").sum()  # weights from --config
    plan = json.loads((tmp_path / "ev" / "plan.geojson").read_text(encoding="utf-8"))
    names = {f["properties"]["station_name"] for f in plan["features"]}
    assert "r0c0派出所" in names  # names from --name-column, not codes
