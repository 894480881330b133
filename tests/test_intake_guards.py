"""Reading what careless and hostile inputs look like (issue 10, items 3, 4, 6 and 7).

True duplicates only, counts as counts, load columns that exist, BOM + GBK,
zipped exports, tables given as stations, multi-layer GeoPackages, huge files,
empty id columns, unusual name columns and ambiguous station references.
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from tests.conftest import grid_incidents, grid_stations
from zoning import _schema as S
from zoning import settings
from zoning.errors import InputError, ZoningWarning
from zoning.io.incidents import incidents_from_file
from zoning.io.stations import find_station, stations_from_file
from zoning.load import loads_from_column, loads_from_incidents


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def stations(grid_file: Path) -> gpd.GeoDataFrame:
    return stations_from_file(grid_file)


# ------------------------------------------------------------------ duplicates


def test_only_true_duplicates_are_dropped(tmp_path: Path) -> None:
    first = grid_incidents(10)
    again = first.iloc[[0, 1]].copy()  # the same alarms recorded again, minutes later
    again["报警时间"] = (pd.to_datetime(again["报警时间"]) + pd.Timedelta(minutes=7)).astype(str)
    second = grid_incidents(10, seed=1)  # a second export that restarted its numbering
    second["报警时间"] = (pd.to_datetime(second["报警时间"]) + pd.Timedelta(days=30)).astype(str)
    path = write(pd.concat([first, again, second]), tmp_path / "two.csv")
    with pytest.warns(ZoningWarning) as caught:
        table = incidents_from_file(path)
    ledger = table.ledger
    assert ledger["rows_read"] == 22 and ledger["duplicates_dropped"] == 2
    assert len(table.frame) == 20  # the second export is kept, not half the data lost
    assert ledger["duplicate_ids_kept"] == {
        "ids": 10,
        "rows": 20,
        "examples": ["J00000", "J00001", "J00002", "J00003", "J00004"],
    }
    message = str(caught[0].message)
    assert "10 个警情编号各对应多条内容不同的记录（共 20 行，如 J00000" in message


def test_same_id_same_place_a_day_apart_is_two_incidents(tmp_path: Path) -> None:
    frame = grid_incidents(2)
    frame.loc[1] = frame.loc[0]
    frame.loc[1, "报警时间"] = "2024-01-02 00:00"
    with pytest.warns(ZoningWarning, match="1 个警情编号"):
        table = incidents_from_file(write(frame, tmp_path / "jq.csv"))
    assert len(table.frame) == 2 and table.ledger["duplicates_dropped"] == 0


# ------------------------------------------------------------------ counts


def statistics(tmp_path: Path) -> Path:
    names = [f"r{r}c{c}派出所" for r in range(3) for c in range(3)]
    counts = [100 + 10 * i for i in range(9)]
    return write(pd.DataFrame({"管辖单位": names, "警情数": counts}), tmp_path / "stats.csv")


def test_a_statistics_table_counts_its_counts(stations: gpd.GeoDataFrame, tmp_path: Path) -> None:
    with pytest.warns(ZoningWarning, match="按统计表读取.*9 行，共 1,260 起"):
        table = incidents_from_file(statistics(tmp_path))
    result = loads_from_incidents(stations, table)
    assert result.load["r0c0"] == 100 and result.load["r2c2"] == 180
    assert result.load.sum() == result.ledger["weighted_total"] == 1260  # not 9 rows
    assert result.ledger["count_column"] == "警情数" and result.ledger["counts_as_weights"]
    assert result.ledger["incidents_total"] == 1260 == result.ledger["incidents_assigned"]
    assert int(result.by_category.to_numpy().sum()) == 1260


def test_counts_and_category_weights_multiply(stations: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"管辖单位": ["r0c0派出所", "r0c0派出所"], "警情类别": ["刑事", "治安"], "起数": [3, 5]}
    )
    with pytest.warns(ZoningWarning, match="起数"):
        table = incidents_from_file(write(frame, tmp_path / "s.csv"))
    result = loads_from_incidents(stations, table, weights={"刑事": 2})
    assert result.load["r0c0"] == 3 * 2 + 5 * 1


def test_bad_counts_are_named(tmp_path: Path) -> None:
    frame = pd.DataFrame({"管辖单位": ["r0c0派出所", "r0c1派出所"], "数量": ["12", "很多"]})
    with pytest.raises(InputError, match="计数列“数量”第 2 行不是非负数"):
        incidents_from_file(write(frame, tmp_path / "s.csv"))


# ------------------------------------------------------------------ load columns


def test_an_internal_name_is_not_a_load_column(tmp_path: Path) -> None:
    grid_stations().drop(columns=["户籍人口"]).to_file(tmp_path / "st.geojson")
    st = stations_from_file(tmp_path / "st.geojson")
    with pytest.raises(InputError) as info:
        loads_from_column(st, "population")  # zoning's own (empty) column, not the file's
    message = str(info.value)
    assert "找不到警情量列“population”" in message and "警情量" in message
    assert "station_name" not in message  # only the file's own columns are offered


def test_a_canonical_name_the_file_maps_reads_that_column(stations: gpd.GeoDataFrame) -> None:
    result = loads_from_column(stations, "population")  # the grid maps 户籍人口 → population
    assert result.ledger["load_column"] == "户籍人口" and result.load["r0c0"] == 10000


def test_an_empty_load_column_fails(tmp_path: Path) -> None:
    grid = grid_stations()
    grid["警情量"] = None
    grid.to_file(tmp_path / "st.geojson")
    st = stations_from_file(tmp_path / "st.geojson")
    with pytest.raises(InputError, match="警情量列“警情量”全部为空"):
        loads_from_column(st, "警情量")


# ------------------------------------------------------------------ encodings and archives


def test_a_bom_before_a_gbk_body_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + grid_incidents(5).to_csv(index=False).encode("gbk"))
    with pytest.warns(ZoningWarning, match="正文是 GBK"):
        table = incidents_from_file(path)
    assert table.ledger["encoding"] == "BOM+GB18030"
    assert table.ledger["columns"][S.UNIT] == "管辖单位"
    assert table.frame[S.UNIT].iloc[0].endswith("派出所")


def test_a_zipped_csv_is_read(tmp_path: Path) -> None:
    write(grid_incidents(8), tmp_path / "jq.csv")
    with zipfile.ZipFile(tmp_path / "jq.zip", "w") as archive:
        archive.write(tmp_path / "jq.csv", "导出/jq.csv")
    table = incidents_from_file(tmp_path / "jq.zip")
    assert len(table.frame) == 8 and table.frame[S.LON].notna().all()


def test_a_zip_with_several_tables_lists_them(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", "x\n1\n")
        archive.writestr("b.xlsx", b"")
    with pytest.raises(InputError, match=r"应正好有一个数据文件.*a\.csv、b\.xlsx"):
        incidents_from_file(tmp_path / "two.zip")


def test_a_huge_file_is_refused_with_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(grid_incidents(2000), tmp_path / "big.csv")
    monkeypatch.setattr(settings, "max_input_mb", 0.01)
    with pytest.raises(InputError) as info:
        incidents_from_file(path)
    assert "big.csv：文件大小" in str(info.value) and "超过读取上限 10.2 KB" in str(info.value)


def test_a_huge_road_file_is_refused_before_osmnx_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from zoning.centers.roads import graph_from_file

    road = Path(__file__).parent / "data" / "roads" / "MissionTown.graphml"
    monkeypatch.setattr(settings, "max_input_mb", 0.01)
    with pytest.raises(InputError) as info:
        graph_from_file(road)
    assert "MissionTown.graphml：文件大小" in str(info.value)


# ------------------------------------------------------------------ stations files


def test_stations_as_an_excel_table_point_to_jurisdictions(tmp_path: Path) -> None:
    grid_stations().drop(columns="geometry").to_excel(tmp_path / "st.xlsx", index=False)
    with pytest.raises(InputError) as info:
        stations_from_file(tmp_path / "st.xlsx")
    assert "没有几何图形的表格" in str(info.value) and "zoning jurisdictions" in str(info.value)


def geopackage(path: Path, *, second_polygons: bool = False) -> Path:
    grid = grid_stations()
    outline = gpd.GeoDataFrame({"名称": ["示例县"]}, geometry=[grid.union_all()], crs=4326)
    outline.to_file(path, layer="县界", driver="GPKG")  # the first layer: one polygon
    grid.to_file(path, layer="派出所辖区", driver="GPKG")
    if second_polygons:
        grid.iloc[:4].to_file(path, layer="旧辖区", driver="GPKG")
    return path


def test_a_county_outline_first_is_not_read_as_one_station(tmp_path: Path) -> None:
    path = geopackage(tmp_path / "county.gpkg")
    with pytest.warns(ZoningWarning, match="已读取“派出所辖区”"):
        st = stations_from_file(path)
    assert len(st) == 9
    with pytest.raises(InputError, match="只有 1 个面，像是县界"):
        stations_from_file(path, layer="县界")


def test_several_candidate_layers_are_listed(tmp_path: Path) -> None:
    path = geopackage(tmp_path / "county.gpkg", second_polygons=True)
    with pytest.raises(InputError) as info:
        stations_from_file(path)
    message = str(info.value)
    assert "文件有 3 个图层" in message and "“旧辖区”（Polygon，4 个要素）" in message
    assert "--layer" in message
    assert len(stations_from_file(path, layer="旧辖区")) == 4
    with pytest.raises(InputError, match="没有名为“新辖区”的图层"):
        stations_from_file(path, layer="新辖区")


# ------------------------------------------------------------------ columns


def test_an_empty_id_column_is_passed_over(tmp_path: Path) -> None:
    grid = grid_stations().drop(columns="所代码")
    grid.insert(0, "编号", None)  # an alias, but empty
    grid.insert(1, "code", [f"c{i}" for i in range(9)])  # a later alias, filled
    grid.to_file(tmp_path / "st.geojson")
    with pytest.warns(ZoningWarning, match="列 编号 全部为空"):
        st = stations_from_file(tmp_path / "st.geojson")
    assert list(st.index[:2]) == ["c0", "c1"]


def test_a_partly_empty_id_column_suggests_the_column_options(tmp_path: Path) -> None:
    grid = grid_stations()
    grid.loc[3, "所代码"] = None
    grid.to_file(tmp_path / "st.geojson")
    with pytest.raises(InputError) as info:
        stations_from_file(tmp_path / "st.geojson")
    assert "第 4 行编号为空" in str(info.value)
    assert "--id-column" in str(info.value) and "--name-column" in str(info.value)


@pytest.mark.parametrize("column", ["TOWNNAME", "NAME", "XZMC", "乡镇名称"])
def test_township_name_columns_are_recognised(tmp_path: Path, column: str) -> None:
    grid_stations().rename(columns={"派出所": column}).to_file(tmp_path / "st.geojson")
    st = stations_from_file(tmp_path / "st.geojson")
    assert st[S.STATION_NAME].iloc[0] == "r0c0派出所"


def test_an_unknown_name_column_is_used_with_a_warning(tmp_path: Path) -> None:
    grid_stations().rename(columns={"派出所": "TOWNNAME_1"}).to_file(tmp_path / "st.geojson")
    with pytest.warns(ZoningWarning, match="把列“TOWNNAME_1”作为派出所名称.*--name-column"):
        st = stations_from_file(tmp_path / "st.geojson")
    assert st[S.STATION_NAME].iloc[0] == "r0c0派出所"


def test_no_name_column_names_the_candidates(tmp_path: Path) -> None:
    grid_stations().rename(columns={"派出所": "备注"}).to_file(tmp_path / "st.geojson")
    with pytest.warns(ZoningWarning, match="将以编号命名。可能的名称列：备注"):
        st = stations_from_file(tmp_path / "st.geojson")
    assert (st[S.STATION_NAME] == st[S.STATION_ID]).all()


# ------------------------------------------------------------------ references


def test_an_id_that_is_another_station_s_name_is_ambiguous(tmp_path: Path) -> None:
    grid = grid_stations()
    grid.loc[0, "派出所"] = "r2c2"  # station r0c0 is *named* like station r2c2's id
    grid.loc[8, "派出所"] = "南山派出所"
    grid.to_file(tmp_path / "st.geojson")
    st = stations_from_file(tmp_path / "st.geojson")
    with pytest.raises(InputError) as info:
        find_station(st, "r2c2", what="城关所")
    assert str(info.value) == (
        "城关所“r2c2”有歧义：它可以指 r2c2（南山派出所）、r0c0（r2c2）"
        "（一个所的编号是另一个所的名称）。请写出完整的编号或名称以区分。"
    )
    assert find_station(st, "南山") == "r2c2" and find_station(st, "r1c1派出所") == "r1c1"
