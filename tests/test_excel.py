"""zones.xlsx and plan.gpkg (zoning.outputs.excel), read back with openpyxl and geopandas."""

from __future__ import annotations

import contextvars
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely

from tests.conftest import demo_result, make_fake_plan
from zoning._i18n import set_language
from zoning.outputs.excel import plan_to_excel, plan_to_gpkg

REPORT: dict[str, Any] = {
    "n_stations": 9,
    "n_zones": 3,
    "urban_core": "S04",
    "spread": 0.0268,
    "max_dev": 0.0178,
    "cut_edges": 6,
    "total_load": 2232.0,
    "solver": {
        "name": "cp-sat",
        "status": "optimal",
        "seconds": 0.84,
        "gap": 0.0012,
        "phases": [{"phase": "balance"}, {"phase": "compactness"}],
    },
    "intake": {
        "rows_read": 11476,
        "duplicates_dropped": 119,
        "rows_kept": 11357,
        "unassigned": {"total": 0},
        "personal_columns_dropped": ["报警人", "联系电话"],
    },
    "scenario": {
        "zones": 3,
        "balance": "load",
        "tianditu_key": "secret123",
        "online": False,
        "together": [["S01", "S02"]],
    },
    "tool": {"name": "zoning", "version": "0.1.0"},
}


def _rows(ws) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(values_only=True))


def _table(ws) -> list[dict[str, Any]]:
    header, *rows = _rows(ws)
    return [dict(zip(header, r, strict=True)) for r in rows]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> openpyxl.Workbook:
    plan, zones = make_fake_plan()
    zones["case_team_name"] = None  # use the plan flags
    out = plan_to_excel(plan, zones, REPORT, tmp_path_factory.mktemp("x") / "sub" / "zones.xlsx")
    assert out.is_file()
    return openpyxl.load_workbook(out)


def test_sheets_and_headers(workbook) -> None:
    assert workbook.sheetnames == ["防区汇总", "派出所明细", "参数与指标"]
    assert _rows(workbook["防区汇总"])[0] == (
        "防区",
        "防区名称",
        "中心所",
        "执法办案队驻地",
        "社区警务队驻地",
        "派出所数",
        "警情量",
        "占比",
        "警力",
        "每名民警警情",
    )
    assert _rows(workbook["派出所明细"])[0] == (
        "编号",
        "派出所",
        "防区",
        "是否中心所",
        "警情量",
        "人口",
        "警力",
        "办案区",
        "社区村居数",
    )
    assert _rows(workbook["参数与指标"])[0] == ("分组", "指标", "值", "键")
    for ws in workbook:
        assert ws.freeze_panes == "A2"
        assert all(c.font.b for c in ws[1])
        assert all(ws.column_dimensions[c.column_letter].width >= 6 for c in ws[1])


def test_zone_summary(workbook) -> None:
    plan, zones = make_fake_plan()
    ws = workbook["防区汇总"]
    rows = _table(ws)
    assert len(rows) == len(zones) + 1
    body, total = rows[:-1], rows[-1]
    assert [r["防区"] for r in body] == [1, 2, 3]
    assert [r["防区名称"] for r in body] == list(zones["zone_name"])
    assert [r["中心所"] for r in body] == list(zones["center_name"])
    case = plan[plan["is_case_team_base"]].sort_values("zone")["station_name"].tolist()
    assert [r["执法办案队驻地"] for r in body] == case
    assert [r["派出所数"] for r in body] == [3, 3, 3]
    assert [r["警情量"] for r in body] == pytest.approx(list(zones["load"]))
    assert [r["占比"] for r in body] == pytest.approx(list(zones["share"]))
    assert body[2]["每名民警警情"] is None  # NaN stays empty
    assert total["防区"] == "合计" and total["派出所数"] == 9
    assert total["警情量"] == pytest.approx(plan["load"].sum())
    assert total["占比"] == pytest.approx(1.0)
    assert total["每名民警警情"] == pytest.approx(plan["load"].sum() / plan["officers"].sum())
    assert ws["H2"].number_format == "0.0%"
    assert ws["G2"].number_format == "#,##0"
    assert ws["J2"].number_format == "#,##0.0"
    assert all(c.font.b for c in ws[ws.max_row])  # the total row


def test_station_detail(workbook) -> None:
    plan, _ = make_fake_plan()
    ws = workbook["派出所明细"]
    rows = _table(ws)
    assert len(rows) == len(plan)
    assert sorted(r["编号"] for r in rows) == sorted(plan["station_id"])
    assert [r["防区"] for r in rows[:3]] == ["第一防区"] * 3
    assert rows[0]["是否中心所"] == "是" and rows[1]["是否中心所"] == "否"  # centre first
    by_id = {r["编号"]: r for r in rows}
    assert by_id["S01"]["人口"] is None and by_id["S02"]["警力"] is None  # NaN: empty
    assert by_id["S03"]["人口"] == 23000
    assert ws["F2"].number_format == "#,##0"
    assert ws.auto_filter.ref == ws.dimensions


def test_parameters(workbook) -> None:
    rows = {r["键"]: r for r in _table(workbook["参数与指标"])}
    assert rows["spread"]["值"] == pytest.approx(0.0268)
    assert rows["spread"]["指标"].startswith("均衡防区负荷极差")
    assert rows["urban_core"]["值"] == "黄岗派出所（S04）"  # name and id
    assert rows["cut_edges"]["值"] == 6
    assert rows["name"]["值"] in ("cp-sat", "zoning")
    assert rows["status"]["值"] == "optimal"
    assert rows["gap"]["值"] == pytest.approx(0.0012)
    assert rows["phases"]["值"] == 2
    assert rows["rows_read"]["值"] == 11476 and rows["rows_read"]["指标"] == "读入警情"
    assert rows["unassigned.total"]["指标"] == "未归属"
    assert rows["personal_columns_dropped"]["值"] == "报警人、联系电话"
    assert rows["together"]["值"] == "S01–S02"
    assert rows["online"]["值"] == "否"
    assert rows["tianditu_key"]["值"] == "******"  # never copied into the workbook
    ws = workbook["参数与指标"]
    formats = {r[3].value: r[2].number_format for r in ws.iter_rows(min_row=2)}
    assert formats["spread"] == "0.0%" and formats["gap"] == "0.00%"
    assert formats["rows_read"] == "#,##0"


def test_travel_columns_english_and_no_formulas(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    plan.loc[0, "station_name"] = '=HYPERLINK("http://x","点我")'
    zones = zones.assign(
        max_minutes=[20.0, 31.5, np.nan],
        mean_minutes=[10.0, 12.0, 14.0],
        share_within_t=[1.0, 0.8, 0.5],
        within_minutes=15,
        travel_method="road",
        center_reason="人口最多",
    )

    def build() -> Path:
        set_language("en")
        return plan_to_excel(plan, zones, {}, tmp_path / "en.xlsx")

    wb = openpyxl.load_workbook(contextvars.copy_context().run(build))
    assert wb.sheetnames == ["Zones", "Stations", "Parameters"]
    header = _rows(wb["Zones"])[0]
    assert header[:3] == ("Zone", "Zone name", "Centre station")
    assert header[-5:] == (
        "Longest travel (min)",
        "Mean travel (min)",
        "Within 15 min",
        "Travel times",
        "Why this centre",
    )
    body = _table(wb["Zones"])[:-1]
    assert [r["Within 15 min"] for r in body] == [1.0, 0.8, 0.5]
    assert body[2]["Longest travel (min)"] is None
    assert body[0]["Why this centre"] == "人口最多"
    assert body[0]["Travel times"] == "by road"
    assert wb["Zones"].cell(2, header.index("Within 15 min") + 1).number_format == "0.0%"
    assert _rows(wb["Parameters"]) == [("Group", "Item", "Value", "Key")]  # empty report
    cell = next(c for c in wb["Stations"]["B"] if str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"  # stored as text, not as a formula
    assert all(r["Centre station"] in ("Yes", "No") for r in _table(wb["Stations"]))


def test_demo_workbook(tmp_path: Path) -> None:
    result = demo_result()
    wb = openpyxl.load_workbook(
        plan_to_excel(result.plan, result.zones, result.report, tmp_path / "zones.xlsx")
    )
    zones = _table(wb["防区汇总"])
    assert len(zones) == len(result.zones) + 1
    assert zones[-1]["警情量"] == pytest.approx(result.report["total_load"])
    assert len(_table(wb["派出所明细"])) == len(result.plan)
    rows = {r["键"]: r["值"] for r in _table(wb["参数与指标"])}
    assert rows["spread"] == pytest.approx(result.report["spread"])
    assert rows["rows_read"] == result.report["intake"]["rows_read"]


def test_geopackage_layers(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    zones["stations"] = [["a", "b"], ["c"], []]  # list cells become JSON text
    out = tmp_path / "g" / "plan.gpkg"
    out.parent.mkdir()
    out.write_bytes(b"stale")  # replaced, not appended to
    assert plan_to_gpkg(plan, zones.to_crs(3857), out) == out
    layers = gpd.list_layers(out)
    assert sorted(layers["name"]) == ["plan", "zones"]
    back_plan = gpd.read_file(out, layer="plan")
    back_zones = gpd.read_file(out, layer="zones")
    assert back_plan.crs.to_epsg() == 4326 and back_zones.crs.to_epsg() == 4326
    assert (len(back_plan), len(back_zones)) == (len(plan), len(zones))
    assert list(back_plan["station_name"]) == list(plan["station_name"])
    assert back_plan["is_center"].dtype == bool
    assert back_zones["stations"][0] == '["a", "b"]'
    assert shapely.area(back_zones.geometry.values).sum() == pytest.approx(
        shapely.area(zones.geometry.values).sum(), rel=1e-6
    )


def test_demo_geopackage(tmp_path: Path) -> None:
    result = demo_result()
    out = plan_to_gpkg(result.plan, result.zones, tmp_path / "plan.gpkg")
    assert len(gpd.read_file(out, layer="plan")) == len(result.plan)
    assert len(gpd.read_file(out, layer="zones")) == len(result.zones)
