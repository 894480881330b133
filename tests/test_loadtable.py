"""Statistics tables as load (``--loads``, issue 12 item 2): reading, matching, ledger."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import grid_stations
from zoning import _schema as S
from zoning.cli import cli
from zoning.errors import InputError, ZoningWarning
from zoning.io.loadtable import loads_table_from_file
from zoning.io.sheets import sheet_from_file
from zoning.io.stations import stations_from_file
from zoning.load import loads_from_table
from zoning.scenario import Scenario, scenario_from_toml
from zoning.workflow.plan import load_from_scenario

CATS = ("刑事", "治安", "交通", "纠纷", "求助", "其他")


@pytest.fixture
def stations(grid_file: Path) -> gpd.GeoDataFrame:
    return stations_from_file(grid_file)


def _counts(i: int) -> list[int]:
    return [i + 1, (2 * i) % 5, 3, 1, 2, i]


def statistics_workbook(path: Path, stations: gpd.GeoDataFrame, *, total_ok: bool = True) -> Path:
    """A bureau-style workbook: title row, two header rows with merged cells, 合计, a note."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年各派出所警情统计表"])
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "派出所", "警情类别", None, None, None, None, None, "合计"])
    sheet.append([None, None, "刑事案件", "治安", "交通事故", "矛盾纠纷", "群众求助", "其他警情"])
    for rng in ("C2:H2", "A2:A3", "B2:B3", "I2:I3"):
        sheet.merge_cells(rng)
    total = np.zeros(7, dtype=int)
    for i, name in enumerate(stations[S.STATION_NAME]):
        values = _counts(i)
        short = name.replace("派出所", "所") if i % 2 else name
        sheet.append([i + 1, short, *values, sum(values)])
        total += [*values, sum(values)]
    sheet.append([])
    sheet.append([None, "合计", *(total + (0 if total_ok else 1)).tolist()])
    sheet.append(["注：数据为示意"])
    book.save(path)
    return path


def test_a_bureau_workbook_is_read_with_title_two_headers_merges_and_a_total_row(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    path = statistics_workbook(tmp_path / "警情统计.xlsx", stations)
    table = loads_table_from_file(path, stations)
    assert table.kind == "categories"
    assert list(table.categories.values()) == [
        "刑事案件",
        "治安",
        "交通事故",
        "矛盾纠纷",
        "群众求助",
        "其他警情",
    ]
    assert list(table.counts.index) == list(stations.index)
    ledger = table.ledger
    assert ledger["title"] == "2024年各派出所警情统计表"
    assert ledger["header_rows"] == [2, 3]
    assert ledger["merged_ranges"] == 5
    assert ledger["columns"]["ignored"] == ["序号"]
    assert ledger["columns"]["total"] == "合计"
    assert [(d["label"], d["kind"]) for d in ledger["rows_dropped"]] == [
        ("合计", "total"),
        ("注:数据为示意", "note"),
    ]
    assert ledger["total_rows"][0]["matches"] is True
    assert ledger["empty_rows"] == 1
    # every non-empty row below the header is accounted for
    assert ledger["rows_read"] == ledger["rows_used"] + len(ledger["rows_dropped"])
    result = loads_from_table(stations, table, weights={"刑事": 3, "交通": 0.5})
    for i, sid in enumerate(stations.index):
        c = _counts(i)
        assert result.load[sid] == 3 * c[0] + c[1] + 0.5 * c[2] + c[3] + c[4] + c[5]
        assert result.by_category.loc[sid].tolist() == c
    assert result.load.sum() == result.ledger["weighted_total"]
    assert result.ledger["category_mapping"]["交通事故"] == "交通"


def test_a_total_row_that_disagrees_is_warned_and_the_station_rows_win(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    path = statistics_workbook(tmp_path / "t.xlsx", stations, total_ok=False)
    with pytest.warns(ZoningWarning, match="合计.*不符"):
        table = loads_table_from_file(path, stations)
    assert table.ledger["total_rows"][0]["matches"] is False
    assert table.counts.sum().sum() == sum(sum(_counts(i)) for i in range(9))


def test_a_gbk_csv_with_a_total_column_and_subtotals(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    lines = ["某县公安局 2024 年警情统计", "所代码,单位名称,警情数（起）,同比（%）,警力"]
    for i, sid in enumerate(stations.index):
        lines.append(f"{sid},,{10 * (i + 1)},{i - 3}%,5")
        if i == 4:
            lines.append(",城区小计,150,,")
    lines += [",全县合计,450,,", "制表人：张三"]
    path = tmp_path / "loads.csv"
    path.write_bytes("\n".join(lines).encode("gbk"))
    with pytest.warns(ZoningWarning, match="GB18030"):
        table = loads_table_from_file(path, stations)
    assert table.kind == "total"
    assert table.ledger["encoding"] == "GB18030"
    assert table.ledger["columns"]["ignored"] == ["同比(%)", "警力"]
    kinds = [(d["label"], d["kind"]) for d in table.ledger["rows_dropped"]]
    assert kinds == [("城区小计", "subtotal"), ("全县合计", "total"), ("制表人:张三", "note")]
    assert table.ledger["total_rows"][0]["matches"] is True
    result = loads_from_table(stations, table)
    assert result.load.tolist() == [10.0 * (i + 1) for i in range(9)]
    assert result.ledger["weighted_total"] == 450


def test_weights_do_not_apply_to_a_total_column_and_say_so(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    path = tmp_path / "loads.csv"
    path.write_text(
        "派出所,合计\n" + "\n".join(f"{n},{i}" for i, n in enumerate(stations[S.STATION_NAME])),
        encoding="utf-8",
    )
    table = loads_table_from_file(path, stations)
    with pytest.warns(ZoningWarning, match="权重不适用"):
        result = loads_from_table(stations, table, weights={"刑事": 2})
    assert result.load.sum() == 36


def test_unknown_category_columns_under_a_group_header_are_weighted_as_other(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    path = tmp_path / "loads.csv"
    rows = ["派出所,警情类别,,", ",刑事,火灾,溺水"]
    rows += [f"{n},1,2,3" for n in stations[S.STATION_NAME]]
    path.write_text("\n".join(rows), encoding="utf-8")
    table = loads_table_from_file(path, stations)
    assert table.categories == {
        "警情类别/刑事": "刑事",
        "警情类别/火灾": "火灾",
        "警情类别/溺水": "溺水",
    }
    with pytest.warns(ZoningWarning, match="未知警情类别"):
        result = loads_from_table(stations, table, weights={"其他": 0.5, "刑事": 2})
    assert result.load.tolist() == [2 + 0.5 * 5] * 9
    assert result.by_category["其他"].tolist() == [5] * 9
    assert result.ledger["unknown_categories"] == ["火灾", "溺水"]


def test_a_scenario_weight_key_names_its_own_column(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    path = tmp_path / "loads.csv"
    path.write_text(
        "派出所,火灾,刑事\n" + "\n".join(f"{n},2,1" for n in stations[S.STATION_NAME]),
        encoding="utf-8",
    )
    table = loads_table_from_file(path, stations, categories=["火灾"])
    result = loads_from_table(stations, table, weights={"火灾": 4})
    assert result.load.tolist() == [9.0] * 9


def test_missing_stations_get_zero_with_a_warning_and_identical_duplicates_count_once(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    names = list(stations[S.STATION_NAME])
    rows = ["派出所,合计", f"{names[0]},5", f"{names[1]},6", f"{names[0]},5"]
    path = tmp_path / "loads.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.warns(ZoningWarning) as caught:
        table = loads_table_from_file(path, stations)
    text = " ".join(str(w.message) for w in caught)
    assert "表中没有派出所" in text and "r2c2派出所" in text
    assert "第 4 行与前面的行重复" in text
    assert table.ledger["duplicates_dropped"] == 1
    assert table.ledger["missing_stations"] == list(stations.index[2:])
    assert table.ledger["rows_read"] == table.ledger["rows_used"] + 1
    result = loads_from_table(stations, table)
    assert result.load.tolist() == [5, 6] + [0] * 7


def test_every_table_problem_is_named_in_one_error(
    tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    names = list(stations[S.STATION_NAME])
    rows = [
        "派出所,合计",
        f"{names[0]},5",
        f"{names[0]},7",  # twice, different
        "火星所,3",  # unknown station
        ",4",  # numbers without a station
        f"{names[2]},很多",  # not a number
        f"{names[3]},-1",  # negative
    ]
    path = tmp_path / "loads.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(InputError) as info:
        loads_table_from_file(path, stations)
    problems = info.value.problems
    assert len(problems) == 4, problems
    text = "\n".join(problems)
    assert "第 2 行和第 3 行，数字不同" in text
    assert "火星所" in text and "不在派出所辖区文件中" in text
    assert "第 5 行有数字但派出所列" in text
    assert "6（r0c2派出所）" in text and "7（r1c0派出所）" in text


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("派出所,序号\nr0c0派出所,1", "找不到警情数列"),
        ("派出所,警情数,合计\nr0c0派出所,1,1", "有多个合计列"),
        ("派出所,刑事,刑事案件\nr0c0派出所,1,1", "同一警情类别有多列"),
        ("名单\n甲,乙\n1,2", "找不到表头"),
        ("派出所,合计\n火星所,3", "不在派出所辖区文件中"),
        ("派出所,合计\n某某,", "没有一行对应"),
        ("", "文件是空的"),
    ],
)
def test_table_errors(
    tmp_path: Path, stations: gpd.GeoDataFrame, content: str, needle: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=needle):
        loads_table_from_file(path, stations)


def test_an_explicit_station_column(tmp_path: Path, stations: gpd.GeoDataFrame) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "单位简称,合计\n" + "\n".join(f"{sid},1" for sid in stations.index), encoding="utf-8"
    )
    with pytest.raises(InputError, match="找不到表头"):
        loads_table_from_file(path, stations)
    table = loads_table_from_file(path, stations, station_column="单位简称")
    assert table.counts.sum().sum() == 9
    with pytest.raises(InputError, match=r"找不到表头.*合计x"):
        loads_table_from_file(path, stations, station_column="合计x")


def test_a_legacy_xls_grid_is_read(tmp_path: Path) -> None:
    xls = Path(__file__).parent / "data" / "intake" / "incidents.xls"
    sheet = sheet_from_file(xls, is_key=lambda t: t in ("警情编号", "jjbh"), expected="警情编号")
    assert sheet.encoding == "xls"
    assert sheet.columns and sheet.rows


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(
        st.lists(
            st.integers(0, 10**6) | st.floats(0, 1e5, allow_nan=False), min_size=6, max_size=6
        ),
        min_size=9,
        max_size=9,
    ),
    weights=st.lists(
        st.floats(0, 50, allow_nan=False, allow_infinity=False), min_size=6, max_size=6
    ),
)
def test_the_ledger_balances_exactly_whatever_the_weights(
    counts: list[list[float]], weights: list[float]
) -> None:
    stations = grid_stations().set_index("所代码", drop=False)
    stations.index = stations.index.astype(str)
    stations[S.STATION_NAME] = stations["派出所"]
    import pandas as pd

    from zoning.io.loadtable import LoadTable

    frame = pd.DataFrame(counts, index=pd.Index(stations.index, name=S.STATION_ID))
    frame.columns = list(CATS)
    table = LoadTable(
        counts=frame.astype(float), kind="categories", categories={c: c for c in CATS}
    )
    result = loads_from_table(stations, table, weights=dict(zip(CATS, weights, strict=True)))
    assert result.load.sum() == result.ledger["weighted_total"]
    assert math.fsum(result.load) == result.ledger["weighted_total"]
    assert result.load.iloc[::-1].sum() == result.ledger["weighted_total"]


# --- the load source: one function, one source ---------------------------------------------


def test_load_from_scenario_refuses_two_sources(tmp_path: Path, stations: gpd.GeoDataFrame) -> None:
    path = statistics_workbook(tmp_path / "t.xlsx", stations)
    with pytest.raises(InputError, match=r"警情量来源只能有一个.*--load-column.*--loads"):
        load_from_scenario(stations, Scenario(load_column="警情量", loads=path))
    with pytest.raises(InputError, match=r"--loads.*--incidents"):
        load_from_scenario(stations, Scenario(loads=path, incidents=tmp_path / "x.csv"))
    result = load_from_scenario(stations, Scenario(loads=path))
    assert result.ledger["kind"] == "load_table"
    with pytest.raises(InputError, match="用 --loads 指定警情统计表"):
        load_from_scenario(stations, Scenario(), source="x")


def test_the_command_line_load_source_replaces_the_scenario_files(tmp_path: Path) -> None:
    base = Scenario(incidents=tmp_path / "a.csv")
    assert base.with_load_source(loads=None, incidents=None, load_column=None) == base
    swapped = base.with_load_source(loads=tmp_path / "t.xlsx", incidents=None, load_column=None)
    assert swapped.incidents is None and swapped.loads == tmp_path / "t.xlsx"
    with pytest.raises(TypeError):
        base.with_load_source(river="x")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_plan_and_evaluate_take_loads_on_the_command_line_and_in_the_scenario(
    grid_file: Path, tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    table = statistics_workbook(tmp_path / "警情统计.xlsx", stations)
    out = tmp_path / "plan"
    result = run("plan", str(grid_file), "--loads", str(table), "-k", "3", "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["intake"]["kind"] == "load_table"
    assert (out / report["inputs"]["loads"]).resolve() == table.resolve()  # relative to out
    assert (
        report["total_load"]
        == report["intake"]["weighted_total"]
        == sum(sum(_counts(i)) for i in range(9))
    )
    # the scenario key, with a scenario file that also names incidents: --loads wins
    config = tmp_path / "s.toml"
    config.write_text(
        f'[input]\nincidents = "nothing.csv"\nloads = "{table.name}"\n', encoding="utf-8"
    )
    assert scenario_from_toml(config).loads == table.resolve()
    clash = run("plan", str(grid_file), "--config", str(config), "--out", str(tmp_path / "c"))
    assert clash.exit_code == 1
    assert "警情量来源只能有一个" in clash.output
    config.write_text('[input]\nincidents = "nothing.csv"\n[plan]\nzones = 3\n', encoding="utf-8")
    cli_wins = run(
        "plan", str(grid_file), "--config", str(config), "--loads", str(table), "-q",
        "--out", str(tmp_path / "w"),
    )  # fmt: skip
    assert cli_wins.exit_code == 0, cli_wins.output
    hand = tmp_path / "hand.csv"
    hand.write_text(
        "所代码,防区\n" + "\n".join(f"{sid},{1 + i // 3}" for i, sid in enumerate(stations.index)),
        encoding="utf-8",
    )
    ev = run(
        "evaluate", str(grid_file), "-a", str(hand), "--loads", str(table),
        "--out", str(tmp_path / "ev"),
    )  # fmt: skip
    assert ev.exit_code == 0, ev.output
    ev_report = json.loads((tmp_path / "ev" / "report.json").read_text(encoding="utf-8"))
    assert (tmp_path / "ev" / ev_report["inputs"]["loads"]).resolve() == table.resolve()
    assert ev_report["intake"]["weighted_total"] == report["intake"]["weighted_total"]


def test_a_bad_table_on_the_command_line_is_one_clear_error(
    grid_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("派出所,合计\n火星所,3\n木星所,4\n", encoding="utf-8")
    result = run("plan", str(grid_file), "--loads", str(path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.output.startswith("错误：")
    assert "火星所" in result.output and "木星所" in result.output
    assert "Traceback" not in result.output


def test_the_app_plans_from_an_uploaded_table(
    grid_file: Path, tmp_path: Path, stations: gpd.GeoDataFrame
) -> None:
    from zoning.app import _plan, _read_data

    table = statistics_workbook(tmp_path / "警情统计.xlsx", stations)
    data = _read_data("grid + 表", grid_file, None, loads=table, base=tmp_path)
    assert data.loads_path == table
    scenario = Scenario(stations=grid_file, loads=table, zones=3)
    run = _plan(data, scenario, tmp_path / "run")
    assert run["result"].report["intake"]["kind"] == "load_table"
    assert run["result"].load.load.sum() == sum(sum(_counts(i)) for i in range(9))
    bad = tmp_path / "bad.csv"
    bad.write_text("派出所,合计\n火星所,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="火星所"):  # reported on upload, before any plan
        _read_data("grid + bad", grid_file, None, loads=bad, base=tmp_path)
