"""Nothing silent (issue 10, item 2): the attribution floor and what makes coordinates wrong.

Each test is a way a plan used to come out with every load 0, or half the data,
and exit 0: DMS text, Excel serial times saved as text, a window that keeps
nothing, swapped axes, a wrong declared CRS, coordinates far from the county,
names that contradict the polygons, a map in tiny units.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest

from tests.conftest import LAT0, LON0, STEP, grid_incidents, grid_stations
from zoning import _schema as S
from zoning.errors import InputError, ZoningWarning
from zoning.graph import graph_with_links
from zoning.io.incidents import incidents_from_file
from zoning.io.stations import stations_from_file
from zoning.load import loads_from_incidents


@pytest.fixture
def stations(grid_file: Path) -> gpd.GeoDataFrame:
    return stations_from_file(grid_file)


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def dms(value: float, style: str) -> str:
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return {
        "symbols": f"{d}°{m}′{s:.3f}″",
        "chinese": f"{d}度{m}分{s:.3f}秒",
        "colons": f"{d}:{m}:{s:.3f}",
    }[style]


# ------------------------------------------------------------------ the floor


def test_nothing_attributed_fails_with_the_reason_and_the_fix(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(20).drop(columns=["经度", "纬度"])
    frame["管辖单位"] = "外县派出所"
    table = incidents_from_file(write(frame, tmp_path / "jq.csv"))
    with pytest.raises(InputError) as info:
        loads_from_incidents(stations, table)
    assert len(info.value.problems) == 1
    message = info.value.problems[0]
    assert "没有一起警情能归入派出所（共 20 起）" in message
    assert "20 行没有坐标" in message and "外县派出所" in message  # the reason, with an example
    assert "管辖单位列" in message  # and what to check


def test_below_the_floor_warns_with_main_reasons_and_counts(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(100)
    frame.loc[:9, ["经度", "纬度", "管辖单位"]] = np.nan
    table = incidents_from_file(write(frame, tmp_path / "jq.csv"))
    with pytest.warns(ZoningWarning, match="只有 90%（90 / 100 起）") as caught:
        result = loads_from_incidents(stations, table)
    assert "10 行既没有可用坐标也没有管辖单位" in str(caught[0].message)
    assert result.ledger["attributed_share"] == 0.9
    assert result.load.sum() == result.ledger["weighted_total"] == 90


def test_zero_total_load_fails(stations: gpd.GeoDataFrame, tmp_path: Path) -> None:
    table = incidents_from_file(write(grid_incidents(10), tmp_path / "jq.csv"))
    weights = dict.fromkeys(S.CATEGORIES, 0)
    with pytest.raises(InputError, match="权重全为 0"):
        loads_from_incidents(stations, table, weights=weights)


# ------------------------------------------------------- formats that read as nothing


@pytest.mark.parametrize("style", ["symbols", "chinese", "colons"])
def test_dms_coordinates_are_read(stations: gpd.GeoDataFrame, tmp_path: Path, style) -> None:
    frame = grid_incidents(30).drop(columns="管辖单位")
    decimal = loads_from_incidents(stations, incidents_from_file(write(frame, tmp_path / "d.csv")))
    frame["经度"] = [dms(v, style) for v in frame["经度"]]
    frame["纬度"] = [dms(v, style) for v in frame["纬度"]]
    table = incidents_from_file(write(frame, tmp_path / "dms.csv"))
    assert table.ledger["dms_coordinates"] == 30 and table.ledger["invalid_coordinates"] == 0
    result = loads_from_incidents(stations, table)
    assert result.ledger["assigned"] == 30
    assert result.load.to_dict() == decimal.load.to_dict()


def test_excel_serial_times_saved_as_text_honour_the_window(tmp_path: Path) -> None:
    frame = grid_incidents(40)  # 2024-01-01 00:00, six hours apart: 10 days
    stamps = pd.to_datetime(frame["报警时间"])
    frame["报警时间"] = ((stamps - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).map(
        lambda days: f"{days:.5f}"
    )
    table = incidents_from_file(
        write(frame, tmp_path / "serial.csv"), date_from="2024-01-03", date_to="2024-01-04"
    )
    assert table.ledger["unparseable_times"] == 0
    assert len(table.frame) == 8 and table.ledger["outside_window"] == 32
    assert table.frame[S.TIME].min() == pd.Timestamp("2024-01-03")


def test_a_window_that_keeps_nothing_is_a_clear_error(tmp_path: Path) -> None:
    path = write(grid_incidents(10), tmp_path / "jq.csv")
    with pytest.raises(InputError) as info:
        incidents_from_file(path, date_from="2030-01-01", date_to="2030-12-31")
    assert info.value.problems == [
        "jq.csv：统计时段 2030-01-01 – 2030-12-31 内没有警情：文件中的报警时间从 2024-01-01 到 "
        "2024-01-03。请改正 --from/--to（场景文件 date_from/date_to）。"
    ]


def test_unreadable_times_with_a_window_name_the_column(tmp_path: Path) -> None:
    frame = grid_incidents(5)
    frame["报警时间"] = "昨天"
    with pytest.raises(InputError, match="报警时间列“报警时间”中没有一个值能识别为时间"):
        incidents_from_file(write(frame, tmp_path / "jq.csv"), date_from="2024-01-01")


# ------------------------------------------------------------------ swapped axes


def test_latitude_first_columns_are_swapped_with_a_warning(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(30).drop(columns="管辖单位")
    frame["经度"], frame["纬度"] = frame["纬度"].copy(), frame["经度"].copy()
    with pytest.warns(ZoningWarning, match="经度、纬度两列互换了"):
        table = incidents_from_file(write(frame, tmp_path / "swap.csv"))
    assert table.ledger["axes_swapped"] is True
    assert loads_from_incidents(stations, table).ledger["assigned"] == 30


def test_surveyor_order_gauss_kruger_is_recognised(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(30).drop(columns="管辖单位")
    points = gpd.GeoSeries(gpd.points_from_xy(frame["经度"], frame["纬度"]), crs=4326)
    gk = points.to_crs(4527)  # CGCS2000 3° zone 39: easting carries the zone, 39 5xx xxx
    frame = frame.drop(columns=["经度", "纬度"])
    frame["X"], frame["Y"] = gk.y.round(2), gk.x.round(2)  # surveyors: X = northing
    with pytest.warns(ZoningWarning, match="测量坐标顺序"):
        table = incidents_from_file(write(frame, tmp_path / "xy.csv"))
    assert table.ledger["crs"] == "EPSG:4527" and table.ledger["axes_swapped"] is True
    assert loads_from_incidents(stations, table).ledger["assigned"] == 30


# ------------------------------------------------------------ wrong or declared CRS


def test_incidents_far_from_the_county_fail_instead_of_falling_back_to_units(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(30)  # units all match: they used to rescue every row silently
    frame["经度"] -= 3.0  # a central meridian off by one zone
    table = incidents_from_file(write(frame, tmp_path / "west.csv"))
    with pytest.raises(InputError) as info:
        loads_from_incidents(stations, table)
    message = str(info.value)
    assert "警情坐标与辖区对不上" in message and "只有 0% 的警情坐标落在辖区内或附近" in message
    assert "112.2" in message and "115.2" in message  # both extents
    assert "west.csv 的坐标系（现为 wgs84" in message and "grid.geojson 的坐标系" in message


def test_a_wrong_central_meridian_of_the_stations_is_caught(tmp_path: Path) -> None:
    grid = grid_stations()[["所代码", "派出所", "geometry"]].to_crs(4548)  # CM 117E
    grid.set_crs(4547, allow_override=True).to_file(tmp_path / "cm.shp", encoding="UTF-8")
    stations = stations_from_file(tmp_path / "cm.shp")  # declared CM 114E: 3° west
    table = incidents_from_file(write(grid_incidents(30), tmp_path / "jq.csv"))
    with pytest.raises(InputError, match=r"cm\.shp 的坐标系（EPSG:4547"):
        loads_from_incidents(stations, table)


def test_a_gauss_kruger_zone_off_by_one_is_corrected_with_a_warning(tmp_path: Path) -> None:
    grid = grid_stations()[["所代码", "派出所", "geometry"]].to_crs(4527)  # zone 39
    grid.set_crs(4526, allow_override=True).to_file(tmp_path / "gk.shp", encoding="UTF-8")
    with pytest.warns(ZoningWarning, match="横坐标的带号是 39，而坐标系是第 38 带"):
        stations = stations_from_file(tmp_path / "gk.shp")
    np.testing.assert_allclose(stations.total_bounds, [115.2, 27.2, 115.23, 27.23], atol=1e-6)


def test_degrees_declared_as_web_mercator(tmp_path: Path) -> None:
    grid = grid_stations()[["所代码", "派出所", "geometry"]]
    grid.set_crs(3857, allow_override=True).to_file(tmp_path / "deg.shp", encoding="UTF-8")
    with pytest.warns(ZoningWarning, match="坐标值看起来是经纬度"):
        stations = stations_from_file(tmp_path / "deg.shp")
    np.testing.assert_allclose(stations.total_bounds, [115.2, 27.2, 115.23, 27.23], atol=1e-9)
    path = write(grid_incidents(10), tmp_path / "jq.csv")
    with pytest.raises(InputError) as info:
        incidents_from_file(path, crs="EPSG:3857")
    expected = "jq.csv：指定的警情坐标系 EPSG:3857 与坐标值不符：坐标值看起来是经纬度"
    assert expected in str(info.value)
    assert "--incidents-crs" in str(info.value)


def test_points_near_null_island_blame_the_crs(stations: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = grid_incidents(30).drop(columns="管辖单位")
    frame["经度"] = (frame["经度"] - LON0) / 100  # what degrees read as metres look like
    frame["纬度"] = (frame["纬度"] - LAT0) / 100
    table = incidents_from_file(write(frame, tmp_path / "jq.csv"))
    with pytest.raises(InputError, match="0°E 0°N 附近"):
        loads_from_incidents(stations, table)


def test_names_that_contradict_the_polygons_are_warned_about(
    stations: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = grid_incidents(40)
    frame["管辖单位"] = frame["管辖单位"].map(  # every unit is its neighbour's
        {f"r{r}c{c}派出所": f"r{r}c{(c + 1) % 3}派出所" for r in range(3) for c in range(3)}
    )
    table = incidents_from_file(write(frame, tmp_path / "jq.csv"))
    with pytest.warns(ZoningWarning, match="100% 的坐标落在另一个所的辖区"):
        result = loads_from_incidents(stations, table)
    assert result.ledger["disagreements"]["count"] == 40


# ------------------------------------------------------------------ tiny maps


def test_a_map_in_tiny_units_is_a_clear_error(tmp_path: Path) -> None:
    grid = grid_stations().to_crs(3857)
    x0, y0 = grid.total_bounds[:2]
    grid["geometry"] = grid.geometry.scale(0.0015, 0.0015, origin=(x0, y0))  # 5 m wide
    grid.to_file(tmp_path / "tiny.geojson")
    with pytest.raises(InputError) as info:
        stations_from_file(tmp_path / "tiny.geojson")
    assert "全部辖区只有约 4.5 × 5.1 米，不可能是一个县" in str(info.value)
    assert "Pseudo-Mercator" in str(info.value)


def test_many_islands_make_one_warning_not_one_per_station() -> None:
    graph = nx.Graph()
    graph.add_nodes_from(f"s{i}" for i in range(8))  # nobody touches anybody
    positions = {f"s{i}": (float(i) * 1000.0, 0.0) for i in range(8)}
    with pytest.warns(ZoningWarning) as caught:
        work, added, notes = graph_with_links(
            graph,
            core=None,
            forced_links=[],
            forbidden_links=[],
            positions=positions,
            islands="link",
            names={v: f"{v}所" for v in graph},
        )
    assert len(caught) == 1 and len(added) == 7 == len(notes)
    assert "7 处派出所" in str(caught[0].message) and "坐标系" in str(caught[0].message)
    assert nx.is_connected(work)


def test_a_few_islands_are_still_named_one_by_one() -> None:
    graph = nx.path_graph(["a", "b", "c"])
    graph.add_node("d")
    with pytest.warns(ZoningWarning, match="d所 与其他派出所不相邻") as caught:
        graph_with_links(
            graph,
            core=None,
            forced_links=[],
            forbidden_links=[],
            positions={"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (2.0, 0.0), "d": (5.0, 0.0)},
            islands="link",
            names={v: f"{v}所" for v in graph},
        )
    assert len(caught) == 1


def test_the_grid_fixture_lies_where_the_constants_say() -> None:
    """The extents asserted above are those of the grid (guards against fixture drift)."""
    assert tuple(grid_stations().total_bounds) == pytest.approx(
        (LON0, LAT0, LON0 + 3 * STEP, LAT0 + 3 * STEP)
    )
