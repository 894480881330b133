"""Infeasibility diagnosis: explain in words, naming stations, why no plan exists.

:func:`diagnose` recognises every infeasibility visible before solving (locks
that contradict the urban core or each other, groups that cannot be connected,
more separate parts than zones); :func:`infeasible_text` words the general
"no plan satisfies every rule" case after a solver proved it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import networkx as nx

from zoning._i18n import tr
from zoning.errors import InfeasibleError
from zoning.solve.problem import Problem
from zoning.solve.rules import core_stations
from zoning.utils import join_names


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
    core: Hashable | Collection[Hashable] | None,
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
) -> tuple[str, str]:
    """Explain why ``a`` and ``b`` cannot be in one connected zone."""
    relaxed = work.copy()
    relaxed.add_edges_from(forbidden_links)
    cores = core_stations(core)
    relaxed.remove_nodes_from(cores)
    if relaxed.has_node(a) and nx.has_path(relaxed, a, b):
        return "不经过禁止连接就", "without a forbidden link"
    if cores and nx.has_path(work, a, b):
        return "不穿过城关所辖区就", "without crossing the urban core"
    return "因地图上互不相连而", "because they lie in separate parts of the map"


def diagnose(
    work: nx.Graph,
    *,
    k: int,
    core: Hashable | Collection[Hashable] | None,
    locks: Mapping[Any, int],
    together: Sequence[Sequence[Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    names: dict[Hashable, str],
) -> dict[Hashable, Hashable]:
    """Raise :class:`InfeasibleError` for every infeasibility visible before solving.

    ``core`` is the urban-core station or stations (several form zone 1 together
    and must then be connected).

    Returns
    -------
    dict
        The together-class representative of every non-core node.
    """
    nm = names
    cores = core_stations(core)
    core_text = join_names([nm[v] for v in cores])
    if len(cores) > 1 and not nx.is_connected(work.subgraph(cores)):
        raise InfeasibleError(
            tr(
                f"城关所 {core_text} 共同组成第 1 防区，但辖区互不相连；"
                "请检查城关所名单，或用 forced_links 连接",
                f"the urban-core stations {core_text} form zone 1 together but are not "
                "connected; check the list or add forced_links",
            )
        )
    for v, z in locks.items():
        if v in cores and z != 1:
            raise InfeasibleError(
                tr(
                    f"城关所 {nm[v]} 单独为第 1 防区，不能锁定在第 {z} 防区",
                    f"the urban core {nm[v]} is zone 1 on its own; it cannot be locked to zone {z}",
                )
            )
        if v not in cores and cores and z == 1:
            raise InfeasibleError(
                tr(
                    f"{nm[v]} 被锁定在第 1 防区，但第 1 防区只含城关所 {core_text}",
                    f"{nm[v]} is locked to zone 1, but zone 1 is the urban core {core_text} alone",
                )
            )
        if z > k:
            raise InfeasibleError(
                tr(
                    f"{nm[v]} 被锁定在第 {z} 防区，但只划分 {k} 个防区",
                    f"{nm[v]} is locked to zone {z}, but there are only {k} zones",
                )
            )
    rest = [v for v in work.nodes if v not in cores]
    m = k - (1 if cores else 0)
    if m == 0 and rest:
        raise InfeasibleError(
            tr(
                f"k=1 且城关所 {core_text} 单独为第 1 防区，其余 {len(rest)} 个派出所没有防区可分",
                f"k=1 and the urban core {core_text} is zone 1 alone: no zone is left for the "
                f"other {len(rest)} stations",
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
        inside = [v for v in members if v in cores]
        if inside and len(inside) < len(members):
            others = join_names([nm[v] for v in members if v not in cores])
            raise InfeasibleError(
                tr(
                    f"城关所 {core_text} 单独成区，不能与 {others} 同区",
                    f"the urban core {core_text} is a zone on its own and cannot be grouped with "
                    f"{others}",
                )
            )
        if inside:
            continue
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


def infeasible_text(problem: Problem) -> str:
    locked = [
        f"{problem.names[i]}→{problem.labels[int(z)]}" for i, z in enumerate(problem.lock) if z >= 0
    ]
    grouped = ["+".join(problem.names[i] for i in g) for g in problem.groups]
    return tr(
        "没有同时满足全部条件（防区连片、城关所单独成区"
        + (f"、锁定 {join_names(locked)}" if locked else "")
        + (f"、同区 {join_names(grouped)}" if grouped else "")
        + "）的方案；请放宽锁定、同区或禁止连接",
        "no plan satisfies every rule (connected zones, urban core alone"
        + (f", locks {join_names(locked)}" if locked else "")
        + (f", together {join_names(grouped)}" if grouped else "")
        + "); relax the locks, together groups or forbidden links",
    )
