"""中心所 and team placement (zoning.centers)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from tests.conftest import grid_stations
from zoning._i18n import set_language
from zoning.centers import centers_from_plan, station_criteria, zone_name_for


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
