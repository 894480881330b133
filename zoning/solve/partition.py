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

Objective
---------
``objective="travel"`` (default) chooses the zones and each zone's 中心所
together: it minimises ``Σ load_i × minutes(中心所 of i's zone → i)`` over the
balanced zones, subject to every rule above and a load **band**: the spread
``(max − min) / mean`` of the balanced zones' loads at most ``band`` (default
5 %). When no contiguous plan fits the band, the smallest achievable spread is
certified first and the band becomes that plus one percentage point
(:attr:`Plan.band` says so). Secondary (exact solver, once the travel optimum
is proven): the incident-mix distance between each station and its 中心所.
Engines: :mod:`zoning.solve.joint` (CP-SAT model :mod:`zoning.solve.joint_exact`,
heuristic :mod:`zoning.solve.joint_heuristic`, bounds :mod:`zoning.solve.bounds`).

``objective="balance"`` keeps the balance-first engine below unchanged
(lexicographic):

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
Every stopping rule that shapes the plan is deterministic: ``time_limit`` sets
iteration budgets and CP-SAT deterministic-time budgets (one worker), so the
same inputs and seed give the same plan on any machine; a wall-clock cap
(``max(60 s, 10 × time_limit)``) is only a safety stop, and
``solver["stopped_by_wall_clock"]`` says when it fired.
For the balance objective, ``solver="exact"`` solves both phases with CP-SAT
(:mod:`zoning.solve.balance_exact`), warm started by the heuristic; ``"heuristic"``
runs spanning-tree bipartition plus tabu search (:mod:`zoning.solve.balance_heuristic`);
``"auto"`` uses the exact solver up to :data:`zoning.settings.exact_max_stations` stations.
Zone labels: the core is 1, locked zones keep their numbers, the other zones take
the remaining numbers in order of their first station in the input node order.

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
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import networkx as nx
import numpy as np

from zoning import settings
from zoning._i18n import tr
from zoning.errors import (
    InfeasibleError,
    InputError,
    NoPlanFoundError,
    ProblemList,
    ZoningError,
    ZoningWarning,
)
from zoning.graph import graph_with_links
from zoning.solve import balance_exact
from zoning.solve import rules as cons
from zoning.solve.diagnose import diagnose, infeasible_text
from zoning.solve.dispatch import gap, solve, wall_cap_for
from zoning.solve.frontier import DEFAULT_BANDS
from zoning.solve.frontier import frontier as solve_frontier
from zoning.solve.joint import (
    BAND_STEP,
    JointOutcome,
    SearchExhaustedError,
    smallest_spread,
    solve_joint,
)
from zoning.solve.joint_model import JointProblem, spread_of, travel_figures
from zoning.solve.problem import Problem, balance_value, make_problem, relabel
from zoning.utils import display_names, join_names, jsonable

__all__ = ["DEFAULT_BANDS", "Plan", "partition"]


#: Default seconds for the exact solver (county scale, ≤ settings.exact_max_stations).
DEFAULT_EXACT_SECONDS = 2.0
#: Default seconds for the heuristic (city scale).
DEFAULT_HEURISTIC_SECONDS = 20.0
#: Default load band of the travel objective: spread ``(max − min) / mean`` ≤ 5 %.
DEFAULT_BAND = 0.05
#: A spread above this draws a warning.
WARN_SPREAD = 0.20


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
        ``"heuristic"``), ``objective``, ``bound`` (a valid lower bound),
        ``gap``, ``seconds``, ``seed``, ``time_limit``, ``budgets``,
        ``stopped_by_wall_clock``, ``versions``, ``phases``, ``objective_kind``
        (``"travel"``: Σ load × minutes; ``"balance"``: the phase-2 compactness
        term), ``balance``, ``tolerance``, ``balance_term`` and, with officers,
        ``spread_per_officer``.
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
    centers
        Zone → its 中心所 (station id), every zone; empty when no travel times
        were given (balance objective without ``minutes`` or ``positions``). With
        ``objective="travel"`` chosen together with the zones; otherwise the
        cheapest station of each zone (same rule).
    travel
        Travel figures from each station's 中心所, or ``None`` (no travel times):
        ``method`` (``"matrix"`` or ``"straight_line"``), ``mean_minutes``
        (load-weighted, balanced zones), ``max_minutes`` and ``farthest``
        (station id, balanced zones), ``share_within`` (``{"15": …, "30": …}``,
        share of the balanced load), ``mean_minutes_all`` / ``max_minutes_all``
        (every station), ``objective`` (Σ load × minutes, balanced zones) and
        ``station_minutes`` (station → minutes from its 中心所).
    band
        The load band (travel objective; per-officer balance): ``requested``,
        ``used``, ``reason`` (``"requested"``, ``"min_spread_plus_step"`` — the
        smallest spread was certified and the band is that + 1 pp —, or
        ``"heuristic_spread_plus_step"`` — estimated, not certified),
        ``min_spread`` and ``min_spread_status``, and ``robust``; ``None`` for the
        balance objective in load mode. With ``robust`` the band holds for the
        total and for every period of ``period_loads``, and ``min_spread`` is the
        smallest achievable *worst-period* spread.
    frontier
        With ``frontier=`` bands: one entry per band, tightest first: ``band``,
        ``status`` (``"solved"``, ``"below_min_spread"`` or ``"out_of_budget"``) and,
        when solved, ``spread``, ``mean_minutes``, ``max_minutes``,
        ``share_within``, ``cut_edges``, ``assignment``, ``centers``,
        ``solver_status``, ``bound``, ``gap``, ``plan`` (the rung's whole
        :class:`Plan`: its band has ``reason = "frontier"``, its warnings are
        stored, not emitted) and, with ``period_loads``, ``worst_period_spread``.
        ``"below_min_spread"`` rows carry ``min_spread`` and ``min_spread_status``
        (``"optimal"``: only a spread CP-SAT certified rules a band out);
        ``"out_of_budget"``: the search used its budget up without a plan.
    periods
        With ``period_loads``: ``labels``, ``zone_loads`` (label → zone → load),
        ``spread`` (label → spread of the balanced zones), ``worst_spread`` and
        ``worst_period``, and ``robust`` (whether the band held in every period);
        ``None`` without periods.
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
    centers: dict[int, Hashable] = field(default_factory=dict)
    travel: dict[str, Any] | None = None
    band: dict[str, Any] | None = None
    frontier: list[dict[str, Any]] = field(default_factory=list)
    periods: dict[str, Any] | None = None


def _finite_nonneg(value: Any) -> bool:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(x) and x >= 0


def _validate_travel(
    graph: nx.Graph,
    options: Mapping[str, Any],
    names: dict[Hashable, str],
    problems: ProblemList,
    listed: Callable[[Sequence[Any], str, str], None],
) -> None:
    """Problems with the travel inputs: minutes, centre eligibility and locks, frontier."""
    nodes, known = list(graph.nodes), set(graph.nodes)
    minutes = options["minutes"]
    if minutes is not None:
        try:
            _minutes_matrix(minutes, nodes)
        except (InputError, ValueError, TypeError, KeyError) as exc:
            problems.add(str(exc))
    elif options["objective"] == "travel" and options["positions"] is None:
        problems.add(
            tr(
                "objective='travel' 需要行车时间矩阵 minutes（或各所坐标 positions 以直线估算）；"
                "或改用 objective='balance'",
                "objective='travel' needs a minutes matrix (or positions for the straight-line "
                "estimate); or use objective='balance'",
            )
        )
    eligible = options["center_eligible"]
    if eligible is not None:
        listed(
            [v for v in eligible if v not in known],
            "可作中心所的派出所不在图中",
            "center_eligible names stations that are not in the graph",
        )
    must = list(options["center_locks"])
    listed(
        [v for v in must if v not in known],
        "锁定为中心所的派出所不在图中",
        "center_locks name stations that are not in the graph",
    )
    if eligible is not None:
        listed(
            [names.get(v, str(v)) for v in must if v in known and v not in set(eligible)],
            "锁定为中心所的派出所不在可作中心所的名单中",
            "center_locks outside center_eligible",
        )
    listed(
        [repr(b) for b in options["frontier"] if not _finite_nonneg(b)],
        "frontier 中的带宽应为非负数",
        "frontier bands must be non-negative numbers",
    )


def _validate_periods(
    graph: nx.Graph,
    options: Mapping[str, Any],
    names: dict[Hashable, str],
    problems: ProblemList,
    listed: Callable[[Sequence[Any], str, str], None],
) -> None:
    """Problems with ``robust`` and ``period_loads``."""
    periods = options["period_loads"]
    robust = options["robust"]
    if not isinstance(robust, bool | np.bool_):
        listed([repr(robust)], "robust 应为 True 或 False", "robust must be True or False")
    if robust and options["objective"] != "travel":
        problems.add(
            tr(
                "robust（各期负荷都在带内）只适用于 objective='travel'；负荷均衡优先的"
                "引擎只均衡总量。请改用 objective='travel'，或去掉 robust",
                "robust (the band in every period) needs objective='travel'; the "
                "balance-first engine balances the total only. Use objective='travel', or "
                "drop robust",
            )
        )
    if robust and not periods:
        problems.add(
            tr(
                "robust 需要各期的警情量 period_loads（如按季度），至少一期",
                "robust needs period_loads (e.g. per quarter), at least one period",
            )
        )
    if not periods:
        return
    if not isinstance(periods, Mapping):
        problems.add(
            tr("period_loads 应为 期 → {派出所: 警情量}", "period_loads must map period → loads")
        )
        return
    nodes = list(graph.nodes)
    for label, loads in periods.items():
        if not isinstance(loads, Mapping):
            listed([str(label)], "period_loads 中该期不是 {派出所: 警情量}", "not a mapping")
            continue
        listed(
            [names[v] for v in nodes if v not in loads],
            f"第 {label} 期缺少以下派出所的警情量",
            f"period {label} has no load for",
        )
        listed(
            [names[v] for v in nodes if v in loads and not _finite_nonneg(loads[v])],
            f"第 {label} 期警情量必须是非负有限数",
            f"period {label}: loads must be finite and non-negative",
        )


def _minutes_matrix(minutes: Any, nodes: Sequence[Hashable]) -> np.ndarray:
    """Minutes as an ``n × n`` float array in ``nodes`` order (rows = from, columns = to).

    Accepts a pandas DataFrame indexed by station on both axes (extra stations
    are ignored), a mapping ``from → {to → minutes}``, or an array already in
    node order.
    """
    if hasattr(minutes, "loc") and hasattr(minutes, "index"):  # pandas DataFrame
        missing = [v for v in nodes if v not in minutes.index or v not in minutes.columns]
        if missing:
            raise InputError(
                tr(
                    f"行车时间矩阵缺少以下派出所：{join_names([str(v) for v in missing])}",
                    f"the minutes matrix lacks stations: {join_names([str(v) for v in missing])}",
                )
            )
        out = minutes.loc[list(nodes), list(nodes)].to_numpy(dtype=float)
    elif isinstance(minutes, Mapping):
        out = np.array([[float(minutes[a][b]) for b in nodes] for a in nodes], dtype=float)
    else:
        out = np.asarray(minutes, dtype=float)
    if out.shape != (len(nodes), len(nodes)):
        raise InputError(
            tr(
                f"行车时间矩阵应为 {len(nodes)}×{len(nodes)}，实际为 {out.shape}",
                f"the minutes matrix must be {len(nodes)}×{len(nodes)}, not {out.shape}",
            )
        )
    if not np.isfinite(out).all() or (out < 0).any():
        raise InputError(
            tr(
                "行车时间矩阵中有缺失、无穷或负值",
                "the minutes matrix holds missing, infinite or negative values",
            )
        )
    out = out.copy()
    np.fill_diagonal(out, 0.0)
    return out


def _straight_minutes(
    positions: Mapping[Any, tuple[float, float]], nodes: Sequence[Hashable]
) -> np.ndarray:
    """Straight-line estimate (metric positions): distance × detour at the assumed speed."""
    from zoning.centers.travel import DETOUR_FACTOR, STRAIGHT_SPEED_KPH

    xy = np.array([positions[v] for v in nodes], dtype=float)
    metres = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return metres * DETOUR_FACTOR / (STRAIGHT_SPEED_KPH * 1000.0 / 60.0)


def _validate(
    graph: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int,
    urban_core: Any,
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
    cores = cons.core_stations(urban_core)
    listed(
        [v for v in cores if v not in known], "城关所不在图中", "the urban core is not in the graph"
    )
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
            if not bad and sum(float(officers[v]) for v in nodes if v not in cores) <= 0:
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
    _validate_travel(graph, options, names, problems, listed)
    _validate_periods(graph, options, names, problems, listed)
    allowed = {
        "islands": ("link", "error"),
        "balance": ("load", "per_officer"),
        "solver": ("auto", "exact", "heuristic"),
        "objective": ("travel", "balance"),
    }
    for key, values in allowed.items():
        if options[key] not in values:
            listed(
                [repr(options[key])],
                f"参数 {key} 应为 {values} 之一",
                f"option {key} must be one of {values}",
            )
    for key in ("tolerance", "compactness_weight", "similarity_weight", "time_limit", "band"):
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
    urban_core: Hashable | Iterable[Hashable] | None = None,
    officers: Mapping[Any, float] | None = None,
    category_mix: Mapping[Any, Sequence[float]] | None = None,
    locks: Mapping[Any, int] | None = None,
    together: Sequence[Sequence[Hashable]] = (),
    forbidden_links: Sequence[tuple[Hashable, Hashable]] = (),
    forced_links: Sequence[tuple[Hashable, Hashable]] = (),
    positions: Mapping[Any, tuple[float, float]] | None = None,
    islands: Literal["link", "error"] = "link",
    objective: Literal["travel", "balance"] = "travel",
    band: float = DEFAULT_BAND,
    minutes: Any = None,
    center_eligible: Collection[Hashable] | None = None,
    center_locks: Collection[Hashable] = (),
    frontier: Sequence[float] = (),
    robust: bool = False,
    period_loads: Mapping[Any, Mapping[Any, float]] | None = None,
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
    """Group stations into ``k`` contiguous defence zones and choose their 中心所.

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
        The urban-core station (城关所), or several stations that together form
        zone 1 (a county seat with several stations; they must be connected).
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
        Metric ``(x, y)`` per station: links islands to the nearest station, and
        gives the straight-line travel estimate when ``minutes`` is not given.
    islands
        ``"link"`` joins every island component to the nearest station (with a
        warning); ``"error"`` raises :class:`InfeasibleError` naming them.
    objective
        ``"travel"`` (default): zones and 中心所 chosen together, minimising the
        load-weighted minutes from each station's 中心所 within the load band;
        ``"balance"``: today's balance-first engine (spread, then compactness), the
        中心所 then the cheapest station of each zone when travel times are known.
    band
        Largest spread ``(max − min) / mean`` of the balanced zones' loads for the
        travel objective and for ``balance="per_officer"`` (default 5 %); raised to
        the smallest achievable spread + 1 pp when nothing fits (see :attr:`Plan.band`).
    minutes
        Station × station travel minutes, rows = from, columns = to (a pandas
        DataFrame indexed by station id on both axes, e.g.
        ``TravelTimes.frame()``; a mapping ``from → {to → minutes}``; or an array in
        graph node order). Default: straight line × 1.3 at 40 km/h from ``positions``.
    center_eligible
        Stations that may be a 中心所 (e.g. those with a 办案区); default all.
    center_locks
        Stations that must be a 中心所 (each then heads its own zone).
    frontier
        Bands (e.g. :data:`DEFAULT_BANDS`) for which to find the best plan too
        (:attr:`Plan.frontier`); travel objective only.
    robust
        Hold the band in every period of ``period_loads`` as well as for the
        total ("balances the worst period"); travel objective only (the
        balance-first engine refuses it). When no contiguous plan fits the band
        in every period, the smallest worst-period spread is certified (or
        estimated) and the band becomes that + 1 pp, as for the total.
    period_loads
        Period label → (station → load of that period), e.g. the whole quarters of
        :func:`zoning.periods.periods_from_load` (``PeriodLoads.held_loads``);
        needed for ``robust``, reported in :attr:`Plan.periods` either way.
    balance
        ``"load"`` (equal loads) or ``"per_officer"`` (load share = officer share;
        for the travel objective the officer figures are only reported).
    tolerance
        Balance slack as a fraction of the mean zone load (balance objective).
    compactness_weight, similarity_weight
        Weights of cut edges and of internal dissimilarity in phase 2 (balance objective).
    solver
        ``"auto"``, ``"exact"`` (CP-SAT) or ``"heuristic"``.
    time_limit
        Nominal seconds of the solve (default :data:`DEFAULT_EXACT_SECONDS` for the
        exact solver, :data:`DEFAULT_HEURISTIC_SECONDS` for the heuristic), turned
        into deterministic budgets (CP-SAT deterministic seconds, heuristic
        iterations) calibrated on a 2-core machine; the frontier gets the same again.
        A busy machine takes longer but returns the same plan.
    seed
        Random seed; the same inputs and seed give the same plan (unless the
        wall-clock safety cap fires, which the report says).
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
        negative loads, islands to link without ``positions``, travel objective
        without ``minutes`` or ``positions`` …).
    InfeasibleError
        No plan exists; the message names the stations and the rule (islands with
        ``islands="error"``, a lock to zone 1 beside a core or above ``k``, locked or
        grouped stations that cannot be connected, more separate parts than balanced
        zones, a zone without an eligible 中心所, or infeasibility proven by CP-SAT).
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
        "objective": objective,
        "band": band,
        "minutes": minutes,
        "positions": positions,
        "center_eligible": None if center_eligible is None else list(center_eligible),
        "center_locks": list(center_locks),
        "frontier": list(frontier),
        "robust": robust,
        "period_loads": period_loads,
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
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        warnings.warn(text, ZoningWarning, stacklevel=3)

    if k > settings.guideline_max_zones:
        note(
            tr(
                f"防区数 {k} 超过指导意见建议的 {settings.guideline_max_zones} 个",
                f"{k} zones exceed the guideline maximum of {settings.guideline_max_zones}",
            )
        )
    setup = _prepare(
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
        islands=islands,
        minutes=minutes,
        center_eligible=center_eligible,
        center_locks=center_locks,
        options=options,
        names=shown,
    )
    notes.extend(setup.notes)
    problem = setup.problem
    use_exact = _use_exact(solver, graph.number_of_nodes(), note)
    if time_limit is None:
        time_limit = DEFAULT_EXACT_SECONDS if use_exact else DEFAULT_HEURISTIC_SECONDS
    if exclude and not use_exact:
        raise InputError(
            tr("排除已有方案需要精确求解器", "excluding earlier plans needs the exact solver")
        )
    wall_cap = wall_cap_for(float(time_limit))
    run = _Run(
        use_exact=use_exact,
        wall_cap=wall_cap,
        seed=int(seed),
        progress=progress,
        exclude=[np.array([plan[v] for v in problem.nodes]) for plan in exclude],
    )
    band_info: dict[str, Any] | None = None
    outcome: JointOutcome | None = None
    jp: JointProblem | None = None
    if objective == "travel":
        jp, outcome, band_info = _solve_travel(
            setup,
            band=float(band),
            seconds=float(time_limit),
            category_mix=category_mix,
            robust=robust,
            period_loads=period_loads,
            note=note,
            run=run,
        )
        zone, report = outcome.zone, dict(outcome.report)
        report["objective_kind"] = "travel"
    elif balance == "per_officer":
        zone, report, band_info = _per_officer(
            problem,
            float(band),
            use_exact=use_exact,
            time_limit=float(time_limit),
            seed=int(seed),
            progress=progress,
            exclude=run.exclude,
            wall_cap=wall_cap,
            note=note,
        )
        report["objective_kind"] = "balance"
    else:
        zone, report = solve(
            problem,
            use_exact=use_exact,
            time_limit=float(time_limit),
            seed=int(seed),
            progress=progress,
            exclude=run.exclude,
            wall_cap=wall_cap,
        )
        report["objective_kind"] = "balance"
    assignment = _checked_assignment(setup, zone, k)
    cores, nodes, index = setup.cores, setup.nodes, setup.index
    zone_load = cons.zone_loads(loads, assignment)
    core_zones = {1} if cores else set()
    load_arr = np.array([float(loads[v]) for v in nodes], dtype=float)
    centers, travel = _centres_and_travel(setup, assignment, outcome, load_arr, note)
    spread = cons.spread(zone_load, exclude=core_zones)
    _complete_report(
        report,
        problem,
        assignment,
        zone_load,
        officers,
        started=t0,
        seed=int(seed),
        time_limit=float(time_limit),
        use_exact=use_exact,
        wall_cap=wall_cap,
        objective=objective,
        balance=balance,
        tolerance=float(tolerance),
    )
    if report["stopped_by_wall_clock"]:
        note(
            tr(
                "求解达到了墙钟时间安全上限而停止：本方案可能与在空闲机器上重算的结果不同",
                "the solver stopped at its wall-clock safety cap: this plan may not reproduce "
                "on an idle machine",
            )
        )
    plan_warnings = _planner_warnings(
        assignment, zone_load, loads, cores, spread, band_info, problem, shown, float(band)
    )
    for text in plan_warnings:
        note(text)
    periods_info = None
    if period_loads:
        periods_info = _period_info(period_loads, assignment, core_zones, robust=robust)
    rungs: list[dict[str, Any]] = []
    if frontier and jp is not None and outcome is not None and setup.minutes is not None:
        rungs = _frontier(
            jp,
            frontier,
            outcome,
            use_exact=use_exact,
            seconds=float(time_limit),
            wall_cap=wall_cap,
            seed=int(seed),
            work=setup.work,
            graph_nodes=nodes,
            index=index,
            full_minutes=setup.minutes,
            load_arr=load_arr,
            cores=cores,
            locks=setup.locks,
            loads=loads,
            names=shown,
            method=setup.method,
            added=setup.added,
        )
        for entry in rungs:
            if period_loads and "assignment" in entry:
                info = _period_info(period_loads, entry["assignment"], core_zones, robust=robust)
                entry["worst_period_spread"] = info["worst_spread"]
    settings.get_logger().info(
        "partition: %s %s in %.2fs", report["name"], report["status"], report["seconds"]
    )
    return Plan(
        assignment=assignment,
        graph=setup.work,
        solver=jsonable(report),
        zone_load=zone_load,
        spread=spread,
        max_dev=cons.max_dev(zone_load, exclude=core_zones),
        cut_edges=cons.cut_edges(setup.work, assignment),
        added_links=setup.added,
        warnings=notes,
        centers=centers,
        travel=None if travel is None else jsonable(travel),
        band=band_info,
        frontier=rungs,
        periods=None if periods_info is None else jsonable(periods_info),
    )


@dataclass(frozen=True)
class _Run:
    """How the solvers run: engine, wall-clock safety cap, seed, progress, plans to avoid."""

    use_exact: bool
    wall_cap: float
    seed: int
    progress: Callable[[dict[str, Any]], None] | None
    exclude: list[np.ndarray]


@dataclass
class _Setup:
    """The planning problem as the solvers see it, built once by :func:`_prepare`."""

    work: nx.Graph  # the planning graph (links added / removed, islands linked)
    added: list[Any]  # links added to the graph (forced, islands)
    notes: list[str]  # island warnings, already issued
    problem: Problem  # the balanced stations, indexed
    cores: list[Hashable]
    locks: dict[Hashable, int]
    groups: list[list[Hashable]]
    nodes: list[Hashable]  # every station, in graph order
    index: dict[Hashable, int]
    minutes: np.ndarray | None  # station × station minutes, graph order
    method: str | None  # "matrix" or "straight_line"
    eligible: np.ndarray  # may be a 中心所 (graph order)
    must: np.ndarray  # must be a 中心所 (graph order)
    names: dict[Hashable, str]  # display names for messages


def _prepare(
    graph: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int,
    urban_core: Hashable | Iterable[Hashable] | None,
    officers: Mapping[Any, float] | None,
    category_mix: Mapping[Any, Sequence[float]] | None,
    locks: Mapping[Any, int] | None,
    together: Sequence[Sequence[Hashable]],
    forbidden_links: Sequence[tuple[Hashable, Hashable]],
    forced_links: Sequence[tuple[Hashable, Hashable]],
    positions: Mapping[Any, tuple[float, float]] | None,
    islands: Literal["link", "error"],
    minutes: Any,
    center_eligible: Collection[Hashable] | None,
    center_locks: Collection[Hashable],
    options: Mapping[str, Any],
    names: dict[Hashable, str],
) -> _Setup:
    """The planning graph, the infeasibility diagnosis, the indexed problem and the minutes."""
    cores = cons.core_stations(urban_core)
    lock_map = {v: int(z) for v, z in (locks or {}).items()}
    groups = [list(g) for g in together]
    work, added, island_notes = graph_with_links(
        graph,
        core=cores,
        forced_links=forced_links,
        forbidden_links=forbidden_links,
        positions=positions,
        islands=islands,
        names=names,
    )
    classes = diagnose(
        work,
        k=k,
        core=cores,
        locks=lock_map,
        together=groups,
        forbidden_links=forbidden_links,
        names=names,
    )
    problem = make_problem(
        work,
        loads,
        k=k,
        core=cores,
        officers=officers,
        category_mix=category_mix,
        locks=lock_map,
        classes=classes,
        options=dict(options),
        names=names,
    )
    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    full_minutes, method = None, None
    if minutes is not None:
        full_minutes, method = _minutes_matrix(minutes, nodes), "matrix"
    elif positions is not None and all(v in positions for v in nodes):
        full_minutes, method = _straight_minutes(positions, nodes), "straight_line"
    eligible = np.ones(len(nodes), dtype=bool)
    if center_eligible is not None:
        eligible[:] = False
        eligible[[index[v] for v in center_eligible]] = True
    must = np.zeros(len(nodes), dtype=bool)
    must[[index[v] for v in center_locks]] = True
    return _Setup(
        work=work,
        added=added,
        notes=list(island_notes),
        problem=problem,
        cores=cores,
        locks=lock_map,
        groups=groups,
        nodes=nodes,
        index=index,
        minutes=full_minutes,
        method=method,
        eligible=eligible,
        must=must,
        names=names,
    )


def _use_exact(solver: str, n_stations: int, note: Callable[[str], None]) -> bool:
    """Whether CP-SAT solves: asked for, or ``auto`` at county size, and loadable."""
    use_exact = solver == "exact" or (
        solver == "auto" and n_stations <= settings.exact_max_stations
    )
    if use_exact and not balance_exact.available():
        text = tr(
            "无法加载 OR-Tools CP-SAT（可能与先加载的 highspy 冲突），改用启发式求解",
            "OR-Tools CP-SAT cannot be loaded (a clash with an earlier highspy import?); "
            "using the heuristic",
        )
        if solver == "exact":
            raise ZoningError(text)
        note(text)
        use_exact = False
    return use_exact


def _solve_travel(
    setup: _Setup,
    *,
    band: float,
    seconds: float,
    category_mix: Mapping[Any, Sequence[float]] | None,
    robust: bool,
    period_loads: Mapping[Any, Mapping[Any, float]] | None,
    note: Callable[[str], None],
    run: _Run,
) -> tuple[JointProblem, JointOutcome, dict[str, Any]]:
    """The joint engine: zones and 中心所 together, least travel within the band."""
    problem = setup.problem
    assert setup.minutes is not None  # _validate made sure
    sel = np.array([setup.index[v] for v in problem.nodes], dtype=np.int64)
    _check_centres_possible(problem, setup.eligible[sel], setup.must[sel], setup.names)
    held = None
    if robust and period_loads:
        held = np.array(
            [[float(loads_p[v]) for v in problem.nodes] for loads_p in period_loads.values()],
            dtype=float,
        ).reshape(len(period_loads), problem.n)
    jp = JointProblem(
        problem,
        setup.minutes[np.ix_(sel, sel)],
        band,
        setup.eligible[sel],
        setup.must[sel],
        periods=held,
    )
    try:
        outcome = solve_joint(
            jp,
            use_exact=run.use_exact,
            seconds=seconds,
            wall_cap=run.wall_cap,
            seed=run.seed,
            mix_distance=_mix_distance(category_mix, problem.nodes),
            progress=run.progress,
            exclude=run.exclude,
        )
    except SearchExhaustedError:
        raise NoPlanFoundError(
            tr(
                "在求解时限内未找到与已有方案不同的方案（并未证明不存在）；"
                "可加大 --time-limit 再试",
                "no plan different from the earlier ones was found within the solver budget "
                "(none is proven not to exist); raise --time-limit and try again",
            )
        ) from None
    if outcome is None:
        raise InfeasibleError(
            tr("未找到满足条件的方案：", "no plan was found: ") + infeasible_text(problem)
        )
    band_info: dict[str, Any] = {
        "requested": outcome.band.requested,
        "used": outcome.band.used,
        "reason": outcome.band.reason,
        "min_spread": outcome.band.min_spread,
        "min_spread_status": outcome.band.min_spread_status,
        "robust": bool(robust),
    }
    if robust:
        band_info["periods"] = [str(lab) for lab in (period_loads or {})]
    if outcome.band.reason != "requested":
        note(
            _band_text(
                outcome.band.requested, outcome.band.used, outcome.band.reason, robust=robust
            )
        )
    return jp, outcome, band_info


def _centres_and_travel(
    setup: _Setup,
    assignment: Mapping[Hashable, int],
    outcome: JointOutcome | None,
    load_arr: np.ndarray,
    note: Callable[[str], None],
) -> tuple[dict[int, Hashable], dict[str, Any] | None]:
    """Each zone's 中心所 (the joint engine's, else the fastest eligible) and the travel figures.

    Without minutes (no positions, no matrix) there is neither: the caller places
    the 中心所 by the guideline's criteria.
    """
    if setup.minutes is None:
        return {}, None
    problem = setup.problem
    fixed = None
    if outcome is not None:
        fixed = {assignment[problem.nodes[int(c)]]: problem.nodes[int(c)] for c in outcome.centre}
    centers = _centres(
        dict(assignment),
        setup.nodes,
        setup.index,
        setup.minutes,
        load_arr,
        setup.eligible,
        setup.must,
        setup.cores,
        setup.names,
        note,
        fixed,
    )
    travel = _figures(
        dict(assignment), centers, setup.nodes, setup.index, setup.minutes, load_arr, setup.cores
    )
    travel["method"] = setup.method
    return centers, travel


def _assignment_of(
    problem: Problem,
    zone: np.ndarray,
    nodes: Sequence[Hashable],
    cores: Sequence[Hashable],
    locks: Mapping[Any, int],
) -> dict[Hashable, int]:
    """Station → zone number from the model's zones (the urban core zone 1, locks honoured)."""
    raw = dict.fromkeys(cores, 1)
    raw.update({v: problem.labels[int(z)] for v, z in zip(problem.nodes, zone, strict=True)})
    return relabel({v: raw[v] for v in nodes}, core=cores, locks=locks)


def _checked_assignment(setup: _Setup, zone: np.ndarray, k: int) -> dict[Hashable, int]:
    """Station → zone (1 = the urban core), checked against every rule before it leaves."""
    problem, cores = setup.problem, setup.cores
    assignment = _assignment_of(problem, zone, setup.nodes, cores, setup.locks)
    wrong = [
        str(v)
        for v in cons.violations(
            setup.work, assignment, k=k, core=cores, locks=setup.locks, together=setup.groups
        )
        if v.kind != "guideline"  # more than 5 zones was asked for; warned above
    ]
    if any(assignment[v] != 1 for v in cores):
        wrong.append(f"urban core {cores} is not zone 1")
    if wrong or len(set(assignment.values())) != k:
        raise ZoningError("internal error, invalid plan: " + "; ".join(wrong))
    return assignment


def _complete_report(
    report: dict[str, Any],
    problem: Problem,
    assignment: Mapping[Hashable, int],
    zone_load: Mapping[int, float],
    officers: Mapping[Any, float] | None,
    *,
    started: float,
    seed: int,
    time_limit: float,
    use_exact: bool,
    wall_cap: float,
    objective: str,
    balance: str,
    tolerance: float,
) -> None:
    """Add what reproduces and judges the solve: gap, budgets, versions, balance terms."""
    zl = np.array([zone_load[z] for z in problem.labels])
    zo = None
    if problem.officers is not None or officers is not None:
        off = {v: float(officers[v]) for v in assignment} if officers is not None else {}
        zo = np.array(
            [sum(off[v] for v, z in assignment.items() if z == lab) for lab in problem.labels]
        )
    budgets = _budgets(time_limit, use_exact, objective)
    report.update(
        {
            "gap": _rounded(gap(report.get("objective"), report.get("bound"))),
            "seconds": round(time.perf_counter() - started, 3),
            "seed": seed,
            "time_limit": time_limit,
            "budget": time_limit,
            "budgets": budgets,
            "deterministic_budget": budgets.get("cp_sat_deterministic_seconds"),
            "workers": 1,
            "wall_cap": wall_cap,
            "stopped_by_wall_clock": bool(report.get("stopped_by_wall_clock", False)),
            "versions": _versions(use_exact),
            "objective_name": objective,
            "balance": balance,
            "tolerance": tolerance,
            "balance_term": balance_value(
                problem, zl, zo if problem.officers is not None else None
            ),
        }
    )
    if zo is not None:
        report["spread_per_officer"] = cons.per_officer_spread(
            dict(zip(problem.labels, zl.tolist(), strict=True)),
            dict(zip(problem.labels, zo.tolist(), strict=True)),
        )


def with_centers(
    plan: Plan,
    centers: Mapping[int, Hashable],
    minutes: Any,
    loads: Mapping[Any, float],
    *,
    urban_core: Hashable | Iterable[Hashable] | None = None,
) -> Plan:
    """The plan with other 中心所 (e.g. chosen by the guideline's criteria) and their travel.

    The balance-first engine leaves the choice of 中心所 to the caller; the travel
    figures must then describe the stations actually chosen, not the fastest ones.

    Parameters
    ----------
    plan
        A plan with travel figures (made with minutes or positions).
    centers
        Zone → its 中心所, every zone.
    minutes
        Station × station minutes, as for :func:`partition`.
    loads
        Load of every station (the weights).
    urban_core
        The urban-core station(s), left out of the balanced figures.
    """
    nodes = list(plan.assignment)
    if plan.travel is None or {z: str(c) for z, c in centers.items()} == {
        z: str(c) for z, c in plan.centers.items()
    }:
        return plan
    index = {v: i for i, v in enumerate(nodes)}
    load_arr = np.array([float(loads[v]) for v in nodes], dtype=float)
    figures = _figures(
        plan.assignment,
        centers,
        nodes,
        index,
        _minutes_matrix(minutes, nodes),
        load_arr,
        cons.core_stations(urban_core),
    )
    figures["method"] = plan.travel.get("method")
    return replace(plan, centers=dict(centers), travel=jsonable(figures))


def _per_officer(
    problem: Problem,
    band: float,
    *,
    use_exact: bool,
    time_limit: float,
    seed: int,
    progress: Callable[[dict[str, Any]], None] | None,
    exclude: Sequence[np.ndarray],
    wall_cap: float,
    note: Callable[[str], None],
) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
    """Per-officer balance within the load band (issue 13, item 6: never a degenerate plan).

    The load spread stays within ``band``; when no plan fits, the smallest load
    spread is found first (certified by the exact solver) and the band becomes
    that + 1 pp. Should the per-officer search still miss the band, the
    load-balanced plan is returned instead, with a warning.
    """

    def run(p: Problem) -> tuple[np.ndarray, dict[str, Any]]:
        return solve(
            p,
            use_exact=use_exact,
            time_limit=time_limit,
            seed=seed,
            progress=progress,
            exclude=exclude,
            wall_cap=wall_cap,
        )

    def spread_of(zone: np.ndarray) -> float:
        zl = np.bincount(zone, weights=problem.load, minlength=problem.m)
        total = float(zl.sum())
        return 0.0 if total <= 0 else problem.m * float(zl.max() - zl.min()) / total

    info: dict[str, Any] = {
        "requested": band,
        "used": band,
        "reason": "requested",
        "min_spread": None,
        "min_spread_status": None,
    }
    try:
        zone, report = run(replace(problem, load_band=band))
        if spread_of(zone) <= band * (1 + 1e-9) + 1e-12:
            return zone, report, info
    except InfeasibleError:
        pass
    by_load = replace(
        problem,
        officers=None,
        tolerance=0.0,
        compactness_weight=0.0,
        similarity_weight=0.0,
        load_band=None,
    )
    zone0, report0 = run(by_load)
    smallest = spread_of(zone0)
    certified = report0.get("balance_status") == "optimal"
    used = max(band, smallest + BAND_STEP)
    info.update(
        {
            "used": used,
            "reason": "min_spread_plus_step" if certified else "heuristic_spread_plus_step",
            "min_spread": smallest,
            "min_spread_status": "optimal" if certified else "heuristic",
        }
    )
    note(_band_text(band, used, str(info["reason"])))
    try:
        zone, report = run(replace(problem, load_band=used))
        if spread_of(zone) <= used * (1 + 1e-9) + 1e-12:
            return zone, report, info
    except InfeasibleError:
        pass
    note(
        tr(
            "按警力均衡未能在警情量带宽内找到方案，已改用按警情量均衡的方案",
            "no per-officer plan kept the load band; the load-balanced plan is used instead",
        )
    )
    return zone0, report0, info


def _rounded(value: float | None) -> float | None:
    """A gap to 6 decimals (the travel objective's integer scaling leaves ~1e-8)."""
    return None if value is None else round(value, 6)


def _check_centres_possible(
    problem: Problem, eligible: np.ndarray, must: np.ndarray, names: Mapping[Any, str]
) -> None:
    """Explain centre locks and eligibility that no plan can honour."""
    locked = np.flatnonzero(must).tolist()
    shown = [names.get(problem.nodes[i], str(problem.nodes[i])) for i in locked]
    if len(locked) > problem.m:
        raise InfeasibleError(
            tr(
                f"锁定为中心所的派出所（{join_names(shown)}）多于均衡防区数 {problem.m}",
                f"more stations locked as 中心所 ({join_names(shown)}) than the "
                f"{problem.m} balanced zones",
            )
        )
    by_lock: list[list[int]] = [
        np.flatnonzero(problem.lock == z).tolist() for z in range(problem.m)
    ]
    for group in [*problem.groups, *by_lock]:
        both = [i for i in group if must[i]]
        if len(both) > 1:
            text = join_names([names.get(problem.nodes[i], str(problem.nodes[i])) for i in both])
            raise InfeasibleError(
                tr(
                    f"{text} 都被锁定为中心所，却须在同一防区（每个防区只有一个中心所）",
                    f"{text} are all locked as 中心所 but must share a zone (one 中心所 per zone)",
                )
            )
    if not eligible.any():
        raise InfeasibleError(
            tr(
                "城关以外没有可作中心所的派出所",
                "no station outside the urban core may be a 中心所",
            )
        )


def _mix_distance(
    category_mix: Mapping[Any, Sequence[float]] | None, nodes: Sequence[Hashable]
) -> np.ndarray | None:
    """Total-variation distances between the stations' incident-category mixes."""
    if category_mix is None:
        return None
    mix = np.array([np.asarray(category_mix[v], dtype=float) for v in nodes], dtype=float)
    total = mix.sum(axis=1, keepdims=True)
    share = np.divide(mix, total, out=np.zeros_like(mix), where=total > 0)
    dist = 0.5 * np.abs(share[:, None, :] - share[None, :, :]).sum(axis=2)
    empty = (total[:, 0] <= 0)[:, None] | (total[:, 0] <= 0)[None, :]
    return np.where(empty, 0.0, dist)


def _band_text(requested: float, used: float, reason: str, *, robust: bool = False) -> str:
    how = (
        tr("已证明", "certified")
        if reason == "min_spread_plus_step"
        else tr("估计（未证明）", "estimated (not certified)")
    )
    if robust:
        return tr(
            f"没有连片方案能使各防区警情量差距在每一期（及合计）都不超过 {requested:.1%}；"
            f"最差一期的最小可达差距{how}为 {used - BAND_STEP:.1%}，已按 {used:.1%} 规划",
            f"no contiguous plan keeps the zone loads within a {requested:.1%} band in every "
            f"period (and in total); the smallest achievable worst-period spread is "
            f"{used - BAND_STEP:.1%} ({how}), so the band used is {used:.1%}",
        )
    return tr(
        f"没有连片方案能使各防区警情量差距在 {requested:.1%} 以内；"
        f"最小可达差距{how}为 {used - 0.01:.1%}，已按 {used:.1%} 规划",
        f"no contiguous plan keeps the zone loads within a {requested:.1%} band; the smallest "
        f"achievable spread is {used - 0.01:.1%} ({how}), so the band used is {used:.1%}",
    )


def _period_info(
    period_loads: Mapping[Hashable, Mapping[Any, float]],
    assignment: Mapping[Hashable, int],
    core_zones: set[int],
    *,
    robust: bool,
) -> dict[str, Any]:
    """:attr:`Plan.periods`: each zone's load and the balanced zones' spread per period."""
    zone_loads: dict[str, dict[int, float]] = {}
    spreads: dict[str, float] = {}
    for label, loads_p in period_loads.items():
        zl = cons.zone_loads({v: float(loads_p[v]) for v in assignment}, dict(assignment))
        zone_loads[str(label)] = zl
        spreads[str(label)] = float(cons.spread(zl, exclude=core_zones))
    worst = max(spreads, key=spreads.__getitem__) if spreads else None
    return {
        "labels": list(spreads),
        "zone_loads": zone_loads,
        "spread": spreads,
        "worst_spread": None if worst is None else spreads[worst],
        "worst_period": worst,
        "robust": bool(robust),
    }


def _centres(
    assignment: Mapping[Hashable, int],
    nodes: Sequence[Hashable],
    index: Mapping[Hashable, int],
    minutes: np.ndarray,
    load: np.ndarray,
    eligible: np.ndarray,
    must: np.ndarray,
    cores: Sequence[Hashable],
    names: Mapping[Any, str],
    note: Callable[[str], None],
    fixed: Mapping[int, Hashable] | None = None,
) -> dict[int, Hashable]:
    """Each zone's 中心所: the fixed one, else a must-centre, else the cheapest eligible one.

    Cheapest = least Σ load × minutes from it to the zone's stations (smallest
    index on ties). A zone without an eligible station takes its cheapest
    station, with a warning naming the zone (the urban-core zone without one).
    """
    out: dict[int, Hashable] = {}
    for z in sorted(set(assignment.values())):
        if fixed and z in fixed:
            out[z] = fixed[z]
            continue
        members = np.array([index[v] for v in nodes if assignment[v] == z], dtype=np.int64)
        forced = members[must[members]]
        if len(forced) > 1:
            text = join_names([names.get(nodes[i], str(nodes[i])) for i in forced])
            raise InfeasibleError(
                tr(
                    f"{text} 都被锁定为中心所，却在同一防区",
                    f"{text} are all locked as 中心所 but share a zone",
                )
            )
        cand = forced if len(forced) else members[eligible[members]]
        if len(cand) == 0 and cores and z == 1:
            cand = members  # the urban core heads its own zone, eligible or not
        elif len(cand) == 0:
            cand = members
            who = join_names([names.get(nodes[i], str(nodes[i])) for i in members], 4)
            note(
                tr(
                    f"第 {z} 防区（{who}）没有可作中心所的派出所，已在全部派出所中选择",
                    f"zone {z} ({who}) has no station eligible as 中心所; chosen among all",
                )
            )
        cost = minutes[np.ix_(cand, members)] @ load[members]
        out[z] = nodes[int(cand[int(np.argmin(cost))])]
    return out


def _figures(
    assignment: Mapping[Hashable, int],
    centers: Mapping[int, Hashable],
    nodes: Sequence[Hashable],
    index: Mapping[Hashable, int],
    minutes: np.ndarray,
    load: np.ndarray,
    cores: Sequence[Hashable],
) -> dict[str, Any]:
    zone = np.array([assignment[v] for v in nodes], dtype=np.int64)
    balanced = np.array([v not in set(cores) for v in nodes], dtype=bool)
    fig = travel_figures(
        minutes, load, zone, {z: index[c] for z, c in centers.items()}, balanced=balanced
    )
    each = fig.pop("station_minutes")
    far = int(fig["farthest"])
    fig["farthest"] = nodes[far] if far >= 0 else None
    fig["station_minutes"] = {v: float(m) for v, m in zip(nodes, np.asarray(each), strict=True)}
    return dict(fig)


def _budgets(seconds: float, use_exact: bool, objective: str) -> dict[str, Any]:
    """The deterministic budgets the nominal seconds became (for the report)."""
    from zoning.solve.joint import EXACT_SHARES, HEURISTIC_SHARES

    if objective == "travel":
        shares = EXACT_SHARES if use_exact else HEURISTIC_SHARES
        out: dict[str, Any] = {"nominal_seconds": seconds, "shares": dict(shares)}
        if use_exact:
            out["cp_sat_deterministic_seconds"] = shares["cp_sat"] * seconds
        return out
    return {
        "nominal_seconds": seconds,
        "cp_sat_deterministic_seconds": 0.75 * seconds if use_exact else None,
    }


def _versions(use_exact: bool) -> dict[str, str | None]:
    """Versions of zoning and of the solver libraries (reproducibility)."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in ("zoning", "ortools", "numpy", "scipy", "networkx"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    out["cp_sat_workers"] = "1" if use_exact else None
    return out


def _planner_warnings(
    assignment: Mapping[Hashable, int],
    zone_load: Mapping[int, float],
    loads: Mapping[Any, float],
    cores: Sequence[Hashable],
    spread: float,
    band_info: Mapping[str, Any] | None,
    problem: Problem,
    names: Mapping[Any, str],
    band: float,
) -> list[str]:
    """Warnings a planner needs (issue 13 item 8), naming the stations."""
    out: list[str] = []
    core_set = set(cores)
    members: dict[int, list[Hashable]] = {}
    for v, z in assignment.items():
        members.setdefault(z, []).append(v)
    for z in sorted(members):
        if len(members[z]) == 1 and members[z][0] not in core_set:
            who = names.get(members[z][0], str(members[z][0]))
            out.append(
                tr(
                    f"第 {z} 防区只有 {who} 一个派出所（不是城关所）",
                    f"zone {z} holds a single station, {who} (not the urban core)",
                )
            )
    m = problem.m
    total = float(problem.load.sum())
    if m >= 2 and total > 0:
        limit = total / m * (1 + (m - 1) / m * band)
        heavy = [v for v in problem.nodes if float(loads[v]) > limit]
        if heavy:
            who = join_names([names.get(v, str(v)) for v in heavy])
            out.append(
                tr(
                    f"{who} 的警情量超过 {band:.0%} 带宽下单个防区的上限 {limit:.0f}，"
                    "各防区无法在该带宽内均衡",
                    f"the load of {who} exceeds the largest zone load a {band:.0%} band allows "
                    f"({limit:.0f}): the zones cannot be balanced within it",
                )
            )
    if spread > WARN_SPREAD:
        balanced = {z: v for z, v in zone_load.items() if not (core_set and z == 1)}
        hi = max(balanced, key=lambda z: balanced[z])
        lo = min(balanced, key=lambda z: balanced[z])

        def listed(z: int) -> str:
            return join_names([names.get(v, str(v)) for v in members[z]], 4)

        out.append(
            tr(
                f"各防区警情量差距 {spread:.1%}，超过 20%：最重的第 {hi} 防区（{listed(hi)}），"
                f"最轻的第 {lo} 防区（{listed(lo)}）",
                f"the zone loads are {spread:.1%} apart, more than 20%: heaviest zone {hi} "
                f"({listed(hi)}), lightest zone {lo} ({listed(lo)})",
            )
        )
    return out


def _frontier(
    jp: JointProblem,
    bands: Sequence[float],
    outcome: JointOutcome,
    *,
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
    work: nx.Graph,
    graph_nodes: Sequence[Hashable],
    index: Mapping[Hashable, int],
    full_minutes: np.ndarray,
    load_arr: np.ndarray,
    cores: Sequence[Hashable],
    locks: Mapping[Any, int],
    loads: Mapping[Any, float],
    names: Mapping[Any, str],
    method: str | None,
    added: list[tuple[Hashable, Hashable]],
) -> list[dict[str, Any]]:
    """The frontier entries, each solved rung with its whole :class:`Plan` (``"plan"``).

    Every plan is checked by the same rules as the main plan. A rung tighter than
    every plan known so far is only reported as ``"below_min_spread"`` when
    CP-SAT certified the smallest spread: by the main solve (when it had to raise
    the band) or here, once, before the ladder is solved.
    """
    min_spread = outcome.band.min_spread
    min_status = outcome.band.min_spread_status
    if min_status != "optimal" and use_exact and balance_exact.available():
        known = spread_of(jp, outcome.zone)
        if any(float(b) < known - 1e-12 for b in bands):
            min_spread, min_status = smallest_spread(
                jp, [outcome.zone], use_exact=True, seconds=seconds, wall_cap=wall_cap, seed=seed
            )
    certified = min_status == "optimal"
    rungs = solve_frontier(
        jp,
        bands,
        use_exact=use_exact,
        seconds=seconds / max(1, len(bands)),
        wall_cap=wall_cap,
        seed=seed,
        starts=[outcome.zone],
        min_spread=min_spread if certified else None,
        proven=outcome,
    )
    problem = jp.base
    core_zones = {1} if cores else set()
    out: list[dict[str, Any]] = []
    for rung in rungs:
        entry: dict[str, Any] = {"band": rung.band, "status": rung.reason}
        if rung.reason == "below_min_spread":
            entry["min_spread"] = min_spread
            entry["min_spread_status"] = min_status
        res = rung.outcome
        if res is not None:
            assignment = _assignment_of(problem, res.zone, graph_nodes, cores, locks)
            if cons.violations(
                work, assignment, k=len(set(assignment.values())), core=cores, locks=locks
            ):
                raise ZoningError("internal error, invalid frontier plan")
            fixed = {assignment[problem.nodes[int(c)]]: problem.nodes[int(c)] for c in res.centre}
            centers = _centres(
                assignment,
                graph_nodes,
                index,
                full_minutes,
                load_arr,
                np.ones(len(graph_nodes), dtype=bool),
                np.zeros(len(graph_nodes), dtype=bool),
                cores,
                {},
                lambda _t: None,
                fixed,
            )
            fig = _figures(assignment, centers, graph_nodes, index, full_minutes, load_arr, cores)
            fig["method"] = method
            zl = cons.zone_loads(dict(zip(graph_nodes, load_arr.tolist(), strict=True)), assignment)
            spread = float(cons.spread(zl, exclude=core_zones))
            band = {
                "requested": rung.band,
                "used": rung.band,
                "reason": "frontier",
                "min_spread": min_spread if certified else None,
                "min_spread_status": min_status if certified else None,
            }
            report = dict(res.report)
            report.update(
                {
                    "gap": _rounded(res.report.get("gap")),
                    "seed": int(seed),
                    "objective_kind": "travel",
                    "objective_name": "travel",
                    "frontier_band": rung.band,
                }
            )
            plan = Plan(
                assignment=assignment,
                graph=work,
                solver=jsonable(report),
                zone_load=zl,
                spread=spread,
                max_dev=cons.max_dev(zl, exclude=core_zones),
                cut_edges=cons.cut_edges(work, assignment),
                added_links=list(added),
                warnings=_planner_warnings(
                    assignment, zl, loads, cores, spread, band, problem, names, rung.band
                ),
                centers=centers,
                travel=jsonable(fig),
                band=band,
            )
            entry.update(
                {
                    "spread": spread,
                    "mean_minutes": float(fig["mean_minutes"]),
                    "max_minutes": float(fig["max_minutes"]),
                    "share_within": jsonable(fig["share_within"]),
                    "cut_edges": plan.cut_edges,
                    "assignment": assignment,
                    "centers": centers,
                    "solver_status": res.report.get("status"),
                    "bound": jsonable(res.report.get("bound")),
                    "gap": _rounded(res.report.get("gap")),
                    "plan": plan,
                }
            )
        out.append(entry)
    return out
