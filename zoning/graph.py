"""Adjacency graph of station jurisdictions (GerryChain's ``Graph.from_geodataframe``).

Two stations are neighbours when their jurisdictions share a boundary of at
least ``min_shared_m`` metres. Boundaries are compared with a small snapping
distance so that digitising slivers and hairline gaps neither create nor break
neighbours; corner contacts (a shared point) never make neighbours.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from zoning import _schema as S
from zoning._geometry import metric_crs


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
