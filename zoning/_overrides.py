"""Input checks, link overrides, island links and infeasibility diagnosis.

This module turns the arguments of :func:`zoning.partition.partition` into the
indexed :class:`Problem` both solvers work on, and explains in words (naming
stations) every infeasibility that can be recognised before solving.

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

import math
import warnings
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from zoning._i18n import tr
from zoning.errors import InfeasibleError, InputError, ZoningWarning


@dataclass
class Problem:
    """The balanced part of a partition problem, indexed ``0..n-1``.

    The urban core is not part of it (it is zone 1 on its own). Model zone
    ``z`` (``0..m-1``) becomes zone label ``labels[z]``.
    """

    nodes: list[Hashable]
    labels: list[int]
    adj: list[np.ndarray]
    edges: np.ndarray
    load: np.ndarray
    officers: np.ndarray | None
    dissim: np.ndarray
    lock: np.ndarray
    groups: list[list[int]]
    tolerance: float
    compactness_weight: float
    similarity_weight: float
    names: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of (balanced) nodes."""
        return len(self.nodes)

    @property
    def m(self) -> int:
        """Number of balanced zones."""
        return len(self.labels)


def balance_value(
    problem: Problem, zone_load: np.ndarray, zone_officers: np.ndarray | None
) -> float:
    """Normalised balance term ``B`` of one plan (0 = perfect).

    Load mode: ``B = m (max L_k − min L_k) / L`` (the spread). Per-officer mode:
    ``B = m (max s_k − min s_k)`` with ``s_k = L_k/L − O_k/O``, i.e. the linear
    deviation ``L_k O − L O_k`` divided by ``L O / m``.
    """
    m = len(zone_load)
    total = float(zone_load.sum())
    if m < 2 or total <= 0:
        return 0.0
    if zone_officers is None:
        return float(m * (zone_load.max() - zone_load.min()) / total)
    share = zone_load / total - zone_officers / float(zone_officers.sum())
    return float(m * (share.max() - share.min()))


def display_names(graph: nx.Graph, names: Mapping[Any, str] | None) -> dict[Hashable, str]:
    """Return a display name for every node (the node id when not given)."""
    given = names or {}
    return {v: str(given.get(v, v)) for v in graph.nodes}


def join_names(items: Sequence[str], limit: int = 8) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    text = "、".join(shown)
    if more > 0:
        text += tr(f" 等 {len(items)} 个", f" and {more} more")
    return text


def link_islands(
    graph: nx.Graph,
    *,
    core: Hashable | None,
    positions: Mapping[Any, tuple[float, float]] | None,
    forbidden: Collection[frozenset[Hashable]],
    islands: str,
    names: dict[Hashable, str],
) -> list[tuple[Hashable, Hashable]]:
    """Link island components to the mainland in place; return the added links."""
    comps = sorted(nx.connected_components(graph), key=lambda c: -len(c))
    isl = [c for c in comps[1:] if c != {core}]
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
        targets = [v for v in mainland if v != core and v in positions]
        if not targets:
            break
        tpos = np.array([positions[v] for v in targets], dtype=float)
        for ci, comp in enumerate(pending):
            for u in sorted(comp, key=str):
                if u == core:
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


def build_graph(
    graph: nx.Graph,
    *,
    core: Hashable | None,
    forced_links: Sequence[tuple[Hashable, Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    positions: Mapping[Any, tuple[float, float]] | None,
    islands: str,
    names: dict[Hashable, str],
) -> tuple[nx.Graph, list[tuple[Hashable, Hashable]], list[str]]:
    """Apply forced links, link islands, remove forbidden links.

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
    added = link_islands(
        work, core=core, positions=positions, forbidden=forbidden, islands=islands, names=names
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
        warnings.warn(text, ZoningWarning, stacklevel=4)
    work.remove_edges_from(tuple(link) for link in forbidden_links if work.has_edge(*link))
    return work, added, notes


class _UnionFind:
    def __init__(self, items: Sequence[Hashable]) -> None:
        self.parent: dict[Hashable, Hashable] = {v: v for v in items}

    def find(self, v: Hashable) -> Hashable:
        root = v
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[v] != root:
            self.parent[v], v = root, self.parent[v]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        self.parent[self.find(b)] = self.find(a)


def _why_apart(
    a: Hashable,
    b: Hashable,
    *,
    work: nx.Graph,
    core: Hashable | None,
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
) -> tuple[str, str]:
    """Explain why ``a`` and ``b`` cannot be in one connected zone."""
    relaxed = work.copy()
    relaxed.add_edges_from(forbidden_links)
    if core is not None:
        relaxed.remove_node(core)
    if relaxed.has_node(a) and nx.has_path(relaxed, a, b):
        return "不经过禁止连接就", "without a forbidden link"
    if core is not None and nx.has_path(work, a, b):
        return "不穿过城关所辖区就", "without crossing the urban core"
    return "因地图上互不相连而", "because they lie in separate parts of the map"


def diagnose(
    work: nx.Graph,
    *,
    k: int,
    core: Hashable | None,
    locks: Mapping[Any, int],
    together: Sequence[Sequence[Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    names: dict[Hashable, str],
) -> dict[Hashable, Hashable]:
    """Raise :class:`InfeasibleError` for every infeasibility visible before solving.

    Returns
    -------
    dict
        The together-class representative of every non-core node.
    """
    nm = names
    for v, z in locks.items():
        if v == core and z != 1:
            raise InfeasibleError(
                tr(
                    f"城关所 {nm[v]} 单独为第 1 防区，不能锁定在第 {z} 防区",
                    f"the urban core {nm[v]} is zone 1 on its own; it cannot be locked to zone {z}",
                )
            )
        if v != core and core is not None and z == 1:
            raise InfeasibleError(
                tr(
                    f"{nm[v]} 被锁定在第 1 防区，但第 1 防区只含城关所 {nm[core]}",
                    f"{nm[v]} is locked to zone 1, but zone 1 is the urban core {nm[core]} alone",
                )
            )
        if z > k:
            raise InfeasibleError(
                tr(
                    f"{nm[v]} 被锁定在第 {z} 防区，但只划分 {k} 个防区",
                    f"{nm[v]} is locked to zone {z}, but there are only {k} zones",
                )
            )
    rest = [v for v in work.nodes if v != core]
    m = k - (1 if core is not None else 0)
    if m == 0 and rest:
        raise InfeasibleError(
            tr(
                f"k=1 且城关所 {nm[core]} 单独为第 1 防区，其余 {len(rest)} 个派出所没有防区可分",
                f"k=1 and the urban core {nm[core]} is zone 1 alone: no zone is left for the other "
                f"{len(rest)} stations",
            )
        )
    if len(rest) < m:
        raise InfeasibleError(
            tr(
                f"除城关所外只有 {len(rest)} 个派出所，不够分成 {m} 个防区",
                f"only {len(rest)} stations besides the urban core for {m} zones",
            )
        )
    uf = _UnionFind(rest)
    for group in together:
        members = list(dict.fromkeys(group))
        if core in members and len(members) > 1:
            raise InfeasibleError(
                tr(
                    f"城关所 {nm[core]} 单独成区，"
                    f"不能与 {join_names([nm[v] for v in members if v != core])} 同区",
                    f"the urban core {nm[core]} is a zone on its own and cannot be grouped with "
                    f"{join_names([nm[v] for v in members if v != core])}",
                )
            )
        for v in members[1:]:
            uf.union(members[0], v)
    label: dict[Hashable, tuple[int, Hashable]] = {}
    for v in rest:
        if v in locks:
            root = uf.find(v)
            if root in label and label[root][0] != locks[v]:
                other = label[root][1]
                raise InfeasibleError(
                    tr(
                        f"{nm[v]} 与 {nm[other]} 须同区，"
                        f"却分别被锁定在第 {locks[v]} 和第 {locks[other]} 防区",
                        f"{nm[v]} and {nm[other]} must share a zone but are locked to zones "
                        f"{locks[v]} and {locks[other]}",
                    )
                )
            label[root] = (locks[v], v)
    rgraph = work.subgraph(rest)
    comps = sorted(nx.connected_components(rgraph), key=lambda c: -len(c))
    comp_of = {v: i for i, c in enumerate(comps) for v in c}

    def apart(a: Hashable, b: Hashable, zh: str, en: str) -> InfeasibleError:
        wz, we = _why_apart(a, b, work=work, core=core, forbidden_links=forbidden_links)
        return InfeasibleError(tr(zh.format(why=wz), en.format(why=we)))

    first: dict[Hashable, Hashable] = {}
    for v in rest:
        root = uf.find(v)
        if root in first and comp_of[first[root]] != comp_of[v]:
            a = first[root]
            raise apart(
                v,
                a,
                f"{nm[v]} 须与 {nm[a]} 同区，但{{why}}无法相连",
                f"{nm[v]} must share a zone with {nm[a]} but cannot reach it {{why}}",
            )
        first.setdefault(root, v)
    by_zone: dict[int, Hashable] = {}
    for v in rest:
        if v in locks:
            z = locks[v]
            if z in by_zone and comp_of[by_zone[z]] != comp_of[v]:
                a = by_zone[z]
                raise apart(
                    v,
                    a,
                    f"{nm[v]} 被锁定在第 {z} 防区，但{{why}}无法与第 {z} 防区的 {nm[a]} 相连",
                    f"{nm[v]} is locked to zone {z} but cannot reach zone {z} ({nm[a]}) {{why}}",
                )
            by_zone.setdefault(z, v)
    zone_of_class = {root: z for root, (z, _) in label.items()}
    for z, v0 in by_zone.items():
        blocked = {v for v in rest if zone_of_class.get(uf.find(v), z) != z}
        sub = rgraph.subgraph([v for v in rest if v not in blocked])
        reach = nx.node_connected_component(sub, v0)
        cut_off = [v for v in rest if locks.get(v) == z and v not in reach]
        if cut_off:
            raise InfeasibleError(
                tr(
                    f"{nm[cut_off[0]]} 被锁定在第 {z} 防区，"
                    f"但与第 {z} 防区的 {nm[v0]} 之间隔着锁定在其他防区的派出所",
                    f"{nm[cut_off[0]]} is locked to zone {z} but is cut off from zone {z} "
                    f"({nm[v0]}) by "
                    "stations locked to other zones",
                )
            )
    labels_in = [
        {zone_of_class[uf.find(v)] for v in c if uf.find(v) in zone_of_class} for c in comps
    ]
    need = sum(max(1, len(s)) for s in labels_in)
    if need > m:
        parts = "；".join(
            join_names([nm[v] for v in sorted(c, key=list(work.nodes).index)], 4) for c in comps
        )
        raise InfeasibleError(
            tr(
                f"去掉城关所和禁止连接后，其余派出所分成 {len(comps)} 个互不相连的部分（{parts}），"
                f"至少需要 {need} 个均衡防区，但只有 {m} 个；请增加防区数或用 forced_links 连接",
                "without the urban core and the forbidden links the stations fall into "
                f"{len(comps)} unconnected parts ({parts}), which need at least {need} balanced "
                "zones but there are "
                f"only {m}; use more zones or add forced_links",
            )
        )
    free_units = len({uf.find(v) for v in rest if uf.find(v) not in zone_of_class})
    n_free = m - len(by_zone)
    if free_units < n_free:
        raise InfeasibleError(
            tr(
                f"未锁定的派出所（按同区组合并后 {free_units} 组）不够组成其余 {n_free} 个防区",
                f"the unlocked stations ({free_units} groups once grouped) cannot fill the other "
                f"{n_free} zones",
            )
        )
    return {v: uf.find(v) for v in rest}


def _tv_distance(a: Sequence[float], b: Sequence[float]) -> float:
    pa, pb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    sa, sb = pa.sum(), pb.sum()
    if sa <= 0 or sb <= 0:
        return 0.0
    return float(0.5 * np.abs(pa / sa - pb / sb).sum())


def make_problem(
    work: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int,
    core: Hashable | None,
    officers: Mapping[Any, float] | None,
    category_mix: Mapping[Any, Sequence[float]] | None,
    locks: Mapping[Any, int],
    classes: Mapping[Any, Hashable],
    options: Mapping[str, Any],
    names: dict[Hashable, str],
) -> Problem:
    """Index the balanced part of ``work`` (everything but the core) for the solvers."""
    nodes = [v for v in work.nodes if v != core]
    index = {v: i for i, v in enumerate(nodes)}
    labels = [z for z in range(1, k + 1) if core is None or z != 1]
    pairs = sorted(
        (min(index[u], index[v]), max(index[u], index[v]))
        for u, v in work.edges
        if u != core and v != core
    )
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    nbrs: list[list[int]] = [[] for _ in nodes]
    for i, j in pairs:
        nbrs[i].append(j)
        nbrs[j].append(i)
    dissim = np.zeros(len(pairs))
    if category_mix is not None:
        dissim = np.array(
            [_tv_distance(category_mix[nodes[i]], category_mix[nodes[j]]) for i, j in pairs],
            dtype=float,
        ).reshape(-1)
    lock = np.full(len(nodes), -1, dtype=np.int64)
    for v, z in locks.items():
        if v != core:
            lock[index[v]] = labels.index(int(z))
    members: dict[Hashable, list[int]] = {}
    for v in nodes:
        members.setdefault(classes[v], []).append(index[v])
    groups = [g for g in members.values() if len(g) > 1]
    off = None
    if options["balance"] == "per_officer" and officers is not None:
        off = np.array([float(officers[v]) for v in nodes], dtype=float)
    return Problem(
        nodes=nodes,
        labels=labels,
        adj=[np.array(sorted(a), dtype=np.int64) for a in nbrs],
        edges=edges,
        load=np.array([float(loads[v]) for v in nodes], dtype=float),
        officers=off,
        dissim=dissim,
        lock=lock,
        groups=groups,
        tolerance=float(options["tolerance"]),
        compactness_weight=float(options["compactness_weight"]),
        similarity_weight=float(options["similarity_weight"]),
        names=[names[v] for v in nodes],
    )


def relabel(
    assignment: dict[Hashable, int], *, core: Hashable | None, locks: Mapping[Any, int]
) -> dict[Hashable, int]:
    """Core → 1, locked zones keep their number, others numbered by first station."""
    fixed = {assignment[v]: z for v, z in locks.items() if v != core}
    first: dict[int, int] = {}
    for pos, (v, z) in enumerate(assignment.items()):
        if v != core and z not in fixed:
            first.setdefault(z, pos)
    used = set(fixed.values()) | ({1} if core is not None else set())
    labels = iter(z for z in range(1, len(assignment) + 2) if z not in used)
    mapping = dict(fixed)
    for z in sorted(first, key=first.__getitem__):
        mapping[z] = next(labels)
    return {v: (1 if v == core else mapping[z]) for v, z in assignment.items()}


def jsonable(value: Any) -> Any:
    """Convert numpy scalars (and non-finite floats) to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def label_parts(problem: Problem, parts: list[np.ndarray]) -> np.ndarray | None:
    """Number parts as model zones: locked zones keep their index, others by smallest node."""
    zone = np.full(problem.n, -1, dtype=np.int64)
    free = [z for z in range(problem.m) if not (problem.lock == z).any()]
    unlocked = []
    for part in parts:
        locks = np.unique(problem.lock[part][problem.lock[part] >= 0])
        if len(locks) > 1:
            return None
        if len(locks) == 1:
            zone[part] = locks[0]
        else:
            unlocked.append(part)
    unlocked.sort(key=lambda q: int(q.min()))
    if len(unlocked) != len(free):
        return None
    for z, part in zip(free, unlocked, strict=True):
        zone[part] = z
    return zone


def evaluate(problem: Problem, zone: np.ndarray) -> tuple[float, float, int]:
    """Balance term, compactness objective and cut edges of a model-zone vector."""
    e0, e1 = problem.edges[:, 0], problem.edges[:, 1]
    same = zone[e0] == zone[e1]
    zl = np.bincount(zone, weights=problem.load, minlength=problem.m)
    zo = None
    if problem.officers is not None:
        zo = np.bincount(zone, weights=problem.officers, minlength=problem.m)
    cut = int((~same).sum())
    compact = problem.compactness_weight * cut + problem.similarity_weight * float(
        problem.dissim[same].sum()
    )
    return balance_value(problem, zl, zo), compact, cut


def articulation_points(adj: list[list[int]], zone: np.ndarray, z: int, root: int) -> set[int]:
    """Articulation points of the subgraph induced by zone ``z`` (iterative Tarjan)."""
    disc: dict[int, int] = {root: 0}
    low: dict[int, int] = {root: 0}
    points: set[int] = set()
    stack = [(root, -1, iter(adj[root]))]
    t = 1
    root_children = 0
    while stack:
        v, parent, it = stack[-1]
        for w in it:
            if zone[w] != z:
                continue
            if w not in disc:
                disc[w] = low[w] = t
                t += 1
                stack.append((w, v, iter(adj[w])))
                break
            if w != parent and disc[w] < low[v]:
                low[v] = disc[w]
        else:
            stack.pop()
            if stack:
                u = stack[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
                if stack[-1][1] == -1:
                    root_children += 1
                elif low[v] >= disc[u]:
                    points.add(u)
    if root_children > 1:
        points.add(root)
    return points
