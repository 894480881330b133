"""The travel / balance trade-off: the best joint plan at each band of a ladder.

Bands are solved from the tightest up; every plan found is a valid start for
the looser bands (a plan within 2 % is within 5 %), so each rung is warm
started by all the plans before it. A rung below the smallest achievable
spread (certified or estimated by the main solve) is reported as such, not
solved (``"below_min_spread"``: no plan exists, whatever the budget); a rung
whose search used its budget up without a plan is ``"out_of_budget"``. A rung
the main plan answers (proven optimal at a band at least as wide, and within
the rung's) takes it without a solve. Budgets are deterministic, like the main
solve's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from zoning.solve.joint import JointOutcome, solve_joint
from zoning.solve.joint_model import JointProblem, within_band

#: The default ladder of bands (spread limits).
DEFAULT_BANDS: tuple[float, ...] = (0.02, 0.05, 0.10, 0.20)


@dataclass
class Rung:
    """One band of the frontier and its best plan (``None`` when there is none)."""

    band: float
    outcome: JointOutcome | None
    reason: str  # "solved", "below_min_spread" or "out_of_budget"


def frontier(
    jp: JointProblem,
    bands: Sequence[float],
    *,
    use_exact: bool,
    seconds: float,
    wall_cap: float,
    seed: int,
    starts: Sequence[np.ndarray] = (),
    min_spread: float | None = None,
    proven: JointOutcome | None = None,
) -> list[Rung]:
    """Best plan at each band of ``bands`` (sorted, duplicates dropped).

    Parameters
    ----------
    jp
        The joint problem (its band is replaced by each rung's).
    bands
        Spread limits.
    use_exact, seed
        As for :func:`zoning.solve.joint.solve_joint`.
    seconds
        Nominal budget of each rung.
    wall_cap
        Wall-clock safety cap of each rung.
    starts
        Known valid plans (e.g. the main plan), used where they fit a band.
    min_spread
        The smallest achievable spread, when known: tighter bands are skipped.
    proven
        A plan of the same problem proven optimal at its band (the main plan):
        a rung no wider than that band which the plan fits takes it unsolved (it
        is optimal on a wider set of plans and one of the rung's own).

    Returns
    -------
    list of Rung
    """
    plans = [np.asarray(s) for s in starts]
    out: list[Rung] = []
    for band in sorted({float(b) for b in bands}):
        if min_spread is not None and band < min_spread - 1e-12:
            out.append(Rung(band, None, "below_min_spread"))
            continue
        rung = replace(jp, band=band)
        if (
            proven is not None
            and proven.report.get("status") == "optimal"
            and band <= proven.band.used * (1 + 1e-12)
            and within_band(rung, proven.zone)
        ):
            reused = replace(proven, report={**proven.report, "reused": "main_plan"})
            plans.append(proven.zone)
            out.append(Rung(band, reused, "solved"))
            continue
        fitting = [p for p in plans if within_band(rung, p)]
        result = solve_joint(
            rung,
            use_exact=use_exact,
            seconds=seconds,
            wall_cap=wall_cap,
            seed=seed,
            starts=fitting,
            raise_band=False,
            warm=not fitting,
        )
        if result is None:
            out.append(Rung(band, None, "out_of_budget"))
            continue
        plans.append(result.zone)
        out.append(Rung(band, result, "solved"))
    return out
