"""Solver dispatch for :func:`zoning.solve.partition.partition`: warm start, then CP-SAT."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from zoning._i18n import tr
from zoning.errors import InfeasibleError
from zoning.solve import balance_exact, balance_heuristic
from zoning.solve.diagnose import infeasible_text
from zoning.solve.problem import Problem, score


def gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return 0.0 if objective <= 1e-12 else max(0.0, (objective - bound) / abs(objective))


def report(
    name: str, status: str, objective: float | None, bound: float | None, phases: list[Any]
) -> dict[str, Any]:
    by_phase = {p.get("phase"): p.get("status") for p in phases if isinstance(p, dict)}
    return {
        "name": name,
        "status": status,
        # the primary objective on its own: "optimal" = balance certified by CP-SAT
        "balance_status": by_phase.get("balance", by_phase.get("trivial", status)),
        "objective": objective,
        "bound": bound,
        "phases": phases,
    }


def solve(
    problem: Problem,
    *,
    use_exact: bool,
    time_limit: float,
    seed: int,
    progress: Callable[[dict[str, Any]], None] | None,
    exclude: Sequence[np.ndarray] = (),
    wall_cap: float | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Run the chosen solver; return model zones and the solver report.

    ``time_limit`` sets the deterministic budgets (heuristic iterations through
    ``effort``, CP-SAT deterministic seconds); ``wall_cap`` (default
    :func:`wall_cap_for`) is only a safety stop. The report says whether it fired
    (``stopped_by_wall_clock``): only then may the plan depend on machine speed.
    """
    t0 = time.perf_counter()
    cap = wall_cap_for(time_limit) if wall_cap is None else wall_cap

    def left() -> float:
        return max(0.1, cap - (time.perf_counter() - t0))

    if problem.m <= 1:
        zone = np.zeros(problem.n, dtype=np.int64)
        _, compact, _ = score(problem, zone)
        phase = {"phase": "trivial", "status": "optimal", "objective": compact}
        return zone, report(
            "cp-sat" if use_exact else "heuristic", "optimal", compact, compact, [phase]
        )
    # The warm start matters: CP-SAT proves a good phase-1 hint optimal fast but is slow
    # to find one, so small maps get more heuristic effort (scaled down for short limits).
    effort = min(3.0, max(1.0, 60 / problem.n)) * min(1.0, time_limit / 10)
    warm = balance_heuristic.solve_heuristic(
        problem,
        seed=seed,
        time_limit=left(),
        effort=effort if use_exact else 1.0,
        progress=progress,
    )
    fired = warm is not None and warm.stopped_by_time
    excluded = {_canonical(v) for v in exclude}
    if warm is not None and excluded and _canonical(warm.zone) in excluded:
        warm = _distinct_warm_start(problem, exclude[-1], excluded, seed, left(), effort)
        fired |= warm is not None and warm.stopped_by_time
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
            better = balance_heuristic.polish(
                problem,
                zone,
                balance_limit=limit,
                seed=seed,
                effort=min(1.0, time_limit / 10),
                time_limit=left(),
            )
            return zone if _canonical(better) in excluded else better

        res = balance_exact.solve_exact(
            problem,
            seed=seed,
            time_limit=left(),
            hint=None if warm is None else warm.zone,
            exclude=exclude,
            progress=progress,
            polish=polish,
            work_limit=0.75 * time_limit,
        )
        if res.status == "infeasible":
            raise InfeasibleError(infeasible_text(problem))
        phases = ([heur_phase] if heur_phase else []) + res.phases
        fired |= any(p.get("stopped_by_wall_clock") for p in res.phases)
        if res.zone is not None and res.status in ("optimal", "feasible"):
            out = report("cp-sat", res.status, res.objective, res.bound, phases)
            return res.zone, out | {"stopped_by_wall_clock": bool(fired)}
    if warm is None or (use_exact and len(exclude)):
        # with exclusions only a CP-SAT plan is known to differ from the excluded ones
        raise InfeasibleError(
            tr("在时限内未找到满足条件的方案：", "no plan was found in time: ")
            + infeasible_text(problem)
        )
    phases = [
        *([heur_phase] if heur_phase else []),
        {"phase": "balance", "status": "heuristic", "objective": warm.balance, "bound": None},
        {"phase": "compactness", "status": "heuristic", "objective": warm.compact, "bound": None},
    ]
    out = report("heuristic", "heuristic", warm.compact, None, phases)
    return warm.zone, out | {"stopped_by_wall_clock": bool(fired)}


#: The wall-clock safety cap is this many times the nominal budget …
WALL_CAP_FACTOR = 10.0
#: … and at least this many seconds.
WALL_CAP_MIN = 60.0


def wall_cap_for(time_limit: float) -> float:
    """The wall-clock safety cap for a nominal budget of ``time_limit`` seconds."""
    return max(WALL_CAP_MIN, WALL_CAP_FACTOR * float(time_limit))


def _canonical(zone: np.ndarray) -> tuple[int, ...]:
    """The partition of a zone vector, independent of its labels (first-seen order)."""
    seen: dict[int, int] = {}
    return tuple(seen.setdefault(int(z), len(seen)) for z in zone)


def _distinct_warm_start(
    problem: Problem,
    last: np.ndarray,
    excluded: set[tuple[int, ...]],
    seed: int,
    time_limit: float,
    effort: float,
) -> Any:
    """A heuristic plan that differs from every excluded one, or ``None``.

    CP-SAT is slow to balance without a warm start, so for an alternative plan
    the heuristic is rerun with one edge the last plan cut forced internal (the
    two stations grouped), trying edges in order until a new partition appears.
    """
    fixed = {i for g in problem.groups for i in g} | set(np.flatnonzero(problem.lock >= 0).tolist())
    cut = [
        (int(i), int(j))
        for i, j in problem.edges.tolist()
        if last[i] != last[j] and i not in fixed and j not in fixed
    ]
    for tries, (i, j) in enumerate(cut[:8]):
        variant = replace(problem, groups=[*problem.groups, [i, j]])
        if problem.n - sum(len(g) - 1 for g in variant.groups) < problem.m:
            continue  # too few free units left to fill every zone
        warm = balance_heuristic.solve_heuristic(
            variant,
            seed=seed + tries,
            time_limit=min(time_limit * 0.25, 5.0),
            effort=effort,
        )
        if warm is not None and _canonical(warm.zone) not in excluded:
            return warm
    return None
