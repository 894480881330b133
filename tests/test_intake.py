"""Reading stations and incidents (zoning.io.stations): encodings, aliases, CRS, validation."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from tests.conftest import LAT0, LON0, STEP, grid_stations
from zoning import _schema as S
from zoning._i18n import set_language
from zoning.errors import InputError, ZoningWarning
from zoning.io.crs import wgs84_to_bd09, wgs84_to_gcj02
from zoning.io.incidents import incidents_from_file
from zoning.io.stations import (
    check_coverage,
    find_station,
    normalize_station_name,
    stations_from_file,
)

DATA = Path(__file__).parent / "data" / "intake"


def write_shapefile(gdf: gpd.GeoDataFrame, path: Path, *, encoding: str = "GBK") -> Path:
    pyogrio.write_dataframe(gdf, path, encoding=encoding)
    return path


def set_language_driver(shp: Path, value: int) -> None:
    with shp.with_suffix(".dbf").open("r+b") as handle:
        handle.seek(29)
        handle.write(bytes([value]))


def centres(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    points = shapely.centroid(np.asarray(gdf.geometry.values))
    return shapely.get_x(points), shapely.get_y(points)


def small_grid() -> gpd.GeoDataFrame:
    """The 3×3 grid with only columns whose GBK names fit a dBase field name."""
    return grid_stations()[["所代码", "派出所", "户籍人口", "城关", "geometry"]]


# ----------------------------------------------------------------- stations


def test_geojson_aliases_give_canonical_columns(grid_file: Path) -> None:
    st = stations_from_file(grid_file)
    assert st.crs.to_epsg() == 4326
    assert list(st.index) == [f"r{r}c{c}" for r in range(3) for c in range(3)]
    assert list(st.columns[:9]) == [
        S.STATION_ID,
        S.STATION_NAME,
        S.POPULATION,
        S.OFFICERS,
        S.HAS_CASE_AREA,
        S.COMMUNITIES,
        S.IS_URBAN_CORE,
        S.SEAT_LON,
        S.SEAT_LAT,
    ]
    assert st.loc["r1c1", S.STATION_NAME] == "r1c1派出所"
    assert st.loc["r1c1", S.POPULATION] == 14000.0
    assert st.loc["r0c2", S.OFFICERS] == 7.0
    assert st[S.HAS_CASE_AREA].dtype == bool and st.loc["r0c0", S.HAS_CASE_AREA]
    assert st[S.IS_URBAN_CORE].sum() == 1 and st.loc["r1c1", S.IS_URBAN_CORE]
    assert st.loc["r2c2", S.COMMUNITIES] == 13.0
    # every original column is kept, so a load column can be read later
    assert st.loc["r0c1", "警情量"] == 11
    # the seat defaults to a point inside the polygon
    seats = gpd.points_from_xy(st[S.SEAT_LON], st[S.SEAT_LAT])
    assert all(g.contains(p) for g, p in zip(st.geometry, seats, strict=True))


def test_explicit_mapping_and_seat_columns(tmp_path: Path) -> None:
    gdf = grid_stations().rename(columns={"户籍人口": "人数", "所代码": "机构码"})
    gdf["人口"] = 1  # an alias the explicit mapping must override
    gdf["驻地经度"], gdf["驻地纬度"] = centres(gdf)
    gdf["驻地经度"] += 0.001
    path = tmp_path / "st.geojson"
    gdf.to_file(path)
    st = stations_from_file(path, id_column="机构码", columns={"population": "人数"})
    assert st.loc["r0c0", S.POPULATION] == 10000.0
    assert st.loc["r0c0", S.SEAT_LON] == pytest.approx(LON0 + STEP / 2 + 0.001)


def test_aliases_case_insensitive_and_booleans(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {
            " Code ": ["a", "b", "c", "d", "e", "f"],
            "NAME": ["甲所", "乙所", "丙所", "丁所", "戊所", "己所"],
            "村(社区)数": [1, 2, 3, 4, 5, 6],  # half-width brackets match 村（社区）数
            "民警数": ["1", "2", "3", "４", "5", ""],  # text and full-width digits
            "Case_Area": ["有", "无", "Y", "n", "TRUE", 0],
            "Urban_Core": ["否", "否", "否", "否", "否", "是"],
        },
        geometry=[box(LON0 + i * STEP, LAT0, LON0 + (i + 1) * STEP, LAT0 + STEP) for i in range(6)],
        crs=4326,
    )
    path = tmp_path / "st.gpkg"
    gdf.to_file(path, driver="GPKG")
    st = stations_from_file(path)
    assert list(st.index) == ["a", "b", "c", "d", "e", "f"]
    assert st[S.HAS_CASE_AREA].tolist() == [True, False, True, False, True, False]
    assert st[S.IS_URBAN_CORE].tolist() == [False] * 5 + [True]
    assert st[S.POPULATION].isna().all()
    assert st[S.COMMUNITIES].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert st[S.OFFICERS].tolist()[:5] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert np.isnan(st.loc["f", S.OFFICERS])


def test_bad_boolean_is_an_input_error(tmp_path: Path) -> None:
    gdf = grid_stations()
    gdf.loc[4, "办案区"] = "也许"
    path = tmp_path / "st.geojson"
    gdf.to_file(path)
    with pytest.raises(InputError, match="r1c1") as info:
        stations_from_file(path)
    assert "办案区" in str(info.value)


def test_missing_id_column_derives_ids_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "st.geojson"
    grid_stations().drop(columns=["所代码"]).to_file(path)
    with pytest.warns(ZoningWarning, match="编号"):
        st = stations_from_file(path)
    assert st.index[0] == "r0c0派出所"
    assert find_station(st, "r0c0") == "r0c0派出所"


def test_missing_name_column_uses_ids(tmp_path: Path) -> None:
    path = tmp_path / "st.geojson"
    grid_stations().drop(columns=["派出所"]).to_file(path)
    with pytest.warns(ZoningWarning, match="--name-column"):  # zones would get code names
        st = stations_from_file(path)
    assert (st[S.STATION_NAME] == st[S.STATION_ID]).all()


def test_gbk_shapefile_without_cpg_is_detected(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "gbk.shp")
    shp.with_suffix(".cpg").unlink()
    set_language_driver(shp, 0)
    with pytest.warns(ZoningWarning, match="GB18030"):
        st = stations_from_file(shp)
    assert st.loc["r1c1", S.STATION_NAME] == "r1c1派出所"
    assert st.loc["r1c1", S.POPULATION] == 14000.0
    assert st.loc["r1c1", S.IS_URBAN_CORE]


def test_ansi_language_driver_is_detected_with_warning(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "ansi.shp")
    shp.with_suffix(".cpg").unlink()
    set_language_driver(shp, 0x57)
    with pytest.warns(ZoningWarning, match="GB18030"):
        st = stations_from_file(shp)
    assert st.loc["r2c2", S.STATION_NAME] == "r2c2派出所"


def test_language_driver_byte_gbk_is_honoured(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "ldid.shp")
    shp.with_suffix(".cpg").unlink()
    set_language_driver(shp, 0x4D)
    st = stations_from_file(shp)  # declared: no warning
    assert st.loc["r0c0", S.STATION_NAME] == "r0c0派出所"


def test_cpg_is_honoured(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "cpg.shp")
    assert shp.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    st = stations_from_file(shp)
    assert st.loc["r0c1", S.STATION_NAME] == "r0c1派出所"


def test_wrong_cpg_falls_back_with_warning(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "liar.shp")
    shp.with_suffix(".cpg").write_text("UTF-8")
    with pytest.warns(ZoningWarning, match="UTF-8"):
        st = stations_from_file(shp)
    assert st.loc["r0c1", S.STATION_NAME] == "r0c1派出所"


def test_utf8_shapefile_without_cpg(tmp_path: Path) -> None:
    gdf = small_grid().rename(columns={"所代码": "code", "派出所": "name", "户籍人口": "pop"})
    shp = write_shapefile(gdf.drop(columns=["城关"]), tmp_path / "u8.shp", encoding="UTF-8")
    shp.with_suffix(".cpg").unlink()
    with pytest.warns(ZoningWarning, match="UTF-8"):
        st = stations_from_file(shp)
    assert st.loc["r2c0", S.STATION_NAME] == "r2c0派出所"


def test_gbk_geojson_is_detected(tmp_path: Path) -> None:
    utf8 = tmp_path / "u.geojson"
    grid_stations().to_file(utf8)
    gbk = tmp_path / "gbk.geojson"
    gbk.write_bytes(utf8.read_text(encoding="utf-8").encode("gbk"))
    with pytest.warns(ZoningWarning, match="GB18030"):
        st = stations_from_file(gbk)
    assert st.loc["r2c1", S.STATION_NAME] == "r2c1派出所"
    assert st.loc["r1c1", S.IS_URBAN_CORE]


def test_cgcs2000_geographic_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "cgcs.gpkg"
    grid_stations().set_crs(4490, allow_override=True).to_file(path, driver="GPKG")
    st = stations_from_file(path)
    assert st.crs.to_epsg() == 4326
    assert st.total_bounds[0] == pytest.approx(LON0, abs=1e-6)


def test_gauss_kruger_zone_file_is_reprojected(tmp_path: Path) -> None:
    path = tmp_path / "gk.gpkg"
    grid_stations().to_crs(4527).to_file(path, driver="GPKG")
    st = stations_from_file(path)
    assert st.crs.to_epsg() == 4326
    np.testing.assert_allclose(
        st.total_bounds, [LON0, LAT0, LON0 + 3 * STEP, LAT0 + 3 * STEP], atol=1e-7
    )


def test_missing_crs_in_degrees_is_guessed_with_warning(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid(), tmp_path / "noprj.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.warns(ZoningWarning, match="EPSG:4326"):
        st = stations_from_file(shp)
    assert st.crs.to_epsg() == 4326


def test_missing_crs_with_zone_prefix_is_guessed(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid().to_crs(4527), tmp_path / "zone39.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.warns(ZoningWarning, match="EPSG:4527"):
        st = stations_from_file(shp)
    assert st.total_bounds[0] == pytest.approx(LON0, abs=1e-7)


def test_six_digit_easting_needs_a_crs(tmp_path: Path) -> None:
    shp = write_shapefile(small_grid().to_crs(4547), tmp_path / "cm114.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="crs"):
        stations_from_file(shp)
    st = stations_from_file(shp, crs="EPSG:4547")
    assert st.total_bounds[1] == pytest.approx(LAT0, abs=1e-7)


def test_six_digit_easting_meridian_inferred_from_seats(tmp_path: Path) -> None:
    gdf = small_grid()
    gdf["驻地经度"], gdf["驻地纬度"] = centres(gdf)
    shp = write_shapefile(gdf.to_crs(4547), tmp_path / "seats.shp")
    shp.with_suffix(".prj").unlink()
    with pytest.warns(ZoningWarning, match="EPSG:4547"):
        st = stations_from_file(shp)
    assert st.total_bounds[0] == pytest.approx(LON0, abs=1e-7)


def test_invalid_polygon_is_repaired_with_warning(tmp_path: Path) -> None:
    gdf = grid_stations()
    x0, y0, x1, y1 = gdf.geometry[0].bounds
    ym = (y0 + y1) / 2
    spike = Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, ym), (x0 - 0.002, ym), (x0, ym)])
    assert not spike.is_valid
    gdf.loc[0, "geometry"] = spike
    path = tmp_path / "spike.geojson"
    gdf.to_file(path)
    with pytest.warns(ZoningWarning, match="r0c0"):
        st = stations_from_file(path)
    assert st.geometry.is_valid.all()
    assert st.loc["r0c0"].geometry.symmetric_difference(box(x0, y0, x1, y1)).area < 1e-12


def test_overlap_and_gap_are_reported(tmp_path: Path) -> None:
    gdf = grid_stations()
    cell = gdf.geometry[4]
    gdf.loc[4, "geometry"] = box(*(np.array(cell.bounds) + np.array([0.002, 0, 0.002, 0])))
    messages = check_coverage(gdf.set_index("所代码"))
    assert any("r1c1" in m and "r1c2" in m and "重叠" in m for m in messages)
    assert any("空隙" in m and "r1c0" in m for m in messages)
    path = tmp_path / "overlap.geojson"
    gdf.to_file(path)
    with pytest.warns(ZoningWarning, match="重叠"):
        stations_from_file(path)


def test_small_slivers_are_ignored() -> None:
    gdf = grid_stations()
    cell = gdf.geometry[4]
    # 1e-6° ≈ 0.1 m × 1.1 km ≈ 110 m², under the 1,000 m² tolerance
    gdf.loc[4, "geometry"] = box(*(np.array(cell.bounds) + np.array([1e-6, 0, 1e-6, 0])))
    assert check_coverage(gdf.set_index("所代码")) == []


def test_duplicate_ids_and_missing_column_in_one_error(tmp_path: Path) -> None:
    gdf = grid_stations()
    gdf.loc[1, "所代码"] = "r0c0"
    gdf.loc[3, "派出所"] = "r0c0派出所"
    path = tmp_path / "dup.geojson"
    gdf.to_file(path)
    with pytest.raises(InputError) as info:
        stations_from_file(path, columns={"population": "总人口"})
    problems = info.value.problems
    assert len(problems) == 3
    assert all("dup.geojson" in p for p in problems)
    assert any("r0c0" in p and "所代码" in p and "重复" in p for p in problems)
    assert any("总人口" in p and "户籍人口" in p for p in problems)  # lists existing columns
    assert any("名称重复" in p and "r1c0" in p for p in problems)


def test_non_polygon_and_missing_geometry_in_one_error(tmp_path: Path) -> None:
    gdf = grid_stations()
    gdf.loc[2, "geometry"] = Point(LON0, LAT0)
    gdf.loc[5, "geometry"] = None
    path = tmp_path / "mixed.geojson"
    gdf.to_file(path)
    with pytest.raises(InputError) as info:
        stations_from_file(path)
    text = str(info.value)
    assert len(info.value.problems) == 2
    assert "r0c2" in text and "不是面" in text and "r1c2" in text and "缺少几何" in text


def test_bad_number_named_by_station(tmp_path: Path) -> None:
    gdf = grid_stations()
    gdf["户籍人口"] = gdf["户籍人口"].astype(object)
    gdf.loc[7, "户籍人口"] = "很多"
    path = tmp_path / "num.geojson"
    gdf.to_file(path)
    with pytest.raises(InputError, match="r2c1"):
        stations_from_file(path)


def test_empty_unreadable_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError, match="没有任何要素"):
        stations_from_file(empty)
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not json", encoding="utf-8")
    with pytest.raises(InputError, match="无法读取"):
        stations_from_file(junk)
    with pytest.raises(InputError, match="不存在"):
        stations_from_file(tmp_path / "nowhere.geojson")


def test_messages_in_english(tmp_path: Path) -> None:
    set_language("en")
    with pytest.raises(InputError, match="file not found"):
        stations_from_file(tmp_path / "nowhere.geojson")


def test_normalize_and_find_station(grid_file: Path) -> None:
    assert normalize_station_name(" 青山派出所 ") == "青山"
    assert normalize_station_name("城关所") == "城关"
    assert normalize_station_name("Ａ区　派出所") == "A区"
    assert normalize_station_name("派出所") == "派出所"
    st = stations_from_file(grid_file)
    assert find_station(st, "r1c1") == "r1c1"
    assert find_station(st, "ｒ１ｃ１派出所") == "r1c1"
    assert find_station(st, "R1C1 所") == "r1c1"
    assert find_station(st, "某县公安局r2c2派出所") == "r2c2"
    assert find_station(st, "无此所") is None


# ---------------------------------------------------------------- incidents

PERSONAL = {"报警人": "张三", "联系电话": "13800138000", "发案地址": "幸福路1号", "BJRXM": "李四"}


def incident_rows(n: int = 6) -> pd.DataFrame:
    rows = []
    for i in range(n):
        rows.append(
            {
                "警情编号": f"J{i:03d}",
                "报警时间": f"2024-01-{i + 1:02d} 08:30:00",
                "警情类别": ["刑事", "治安", "交通"][i % 3],
                "经度": LON0 + STEP * (0.5 + i % 3),
                "纬度": LAT0 + STEP * 0.5,
                "管辖单位": f"r0c{i % 3}派出所",
                **PERSONAL,
            }
        )
    return pd.DataFrame(rows)


def assert_no_personal(frame: pd.DataFrame) -> None:
    assert not set(PERSONAL) & set(frame.columns)
    cells = set(frame.astype(str).to_numpy().ravel())
    assert not set(PERSONAL.values()) & cells


def test_csv_utf8_aliases_and_personal_columns_dropped(tmp_path: Path) -> None:
    path = tmp_path / "jq.csv"
    incident_rows().to_csv(path, index=False)
    table = incidents_from_file(path)
    assert list(table.frame.columns) == [
        S.INCIDENT_ID,
        S.TIME,
        S.CATEGORY,
        S.LON,
        S.LAT,
        S.UNIT,
        S.COUNT,
    ]
    assert (table.frame[S.COUNT] == 1).all()
    assert_no_personal(table.frame)
    assert sorted(table.ledger["personal_columns_dropped"]) == sorted(PERSONAL)
    assert table.ledger["encoding"] == "UTF-8" and table.ledger["rows_read"] == 6
    assert table.frame[S.TIME].iloc[0] == pd.Timestamp("2024-01-01 08:30")
    assert table.frame[S.LON].iloc[1] == pytest.approx(LON0 + 1.5 * STEP)


def test_csv_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    incident_rows().to_csv(path, index=False, encoding="utf-8-sig")
    table = incidents_from_file(path)
    assert table.ledger["encoding"] == "UTF-8-BOM"
    assert table.frame[S.INCIDENT_ID].iloc[0] == "J000"


def test_csv_gb18030_detected_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    incident_rows().to_csv(path, index=False, encoding="gb18030")
    with pytest.warns(ZoningWarning, match="GB18030"):
        table = incidents_from_file(path)
    assert table.frame[S.UNIT].iloc[2] == "r0c2派出所"
    assert table.frame[S.CATEGORY].iloc[0] == "刑事"


def test_xlsx_incidents(tmp_path: Path) -> None:
    df = incident_rows()
    df["报警时间"] = pd.to_datetime(df["报警时间"])
    path = tmp_path / "jq.xlsx"
    df.to_excel(path, index=False)
    table = incidents_from_file(path)
    assert len(table.frame) == 6
    assert table.frame[S.TIME].iloc[5] == pd.Timestamp("2024-01-06 08:30")
    assert_no_personal(table.frame)


def test_xls_incidents() -> None:
    pytest.importorskip("xlrd")
    table = incidents_from_file(DATA / "incidents.xls")
    assert table.frame[S.INCIDENT_ID].tolist() == ["X001", "X002", "X003"]
    assert np.isnan(table.frame[S.LON].iloc[2])
    assert table.ledger["missing_coordinates"] == 1
    assert_no_personal(table.frame)


def test_xls_without_xlrd_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlrd", None)
    with pytest.raises(InputError, match="xlrd"):
        incidents_from_file(DATA / "incidents.xls")


def test_geojson_points(tmp_path: Path) -> None:
    df = incident_rows()
    gdf = gpd.GeoDataFrame(
        df.drop(columns=["经度", "纬度"]),
        geometry=gpd.points_from_xy(df["经度"], df["纬度"]),
        crs=4326,
    )
    path = tmp_path / "jq.geojson"
    gdf.to_file(path)
    table = incidents_from_file(path)
    assert table.ledger["crs"] == "wgs84" and table.ledger["crs_source"] == "file"
    np.testing.assert_allclose(table.frame[S.LON], df["经度"])
    assert_no_personal(table.frame)


def test_points_in_projected_file_are_reprojected(tmp_path: Path) -> None:
    df = incident_rows()
    gdf = gpd.GeoDataFrame(
        df[["警情编号"]], geometry=gpd.points_from_xy(df["经度"], df["纬度"]), crs=4326
    ).to_crs(4527)
    path = tmp_path / "jq.gpkg"
    gdf.to_file(path, driver="GPKG")
    table = incidents_from_file(path)
    np.testing.assert_allclose(table.frame[S.LAT], df["纬度"], atol=1e-9)


def test_explicit_incident_mapping(tmp_path: Path) -> None:
    df = incident_rows().rename(columns={"经度": "X坐标", "纬度": "Y坐标", "警情编号": "流水号"})
    path = tmp_path / "jq.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(
        path, columns={"lon": "X坐标", "lat": "Y坐标", "incident_id": "流水号"}
    )
    assert table.frame[S.LON].notna().all()
    assert table.frame[S.INCIDENT_ID].iloc[0] == "J000"


def test_missing_required_incident_columns(tmp_path: Path) -> None:
    path = tmp_path / "jq.csv"
    incident_rows()[["警情编号", "报警时间", "报警人"]].to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        incidents_from_file(path)
    text = str(info.value)
    assert "经度" in text and "管辖单位" in text and "警情编号" in text
    assert "报警人" not in text  # personal column names are not echoed back


def test_half_a_coordinate_pair_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    incident_rows().drop(columns=["纬度"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="经度"):
        incidents_from_file(path)


def test_duplicates_dropped_and_counted(tmp_path: Path) -> None:
    df = pd.concat([incident_rows(), incident_rows().iloc[[0, 2]]])
    path = tmp_path / "dup.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(path)
    assert table.ledger["duplicates_dropped"] == 2
    assert len(table.frame) == 6 and table.frame[S.INCIDENT_ID].is_unique


def test_date_window_is_inclusive(tmp_path: Path) -> None:
    df = incident_rows()
    df.loc[5, "报警时间"] = "2024-01-03 23:59:59"
    path = tmp_path / "win.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(path, date_from="2024-01-02", date_to=date(2024, 1, 3))
    assert table.frame[S.INCIDENT_ID].tolist() == ["J001", "J002", "J005"]
    assert table.ledger["outside_window"] == 3
    assert table.ledger["date_to"] == "2024-01-03"
    with pytest.raises(InputError, match="日期"):
        incidents_from_file(path, date_from="2024-02-01", date_to="2024-01-01")


def test_unparseable_times_kept_only_without_window(tmp_path: Path) -> None:
    df = incident_rows()
    df.loc[0, "报警时间"] = "昨天晚上"
    df.loc[1, "报警时间"] = "20240102083000"
    path = tmp_path / "bad_time.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(path)
    assert table.ledger["unparseable_times"] == 1 and len(table.frame) == 6
    assert table.frame[S.TIME].iloc[1] == pd.Timestamp("2024-01-02 08:30")
    table = incidents_from_file(path, date_from="2024-01-01")
    assert len(table.frame) == 5
    assert table.ledger["unparseable_time_dropped"] == 1 and table.ledger["outside_window"] == 0


@pytest.mark.parametrize(
    ("system", "forward"), [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)]
)
def test_obfuscated_coordinates_converted(tmp_path: Path, system: str, forward: object) -> None:
    df = incident_rows()
    x, y = forward(df["经度"].to_numpy(), df["纬度"].to_numpy())  # type: ignore[operator]
    df["经度"], df["纬度"] = x, y
    path = tmp_path / f"{system}.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(path, crs=system)
    assert table.ledger["crs"] == system
    np.testing.assert_allclose(table.frame[S.LON], incident_rows()["经度"], atol=1e-8)
    np.testing.assert_allclose(table.frame[S.LAT], incident_rows()["纬度"], atol=1e-8)


def test_projected_csv_coordinates_guessed_from_zone_prefix(tmp_path: Path) -> None:
    df = incident_rows()
    pts = gpd.GeoSeries(gpd.points_from_xy(df["经度"], df["纬度"]), crs=4326).to_crs(4527)
    df["经度"], df["纬度"] = pts.x.round(3), pts.y.round(3)
    path = tmp_path / "gk.csv"
    df.to_csv(path, index=False)
    with pytest.warns(ZoningWarning, match="EPSG:4527"):
        table = incidents_from_file(path)
    np.testing.assert_allclose(table.frame[S.LON], incident_rows()["经度"], atol=1e-6)
    table = incidents_from_file(path, crs="EPSG:4527")
    assert table.ledger["crs_source"] == "argument"


def test_invalid_and_missing_coordinates_counted(tmp_path: Path) -> None:
    df = incident_rows().astype({"经度": object})
    df.loc[0, "经度"] = "未知"
    df.loc[1, ["经度", "纬度"]] = [0, 0]
    df.loc[2, ["经度", "纬度"]] = [None, None]
    path = tmp_path / "bad_xy.csv"
    df.to_csv(path, index=False)
    table = incidents_from_file(path)
    assert table.ledger["missing_coordinates"] == 3
    assert table.ledger["invalid_coordinates"] == 2
