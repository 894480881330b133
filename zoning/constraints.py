"""Small pure checks and measures of a zone assignment (GerryChain style).

The solvers, :func:`zoning.partition.partition` and the tests all use these,
so "valid" means the same everywhere. An *assignment* maps every node to a zone
number (an ``int ≥ 1``).

Examples
--------
>>> from typing import Any

import networkx as nx
>>> g = nx.path_graph(["a", "b", "c"])
>>> is_contiguous(g, {"a": 1, "b": 2, "c": 1})
False
>>> spread({1: 10.0, 2: 12.0, 3: 8.0})
0.4
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import networkx as nx

from zoning._i18n import tr

__all__ = [
    "assigns_every_node_once",
    "core_is_alone",
    "cut_edges",
    "has_at_most_k_zones",
    "is_contiguous",
    "locks_honoured",
    "max_dev",
    "non_contiguous_zones",
    "spread",
    "violations",
    "zone_loads",
]


def _members(assignment: Mapping[Any, int]) -> dict[int, list[Hashable]]:
    zones: dict[int, list[Hashable]] = defaultdict(list)
    for node, zone in assignment.items():
        zones[zone].append(node)
    return dict(zones)


def non_contiguous_zones(graph: nx.Graph, assignment: Mapping[Any, int]) -> list[int]:
    """Zones whose nodes do not induce a connected subgraph of ``graph``, sorted.

    Nodes of the assignment that are not in ``graph`` count as isolated.
    """
    bad = []
    for zone, nodes in _members(assignment).items():
        present = [v for v in nodes if v in graph]
        if len(present) < len(nodes) or not nx.is_connected(graph.subgraph(present)):
            bad.append(zone)
    return sorted(bad)


def is_contiguous(graph: nx.Graph, assignment: Mapping[Any, int]) -> bool:
    """Whether every zone induces a connected subgraph of ``graph``."""
    return not non_contiguous_zones(graph, assignment)


def has_at_most_k_zones(assignment: Mapping[Any, int], k: int) -> bool:
    """Whether the assignment uses at most ``k`` distinct zones."""
    return len(set(assignment.values())) <= k


def assigns_every_node_once(graph: nx.Graph, assignment: Mapping[Any, int]) -> bool:
    """Whether the keys are exactly the nodes of ``graph`` and every zone is an ``int ≥ 1``."""
    if set(assignment) != set(graph.nodes) or len(assignment) != graph.number_of_nodes():
        return False
    return all(
        isinstance(z, int) and not isinstance(z, bool) and z >= 1 for z in assignment.values()
    )


def core_is_alone(assignment: Mapping[Any, int], core: Hashable | None) -> bool:
    """Whether the urban core (if any) is the only node of its zone, and that zone is 1."""
    if core is None:
        return True
    if core not in assignment or assignment[core] != 1:
        return False
    return sum(1 for z in assignment.values() if z == 1) == 1


def locks_honoured(
    assignment: Mapping[Any, int],
    locks: Mapping[Any, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
) -> bool:
    """Whether locked nodes are in their zone and each ``together`` group shares one zone."""
    for node, zone in (locks or {}).items():
        if assignment.get(node) != zone:
            return False
    return all(len({assignment.get(v) for v in group}) <= 1 for group in together)


def zone_loads(loads: Mapping[Any, float], assignment: Mapping[Any, int]) -> dict[int, float]:
    """Total load per zone, zones in increasing order."""
    total: dict[int, float] = defaultdict(float)
    for node, zone in assignment.items():
        total[zone] += float(loads[node])
    return {z: total[z] for z in sorted(total)}


def _kept(zone_load: Mapping[int, float], exclude: Collection[int]) -> list[float]:
    return [float(v) for z, v in zone_load.items() if z not in exclude]


def spread(zone_load: Mapping[int, float], *, exclude: Collection[int] = ()) -> float:
    """``(max − min) / mean`` of the zone loads not excluded; 0 for fewer than two zones.

    Also 0 when every kept load is 0.
    """
    kept = _kept(zone_load, exclude)
    if len(kept) < 2:
        return 0.0
    mean = sum(kept) / len(kept)
    return 0.0 if mean <= 0 else (max(kept) - min(kept)) / mean


def max_dev(zone_load: Mapping[int, float], *, exclude: Collection[int] = ()) -> float:
    """``max |load / mean − 1|`` over the zones not excluded; 0 for fewer than two zones."""
    kept = _kept(zone_load, exclude)
    if len(kept) < 2:
        return 0.0
    mean = sum(kept) / len(kept)
    return 0.0 if mean <= 0 else max(abs(v / mean - 1.0) for v in kept)


def cut_edges(graph: nx.Graph, assignment: Mapping[Any, int]) -> int:
    """Number of edges of ``graph`` whose two ends are assigned to different zones."""
    return sum(
        1
        for u, v in graph.edges
        if u in assignment and v in assignment and assignment[u] != assignment[v]
    )


def violations(
    graph: nx.Graph,
    assignment: Mapping[Any, int],
    *,
    k: int,
    core: Hashable | None = None,
    locks: Mapping[Any, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
) -> list[str]:
    """Every broken rule as a sentence in the active language; ``[]`` if the plan is valid.

    Checks: every node assigned once to an ``int ≥ 1``, at most ``k`` zones,
    contiguity, the core alone in zone 1, locks and together groups.
    """
    found: list[str] = []
    if not assigns_every_node_once(graph, assignment):
        missing = [str(v) for v in graph.nodes if v not in assignment]
        extra = [str(v) for v in assignment if v not in graph]
        bad = [str(v) for v, z in assignment.items() if not isinstance(z, int) or z < 1]
        found.append(
            tr(
                f"分配不完整或有误：未分配 {missing[:5]}，多余 {extra[:5]}，防区号无效 {bad[:5]}",
                f"assignment is incomplete or wrong: unassigned {missing[:5]}, unknown "
                f"{extra[:5]}, invalid zone numbers {bad[:5]}",
            )
        )
    if not has_at_most_k_zones(assignment, k):
        used = len(set(assignment.values()))
        found.append(tr(f"使用了 {used} 个防区，超过 {k} 个", f"{used} zones used, more than {k}"))
    for zone in non_contiguous_zones(graph, assignment):
        found.append(tr(f"第 {zone} 防区不连片", f"zone {zone} is not contiguous"))
    if not core_is_alone(assignment, core):
        found.append(
            tr(
                f"城关所 {core} 没有单独作为第 1 防区",
                f"the urban core {core} is not alone in zone 1",
            )
        )
    for node, zone in (locks or {}).items():
        if assignment.get(node) != zone:
            found.append(
                tr(
                    f"{node} 应在第 {zone} 防区，实际在第 {assignment.get(node)} 防区",
                    f"{node} should be in zone {zone} but is in zone {assignment.get(node)}",
                )
            )
    for group in together:
        if len({assignment.get(v) for v in group}) > 1:
            members = "、".join(str(v) for v in group)
            found.append(tr(f"{members} 应同区", f"{members} should share a zone"))
    return found
