"""中心所 and team placement (zoning.centers.placement)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from tests.conftest import DEMO, grid_stations
from zoning._i18n import set_language
from zoning.centers.naming import read_features, zone_names
from zoning.centers.placement import (
    centers_from_plan,
    locks_by_station,
    minutes_to_center,
    station_criteria,
    zone_name_for,
)
from zoning.centers.roads import RoadNetwork, graph_from_file
from zoning.centers.travel import TravelTimes, seat_points, travel_times
from zoning.errors import InputError, ZoningWarning
from zoning.io.stations import stations_from_file

ROADS = Path(__file__).resolve().parent / "data" / "roads"


def canonical() -> gpd.GeoDataFrame:
    gdf = grid_stations().rename(
        columns={
            "所代码": "station_id",
            "派出所": "station_name",
            "户籍人口": "population",
            "社区村居数": "communities",
        }
    )
    gdf["has_case_area"] = gdf["办案区"] == "是"
    return gdf.set_index("station_id", drop=False)


# zone 1: top row, zone 2: the rest
ASSIGNMENT = {f"r{r}c{c}": (1 if r == 0 else 2) for r in range(3) for c in range(3)}


def test_center_is_the_station_scoring_highest_on_population_area_load_complexity() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    load["r0c1"] = 100.0
    stations.loc["r0c1", "population"] = 90000
    by_cat = pd.DataFrame(0, index=stations.index, columns=["刑事", "治安", "纠纷"])
    by_cat["纠纷"] = 10
    by_cat.loc["r0c1", ["刑事", "治安"]] = [30, 40]
    centers = centers_from_plan(stations, ASSIGNMENT, load, by_category=by_cat)
    assert centers[1].center_id == "r0c1"
    assert centers[1].candidates[0]["station_id"] == "r0c1"
    assert [c["rank"] for c in centers[1].candidates] == [1, 2, 3]
    assert centers[1].reason.startswith("r0c1派出所综合得分最高")
    assert "人口9.0万（区内第1）" in centers[1].reason


def test_case_team_needs_a_case_area_and_community_team_most_communities() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    centers = centers_from_plan(stations, ASSIGNMENT, load)
    # zone 1 = r0c0 (办案区), r0c1, r0c2; only r0c0 has a case-handling area
    assert centers[1].case_team_id == "r0c0"
    assert centers[1].case_team_reason.startswith("r0c0派出所是区内唯一设有办案区的所")
    # communities = 5 + index → r0c2 has most in zone 1, r2c2 in zone 2
    assert centers[1].community_team_id == "r0c2"
    assert centers[2].community_team_id == "r2c2"
    stations["has_case_area"] = False
    centers = centers_from_plan(stations, ASSIGNMENT, load)
    assert centers[1].case_team_id is None
    assert "没有办案区" in centers[1].case_team_reason


def test_planner_lock_wins_and_singleton_zone_is_its_own_center() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    assignment = {sid: (1 if sid == "r1c1" else 2) for sid in stations.index}
    centers = centers_from_plan(stations, assignment, load, locks={2: "r2c0"})
    assert centers[1].center_id == "r1c1"
    assert "单独成区" in centers[1].reason
    assert centers[2].center_id == "r2c0"
    assert "规划人员指定" in centers[2].reason


def test_criteria_table_and_zone_names() -> None:
    stations = canonical()
    table = station_criteria(stations, pd.Series(1.0, index=stations.index))
    assert table["area_km2"].between(1.0, 1.3).all()  # ~1.1 km × 1.0 km cells
    assert zone_name_for("青山派出所") == "青山防区"
    assert zone_name_for("城关所") == "城关防区"
    set_language("en")
    assert zone_name_for("青山派出所") == "青山 zone"


# ---------------------------------------------------------------- travel times and reasons


def matrix_travel(stations: gpd.GeoDataFrame, minutes: dict[tuple[str, str], float]) -> TravelTimes:
    """A by-road TravelTimes with hand-set minutes (symmetric; unset pairs 30 min)."""
    ids = [str(i) for i in stations.index]
    m = np.full((len(ids), len(ids)), 30.0)
    np.fill_diagonal(m, 0.0)
    for (a, b), value in minutes.items():
        m[ids.index(a), ids.index(b)] = m[ids.index(b), ids.index(a)] = value
    return TravelTimes(ids, m, "road", 1.3, 40.0, seats=seat_points(stations))


def test_reason_has_travel_figures_and_names_the_method() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    centers = centers_from_plan(stations, ASSIGNMENT, load)
    reason = centers[1].reason
    assert reason.startswith("r0c1派出所综合得分最高")
    assert "到区内各所加权平均行车 1.3 分钟（区内第1）" in reason and "面积1.1 km²" in reason
    assert "最远的r0c0派出所 1.9 分钟" in reason
    assert "15 分钟内可达警情 100%（按直线距离×1.3、40 km/h 估算）" in reason
    assert centers[1].columns() == {
        "max_minutes": 1.9,
        "mean_minutes": 1.3,
        "share_within_t": 1.0,
        "within_minutes": 15.0,
        "travel_method": "straight_line",
    }
    top = centers[1].candidates[0]
    assert top["accessibility"] == top["mean_minutes"] and top["max_minutes"] > 1.9
    set_language("en")
    centers = centers_from_plan(stations, ASSIGNMENT, load)
    assert "(by straight line × 1.3 at 40 km/h)" in centers[1].reason


def test_zone_metrics_from_a_known_matrix() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    load["r0c1"] = 100.0
    travel = matrix_travel(stations, {("r0c1", "r0c0"): 5.0, ("r0c1", "r0c2"): 20.0})
    centers = centers_from_plan(stations, ASSIGNMENT, load, travel=travel, within_minutes=15)
    t = centers[1].travel
    assert t is not None and centers[1].center_id == "r0c1"
    assert t.station_minutes == {"r0c0": 5.0, "r0c1": 0.0, "r0c2": 20.0}
    assert t.max_minutes == 20.0 and t.farthest_id == "r0c2"
    assert t.mean_minutes == pytest.approx((10 * 5 + 100 * 0 + 10 * 20) / 120)
    assert t.share_within_t == pytest.approx(110 / 120) and t.share_basis == "station_loads"
    report = t.to_dict()
    assert report["station_minutes"]["r0c2"] == 20.0 and report["travel_method"] == "road"
    assert minutes_to_center(centers)["r0c2"] == 20.0
    assert "按道路网络计算" in centers[1].reason
    # without any load the share counts stations
    quiet = centers_from_plan(stations, ASSIGNMENT, load * 0, travel=travel, locks={1: "r0c1"})
    assert quiet[1].travel is not None and quiet[1].travel.share_basis == "stations"
    assert quiet[1].travel.share_within_t == pytest.approx(2 / 3)


def test_share_within_t_uses_incident_points_when_given() -> None:
    stations = canonical()
    load = pd.Series(10.0, index=stations.index)
    load["r0c1"] = 100.0
    seats = seat_points(stations).to_crs(4326)
    incidents = pd.DataFrame(
        {
            "station_id": ["r0c1", "r0c2", "r0c0", "r1c1"],
            "weight": [2.0, 1.0, 1.0, 5.0],
            "lon": [seats["r0c1"].x, seats["r0c2"].x, np.nan, seats["r1c1"].x],
            "lat": [seats["r0c1"].y, seats["r0c2"].y, np.nan, seats["r1c1"].y],
        }
    )
    centers = centers_from_plan(stations, ASSIGNMENT, load, within_minutes=1.0, incidents=incidents)
    t = centers[1].travel
    assert t is not None and t.share_basis == "incidents" and t.n_incidents == 3
    # at the centre's seat: 0 min; r0c2's seat and r0c0 (no point → its seat): ~1.9 min > 1
    assert t.share_within_t == pytest.approx(0.5)
    assert "1 分钟内可达警情 50%" in centers[1].reason
    assert centers[2].travel is not None and centers[2].travel.n_incidents == 1


def test_team_bases_follow_travel_times_and_planner_locks() -> None:
    stations = canonical()
    stations["has_case_area"] = stations.index.isin(["r1c0", "r2c2", "r1c1"])
    load = pd.Series(10.0, index=stations.index)
    zone2 = ["r1c0", "r1c1", "r1c2", "r2c0", "r2c1", "r2c2"]
    fast = {(a, b): 4.0 for a in zone2 for b in zone2 if a < b}
    fast |= {("r2c2", b): 2.0 for b in zone2 if b != "r2c2"}  # r2c2 is the best-connected
    travel = matrix_travel(stations, fast)
    centers = centers_from_plan(stations, ASSIGNMENT, load, travel=travel, locks={2: "r1c1"})
    zc = centers[2]
    assert zc.center_id == "r1c1" and zc.center_locked
    assert "由规划人员指定为中心所（综合得分区内第" in zc.reason
    assert zc.case_team_id == "r2c2"
    assert [c["station_id"] for c in zc.case_team_candidates] == ["r2c2", "r1c1", "r1c0"]
    assert "3 个有办案区的所中" in zc.case_team_reason and "（1.7 分钟）" in zc.case_team_reason
    assert zc.community_team_id == "r2c2" and "距中心所 2.0 分钟" in zc.community_team_reason
    locked = centers_from_plan(
        stations,
        ASSIGNMENT,
        load,
        travel=travel,
        case_team_locks={2: "r2c0"},
        community_team_locks={2: "r1c2"},
    )
    assert locked[2].case_team_id == "r2c0"
    assert "规划人员指定为执法办案队驻地；该所没有办案区" in locked[2].case_team_reason
    assert locked[2].community_team_id == "r1c2"
    with pytest.warns(ZoningWarning, match="不在此防区"):
        ignored = centers_from_plan(stations, ASSIGNMENT, load, locks={1: "r2c2"})
    assert ignored[1].center_id != "r2c2" and not ignored[1].center_locked


def test_locks_by_station() -> None:
    assert locks_by_station(ASSIGNMENT, ["r0c2", "r2c0"]) == {1: "r0c2", 2: "r2c0"}
    with pytest.raises(InputError) as info:
        locks_by_station(ASSIGNMENT, ["r1c0", "r2c0", "nowhere"])
    assert len(info.value.problems) == 2


def test_mission_town_centres_by_road_with_incident_points() -> None:
    stations = stations_from_file(ROADS / "stations.geojson")
    names = dict(zip(stations["station_name"], stations.index, strict=True))
    net = RoadNetwork.from_graph(graph_from_file(ROADS / "MissionTown.graphml"))
    travel = travel_times(stations, net)
    table = pd.read_csv(ROADS / "incidents.csv")
    incidents = pd.DataFrame(
        {
            "station_id": table["管辖单位"].map(names),
            "weight": 1.0,
            "lon": table["经度"],
            "lat": table["纬度"],
        }
    )
    load = incidents.groupby("station_id")["weight"].sum()
    assignment = {names[n]: 1 for n in ("青山派出所", "石桥派出所", "枫林派出所")}
    assignment |= {names[n]: 2 for n in ("柳溪派出所", "云峰派出所")}
    centers = centers_from_plan(
        stations, assignment, load, travel=travel, incidents=incidents, within_minutes=5
    )
    for zc in centers.values():
        t = zc.travel
        assert t is not None and t.method == "road" and t.share_basis == "incidents"
        assert 0 < t.share_within_t <= 1 and 0 < t.mean_minutes <= t.max_minutes < 15
        assert "按道路网络计算" in zc.reason
    assert sum(c.travel.n_incidents for c in centers.values() if c.travel) == len(incidents)
    info = travel.info(within_minutes=5)
    assert info["graph"]["nodes"] == 529 and info["method"] == "road"


# ---------------------------------------------------------------- zone names


def mission_plan() -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """The MissionTown stations and their ids by name."""
    stations = stations_from_file(ROADS / "stations.geojson")
    return stations, dict(zip(stations["station_name"], stations.index, strict=True))


def test_zones_named_after_the_longest_river_or_highest_peak() -> None:
    stations, ids = mission_plan()
    features = read_features(ROADS / "features.geojson")
    assignment = {ids["青山派出所"]: 1, ids["石桥派出所"]: 1, ids["枫林派出所"]: 2}
    assignment |= {ids["云峰派出所"]: 2, ids["柳溪派出所"]: 3}
    centres = {1: "青山派出所", 2: "枫林派出所", 3: "柳溪派出所"}
    auto = zone_names(stations, assignment, centres, features=features)
    # zone 1's longest river is 清溪河 too (a river beats the stream 小溪沟), but zone 2
    # holds more of it, so zone 1 keeps its centre's name
    assert {z: n.name for z, n in auto.items()} == {1: "青山防区", 2: "清溪河防区", 3: "石门尖防区"}
    assert auto[1].reason == "以中心所青山派出所命名（清溪河已用于其他防区）。"
    assert auto[2].source == "river" and auto[2].value == pytest.approx(2467.0, abs=5)
    assert auto[2].reason == "以区内最长河流清溪河命名（区内长 2.5 km）。"
    assert auto[3].source == "peak" and auto[3].value == 650.0  # "650 m" is read as 650
    peaks = zone_names(stations, assignment, centres, features=features, name_after="peak")
    assert peaks[2].name == "云峰山防区" and peaks[1].name == "青山防区"  # 无名峰 has no ele
    assert zone_names(stations, assignment, centres, features=features, name_after="center")[
        2
    ].name == ("枫林防区")
    set_language("en")
    assert zone_names(stations, assignment, centres, features=features)[2].name == "清溪河 zone"


def test_zone_names_are_unique_and_fall_back_to_the_centre() -> None:
    stations, ids = mission_plan()
    features = read_features(ROADS / "features.geojson")
    # 清溪河 runs 1.2 km through 青山 and 1.9 km through 枫林: 枫林's zone gets it
    assignment = {sid: z for z, sid in enumerate(ids.values(), start=1)}
    centres = {z: name for z, name in enumerate(ids, start=1)}
    names = zone_names(stations, assignment, centres, features=features, name_after="river")
    assert names[assignment[ids["枫林派出所"]]].name == "清溪河防区"
    qingshan = names[assignment[ids["青山派出所"]]]
    assert qingshan.name == "青山防区" and qingshan.source == "center"
    assert qingshan.reason == "以中心所青山派出所命名（清溪河已用于其他防区）。"
    assert len({n.name for n in names.values()}) == len(names)


def test_naming_features_accept_kind_columns_and_reject_nameless_files(tmp_path: Path) -> None:
    demo = read_features(DEMO / "river.geojson")  # name + kind = river
    assert set(demo["kind"]) == {"river"} and demo["name"].iloc[0] == "清溪河"
    nameless = gpd.GeoDataFrame({"waterway": ["river"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    path = tmp_path / "nameless.geojson"
    nameless.to_file(path, driver="GeoJSON")
    with pytest.raises(InputError, match="name"):
        read_features(path)
    with pytest.raises(InputError, match=r"命名要素：.*missing\.gpkg：文件不存在"):
        read_features(tmp_path / "missing.gpkg")
