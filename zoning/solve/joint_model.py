"""The joint zones-and-中心所 problem on arrays, shared by its exact and heuristic solvers.

A plan of the balanced part (urban core removed) is a model-zone vector
``zone`` (``0..m-1`` per station, locked stations in their model zone) and a
centre per zone, ``centre[z]``, a station of zone ``z``. Its travel cost is

    Σ_i load_i · minutes[centre[zone[i]], i]

(``minutes[c, i]``: from the seat of ``c`` to the seat of ``i``, i.e. the
response direction). A plan is valid when every zone is connected in the graph,
non-empty and holds exactly one centre, the spread ``(max − min) / mean`` of the
zone loads is at most ``band``, locks and together groups hold, every centre is
eligible and every station that must be a centre is one.

Robust plans (``periods`` given, issue 13 item 5): the band holds for the total
load *and* for the load of every period (each row of ``periods``, e.g. a
quarter), each spread measured against its own period's mean. The rows the band
applies to are :func:`band_rows` (total first); :func:`worst_spread` is the
largest of their spreads, and :func:`within_band` checks them all.

Given the zones, the best centres follow zone by zone (a 1-median over the
zone's eligible stations), so the solvers search over zones and read centres
off with :func:`best_centres`. Ties are broken by the smallest station index,
so equal plans are reported identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from zoning.solve.problem import Problem

#: Relative slack of every band check (rounding of scaled loads in CP-SAT).
BAND_EPS = 1e-9


@dataclass(eq=False)
class JointProblem:
    """The balanced part of a joint problem, indexed ``0..n-1``.

    Attributes
    ----------
    base
        Graph, loads, locks, together groups and dissimilarities (:class:`Problem`).
    minutes
        ``n × n`` minutes, ``minutes[c, i]`` from station ``c`` to station ``i``.
    band
        Largest allowed spread ``(max − min) / mean`` of the zone loads.
    eligible
        Stations that may be a 中心所.
    must
        Stations that must be a 中心所 (each in a zone of its own centre).
    periods
        ``q × n`` loads per period held to the band too (robust plans), or ``None``.
    """

    base: Problem
    minutes: np.ndarray
    band: float
    eligible: np.ndarray
    must: np.ndarray
    periods: np.ndarray | None = None

    @property
    def n(self) -> int:
        """Number of stations."""
        return self.base.n

    @property
    def m(self) -> int:
        """Number of zones."""
        return self.base.m

    @cached_property
    def weight(self) -> np.ndarray:
        """``weight[c, i] = load_i · minutes[c, i]``: cost of serving ``i`` from ``c``."""
        return self.minutes * self.base.load[None, :]

    @property
    def total(self) -> float:
        """Total load."""
        return float(self.base.load.sum())

    def limits(self) -> tuple[float, float, float]:
        """``(B, lo, hi)``: the largest zone-load range and bounds every zone load meets.

        ``max − min ≤ B = band · L / m``; with ``m`` zones summing to ``L`` this
        implies ``L/m − (m−1)/m · B ≤ load ≤ L/m + (m−1)/m · B`` for every zone.
        """
        m = self.m
        mean = self.total / m
        b = self.band * mean
        return b, mean - (m - 1) / m * b, mean + (m - 1) / m * b


def band_rows(jp: JointProblem) -> np.ndarray:
    """``R × n`` loads the band applies to: the total, then every period with a load."""
    rows = [jp.base.load]
    if jp.periods is not None:
        rows.extend(row for row in np.asarray(jp.periods, dtype=float) if row.sum() > 0)
    return np.array(rows, dtype=float).reshape(len(rows), jp.n)


def row_limits(jp: JointProblem, rows: np.ndarray) -> np.ndarray:
    """``R × 3``: :meth:`JointProblem.limits` ``(B, lo, hi)`` of every row of ``rows``."""
    m = jp.m
    mean = rows.sum(axis=1) / m
    b = jp.band * mean
    return np.stack([b, mean - (m - 1) / m * b, mean + (m - 1) / m * b], axis=1)


def zone_sums(jp: JointProblem, zone: np.ndarray) -> np.ndarray:
    """``S[z, c] = Σ_{i in z} weight[c, i]``: cost of zone ``z`` served from ``c``."""
    onehot = np.zeros((jp.m, jp.n))
    onehot[zone, np.arange(jp.n)] = 1.0
    return onehot @ jp.weight.T


def best_centres(jp: JointProblem, zone: np.ndarray) -> np.ndarray:
    """The cheapest eligible centre of every zone (a must-centre station wins).

    Returns ``-1`` for a zone without an eligible station.
    """
    sums = zone_sums(jp, zone)
    centre = np.full(jp.m, -1, dtype=np.int64)
    for z in range(jp.m):
        members = np.flatnonzero(zone == z)
        forced = members[jp.must[members]]
        if len(forced):
            centre[z] = int(forced[0])
            continue
        cand = members[jp.eligible[members]]
        if len(cand):
            centre[z] = int(cand[np.argmin(sums[z, cand])])  # argmin: first = smallest index
    return centre


def travel_cost(jp: JointProblem, zone: np.ndarray, centre: np.ndarray) -> float:
    """Σ load · minutes from each station's centre."""
    return float(jp.weight[centre[zone], np.arange(jp.n)].sum())


def zone_loads(jp: JointProblem, zone: np.ndarray) -> np.ndarray:
    """Load per model zone."""
    return np.bincount(zone, weights=jp.base.load, minlength=jp.m)


def spread_of(jp: JointProblem, zone: np.ndarray) -> float:
    """``(max − min) / mean`` of the zone loads (0 without load)."""
    zl = zone_loads(jp, zone)
    total = float(zl.sum())
    return 0.0 if total <= 0 or jp.m < 2 else float(jp.m * (zl.max() - zl.min()) / total)


def row_spreads(jp: JointProblem, zone: np.ndarray) -> np.ndarray:
    """The spread of every row of :func:`band_rows` (total first)."""
    rows = band_rows(jp)
    onehot = np.zeros((jp.n, jp.m))
    onehot[np.arange(jp.n), zone] = 1.0
    zl = rows @ onehot
    total = zl.sum(axis=1)
    if jp.m < 2:
        return np.zeros(len(rows))
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, jp.m * (zl.max(axis=1) - zl.min(axis=1)) / safe, 0.0)


def worst_spread(jp: JointProblem, zone: np.ndarray) -> float:
    """The largest spread over the total and the periods (the total's without periods)."""
    if jp.periods is None:
        return spread_of(jp, zone)
    return float(row_spreads(jp, zone).max())


def within_band(jp: JointProblem, zone: np.ndarray, band: float | None = None) -> bool:
    """Whether the spread — of the total and of every period — is at most ``band``."""
    band = jp.band if band is None else band
    return worst_spread(jp, zone) <= band * (1 + BAND_EPS) + BAND_EPS


def connected(adj: list[np.ndarray], members: np.ndarray) -> bool:
    """Whether ``members`` induce a connected subgraph (empty: False)."""
    if len(members) == 0:
        return False
    inside = set(members.tolist())
    seen = {int(members[0])}
    stack = [int(members[0])]
    while stack:
        v = stack.pop()
        for w in adj[v].tolist():
            if w in inside and w not in seen:
                seen.add(w)
                stack.append(w)
    return len(seen) == len(inside)


def problems(jp: JointProblem, zone: np.ndarray, centre: np.ndarray) -> list[str]:
    """Every rule the plan breaks (model indices; ``[]`` when valid)."""
    p = jp.base
    out: list[str] = []
    if zone.shape != (jp.n,) or zone.min(initial=0) < 0 or zone.max(initial=0) >= jp.m:
        return ["zone vector out of range"]
    for z in range(jp.m):
        members = np.flatnonzero(zone == z)
        if not connected(p.adj, members):
            out.append(f"zone {z} empty or not connected")
        c = int(centre[z])
        if c < 0 or zone[c] != z:
            out.append(f"zone {z}: centre {c} outside")
        elif not jp.eligible[c]:
            out.append(f"zone {z}: centre {c} not eligible")
    for i in np.flatnonzero(jp.must).tolist():
        if centre[zone[i]] != i:
            out.append(f"station {i} must be a centre")
    locked = np.flatnonzero(p.lock >= 0)
    if (zone[locked] != p.lock[locked]).any():
        out.append("locks broken")
    for g in p.groups:
        if len(set(zone[g].tolist())) > 1:
            out.append(f"group {g} split")
    for r, s in enumerate(row_spreads(jp, zone).tolist()):
        if s > jp.band * (1 + BAND_EPS) + BAND_EPS:
            what = "spread" if r == 0 else "period spread"
            out.append(f"{what} {s:.4f} above band {jp.band:.4f}")
    return out


def min_load_paths(jp: JointProblem, load: np.ndarray | None = None) -> np.ndarray:
    """``P[a, b]``: the least total load of a path from ``a`` to ``b`` (both ends counted).

    A connected zone holding ``a`` and ``b`` holds such a path, so ``P[a, b]``
    above the largest zone load means ``a`` and ``b`` never share a zone.
    ``load`` defaults to the stations' total load (a period's load for robust plans).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    p = jp.base
    load = p.load if load is None else np.asarray(load, dtype=float)
    e = p.edges
    if len(e) == 0:
        out = np.full((jp.n, jp.n), np.inf)
        np.fill_diagonal(out, load)
        return out
    # arc a→b costs load[b]; the start's own load is added afterwards
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    tiny = 1e-12 * max(1.0, float(load.sum()))  # csgraph drops explicit zeros
    arcs = coo_matrix((load[cols] + tiny, (rows, cols)), shape=(jp.n, jp.n)).tocsr()
    dist = dijkstra(arcs, directed=True)
    return dist + load[:, None]


#: Thresholds (minutes) of the shares reported in the travel figures.
WITHIN_DEFAULT = (15.0, 30.0)


def travel_figures(
    minutes: np.ndarray,
    load: np.ndarray,
    zone: np.ndarray,
    centre: dict[int, int],
    *,
    balanced: np.ndarray,
    within: tuple[float, ...] = WITHIN_DEFAULT,
) -> dict[str, Any]:
    """Travel figures of a plan over all stations (arrays in one station order).

    Parameters
    ----------
    minutes
        ``minutes[c, i]`` from station ``c`` to station ``i``.
    load
        Station loads (the weights; equal weights where the total is 0).
    zone
        Zone number of every station.
    centre
        Zone number → index of its 中心所.
    balanced
        Stations of the balanced zones (the urban-core zone excluded).
    within
        Thresholds for ``share_within`` (share of the load within T minutes).

    Returns
    -------
    dict
        ``mean_minutes`` / ``max_minutes`` / ``farthest`` (index) / ``share_within``
        over the balanced zones, ``mean_minutes_all`` / ``max_minutes_all`` over
        every station, ``objective`` = Σ load · minutes over the balanced zones.
    """
    n = len(zone)
    row = np.array([centre[int(z)] for z in zone], dtype=np.int64)
    each = minutes[row, np.arange(n)]

    def mean(mask: np.ndarray) -> float:
        if not mask.any():
            return 0.0
        w = load[mask]
        w = w if w.sum() > 0 else np.ones(int(mask.sum()))
        return float((each[mask] * w).sum() / w.sum())

    bal = balanced.astype(bool)
    w_bal = load[bal] if load[bal].sum() > 0 else np.ones(int(bal.sum()))
    share = {
        f"{t:g}": (float(w_bal[each[bal] <= t].sum() / w_bal.sum()) if bal.any() else 1.0)
        for t in within
    }
    far = int(np.flatnonzero(bal)[int(np.argmax(each[bal]))]) if bal.any() else -1
    return {
        "mean_minutes": mean(bal),
        "max_minutes": float(each[bal].max()) if bal.any() else 0.0,
        "farthest": far,
        "share_within": share,
        "mean_minutes_all": mean(np.ones(n, dtype=bool)),
        "max_minutes_all": float(each.max()) if n else 0.0,
        "objective": float((load[bal] * each[bal]).sum()),
        "station_minutes": each,
    }
