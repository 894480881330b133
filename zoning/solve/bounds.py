"""Lower bounds on the joint travel objective: Lagrangian relaxations of the p-median.

Dropping contiguity, locks and groups from the joint problem leaves a
p-median with a load band per zone; every plan of the joint problem is a
solution of it, so any lower bound of it is a valid bound for the joint problem.
Robust plans (the band held in every period too) are a subset again: the bound
keeps only the total's band, a relaxation of theirs, so it stays valid.

Relaxing the assignment constraints ``Σ_j y[i, j] = 1`` with multipliers ``u``
gives, for every candidate centre ``j``,

    ρ_j(u) = min { Σ_i (c[i, j] − u_i) z_i : z_j = 1, lo ≤ Σ_i load_i z_i ≤ hi, 0 ≤ z ≤ 1 }

(a continuous knapsack with a two-sided capacity, solved exactly by the ratio
order; ``c[i, j] = load_i · minutes[j, i]``), and the bound
``Σ_i u_i + Σ (m smallest ρ_j)`` (must-centres always counted, ineligible
stations never). Without the band (``banded=False``) ``ρ_j = Σ_i min(0, c[i, j] − u_i)``:
the free p-median bound. Subgradient ascent with Polyak steps improves ``u``
for a fixed number of iterations (deterministic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zoning.solve.joint_model import JointProblem


@dataclass
class Bound:
    """A valid lower bound on Σ load · minutes and how it was obtained."""

    value: float
    kind: str  # "pmedian_band_lagrangian" or "pmedian_free_lagrangian"
    iterations: int


def _rho(
    a: np.ndarray, load: np.ndarray, lo: float, hi: float, banded: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Knapsack values ``ρ_j`` and fractional takes ``z[j, i]`` (``z[j, j] = 1``).

    Rows are candidate centres: ``a[j, i] = c[i, j] − u_i``.
    """
    n = a.shape[0]
    diag = np.arange(n)
    if not banded:
        z = (a < 0).astype(float)
        z[diag, diag] = 1.0
        return (a * z).sum(axis=1), z
    lo_j, hi_j = lo - load, hi - load  # capacity left once j serves itself
    z = np.zeros_like(a)
    val = a[diag, diag].copy()
    free = load <= 0
    # zero-load stations: take those with negative cost, they use no capacity
    zl = free[None, :] & (a < 0)
    zl[diag, diag] = False
    z[zl] = 1.0
    val += np.where(zl, a, 0.0).sum(axis=1)
    ratio = np.where(free[None, :], np.inf, a / np.where(free, 1.0, load)[None, :])
    ratio[diag, diag] = np.inf  # j itself is already in
    order = np.argsort(ratio, axis=1)
    r = np.take_along_axis(ratio, order, axis=1)
    w = np.where(np.isfinite(r), load[order], 0.0)
    av = np.take_along_axis(a, order, axis=1)
    cum = np.cumsum(w, axis=1)
    before = cum - w
    # take items in ratio order while the ratio is negative (up to hi) or until lo is met
    need = np.maximum(lo_j, 0.0)[:, None]
    cap = np.maximum(hi_j, 0.0)[:, None]
    limit = np.where(r < 0, cap, need)
    frac = np.where(w > 0, np.clip((limit - before) / np.where(w > 0, w, 1.0), 0.0, 1.0), 0.0)
    val += (frac * av).sum(axis=1)
    np.put_along_axis(z, order, frac + np.take_along_axis(z, order, axis=1), axis=1)
    z[diag, diag] = 1.0
    infeasible = (load > hi + 1e-9 * max(1.0, hi)) | (cum[:, -1] + 1e-9 < need[:, 0])
    val[infeasible] = np.inf
    return val, z


def lagrangian_bound(
    jp: JointProblem,
    *,
    banded: bool = True,
    upper: float | None = None,
    iterations: int = 200,
    work: float = 2e7,
) -> Bound:
    """Lagrangian lower bound of the p-median relaxation (with or without the band).

    Parameters
    ----------
    jp
        The joint problem (its ``band``, ``eligible`` and ``must`` are used).
    banded
        Keep the per-zone load limits implied by the band. The multipliers
        then start from the free relaxation's (run first, on the same budget)
        and the better of the two bounds is returned.
    upper
        A known plan's cost, for the Polyak step (default: a crude estimate).
    iterations
        Subgradient iterations per relaxation (the bound is the best value seen).
    work
        Cap on ``iterations × n²`` of the banded relaxation (it sorts an ``n × n``
        matrix per iteration: about 10 ms at 300 stations, 35 ms at 600).

    Returns
    -------
    Bound
    """
    c = jp.weight.T.copy()  # c[i, j]: station i served from j
    c[:, ~jp.eligible] = np.inf
    if jp.m >= jp.n or not np.isfinite(c).any():
        return Bound(0.0, "pmedian_free_lagrangian", 0)
    if upper is None or not np.isfinite(upper):
        near = np.sort(np.where(np.isfinite(c), c, np.nan), axis=1)
        upper = float(np.nan_to_num(near[:, : max(1, jp.n // jp.m)], nan=0.0).mean(axis=1).sum())
    srt = np.sort(np.where(np.isfinite(c), c, np.nan), axis=1)
    u0 = np.nan_to_num(srt[:, min(1, jp.n - 1)], nan=0.0)  # a neutral start
    free, u, its = _ascent(jp, c, u0, banded=False, upper=upper, iterations=iterations)
    result = Bound(max(0.0, free), "pmedian_free_lagrangian", its)
    if banded:
        its_banded = int(min(iterations, max(10, work / jp.n**2)))
        value, _, more = _ascent(jp, c, u, banded=True, upper=upper, iterations=its_banded)
        if value > result.value:
            result = Bound(value, "pmedian_band_lagrangian", its + more)
    return result


def _ascent(
    jp: JointProblem,
    c: np.ndarray,
    u: np.ndarray,
    *,
    banded: bool,
    upper: float,
    iterations: int,
) -> tuple[float, np.ndarray, int]:
    """Subgradient ascent from ``u``: best bound, its multipliers, iterations run."""
    m = jp.m
    load = jp.base.load.astype(float)
    _, lo, hi = jp.limits()
    eligible = jp.eligible
    forced = np.flatnonzero(jp.must & eligible)
    rest = np.flatnonzero(eligible & ~jp.must)
    k = m - len(forced)
    cf = np.where(np.isfinite(c), c, 0.0)
    best, best_u = -np.inf, u.copy()
    theta, stall, done = 1.0, 0, 0
    for step_no in range(1, iterations + 1):
        done = step_no
        rho, z = _rho((cf - u[:, None]).T, load, lo, hi, banded)
        rho = np.where(eligible, rho, np.inf)
        pick = rest[np.argsort(rho[rest], kind="stable")[:k]] if k > 0 else rest[:0]
        chosen = np.concatenate([forced, pick])
        if len(chosen) < m or not np.isfinite(rho[chosen]).all():
            break  # no m feasible centres in the relaxation: no bound from it
        value = float(u.sum() + rho[chosen].sum())
        if not np.isfinite(best) or value > best + 1e-12 * max(1.0, abs(best)):
            best, best_u, stall = value, u.copy(), 0
        else:
            stall += 1
            if stall >= 5:
                theta, stall = theta / 2, 0
        g = 1.0 - z[chosen].sum(axis=0)
        norm = float(g @ g)
        if norm <= 1e-18 or theta < 1e-4:
            break
        step = theta * max(upper - value, 1e-6 * max(1.0, abs(upper))) / norm
        u = u + step * g
    return (best if np.isfinite(best) else 0.0), best_u, done
