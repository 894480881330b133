"""Attribution of incidents to stations and the load ledger (zoning.load)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from tests.conftest import LAT0, LON0, STEP, grid_stations
from zoning import _schema as S
from zoning.errors import InputError, ZoningWarning
from zoning.io.incidents import IncidentTable, incidents_from_file
from zoning.io.stations import stations_from_file
from zoning.load import loads_from_column, loads_from_incidents

# ~1 km cells: 0.001° of longitude ≈ 99 m at 27.2°N
DEG_PER_M = 1 / 99_000


@pytest.fixture
def stations(grid_file: Path) -> gpd.GeoDataFrame:
    return stations_from_file(grid_file)


def table(rows: Sequence[Mapping[Any, Any]]) -> IncidentTable:
    frame = pd.DataFrame(rows)
    for col in (S.INCIDENT_ID, S.CATEGORY, S.UNIT):
        if col not in frame:
            frame[col] = np.nan
    for col in (S.LON, S.LAT):
        if col not in frame:
            frame[col] = np.nan
    frame[S.TIME] = pd.Timestamp("2024-01-01")
    frame = frame.astype({S.LON: float, S.LAT: float})
    return IncidentTable(frame=frame, ledger={"rows_read": len(frame), "source": "test"})


def cell_centre(r: int, c: int) -> dict[str, Any]:
    return {S.LON: LON0 + (c + 0.5) * STEP, S.LAT: LAT0 + (r + 0.5) * STEP}


def test_point_in_polygon_counts_and_balance(stations: gpd.GeoDataFrame) -> None:
    rows = [{**cell_centre(r, c), S.CATEGORY: "刑事"} for r in range(3) for c in range(3)]
    rows += [{**cell_centre(1, 1), S.CATEGORY: "治安"}] * 3
    result = loads_from_incidents(stations, table(rows))
    assert result.load["r1c1"] == 4.0 and result.load["r0c0"] == 1.0
    assert result.load.index.tolist() == stations.index.tolist()
    assert result.load.sum() == result.ledger["weighted_total"] == 12.0
    assert result.by_category.loc["r1c1", "治安"] == 3
    assert list(result.by_category.columns) == list(S.CATEGORIES)
    assert result.ledger["by"] == {
        "point_in_polygon": 12,
        "nearest_within_tolerance": 0,
        "unit_name": 0,
    }
    json.dumps(result.ledger)  # serialisable as is


def test_every_station_present_with_zero(stations: gpd.GeoDataFrame) -> None:
    result = loads_from_incidents(stations, table([cell_centre(0, 0)]))
    assert (result.load.drop("r0c0") == 0.0).all()
    assert result.load.dtype == float


def test_boundary_point_is_counted_once(stations: gpd.GeoDataFrame) -> None:
    shared_edge = {S.LON: LON0 + STEP, S.LAT: LAT0 + 0.5 * STEP}  # between r0c0 and r0c1
    result = loads_from_incidents(stations, table([shared_edge]))
    assert result.ledger["assigned"] == 1 and result.load.sum() == 1.0


def test_nearest_within_tolerance_and_beyond(stations: gpd.GeoDataFrame) -> None:
    east = LON0 + 3 * STEP
    rows: list[dict[str, Any]] = [
        {S.LON: east + 200 * DEG_PER_M, S.LAT: LAT0 + 0.5 * STEP},  # 200 m east of r0c2
        {S.LON: east + 2000 * DEG_PER_M, S.LAT: LAT0 + 0.5 * STEP},  # 2 km away
    ]
    with pytest.warns(ZoningWarning, match=r"50%（1 / 2 起）.*1 行坐标在所有辖区外"):
        result = loads_from_incidents(stations, table(rows))
    assert result.load["r0c2"] == 1.0
    assert result.ledger["by"]["nearest_within_tolerance"] == 1
    assert result.ledger["unassigned"] == {
        "total": 1,
        "reasons": {"outside_all_jurisdictions": 1, "unknown_unit": 0, "no_location": 0},
    }
    wider = loads_from_incidents(stations, table(rows), tolerance_m=3000)
    assert wider.ledger["assigned"] == 2
    with pytest.raises(InputError, match="没有一起警情能归入派出所（共 2 起）"):
        loads_from_incidents(stations, table(rows), tolerance_m=100)
    tight = loads_from_incidents(stations, table(rows), tolerance_m=100, floor=None)
    assert tight.ledger["assigned"] == 0


def test_unit_name_attribution(stations: gpd.GeoDataFrame) -> None:
    rows: list[dict[str, Any]] = [
        {S.UNIT: "ｒ０ｃ０派出所"},  # full width
        {S.UNIT: "r0c1 所"},
        {S.UNIT: "某某县公安局r0c2派出所"},
        {S.UNIT: "r1c1"},  # the station code
        {S.UNIT: "R2C2"},
        {S.UNIT: "无名派出所"},
        {},
    ]
    with pytest.warns(ZoningWarning, match="71%（5 / 7 起）") as caught:
        result = loads_from_incidents(stations, table(rows))
    assert "无名派出所" in str(caught[0].message)  # the unmatched unit is shown
    assert result.load[["r0c0", "r0c1", "r0c2", "r1c1", "r2c2"]].tolist() == [1.0] * 5
    assert result.ledger["by"]["unit_name"] == 5
    assert result.ledger["unassigned"]["reasons"] == {
        "outside_all_jurisdictions": 0,
        "unknown_unit": 1,
        "no_location": 1,
    }
    # no coordinates: nothing to draw on the heat map
    assert result.incidents[S.LON].isna().all()


def test_unit_rescues_coordinates_far_outside(stations: gpd.GeoDataFrame) -> None:
    rows = [{S.LON: 100.0, S.LAT: 30.0, S.UNIT: "r2c0派出所"}]
    result = loads_from_incidents(stations, table(rows))
    assert result.load["r2c0"] == 1.0 and result.ledger["by"]["unit_name"] == 1


def test_coordinates_decide_and_disagreements_reported(stations: gpd.GeoDataFrame) -> None:
    rows = [{**cell_centre(0, 0), S.UNIT: "r0c0派出所"}]
    rows += [{**cell_centre(1, 1), S.UNIT: "r0c0派出所"}] * 3
    rows += [{**cell_centre(2, 2), S.UNIT: "r0c1派出所"}]
    rows += [{**cell_centre(2, 2), S.UNIT: "外县派出所"}]  # unknown unit: not a disagreement
    result = loads_from_incidents(stations, table(rows))
    assert result.load["r1c1"] == 3.0 and result.load["r0c0"] == 1.0
    assert result.ledger["disagreements"] == {
        "count": 4,
        "top_pairs": [["r0c0派出所", "r1c1", 3], ["r0c1派出所", "r2c2", 1]],
    }


def test_weights_and_unknown_categories(stations: gpd.GeoDataFrame) -> None:
    rows = [{**cell_centre(0, 0), S.CATEGORY: "刑事"}] * 2
    rows += [{**cell_centre(0, 1), S.CATEGORY: "盗窃"}] * 3
    rows += [{**cell_centre(0, 1), S.CATEGORY: "诈骗"}]
    rows += [{**cell_centre(0, 2), S.CATEGORY: "其他"}]
    rows += [{**cell_centre(1, 0), S.CATEGORY: "刑事案件"}]  # contains one canonical name
    rows += [{**cell_centre(1, 1)}]  # no category: 其他, silently
    weights = {"刑事": 3.0, "其他": 0.5}
    with pytest.warns(ZoningWarning, match=r"盗窃（3）") as record:
        result = loads_from_incidents(stations, table(rows), weights=weights)
    assert "诈骗" in str(record[0].message)
    assert result.load["r0c0"] == 6.0
    assert result.load["r0c1"] == 2.0  # 4 unknown incidents weighted as 其他
    assert result.load["r0c2"] == 0.5 and result.load["r1c0"] == 3.0 and result.load["r1c1"] == 0.5
    assert result.by_category.loc["r0c1", "其他"] == 4
    assert result.ledger["unknown_categories"] == {"盗窃": 3, "诈骗": 1}
    assert result.ledger["category_mapping"] == {"刑事案件": "刑事"}
    # a custom category with its own weight is not unknown
    custom = loads_from_incidents(stations, table(rows[2:6]), weights={"盗窃": 2, "诈骗": 1})
    assert custom.load["r0c1"] == 7.0


def test_invalid_weights_rejected(stations: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="刑事=-1"):
        loads_from_incidents(stations, table([cell_centre(0, 0)]), weights={"刑事": -1})


@pytest.mark.parametrize("seed", range(12))
def test_ledger_balances_exactly(stations: gpd.GeoDataFrame, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    cats = np.array([*S.CATEGORIES, None])
    rows = pd.DataFrame(
        {
            S.LON: LON0 - 0.005 + rng.random(n) * (3 * STEP + 0.01),
            S.LAT: LAT0 - 0.005 + rng.random(n) * (3 * STEP + 0.01),
            S.CATEGORY: rng.choice(cats, n),
            S.UNIT: rng.choice(np.array(["r0c0派出所", "r1c2", "别处", None], dtype=object), n),
        }
    )
    rows.loc[rng.random(n) < 0.2, [S.LON, S.LAT]] = np.nan
    weights = {"刑事": 0.1, "治安": 0.7, "交通": 1.3, "纠纷": 1 / 3, "求助": 2.2, "其他": 0.05}
    result = loads_from_incidents(
        stations, table(rows.to_dict("records")), weights=weights, floor=None
    )
    ledger = result.ledger
    assert result.load.sum() == ledger["weighted_total"]
    assert float(np.sum(result.load.to_numpy()[::-1])) == ledger["weighted_total"]
    assert ledger["assigned"] + ledger["unassigned"]["total"] == n
    assert sum(ledger["by"].values()) == ledger["assigned"] == len(result.incidents)
    assert sum(ledger["unassigned"]["reasons"].values()) == ledger["unassigned"]["total"]
    assert result.by_category.to_numpy().sum() == ledger["assigned"]
    assert result.incidents["weight"].sum() == pytest.approx(ledger["weighted_total"])


def test_end_to_end_ledger_and_no_personal_data(stations: gpd.GeoDataFrame, tmp_path: Path) -> None:
    rows = []
    for i in range(12):
        j = i % 10  # rows 10 and 11 repeat rows 0 and 1: two true duplicates
        rows.append(
            {
                "警情编号": f"J{j}",
                "报警时间": f"2024-01-{j + 1:02d} 10:00",
                "警情类别": "治安",
                "经度": LON0 + (0.5 + j % 3) * STEP,
                "纬度": LAT0 + 0.5 * STEP,
                "管辖单位": "r0c0派出所",
                "报警人姓名": "王小明",
                "联系电话": "13912345678",
                "身份证号": "110101199001011234",
                "详细地址": "和平街2号",
            }
        )
    path = tmp_path / "jq.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    incidents = incidents_from_file(path, date_to="2024-01-09")
    result = loads_from_incidents(stations, incidents)
    ledger = result.ledger
    assert ledger["rows_read"] == 12 and ledger["duplicates_dropped"] == 2
    assert ledger["outside_window"] == 1
    assert ledger["assigned"] + ledger["duplicates_dropped"] + ledger["outside_window"] == 12
    assert ledger["disagreements"]["count"] == 6
    assert result.load.sum() == ledger["weighted_total"] == 9.0
    assert set(result.incidents.columns) >= {S.STATION_ID, "weight", S.LON, S.LAT, S.TIME}
    for frame in (incidents.frame, result.incidents, result.by_category):
        text = set(frame.astype(str).to_numpy().ravel()) | set(map(str, frame.columns))
        assert not text & {"王小明", "13912345678", "110101199001011234", "和平街2号"}
        assert not text & {"报警人姓名", "联系电话", "身份证号", "详细地址"}
    assert sorted(ledger["personal_columns_dropped"]) == sorted(
        ["报警人姓名", "联系电话", "身份证号", "详细地址"]
    )
    json.dumps(ledger)


def test_loads_from_column(stations: gpd.GeoDataFrame) -> None:
    result = loads_from_column(stations, "警情量", source="grid.geojson")
    assert result.load["r2c2"] == 18.0
    assert result.load.sum() == result.ledger["weighted_total"] == sum(range(10, 19))
    assert result.incidents.empty and (result.by_category.to_numpy() == 0).all()
    json.dumps(result.ledger)


def test_loads_from_column_missing_lists_columns(stations: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="警情数") as info:
        loads_from_column(stations, "警情数", source="grid.geojson")
    assert "警情量" in str(info.value) and "grid.geojson" in str(info.value)


def test_loads_from_column_bad_values_named(tmp_path: Path) -> None:
    gdf = grid_stations()
    gdf["警情量"] = gdf["警情量"].astype(object)
    gdf.loc[1, "警情量"] = "很多"
    gdf.loc[5, "警情量"] = -3
    gdf.loc[7, "警情量"] = None
    path = tmp_path / "bad.geojson"
    gdf.to_file(path)
    st = stations_from_file(path)
    with pytest.raises(InputError) as info:
        loads_from_column(st, "警情量")
    assert "r0c1" in str(info.value) and "r1c2" in str(info.value)
    gdf.loc[[1, 5], "警情量"] = 1
    gdf.to_file(path)
    st = stations_from_file(path)
    with pytest.warns(ZoningWarning, match="r2c1"):
        result = loads_from_column(st, "警情量")
    assert result.load["r2c1"] == 0.0


def test_fractional_column_balances(stations: gpd.GeoDataFrame) -> None:
    st = stations.copy()
    st["负荷"] = np.linspace(0.1, 9.7, len(st))
    result = loads_from_column(st, "负荷")
    assert result.load.sum() == result.ledger["weighted_total"]
    np.testing.assert_allclose(result.load, st["负荷"], atol=1e-6)
