"""Alternative plans for the meeting: the best plan and distinct runners-up.

The exact solver is asked again with every earlier plan excluded (some edge it
cuts must be kept, or some edge it keeps must be cut), so each alternative is a
genuinely different partition; the search stops when the next plan is worse
than the best by more than ``slack``, or when no other plan exists. "Worse" is
measured by the objective: with ``objective = "travel"`` the incident-weighted
mean minutes to the 中心所 (``slack`` relative: 0.02 = 2 % longer), with
``"balance"`` the load spread (``slack`` in points of the mean zone load).
For maps above the exact solver's size, alternatives come from other seeds of
the heuristic, keeping only distinct partitions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd

from zoning._i18n import tr
from zoning.errors import InfeasibleError, InputError, NoPlanFoundError, ZoningWarning
from zoning.load import LoadResult
from zoning.scenario import Scenario
from zoning.workflow.run import PlanResult, plan_stations

#: Extra seeds tried per wanted alternative when only the heuristic applies.
_SEEDS_PER_ALTERNATIVE = 3


def plan_alternatives(
    stations: gpd.GeoDataFrame,
    load: LoadResult,
    *,
    n: int,
    slack: float = 0.02,
    scenario: Scenario | None = None,
    source: str = "stations",
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> list[PlanResult]:
    """Return up to ``n`` distinct plans, best first, each within ``slack`` of its spread.

    Parameters
    ----------
    stations, load, scenario, source, progress
        As for :func:`zoning.workflow.plan.plan_stations`.
    n
        Number of plans wanted (≥ 1); fewer come back when fewer exist within ``slack``.
    slack
        Largest extra spread (fraction of the mean zone load) an alternative may have
        over the best plan.

    Returns
    -------
    list of PlanResult
        Ranked: the best plan first, then the alternatives by spread and cut edges.
        Each report gains ``alternative`` with its rank and the stations that moved
        relative to the best plan; with fewer plans than asked, also ``shortfall``:
        how many were asked and found, why the search stopped (``reason``:
        ``"none_left"``, ``"budget"`` (none found in the budget, not proven absent), ``"slack"``
        or ``"seeds"``) and a ``message``.

    Warns
    -----
    ZoningWarning
        When fewer plans than asked were found, with the reason.
    """
    if n < 1:
        raise InputError(tr("备选方案数应 ≥ 1", "the number of alternatives must be ≥ 1"))
    scenario = scenario or Scenario()
    best = plan_stations(stations, load, scenario=scenario, source=source, progress=progress)
    plans = [best]
    exact = best.partition.solver.get("name") == "cp-sat"
    seeds = iter(range(scenario.seed + 1, scenario.seed + 1 + _SEEDS_PER_ALTERNATIVE * n))
    stop: dict[str, Any] = {}
    tries = too_far = repeats = 0
    while len(plans) < n:
        try:
            if exact:
                candidate = plan_stations(
                    stations,
                    load,
                    scenario=scenario,
                    source=source,
                    progress=progress,
                    exclude=[p.partition.assignment for p in plans],
                )
            else:
                seed = next(seeds, None)
                if seed is None:
                    stop = {"reason": "seeds", "tries": tries}
                    break
                tries += 1
                candidate = plan_stations(
                    stations, load, scenario=scenario.with_overrides(seed=seed), source=source
                )
        except NoPlanFoundError:
            stop = {"reason": "budget"}  # none found in the budget; not proven absent
            break
        except InfeasibleError:
            stop = {"reason": "none_left"}  # no other plan satisfies the constraints
            break
        if _worse(candidate, best, slack):
            too_far += 1
            if exact:
                stop = {
                    "reason": "slack",
                    "next_spread": candidate.partition.spread,
                    "next_minutes": _minutes(candidate),
                }
                break
            continue
        if any(_same_partition(candidate, p) for p in plans):
            repeats += 1
            continue
        plans.append(candidate)
    rest = sorted(plans[1:], key=_rank_key)
    ranked = [best, *rest]
    shortfall = None
    if len(ranked) < n:
        shortfall = {
            "asked": n,
            "found": len(ranked),
            "slack": slack,
            "best_spread": best.partition.spread,
            "best_minutes": _minutes(best),
            "too_far": too_far,
            "repeats": repeats,
            **stop,
        }
        shortfall["message"] = shortfall_message(shortfall)
        warnings.warn(shortfall["message"], ZoningWarning, stacklevel=2)
    for rank, result in enumerate(ranked, start=1):
        result.report["alternative"] = {
            "rank": rank,
            "of": len(ranked),
            "slack": slack,
            "moved": moved_stations(best, result),
        }
        if shortfall is not None:
            result.report["alternative"]["shortfall"] = shortfall
    return ranked


def shortfall_message(info: dict[str, Any]) -> str:
    """Why fewer plans than asked came back (``info`` as stored in the report)."""
    head = tr(
        f"只找到 {info['found']} 个方案（要求 {info['asked']} 个）：",
        f"Only {info['found']} of the {info['asked']} plans asked for were found: ",
    )
    slack = info["slack"]
    reason = info.get("reason")
    if reason == "none_left":
        why = tr(
            "在当前约束下（防区数、城关单列、锁定、同区、禁止与强制相连）没有其他划分。",
            "no other partition satisfies the constraints (number of zones, urban core "
            "alone, locks, stations together, forbidden and forced links).",
        )
    elif reason == "budget":
        why = tr(
            "在求解时限内未找到与已有方案不同的方案（并未证明不存在）；可加大 time_limit 再试。",
            "no plan different from the ones found was found within the solver budget "
            "(none is proven not to exist); raise time_limit and try again.",
        )
    elif reason == "slack" and info.get("best_minutes") is not None:
        why = tr(
            f"下一个最好的方案警情加权平均通行 {info['next_minutes']:.2f} 分钟，比最优方案的 "
            f"{info['best_minutes']:.2f} 分钟长出容差 {slack:.1%} 以上；可在场景文件中调大 "
            "alternatives_slack。",
            f"the next best plan needs {info['next_minutes']:.2f} min on average, more than "
            f"{slack:.1%} above the best plan's {info['best_minutes']:.2f} min; raise "
            "alternatives_slack in the scenario file.",
        )
    elif reason == "slack":
        why = tr(
            f"下一个最好的方案负荷极差 {info['next_spread']:.1%}，超过最优方案的 "
            f"{info['best_spread']:.1%} 加容差 {slack:.1%}；"
            "可在场景文件中调大 alternatives_slack。",
            f"the next best plan's load spread, {info['next_spread']:.1%}, exceeds the best "
            f"plan's {info['best_spread']:.1%} plus the slack of {slack:.1%}; raise "
            "alternatives_slack in the scenario file.",
        )
    else:  # the heuristic ran out of seeds
        why = tr(
            f"启发式求解又试了 {info.get('tries', 0)} 个随机种子，其中 {info['repeats']} 个"
            f"与已有方案相同，{info['too_far']} 个负荷极差超出最优方案加容差 {slack:.1%}；"
            "可调大 alternatives_slack 或 time_limit。",
            f"the heuristic tried {info.get('tries', 0)} more seeds: {info['repeats']} gave a "
            f"plan already found and {info['too_far']} a load spread beyond the best plan's "
            f"plus the slack of {slack:.1%}; raise alternatives_slack or time_limit.",
        )
    return head + why


def _minutes(result: PlanResult) -> float | None:
    """Incident-weighted mean minutes to the 中心所 (travel objective), else ``None``."""
    travel = result.partition.travel
    if result.partition.solver.get("objective_kind") != "travel" or not travel:
        return None
    value = travel.get("mean_minutes")
    return None if value is None else float(value)


def _worse(candidate: PlanResult, best: PlanResult, slack: float) -> bool:
    """Whether ``candidate`` is beyond ``slack`` of the best plan by the objective."""
    mine, theirs = _minutes(candidate), _minutes(best)
    if mine is not None and theirs is not None:
        return mine > theirs * (1 + slack) + 1e-9
    return candidate.partition.spread > best.partition.spread + slack + 1e-12


def _rank_key(result: PlanResult) -> tuple[float, float, int]:
    minutes = _minutes(result)
    return (
        round(minutes, 4) if minutes is not None else 0.0,
        round(result.partition.spread, 4),
        result.partition.cut_edges,
    )


def moved_stations(base: PlanResult, other: PlanResult) -> list[str]:
    """Stations whose zone-mates differ between two plans (renumbering does not count)."""
    a, b = base.partition.assignment, other.partition.assignment

    def mates(assignment: dict[Any, int], node: Any) -> frozenset[Any]:
        return frozenset(v for v, z in assignment.items() if z == assignment[node])

    return sorted(str(v) for v in a if v in b and mates(a, v) != mates(b, v))


def _same_partition(x: PlanResult, y: PlanResult) -> bool:
    return not moved_stations(x, y)
