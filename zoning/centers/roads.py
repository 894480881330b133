"""Road travel times between station seats (osmnx), with a straight-line fallback.

Nothing here touches the network unless :func:`graph_from_polygon_online` is
called (``--roads download``). Road networks come from a local GraphML or OSM
XML file (:func:`graph_from_file`) or from that download; :class:`RoadNetwork`
projects the graph to a metric CRS, sets speeds by road class
(:data:`HWY_SPEEDS`, Chinese rural defaults, an OSM ``maxspeed`` wins) and
travel times, and keeps the largest strongly connected component, to which
station seats are snapped (``osmnx.distance.nearest_nodes``). The minutes
matrix comes from multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra`` on
the graph's CSR, minimum over parallel edges).

The seat → snapped node and node → seat legs are added at the straight-line
rate (distance × detour factor at the assumed speed). A seat more than
``max_snap_m`` from that component (outside the network, or only near a
detached fragment) is timed by straight line for all its pairs, with a
:class:`~zoning.errors.ZoningWarning`; the method is then ``"mixed"``.
Without roads every pair is straight-line distance × ``detour`` at
``speed_kph`` (method ``"straight_line"``). :meth:`TravelTimes.info` says which.
"""

from __future__ import annotations

import hashlib
import math
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

from zoning import settings
from zoning._i18n import tr
from zoning.errors import InputError, NetworkUnavailableError
from zoning.io.encoding import check_input
from zoning.io.geometry import metric_crs

#: Typical free-flow speeds (km/h) by OSM ``highway`` class for Chinese rural
#: roads: 高速 100, 国道 80, 省道 60, 县道 50, 乡道 40, 村道 30; below the legal
#: limits (道路交通安全法实施条例 §45, §78) to allow for villages, bends and slopes.
HWY_SPEEDS: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 35.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,
    "road": 30.0,
    "track": 15.0,
}
#: Speed (km/h) for road classes missing from :data:`HWY_SPEEDS` without ``maxspeed``.
FALLBACK_KPH = 30.0

_NOT_DRIVABLE_TAGS = (
    "abandoned bridleway bus_guideway construction corridor cycleway elevator escalator "
    "footway no path pedestrian planned platform proposed raceway razed steps via_ferrata"
)
_NOT_DRIVABLE = frozenset(_NOT_DRIVABLE_TAGS.split())

Engine = Literal["scipy", "networkx"]


# ---------------------------------------------------------------- loading


def graph_from_file(path: str | Path) -> nx.MultiDiGraph:
    """Read a road network from a local file, offline.

    Parameters
    ----------
    path
        ``.graphml`` (``osmnx.load_graphml``, any CRS) or OSM XML ``.osm`` /
        ``.xml`` (``osmnx.graph_from_xml``; non-drivable ways such as
        footways, paths and steps are dropped).

    Returns
    -------
    networkx.MultiDiGraph
        The raw graph; ``graph["source"]`` names the file.

    Raises
    ------
    InputError
        If the file is missing, of another format, unreadable or has no roads.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise InputError(tr(f"{path}：道路网络文件不存在", f"{path}: road network file not found"))
    if not name.endswith((".graphml", ".osm", ".xml")):
        raise InputError(
            tr(
                f"{path}：不支持的道路网络格式；请使用 GraphML（.graphml）或 OSM XML（.osm），"
                "PBF 可先用 osmium 转为 .osm",
                f"{path}: unsupported road network format; use GraphML (.graphml) or OSM XML "
                "(.osm); convert PBF with osmium first",
            )
        )
    check_input(path)  # size limit before reading (zoning.settings.max_input_mb)
    import osmnx as ox

    try:
        if name.endswith(".graphml"):
            graph = ox.load_graphml(path)
        else:
            graph = _drivable(ox.graph_from_xml(path, retain_all=True))
    except Exception as exc:  # any reader failure is an input problem
        raise InputError(
            tr(
                f"{path}：无法读取道路网络（{exc}）",
                f"{path}: cannot read the road network ({exc})",
            )
        ) from None
    if graph.number_of_edges() == 0:
        raise InputError(tr(f"{path}：文件中没有道路", f"{path}: the file holds no roads"))
    graph.graph["source"] = str(path)
    return graph


def graph_from_polygon_online(
    polygon: Any, *, cache: bool = True, network_type: str = "drive", buffer_m: float = 1000.0
) -> nx.MultiDiGraph:
    """Download the drivable OSM network inside a polygon (only when asked).

    Parameters
    ----------
    polygon
        The county outline: a shapely (Multi)Polygon in WGS84, or a GeoSeries /
        GeoDataFrame in any CRS such as the station frame (its union is used).
    cache
        Reuse and store the graph under ``settings.cache_folder / "roads"``
        (and osmnx's HTTP cache under ``settings.cache_folder / "osmnx"``).
    network_type
        osmnx network type.
    buffer_m
        Widen the outline by this much, so that roads just across the county
        line that link two stations are kept.

    Returns
    -------
    networkx.MultiDiGraph
        Unprojected osmnx graph; ``graph["source"]`` is ``"download"``.

    Raises
    ------
    NetworkUnavailableError
        If the Overpass API cannot be reached (offline, refused, timed out).
    """
    import osmnx as ox
    import requests

    shapes = polygon if isinstance(polygon, gpd.GeoDataFrame | gpd.GeoSeries) else None
    shapes = gpd.GeoSeries([polygon], crs=4326) if shapes is None else shapes.geometry
    if not shapes.geom_type.isin(["Polygon", "MultiPolygon"]).all() or shapes.crs is None:
        raise InputError(
            tr("下载道路网络需要县界多边形", "downloading roads needs a county polygon")
        )
    metric = shapes.to_crs(metric_crs(shapes))
    outline = shapely.union_all(metric.to_numpy())
    if buffer_m > 0:
        outline = outline.buffer(buffer_m).simplify(buffer_m / 10)
    geom = gpd.GeoSeries([outline], crs=metric.crs).to_crs(4326).iloc[0]
    key = hashlib.sha1(f"{network_type}:{shapely.to_wkt(geom, rounding_precision=6)}".encode())
    name = f"{network_type}-{key.hexdigest()[:16]}.graphml"
    cached = Path(settings.cache_folder) / "roads" / name
    if cache and cached.is_file():
        return graph_from_file(cached)
    saved = (ox.settings.use_cache, ox.settings.cache_folder, ox.settings.requests_timeout)
    try:
        _probe(ox.settings.overpass_url)
        ox.settings.use_cache = cache
        ox.settings.cache_folder = str(Path(settings.cache_folder) / "osmnx")
        ox.settings.requests_timeout = settings.requests_timeout
        graph = ox.graph_from_polygon(geom, network_type=network_type)
    except (OSError, requests.RequestException, ox._errors.ResponseStatusCodeError) as exc:
        raise NetworkUnavailableError(_offline_message(exc)) from None
    except ox._errors.InsufficientResponseError as exc:  # no roads, or a bad answer
        raise NetworkUnavailableError(_offline_message(exc)) from None
    finally:
        ox.settings.use_cache, ox.settings.cache_folder, ox.settings.requests_timeout = saved
    if cache:
        cached.parent.mkdir(parents=True, exist_ok=True)
        ox.save_graphml(graph, cached)
    graph.graph["source"] = "download"
    return graph


def _probe(url: str) -> None:
    """Fail fast when the Overpass host cannot be reached (osmnx would pause 60 s first)."""
    parts = urlparse(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = min(float(settings.requests_timeout), 10.0)
    with socket.create_connection((parts.hostname or "", port), timeout=timeout):
        pass


def _offline_message(exc: BaseException) -> str:
    import osmnx as ox

    url = ox.settings.overpass_url
    return tr(
        f"无法连接 OpenStreetMap（{url}）下载道路网络：{exc}。"
        "请联网后重试，或改用本地文件 --roads FILE（.graphml / .osm）；"
        "不加 --roads 则按直线距离估算",
        f"cannot reach OpenStreetMap ({url}) to download the road network: {exc}. "
        "Connect and retry, or pass a local file --roads FILE (.graphml / .osm); "
        "without --roads travel times are estimated from straight-line distances",
    )


def _drivable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    drop = [
        (u, v, k)
        for u, v, k, hwy in graph.edges(keys=True, data="highway")
        if _first(hwy) in _NOT_DRIVABLE or hwy is None
    ]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n, d in graph.degree() if d == 0])
    return graph


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


# ---------------------------------------------------------------- network


@dataclass(eq=False)
class RoadNetwork:
    """A projected road graph with travel times, ready for shortest paths.

    Build it with :meth:`from_graph`. ``csr`` holds seconds between node
    indices (minimum over parallel edges); ``main`` marks the largest strongly
    connected component, the only nodes seats and incidents snap to.
    """

    graph: nx.MultiDiGraph
    nodes: np.ndarray
    csr: csr_array
    main: np.ndarray
    n_components: int
    hwy_speeds: dict[str, float]
    source: str
    _index: dict[Any, int] = field(repr=False, default_factory=dict)

    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        *,
        hwy_speeds: Mapping[str, float] | None = None,
        fallback_kph: float = FALLBACK_KPH,
    ) -> RoadNetwork:
        """Project, set speeds and travel times, and index a raw osmnx graph.

        Parameters
        ----------
        graph
            osmnx-style MultiDiGraph with ``graph["crs"]``, node ``x``/``y``
            and edge ``highway`` (and ``length`` in metres if projected; missing
            lengths are measured between the end nodes). It is not modified.
        hwy_speeds
            Speeds (km/h) by highway class, overriding :data:`HWY_SPEEDS`.
        fallback_kph
            Speed of classes in neither table nor tagged with ``maxspeed``.

        Returns
        -------
        RoadNetwork
        """
        import osmnx as ox

        if "crs" not in graph.graph:
            raise InputError(tr("道路网络缺少坐标系（crs）", "the road network has no CRS"))
        if graph.number_of_edges() == 0:
            raise InputError(tr("道路网络中没有道路", "the road network holds no roads"))
        speeds = {**HWY_SPEEDS, **(hwy_speeds or {})}
        if ox.projection.is_projected(graph.graph["crs"]):
            graph = graph.copy()
        else:
            graph = ox.project_graph(graph)
        xy = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
        for u, v, data in graph.edges(data=True):
            if data.get("length") is None or not math.isfinite(float(data["length"])):
                data["length"] = math.dist(xy[u], xy[v])
            data["highway"] = _first(data.get("highway")) or "road"
        ox.routing.add_edge_speeds(graph, hwy_speeds=speeds, fallback=fallback_kph)
        for _, _, data in graph.edges(data=True):
            data["speed_kph"] = min(max(float(data["speed_kph"]), 5.0), 130.0)
        ox.routing.add_edge_travel_times(graph)
        nodes = np.array(list(graph.nodes), dtype=object)
        index = {n: i for i, n in enumerate(nodes)}
        edges = [(index[a], index[b], t) for a, b, t in graph.edges(data="travel_time") if a != b]
        u = np.array([e[0] for e in edges], dtype=np.int64)
        v = np.array([e[1] for e in edges], dtype=np.int64)
        w = np.array([e[2] for e in edges], dtype=float)
        order = np.lexsort((w, v, u))  # per (u, v) the fastest parallel edge first
        u, v, w = u[order], v[order], w[order]
        first = np.ones(len(u), dtype=bool)
        first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
        n = len(nodes)
        csr = csr_array((np.maximum(w[first], 1e-6), (u[first], v[first])), shape=(n, n))
        n_comp, labels = connected_components(csr, directed=True, connection="strong")
        main = labels == np.bincount(labels).argmax()
        return cls(
            graph=graph,
            nodes=nodes,
            csr=csr,
            main=main,
            n_components=int(n_comp),
            hwy_speeds=speeds,
            source=str(graph.graph.get("source", "graph")),
            _index=index,
        )

    @property
    def crs(self) -> Any:
        """The metric CRS of the projected graph."""
        return self.graph.graph["crs"]

    def snap(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of the largest component to each point (metric, network CRS).

        Returns
        -------
        tuple of numpy.ndarray
            Node indices (into ``nodes``) and distances in metres.
        """
        import osmnx as ox

        core = self.graph.subgraph(self.nodes[self.main].tolist())
        found, dist = ox.distance.nearest_nodes(core, x, y, return_dist=True)
        return np.array([self._index[n] for n in found], dtype=np.int64), np.asarray(dist)

    def seconds_from(self, sources: np.ndarray, *, engine: Engine = "scipy") -> np.ndarray:
        """Shortest travel time (seconds) from each source node index to every node."""
        if engine == "scipy":
            return np.atleast_2d(dijkstra(self.csr, directed=True, indices=sources))
        out = np.full((len(sources), len(self.nodes)), np.inf)
        for row, s in enumerate(sources):
            lengths = nx.single_source_dijkstra_path_length(
                self.graph, self.nodes[s], weight="travel_time"
            )
            for node, sec in lengths.items():
                out[row, self._index[node]] = sec
        return out

    def info(self) -> dict[str, Any]:
        """Summary for ``report.json``: source, CRS, size, components."""
        return {
            "source": self.source,
            "crs": str(self.crs),
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "strong_components": self.n_components,
            "largest_component_nodes": int(self.main.sum()),
        }


# ---------------------------------------------------------------- times
