"""The rules of a plan, as small pure checks and measures (GerryChain style).

The solvers, :func:`zoning.solve.partition.partition`, ``zoning evaluate``,
the app and the tests all use these, so "valid" means the same everywhere.
An *assignment* maps every node to a zone number (an ``int ≥ 1``). The urban
core (城关) is one station or several; together they form one zone of their own.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c"])
>>> is_contiguous(g, {"a": 1, "b": 2, "c": 1})
False
>>> spread({1: 10.0, 2: 12.0, 3: 8.0})
0.4
>>> [v.kind for v in violations(g, {"a": 1, "b": 2, "c": 1}, k=2)]
['non_contiguous']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from zoning import settings
from zoning._i18n import tr

__all__ = [
    "Violation",
    "assigns_every_node_once",
    "core_is_alone",
    "core_stations",
    "core_zone",
    "cut_edges",
    "has_at_most_k_zones",
    "is_contiguous",
    "locks_honoured",
    "max_dev",
    "non_contiguous_zones",
    "per_officer_spread",
    "spread",
    "violations",
    "zone_loads",
]

ViolationKind = Literal[
    "invalid_assignment",
    "non_contiguous",
    "too_many_zones",
    "guideline",
    "urban_core_not_alone",
    "unknown_station",
    "missing_station",
    "lock",
    "together",
]


@dataclass(frozen=True)
class Violation:
    """One broken rule of a plan.

    Attributes
    ----------
    kind
        ``"non_contiguous"``, ``"too_many_zones"`` (more than K),
        ``"guideline"`` (more than 5 zones), ``"urban_core_not_alone"``,
        ``"unknown_station"``, ``"missing_station"``, ``"lock"``, ``"together"``
        or ``"invalid_assignment"`` (a zone number that is not an ``int ≥ 1``).
    message
        A full sentence in the active language, naming the stations.
    zone
        The zone concerned, if one.
    stations
        Station ids concerned (for unknown stations: the keys as written).
    pieces
        For a non-contiguous zone: the station names of each connected piece.
    """

    kind: ViolationKind
    message: str
    zone: int | None = None
    stations: tuple[str, ...] = ()
    pieces: tuple[tuple[str, ...], ...] = ()

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable view (for ``report.json``)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "zone": self.zone,
            "stations": list(self.stations),
            "pieces": [list(p) for p in self.pieces],
        }


def core_stations(core: Hashable | Iterable[Hashable] | None) -> list[Hashable]:
    """The urban-core stations as a list: ``None`` → ``[]``, one id → ``[id]``.

    >>> core_stations("c"), core_stations(["a", "b"]), core_stations(None)
    (['c'], ['a', 'b'], [])
    """
    if core is None:
        return []
    if isinstance(core, str | bytes | int) or not isinstance(core, Iterable):
        return [core]
    return list(dict.fromkeys(core))


def core_zone(
    assignment: Mapping[Any, int], core: Hashable | Iterable[Hashable] | None
) -> int | None:
    """The zone of the urban core (of its first assigned station), or ``None``.

    >>> core_zone({"a": 1, "b": 2}, ("b", "x")), core_zone({"a": 1}, None)
    (2, None)
    """
    for v in core_stations(core):
        if v in assignment:
            return int(assignment[v])
    return None


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


def _valid_zone(z: Any) -> bool:
    return isinstance(z, int) and not isinstance(z, bool) and z >= 1


def assigns_every_node_once(graph: nx.Graph, assignment: Mapping[Any, int]) -> bool:
    """Whether the keys are exactly the nodes of ``graph`` and every zone is an ``int ≥ 1``."""
    if set(assignment) != set(graph.nodes) or len(assignment) != graph.number_of_nodes():
        return False
    return all(_valid_zone(z) for z in assignment.values())


def core_is_alone(
    assignment: Mapping[Any, int], core: Hashable | Iterable[Hashable] | None
) -> bool:
    """Whether the urban-core station(s) form one zone with no other station.

    The zone's number does not matter here (the solver also numbers it 1; a
    hand-made plan may not). Every core station must be assigned.
    """
    stations = core_stations(core)
    if not stations:
        return True
    if any(v not in assignment for v in stations):
        return False
    zones = {assignment[v] for v in stations}
    if len(zones) != 1:
        return False
    zone = zones.pop()
    return sum(1 for z in assignment.values() if z == zone) == len(stations)


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


def per_officer_spread(
    zone_load: Mapping[int, float],
    zone_officers: Mapping[int, float],
    *,
    exclude: Collection[int] = (),
) -> float | None:
    """Spread of the load per officer over the zones not excluded (警力与警情相匹配).

    ``None`` when a kept zone has no officers or fewer than two zones are kept.

    >>> per_officer_spread({1: 10.0, 2: 30.0}, {1: 1.0, 2: 2.0})
    0.4
    """
    kept = [z for z in zone_load if z not in exclude]
    if len(kept) < 2 or any(float(zone_officers.get(z, 0.0)) <= 0 for z in kept):
        return None
    ratio = {z: float(zone_load[z]) / float(zone_officers[z]) for z in kept}
    return spread(ratio) if sum(ratio.values()) > 0 else None


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
    core: Hashable | Iterable[Hashable] | None = None,
    locks: Mapping[Any, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
    names: Mapping[Any, str] | None = None,
) -> list[Violation]:
    """Every broken rule of a plan; ``[]`` if it is valid.

    Parameters
    ----------
    graph
        The graph contiguity is judged on (forced and island links included).
    assignment
        Node → zone number. Nodes of ``graph`` missing from it are reported as
        ``missing_station``; keys that are not nodes as ``unknown_station``;
        neither is counted in the other checks.
    k
        Most zones allowed; above :data:`zoning.settings.guideline_max_zones`
        (5) a ``guideline`` finding is added.
    core
        The urban-core station(s): one zone of their own.
    locks, together
        Node → zone it must be in; groups of nodes that must share a zone.
    names
        Display names for the messages (default: the node ids).

    Returns
    -------
    list of Violation
        In a fixed order: coverage, zone count, contiguity, core, locks, groups.
    """
    shown = {v: str((names or {}).get(v, v)) for v in graph.nodes}

    def name(v: Any) -> str:
        return shown.get(v, str(v))

    found: list[Violation] = []
    order = {v: i for i, v in enumerate(graph.nodes)}
    known = {v: z for v, z in assignment.items() if v in order}
    missing = [v for v in graph.nodes if v not in assignment]
    unknown = [str(v) for v in assignment if v not in order]
    if missing:
        listed = "、".join(name(v) for v in missing[:10]) + ("…" if len(missing) > 10 else "")
        text = tr(
            f"{len(missing)} 个派出所没有分配防区：{listed}",
            f"{len(missing)} stations have no zone: {listed}",
        )
        found.append(Violation("missing_station", text, stations=tuple(map(str, missing))))
    if unknown:
        listed = "、".join(unknown[:10]) + ("…" if len(unknown) > 10 else "")
        text = tr(
            f"方案中有 {len(unknown)} 个不在图中的派出所：{listed}",
            f"{len(unknown)} stations of the plan are not in the graph: {listed}",
        )
        found.append(Violation("unknown_station", text, stations=tuple(unknown)))
    bad = [v for v, z in known.items() if not _valid_zone(z)]
    if bad:
        listed = "、".join(f"{name(v)}→{known[v]!r}" for v in bad[:10])
        text = tr(
            f"防区号应为 ≥ 1 的整数：{listed}", f"zone numbers must be integers ≥ 1: {listed}"
        )
        found.append(Violation("invalid_assignment", text, stations=tuple(map(str, bad))))
        known = {v: z for v, z in known.items() if v not in bad}
    used, guide = len(set(known.values())), settings.guideline_max_zones
    note = tr(f"（指导意见：每县不超过 {guide} 个）", f" (guideline: at most {guide})")
    if used > k:
        text = tr(f"使用了 {used} 个防区，多于 K = {k}", f"{used} zones used, more than K = {k}")
        found.append(Violation("too_many_zones", text + (note if used > guide else "")))
    elif used > guide:
        text = tr(
            f"使用了 {used} 个防区，多于指导意见的 {guide} 个",
            f"{used} zones used, more than the guideline maximum of {guide}",
        )
        found.append(Violation("guideline", text))
    members: dict[int, list[Hashable]] = {}
    for v in graph.nodes:
        if v in known:
            members.setdefault(known[v], []).append(v)
    for zone, ids in sorted(members.items()):
        parts = [
            sorted(p, key=order.__getitem__) for p in nx.connected_components(graph.subgraph(ids))
        ]
        parts.sort(key=lambda p: (-len(p), order[p[0]]))
        if len(parts) > 1:
            pieces = tuple(tuple(name(v) for v in p) for p in parts)
            text = " | ".join("、".join(p) for p in pieces)
            message = tr(
                f"第 {zone} 防区不连片，分成 {len(parts)} 块：{text}",
                f"zone {zone} is not contiguous; its {len(parts)} pieces: {text}",
            )
            found.append(Violation("non_contiguous", message, zone, tuple(map(str, ids)), pieces))
    cores = [v for v in core_stations(core) if v in known]
    if cores and not core_is_alone(known, cores):
        zones = sorted({known[v] for v in cores})
        others = [v for z in zones for v in members[z] if v not in cores]
        listed = "、".join(name(v) for v in cores)
        if len(zones) > 1:
            message = tr(
                f"城关所 {listed} 分在不同防区（{'、'.join(map(str, zones))}），应共同单独成区",
                f"the urban-core stations {listed} are split over zones "
                f"{', '.join(map(str, zones))}; they must form one zone of their own",
            )
        else:
            message = tr(
                f"城关所 {listed} 没有单独成区，第 {zones[0]} 防区还有："
                f"{'、'.join(name(v) for v in others)}",
                f"the urban core {listed} is not alone; zone {zones[0]} also holds "
                f"{', '.join(name(v) for v in others)}",
            )
        found.append(
            Violation(
                "urban_core_not_alone",
                message,
                zones[0],
                tuple(map(str, [*cores, *others])),
            )
        )
    for v, zone in (locks or {}).items():
        if (where := known.get(v, "—")) != zone:
            message = tr(
                f"{name(v)} 应锁定在第 {zone} 防区，方案中在第 {where} 防区",
                f"{name(v)} is locked to zone {zone} but is in zone {where}",
            )
            found.append(Violation("lock", message, zone, (str(v),)))
    for group in together:
        if len({known.get(v) for v in group}) > 1:
            listed = "、".join(name(v) for v in group)
            message = tr(f"{listed} 应同区，方案中分属不同防区", f"{listed} should share a zone")
            found.append(Violation("together", message, stations=tuple(map(str, group))))
    return found
