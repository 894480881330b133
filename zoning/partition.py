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
   ``max(phase-1 optimum, tolerance)`` and minimises
   ``compactness_weight × cut edges + similarity_weight × Σ_internal edges d(i, j)``,
   where ``d`` is the total-variation distance ``½ Σ |p_i − p_j|`` (in ``[0, 1]``)
   between the normalised incident-category mixes (0 without ``category_mix``).
   Since ``d ≤ 1`` and the default weights are 1 and 0.5, cutting an edge always
   costs more than keeping it: similarity only steers which edges are cut.

Solvers
-------
``solver="exact"`` solves both phases with CP-SAT (:mod:`zoning._exact`), warm
started by the heuristic; ``"heuristic"`` runs spanning-tree bipartition plus
tabu search (:mod:`zoning._heuristic`); ``"auto"`` uses the exact solver up to
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

from zoning import _exact, _heuristic, settings
from zoning import constraints as cons
from zoning._i18n import tr
from zoning._overrides import (
    Problem,
    balance_value,
    build_graph,
    diagnose,
    display_names,
    evaluate,
    infeasible_text,
    join_names,
    jsonable,
    make_problem,
    relabel,
)
from zoning.errors import InfeasibleError, InputError, ProblemList, ZoningError, ZoningWarning

__all__ = ["Plan", "partition"]


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
    loads: Mapping[Hashable, float],
    *,
    k: int,
    urban_core: Hashable | None,
    officers: Mapping[Hashable, float] | None,
    category_mix: Mapping[Hashable, Sequence[float]] | None,
    locks: Mapping[Hashable, int] | None,
    together: Sequence[Sequence[Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    forced_links: Sequence[tuple[Hashable, Hashable]],
    positions: Mapping[Hashable, tuple[float, float]] | None,
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


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return 0.0 if objective <= 1e-12 else max(0.0, (objective - bound) / abs(objective))


def _solve(
    problem: Problem,
    *,
    use_exact: bool,
    time_limit: float,
    seed: int,
    progress: Callable[[dict[str, Any]], None] | None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Run the chosen solver; return model zones and the solver report."""
    t0 = time.perf_counter()
    if problem.m <= 1:
        zone = np.zeros(problem.n, dtype=np.int64)
        _, compact, _ = evaluate(problem, zone)
        phase = {"phase": "trivial", "status": "optimal", "objective": compact}
        return zone, {
            "name": "cp-sat" if use_exact else "heuristic",
            "status": "optimal",
            "objective": compact,
            "bound": compact,
            "phases": [phase],
        }
    # The warm start matters: CP-SAT proves a good phase-1 hint optimal fast but is slow
    # to find one, so small maps get more heuristic effort (scaled down for short limits).
    effort = min(3.0, max(1.0, 60 / problem.n)) * min(1.0, time_limit / 10)
    warm = _heuristic.solve_heuristic(
        problem,
        seed=seed,
        time_limit=min(time_limit * 0.5, 10.0) if use_exact else time_limit,
        effort=effort if use_exact else 1.0,
        progress=progress,
    )
    heur_phase = None
    if warm is not None:
        heur_phase = {
            "phase": "heuristic",
            "status": "heuristic",
            "starts": warm.starts,
            "iterations": warm.iterations,
            "seconds": round(warm.seconds, 3),
            "balance_term": warm.balance,
            "objective": warm.compact,
            "stopped_by_time": warm.stopped_by_time,
        }
    if use_exact:

        def polish(zone: np.ndarray, limit: float) -> np.ndarray:
            return _heuristic.polish(
                problem, zone, balance_limit=limit, seed=seed, time_limit=max(0.1, 0.1 * time_limit)
            )

        res = _exact.solve_exact(
            problem,
            seed=seed,
            time_limit=max(0.1, time_limit - (time.perf_counter() - t0)),
            hint=None if warm is None else warm.zone,
            progress=progress,
            polish=polish,
            work_limit=0.75 * time_limit,
        )
        if res.status == "infeasible":
            raise InfeasibleError(infeasible_text(problem))
        phases = ([heur_phase] if heur_phase else []) + res.phases
        if res.zone is not None and res.status in ("optimal", "feasible"):
            return res.zone, {
                "name": "cp-sat",
                "status": res.status,
                "objective": res.objective,
                "bound": res.bound,
                "phases": phases,
                "contiguity": "tree",
            }
    if warm is None:
        raise InfeasibleError(
            tr("在时限内未找到满足条件的方案：", "no plan was found in time: ")
            + infeasible_text(problem)
        )
    phases = [heur_phase] if heur_phase else []
    return warm.zone, {
        "name": "heuristic",
        "status": "heuristic",
        "objective": warm.compact,
        "bound": None,
        "phases": phases,
    }


def partition(
    graph: nx.Graph,
    loads: Mapping[Hashable, float],
    *,
    k: int = 5,
    urban_core: Hashable | None = None,
    officers: Mapping[Hashable, float] | None = None,
    category_mix: Mapping[Hashable, Sequence[float]] | None = None,
    locks: Mapping[Hashable, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
    forbidden_links: Sequence[tuple[Hashable, Hashable]] = (),
    forced_links: Sequence[tuple[Hashable, Hashable]] = (),
    positions: Mapping[Hashable, tuple[float, float]] | None = None,
    islands: Literal["link", "error"] = "link",
    balance: Literal["load", "per_officer"] = "load",
    tolerance: float = 0.01,
    compactness_weight: float = 1.0,
    similarity_weight: float = 0.5,
    solver: Literal["auto", "exact", "heuristic"] = "auto",
    time_limit: float = 20.0,
    seed: int = 0,
    names: Mapping[Hashable, str] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
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
        Seconds for the whole solve.
    seed
        Random seed; the same inputs and seed give the same plan unless the time
        limit interrupts the search.
    names
        Display names for messages (default: the node id).
    progress
        Called with ``{"phase", "seconds", "objective", "bound"}`` as the solver improves.

    Returns
    -------
    Plan
        The plan and its quality figures.

    Raises
    ------
    InputError
        Bad arguments (all problems listed at once).
    InfeasibleError
        No plan can satisfy the rules; the message names stations and the rule.
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
    work, added, island_notes = build_graph(
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
    if use_exact and not _exact.available():
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
    zone, report = _solve(
        problem,
        use_exact=use_exact,
        time_limit=float(time_limit),
        seed=int(seed),
        progress=progress,
    )
    raw = {v: 1 for v in graph.nodes if v == urban_core}
    raw.update({v: problem.labels[int(z)] for v, z in zip(problem.nodes, zone, strict=True)})
    assignment = relabel({v: raw[v] for v in graph.nodes}, core=urban_core, locks=lock_map)
    wrong = cons.violations(work, assignment, k=k, core=urban_core, locks=lock_map, together=groups)
    if wrong or len(set(assignment.values())) != k:
        raise ZoningError("internal error, invalid plan: " + "; ".join(wrong))
    zone_load = cons.zone_loads(loads, assignment)
    exclude = {1} if urban_core is not None else set()
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
            "gap": _gap(report.get("objective"), report.get("bound")),
            "seconds": round(time.perf_counter() - t0, 3),
            "seed": int(seed),
            "time_limit": float(time_limit),
            "balance": balance,
            "tolerance": float(tolerance),
            "balance_term": balance_value(problem, zl, zo),
        }
    )
    if zo is not None:
        ratio = [float(a / b) for a, b in zip(zl, zo, strict=True) if b > 0]
        ok = len(ratio) == len(zl) and len(ratio) >= 2 and np.mean(ratio) > 0
        report["spread_per_officer"] = (
            float((max(ratio) - min(ratio)) / np.mean(ratio)) if ok else None
        )
    log.info("partition: %s %s in %.2fs", report["name"], report["status"], report["seconds"])
    return Plan(
        assignment=assignment,
        graph=work,
        solver=jsonable(report),
        zone_load=zone_load,
        spread=cons.spread(zone_load, exclude=exclude),
        max_dev=cons.max_dev(zone_load, exclude=exclude),
        cut_edges=cons.cut_edges(work, assignment),
        added_links=added,
        warnings=notes,
    )
