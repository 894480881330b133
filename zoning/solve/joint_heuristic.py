"""Heuristic for the joint zones-and-中心所 problem: p-median local search with contiguity.

Search space: contiguous zone vectors; each zone's centre is always its best
(1-median) eligible station, so a move is judged with its centres re-chosen.

* **Starts.** (a) A plan given by the caller, e.g. the balance-first
  heuristic's (contiguous, balanced, honours locks and groups); (b) without
  locks or groups, a location-allocation start: greedy-plus-interchange
  p-median centres (no contiguity, no band), every station to its nearest
  centre, stray pieces of a zone merged into a neighbouring zone.
* **Local search.** Tabu search over boundary moves (a station joins a
  neighbouring zone; the donor zone must stay connected — cached articulation
  points; locked, grouped and must-centre stations stay). The exact change of
  the travel cost, centres re-chosen in both zones, is computed for every
  candidate from the per-zone sums ``S[z, c] = Σ_{i in z} load_i · minutes[c, i]``.
  Band: strategic oscillation, ``cost + λ · excess`` with ``excess`` the load
  range above the band and ``λ`` raised while outside and lowered inside;
  until a plan within the band is known, moves are ranked by excess first.
  Robust plans (periods held to the band): ``excess`` is the largest of the
  total's and every period's range above its band, each period's scaled to the
  total's band (``excess_r · B / B_r``), so the search repairs the worst period
  first (a sum got stuck where every move worsens some period; measured on the demo).
* **Iterated local search.** Random connected boundary moves (a kick of
  about 5 % of the stations), local search, kept when better.

Every loop runs on an iteration budget and all randomness comes from
``numpy.random.default_rng(seed)``, so a seed gives one plan on any machine.
A wall-clock deadline is only a safety cap: when it fires the result says so
(``stopped_by_wall_clock``) because the plan may then not reproduce.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from zoning.solve.balance_heuristic import articulation_points
from zoning.solve.joint_model import (
    BAND_EPS,
    JointProblem,
    band_rows,
    best_centres,
    row_limits,
    travel_cost,
    zone_sums,
)
from zoning.solve.problem import label_parts


@dataclass
class JointHeuristicResult:
    """Best valid plan found (``zone`` and ``centre`` are model indices)."""

    zone: np.ndarray
    centre: np.ndarray
    travel: float
    spread: float
    iterations: int
    starts: list[str]
    stopped_by_wall_clock: bool


@dataclass(frozen=True)
class Budget:
    """Iteration budgets of :func:`solve_joint_heuristic` (deterministic).

    ``effort`` scales all of them; :meth:`from_seconds` maps the nominal
    seconds of the caller's budget to an effort measured on a 2-core machine.
    """

    effort: float = 1.0

    @classmethod
    def from_seconds(cls, seconds: float, n: int) -> Budget:
        """Effort whose run takes about ``seconds`` of CPU on ``n`` stations.

        Measured on a 2-core machine (benchmarks/travel.py): the CPU time grows
        about as ``0.035 s × n × effort²`` (40 stations: effort 1 ≈ 0.5 s,
        300 stations: effort 0.5 ≈ 3.8 s).
        """
        return cls(effort=float(np.clip(np.sqrt(seconds / (0.035 * max(n, 10))), 0.05, 10.0)))

    def search_iterations(self, n: int) -> int:
        return max(50, int(6 * n * self.effort) + 200)

    def patience(self, n: int) -> int:
        return max(30, int(min(n, 200) * min(self.effort, 2.0)))

    def kicks(self, m: int) -> int:
        return max(2, int(12 * m * self.effort))


class _Deadline:
    def __init__(self, seconds: float | None) -> None:
        self.at = None if seconds is None else time.perf_counter() + seconds
        self.fired = False

    def check(self) -> bool:
        if self.at is not None and time.perf_counter() > self.at:
            self.fired = True
        return self.fired


class _State:
    """A plan with its per-zone sums, loads, neighbour counts and centres."""

    def __init__(self, jp: JointProblem, zone: np.ndarray, movable: np.ndarray) -> None:
        p = jp.base
        self.jp = jp
        self.n, self.m = jp.n, jp.m
        self.adj = [a.tolist() for a in p.adj]
        self.e0, self.e1 = p.edges[:, 0], p.edges[:, 1]
        self.movable = movable
        self.big = 1e6 * max(1.0, float(jp.weight.max(initial=0.0))) * max(1, self.n)
        self.zone = zone.astype(np.int64).copy()
        self.S = zone_sums(jp, self.zone)
        self.L = np.bincount(self.zone, weights=p.load, minlength=self.m)
        self.size = np.bincount(self.zone, minlength=self.m)
        self.cnt = np.zeros((self.n, self.m), dtype=np.int64)
        np.add.at(self.cnt, (self.e0, self.zone[self.e1]), 1)
        np.add.at(self.cnt, (self.e1, self.zone[self.e0]), 1)
        self.centre = np.zeros(self.m, dtype=np.int64)
        self.cost = np.zeros(self.m)
        for z in range(self.m):
            self._recentre(z)
        self.art: dict[int, set[int]] = {}
        b, _, _ = jp.limits()
        self.B = b * (1 + BAND_EPS) + BAND_EPS * max(1.0, jp.total)
        # robust: the periods held to the band too; their excess counts in units of the
        # total's band (excess_r × B / B_r); the largest excess is the one repaired
        rows = band_rows(jp)[1:]
        self.rows = rows
        self.LP = rows @ self._onehot()
        bp = row_limits(jp, rows)[:, 0] if len(rows) else np.zeros(0)
        self.BP = bp * (1 + BAND_EPS) + BAND_EPS * np.maximum(1.0, rows.sum(axis=1))
        self.WP = self.B / np.maximum(self.BP, 1e-300)

    def _onehot(self) -> np.ndarray:
        out = np.zeros((self.n, self.m))
        out[np.arange(self.n), self.zone] = 1.0
        return out

    def _recentre(self, z: int) -> None:
        jp = self.jp
        members = np.flatnonzero(self.zone == z)
        forced = members[jp.must[members]]
        cand = forced[:1] if len(forced) else members[jp.eligible[members]]
        if len(cand) == 0:
            self.centre[z], self.cost[z] = -1, self.big
            return
        k = int(np.argmin(self.S[z, cand]))
        self.centre[z], self.cost[z] = int(cand[k]), float(self.S[z, cand[k]])

    def travel(self) -> float:
        return float(self.cost.sum())

    def excess(self) -> float:
        """Load range above the band: the largest of the total's and the periods'."""
        out = max(0.0, float(self.L.max() - self.L.min()) - self.B)
        if len(self.rows):
            over = self.LP.max(axis=1) - self.LP.min(axis=1) - self.BP
            out = max(out, float((np.maximum(0.0, over) * self.WP).max()))
        return out

    def candidates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boundary moves ``(v, p, q)`` of movable stations out of non-singleton zones."""
        mask = self.cnt > 0
        mask[np.arange(self.n), self.zone] = False
        mask &= (self.movable & (self.size[self.zone] > 1))[:, None]
        vs, qs = np.nonzero(mask)
        return vs, self.zone[vs], qs

    def deltas(
        self, vs: np.ndarray, ps: np.ndarray, qs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact travel change (centres re-chosen) and band excess after each move.

        One ``n × moves`` matrix per side: row ``c`` is station ``c`` as the centre
        of its own zone, masked where ``c`` cannot be the centre of that zone.
        """
        jp = self.jp
        zone = self.zone
        has_must = np.zeros(self.m, dtype=bool)
        has_must[zone[jp.must]] = True
        centre_ok = np.where(has_must[zone], jp.must, jp.eligible)
        own = self.S[zone, np.arange(self.n)]  # S[zone(c), c]
        wv = jp.weight[:, vs]  # wv[c, k] = weight[c, v_k]
        rows = np.arange(self.n)[:, None]
        # donor p loses v: min over c in p, c != v, of S[p, c] − weight[c, v]
        ok = centre_ok[:, None] & (zone[:, None] == ps[None, :]) & (rows != vs[None, :])
        donor = np.where(ok, own[:, None] - wv, np.inf).min(axis=0)
        donor[~np.isfinite(donor)] = self.big
        # receiver q gains v: min over c in q of S[q, c] + weight[c, v], or v itself
        ok = centre_ok[:, None] & (zone[:, None] == qs[None, :])
        recv = np.where(ok, own[:, None] + wv, np.inf).min(axis=0)
        self_ok = jp.eligible[vs] & ~has_must[qs]
        recv = np.minimum(recv, np.where(self_ok, self.S[qs, vs] + jp.weight[vs, vs], np.inf))
        recv[~np.isfinite(recv)] = self.big
        out = donor - self.cost[ps] + recv - self.cost[qs]
        r = np.arange(len(vs))
        lm = np.repeat(self.L[None, :], len(vs), axis=0)
        load = jp.base.load[vs]
        lm[r, ps] -= load
        lm[r, qs] += load
        exc = np.maximum(0.0, lm.max(axis=1) - lm.min(axis=1) - self.B)
        for lp, row, bp, wp in zip(self.LP, self.rows, self.BP, self.WP, strict=True):
            lm = np.repeat(lp[None, :], len(vs), axis=0)
            lm[r, ps] -= row[vs]
            lm[r, qs] += row[vs]
            exc = np.maximum(exc, np.maximum(0.0, lm.max(axis=1) - lm.min(axis=1) - bp) * wp)
        return out, exc

    def can_leave(self, v: int, p: int) -> bool:
        if p not in self.art:
            self.art[p] = articulation_points(self.adj, self.zone, p, v)
        return v not in self.art[p]

    def move(self, v: int, q: int) -> None:
        p = int(self.zone[v])
        w = self.jp.weight[:, v]
        load = float(self.jp.base.load[v])
        self.zone[v] = q
        self.S[p] -= w
        self.S[q] += w
        self.L[p] -= load
        self.L[q] += load
        if len(self.rows):
            self.LP[:, p] -= self.rows[:, v]
            self.LP[:, q] += self.rows[:, v]
        self.size[p] -= 1
        self.size[q] += 1
        nb = self.jp.base.adj[v]
        self.cnt[nb, p] -= 1
        self.cnt[nb, q] += 1
        self._recentre(p)
        self._recentre(q)
        self.art.pop(p, None)
        self.art.pop(q, None)


def _search(
    state: _State,
    rng: np.random.Generator,
    *,
    max_iter: int,
    patience: int,
    deadline: _Deadline,
    lam0: float,
) -> tuple[tuple[float, float], np.ndarray, int]:
    """Tabu search with strategic oscillation; returns the best key, zones and iterations."""
    n = state.n
    tabu = np.zeros(n, dtype=np.int64)

    def key_now() -> tuple[float, float]:
        return (round(state.excess() / max(state.B, 1e-300), 9), state.travel())

    best_key, best_zone = key_now(), state.zone.copy()
    lam = lam0
    last = 0
    it = 0
    for it in range(1, max_iter + 1):
        if it - last > patience or (it % 32 == 0 and deadline.check()):
            break
        vs, ps, qs = state.candidates()
        if len(vs) == 0:
            break
        dt, exc = state.deltas(vs, ps, qs)
        travel = state.travel() + dt
        k1 = np.round(exc / max(state.B, 1e-300), 9)
        better = (k1 < best_key[0]) | ((k1 == best_key[0]) & (travel < best_key[1] - 1e-9))
        allowed = (tabu[vs] <= it) | better
        if best_key[0] == 0:
            order = np.argsort(travel + lam * exc, kind="stable")
        else:
            order = np.lexsort((travel, k1))
        order = order[allowed[order]]
        moved = False
        for c in order[:64].tolist():
            v, p = int(vs[c]), int(ps[c])
            if not state.can_leave(v, p):
                continue
            state.move(v, int(qs[c]))
            tabu[v] = it + 7 + int(rng.integers(0, 6))
            moved = True
            break
        if not moved:
            break
        # strategic oscillation: tighten while outside the band, relax inside
        lam = min(lam * 1.2, lam0 * 1e6) if state.excess() > 0 else max(lam / 1.2, lam0 / 100)
        key = key_now()
        if key < best_key:
            best_key, best_zone, last = key, state.zone.copy(), it
    return best_key, best_zone, it


def _kick(state: _State, rng: np.random.Generator, moves: int) -> None:
    """Random connected boundary moves (band ignored; the search repairs it)."""
    for _ in range(moves):
        vs, ps, qs = state.candidates()
        if len(vs) == 0:
            return
        for c in rng.permutation(len(vs))[:16].tolist():
            if state.can_leave(int(vs[c]), int(ps[c])):
                state.move(int(vs[c]), int(qs[c]))
                break


def _pmedian_centres(jp: JointProblem, rounds: int = 3) -> np.ndarray:
    """Greedy-add then interchange p-median centres (no contiguity, no band)."""
    wt = jp.weight
    chosen = np.flatnonzero(jp.must).tolist()[: jp.m]
    pool = np.flatnonzero(jp.eligible)
    best = wt[chosen].min(axis=0) if chosen else np.full(jp.n, np.inf)
    while len(chosen) < jp.m:
        free = pool[~np.isin(pool, chosen)]
        if len(free) == 0:
            break
        gain = np.minimum(best[None, :], wt[free]).sum(axis=1)
        c = int(free[int(np.argmin(gain))])
        chosen.append(c)
        best = np.minimum(best, wt[c])
    fixed = set(np.flatnonzero(jp.must).tolist())
    for _ in range(rounds):
        improved = False
        for pos in range(len(chosen)):
            if chosen[pos] in fixed:
                continue
            others = chosen[:pos] + chosen[pos + 1 :]
            rest = wt[others].min(axis=0) if others else np.full(jp.n, np.inf)
            free = pool[~np.isin(pool, others)]
            total = np.minimum(rest[None, :], wt[free]).sum(axis=1)
            c = int(free[int(np.argmin(total))])
            if c != chosen[pos] and total.min() < np.minimum(rest, wt[chosen[pos]]).sum() - 1e-9:
                chosen[pos] = c
                improved = True
        if not improved:
            break
    return np.array(sorted(chosen), dtype=np.int64)


def _grow(jp: JointProblem, centres: np.ndarray) -> np.ndarray | None:
    """Contiguous zones grown from ``centres`` (zone ``z`` from ``centres[z]``).

    Stations join, nearest first (minutes from the zone's centre), a zone they
    touch while its load stays within the band's upper limit; stations left over
    join the lightest zone they touch. Every zone stays connected.
    """
    import heapq

    n, m = jp.n, jp.m
    load = jp.base.load
    _, _, hi = jp.limits()
    zone = np.full(n, -1, dtype=np.int64)
    zl = np.zeros(m)
    heap: list[tuple[float, int, int]] = []
    for z, c in enumerate(centres.tolist()):
        if zone[c] >= 0:
            return None
        zone[c] = z
        zl[z] = load[c]
    for z, c in enumerate(centres.tolist()):
        for w in jp.base.adj[c].tolist():
            heapq.heappush(heap, (float(jp.minutes[c, w]), w, z))
    while heap:
        _, v, z = heapq.heappop(heap)
        if zone[v] >= 0 or zl[z] + load[v] > hi:
            continue
        zone[v] = z
        zl[z] += load[v]
        c = int(centres[z])
        for w in jp.base.adj[v].tolist():
            if zone[w] < 0:
                heapq.heappush(heap, (float(jp.minutes[c, w]), w, z))
    while (zone < 0).any():
        grown = False
        for v in np.flatnonzero(zone < 0).tolist():
            near = [int(zone[w]) for w in jp.base.adj[v].tolist() if zone[w] >= 0]
            if near:
                z = min(near, key=lambda q: (zl[q], q))
                zone[v] = z
                zl[z] += load[v]
                grown = True
        if not grown:
            return None  # a part of the map without a centre
    return zone


def _allocation_start(jp: JointProblem) -> np.ndarray | None:
    """Zones grown around greedy-plus-interchange p-median centres."""
    centres = _pmedian_centres(jp)
    if len(centres) < jp.m:
        return None
    zone = _grow(jp, centres)
    if zone is None:
        return None
    return label_parts(jp.base, [np.flatnonzero(zone == z) for z in range(jp.m)])


def _component(adj: list[np.ndarray], zone: np.ndarray, start: int) -> np.ndarray:
    z = zone[start]
    seen = {start}
    stack = [start]
    while stack:
        v = stack.pop()
        for w in adj[v].tolist():
            if zone[w] == z and w not in seen:
                seen.add(w)
                stack.append(w)
    return np.array(sorted(seen), dtype=np.int64)


def _swap_centre(jp: JointProblem, zone: np.ndarray, rng: np.random.Generator) -> np.ndarray | None:
    """Vertex swap: move one zone's centre to a random eligible station nearby, regrow."""
    centres = best_centres(jp, zone)
    free = [z for z in range(jp.m) if not jp.must[centres[z]]]
    if not free:
        return None
    z = free[int(rng.integers(len(free)))]
    c = int(centres[z])
    near = np.argsort(jp.minutes[c], kind="stable")
    near = near[jp.eligible[near] & ~np.isin(near, centres)][: max(3, jp.n // jp.m)]
    if len(near) == 0:
        return None
    new = centres.copy()
    new[z] = int(near[int(rng.integers(len(near)))])
    grown = _grow(jp, new)
    if grown is None:
        return None
    return label_parts(jp.base, [np.flatnonzero(grown == q) for q in range(jp.m)])


def movable_mask(jp: JointProblem) -> np.ndarray:
    """Stations the search may move: not locked, grouped or a must-centre."""
    p = jp.base
    mask = (p.lock < 0) & ~jp.must
    for g in p.groups:
        mask[g] = False
    return mask


def solve_joint_heuristic(
    jp: JointProblem,
    *,
    seed: int,
    budget: Budget,
    starts: list[np.ndarray] | None = None,
    wall_cap: float | None = None,
    best_effort: bool = False,
) -> JointHeuristicResult | None:
    """Best plan within the band found by local search from the given starts.

    Parameters
    ----------
    jp
        The joint problem.
    seed
        Seed of the random generator.
    budget
        Iteration budgets.
    starts
        Valid contiguous zone vectors honouring locks and groups (e.g. the
        balance heuristic's plan); a location-allocation start is added when
        the problem has no locks and no groups.
    wall_cap
        Safety cap in seconds (``None``: none); when it fires the result says so.
    best_effort
        Return the plan with the least band excess even when it is outside the
        band (an estimate of the smallest achievable spread; the caller checks).

    Returns
    -------
    JointHeuristicResult or None
        ``None`` when no plan within the band was found (unless ``best_effort``).
    """
    rng = np.random.default_rng(seed)
    deadline = _Deadline(wall_cap)
    movable = movable_mask(jp)
    n, m = jp.n, jp.m
    lam0 = float(np.median(jp.minutes)) + 1e-9
    named: list[tuple[str, np.ndarray]] = [(f"given{i}", s) for i, s in enumerate(starts or [])]
    if not (jp.base.lock >= 0).any() and not jp.base.groups and m > 1:
        alloc = _allocation_start(jp)
        if alloc is not None:
            named.append(("allocation", alloc))
    best: tuple[tuple[float, float], np.ndarray] | None = None
    iterations = 0
    used: list[str] = []
    for name, start in named:
        if deadline.check():
            break
        state = _State(jp, start, movable)
        key, zone, its = _search(
            state,
            rng,
            max_iter=budget.search_iterations(n),
            patience=budget.patience(n),
            deadline=deadline,
            lam0=lam0,
        )
        iterations += its
        used.append(name)
        if best is None or key < best[0]:
            best = (key, zone)
    if best is None:
        return None
    kick = max(2, round(0.05 * n))
    free_map = not (jp.base.lock >= 0).any() and not jp.base.groups
    for round_ in range(budget.kicks(m)):
        if deadline.check():
            break
        swapped = _swap_centre(jp, best[1], rng) if free_map and round_ % 2 == 1 else None
        if swapped is not None:
            state = _State(jp, swapped, movable)
        else:
            state = _State(jp, best[1], movable)
            _kick(state, rng, kick)
        key, zone, its = _search(
            state,
            rng,
            max_iter=budget.search_iterations(n) // 2,
            patience=budget.patience(n) // 2,
            deadline=deadline,
            lam0=lam0,
        )
        iterations += its
        if key < best[0]:
            best = (key, zone)
    key, zone = best
    if key[0] > 0 and not best_effort:
        return None
    centre = best_centres(jp, zone)
    if (centre < 0).any():
        return None
    zl = np.bincount(zone, weights=jp.base.load, minlength=m)
    total = float(zl.sum())
    spread = 0.0 if total <= 0 else float(m * (zl.max() - zl.min()) / total)
    return JointHeuristicResult(
        zone=zone,
        centre=centre,
        travel=travel_cost(jp, zone, centre),
        spread=spread,
        iterations=iterations,
        starts=used,
        stopped_by_wall_clock=deadline.fired,
    )
