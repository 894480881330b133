"""Adjacency graph of station jurisdictions (GerryChain's ``Graph.from_geodataframe``).

Two stations are neighbours when their jurisdictions share a boundary of at
least ``min_shared_m`` metres. Boundaries are compared with a small snapping
distance so that digitising slivers and hairline gaps neither create nor break
neighbours; corner contacts (a shared point) never make neighbours.

:func:`graph_with_links` turns that adjacency into the graph the plan is
checked against: forced links added, islands linked, forbidden links removed.

Islands
-------
An *island* is a connected component of the input graph plus the forced links
(before forbidden links are removed) that is not the largest one. With
``islands="link"`` each island **component** (not only isolated nodes) is
joined by one link to the nearest station outside it, Prim style: the island
closest to the growing mainland is linked first, through its closest pair of
stations (Euclidean distance of ``positions``). Links never end at the urban
core (the core is a zone of its own, so a link through it would not connect
anything) and never repeat a forbidden pair. An island that is only the urban
core needs no link.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InfeasibleError, InputError, ZoningWarning
from zoning.io.geometry import metric_crs
from zoning.solve.rules import core_stations
from zoning.utils import join_names

#: Up to this many island links are warned about one by one; more become one line.
_MAX_LINK_WARNINGS = 3


def graph_from_stations(
    stations: gpd.GeoDataFrame,
    *,
    min_shared_m: float = 50.0,
    snap_m: float = 2.0,
) -> nx.Graph:
    """Build the station adjacency graph from jurisdiction polygons.

    Parameters
    ----------
    stations
        Station polygons, index = station id, with a CRS.
    min_shared_m
        Minimum shared boundary length (metres) for two stations to be
        neighbours; shorter contacts (corners, slivers) are ignored.
    snap_m
        Distance (metres) within which two boundaries count as shared, so
        hairline gaps and overlaps from digitising do not break adjacency.

    Returns
    -------
    networkx.Graph
        Nodes are station ids in input order, with ``name`` and metric seat
        position ``pos`` (x, y); edges carry ``shared_m``, the shared
        boundary length in metres.
    """
    projected = stations.to_crs(metric_crs(stations))
    ids = [str(i) for i in projected.index]
    geoms = projected.geometry.to_numpy()
    graph = nx.Graph()
    positions = positions_from_stations(stations)
    names = (
        stations[S.STATION_NAME].astype(str).tolist() if S.STATION_NAME in stations.columns else ids
    )
    for sid, name in zip(ids, names, strict=True):
        graph.add_node(sid, name=name, pos=positions[sid])
    if len(ids) < 2:
        return graph
    buffered = shapely.buffer(geoms, snap_m)
    tree = shapely.STRtree(buffered)
    left, right = tree.query(buffered, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    boundaries = shapely.boundary(geoms)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        # length of i's boundary that runs within snap distance of j, and vice versa
        a = shapely.length(shapely.intersection(boundaries[i], buffered[j]))
        b = shapely.length(shapely.intersection(boundaries[j], buffered[i]))
        shared = float(min(a, b))
        if shared >= min_shared_m:
            graph.add_edge(ids[i], ids[j], shared_m=round(shared, 1))
    return graph


def positions_from_stations(stations: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Metric (x, y) of each station's seat, or of a point inside it if no seat.

    Parameters
    ----------
    stations
        Station polygons with optional ``seat_lon`` / ``seat_lat`` columns.

    Returns
    -------
    dict
        Station id -> (x, y) in metres in the local UTM zone.
    """
    crs = metric_crs(stations)
    inside = stations.geometry.representative_point()
    if S.SEAT_LON in stations.columns and S.SEAT_LAT in stations.columns:
        lon = stations[S.SEAT_LON].to_numpy(dtype=float)
        lat = stations[S.SEAT_LAT].to_numpy(dtype=float)
        seats = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=stations.index, crs="EPSG:4326")
        seats = seats.to_crs(stations.crs)
        missing = ~np.isfinite(lon) | ~np.isfinite(lat)
        seats[missing] = inside[missing]
    else:
        seats = inside
    seats = seats.to_crs(crs)
    return {str(i): (float(p.x), float(p.y)) for i, p in zip(stations.index, seats, strict=True)}


def link_islands(
    graph: nx.Graph,
    *,
    core: Hashable | Collection[Hashable] | None,
    positions: Mapping[Any, tuple[float, float]] | None,
    forbidden: Collection[frozenset[Hashable]],
    islands: str,
    names: Mapping[Any, str],
) -> list[tuple[Hashable, Hashable]]:
    """Link island components to the mainland in place; return the added links.

    ``core`` is the urban-core station or stations; an island made only of
    them needs no link, and no link ends at one of them.
    """
    cores = set(core_stations(core))
    comps = sorted(nx.connected_components(graph), key=lambda c: -len(c))
    isl = [c for c in comps[1:] if not (cores and c <= cores)]
    if not isl:
        return []
    listed = "；".join(join_names([names[v] for v in sorted(c, key=str)], 4) for c in isl)
    if islands == "error":
        raise InfeasibleError(
            tr(
                f"以下派出所与其余辖区不相邻（飞地/孤岛）：{listed}。"
                "请用 forced_links 指定它们与哪个派出所相连，"
                "或使用 islands='link' 自动连接到最近的派出所",
                "these stations share no boundary with the rest of the county (islands): "
                f"{listed}. "
                "Add forced_links to say which station each joins, "
                "or use islands='link' to join the nearest",
            )
        )
    missing = [] if positions is None else [names[v] for c in isl for v in c if v not in positions]
    if positions is None or missing:
        raise InputError(
            tr(
                f"存在孤岛派出所 {listed}，"
                "自动连接需要各所坐标 positions（或用 forced_links 手动连接）",
                f"islands {listed} can only be linked automatically when positions are given "
                "(or add forced_links)",
            )
        )
    mainland = set(comps[0])
    pending = [set(c) for c in isl]
    added: list[tuple[Hashable, Hashable]] = []
    while pending:
        best: tuple[float, int, Hashable, Hashable] | None = None
        targets = [v for v in mainland if v not in cores and v in positions]
        if not targets:
            break
        tpos = np.array([positions[v] for v in targets], dtype=float)
        for ci, comp in enumerate(pending):
            for u in sorted(comp, key=str):
                if u in cores:
                    continue
                d = np.hypot(*(tpos - np.asarray(positions[u], dtype=float)).T)
                for j in np.argsort(d, kind="stable")[:8]:
                    v = targets[int(j)]
                    if frozenset((u, v)) in forbidden:
                        continue
                    if best is None or d[j] < best[0]:
                        best = (float(d[j]), ci, u, v)
                    break
        if best is None:
            break
        _, ci, u, v = best
        graph.add_edge(v, u)
        added.append((v, u))
        mainland |= pending.pop(ci)
    return added


def graph_with_links(
    graph: nx.Graph,
    *,
    core: Hashable | Collection[Hashable] | None,
    forced_links: Sequence[tuple[Hashable, Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    positions: Mapping[Any, tuple[float, float]] | None,
    islands: str,
    names: Mapping[Any, str],
) -> tuple[nx.Graph, list[tuple[Hashable, Hashable]], list[str]]:
    """The graph a plan is built and judged on: the one graph builder of zoning.

    Forced links are added, islands linked (``islands="link"``), refused
    (``"error"``) or left as they are (``"keep"``, for scoring a hand-made plan
    whose islands should be reported, not fixed), then forbidden links removed.

    Returns
    -------
    graph, added_links, warnings
        A new graph (nodes in input order, attributes dropped), the island links
        and the warning texts (also emitted as :class:`ZoningWarning`).
    """
    work = nx.Graph()
    work.add_nodes_from(graph.nodes)
    work.add_edges_from((u, v) for u, v in graph.edges if u != v)
    work.add_edges_from(forced_links)
    forbidden = {frozenset(link) for link in forbidden_links}
    added = (
        []
        if islands == "keep"
        else link_islands(
            work, core=core, positions=positions, forbidden=forbidden, islands=islands, names=names
        )
    )
    notes: list[str] = []
    for u, v in added:
        text = tr(
            f"{names[v]} 与其他派出所不相邻，已自动连接到最近的 {names[u]}；"
            "如不合适请用 forced_links 指定",
            f"{names[v]} shares no boundary with other stations; it was linked to the nearest "
            f"station {names[u]} (use forced_links to choose another)",
        )
        notes.append(text)
    if 0 < len(added) <= _MAX_LINK_WARNINGS:
        for text in notes:
            warnings.warn(text, ZoningWarning, stacklevel=4)
    elif added:  # many islands: one line, not a flood (and it hints at a data problem)
        pairs = [f"{names[v]}→{names[u]}" for u, v in added]
        warnings.warn(
            tr(
                f"{len(added)} 处派出所（或一组派出所）与其余辖区不相邻，已各自连接到最近的所："
                f"{join_names(pairs, 5)}。如此多的“孤岛”多半说明辖区边界或坐标系有误；"
                "如确是飞地，请用 forced_links 指定连接。",
                f"{len(added)} stations (or groups) share no boundary with the rest and were "
                f"linked to the nearest station: {join_names(pairs, 5)}. So many islands "
                "usually mean the boundaries or the CRS are wrong; if they really are "
                "enclaves, set forced_links.",
            ),
            ZoningWarning,
            stacklevel=4,
        )
    work.remove_edges_from(tuple(link) for link in forbidden_links if work.has_edge(*link))
    return work, added, notes
