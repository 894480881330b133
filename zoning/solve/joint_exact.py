"""Exact joint choice of zones and 中心所 with OR-Tools CP-SAT.

Model (``n`` stations, ``m`` zones; Hess / p-median assignment form)
--------------------------------------------------------------------
* ``y[i, j]`` — station ``i`` is served by centre ``j``; ``y[j, j]`` — ``j`` is
  a centre. ``Σ_j y[i, j] = 1``, ``y[i, j] ≤ y[j, j]``, ``Σ_j y[j, j] = m``.
  Pairs are pruned when no zone can hold both: a path between them carries more
  load than the largest zone load the band allows (node-weighted Dijkstra), or
  ``j`` may not be a centre. Must-centres have ``y[j, j] = 1``.
* Band (loads integer-scaled): ``lo ≤ L_j ≤ hi`` for every open centre, ``hi − lo ≤ B``
  (``B = band · L / m``), plus the implied linear ``L_min·y[j, j] ≤ L_j ≤ L_max·y[j, j]``.
* Locks and together groups: stations that must share a zone have equal rows
  of ``y``; stations locked to different zones never share a centre.
* Contiguity, exact, two formulations (measured; see ``benchmarks/travel.py``):

  - ``"tree"`` (default): every station that is not a centre picks one parent
    arc ``a[k→i]`` to a neighbour of the same zone (``a[k→i] ∧ y[i, j] ⇒ y[k, j]``)
    with a strictly smaller depth, so following parents always ends at the
    zone's centre;
  - ``"cutloop"``: solve without contiguity, add for every stray piece ``C``
    of a zone the separator cuts ``y[i, j] ≤ Σ_{k ∈ N(C)} y[k, j]`` (``i ∈ C``;
    ``N(C)`` the neighbours of ``C``) for every possible centre ``j`` outside
    ``C``, not only the one that served it (a piece cut off from one centre is
    otherwise handed whole to the next: on the 40-unit map this proves the
    optimum in 4.6 deterministic s instead of 7.3), repeat. Every round's bound is
    valid for the contiguous problem.

  Both add the valid neighbour cuts ``y[i, j] ≤ Σ_{k ∈ N(i)} y[k, j]`` (``i ≠ j``)
  that tighten the LP relaxation.
* Objective: ``Σ round(S · load_i · minutes[j, i]) · y[i, j]``; the reported
  objective is recomputed in floating point and the bound is the CP-SAT bound
  divided by ``S`` minus the largest possible rounding (so it stays valid).
* Secondary (lexicographic, only once the travel optimum is proven): with the
  travel fixed at its optimum, minimise ``Σ_i d(i, centre(i))``, the
  total-variation distance between each station's incident-category mix and its
  中心所's.

Strategies (:func:`solve_joint_travel`): the tree formulation with CP-SAT's
default LP below :data:`FULL_LP_FROM` stations; from there on the cut loop with
the full LP relaxation (``linearization_level`` 2) that branches on the centres
first (``centres_first``: cheapest-looking centre first, opened before closed,
then CP-SAT's own search), on the whole budget (``benchmarks/travel.py``,
strategy table and the 31–50 unit sample), and beside it, in a second thread on
a budget of its own, the same model with the separator cuts of every two adjacent
stations added up front (:data:`PAIR_STRATEGY`; ``settings.solver_threads``):
whichever proves its plan decides, the first on a tie, so the plan never depends
on which thread ends first.

Determinism: one worker per model, the seed, and a deterministic-time budget
(``max_deterministic_time``); the wall-clock limit is a safety cap whose firing
is reported (``stopped_by_wall_clock``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zoning.solve.joint_model import (
    BAND_EPS,
    JointProblem,
    band_rows,
    best_centres,
    min_load_paths,
    row_limits,
    travel_cost,
    worst_spread,
)
from zoning.solve.problem import label_parts

_COST_TOTAL = 1e9
#: At most this share of the deterministic budget goes to the secondary objective.
SECONDARY_SHARE = 0.1
_LOAD_TOTAL = 1_000_000_000


class Interrupt:
    """A request from another thread to stop a running :func:`solve_joint_exact`.

    :meth:`stop` may be called at any time, also before the solve has started or
    between its rounds; it is idempotent. The caller discards the stopped solve's
    result (it depends on when the request came).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._solver: Any = None
        self.requested = False

    def attach(self, solver: Any) -> None:
        """Register the ``CpSolver`` that :meth:`stop` is to stop."""
        with self._lock:
            self._solver = solver

    def stop(self) -> None:
        """Ask the solve to stop (CP-SAT ends its current search soon after)."""
        with self._lock:
            self.requested = True
            if self._solver is not None:
                self._solver.stop_search()


@dataclass
class JointExactResult:
    """Outcome of :func:`solve_joint_exact` (``zone``/``centre`` ``None`` if nothing found)."""

    zone: np.ndarray | None
    centre: np.ndarray | None
    status: str  # "optimal", "feasible", "infeasible", "unknown" or "interrupted"
    objective: float | None
    bound: float
    deterministic_time: float
    seconds: float
    stopped_by_wall_clock: bool
    rounds: int = 1
    phases: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _RowBand:
    """One row the band applies to, integer-scaled: loads, total, band and caps."""

    li: np.ndarray
    margin: int
    lt: int
    b_int: int
    lo_cap: int
    hi_cap: int

    @classmethod
    def of(
        cls, row: np.ndarray, band: float, m: int, *, spread_only: bool, common: bool
    ) -> _RowBand:
        """``common``: scale to :data:`_LOAD_TOTAL` whatever the row (comparable ranges)."""
        if common and float(row.sum()) > 0:
            li = np.round(row * (_LOAD_TOTAL / float(row.sum()))).astype(np.int64)
            margin = len(row) + 1
        else:
            li, margin = _int_loads(row)
        lt = int(li.sum())
        b_int = (
            lt if spread_only else max(0, int(np.floor(band * lt / m * (1 + BAND_EPS))) - margin)
        )
        # m·L_max ≤ L + (m − 1)·B and m·L_min ≥ L − (m − 1)·B, in integers (a float
        # ceil of 13.000000000000002 once cut off the only plans at the band)
        hi_cap = min(lt, (lt + (m - 1) * b_int) // m)
        lo_cap = max(0, -(-(lt - (m - 1) * b_int) // m))
        return cls(li, margin, lt, b_int, lo_cap, hi_cap)


def _int_loads(load: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer loads and the band margin their rounding needs (0 when exact)."""
    total = float(load.sum())
    if total <= 0:
        return np.zeros(len(load), dtype=np.int64), 0
    if np.all(load == np.round(load)) and total <= _LOAD_TOTAL:
        return load.astype(np.int64), 0
    scaled = np.round(load * (_LOAD_TOTAL / total)).astype(np.int64)
    return scaled, len(load) + 1


def _parents(jp: JointProblem, zone: np.ndarray, centre: np.ndarray) -> tuple[dict, list[int]]:
    """BFS parent arcs (k, i) and depths of every zone from its centre."""
    parent: dict[tuple[int, int], int] = {}
    depth = [0] * jp.n
    for z in range(jp.m):
        root = int(centre[z])
        seen = {root}
        queue = [root]
        for v in queue:
            for w in jp.base.adj[v].tolist():
                if zone[w] == z and w not in seen:
                    seen.add(w)
                    parent[(v, w)] = 1
                    depth[w] = depth[v] + 1
                    queue.append(w)
    return parent, depth


def solve_joint_exact(
    jp: JointProblem,
    *,
    seed: int,
    work: float,
    wall_cap: float,
    hint: tuple[np.ndarray, np.ndarray] | None = None,
    formulation: str = "tree",
    mix_distance: np.ndarray | None = None,
    lower_bound: float = 0.0,
    progress: Callable[[dict[str, Any]], None] | None = None,
    params: dict[str, Any] | None = None,
    exclude: Sequence[np.ndarray] = (),
    spread_only: bool = False,
    travel_share: float = 1.0,
    centres_first: bool = False,
    pair_cuts: bool = False,
    interrupt: Interrupt | None = None,
    searching: threading.Event | None = None,
) -> JointExactResult:
    """Minimise Σ load · minutes to the zone's centre over contiguous plans within the band.

    With ``spread_only`` the same model (every rule, centres included, no band)
    minimises the load range instead: the smallest achievable spread, whose
    ``objective`` and ``bound`` are then spreads.

    Parameters
    ----------
    jp
        The joint problem (``m ≥ 2``).
    seed
        CP-SAT ``random_seed``.
    work
        Deterministic-time budget (CP-SAT deterministic seconds) of all solves.
    wall_cap
        Wall-clock safety cap in seconds.
    hint
        A valid plan ``(zone, centre)`` (warm start).
    formulation
        ``"tree"`` or ``"cutloop"`` (contiguity).
    mix_distance
        ``n × n`` incident-mix distances for the secondary objective (``None``: skip it).
    lower_bound
        A bound known from elsewhere (e.g. Lagrangian); the result's bound is at least this.
    progress
        Called with ``{"phase", "seconds", "objective", "bound"}`` at improving solutions.
    params
        Extra ``SatParameters`` fields (experiments).
    exclude
        Zone vectors (any labels) of plans the result must differ from: some edge
        one of them cuts must be internal or some edge it keeps internal cut (for
        contiguous zones the internal edges determine the partition).
    spread_only
        Minimise the load range instead of the travel (see above).
    travel_share
        Share of ``work`` the main objective may use; the secondary objective
        may use what is left (at most :data:`SECONDARY_SHARE` of ``work``).
    centres_first
        Branch on the centre variables ``y[j, j]`` first, opening before closing,
        cheapest-looking centre first (the sum of its ``⌈n/m⌉`` cheapest
        services), then leave the rest to CP-SAT (``FIXED_SEARCH``). On 28
        random maps of 31–50 units at 2 deterministic s this proves 22 plans where
        CP-SAT's default search (after the tree model) proves 17.
    pair_cuts
        Add up front, for every two adjacent stations ``a, b`` and every centre
        ``j`` outside them, the separator cuts ``y[i, j] ≤ Σ_{k ∈ N({a, b})} y[k, j]``
        (``i ∈ {a, b}``): the cut loop's cut for every two-station piece. They
        prove some maps sooner and others later (:data:`PAIR_STRATEGY`).
    interrupt
        Lets another thread stop this solve early (:class:`Interrupt`); the result
        of an interrupted solve depends on timing and is to be discarded.
    searching
        Set when the model is built and CP-SAT's first search starts (CP-SAT then
        releases the GIL: a second model built in another thread from then on
        does not delay this one).

    Returns
    -------
    JointExactResult
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    p = jp.base
    n, m = jp.n, jp.m
    adj = [a.tolist() for a in p.adj]
    rows = band_rows(jp)  # the total, then the periods held to the band (robust)
    common = spread_only and len(rows) > 1  # worst spread: every row on one scale
    bands = [_RowBand.of(row, jp.band, m, spread_only=spread_only, common=common) for row in rows]
    margin, lt = bands[0].margin, bands[0].lt
    if spread_only:
        allowed = np.isfinite(min_load_paths(jp))  # no band: any connected zone is allowed
    else:
        limits = row_limits(jp, rows)
        allowed = np.ones((n, n), dtype=bool)
        for row, (_, _, hi_float) in zip(rows, limits.tolist(), strict=True):
            paths = min_load_paths(jp, row)
            allowed &= paths <= hi_float * (1 + 1e-9) + 1e-9
    allowed[:, ~jp.eligible] = False
    np.fill_diagonal(allowed, jp.eligible)
    allowed[jp.must, :] = False  # a must-centre serves only itself
    allowed[jp.must, jp.must] = True
    wt = jp.weight.T  # wt[i, j]: serve i from j
    top = float(np.where(allowed, wt, 0.0).max(axis=1).sum())
    scale = _COST_TOTAL / top if top > 0 else 1.0
    cost = np.round(wt * scale).astype(np.int64)

    model = cp_model.CpModel()
    y: dict[tuple[int, int], Any] = {}
    for i in range(n):
        for j in np.flatnonzero(allowed[i]).tolist():
            y[i, j] = model.new_bool_var(f"y{i}_{j}")
    served = [[i for i in range(n) if (i, j) in y] for j in range(n)]
    centres = [j for j in range(n) if (j, j) in y]
    if any(not any((i, j) in y for j in range(n)) for i in range(n)) or len(centres) < m:
        return JointExactResult(
            None, None, "infeasible", None, 0.0, 0.0, time.perf_counter() - t0, False, 0
        )
    for i in range(n):
        model.add_exactly_one(y[i, j] for j in range(n) if (i, j) in y)
        for j in range(n):
            if i != j and (i, j) in y:
                model.add_implication(y[i, j], y[j, j])
    model.add(sum(y[j, j] for j in centres) == m)
    for j in np.flatnonzero(jp.must).tolist():
        model.add(y[j, j] == 1)
    # zones holding the same locked label / group: equal rows; different labels: apart
    same: list[list[int]] = [list(g) for g in p.groups]
    labels = sorted({int(z) for z in p.lock[p.lock >= 0]})
    reps = []
    for z in labels:
        members = np.flatnonzero(p.lock == z).tolist()
        same.append(members)
        reps.append(members[0])
    for group in same:
        for b in group[1:]:
            for j in range(n):
                ya, yb = y.get((group[0], j)), y.get((b, j))
                if ya is None and yb is None:
                    continue
                if ya is None or yb is None:
                    model.add((ya if yb is None else yb) == 0)
                else:
                    model.add(ya == yb)
    for ia, a in enumerate(reps):
        for b in reps[ia + 1 :]:
            for j in range(n):
                if (a, j) in y and (b, j) in y:
                    model.add_at_most_one([y[a, j], y[b, j]])
    # band: the same structure for the total and for every period held to it (robust)
    ranges: list[tuple[Any, Any]] = []
    for r, rb in enumerate(bands):
        lo = model.new_int_var(rb.lo_cap, rb.lt // m, f"lo{r}")
        hi = model.new_int_var(-(-rb.lt // m), rb.hi_cap, f"hi{r}")
        model.add(hi - lo <= rb.b_int)
        for j in centres:
            lj = sum(int(rb.li[i]) * y[i, j] for i in served[j] if rb.li[i])
            model.add(lj <= rb.hi_cap * y[j, j])
            model.add(lj >= rb.lo_cap * y[j, j])
            model.add(lj >= lo).only_enforce_if(y[j, j])
            model.add(lj <= hi).only_enforce_if(y[j, j])
        ranges.append((lo, hi))
    lo, hi = ranges[0]
    # valid neighbour cuts: a station served by j has a neighbour served by j
    for (i, j), var in y.items():
        if i != j:
            model.add(var <= sum(y[k, j] for k in adj[i] if (k, j) in y))
    if pair_cuts:  # the cut loop's cut for every two adjacent stations, up front
        for a, b in p.edges.tolist():
            _cut_off(model, y, adj, centres, {a, b})
    arc: dict[tuple[int, int], Any] = {}
    depth: list[Any] = []
    if formulation == "tree":
        depth = [model.new_int_var(0, max(0, n - m), f"d{i}") for i in range(n)]
        into: list[list[Any]] = [[] for _ in range(n)]
        for a, b in p.edges.tolist():
            for k, i in ((a, b), (b, a)):
                if not any((i, j) in y and (k, j) in y for j in range(n)):
                    continue
                var = model.new_bool_var(f"a{k}_{i}")
                arc[k, i] = var
                into[i].append(var)
                model.add(depth[i] >= depth[k] + 1).only_enforce_if(var)
                for j in range(n):
                    if (i, j) in y:
                        if (k, j) in y:
                            model.add_bool_or([~var, ~y[i, j], y[k, j]])
                        else:
                            model.add_bool_or([~var, ~y[i, j]])
        for i in range(n):
            model.add(sum(into[i]) + y.get((i, i), 0) == 1)
    elif formulation != "cutloop":
        raise ValueError(f"formulation must be 'tree' or 'cutloop', not {formulation!r}")
    if len(exclude):
        _add_exclusions(model, y, p.edges.tolist(), n, exclude)
    if centres_first:
        size = -(-n // m)
        near = np.sort(np.where(allowed, wt, np.inf), axis=0)[:size]
        reach = np.where(np.isfinite(near), near, 0.0).sum(axis=0)
        order = sorted(centres, key=lambda j: (float(reach[j]), j))
        model.add_decision_strategy(
            [y[j, j] for j in order], cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE
        )
    travel_expr = sum(int(cost[i, j]) * var for (i, j), var in y.items() if cost[i, j])
    if spread_only and common:
        worst = model.new_int_var(0, lt, "worst")  # every row scaled to the same total
        for lo_r, hi_r in ranges:
            model.add(worst >= hi_r - lo_r)
        model.minimize(worst)
        scale = lt / m if lt > 0 else 1.0  # objective units → spread
    elif spread_only:
        model.minimize(hi - lo)
        scale = m / lt if lt > 0 else 1.0  # objective units → spread
        scale = 1.0 / scale
    else:
        model.minimize(travel_expr)

    def measure(zone: np.ndarray, centre: np.ndarray) -> float:
        return worst_spread(jp, zone) if spread_only else travel_cost(jp, zone, centre)

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.random_seed = int(seed)
    prm.num_workers = 1
    prm.log_search_progress = False
    for key, value in (params or {}).items():
        setattr(prm, key, value)
    if centres_first:
        prm.search_branching = cp_model.FIXED_SEARCH

    def set_hint(zone: np.ndarray, centre: np.ndarray) -> None:
        model.clear_hints()
        for (i, j), var in y.items():
            model.add_hint(var, int(centre[zone[i]] == j))
        if formulation == "tree":
            parent, dep = _parents(jp, zone, centre)
            for ki, var in arc.items():
                model.add_hint(var, parent.get(ki, 0))
            for i in range(n):
                model.add_hint(depth[i], dep[i])
        for rb, (lo_r, hi_r) in zip(bands, ranges, strict=True):
            zl = np.bincount(zone, weights=rb.li, minlength=m)
            model.add_hint(lo_r, int(zl.min()))
            model.add_hint(hi_r, int(zl.max()))

    class _Callback(cp_model.CpSolverSolutionCallback):
        def __init__(self, phase: str) -> None:
            super().__init__()
            self.phase = phase

        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(
                    {
                        "phase": self.phase,
                        "seconds": time.perf_counter() - t0,
                        "objective": self.objective_value / scale,
                        "bound": self.best_objective_bound / scale,
                    }
                )

    def read() -> tuple[np.ndarray, np.ndarray]:
        """Zones (model labels) and their centres from the solver's values."""
        cen = np.array([j for j in centres if solver.value(y[j, j])], dtype=np.int64)
        serve = np.array(
            [next(j for j in range(n) if (i, j) in y and solver.value(y[i, j])) for i in range(n)]
        )
        return _canonical(jp, np.searchsorted(cen, serve), cen)

    best: tuple[float, np.ndarray, np.ndarray] | None = None
    if hint is not None:
        best = (measure(*hint), hint[0], hint[1])
        set_hint(*hint)
    # largest rounding of the integer objective (spreads: the load rounding margin)
    slack = margin / scale if spread_only else 0.5 * n / scale
    bound = float(lower_bound)
    det_used = 0.0
    fired = False
    status = "unknown"
    rounds = 0
    phases: list[dict[str, Any]] = []
    travel_work = travel_share * work
    if interrupt is not None:
        interrupt.attach(solver)
    while travel_work - det_used > 1e-3 and not fired:
        if interrupt is not None and interrupt.requested:
            status = "interrupted"
            break
        rounds += 1
        left = travel_work - det_used
        prm.max_deterministic_time = left
        prm.max_time_in_seconds = max(0.01, wall_cap - (time.perf_counter() - t0))
        ts = time.perf_counter()
        if searching is not None:
            searching.set()
        st = solver.solve(model, _Callback("travel"))
        det_used += solver.deterministic_time
        fired = st not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and (
            time.perf_counter() - t0 >= wall_cap * 0.999 and solver.deterministic_time < left * 0.99
        )
        phases.append(
            {
                "phase": ("min spread" if spread_only else "travel")
                + ("" if formulation == "tree" else f" round {rounds}"),
                "status": solver.status_name(st).lower(),
                "seconds": round(time.perf_counter() - ts, 3),
                "deterministic_time": round(solver.deterministic_time, 3),
            }
            | ({"stopped_by_wall_clock": True} if fired else {})
        )
        if st == cp_model.INFEASIBLE:
            # with a valid plan in hand the model cannot be infeasible; be safe anyway
            status = "infeasible" if best is None else "feasible"
            break
        if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if st == cp_model.UNKNOWN:
                bound = max(bound, solver.best_objective_bound / scale - slack)
            status = "feasible" if best is not None else "unknown"
            break
        bound = max(bound, solver.best_objective_bound / scale - slack)
        zone, cen = read()
        pieces = _stray_pieces(jp, zone, cen)
        if not pieces:
            value = measure(zone, cen)
            if best is None or value < best[0] - 1e-12 * max(1.0, value):
                best = (value, zone, cen)
            status = "optimal" if st == cp_model.OPTIMAL else "feasible"
            break
        # cut loop: separate every stray piece from every centre outside it, solve again
        for _, piece in pieces:
            _cut_off(model, y, adj, centres, piece)
        if best is not None:
            set_hint(best[1], best[2])
        status = "feasible" if best is not None else "unknown"
    if best is None:
        return JointExactResult(
            None,
            None,
            status,
            None,
            bound,
            det_used,
            time.perf_counter() - t0,
            fired,
            rounds,
            phases,
        )
    value, zone, cen = best
    if status == "optimal":
        bound = max(bound, min(value, solver.best_objective_bound / scale - slack))
        spare = min(work - det_used, SECONDARY_SHARE * work)
        if spread_only:
            spare = 0.0
        if mix_distance is not None and np.any(mix_distance > 0) and spare > 1e-3:
            zone, cen, info = _secondary(
                jp,
                model,
                solver,
                y,
                travel_expr,
                cost,
                mix_distance,
                zone,
                cen,
                set_hint,
                work=spare,
                wall=wall_cap - (time.perf_counter() - t0),
            )
            det_used += info["deterministic_time"]
            phases.append(info)
            value = travel_cost(jp, zone, cen)
    else:
        # centres: the cheapest of each zone (smallest index on ties), as the heuristic does
        cen = best_centres(jp, zone)
        value = measure(zone, cen)
    return JointExactResult(
        zone,
        cen,
        status,
        value,
        min(bound, value),
        det_used,
        time.perf_counter() - t0,
        fired,
        rounds,
        phases,
    )


#: From this many stations the full-LP cut loop, centres first, replaces the tree model.
FULL_LP_FROM = 31
#: The strategy from :data:`FULL_LP_FROM` stations on (options of :func:`solve_joint_exact`).
LARGE_STRATEGY: dict[str, Any] = {
    "formulation": "cutloop",
    "params": {"linearization_level": 2},
    "centres_first": True,
}
#: How the phases of :data:`LARGE_STRATEGY` are labelled in the solver report.
LARGE_STRATEGY_LABEL = "cut loop, full LP, centres first"
#: The model run beside :data:`LARGE_STRATEGY` when ``settings.solver_threads`` ≥ 2:
#: the same search with the separator cuts of every two adjacent stations up front.
PAIR_STRATEGY: dict[str, Any] = {**LARGE_STRATEGY, "pair_cuts": True}
#: How the phases of :data:`PAIR_STRATEGY` are labelled in the solver report.
PAIR_STRATEGY_LABEL = LARGE_STRATEGY_LABEL + ", pair cuts (second thread)"


def solve_joint_travel(
    jp: JointProblem,
    *,
    seed: int,
    work: float,
    wall_cap: float,
    hint: tuple[np.ndarray, np.ndarray] | None = None,
    mix_distance: np.ndarray | None = None,
    lower_bound: float = 0.0,
    progress: Callable[[dict[str, Any]], None] | None = None,
    exclude: Sequence[np.ndarray] = (),
) -> JointExactResult:
    """The travel optimum: CP-SAT's strategy chosen by size, on one deterministic budget.

    Neither strategy wins everywhere (``benchmarks/travel.py``, strategy table; two
    deterministic seconds, same warm start): on county maps (13–30 stations) the
    tree formulation with CP-SAT's default LP proves the optimum (密云 at a tight
    6.1 % band on population loads in 0.48 s), where the cut loop can stay far
    off (密云 1.9 %); from 31 stations the cut loop with the full LP
    (``linearization_level`` 2) branching on the centres first proves more plans
    (22 of 28 random maps of 31–50 units against 17 for the tree model followed
    by the cut loop with CP-SAT's default search). Below :data:`FULL_LP_FROM`
    stations the tree model has the whole budget, from there on
    :data:`LARGE_STRATEGY`, and, with ``settings.solver_threads`` ≥ 2,
    :data:`PAIR_STRATEGY` beside it in a second thread on a budget of its own
    (:func:`_portfolio`: the plan does not depend on which finishes first).
    Parameters as :func:`solve_joint_exact`.
    """
    from zoning import settings

    options: dict[str, Any] = {
        "seed": seed,
        "work": work,
        "wall_cap": wall_cap,
        "hint": hint,
        "mix_distance": mix_distance,
        "lower_bound": lower_bound,
        "exclude": exclude,
    }
    if jp.n < FULL_LP_FROM:
        return solve_joint_exact(jp, progress=progress, **options)
    if settings.solver_threads < 2:
        return _labelled(solve_joint_exact(jp, progress=progress, **options, **LARGE_STRATEGY))
    return _portfolio(jp, progress=progress, options=options)


def _labelled(result: JointExactResult, label: str = LARGE_STRATEGY_LABEL) -> JointExactResult:
    for phase in result.phases:
        phase["strategy"] = label
    return result


def _portfolio(
    jp: JointProblem,
    *,
    progress: Callable[[dict[str, Any]], None] | None,
    options: dict[str, Any],
) -> JointExactResult:
    """:data:`LARGE_STRATEGY` here and :data:`PAIR_STRATEGY` in a second thread.

    Each runs on the whole deterministic budget with one CP-SAT worker (CP-SAT
    releases the GIL, so two cores work at once). The result does not depend on
    timing: when the first proves its plan optimal (or proves there is none) its
    result is returned and the second is stopped and discarded; otherwise the
    second runs to its own end and the better result is returned: a proven plan
    first, then the lower travel (the first on a tie), with the larger of the two
    bounds. Measured (``benchmarks/travel.py``): the pair cuts prove the 40-unit
    benchmark map in 1.8 deterministic s where the first needs 4.4, and are slower
    elsewhere; together they prove what either proves.
    """
    interrupt = Interrupt()
    searching = threading.Event()
    box: list[JointExactResult | BaseException] = []

    def second() -> None:
        searching.wait()  # build this model while CP-SAT searches the first (no GIL)
        try:
            if not interrupt.requested:
                box.append(solve_joint_exact(jp, interrupt=interrupt, **options, **PAIR_STRATEGY))
        except BaseException as exc:  # re-raised in the calling thread
            box.append(exc)

    thread = threading.Thread(target=second, name="zoning-pair-cuts", daemon=True)
    thread.start()
    try:
        first = _labelled(
            solve_joint_exact(
                jp, progress=progress, searching=searching, **options, **LARGE_STRATEGY
            )
        )
    except BaseException:
        interrupt.stop()
        searching.set()
        stop_and_wait(interrupt, thread)
        raise
    searching.set()  # also when the first ended before searching (e.g. nothing to solve)
    if first.status in ("optimal", "infeasible"):
        stop_and_wait(interrupt, thread)
        first.phases.append(
            {"phase": "travel", "strategy": PAIR_STRATEGY_LABEL, "status": "stopped"}
        )
        return first
    thread.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    other = _labelled(box[0], PAIR_STRATEGY_LABEL)
    phases = first.phases + other.phases
    if other.zone is not None and (
        other.status == "optimal"
        or first.objective is None
        or (other.objective is not None and other.objective < first.objective)
    ):
        best = other
    else:
        best = first
    best.phases = phases
    bound = max(first.bound, other.bound)  # both models are exact for the same plans
    best.bound = bound if best.objective is None else min(bound, best.objective)
    best.deterministic_time = first.deterministic_time + other.deterministic_time
    best.stopped_by_wall_clock = first.stopped_by_wall_clock or other.stopped_by_wall_clock
    return best


def stop_and_wait(interrupt: Interrupt, thread: threading.Thread) -> None:
    """Stop the second model and wait for its thread (the request is repeated until
    CP-SAT has started: a stop before its search begins would be lost)."""
    while thread.is_alive():
        interrupt.stop()
        thread.join(0.05)


def _cut_off(
    model: Any,
    y: dict[tuple[int, int], Any],
    adj: list[list[int]],
    centres: list[int],
    piece: set[int],
) -> None:
    """Separator cuts ``y[i, j] ≤ Σ_{k ∈ N(piece)} y[k, j]`` for every station ``i`` of
    ``piece`` and every centre ``j`` outside it: a centre that serves a station of the
    piece reaches it through a neighbour of the piece it also serves."""
    border = sorted({k for v in piece for k in adj[v] if k not in piece})
    for j in centres:
        if j in piece:
            continue
        for i in sorted(piece):
            if (i, j) in y:
                model.add(y[i, j] <= sum(y[k, j] for k in border if (k, j) in y))


def _add_exclusions(
    model: Any,
    y: dict[tuple[int, int], Any],
    edges: list[list[int]],
    n: int,
    exclude: Sequence[np.ndarray],
) -> None:
    """Edge indicators ``s[e]`` (both ends served by one centre) and one clause per old plan."""
    same = []
    for e, (a, b) in enumerate(edges):
        s = model.new_bool_var(f"s{e}")
        for j in range(n):
            ya, yb = y.get((a, j)), y.get((b, j))
            if ya is not None and yb is not None:
                model.add_bool_or([~ya, ~yb, s])
            if ya is not None:
                model.add_bool_or([~s, ~ya] + ([yb] if yb is not None else []))
            if yb is not None:
                model.add_bool_or([~s, ~yb] + ([ya] if ya is not None else []))
        same.append(s)
    for old in exclude:
        model.add_bool_or(
            [same[e] if old[a] != old[b] else ~same[e] for e, (a, b) in enumerate(edges)]
        )


def _canonical(
    jp: JointProblem, zone: np.ndarray, cen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Relabel zones as model zones (locked ones keep theirs) and order centres to match."""
    new = _relabel(jp, zone)
    out = np.empty(jp.m, dtype=np.int64)
    for old in range(len(cen)):
        out[new[np.flatnonzero(zone == old)[0]]] = cen[old]
    return new, out


def _secondary(
    jp: JointProblem,
    model: Any,
    solver: Any,
    y: dict[tuple[int, int], Any],
    travel_expr: Any,
    cost: np.ndarray,
    mix: np.ndarray,
    zone: np.ndarray,
    cen: np.ndarray,
    set_hint: Callable[[np.ndarray, np.ndarray], None],
    *,
    work: float,
    wall: float,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Minimise the station-to-centre mix distance with the travel held at its optimum."""
    from ortools.sat.python import cp_model

    n = jp.n
    current = int(sum(int(cost[i, cen[zone[i]]]) for i in range(n)))
    model.add(travel_expr <= current)
    dist = np.round(mix * 1000).astype(np.int64)  # dist[j, i]: centre j, station i
    model.minimize(sum(int(dist[j, i]) * var for (i, j), var in y.items() if dist[j, i]))
    set_hint(zone, cen)
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(0.01, wall)
    ts = time.perf_counter()
    st = solver.solve(model)
    info: dict[str, Any] = {
        "phase": "similarity",
        "status": solver.status_name(st).lower(),
        "seconds": round(time.perf_counter() - ts, 3),
        "deterministic_time": round(solver.deterministic_time, 3),
    }
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        centres = np.array([j for j in range(n) if (j, j) in y and solver.value(y[j, j])])
        serve = np.array(
            [next(j for j in range(n) if (i, j) in y and solver.value(y[i, j])) for i in range(n)]
        )
        new_zone, new_cen = _canonical(jp, np.searchsorted(centres, serve), centres)
        info["objective"] = float(mix[new_cen[new_zone], np.arange(n)].sum())
        return new_zone, new_cen, info
    return zone, cen, info


def _relabel(jp: JointProblem, zone: np.ndarray) -> np.ndarray:
    """Model zone numbers: locked zones keep their index, the others by smallest station."""
    parts = [np.flatnonzero(zone == z) for z in np.unique(zone)]
    out = label_parts(jp.base, parts)
    if out is None:  # cannot happen for a plan that honours the locks
        raise RuntimeError("plan breaks the locks")
    return out


def _stray_pieces(
    jp: JointProblem, zone: np.ndarray, centre: np.ndarray
) -> list[tuple[int, set[int]]]:
    """``(centre, piece)`` for every connected piece of a zone not holding its centre."""
    adj = jp.base.adj
    out: list[tuple[int, set[int]]] = []
    for z in range(jp.m):
        members = set(np.flatnonzero(zone == z).tolist())
        c = int(centre[z])
        left = set(members)
        while left:
            start = c if c in left else min(left)
            piece = {start}
            stack = [start]
            while stack:
                v = stack.pop()
                for w in adj[v].tolist():
                    if w in members and w not in piece:
                        piece.add(w)
                        stack.append(w)
            left -= piece
            if c not in piece:
                out.append((c, piece))
    return out
