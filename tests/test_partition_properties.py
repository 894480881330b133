"""Property tests of :func:`zoning.solve.partition.partition` on random planar maps.

A map is a Voronoi tiling of random points (``shapely.voronoi_polygons``) with
rook adjacency (a shared boundary of positive length), random integer loads,
sometimes a removed cell (a hole) and sometimes a far-away island cell.
"""

from __future__ import annotations

import math
import warnings

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import voronoi_adjacency
from zoning.errors import ZoningWarning
from zoning.solve import rules as c
from zoning.solve.partition import partition

SIZE = 10_000.0


def voronoi_map(
    n: int, seed: int, *, hole: bool, island: bool
) -> tuple[nx.Graph, dict[str, float], dict[str, tuple[float, float]]]:
    """Random Voronoi map: graph, integer loads and cell centroids (metres)."""
    rng = np.random.default_rng(seed)
    g, pos, ids = voronoi_adjacency(rng, n, SIZE)
    if hole:
        g.remove_node(ids[int(rng.integers(n))])
    if island:
        g.add_node("isle")
        pos["isle"] = (SIZE * 1.3, SIZE * 0.5)
    loads = {v: float(rng.integers(0, 60)) for v in g}
    return g, loads, pos


@st.composite
def cases(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(min_value=6, max_value=22))
    g, loads, pos = voronoi_map(
        n, draw(st.integers(0, 10_000)), hole=draw(st.booleans()), island=draw(st.booleans())
    )
    k = draw(st.integers(min_value=2, max_value=min(5, g.number_of_nodes() - 1)))
    nodes = sorted(g)
    core = None
    if draw(st.booleans()):
        # a core whose removal leaves the rest in one piece (a plan surely exists)
        joined = g.copy()
        if "isle" in joined:
            joined.add_edge("isle", min(nodes, key=lambda v: math.dist(pos[v], pos["isle"])))
        cut = set(nx.articulation_points(joined))
        options = [v for v in nodes if v not in cut and v != "isle"]
        if options and nx.is_connected(joined):
            core = draw(st.sampled_from(options))
    locks: dict[str, int] = {}
    if draw(st.booleans()):
        free = [v for v in nodes if v != core]
        locks[draw(st.sampled_from(free))] = draw(st.integers(2 if core else 1, k))
    solver = draw(st.sampled_from(["auto", "heuristic"]))
    objective = draw(st.sampled_from(["travel", "balance"]))
    return {
        "graph": g,
        "loads": loads,
        "positions": pos,
        "k": k,
        "core": core,
        "locks": locks,
        "solver": solver,
        "objective": objective,
        "seed": draw(st.integers(0, 3)),
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_plans_are_always_valid(case: dict[str, object]) -> None:
    g = case["graph"]
    loads = case["loads"]
    k = case["k"]
    core = case["core"]
    locks = case["locks"]
    assert isinstance(g, nx.Graph) and isinstance(loads, dict) and isinstance(k, int)
    assert isinstance(locks, dict)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = partition(
            g,
            loads,
            k=k,
            urban_core=core,
            locks=locks,
            positions=case["positions"],  # type: ignore[arg-type]
            solver=case["solver"],  # type: ignore[arg-type]
            objective=case["objective"],  # type: ignore[arg-type]
            seed=case["seed"],  # type: ignore[arg-type]
            time_limit=1.0,
        )
    assert all(issubclass(w.category, ZoningWarning) for w in caught)
    assert len(caught) == len(plan.warnings)
    # one warning per island link; the others name planning concerns (issue 13, item 8)
    assert sum("已自动连接" in w for w in plan.warnings) == len(plan.added_links)
    asg = plan.assignment
    assert list(asg) == list(g.nodes)
    assert c.assigns_every_node_once(plan.graph, asg)
    assert c.has_at_most_k_zones(asg, k)
    assert set(asg.values()) == set(range(1, k + 1))
    assert c.is_contiguous(plan.graph, asg)
    assert c.core_is_alone(asg, core)
    assert c.locks_honoured(asg, locks)
    assert math.isclose(sum(plan.zone_load.values()), sum(loads.values()), abs_tol=1e-9)
    assert plan.zone_load == c.zone_loads(loads, asg)
    assert plan.cut_edges == c.cut_edges(plan.graph, asg)
    for u, v in plan.added_links:
        assert plan.graph.has_edge(u, v) and not g.has_edge(u, v)
    assert all(plan.graph.has_edge(u, v) for u, v in g.edges)
