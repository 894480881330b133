"""Exact lexicographic partition with OR-Tools CP-SAT.

Model (``n`` stations, ``m`` balanced zones)
-------------------------------------------
* ``x[i,z]`` — station ``i`` is in zone ``z``; exactly one per station. Locked
  stations are fixed; ``together`` members get equal rows.
* Contiguity, rooted formulation: ``r[i,z]`` marks the root of zone ``z``, which
  is its smallest-index station (``x[j,z] ⇒ root(z) ≤ j``); every non-root
  station picks one parent arc ``a[j→i]`` to a neighbour in its zone with a
  strictly smaller depth (``a[j→i] ⇒ d[i] ≥ d[j] + 1``).
* Symmetry breaking: zones without locks are numbered by increasing root index
  (value precedence), which is also the labelling the caller wants.
* Balance term, integer-scaled (loads to a total of about 10⁶; integer loads
  are multiplied by an integer factor, so they stay exact): load mode
  ``B = max_z L_z − min_z L_z``; per-officer mode ``dev_z = L_z·O − L·O_z`` and
  ``B = max dev − min dev``. Redundant: ``Σ dev = const`` and every zone lies
  within ``B`` of the mean.
* ``s[e]`` marks an internal edge and implies equal zone rows.

Phase 1 minimises ``max(B, T)`` with ``T = tolerance × mean`` (in ``B`` units), so
it is proven optimal as soon as a plan within tolerance is found. Between the
phases the heuristic's tabu search polishes that plan for compactness under the
phase-1 balance limit (the warm start of phase 2). Phase 2 keeps ``B ≤`` the
phase-1 value plus ``T`` and minimises ``compactness_weight · cut edges +
similarity_weight · Σ_internal edges dissimilarity`` (coefficients × 1000, rounded).

Measured choices (seeded Voronoi maps, K = 5, tolerance 1 %, 2-core machine;
``benchmarks/partition.py`` reprints the formulation table):

* Contiguity: the parent/depth formulation proved both phases on 25–30-station
  maps in 0.5–3 s, where a single-commodity flow formulation (roots supply,
  every other station consumes one unit, flow only on internal edges) used up a
  10 deterministic-second budget (≈ 4.3 s) without a proof; both take ≈ 0.2 s
  at 20 stations. ``contiguity="flow"`` is kept for that measurement only.
* ``linearization_level = 0``: the LP relaxation of this model has bound 0
  (fractional ``x`` makes every edge internal), and dropping it made the proofs
  3–12× faster (30 stations: 1–3 s instead of 9–17 s or a 20 s timeout).
* One worker: faster than two workers with ``interleave_search`` (20 stations,
  LP on: 0.9 s vs 5 s) and deterministic. With 8 non-deterministic workers and the LP
  the phase-2 bound on a 40-station map only reached 28 against a best plan of
  43 after 120 s: optimality is certified up to about 30 stations.

Determinism: one worker, the given seed, and a deterministic-time budget
(``max_deterministic_time``) that normally ends the search before the wall-clock
safety limit, so the same inputs and seed give the same plan.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zoning.settings import get_logger
from zoning.solve.problem import Problem

_SCALE = 1000
_LOAD_TOTAL = 1_000_000
_OFFICER_TOTAL = 10_000


def available() -> bool:
    """Whether OR-Tools CP-SAT can be imported in this process.

    It cannot when another copy of the HiGHS library (e.g. from ``highspy``,
    pulled in by ``pulp``/``spopt``) was loaded first: both ship
    ``libhighs.so.1`` with different symbols.
    """
    try:
        from ortools.sat.python import cp_model  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class ExactResult:
    """Outcome of :func:`solve_exact` (``zone`` is ``None`` if nothing was found)."""

    zone: np.ndarray | None
    status: str
    objective: float | None
    bound: float | None
    seconds: float
    phases: list[dict[str, Any]] = field(default_factory=list)


def _scale(values: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``values`` summing to about ``total`` (exact for integers)."""
    s = float(values.sum())
    if s <= 0:
        return np.zeros(len(values), dtype=np.int64)
    if np.all(values == np.round(values)) and s <= total:
        return values.astype(np.int64) * int(total // s)
    return np.round(values * (total / s)).astype(np.int64)


def _tree_hint(problem: Problem, zone: np.ndarray) -> tuple[dict[tuple[int, int], int], list[int]]:
    """Parent arcs and depths of BFS trees rooted at each zone's smallest station."""
    parent: dict[tuple[int, int], int] = {}
    depth = [0] * problem.n
    seen = np.zeros(problem.n, dtype=bool)
    for root in range(problem.n):
        if seen[root]:
            continue
        seen[root] = True
        queue = [root]
        for v in queue:
            for w in problem.adj[v].tolist():
                if not seen[w] and zone[w] == zone[v]:
                    seen[w] = True
                    parent[(v, w)] = 1
                    depth[w] = depth[v] + 1
                    queue.append(w)
    return parent, depth


def solve_exact(
    problem: Problem,
    *,
    seed: int,
    time_limit: float,
    hint: np.ndarray | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    contiguity: str = "tree",
    workers: int = 1,
    params: dict[str, Any] | None = None,
    polish: Callable[[np.ndarray, float], np.ndarray] | None = None,
    work_limit: float | None = None,
    exclude: Sequence[np.ndarray] = (),
) -> ExactResult:
    """Solve both phases with CP-SAT.

    Parameters
    ----------
    problem
        The indexed problem (``m ≥ 2``).
    seed
        CP-SAT ``random_seed``.
    time_limit
        Seconds for both phases together.
    hint
        A feasible model-zone vector (warm start), e.g. from the heuristic.
    progress
        Called at every improving solution with ``{"phase", "seconds", "objective", "bound"}``.
    contiguity
        ``"tree"`` (parent/depth, default) or ``"flow"`` (single-commodity flow).
    workers
        CP-SAT ``num_workers``; more than one uses ``interleave_search`` to stay deterministic.
    params
        Extra ``SatParameters`` fields (for experiments).
    polish
        ``polish(zone, balance_limit)`` improves the phase-1 plan for compactness before
        phase 2 (the result is used as the phase-2 hint if it keeps the balance limit).
    exclude
        Zone vectors (any labels) of plans the solution must differ from: for each,
        some edge it cuts must be internal, or some edge it keeps internal must be cut
        (for contiguous zones the internal edges determine the partition).
    work_limit
        Deterministic-time budget of both phases (CP-SAT "deterministic seconds");
        default ``time_limit``. The search stops on this budget first, so a seed gives one
        plan; ``time_limit`` (wall clock) is only a safety stop.

    Returns
    -------
    ExactResult
        ``status`` is ``"optimal"`` (both phases proven), ``"feasible"``,
        ``"infeasible"`` (proven) or ``"unknown"`` (nothing found in time).
    """
    from ortools.sat.python import cp_model

    log = get_logger()
    t0 = time.perf_counter()
    n, m = problem.n, problem.m
    model = cp_model.CpModel()
    x = [[model.new_bool_var(f"x{i}_{z}") for z in range(m)] for i in range(n)]
    for i in range(n):
        model.add_exactly_one(x[i])
        if problem.lock[i] >= 0:
            model.add(x[i][int(problem.lock[i])] == 1)
    for group in problem.groups:
        for j in group[1:]:
            for z in range(m):
                model.add(x[group[0]][z] == x[j][z])
    # roots: the smallest-index station of each zone
    r = [[model.new_bool_var(f"r{i}_{z}") for z in range(m)] for i in range(n)]
    rootpos = []
    for z in range(m):
        model.add_exactly_one(r[i][z] for i in range(n))
        pos = model.new_int_var(0, n - 1, f"root{z}")
        model.add(pos == sum(i * r[i][z] for i in range(n)))
        for i in range(n):
            model.add_implication(r[i][z], x[i][z])
            model.add(pos <= i).only_enforce_if(x[i][z])
        rootpos.append(pos)
    free = [z for z in range(m) if not (problem.lock == z).any()]
    for a, b in itertools.pairwise(free):
        model.add(rootpos[a] + 1 <= rootpos[b])
    is_root = [sum(r[i]) for i in range(n)]
    # internal-edge indicators (objective of phase 2; also the flow's arc capacity)
    edges = problem.edges.tolist()
    s = [model.new_bool_var(f"s{e}") for e in range(len(edges))]
    for e, (i, j) in enumerate(edges):
        for z in range(m):
            model.add_bool_or([~s[e], ~x[i][z], x[j][z]])
            model.add_bool_or([~s[e], ~x[j][z], x[i][z]])
    for other in exclude:
        differs: list[Any] = []
        for e, (i, j) in enumerate(edges):
            if other[i] != other[j]:
                differs.append(s[e])  # an edge it cuts becomes internal
            else:
                cut = model.new_bool_var(f"c{e}_{len(differs)}")
                for z in range(m):  # cut ⇒ i and j in different zones
                    model.add_bool_or([~cut, ~x[i][z], ~x[j][z]])
                differs.append(cut)
        model.add_bool_or(differs)
    arcs = [(i, j) for i, j in edges] + [(j, i) for i, j in edges]
    if contiguity == "tree":
        arc = {ij: model.new_bool_var(f"a{ij[0]}_{ij[1]}") for ij in arcs}
        depth = [model.new_int_var(0, max(0, n - m), f"d{i}") for i in range(n)]
        into: list[list[Any]] = [[] for _ in range(n)]
        for (j, i), var in arc.items():
            into[i].append(var)
            model.add(depth[i] >= depth[j] + 1).only_enforce_if(var)
            for z in range(m):
                model.add_bool_or([~var, ~x[i][z], x[j][z]])
        for i in range(n):
            model.add(sum(into[i]) + is_root[i] == 1)
    elif contiguity == "flow":
        cap = n - m + 1
        flow = {ij: model.new_int_var(0, cap, f"f{ij[0]}_{ij[1]}") for ij in arcs}
        for e, (i, j) in enumerate(edges):
            model.add(flow[(i, j)] + flow[(j, i)] <= cap * s[e])
        inflow: list[list[Any]] = [[] for _ in range(n)]
        outflow: list[list[Any]] = [[] for _ in range(n)]
        for (j, i), var in flow.items():
            inflow[i].append(var)
            outflow[j].append(var)
        for i in range(n):
            model.add(sum(inflow[i]) - sum(outflow[i]) >= 1 - (cap + 1) * is_root[i])
    else:
        raise ValueError(f"contiguity must be 'tree' or 'flow', not {contiguity!r}")
    # balance
    li = _scale(problem.load, _LOAD_TOTAL)
    lt = int(li.sum())
    zl: list[Any] = [sum(int(li[i]) * x[i][z] for i in range(n) if li[i]) for z in range(m)]
    if problem.officers is None:
        dev, unit = zl, lt
        tol = int(np.floor(problem.tolerance * lt / m))
    else:
        oi = _scale(problem.officers, _OFFICER_TOTAL)
        ot = int(oi.sum())
        dev = [
            ot * zl[z] - lt * sum(int(oi[i]) * x[i][z] for i in range(n) if oi[i]) for z in range(m)
        ]
        unit = lt * ot
        tol = int(np.floor(problem.tolerance * lt * ot / m))
    hi = model.new_int_var(-unit, unit, "hi")
    lo = model.new_int_var(-unit, unit, "lo")
    for z in range(m):
        model.add(dev[z] <= hi)
        model.add(dev[z] >= lo)
    y = model.new_int_var(0, 2 * unit, "y")
    model.add(y >= hi - lo)
    model.add(y >= tol)
    # redundant: the deviations sum to a constant, so the mean lies between lo and hi
    model.add(sum(dev) == (lt if problem.officers is None else 0))
    if problem.load_band is not None and problem.officers is not None:
        # per-officer mode: the load spread stays within the band (issue 13, item 6)
        exact = bool(np.all(problem.load == np.round(problem.load)))
        band = int(np.floor(problem.load_band * lt / m)) - (0 if exact else n)  # rounding margin
        lo_l = model.new_int_var(0, lt, "lo_load")
        hi_l = model.new_int_var(0, lt, "hi_load")
        for z in range(m):
            model.add(zl[z] >= lo_l)
            model.add(zl[z] <= hi_l)
        model.add(hi_l - lo_l <= band)
    mean_lo = (lt // m) if problem.officers is None else 0
    mean_hi = -(-lt // m) if problem.officers is None else 0
    model.add(lo <= mean_lo)
    model.add(hi >= mean_hi)
    for z in range(m):
        model.add(dev[z] >= mean_hi - y)
        model.add(dev[z] <= mean_lo + y)
    wc = round(_SCALE * problem.compactness_weight)
    ws = [round(_SCALE * problem.similarity_weight * d) for d in problem.dissim.tolist()]
    cost = sum((ws[e] - wc) * s[e] for e in range(len(edges))) + wc * len(edges)

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.random_seed = int(seed)
    prm.num_workers = max(1, workers)
    if workers > 1:
        prm.interleave_search = True
    prm.log_search_progress = False
    # the LP relaxation of this model is trivial (bound 0): without it the search
    # proves both phases 3-10x faster on 20-30 station maps (measured)
    prm.linearization_level = 0
    for key, value in (params or {}).items():
        setattr(prm, key, value)

    class _Callback(cp_model.CpSolverSolutionCallback):
        def __init__(self, phase: str, scale: float) -> None:
            super().__init__()
            self.phase, self.scale = phase, scale

        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(
                    {
                        "phase": self.phase,
                        "seconds": time.perf_counter() - t0,
                        "objective": self.objective_value / self.scale,
                        "bound": self.best_objective_bound / self.scale,
                    }
                )

    def set_hint(zone: np.ndarray) -> None:
        model.clear_hints()
        parent, dep = _tree_hint(problem, zone)
        for i in range(n):
            for z in range(m):
                model.add_hint(x[i][z], int(zone[i] == z))
        first = {int(z): int(np.flatnonzero(zone == z)[0]) for z in np.unique(zone)}
        for i in range(n):
            for z in range(m):
                model.add_hint(r[i][z], int(first.get(z) == i))
        for e, (i, j) in enumerate(edges):
            model.add_hint(s[e], int(zone[i] == zone[j]))
        dz = int_dev(zone)
        model.add_hint(hi, int(dz.max()))
        model.add_hint(lo, int(dz.min()))
        model.add_hint(y, max(int(dz.max() - dz.min()), tol))
        if contiguity == "flow":
            sub = [1] * n
            for v in sorted(range(n), key=lambda i: -dep[i]):
                for a_, b_ in parent:
                    if b_ == v:
                        sub[a_] += sub[v]
            for ij, var in flow.items():
                model.add_hint(var, sub[ij[1]] if ij in parent else 0)
        if contiguity == "tree":
            for ij, var in arc.items():
                model.add_hint(var, parent.get(ij, 0))
            for i in range(n):
                model.add_hint(depth[i], dep[i])

    def int_dev(zone: np.ndarray) -> np.ndarray:
        lz = np.bincount(zone, weights=li, minlength=m).astype(np.int64)
        if problem.officers is None:
            return lz
        return ot * lz - lt * np.bincount(zone, weights=oi, minlength=m).astype(np.int64)

    def int_balance(zone: np.ndarray) -> int:
        dz = int_dev(zone)
        return int(dz.max() - dz.min())

    def read() -> np.ndarray:
        return np.array([next(z for z in range(m) if solver.value(x[i][z])) for i in range(n)])

    phases: list[dict[str, Any]] = []
    budget = float(time_limit if work_limit is None else work_limit)
    zone = hint
    ybest = 2 * unit
    status_all = "optimal"
    names = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "invalid",
    }
    norm = unit / m if unit > 0 else 1.0
    for phase in ("balance", "compactness"):
        if phase == "compactness" and wc == 0 and not any(ws):
            phases.append({"phase": phase, "status": "skipped", "objective": 0.0, "bound": 0.0})
            break
        # deterministic budget first (same seed, same plan), wall clock as a safety stop
        prm.max_deterministic_time = max(0.05, (0.5 if phase == "balance" else 1.0) * budget)
        prm.max_time_in_seconds = max(0.05, time_limit - (time.perf_counter() - t0))
        if phase == "compactness" and zone is not None and polish is not None:
            better = polish(zone, ybest / norm * (1 - 1e-9))
            if int_balance(better) <= ybest:
                zone = better
        if zone is not None:
            set_hint(zone)
        if phase == "balance":
            model.minimize(y)
            scale = norm
        else:
            model.add(hi - lo <= ybest)
            model.minimize(cost)
            scale = _SCALE
        ts = time.perf_counter()
        allotted = prm.max_deterministic_time
        st = solver.solve(model, _Callback(phase, scale))
        budget -= solver.deterministic_time
        name = names.get(st, "unknown")
        info: dict[str, Any] = {
            "phase": phase,
            "status": name,
            "seconds": round(time.perf_counter() - ts, 3),
            "deterministic_time": round(solver.deterministic_time, 3),
        }
        if st not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and (
            solver.deterministic_time < 0.99 * allotted
        ):
            info["stopped_by_wall_clock"] = True  # the safety stop fired: may not reproduce
        log.info("cp-sat %s phase: %s in %.2fs", phase, name, info["seconds"])
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            zone = read()
            info["objective"] = solver.objective_value / scale
            info["bound"] = solver.best_objective_bound / scale
            if phase == "balance":
                ybest = int(solver.value(hi) - solver.value(lo))
                # phase 2 may trade up to one tolerance of balance for compactness:
                # spread ≤ max(optimum, tolerance) + tolerance
                ybest = max(ybest, tol) + tol
                info["balance_limit"] = ybest / norm
        phases.append(info)
        if name != "optimal":
            status_all = (
                "infeasible"
                if name == "infeasible"
                else ("feasible" if zone is not None else "unknown")
            )
            if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
    last = phases[-1]
    return ExactResult(
        zone=None if status_all == "infeasible" else zone,
        status=status_all,
        objective=last.get("objective"),
        bound=last.get("bound"),
        seconds=time.perf_counter() - t0,
        phases=phases,
    )
