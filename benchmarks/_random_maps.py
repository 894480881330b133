"""Seeded random planar maps for the partition benchmark.

A map is a Voronoi tiling of random points in a square (metric, metres),
clipped to the square; two cells are adjacent when they share a boundary of
positive length (rook contiguity). Loads are random integers with a skewed
(log-normal) distribution, like incident counts of rural police stations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box


@dataclass
class RandomMap:
    """A random Voronoi map.

    Attributes
    ----------
    graph
        Rook adjacency graph; node ids are ``"s000"``, ``"s001"``, ….
    loads
        Integer load (as float) per node.
    positions
        Cell centroid (x, y) in metres per node.
    polygons
        Cell polygon per node.
    """

    graph: nx.Graph
    loads: dict[str, float]
    positions: dict[str, tuple[float, float]]
    polygons: dict[str, Polygon]


def voronoi_map(n: int, *, seed: int, size: float = 50_000.0) -> RandomMap:
    """Build a connected Voronoi map of ``n`` cells.

    Parameters
    ----------
    n
        Number of cells (≥ 2).
    seed
        Seed of ``numpy.random.default_rng``.
    size
        Side of the square in metres.

    Returns
    -------
    RandomMap
        The map; the graph is connected (the tiling of a convex square always is).
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0.0, size, size=(n, 2))
    frame = box(0.0, 0.0, size, size)
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame, ordered=True)
    polys: list[Any] = [cell.intersection(frame) for cell in cells.geoms]
    ids = [f"s{i:03d}" for i in range(n)]
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a < b and polys[a].intersection(polys[b]).length > 1e-6 * size:
            graph.add_edge(ids[a], ids[b])
    raw = rng.lognormal(mean=4.0, sigma=0.6, size=n)
    loads = {ids[i]: float(max(1, round(raw[i]))) for i in range(n)}
    positions = {ids[i]: (float(polys[i].centroid.x), float(polys[i].centroid.y)) for i in range(n)}
    return RandomMap(graph, loads, positions, dict(zip(ids, polys, strict=True)))
