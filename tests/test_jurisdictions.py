"""``zoning jurisdictions`` (issue 12 item 1): stations from townships or from seats."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
import shapely
from click.testing import CliRunner, Result
from shapely.geometry import box

from tests.conftest import LAT0, LON0, STEP, calls_of
from zoning import _schema as S
from zoning.cli import cli
from zoning.errors import InputError, ZoningWarning
from zoning.io.crs import wgs84_to_gcj02
from zoning.io.jurisdictions import (
    estimate_note,
    stations_from_seats,
    stations_from_townships,
    township_keys,
    write_stations,
)
from zoning.io.stations import stations_from_file

ROADS = Path(__file__).parent / "data" / "roads"

#: A 3×3 grid of townships (row-major from the south-west).
NAMES = [
    ["城关街道", "东城街道", "青山镇"],
    ["石桥乡", "枫林镇", "柳溪镇"],
    ["云峰畲族乡", "白沙镇", "黄岭镇"],
]


def township_grid(names: list[list[str]] = NAMES) -> gpd.GeoDataFrame:
    rows = []
    for r in range(3):
        for c in range(3):
            i = 3 * r + c
            cell = box(
                LON0 + c * STEP, LAT0 + r * STEP, LON0 + (c + 1) * STEP, LAT0 + (r + 1) * STEP
            )
            rows.append(
                {
                    "code": f"36010100{i + 1}",
                    "name": names[r][c],
                    "pop_hukou": 1000 * (i + 1),
                    "n_villages": i + 2,
                    "label_lon": cell.centroid.x,
                    "label_lat": cell.centroid.y,
                    "geometry": cell,
                }
            )
    return gpd.GeoDataFrame(rows, crs=4326)


@pytest.fixture
def townships(tmp_path: Path) -> Path:
    path = tmp_path / "townships.geojson"
    township_grid().to_file(path, driver="GeoJSON")
    return path


#: station → townships as a bureau writes them: suffix variants, a full-width code, separators.
TABLE = """某县派出所与乡镇对照表
所代码,派出所,管辖乡镇（街道）,警力,城关,驻地经度,驻地纬度
P1,城关派出所,城关街道办事处、东城,30,是,115.205,27.205
P2,青山派出所,青山,12,,,
P3,石桥派出所,石桥镇,10,否,,
P4,枫林派出所,枫林地区；３６０１０１００６,15,,,
P5,云峰派出所,云峰乡 白沙镇/黄岭镇,20,,,
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "对照表.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("王平地区", "王平"),
        ("王平镇", "王平"),
        ("大峪街道办事处", "大峪"),
        ("檀营满族蒙古族乡", "檀营"),
        ("云峰畲族乡", "云峰"),
        (" 青 山 乡 ", "青山"),
        ("ＡＢ镇", "ab"),
        ("乡", "乡"),
    ],
)
def test_township_keys(name: str, base: str) -> None:
    assert township_keys(name)[1] == base


def test_stations_from_townships_matches_names_codes_and_variants(
    townships: Path, table: Path
) -> None:
    stations = stations_from_townships(townships, table)
    assert list(stations[S.STATION_ID]) == ["P1", "P2", "P3", "P4", "P5"]
    assert list(stations["townships"]) == [
        "城关街道、东城街道",
        "青山镇",
        "石桥乡",
        "枫林镇、柳溪镇",
        "云峰畲族乡、白沙镇、黄岭镇",
    ]
    assert stations[S.POPULATION].tolist() == [3000, 3000, 4000, 11000, 24000]
    assert stations[S.COMMUNITIES].tolist() == [5, 4, 5, 13, 27]
    assert stations["pop_hukou"].sum() == 45000
    assert stations[S.OFFICERS].tolist() == [30, 12, 10, 15, 20]
    assert stations[S.IS_URBAN_CORE].tolist() == [True, False, False, False, False]
    assert list(stations["seat_source"]) == ["table"] + ["representative_point"] * 4
    assert stations.loc[0, S.SEAT_LON] == 115.205
    assert not stations["approximate"].any()
    assert set(stations["jurisdiction_method"]) == {"townships"}
    assert stations["n_parts"].tolist() == [1] * 5
    # dissolved: each station is one polygon covering exactly its townships
    grid = township_grid()
    assert stations.geometry.union_all().equals(grid.geometry.union_all())
    assert stations.geometry.iloc[4].area == pytest.approx(3 * STEP * STEP)
    for geom, lon, lat in zip(
        stations.geometry, stations[S.SEAT_LON], stations[S.SEAT_LAT], strict=True
    ):
        assert geom.contains(shapely.Point(lon, lat))
    info = stations.attrs["jurisdictions"]
    assert info["columns"]["township"] == "管辖乡镇(街道)"
    assert info["columns"]["population_from"] == "pop_hukou"
    assert info["seats"]["representative_point"] == ["P2", "P3", "P4", "P5"]


def test_the_written_file_is_what_plan_reads(townships: Path, table: Path, tmp_path: Path) -> None:
    out = write_stations(
        stations_from_townships(townships, table), tmp_path / "s.geojson", inputs=[table]
    )
    read = stations_from_file(out)
    assert list(read.index) == ["P1", "P2", "P3", "P4", "P5"]
    assert read[S.POPULATION].tolist() == [3000, 3000, 4000, 11000, 24000]
    assert read[S.IS_URBAN_CORE].tolist() == [True, False, False, False, False]
    assert read[S.OFFICERS].sum() == 87
    assert estimate_note(read) is None


def test_one_row_per_township_with_merged_station_cells_in_excel(
    townships: Path, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["派出所", "乡镇"])
    pairs = [
        ("城关所", "城关街道"),
        (None, "东城街道"),
        ("青山所", "青山镇"),
        ("石桥所", "石桥乡"),
        ("枫林所", "枫林镇"),
        (None, "柳溪镇"),
        ("云峰所", "云峰畲族乡"),
        (None, "白沙镇"),
        (None, "黄岭镇"),
    ]
    for pair in pairs:
        sheet.append(list(pair))
    for rng in ("A2:A3", "A6:A7", "A8:A10"):
        sheet.merge_cells(rng)
    path = tmp_path / "t.xlsx"
    book.save(path)
    stations = stations_from_townships(townships, path)
    assert list(stations[S.STATION_NAME]) == ["城关所", "青山所", "石桥所", "枫林所", "云峰所"]
    assert stations["n_townships"].tolist() == [2, 1, 1, 2, 3]
    # the same table as CSV loses the merges: continuation rows are filled down, with a warning
    csv = tmp_path / "t.csv"
    csv.write_bytes(("派出所,乡镇\n" + "\n".join(f"{a or ''},{b}" for a, b in pairs)).encode("gbk"))
    with pytest.warns(ZoningWarning) as caught:
        again = stations_from_townships(townships, csv)
    text = " ".join(str(w.message) for w in caught)
    assert "续行" in text and "GB18030" in text
    assert again["n_townships"].tolist() == [2, 1, 1, 2, 3]


def test_features_of_one_township_are_one_unit(table: Path, tmp_path: Path) -> None:
    grid = township_grid()
    first = grid.iloc[[0]].copy()
    west, east = first.geometry.iloc[0].bounds[0], first.geometry.iloc[0].bounds[2]
    halves = gpd.GeoDataFrame(
        [first.iloc[0].to_dict(), first.iloc[0].to_dict()],
        geometry=[
            box(west, LAT0, (west + east) / 2, LAT0 + STEP),
            box((west + east) / 2, LAT0, east, LAT0 + STEP),
        ],
        crs=4326,
    )
    halves = halves.drop(columns="geometry").set_geometry(halves.geometry)
    split = gpd.GeoDataFrame(
        [*halves.to_dict("records"), *grid.iloc[1:].to_dict("records")], crs=4326
    )
    path = tmp_path / "split.geojson"
    split.to_file(path, driver="GeoJSON")
    stations = stations_from_townships(path, table)
    assert stations.attrs["jurisdictions"]["n_townships"] == 9
    assert stations.loc[0, S.POPULATION] == 1000 * 2 + 2000  # parts summed once per unit


def test_every_township_problem_is_named_in_one_error(townships: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "派出所,乡镇\n"
        "城关所,城关街道、火星镇\n"  # 火星镇 matches nothing
        "东城所,东城街道、城关街道\n"  # 城关街道 twice
        "青山所,青山镇\n"
        "石桥所,石桥乡、枫林、柳溪\n"
        "空所,\n",  # no township; 云峰、白沙、黄岭 given to nobody
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        stations_from_townships(townships, path)
    problems = info.value.problems
    assert len(problems) == 4, problems
    text = "\n".join(problems)
    assert "火星镇" in text and "找不到" in text
    assert "城关街道：城关所（第 2 行）、东城所（第 3 行）" in text
    assert "云峰畲族乡、白沙镇、黄岭镇" in text and "没有分给任何派出所" in text
    assert "空所" in text and "没有填写乡镇" in text


def test_an_ambiguous_short_name_asks_for_the_full_name(table: Path, tmp_path: Path) -> None:
    names = [row[:] for row in NAMES]
    names[2][2] = "白沙乡"  # now 白沙镇 and 白沙乡
    path = tmp_path / "t.geojson"
    township_grid(names).to_file(path, driver="GeoJSON")
    short = tmp_path / "short.csv"
    short.write_text(TABLE.replace("白沙镇/黄岭镇", "白沙"), encoding="utf-8")
    with pytest.raises(InputError, match=r"不唯一.*白沙.*可能是 白沙镇、白沙乡"):
        stations_from_townships(path, short)
    full = tmp_path / "full.csv"
    full.write_text(TABLE.replace("白沙镇/黄岭镇", "白沙镇、白沙乡"), encoding="utf-8")
    assert stations_from_townships(path, full)["n_townships"].tolist()[-1] == 3


def test_explicit_columns_and_missing_ones(townships: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "单位,片区\n" + "\n".join(f"{n}所,{n}" for row in NAMES for n in row), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"找不到乡镇列。现有的列：单位、片区.*--township-column"):
        stations_from_townships(townships, path)
    stations = stations_from_townships(townships, path, township_column="片区")
    assert len(stations) == 9
    with pytest.raises(InputError, match="找不到指定的乡镇列“辖区”"):
        stations_from_townships(townships, path, township_column="辖区", station_column="单位")


def test_a_station_whose_townships_do_not_touch_is_warned(townships: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "派出所,乡镇\n甲所,城关街道、黄岭镇\n乙所,东城街道、青山镇、石桥乡、枫林镇、柳溪镇、"
        "云峰畲族乡、白沙镇\n",
        encoding="utf-8",
    )
    with pytest.warns(ZoningWarning, match="互不相邻.*甲所"):
        stations = stations_from_townships(townships, path)
    assert stations["n_parts"].tolist() == [2, 1]


def test_seats_in_gcj02_are_converted_and_a_seat_outside_is_warned(
    townships: Path, tmp_path: Path
) -> None:
    lon, lat = wgs84_to_gcj02(115.205, 27.205)
    path = tmp_path / "t.csv"
    path.write_text(TABLE.replace("115.205,27.205", f"{lon[0]:.8f},{lat[0]:.8f}"), encoding="utf-8")
    stations = stations_from_townships(townships, path, seat_crs="gcj02")
    assert stations.loc[0, S.SEAT_LON] == pytest.approx(115.205, abs=1e-7)
    assert stations.attrs["jurisdictions"]["seats"]["crs"] == "gcj02"
    far = tmp_path / "far.csv"
    far.write_text(TABLE.replace("115.205,27.205", "115.3,27.205"), encoding="utf-8")
    with pytest.warns(ZoningWarning, match="驻地在其辖区外.*--seat-crs gcj02"):
        stations_from_townships(townships, far)


# --- from seats ----------------------------------------------------------------------------


def seats_table(path: Path, seats: dict[str, tuple[float, float]], extra: str = "") -> Path:
    lines = [f"派出所,经度,纬度{',' if extra else ''}{extra}"]
    lines += [f"{name},{x},{y}{',' if extra else ''}" for name, (x, y) in seats.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def outline_file(path: Path, geom: shapely.Geometry) -> Path:
    gpd.GeoDataFrame(geometry=[geom], crs=4326).to_file(path, driver="GeoJSON")
    return path


def _unit(x: float, y: float) -> tuple[float, float]:
    return LON0 + x * STEP, LAT0 + y * STEP


def test_voronoi_cells_of_seats_clipped_to_the_outline(tmp_path: Path) -> None:
    outline = outline_file(tmp_path / "县界.geojson", box(*_unit(0, 0), *_unit(4, 4)))
    seats = {"甲所": _unit(1, 1), "乙所": _unit(3, 1), "丙所": _unit(1, 3), "丁所": _unit(3, 3)}
    stations = stations_from_seats(seats_table(tmp_path / "seats.csv", seats), outline)
    assert stations["approximate"].all()
    assert set(stations["jurisdiction_method"]) == {"voronoi"}
    assert stations["area_km2"].round(0).nunique() == 1  # four equal quarters
    union = stations.geometry.union_all()
    assert union.symmetric_difference(box(*_unit(0, 0), *_unit(4, 4))).area < 1e-15
    assert stations.is_valid.all()
    for geom, (x, y) in zip(stations.geometry, seats.values(), strict=True):
        assert geom.geom_type == "Polygon" and geom.contains(shapely.Point(x, y))
    assert estimate_note(stations).startswith("辖区为估算")


def test_a_cell_cut_off_by_a_concave_outline_joins_its_neighbour(tmp_path: Path) -> None:
    # a U: the right arm's top is nearer to the left arm's seat than to any other
    u = box(*_unit(0, 0), *_unit(3, 3)).difference(box(*_unit(1, 1), *_unit(2, 3)))
    outline = outline_file(tmp_path / "u.geojson", u)
    seats = {"左上": _unit(0.5, 2.8), "左下": _unit(0.5, 0.5), "右下": _unit(2.5, 0.3)}
    stations = stations_from_seats(seats_table(tmp_path / "s.csv", seats), outline)
    assert stations.attrs["jurisdictions"]["pieces_moved"] >= 1
    for geom, (x, y) in zip(stations.geometry, seats.values(), strict=True):
        assert geom.geom_type == "Polygon", geom.geom_type
        assert geom.contains(shapely.Point(x, y))
    assert stations.geometry.union_all().symmetric_difference(u).area < 1e-15
    assert stations.is_valid.all()


def test_an_address_column_is_not_geocoded(tmp_path: Path) -> None:
    outline = outline_file(tmp_path / "o.geojson", box(*_unit(0, 0), *_unit(4, 4)))
    only = tmp_path / "address.csv"
    only.write_text("派出所,驻地地址\n甲所,某县城关镇人民路1号\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"不做地址解析.*经度、纬度"):
        stations_from_seats(only, outline)
    some = tmp_path / "some.csv"
    some.write_text(
        f"派出所,经度,纬度,地址\n甲所,{_unit(1, 1)[0]},{_unit(1, 1)[1]},x\n乙所,,,某路2号\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="派出所 乙所 只有地址"):
        stations_from_seats(some, outline)


def test_every_seat_problem_is_named(tmp_path: Path) -> None:
    outline = outline_file(tmp_path / "o.geojson", box(*_unit(0, 0), *_unit(4, 4)))
    seats = {"甲所": _unit(1, 1), "乙所": _unit(1, 1), "丙所": _unit(40, 40)}
    with pytest.raises(InputError) as info:
        stations_from_seats(seats_table(tmp_path / "s.csv", seats), outline)
    text = "\n".join(info.value.problems)
    assert "甲所、乙所 的驻地坐标相同" in text
    assert "丙所" in text and "县界外很远" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("派出所,经度,纬度\n甲所,东经115度,27.2\n", encoding="utf-8")
    with pytest.raises(InputError, match="第 2 行的驻地坐标不是数字"):
        stations_from_seats(bad, outline)
    near = {"甲所": _unit(1, 1), "乙所": _unit(5.5, 1)}  # about 1.5 km outside
    with pytest.warns(ZoningWarning, match="驻地在县界外：乙所（1.5 km）"):
        stations_from_seats(seats_table(tmp_path / "n.csv", near), outline)


def test_seats_in_bd09(tmp_path: Path) -> None:
    from zoning.io.crs import wgs84_to_bd09

    outline = outline_file(tmp_path / "o.geojson", box(*_unit(0, 0), *_unit(4, 4)))
    wgs = {"甲所": _unit(1, 1), "乙所": _unit(3, 3)}
    bd = {k: tuple(float(v[0]) for v in wgs84_to_bd09(*xy)) for k, xy in wgs.items()}
    stations = stations_from_seats(seats_table(tmp_path / "s.csv", bd), outline, seat_crs="bd09")
    assert np.allclose(stations[[S.SEAT_LON, S.SEAT_LAT]].to_numpy(), list(wgs.values()), atol=1e-7)


@pytest.mark.slow
def test_cells_by_road_travel_time_on_a_real_network(tmp_path: Path) -> None:
    real = gpd.read_file(ROADS / "stations.geojson")
    outline = outline_file(tmp_path / "o.geojson", real.geometry.union_all())
    seats = dict(
        zip(real["派出所"], zip(real["驻地经度"], real["驻地纬度"], strict=True), strict=True)
    )
    table = seats_table(tmp_path / "s.csv", seats)
    stations = stations_from_seats(table, outline, roads=ROADS / "MissionTown.graphml")
    assert set(stations["jurisdiction_method"]) == {"roads"}
    info = stations.attrs["jurisdictions"]["road_network"]
    assert info["nodes_assigned"] > 400
    for geom, (x, y) in zip(stations.geometry, seats.values(), strict=True):
        assert geom.geom_type == "Polygon" and geom.contains(shapely.Point(x, y))
    whole = real.to_crs(32650).union_all().area
    assert stations.to_crs(32650).area.sum() == pytest.approx(whole, rel=1e-6)
    assert "按道路通行时间划分" in estimate_note(stations)
    # the road cells differ from the straight-line ones
    straight = stations_from_seats(table, outline)
    moved = stations.to_crs(32650).symmetric_difference(straight.to_crs(32650)).area.sum()
    assert moved > 0.05 * whole


# --- output and command line -------------------------------------------------------------


def test_the_output_never_overwrites_an_input(townships: Path, table: Path, tmp_path: Path) -> None:
    stations = stations_from_townships(townships, table)
    with pytest.raises(InputError, match="不会覆盖输入"):
        write_stations(stations, townships, inputs=[townships, table])
    with pytest.raises(InputError, match=r".geojson 或 .gpkg"):
        write_stations(stations, tmp_path / "s.shp", inputs=[townships])
    gpkg = write_stations(stations, tmp_path / "s.gpkg", inputs=[townships])
    assert len(stations_from_file(gpkg)) == 5
    result = run(
        "jurisdictions", "--townships", str(townships), "--table", str(table),
        "--out", str(townships),
    )  # fmt: skip
    assert result.exit_code == 1 and "不会覆盖输入" in result.output


def test_cli_from_townships(townships: Path, table: Path, tmp_path: Path) -> None:
    out = tmp_path / "stations.geojson"
    result = run(
        "jurisdictions", "--townships", str(townships), "--table", str(table), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "9 个乡镇（街道）→ 5 个派出所辖区" in result.output
    assert "用辖区内的代表点代替：P2、P3、P4、P5" in result.output
    assert "云峰派出所：云峰畲族乡、白沙镇、黄岭镇" in result.output
    assert len(gpd.read_file(out)) == 5
    english = run(
        "jurisdictions", "--townships", str(townships), "--table", str(table),
        "--out", str(tmp_path / "en.geojson"), "--lang", "en",
    )  # fmt: skip
    assert english.exit_code == 0 and "9 townships → 5 station jurisdictions" in english.output


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--townships", "{t}"],
        ["--townships", "{t}", "--table", "{c}", "--seats", "{c}"],
        ["--seats", "{c}"],
    ],
)
def test_cli_needs_one_complete_mode(townships: Path, table: Path, tmp_path: Path, args) -> None:
    filled = [a.replace("{t}", str(townships)).replace("{c}", str(table)) for a in args]
    result = run("jurisdictions", *filled, "--out", str(tmp_path / "o.geojson"))
    assert result.exit_code == 1
    assert "请二选一" in result.output


def test_a_plan_on_estimated_jurisdictions_says_so_on_every_map(tmp_path: Path) -> None:
    outline = outline_file(tmp_path / "o.geojson", box(*_unit(0, 0), *_unit(6, 4)))
    seats = {
        f"{n}所": _unit(1 + 2 * (i % 3), 1 + 2 * (i // 3)) for i, n in enumerate("甲乙丙丁戊己")
    }
    stations = tmp_path / "est.geojson"
    result = run(
        "jurisdictions", "--seats", str(seats_table(tmp_path / "s.csv", seats)),
        "--outline", str(outline), "--out", str(stations),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "辖区为估算" in result.output
    loads = tmp_path / "loads.csv"
    loads.write_text("派出所,合计\n" + "\n".join(f"{n},{10 + i}" for i, n in enumerate(seats)))
    out = tmp_path / "plan"
    planned = run("plan", str(stations), "--loads", str(loads), "-k", "3", "--out", str(out), "-q")
    assert planned.exit_code == 0, planned.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["jurisdictions"]["approximate"] is True
    assert report["jurisdictions"]["method"] == ["voronoi"]
    assert "辖区为估算" in (out / "map.html").read_text(encoding="utf-8")
    plan = gpd.read_file(out / "plan.geojson")
    assert plan["approximate"].all()
    # the printable map and the two-plan map carry the note too
    from zoning.maps.dualmap import dual_map
    from zoning.outputs import printmap

    zones = gpd.read_file(out / "zones.geojson")
    with calls_of(printmap.Figure, "text") as calls:
        printmap.plan_to_print(
            plan, zones, title="t", path_png=tmp_path / "m.png", path_pdf=tmp_path / "m.pdf"
        )
    assert any("辖区为估算" in str(args[3]) for args in calls)  # (figure, x, y, text)
    html = dual_map(plan, zones, plan, zones, titles=("A", "B")).get_root().render()
    assert html.count("辖区为估算") >= 2


# --- real districts (Beijing, copied into tests/data/beijing with their SOURCE.txt) --------

BEIJING = Path(__file__).parent / "data" / "beijing"


def test_miyun_population_is_kept_through_the_grouping(tmp_path: Path) -> None:
    towns = gpd.read_file(BEIJING / "miyun" / "townships.geojson")
    # fictional stations: neighbouring townships paired greedily, the rest alone
    left, groups = list(range(len(towns))), []
    while left:
        first = left.pop(0)
        mate = next((j for j in left if towns.geometry[first].touches(towns.geometry[j])), None)
        if mate is not None:
            left.remove(mate)
        groups.append([first] + ([mate] if mate is not None else []))
    assert 10 <= len(groups) < 20
    codes = list(towns["code"])
    path = tmp_path / "miyun.csv"
    path.write_text(  # 12-digit NBS codes for the first township of each group
        "派出所,乡镇代码\n"
        + "\n".join(
            f"第{i + 1}所,"
            + " ".join(codes[j] + ("000" if k == 0 else "") for k, j in enumerate(g))
            for i, g in enumerate(groups)
        ),
        encoding="utf-8",
    )
    stations = stations_from_townships(BEIJING / "miyun" / "townships.geojson", path)
    assert stations[S.POPULATION].sum() == 441_165  # the district total of SOURCE.txt
    assert stations.attrs["jurisdictions"]["columns"]["population_from"] == "pop_hukou_2022"
    assert stations["n_villages_nbs2023"].sum() == towns["n_villages_nbs2023"].sum()
