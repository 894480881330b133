"""Benchmark: station × station road travel times (zoning.centers.roads).

Network: a synthetic county-sized road graph built here, not downloaded.
Nodes sit on a 158 × 158 grid (24,964 points, 250 m spacing, ±60 m jitter, so
about 39 km × 39 km; points left without any link are dropped). Every 5th row
and column is an arterial kept in full and two-way (every 20th line primary,
every 10th secondary, else tertiary); the local links in between are kept
with probability 0.41 (dead ends, detours and a few detached pieces, like a
rural network), are unclassified or residential, and 30 % of the residential
ones are one-way. Lengths are the straight distance × 1.05. That gives
~23,000 nodes and ~50,000 directed edges, the size of a Chinese county's
drivable OSM network.

Measured (median of 3 runs): preparing the network (speeds by class, travel
times, CSR, strongly connected components), the 40-station matrix with scipy
(snapping included) and, for comparison, with networkx; snapping 100,000
incident points and timing them from 5 centres; and the real MissionTown
network of ``tests/data/roads`` (load + prepare + 5-station matrix).

Run from the repo root::

    python benchmarks/travel_times.py

Prints a Markdown table and writes it to ``benchmarks/results.md`` under
"## Travel times" (other sections of that file are left intact).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import machine, write_section  # noqa: E402

from zoning._i18n import set_language  # noqa: E402
from zoning.centers.roads import RoadNetwork, graph_from_file  # noqa: E402
from zoning.centers.travel import minutes_to_points, travel_times  # noqa: E402
from zoning.io.stations import stations_from_file  # noqa: E402

HEADING = "## Travel times"
ROADS = ROOT / "tests" / "data" / "roads"
CRS = "EPSG:32650"
SIDE, SPACING, JITTER, KEEP = 158, 250.0, 60.0, 0.41
N_STATIONS, N_POINTS, RUNS, TARGET_S = 40, 100_000, 3, 5.0
X0, Y0 = 400_000.0, 3_000_000.0
T = TypeVar("T")


def grid_network(seed: int = 0) -> nx.MultiDiGraph:
    """The synthetic jittered-grid road network described in the module docstring."""
    rng = np.random.default_rng(seed)
    graph = nx.MultiDiGraph(crs=CRS, source="synthetic grid")
    xy = rng.uniform(-JITTER, JITTER, size=(SIDE, SIDE, 2))
    for i in range(SIDE):
        for j in range(SIDE):
            graph.add_node(
                i * SIDE + j, x=X0 + j * SPACING + xy[i, j, 0], y=Y0 + i * SPACING + xy[i, j, 1]
            )

    def cls(line: int) -> str:
        if line % 20 == 0:
            return "primary"
        if line % 10 == 0:
            return "secondary"
        if line % 5 == 0:
            return "tertiary"
        return "unclassified" if line % 2 else "residential"

    for i in range(SIDE):
        for j in range(SIDE):
            for di, dj in ((0, 1), (1, 0)):
                a, b = (i, j), (i + di, j + dj)
                highway = cls(i if di == 0 else j)
                local = highway in ("unclassified", "residential")
                if b[0] >= SIDE or b[1] >= SIDE or (local and rng.random() > KEEP):
                    continue
                u, v = a[0] * SIDE + a[1], b[0] * SIDE + b[1]
                pu, pv = graph.nodes[u], graph.nodes[v]
                length = 1.05 * float(np.hypot(pu["x"] - pv["x"], pu["y"] - pv["y"]))
                oneway = highway == "residential" and rng.random() < 0.3
                graph.add_edge(u, v, highway=highway, length=length)
                if not oneway:
                    graph.add_edge(v, u, highway=highway, length=length)
    graph.remove_nodes_from([n for n, d in graph.degree() if d == 0])  # as in OSM extracts
    return graph


def seats(n: int, seed: int = 1) -> gpd.GeoSeries:
    """``n`` station seats spread over the grid (ids s01 …)."""
    rng = np.random.default_rng(seed)
    extent = (SIDE - 1) * SPACING
    pts = rng.uniform(0.05 * extent, 0.95 * extent, size=(n, 2)) + np.array([X0, Y0])
    return gpd.GeoSeries(shapely.points(pts), index=[f"s{k + 1:02d}" for k in range(n)], crs=CRS)


def timed(func: Callable[[], T], runs: int = RUNS) -> tuple[T, float]:
    """Result of the last run and the median wall time of ``runs`` runs."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    assert result is not None
    return result, statistics.median(times)


def measure() -> list[tuple[str, str]]:
    graph = grid_network()
    points = seats(N_STATIONS)
    net, t_prep = timed(lambda: RoadNetwork.from_graph(graph))
    info = net.info()
    fast, t_scipy = timed(lambda: travel_times(points, net))
    slow, t_nx = timed(lambda: travel_times(points, net, engine="networkx"), runs=1)
    same = float(np.abs(fast.minutes - slow.minutes).max())
    _, t_total = timed(lambda: travel_times(points, RoadNetwork.from_graph(graph)))
    rng = np.random.default_rng(2)
    extent = (SIDE - 1) * SPACING
    incidents = gpd.GeoSeries(
        shapely.points(rng.uniform(0, extent, size=(N_POINTS, 2)) + np.array([X0, Y0])), crs=CRS
    )
    sources = [fast.ids[k % 5] for k in range(N_POINTS)]
    _, t_points = timed(lambda: minutes_to_points(fast, sources, incidents))

    stations = stations_from_file(ROADS / "stations.geojson")

    def mission() -> Any:
        return travel_times(
            stations, RoadNetwork.from_graph(graph_from_file(ROADS / "MissionTown.graphml"))
        )

    real, t_real = timed(mission)
    verdict = "met" if t_total < TARGET_S else "MISSED"
    return [
        (
            "Synthetic network (jittered 158 × 158 grid, see script)",
            f"{info['nodes']:,} nodes, {info['edges']:,} edges, "
            f"{info['strong_components']:,} strong components "
            f"(largest {info['largest_component_nodes']:,} nodes)",
        ),
        ("Prepare network: speeds, travel times, CSR, components", f"{t_prep:.2f} s"),
        (
            f"{N_STATIONS} × {N_STATIONS} matrix, scipy csgraph Dijkstra (snapping included)",
            f"{t_scipy:.3f} s",
        ),
        (f"{N_STATIONS} × {N_STATIONS} matrix, networkx Dijkstra (1 run)", f"{t_nx:.2f} s"),
        ("Largest difference scipy vs networkx", f"{same:.1e} min"),
        (
            f"End to end from the raw graph (prepare + matrix), target < {TARGET_S:.0f} s",
            f"{t_total:.2f} s ({verdict})",
        ),
        (
            f"Time {N_POINTS:,} incident points from 5 centres (snap + Dijkstra)",
            f"{t_points:.2f} s",
        ),
        (
            "Snapped seat distance, max / median",
            f"{max(fast.snapped_m.values()):.0f} m / "
            f"{statistics.median(fast.snapped_m.values()):.0f} m",
        ),
        (
            "Real MissionTown (529 nodes, 1,236 edges): load + prepare + 5 × 5 matrix",
            f"{t_real:.2f} s (method {real.method}, max {real.minutes.max():.1f} min)",
        ),
    ]


def main() -> None:
    set_language("en")
    rows = measure()
    table = [HEADING, "", "| Measure | Result |", "| --- | --- |"]
    table += [f"| {name} | {value} |" for name, value in rows]
    table += [
        "",
        f"Machine: {machine()}; "
        "`python benchmarks/travel_times.py`; median of 3 runs unless noted. Road data: "
        "tests/data/roads (© OpenStreetMap contributors, ODbL 1.0).",
    ]
    markdown = "\n".join(table) + "\n"
    print(markdown)
    write_section(markdown)


if __name__ == "__main__":
    main()
