"""Property tests: the rule checks agree with first principles on random plans.

``zoning.solve.rules.violations`` is what the solver, ``evaluate``, the app
and the tests call "valid"; here it is checked on random graphs and random
assignments against independent computations (breadth-first search for
contiguity, plain counting for the rest).
"""

from __future__ import annotations

from collections import deque

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from zoning.solve import rules


def _connected(graph: nx.Graph, nodes: list[int]) -> bool:
    """Breadth-first search inside ``nodes`` (independent of networkx's components)."""
    if not nodes:
        return True
    inside, seen, queue = set(nodes), {nodes[0]}, deque([nodes[0]])
    while queue:
        v = queue.popleft()
        for w in graph.adj[v]:
            if w in inside and w not in seen:
                seen.add(w)
                queue.append(w)
    return seen == inside


@st.composite
def plans(draw: st.DrawFn) -> tuple[nx.Graph, dict[int, int], int, list[int], dict[int, int]]:
    n = draw(st.integers(min_value=1, max_value=10))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            max_size=3 * n,
        )
    )
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(edges)
    assignment = {v: draw(st.integers(min_value=1, max_value=6)) for v in range(n)}
    k = draw(st.integers(min_value=1, max_value=7))
    core = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    locked = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    locks = {v: draw(st.integers(min_value=1, max_value=6)) for v in locked}
    return graph, assignment, k, core, locks


@settings(max_examples=300, deadline=None)
@given(plans())
def test_violations_match_first_principles(
    case: tuple[nx.Graph, dict[int, int], int, list[int], dict[int, int]],
) -> None:
    graph, assignment, k, core, locks = case
    found = rules.violations(graph, assignment, k=k, core=core or None, locks=locks)
    kinds = [v.kind for v in found]
    zones: dict[int, list[int]] = {}
    for v, z in assignment.items():
        zones.setdefault(z, []).append(v)
    broken = sorted(z for z, members in zones.items() if not _connected(graph, members))
    assert sorted(v.zone for v in found if v.kind == "non_contiguous") == broken
    assert rules.is_contiguous(graph, assignment) == (not broken)
    assert ("too_many_zones" in kinds) == (len(zones) > k)
    core_zones = {assignment[v] for v in core}
    alone = not core or (
        len(core_zones) == 1 and sorted(zones[next(iter(core_zones))]) == sorted(core)
    )
    assert ("urban_core_not_alone" in kinds) == (not alone)
    assert rules.core_is_alone(assignment, core or None) == alone
    wrong_locks = sorted(v for v, z in locks.items() if assignment[v] != z)
    assert sorted(int(v.stations[0]) for v in found if v.kind == "lock") == wrong_locks
    assert rules.locks_honoured(assignment, locks) == (not wrong_locks)
    assert "missing_station" not in kinds and "unknown_station" not in kinds
    if not found:
        assert rules.assigns_every_node_once(graph, assignment)


@settings(max_examples=100, deadline=None)
@given(plans(), st.data())
def test_missing_and_unknown_stations_are_reported_not_scored(
    case: tuple[nx.Graph, dict[int, int], int, list[int], dict[int, int]], data: st.DataObject
) -> None:
    graph, assignment, k, _, _ = case
    dropped = data.draw(st.lists(st.sampled_from(sorted(graph.nodes)), unique=True))
    partial = {v: z for v, z in assignment.items() if v not in dropped}
    partial[-1] = 1  # a station the graph does not know
    found = rules.violations(graph, partial, k=k)
    by_kind = {v.kind: v for v in found}
    assert by_kind["unknown_station"].stations == ("-1",)
    if dropped:
        assert sorted(map(int, by_kind["missing_station"].stations)) == sorted(dropped)
    else:
        assert "missing_station" not in by_kind
    assert not rules.assigns_every_node_once(graph, partial)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.integers(1, 8),
        st.floats(min_value=0, max_value=1e6, allow_nan=False),
        min_size=2,
        max_size=8,
    )
)
def test_spread_and_max_dev_bound_each_other(zone_load: dict[int, float]) -> None:
    spread, dev = rules.spread(zone_load), rules.max_dev(zone_load)
    assert spread >= 0 and dev >= 0
    assert dev <= spread + 1e-9  # every zone lies within the spread of the mean
    assert spread <= 2 * dev + 1e-9
