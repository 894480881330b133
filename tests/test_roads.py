"""Road travel times (zoning.centers.roads): hand-made graphs with exact minutes, the real
MissionTown network (tests/data/roads), the straight-line fallback and offline download."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
import requests
import shapely

from zoning import settings
from zoning._i18n import set_language
from zoning.centers import roads
from zoning.centers.roads import RoadNetwork, graph_from_file, graph_from_polygon_online
from zoning.centers.travel import (
    minutes_to_points,
    reachable_within,
    seat_points,
    straight_line_times,
    travel_times,
)
from zoning.errors import InputError, NetworkUnavailableError, ZoningWarning
from zoning.io.stations import stations_from_file

DATA = Path(__file__).resolve().parent / "data" / "roads"
UTM = "EPSG:32650"
X0, Y0 = 400_000.0, 3_000_000.0


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt beyond the loopback interface fails the test."""
    real = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach {address}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def toy_graph() -> nx.MultiDiGraph:
    """A(0,0) B(6 km east) C(6 km east, 4 km north) D(2.5 km north of A), E off to the side.

    Default speeds: primary 60, secondary 50, tertiary 40, residential 25 km/h, so every
    edge below takes exactly 6 minutes, except the slow parallel A→B (14.4 min).
    """
    g = nx.MultiDiGraph(crs=UTM)
    for node, (x, y) in {
        "A": (0, 0),
        "B": (6000, 0),
        "C": (6000, 4000),
        "D": (0, 2500),
        "E": (-1500, 2500),
    }.items():
        g.add_node(node, x=X0 + x, y=Y0 + y)

    def road(u: str, v: str, highway: str, length: float, *, both: bool = True) -> None:
        g.add_edge(u, v, highway=highway, length=length)
        if both:
            g.add_edge(v, u, highway=highway, length=length)

    road("A", "B", "primary", 6000)
    road("A", "B", "residential", 6000, both=False)  # parallel, slower
    road("B", "C", "secondary", 5000)
    road("C", "A", "tertiary", 4000, both=False)  # one-way
    road("A", "D", "residential", 2500)
    road("D", "E", "residential", 1500, both=False)  # E is a dead end: not strongly connected
    return g


def seats(**points: tuple[float, float]) -> gpd.GeoSeries:
    return gpd.GeoSeries(
        [shapely.Point(X0 + x, Y0 + y) for x, y in points.values()], index=list(points), crs=UTM
    )


def mission_stations() -> gpd.GeoDataFrame:
    return stations_from_file(DATA / "stations.geojson")


@pytest.fixture(scope="module")
def mission() -> RoadNetwork:
    return RoadNetwork.from_graph(graph_from_file(DATA / "MissionTown.graphml"))


# ---------------------------------------------------------------- hand-made graphs


def test_exact_minutes_one_way_and_parallel_edges() -> None:
    tt = travel_times(seats(a=(0, 0), b=(6000, 0), c=(6000, 4000), d=(0, 2500)), toy_graph())
    expected = [
        [0, 6, 12, 6],  # a→c goes round by b (c→a is one-way)
        [6, 0, 6, 12],
        [6, 6, 0, 12],
        [6, 12, 18, 0],
    ]
    np.testing.assert_allclose(tt.minutes, expected, rtol=0, atol=1e-9)
    assert tt.method == "road"
    assert tt.fallback_ids == []
    assert tt.snapped_m == {"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0}
    info = tt.info(within_minutes=15)
    assert info["method"] == "road" and "道路网络" in info["method_text"]
    assert info["graph"]["strong_components"] == 2  # {A, B, C, D} and {E}
    assert info["graph"]["largest_component_nodes"] == 4


def test_speed_table_overrides_and_networkx_engine_agree() -> None:
    net = RoadNetwork.from_graph(toy_graph(), hwy_speeds={"primary": 30.0})
    pts = seats(a=(0, 0), b=(6000, 0), c=(6000, 4000))
    fast = travel_times(pts, net)
    slow = travel_times(pts, net, engine="networkx")
    assert fast.minutes[0, 1] == pytest.approx(12.0, abs=1e-9)  # 6 km at 30 km/h
    np.testing.assert_allclose(fast.minutes, slow.minutes, atol=1e-9)
    assert net.hwy_speeds["secondary"] == 50.0


def test_seats_snap_to_the_largest_component_with_access_legs() -> None:
    # e sits on node E, which is a dead end: it snaps to D (1.5 km) in the main component
    tt = travel_times(seats(a=(0, 0), e=(-1500, 2500)), toy_graph())
    leg = 1500 * 1.3 / (40_000 / 60)  # 2.925 min at the straight-line rate
    assert tt.snapped_m["e"] == pytest.approx(1500.0)
    assert tt.minutes[0, 1] == pytest.approx(6 + leg, abs=1e-9)
    assert tt.minutes[1, 0] == pytest.approx(6 + leg, abs=1e-9)


def test_far_station_falls_back_to_straight_line_and_says_so() -> None:
    pts = seats(a=(0, 0), b=(6000, 0), f=(0, -10_000))
    with pytest.warns(ZoningWarning, match="距道路网络超过 2000 米"):
        tt = travel_times(pts, toy_graph())
    assert tt.method == "mixed" and tt.fallback_ids == ["f"]
    assert tt.minutes[0, 1] == pytest.approx(6.0)
    assert tt.minutes[0, 2] == pytest.approx(10 * 1.3 / 40 * 60)  # 19.5 min
    assert "1 个所不在路网内" in tt.info()["method_text"]
    assert tt.info()["fallback_stations"] == ["f"]


def test_lat_lon_graph_is_projected_and_lengths_filled() -> None:
    g = toy_graph()
    del g.edges["A", "B", 0]["length"]  # measured from the end nodes
    projected_first = RoadNetwork.from_graph(g)
    assert projected_first.graph.edges["A", "B", 0]["length"] == pytest.approx(6000.0)
    latlon = ox.project_graph(toy_graph(), to_latlong=True)
    net = RoadNetwork.from_graph(latlon)
    assert ox.projection.is_projected(net.crs)
    tt = travel_times(seats(a=(0, 0), b=(6000, 0)), net)
    assert tt.minutes[0, 1] == pytest.approx(6.0, rel=1e-6)
    assert max(tt.snapped_m.values()) < 0.01


def test_graph_without_crs_or_roads_is_an_input_error() -> None:
    with pytest.raises(InputError, match="坐标系"):
        RoadNetwork.from_graph(nx.MultiDiGraph())
    with pytest.raises(InputError, match="没有道路"):
        RoadNetwork.from_graph(nx.MultiDiGraph(crs=UTM))


# ---------------------------------------------------------------- straight line


def test_straight_line_is_distance_times_detour_at_assumed_speed() -> None:
    tt = straight_line_times(seats(a=(0, 0), b=(3000, 4000)))  # 5 km apart
    assert tt.method == "straight_line"
    assert tt.minutes[0, 1] == pytest.approx(5 * 1.3 / 40 * 60)  # 9.75 min
    custom = straight_line_times(seats(a=(0, 0), b=(3000, 4000)), detour=1.0, speed_kph=60.0)
    assert custom.minutes[1, 0] == pytest.approx(5.0)
    info = tt.info(within_minutes=15)
    assert info["method"] == "straight_line"
    assert info["detour_factor"] == 1.3 and info["speed_kph"] == 40.0
    assert info["graph"] is None and info["within_minutes"] == 15
    assert "直线距离×1.3、40 km/h" in info["method_text"]
    set_language("en")
    assert tt.method_text() == "by straight line × 1.3 at 40 km/h"


def test_reachable_within_lists_possible_centres() -> None:
    tt = travel_times(seats(a=(0, 0), b=(6000, 0), c=(6000, 4000), d=(0, 2500)), toy_graph())
    within = reachable_within(tt, 6)
    assert within["a"] == {"a", "b", "c", "d"}  # everyone reaches a in 6 min
    assert within["c"] == {"b", "c"}  # a→c takes 12
    assert within["d"] == {"a", "d"}
    assert reachable_within(tt.frame(), 0) == {s: {s} for s in "abcd"}


# ---------------------------------------------------------------- files


def test_graphml_and_osm_xml_load_offline() -> None:
    graph = graph_from_file(DATA / "MissionTown.graphml")
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (529, 1236)
    xml = graph_from_file(DATA / "tiny.osm")
    highways = {d["highway"] for *_, d in xml.edges(data=True)}
    assert highways == {"primary", "residential"}  # the footway is dropped
    net = RoadNetwork.from_graph(xml)
    pts = gpd.GeoSeries(
        [shapely.Point(115.20, 27.20), shapely.Point(115.21, 27.209)], index=["p", "q"], crs=4326
    )
    tt = travel_times(pts, net)
    length = xml.edges[1, 3, 0]["length"]
    assert tt.minutes[0, 1] == pytest.approx(length / 1000, abs=1e-3)  # primary, 60 km/h
    assert tt.minutes[1, 0] == pytest.approx(tt.minutes[0, 1], abs=1e-3)  # not the slow one-way


def test_bad_road_files_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="不存在"):
        graph_from_file(tmp_path / "missing.graphml")
    pbf = tmp_path / "roads.osm.pbf"
    pbf.write_bytes(b"\0")
    with pytest.raises(InputError, match="osmium"):
        graph_from_file(pbf)
    broken = tmp_path / "broken.graphml"
    broken.write_text("<graphml", encoding="utf-8")
    with pytest.raises(InputError, match="无法读取道路网络"):
        graph_from_file(broken)


# ---------------------------------------------------------------- download (never online)


def test_download_offline_raises_network_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")  # closed port
    area = shapely.box(115.0, 30.19, 115.03, 30.22)
    with pytest.raises(NetworkUnavailableError, match="无法连接 OpenStreetMap") as info:
        graph_from_polygon_online(area)
    assert "--roads FILE" in str(info.value)
    with pytest.raises(InputError, match="县界多边形"):
        graph_from_polygon_online(shapely.Point(115.0, 30.2))
    set_language("en")
    with pytest.raises(NetworkUnavailableError, match="cannot reach OpenStreetMap"):
        graph_from_polygon_online(area)


def test_download_errors_from_osmnx_become_network_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    monkeypatch.setattr(roads, "_probe", lambda url: None)

    def fail(*args: Any, **kwargs: Any) -> nx.MultiDiGraph:
        raise requests.ConnectionError("connection reset")

    monkeypatch.setattr(ox, "graph_from_polygon", fail)
    before = (ox.settings.use_cache, ox.settings.cache_folder, ox.settings.requests_timeout)
    with pytest.raises(NetworkUnavailableError, match="connection reset"):
        graph_from_polygon_online(shapely.box(115.0, 30.19, 115.03, 30.22))
    assert (ox.settings.use_cache, ox.settings.cache_folder, ox.settings.requests_timeout) == before


def test_download_is_cached_under_the_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    monkeypatch.setattr(roads, "_probe", lambda url: None)
    calls: list[dict[str, Any]] = []

    def fake(polygon: Any, **kwargs: Any) -> nx.MultiDiGraph:
        calls.append({"polygon": polygon, **kwargs, "folder": ox.settings.cache_folder})
        ints = nx.relabel_nodes(toy_graph(), {n: i for i, n in enumerate("ABCDE")})
        return ox.project_graph(ints, to_latlong=True)  # osm ids are integers

    monkeypatch.setattr(ox, "graph_from_polygon", fake)
    county = gpd.GeoSeries([shapely.box(115.0, 30.19, 115.03, 30.22)], crs=4326).to_crs(UTM)
    first = graph_from_polygon_online(county, buffer_m=0)
    second = graph_from_polygon_online(county, buffer_m=0)
    assert len(calls) == 1 and calls[0]["network_type"] == "drive"
    assert calls[0]["folder"] == str(tmp_path / "osmnx")
    assert calls[0]["polygon"].bounds == pytest.approx((115.0, 30.19, 115.03, 30.22), abs=1e-6)
    graph_from_polygon_online(county)  # 1 km wider by default: another query, another file
    west = calls[1]["polygon"].bounds[0]
    assert len(calls) == 2 and west == pytest.approx(115.0 - 0.0104, abs=5e-4)
    assert len(list((tmp_path / "roads").glob("*.graphml"))) == 2
    assert list((tmp_path / "roads").glob("drive-*.graphml"))
    assert first.graph["source"] == "download"
    assert second.number_of_edges() == first.number_of_edges()


# ---------------------------------------------------------------- the real network


def test_mission_town_matrix(mission: RoadNetwork) -> None:
    stations = mission_stations()
    assert mission.info()["strong_components"] == 8
    assert mission.info()["largest_component_nodes"] == 521
    tt = travel_times(stations, mission)
    assert tt.method == "road" and tt.ids == list(stations.index)
    assert max(tt.snapped_m.values()) < 400
    assert np.all(np.diag(tt.minutes) == 0)
    off = tt.minutes[~np.eye(len(tt.ids), dtype=bool)]
    assert np.all((off > 1) & (off < 15))
    slow = travel_times(stations, mission, engine="networkx")
    np.testing.assert_allclose(tt.minutes, slow.minutes, atol=1e-9)
    # never faster than the crow flies at the top speed in the network (80 km/h)
    crow = straight_line_times(seat_points(stations).to_crs(UTM), detour=1.0, speed_kph=80.0)
    assert np.all(tt.minutes >= crow.minutes - 1e-9)


def test_mission_town_incident_points(mission: RoadNetwork) -> None:
    stations = mission_stations()
    tt = travel_times(stations, mission)
    incidents = pd.read_csv(DATA / "incidents.csv")
    points = gpd.GeoSeries(gpd.points_from_xy(incidents["经度"], incidents["纬度"]), crs=4326)
    source = [stations.index[0]] * len(points)
    minutes = minutes_to_points(tt, source, points)
    assert np.isfinite(minutes).all() and (minutes >= 0).all() and minutes.max() < 20
    straight = minutes_to_points(straight_line_times(stations), source, points)
    assert np.corrcoef(minutes, straight)[0, 1] > 0.7
