"""Adjacency from shared boundaries (zoning.graph)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.affinity import translate
from shapely.geometry import box

from tests.conftest import grid_stations
from zoning.graph import graph_from_stations, metric_crs, positions_from_stations


def canonical(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.rename(columns={"所代码": "station_id", "派出所": "station_name"})
    return out.set_index("station_id", drop=False)


def test_grid_is_rook_adjacent_not_queen() -> None:
    graph = graph_from_stations(canonical(grid_stations()))
    assert graph.number_of_nodes() == 9
    # a 3×3 rook grid has 12 edges; diagonal (corner) contacts are not neighbours
    assert graph.number_of_edges() == 12
    assert graph.has_edge("r0c0", "r0c1")
    assert not graph.has_edge("r0c0", "r1c1")
    # cells are ~1 km wide: shared boundary about 1,110 m north-south, ~990 m east-west
    assert 900 < graph.edges["r0c0", "r0c1"]["shared_m"] < 1200


def test_island_has_no_neighbour() -> None:
    graph = graph_from_stations(canonical(grid_stations(island=True)))
    assert graph.degree["island"] == 0
    assert graph.number_of_edges() == 12


def test_hairline_gap_keeps_adjacency_and_sliver_contact_does_not_create_it() -> None:
    a = box(115.20, 27.20, 115.21, 27.21)
    # 0.5 m gap (≈ 0.000005°) between a and b: still neighbours
    b = translate(box(115.21, 27.20, 115.22, 27.21), xoff=0.000005)
    # c touches a only along 20 m (a sliver contact): not neighbours
    c = box(115.19, 27.21, 115.2002, 27.22)
    gdf = gpd.GeoDataFrame(
        {"station_id": ["a", "b", "c"], "station_name": ["甲", "乙", "丙"]},
        geometry=[a, b, c],
        crs="EPSG:4326",
    ).set_index("station_id", drop=False)
    graph = graph_from_stations(gdf, min_shared_m=50)
    assert graph.has_edge("a", "b")
    assert not graph.has_edge("a", "c")
    assert graph.nodes["a"]["name"] == "甲"


def test_positions_use_seat_not_centroid() -> None:
    gdf = canonical(grid_stations())
    gdf["seat_lon"] = gdf.geometry.bounds["minx"] + 0.001
    gdf["seat_lat"] = gdf.geometry.bounds["miny"] + 0.001
    pos = positions_from_stations(gdf)
    centroid = positions_from_stations(canonical(grid_stations()))
    assert pos["r0c0"] != pytest.approx(centroid["r0c0"], abs=100)
    assert metric_crs(gdf) == "EPSG:32650"  # UTM 50N at 115.2°E
