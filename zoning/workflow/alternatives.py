"""Alternative plans for the meeting: the best plan and distinct runners-up.

The exact solver is asked again with every earlier plan excluded (some edge it
cuts must be kept, or some edge it keeps must be cut), so each alternative is a
genuinely different partition; the search stops when the next plan's spread
exceeds the best plan's by more than ``slack``, or when no other plan exists.
For maps above the exact solver's size, alternatives come from other seeds of
the heuristic, keeping only distinct partitions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd

from zoning._i18n import tr
from zoning.errors import InfeasibleError, InputError
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
        relative to the best plan.
    """
    if n < 1:
        raise InputError(tr("备选方案数应 ≥ 1", "the number of alternatives must be ≥ 1"))
    scenario = scenario or Scenario()
    best = plan_stations(stations, load, scenario=scenario, source=source, progress=progress)
    plans = [best]
    exact = best.partition.solver.get("name") == "cp-sat"
    seeds = iter(range(scenario.seed + 1, scenario.seed + 1 + _SEEDS_PER_ALTERNATIVE * n))
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
                    break
                candidate = plan_stations(
                    stations, load, scenario=scenario.with_overrides(seed=seed), source=source
                )
        except InfeasibleError:
            break  # no other plan satisfies the constraints
        if candidate.partition.spread > best.partition.spread + slack + 1e-12:
            if exact:
                break
            continue
        if any(_same_partition(candidate, p) for p in plans):
            continue
        plans.append(candidate)
    rest = sorted(plans[1:], key=lambda p: (round(p.partition.spread, 4), p.partition.cut_edges))
    ranked = [best, *rest]
    for rank, result in enumerate(ranked, start=1):
        result.report["alternative"] = {
            "rank": rank,
            "of": len(ranked),
            "slack": slack,
            "moved": moved_stations(best, result),
        }
    return ranked


def moved_stations(base: PlanResult, other: PlanResult) -> list[str]:
    """Stations whose zone-mates differ between two plans (renumbering does not count)."""
    a, b = base.partition.assignment, other.partition.assignment

    def mates(assignment: dict[Any, int], node: Any) -> frozenset[Any]:
        return frozenset(v for v, z in assignment.items() if z == assignment[node])

    return sorted(str(v) for v in a if v in b and mates(a, v) != mates(b, v))


def _same_partition(x: PlanResult, y: PlanResult) -> bool:
    return not moved_stations(x, y)
