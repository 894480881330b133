"""Plain geometry cores of ``zoning jurisdictions`` (metric coordinates, no files).

:func:`voronoi_cells` and :func:`road_cells` split an outline among seats;
:func:`connected_cells` then makes every cell one piece holding its seat.
:mod:`zoning.io.jurisdictions` wraps them with reading, CRS and checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "RoadAssignment",
    "clip_cells",
    "connected_cells",
    "frame_around",
    "road_cells",
    "voronoi_cells",
]

#: Two boundaries closer than this (metres) count as shared.
_TOUCH_M = 0.5


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of an overlay result (drops stray lines and points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def voronoi_cells(points: np.ndarray, area: BaseGeometry) -> list[BaseGeometry]:
    """Voronoi cells of distinct points, clipped to an area.

    Parameters
    ----------
    points
        ``(n, 2)`` distinct coordinates (metres).
    area
        What to split (same CRS): the outline itself, or a frame around it
        when the cells are clipped to the outline later, in another CRS.

    Returns
    -------
    list of shapely geometry
        Cell ``i`` belongs to ``points[i]`` (possibly empty or in several pieces
        where the area is concave).
    """
    n = len(points)
    if n == 0:
        return []
    if n == 1:
        return [area]
    minx, miny, maxx, maxy = area.bounds
    span = max(maxx - minx, maxy - miny, 1.0)
    lo = np.minimum(points.min(axis=0), (minx, miny)) - span
    hi = np.maximum(points.max(axis=0), (maxx, maxy)) + span
    frame = shapely.box(lo[0], lo[1], hi[0], hi[1])
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
    cells = shapely.get_parts(diagram)
    if len(cells) != n:  # pragma: no cover - only with duplicate points, excluded by callers
        raise ValueError("voronoi_cells needs distinct points")
    shapely.prepare(area)
    return [_polygonal(shapely.intersection(c, area)) for c in cells]


def frame_around(area: BaseGeometry) -> BaseGeometry:
    """A box around ``area`` with a margin of half its size (cells clipped to it stay simple)."""
    minx, miny, maxx, maxy = area.bounds
    margin = max(maxx - minx, maxy - miny, 1.0) / 2
    return shapely.box(minx - margin, miny - margin, maxx + margin, maxy + margin)


def clip_cells(cells: Sequence[BaseGeometry], outline: BaseGeometry) -> list[BaseGeometry]:
    """Cells cut to the outline (their polygonal parts)."""
    shapely.prepare(outline)
    return [_polygonal(shapely.intersection(c, outline)) for c in cells]


def _shared(a: BaseGeometry, b: BaseGeometry, tol: float = _TOUCH_M) -> float:
    """Length of boundary ``a`` shares with ``b`` (within ``tol``)."""
    if a.is_empty or b.is_empty or not shapely.dwithin(a, b, tol):
        return 0.0
    return float(shapely.length(shapely.intersection(a.boundary, b.buffer(tol))))


def connected_cells(
    cells: Sequence[BaseGeometry], seats: np.ndarray, *, tol: float = _TOUCH_M
) -> tuple[list[BaseGeometry], list[tuple[int, int, float]]]:
    """Make every cell one piece that holds its seat.

    A piece of cell ``i`` cut off from its seat (a Voronoi cell crossing a bay
    of a concave outline) joins the neighbouring cell it shares the longest
    boundary with; a piece touching no other cell (an island) joins the cell
    of the nearest seat.

    Parameters
    ----------
    cells
        One (multi)polygon per seat.
    seats
        ``(n, 2)`` seat coordinates.
    tol
        Distance within which two pieces touch (CRS units).

    Returns
    -------
    cells
        The cleaned cells.
    moved
        ``(from, to, area)`` for every piece handed over.
    """
    out = list(cells)
    pending: list[tuple[int, BaseGeometry]] = []
    for i, cell in enumerate(out):
        parts = [p for p in shapely.get_parts(cell) if not p.is_empty]
        if len(parts) <= 1:
            continue
        seat = shapely.Point(seats[i])
        keep = min(range(len(parts)), key=lambda k: parts[k].distance(seat))
        out[i] = parts[keep]
        pending += [(i, p) for k, p in enumerate(parts) if k != keep]
    moved: list[tuple[int, int, float]] = []
    while pending:
        left: list[tuple[int, BaseGeometry]] = []
        for origin, piece in sorted(pending, key=lambda item: -item[1].area):
            shared = [_shared(piece, c, tol) if j != origin else 0.0 for j, c in enumerate(out)]
            best = int(np.argmax(shared))
            if shared[best] <= 0:
                left.append((origin, piece))
                continue
            out[best] = _polygonal(shapely.union(out[best], piece))
            moved.append((origin, best, float(piece.area)))
        if len(left) == len(pending):  # islands: nearest seat
            for origin, piece in left:
                near = int(np.argmin(shapely.distance(piece, shapely.points(seats))))
                out[near] = _polygonal(shapely.union(out[near], piece))
                if near != origin:
                    moved.append((origin, near, float(piece.area)))
            break
        pending = left
    return out, moved


@dataclass
class RoadAssignment:
    """Which seat reaches each road node first, and how.

    Attributes
    ----------
    points
        ``(m, 2)`` generator points: the seats first, then the assigned nodes.
    labels
        Seat index of each point.
    snapped_m
        Distance from each seat to its network node (metres).
    nodes_inside, nodes_assigned
        Nodes of the largest strong component inside the outline, and those
        some seat reaches.
    """

    points: np.ndarray
    labels: np.ndarray
    snapped_m: np.ndarray
    nodes_inside: int = 0
    nodes_assigned: int = 0
    info: dict[str, Any] = field(default_factory=dict)


def road_cells(
    network: Any,
    seats: np.ndarray,
    outline: BaseGeometry,
    frame: BaseGeometry,
    *,
    access_mps: float,
) -> tuple[list[BaseGeometry], RoadAssignment]:
    """Split an outline by which seat reaches each road node first.

    Every node of the network's largest strongly connected component inside
    the outline goes to the seat with the shortest travel time to it (seat →
    nearest node at ``access_mps``, then the roads; ties to the lower index).
    The cell of a seat is the union of the Voronoi cells of its nodes and of
    the seat itself, clipped to ``frame``.

    Parameters
    ----------
    network
        A :class:`zoning.centers.roads.RoadNetwork` (metric CRS).
    seats
        ``(n, 2)`` distinct seat coordinates in the network's CRS.
    outline
        The county outline in the network's CRS (which nodes count).
    frame
        The area the cells cover (the outline, or a frame around it).
    access_mps
        Speed (metres per second, detour included) of the seat ↔ node leg.

    Returns
    -------
    cells, assignment
    """
    graph = network.graph
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in network.nodes], dtype=float)
    shapely.prepare(outline)
    inside = np.asarray(network.main, dtype=bool) & shapely.contains_xy(outline, xy[:, 0], xy[:, 1])
    seat_nodes, dist = network.snap(seats[:, 0], seats[:, 1])
    uniq, inverse = np.unique(seat_nodes, return_inverse=True)
    seconds = network.seconds_from(uniq)[inverse] + (np.asarray(dist) / access_mps)[:, None]
    candidates = np.flatnonzero(inside)
    times = seconds[:, candidates]
    best = np.argmin(times, axis=0) if len(candidates) else np.empty(0, dtype=np.int64)
    reached = np.isfinite(times.min(axis=0)) if len(candidates) else np.empty(0, dtype=bool)
    points = np.vstack([seats, xy[candidates[reached]]])
    labels = np.concatenate([np.arange(len(seats)), best[reached]])
    _, first = np.unique(np.round(points, 2), axis=0, return_index=True)
    first = np.sort(first)
    points, labels = points[first], labels[first]
    point_cells = voronoi_cells(points, frame)
    cells = []
    for i in range(len(seats)):
        mine = [
            c for c, lab in zip(point_cells, labels, strict=True) if lab == i and not c.is_empty
        ]
        try:
            merged = shapely.coverage_union_all(mine) if mine else shapely.Polygon()
        except shapely.errors.GEOSException:  # pragma: no cover - not a clean coverage
            merged = shapely.union_all(mine)
        cells.append(_polygonal(merged))
    assignment = RoadAssignment(
        points=points,
        labels=labels,
        snapped_m=np.asarray(dist, dtype=float),
        nodes_inside=int(inside.sum()),
        nodes_assigned=int(reached.sum()),
    )
    return cells, assignment
