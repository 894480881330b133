"""Partition police stations into contiguous, load-balanced defence zones (防区).

Problem
-------
Stations are the nodes of a county adjacency graph (edges = shared boundary).
Every station carries a load (weighted incident count). :func:`partition`
splits them into exactly ``k`` zones numbered ``1..k`` such that

* every zone is connected in :attr:`Plan.graph` (the input graph plus forced
  links and automatic island links, minus forbidden links);
* the urban core (城关所), when given, is zone 1 on its own;
* stations in ``locks`` get their zone number, ``together`` groups share a zone;
* the other ``k − 1`` (or ``k``) *balanced* zones are balanced by load.

Objective (lexicographic)
-------------------------
1. **Balance.** ``balance="load"``: equal zone loads, measured by the spread
   ``(max − min) / mean`` of the balanced zones' loads. ``balance="per_officer"``
   (警力与警情相匹配): each zone's share of the load equals its share of the
   officers, measured linearly by ``dev_k = L_k·O − L·O_k`` and the term
   ``m (max dev − min dev) / (L·O)`` (which equals the spread in load mode).
   Phase 1 minimises ``max(balance, tolerance)``: anything within
   ``tolerance`` (default 1 % of the mean zone load) counts as balanced.
2. **Compactness and similarity.** Phase 2 keeps the balance term within
   ``max(phase-1 optimum, tolerance) + tolerance`` (so with the default 1 %:
   a spread of at most 2 %, or at most 1 percentage point above the certified
   optimum when that is higher) and minimises
   ``compactness_weight × cut edges + similarity_weight × Σ_internal edges d(i, j)``,
   where ``d`` is the total-variation distance ``½ Σ |p_i − p_j|`` (in ``[0, 1]``)
   between the normalised incident-category mixes (0 without ``category_mix``).
   Since ``d ≤ 1`` and the default weights are 1 and 0.5, cutting an edge always
   costs more than keeping it: similarity only steers which edges are cut.

Solvers
-------
``solver="exact"`` solves both phases with CP-SAT (:mod:`zoning.solve.balance_exact`), warm
started by the heuristic; ``"heuristic"`` runs spanning-tree bipartition plus
tabu search (:mod:`zoning.solve.balance_heuristic`); ``"auto"`` uses the exact solver up to
:data:`zoning.settings.exact_max_stations` stations. Zone labels: the core is 1,
locked zones keep their numbers, the other zones take the remaining numbers in
order of their first station in the input node order.

Examples
--------
>>> import networkx as nx
>>> g = nx.path_graph(["a", "b", "c", "d"])
>>> plan = partition(g, {"a": 1, "b": 1, "c": 1, "d": 1}, k=2)
>>> plan.assignment
{'a': 1, 'b': 1, 'c': 2, 'd': 2}
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np

from zoning import settings
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningError, ZoningWarning
from zoning.graph import graph_with_links
from zoning.solve import balance_exact
from zoning.solve import rules as cons
from zoning.solve.diagnose import diagnose
from zoning.solve.dispatch import gap, solve
from zoning.solve.problem import balance_value, make_problem, relabel
from zoning.utils import display_names, join_names, jsonable

__all__ = ["Plan", "partition"]


#: Default seconds for the exact solver (county scale, ≤ settings.exact_max_stations).
DEFAULT_EXACT_SECONDS = 2.0
#: Default seconds for the heuristic (city scale).
DEFAULT_HEURISTIC_SECONDS = 20.0


@dataclass
class Plan:
    """A partition of the stations into zones.

    Attributes
    ----------
    assignment
        Station → zone number ``1..k`` (the urban core is zone 1).
    graph
        The graph actually used: input edges plus forced and island links, minus
        forbidden links.
    solver
        JSON-serialisable solver report: ``name`` (``"cp-sat"`` or
        ``"heuristic"``), ``status`` (``"optimal"``, ``"feasible"`` or
        ``"heuristic"``), ``objective``, ``bound``, ``gap``, ``seconds``,
        ``seed``, ``time_limit``, ``phases``, ``balance``, ``tolerance``,
        ``balance_term`` and, in per-officer mode, ``spread_per_officer``.
    zone_load
        Zone → total load (core zone included).
    spread
        ``(max − min) / mean`` of the balanced zones' loads (core excluded).
    max_dev
        ``max |load / mean − 1|`` over the balanced zones.
    cut_edges
        Edges of :attr:`graph` joining two zones.
    added_links
        Island links added automatically.
    warnings
        Warnings raised while planning (also emitted as :class:`ZoningWarning`).
    """

    assignment: dict[Hashable, int]
    graph: nx.Graph
    solver: dict[str, Any]
    zone_load: dict[int, float]
    spread: float
    max_dev: float
    cut_edges: int
    added_links: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _finite_nonneg(value: Any) -> bool:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(x) and x >= 0


def _validate(
    graph: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int,
    urban_core: Hashable | None,
    officers: Mapping[Any, float] | None,
    category_mix: Mapping[Any, Sequence[float]] | None,
    locks: Mapping[Any, int] | None,
    together: Sequence[Sequence[Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    forced_links: Sequence[tuple[Hashable, Hashable]],
    positions: Mapping[Any, tuple[float, float]] | None,
    options: Mapping[str, Any],
    names: dict[Hashable, str],
) -> None:
    """Gather every problem with the arguments and raise one :class:`InputError`."""
    if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
        raise InputError(
            tr("graph 必须是无向 networkx.Graph", "graph must be an undirected nx.Graph")
        )
    if graph.number_of_nodes() == 0:
        raise InputError(tr("图中没有派出所", "the graph has no stations"))
    problems = ProblemList()
    n, known, nodes = graph.number_of_nodes(), set(graph.nodes), list(graph.nodes)

    def listed(items: Sequence[Any], zh: str, en: str) -> None:
        if items:
            text = join_names([str(v) for v in items])
            problems.add(tr(f"{zh}：{text}", f"{en}: {text}"))

    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= k <= n:
        problems.add(
            tr(
                f"防区数 k={k!r} 无效：应为 1 到 {n}（派出所数）之间的整数",
                f"k={k!r} is invalid: it must be an integer from 1 to {n} (stations)",
            )
        )
    listed([names[v] for v in nodes if v not in loads], "以下派出所缺少警情量", "no load for")
    listed(
        [v for v in loads if v not in known],
        "警情量中有图中不存在的派出所",
        "loads name stations that are not in the graph",
    )
    listed(
        [names[v] for v in nodes if v in loads and not _finite_nonneg(loads[v])],
        "警情量必须是非负有限数",
        "loads must be finite and non-negative",
    )
    if urban_core is not None and urban_core not in known:
        listed([urban_core], "城关所不在图中", "the urban core is not in the graph")
    if options["balance"] == "per_officer":
        if officers is None:
            problems.add(
                tr(
                    "balance='per_officer' 需要提供各所警力 officers",
                    "balance='per_officer' needs officers for every station",
                )
            )
        else:
            bad = [names[v] for v in nodes if not _finite_nonneg(officers.get(v))]
            listed(bad, "以下派出所缺少警力或警力为负", "missing or negative officers for")
            if not bad and sum(float(officers[v]) for v in nodes if v != urban_core) <= 0:
                problems.add(tr("警力合计为 0，无法按警力均衡", "total officers are 0"))
    if category_mix is not None:
        size = {len(category_mix[v]) for v in nodes if v in category_mix}
        bad = [
            names[v]
            for v in nodes
            if v not in category_mix or not all(_finite_nonneg(x) for x in category_mix[v])
        ]
        if len(size) > 1:
            bad.append(tr("（各所类别数不一致）", "(category counts differ between stations)"))
        listed(bad, "警情类别构成缺失、为负或长度不一致", "category_mix is missing or invalid for")
    lock_items = list((locks or {}).items())
    listed(
        [v for v, _ in lock_items if v not in known],
        "锁定的派出所不在图中",
        "locked stations not in the graph",
    )
    listed(
        [
            f"{names.get(v, v)}→{z!r}"
            for v, z in lock_items
            if isinstance(z, bool) or not isinstance(z, int | np.integer) or z < 1
        ],
        "锁定的防区号应为 ≥ 1 的整数",
        "zone locks must be integers ≥ 1",
    )
    listed(
        [v for g in together for v in g if v not in known],
        "同区组中有图中不存在的派出所",
        "together groups name unknown stations",
    )
    links = [*forced_links, *forbidden_links]
    listed(
        [
            lk
            for lk in links
            if len(lk) != 2 or lk[0] not in known or lk[1] not in known or lk[0] == lk[1]
        ],
        "强制/禁止连接应连接两个不同的已知派出所",
        "forced/forbidden links must join two different known stations",
    )
    both = {frozenset(lk) for lk in forced_links} & {frozenset(lk) for lk in forbidden_links}
    listed([tuple(pair) for pair in both], "既被强制连接又被禁止连接", "both forced and forbidden")
    if positions is not None:
        listed(
            [
                names[v]
                for v in nodes
                if v in positions and not all(math.isfinite(float(c)) for c in positions[v])
            ],
            "坐标无效",
            "invalid positions for",
        )
    allowed = {
        "islands": ("link", "error"),
        "balance": ("load", "per_officer"),
        "solver": ("auto", "exact", "heuristic"),
    }
    for key, values in allowed.items():
        if options[key] not in values:
            listed(
                [repr(options[key])],
                f"参数 {key} 应为 {values} 之一",
                f"option {key} must be one of {values}",
            )
    for key in ("tolerance", "compactness_weight", "similarity_weight", "time_limit"):
        if key == "time_limit" and options[key] is None:
            continue
        if not _finite_nonneg(options[key]) or (key == "time_limit" and options[key] <= 0):
            listed(
                [repr(options[key])],
                f"参数 {key} 应为非负数（time_limit 为正数）",
                f"option {key} must be non-negative (time_limit positive)",
            )
    seed = options["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        listed([repr(seed)], "seed 应为整数", "seed must be an integer")
    problems.raise_if_any()


def partition(
    graph: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int = 5,
    urban_core: Hashable | None = None,
    officers: Mapping[Any, float] | None = None,
    category_mix: Mapping[Any, Sequence[float]] | None = None,
    locks: Mapping[Any, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
    forbidden_links: Sequence[tuple[Hashable, Hashable]] = (),
    forced_links: Sequence[tuple[Hashable, Hashable]] = (),
    positions: Mapping[Any, tuple[float, float]] | None = None,
    islands: Literal["link", "error"] = "link",
    balance: Literal["load", "per_officer"] = "load",
    tolerance: float = 0.01,
    compactness_weight: float = 1.0,
    similarity_weight: float = 0.5,
    solver: Literal["auto", "exact", "heuristic"] = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    names: Mapping[Any, str] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    exclude: Sequence[Mapping[Any, int]] = (),
) -> Plan:
    """Group stations into ``k`` contiguous, balanced defence zones.

    Parameters
    ----------
    graph
        Adjacency of the stations (undirected; an edge = a shared boundary).
    loads
        Load (weighted incident count, ≥ 0) of every station.
    k
        Number of zones, core zone included. More than
        :data:`zoning.settings.guideline_max_zones` is allowed with a warning.
    urban_core
        The urban-core station (城关所): zone 1 on its own.
    officers
        Officers (警力) per station; needed for ``balance="per_officer"``.
    category_mix
        Incident counts or shares per category for every station (similarity term).
    locks
        Station → zone number it must be in.
    together
        Groups of stations that must share a zone.
    forbidden_links, forced_links
        Station pairs whose adjacency is removed / added (e.g. a river without
        a bridge, a ferry).
    positions
        Metric ``(x, y)`` per station, used to link islands to the nearest station.
    islands
        ``"link"`` joins every island component to the nearest station (with a
        warning); ``"error"`` raises :class:`InfeasibleError` naming them.
    balance
        ``"load"`` (equal loads) or ``"per_officer"`` (load share = officer share).
    tolerance
        Balance slack as a fraction of the mean zone load.
    compactness_weight, similarity_weight
        Weights of cut edges and of internal dissimilarity in phase 2.
    solver
        ``"auto"``, ``"exact"`` (CP-SAT) or ``"heuristic"``.
    time_limit
        Seconds for the whole solve; default :data:`DEFAULT_EXACT_SECONDS` for the
        exact solver (measured: the county plans it proves optimal take < 1 s, and
        longer runs rarely find better plans — see benchmarks/results.md) and
        :data:`DEFAULT_HEURISTIC_SECONDS` for the heuristic.
    seed
        Random seed; the same inputs and seed give the same plan unless the time
        limit interrupts the search.
    names
        Display names for messages (default: the node id).
    progress
        Called with ``{"phase", "seconds", "objective", "bound"}`` as the solver improves.
    exclude
        Earlier plans (node -> zone) the new plan must differ from, used for
        alternative plans; needs the exact solver.

    Returns
    -------
    Plan
        The plan and its quality figures.

    Raises
    ------
    InputError
        Bad arguments, all listed at once (``k`` outside ``1..n``, unknown stations,
        negative loads, islands to link without ``positions`` …).
    InfeasibleError
        No plan exists; the message names the stations and the rule (islands with
        ``islands="error"``, a lock to zone 1 beside a core or above ``k``, locked or
        grouped stations that cannot be connected, more separate parts than balanced
        zones, or infeasibility proven by CP-SAT).
    """
    t0 = time.perf_counter()
    shown = display_names(graph, names) if isinstance(graph, nx.Graph) else {}
    options: dict[str, Any] = {
        "islands": islands,
        "balance": balance,
        "tolerance": tolerance,
        "solver": solver,
        "compactness_weight": compactness_weight,
        "similarity_weight": similarity_weight,
        "time_limit": time_limit,
        "seed": seed,
    }
    _validate(
        graph,
        loads,
        k=k,
        urban_core=urban_core,
        officers=officers,
        category_mix=category_mix,
        locks=locks,
        together=together,
        forbidden_links=forbidden_links,
        forced_links=forced_links,
        positions=positions,
        options=options,
        names=shown,
    )
    log = settings.get_logger()
    notes: list[str] = []
    if k > settings.guideline_max_zones:
        text = tr(
            f"防区数 {k} 超过指导意见建议的 {settings.guideline_max_zones} 个",
            f"{k} zones exceed the guideline maximum of {settings.guideline_max_zones}",
        )
        notes.append(text)
        warnings.warn(text, ZoningWarning, stacklevel=2)
    lock_map = {v: int(z) for v, z in (locks or {}).items()}
    groups = [list(g) for g in together]
    work, added, island_notes = graph_with_links(
        graph,
        core=urban_core,
        forced_links=forced_links,
        forbidden_links=forbidden_links,
        positions=positions,
        islands=islands,
        names=shown,
    )
    notes.extend(island_notes)
    classes = diagnose(
        work,
        k=k,
        core=urban_core,
        locks=lock_map,
        together=groups,
        forbidden_links=forbidden_links,
        names=shown,
    )
    problem = make_problem(
        work,
        loads,
        k=k,
        core=urban_core,
        officers=officers,
        category_mix=category_mix,
        locks=lock_map,
        classes=classes,
        options=options,
        names=shown,
    )
    use_exact = solver == "exact" or (
        solver == "auto" and graph.number_of_nodes() <= settings.exact_max_stations
    )
    if use_exact and not balance_exact.available():
        text = tr(
            "无法加载 OR-Tools CP-SAT（可能与先加载的 highspy 冲突），改用启发式求解",
            "OR-Tools CP-SAT cannot be loaded (a clash with an earlier highspy import?); "
            "using the heuristic",
        )
        if solver == "exact":
            raise ZoningError(text)
        notes.append(text)
        warnings.warn(text, ZoningWarning, stacklevel=2)
        use_exact = False
    if time_limit is None:
        time_limit = DEFAULT_EXACT_SECONDS if use_exact else DEFAULT_HEURISTIC_SECONDS
    if exclude and not use_exact:
        raise InputError(
            tr("排除已有方案需要精确求解器", "excluding earlier plans needs the exact solver")
        )
    zone, report = solve(
        problem,
        use_exact=use_exact,
        time_limit=float(time_limit),
        seed=int(seed),
        progress=progress,
        exclude=[np.array([plan[v] for v in problem.nodes]) for plan in exclude],
    )
    raw = {v: 1 for v in graph.nodes if v == urban_core}
    raw.update({v: problem.labels[int(z)] for v, z in zip(problem.nodes, zone, strict=True)})
    assignment = relabel({v: raw[v] for v in graph.nodes}, core=urban_core, locks=lock_map)
    wrong = [
        str(v)
        for v in cons.violations(
            work, assignment, k=k, core=urban_core, locks=lock_map, together=groups
        )
        if v.kind != "guideline"  # more than 5 zones was asked for; warned above
    ]
    if urban_core is not None and assignment[urban_core] != 1:
        wrong.append(f"urban core {urban_core} is not zone 1")
    if wrong or len(set(assignment.values())) != k:
        raise ZoningError("internal error, invalid plan: " + "; ".join(wrong))
    zone_load = cons.zone_loads(loads, assignment)
    core_zones = {1} if urban_core is not None else set()
    zl = np.array([zone_load[z] for z in problem.labels])
    zo = None
    if problem.officers is not None:
        zo = np.array(
            [
                sum(
                    problem.officers[i]
                    for i in range(problem.n)
                    if assignment[problem.nodes[i]] == z
                )
                for z in problem.labels
            ]
        )
    report.update(
        {
            "gap": gap(report.get("objective"), report.get("bound")),
            "seconds": round(time.perf_counter() - t0, 3),
            "seed": int(seed),
            "time_limit": float(time_limit),
            "balance": balance,
            "tolerance": float(tolerance),
            "balance_term": balance_value(problem, zl, zo),
        }
    )
    if zo is not None:
        report["spread_per_officer"] = cons.per_officer_spread(
            dict(zip(problem.labels, zl.tolist(), strict=True)),
            dict(zip(problem.labels, zo.tolist(), strict=True)),
        )
    log.info("partition: %s %s in %.2fs", report["name"], report["status"], report["seconds"])
    return Plan(
        assignment=assignment,
        graph=work,
        solver=jsonable(report),
        zone_load=zone_load,
        spread=cons.spread(zone_load, exclude=core_zones),
        max_dev=cons.max_dev(zone_load, exclude=core_zones),
        cut_edges=cons.cut_edges(work, assignment),
        added_links=added,
        warnings=notes,
    )
