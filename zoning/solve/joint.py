"""Dispatch of the joint zones-and-中心所 solve: band check, warm starts, exact or heuristic.

Steps (all budgets deterministic; ``seconds`` is the nominal budget):

1. **Warm start.** The balance-first heuristic (:mod:`zoning._heuristic`) with its
   tolerance set to the band: contiguous zones honouring locks and groups.
2. **Band.** If that plan is within the band, the band stands. Otherwise the
   smallest achievable spread is certified (exact path: phase 1 of the
   balance-first CP-SAT model with zero tolerance) or estimated (heuristic
   path), and the band becomes that spread plus one percentage point
   (:data:`BAND_STEP`); the outcome says so (``band_reason``). Robust plans
   (``JointProblem.periods``): the band must hold in every period too, and
   "spread" means the worst spread over the total and the periods, certified
   by the joint CP-SAT model (the balance-first model knows only the total).
3. **Joint search.** The joint heuristic (:mod:`zoning.solve.joint_heuristic`)
   from the warm start; on the exact path CP-SAT
   (:func:`zoning.solve.joint_exact.solve_joint_travel`: the model chosen by
   size, from 31 stations a second model beside it in another thread) from the
   heuristic's plan.
4. **Bound.** The Lagrangian band-constrained p-median bound
   (:mod:`zoning.solve.bounds`), or CP-SAT's when higher. For robust plans
   the Lagrangian relaxation keeps only the total's band: it relaxes the
   robust problem further and stays a valid bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from zoning.solve import balance_exact, balance_heuristic
from zoning.solve.bounds import lagrangian_bound
from zoning.solve.joint_exact import solve_joint_exact, solve_joint_travel
from zoning.solve.joint_heuristic import Budget, solve_joint_heuristic
from zoning.solve.joint_model import (
    JointProblem,
    best_centres,
    problems,
    spread_of,
    travel_cost,
    within_band,
    worst_spread,
)

#: When no plan fits the band, the band used is the smallest spread plus this.
BAND_STEP = 0.01
#: Share of the nominal budget per step on the exact path (measured, 2-core machine).
#: CP-SAT has twice the nominal budget in deterministic seconds: a 20-station county
#: at a 5 % band against a 4.7 % smallest spread needs 1.68 to prove its plan.
EXACT_SHARES = {"warm": 0.1, "joint_heuristic": 0.35, "min_spread": 0.3, "cp_sat": 1.0}
#: Share of the nominal budget per step on the heuristic path.
HEURISTIC_SHARES = {"warm": 0.15, "joint_heuristic": 0.6}


class SearchExhaustedError(Exception):
    """With plans excluded, CP-SAT found no other plan in its budget (none proven absent)."""


@dataclass
class BandChoice:
    """The band actually used and why."""

    requested: float
    used: float
    reason: str  # "requested", "min_spread_plus_step", "heuristic_spread_plus_step"
    min_spread: float | None = None
    min_spread_status: str | None = None  # "optimal", "feasible" or "heuristic"


@dataclass
class JointOutcome:
    """Zones (model indices), centres and the solver report."""

    zone: np.ndarray
    centre: np.ndarray
    band: BandChoice
    report: dict[str, Any] = field(default_factory=dict)


def gap_of(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``(objective − bound) / objective`` (0 for a zero objective)."""
    if objective is None or bound is None:
        return None
    return 0.0 if objective <= 1e-12 else max(0.0, (objective - bound) / abs(objective))


def _warm_effort(n: int, seconds: float, share: float) -> float:
    """Effort of the balance heuristic for about ``share × seconds`` (measured)."""
    # effort 1.0 takes about 1 s at 20 stations and 5 s at 300 (2-core machine)
    per_effort = 0.6 + 0.015 * n
    return float(np.clip(share * seconds / per_effort, 0.05, 3.0))


def solve_joint(
    jp: JointProblem,
    *,
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
    mix_distance: np.ndarray | None = None,
    starts: list[np.ndarray] | None = None,
    certify_band: bool = True,
    raise_band: bool = True,
    warm: bool = True,
    progress: Callable[[dict[str, Any]], None] | None = None,
    exclude: Sequence[np.ndarray] = (),
) -> JointOutcome | None:
    """Best plan within the band (raised when needed), with a bound and a report.

    Parameters
    ----------
    jp
        The joint problem at the requested band.
    use_exact
        Run CP-SAT after the heuristic.
    seconds
        Nominal budget; converted to deterministic budgets (iterations, CP-SAT
        deterministic seconds).
    wall_cap
        Wall-clock safety cap of the whole solve.
    seed
        Random seed (heuristics and CP-SAT).
    mix_distance
        ``n × n`` incident-mix distances (secondary objective of the exact model).
    starts
        Extra valid plans to start from (e.g. the previous rung of a frontier).
    certify_band
        When no plan fits the band, certify the smallest spread (exact path).
    raise_band
        When no start fits the band, raise it (see above); else search at the
        band as given (CP-SAT without a warm start) and give up if nothing is found.
    warm
        Run the balance-first warm start (else only ``starts`` are used).
    progress
        Solver progress callback.
    exclude
        Zone vectors (any labels) of earlier plans the result must differ from
        (alternative plans; exact path only: the heuristic's plan is then only a
        hint when it differs, and CP-SAT enforces the difference).

    Returns
    -------
    JointOutcome or None
        ``None`` when no plan honouring locks and groups was found.

    Raises
    ------
    SearchExhaustedError
        With ``exclude``: CP-SAT found no other plan within the budget and did
        not prove that none exists.
    """
    t0 = time.perf_counter()
    n, m = jp.n, jp.m
    phases: list[dict[str, Any]] = []
    fired = False

    def left() -> float:
        return max(1.0, wall_cap - (time.perf_counter() - t0))

    shares = EXACT_SHARES if use_exact else HEURISTIC_SHARES
    if m == 1:
        single = np.zeros(n, dtype=np.int64)
        best = best_centres(jp, single)
        if (best < 0).any():
            return None
        cost = travel_cost(jp, single, best)
        report = _report("cp-sat" if use_exact else "heuristic", "optimal", cost, cost, phases)
        return JointOutcome(single, best, BandChoice(jp.band, jp.band, "requested"), report)
    # 1. warm start: balance-first heuristic aiming at the band
    plans = list(starts or [])
    found = None
    if warm or not plans:
        found = balance_heuristic.solve_heuristic(
            replace(jp.base, tolerance=float(jp.band)),
            seed=seed,
            time_limit=left(),
            effort=_warm_effort(n, seconds, shares["warm"]),
        )
    if found is not None:
        fired |= found.stopped_by_time
        phases.append(
            {
                "phase": "warm start",
                "status": "heuristic",
                "spread": round(spread_of(jp, found.zone), 6),
                **(
                    {"worst_spread": round(worst_spread(jp, found.zone), 6)}
                    if jp.periods is not None
                    else {}
                ),
                "iterations": found.iterations,
                "seconds": round(found.seconds, 3),
            }
            | ({"stopped_by_wall_clock": True} if found.stopped_by_time else {})
        )
        plans.append(found.zone)
    if not plans:
        return None
    # 2. band: does some start fit?
    fitting = [z for z in plans if within_band(jp, z)]
    band = BandChoice(jp.band, jp.band, "requested")
    if not fitting and not raise_band:
        return _at_band(jp, band, phases, use_exact, seconds, left(), seed)
    if not fitting:
        estimate, best_start, status, info = _smallest_spread(
            jp,
            plans,
            use_exact=use_exact and certify_band,
            seconds=seconds,
            wall_cap=left(),
            seed=seed,
        )
        if info:
            phases.append(info)
        if within_band(jp, best_start):
            # robust: the starts balance the total only; a plan within the band in every
            # period was found (or certified) on the way: the requested band stands
            fitting = [best_start]
        else:
            used = estimate + BAND_STEP
            band = BandChoice(
                jp.band,
                used,
                "min_spread_plus_step" if status == "optimal" else "heuristic_spread_plus_step",
                estimate,
                status,
            )
            jp = replace(jp, band=used)
            fitting = [z for z in [*plans, best_start] if within_band(jp, z)]
    # 3. joint heuristic
    budget = Budget.from_seconds(shares["joint_heuristic"] * seconds, n)
    ts = time.perf_counter()
    heur = solve_joint_heuristic(jp, seed=seed, budget=budget, starts=fitting, wall_cap=left())
    hint: tuple[np.ndarray, np.ndarray] | None = None
    if heur is not None:
        fired |= heur.stopped_by_wall_clock
        phases.append(
            {
                "phase": "joint heuristic",
                "status": "heuristic",
                "objective": heur.travel,
                "iterations": heur.iterations,
                "starts": heur.starts,
                "effort": round(budget.effort, 4),
                "seconds": round(time.perf_counter() - ts, 3),
            }
            | ({"stopped_by_wall_clock": True} if heur.stopped_by_wall_clock else {})
        )
        hint = (heur.zone, heur.centre)
    else:
        hint = _fitting_start(jp, fitting)
    excluded = {_canonical(z) for z in exclude}
    if hint is not None and excluded and _canonical(hint[0]) in excluded:
        # an excluded plan: start CP-SAT from the best plan one station away instead
        # (from scratch it may find nothing within the budget on 30+ stations)
        hint = _neighbour_plan(jp, hint[0], excluded) or _fitting_start(jp, fitting, excluded)
    if hint is None and not (use_exact and balance_exact.available()):
        return None
    value: float | None = travel_cost(jp, *hint) if hint is not None else None
    ts = time.perf_counter()
    lag = lagrangian_bound(jp, upper=value, iterations=200, work=2e7 * max(0.1, seconds / 20))
    phases.append(
        {
            "phase": "bound",
            "kind": lag.kind,
            "bound": lag.value,
            "iterations": lag.iterations,
            "seconds": round(time.perf_counter() - ts, 3),
        }
    )
    bound = lag.value
    name, status = "heuristic", "heuristic"
    zone: np.ndarray | None = None if hint is None else hint[0]
    centre: np.ndarray | None = None if hint is None else hint[1]
    if use_exact and balance_exact.available():
        exact = solve_joint_travel(
            jp,
            seed=seed,
            work=shares["cp_sat"] * seconds,
            wall_cap=left(),
            hint=hint,
            mix_distance=mix_distance,
            lower_bound=lag.value,
            progress=progress,
            exclude=exclude,
        )
        fired |= exact.stopped_by_wall_clock
        phases.extend(exact.phases)
        name = "cp-sat"
        if exact.zone is not None and exact.centre is not None and exact.objective is not None:
            zone, centre, value = exact.zone, exact.centre, exact.objective
            status = exact.status
            bound = max(bound, exact.bound)
        elif (
            exact.status == "infeasible"
            and raise_band
            and not exclude
            and band.reason == "requested"
        ):
            # the zones fit the band, but not with the centre locks / eligibility: raise it
            return _raised(jp, plans, phases, seconds=seconds, wall_cap=left(), seed=seed)
        else:
            status = "infeasible" if exact.status == "infeasible" else "feasible"
    if zone is None or centre is None or value is None:
        if exclude and name == "cp-sat" and status != "infeasible":
            raise SearchExhaustedError  # another plan may exist: it was not found in the budget
        return None  # nothing found (or nothing that differs from the excluded plans)
    if status == "heuristic" and value - bound <= 1e-9 * max(1.0, value):
        status = "optimal"  # the bound meets the plan
    report = _report(name, status, value, min(bound, value), phases)
    report["stopped_by_wall_clock"] = bool(fired)
    return JointOutcome(zone, centre, band, report)


def _raised(
    jp: JointProblem,
    plans: list[np.ndarray],
    phases: list[dict[str, Any]],
    *,
    seconds: float,
    wall_cap: float,
    seed: int,
) -> JointOutcome | None:
    """Solve at the smallest spread the centre rules allow (+ 1 pp), certified by CP-SAT."""
    estimate, best, status, info = _smallest_spread(
        jp, plans, use_exact=True, seconds=seconds, wall_cap=wall_cap, seed=seed, joint=True
    )
    if info:
        phases.append(info)
    if status not in ("optimal", "feasible"):
        return None
    used = estimate + BAND_STEP
    out = solve_joint(
        replace(jp, band=used),
        use_exact=True,
        seconds=seconds,
        wall_cap=wall_cap,
        seed=seed,
        starts=[best],
        raise_band=False,
        warm=False,
    )
    if out is None:
        return None
    out.band = BandChoice(
        jp.band,
        used,
        "min_spread_plus_step" if status == "optimal" else "heuristic_spread_plus_step",
        estimate,
        status,
    )
    out.report["phases"] = phases + out.report["phases"]
    return out


def _smallest_spread(
    jp: JointProblem,
    plans: list[np.ndarray],
    *,
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
    joint: bool = False,
) -> tuple[float, np.ndarray, str, dict[str, Any] | None]:
    """The smallest achievable spread: ``(spread, plan, status, phase report)``.

    Exact path: phase 1 of the balance-first model (zero tolerance) when every
    station may be a centre; otherwise the joint model minimising the load range,
    so that centre locks and eligibility count too (or when ``joint``). Heuristic
    path: the best start.

    Robust plans: the spread is the worst over the total and the periods
    (:func:`~zoning.solve.joint_model.worst_spread`); the exact path always uses
    the joint model minimising the largest load range over the total and every
    period (each row scaled to one integer total), and the joint heuristic first
    looks for plans with a small worst spread (:func:`_robust_starts`): the
    estimate, and the hint.
    """
    ts = time.perf_counter()
    plans = list(plans)
    robust = jp.periods is not None
    use_exact = use_exact and balance_exact.available()
    # robust: the balance-first model knows only the total; the joint model holds every period
    balance_form = (
        use_exact and jp.eligible.all() and not jp.must.any() and not joint and not robust
    )
    if robust:
        plans.extend(_robust_starts(jp, plans, seconds=seconds, wall_cap=wall_cap, seed=seed))
    best = min(plans, key=lambda z: worst_spread(jp, z))
    estimate, status = worst_spread(jp, best), "heuristic"

    def phase() -> dict[str, Any]:
        return {
            "phase": "min spread",
            "status": status,
            "objective": estimate,
            "seconds": round(time.perf_counter() - ts, 3),
        }

    if not use_exact:
        return estimate, best, status, phase() if robust else None
    work = EXACT_SHARES["min_spread"] * seconds
    if balance_form:
        res = balance_exact.solve_exact(
            replace(jp.base, tolerance=0.0, compactness_weight=0.0, similarity_weight=0.0),
            seed=seed,
            time_limit=wall_cap,
            hint=best,
            work_limit=2 * work,  # phase 1 gets half of it
        )
        if res.zone is None:
            return estimate, best, status, None
        status = str(res.phases[0].get("status"))
        zone = res.zone
    else:
        centre = best_centres(jp, best)
        hint = (best, centre) if (centre >= 0).all() else None
        spread = solve_joint_exact(
            jp, seed=seed, work=work, wall_cap=wall_cap, hint=hint, spread_only=True
        )
        if spread.zone is None:
            return estimate, best, status, None
        status = spread.status
        zone = spread.zone
    if worst_spread(jp, zone) <= estimate or status == "optimal":
        best, estimate = zone, worst_spread(jp, zone)
    return estimate, best, status, phase()


#: Rounds of the robust spread estimate (each aims below the best worst spread so far).
ROBUST_ROUNDS = 3
#: Each round aims at this fraction of the best worst-period spread so far.
ROBUST_AIM = 0.8


def _robust_starts(
    jp: JointProblem, plans: list[np.ndarray], *, seconds: float, wall_cap: float, seed: int
) -> list[np.ndarray]:
    """Plans with a small worst-period spread, from the joint heuristic (robust plans).

    The warm starts balance the total only. Each round runs the joint heuristic,
    keeping the plan with the least band excess over the total and every period,
    at a band below the best worst spread so far (:data:`ROBUST_AIM` of it, never
    below the requested band): a fixed number of rounds on an iteration budget.
    """
    budget = Budget.from_seconds(EXACT_SHARES["min_spread"] * seconds / ROBUST_ROUNDS, jp.n)
    pool = list(plans)
    out: list[np.ndarray] = []
    aim = jp.band
    for round_ in range(ROBUST_ROUNDS):
        found = solve_joint_heuristic(
            replace(jp, band=aim),
            seed=seed + round_,
            budget=budget,
            starts=pool,
            wall_cap=wall_cap,
            best_effort=True,
        )
        if found is not None:
            out.append(found.zone)
            pool.append(found.zone)
        smallest = min(worst_spread(jp, z) for z in pool)
        if smallest <= jp.band * (1 + 1e-9):
            break
        aim = max(jp.band, ROBUST_AIM * smallest)
    return out


def _fitting_start(
    jp: JointProblem, fitting: list[np.ndarray], excluded: set[tuple[int, ...]] | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The first fitting start, not excluded, whose zones all hold an eligible centre."""
    for start in fitting:
        if excluded and _canonical(start) in excluded:
            continue
        heads = best_centres(jp, start)
        if (heads >= 0).all():
            return start, heads
    return None


def _neighbour_plan(
    jp: JointProblem, zone: np.ndarray, excluded: set[tuple[int, ...]]
) -> tuple[np.ndarray, np.ndarray] | None:
    """The least-travel valid plan one station move away from ``zone`` and not excluded.

    A move takes a station into a neighbouring zone; the plan, with the cheapest
    centre of each zone, must break no rule (:func:`zoning.solve.joint_model.problems`:
    contiguity, locks, groups, centres, band). ``None`` when no move qualifies.
    """
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for v in range(jp.n):
        here = int(zone[v])
        for there in sorted({int(zone[w]) for w in jp.base.adj[v].tolist()} - {here}):
            moved = zone.copy()
            moved[v] = there
            if _canonical(moved) in excluded:
                continue
            heads = best_centres(jp, moved)
            if problems(jp, moved, heads):
                continue
            cost = travel_cost(jp, moved, heads)
            if best is None or cost < best[0]:
                best = (cost, moved, heads)
    return None if best is None else (best[1], best[2])


def _canonical(zone: np.ndarray) -> tuple[int, ...]:
    """The partition of a zone vector, independent of its labels (first-seen order)."""
    seen: dict[int, int] = {}
    return tuple(seen.setdefault(int(z), len(seen)) for z in zone)


def _at_band(
    jp: JointProblem,
    band: BandChoice,
    phases: list[dict[str, Any]],
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
) -> JointOutcome | None:
    """CP-SAT at the band as given, without a warm start (``None`` if nothing is found)."""
    if not use_exact or not balance_exact.available():
        return None
    res = solve_joint_travel(
        jp, seed=seed, work=EXACT_SHARES["cp_sat"] * seconds, wall_cap=wall_cap
    )
    phases.extend(res.phases)
    if res.zone is None or res.centre is None or res.objective is None:
        return None
    report = _report("cp-sat", res.status, res.objective, res.bound, phases)
    report["stopped_by_wall_clock"] = res.stopped_by_wall_clock
    return JointOutcome(res.zone, res.centre, band, report)


def _report(
    name: str, status: str, objective: float, bound: float, phases: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": name,
        "status": status,
        "objective": objective,
        "bound": bound,
        "gap": gap_of(objective, bound),
        "phases": phases,
    }


def smallest_spread(
    jp: JointProblem,
    plans: list[np.ndarray],
    *,
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
) -> tuple[float, str]:
    """The smallest achievable spread of ``jp`` and its status (``"optimal"`` when certified).

    For the trade-off ladder: a band below a certified smallest spread has no plan
    at all, whatever the budget. ``plans`` are known valid plans (the estimate when
    CP-SAT cannot certify). The balance model's phase 1 is tried first (it certifies
    the demo county's 2.7 %), then, when it could not certify, the joint model
    minimising the load range (which certifies the 3×3 grid in four zones in 0.05 s,
    where phase 1 runs out of budget).
    """

    def attempt(joint: bool) -> tuple[float, str]:
        spread, _, status, _ = _smallest_spread(
            jp, plans, use_exact=use_exact, seconds=seconds, wall_cap=wall_cap, seed=seed,
            joint=joint,
        )  # fmt: skip
        return spread, status

    estimate, status = attempt(False)
    tried_joint = not jp.eligible.all() or jp.must.any()  # then that was the joint model
    if status != "optimal" and use_exact and not tried_joint:
        spread, joint_status = attempt(True)
        if joint_status == "optimal" or spread < estimate:
            estimate, status = spread, joint_status
    return estimate, status
