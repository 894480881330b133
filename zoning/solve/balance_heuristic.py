"""Heuristic partitioner: random spanning-tree bipartition, multi-start, tabu search.

Construction (ReCom style, DeFord–Duchin–Solomon 2021): draw a random spanning
tree of a connected node set (minimum spanning tree of uniform random edge
weights), take the tree edge whose subtree load is closest to ``j · L / m`` for
some ``j`` (its side gets ``j`` zones, the other ``m − j``), and recurse. Cuts
that would split a ``together`` group or a set of stations locked to one zone,
or put more locked zones on a side than it has zones, are never taken. When the
stations fall into several components, zones are first shared among them by
D'Hondt on load.

Improvement: tabu search over boundary moves (move one station to a
neighbouring zone; the donor zone must stay connected, checked with cached
articulation points), preceded by a balance repair that re-splits the most
unequal adjacent zone pairs (ReCom). Plans are compared lexicographically by
``(max(0, B − tolerance), compactness_weight · cut + similarity_weight ·
internal dissimilarity + 1e-3 · B)`` with ``B`` from
:func:`zoning.solve.problem.balance_value`. While no balanced plan is known the
moves are ranked the same way; once one is, the search oscillates (penalty
``λ · excess`` with ``λ`` raised while out of tolerance and lowered inside it),
which lets it cross briefly unbalanced plans to more compact ones. The best
start is then improved by iterated local search (ReCom of a random adjacent
pair, repair, tabu; kept if better). Locked stations and members of
``together`` groups never move.

Everything random comes from ``numpy.random.default_rng(seed)`` and every loop
is bounded by iteration counts, so a seed gives one plan; the time limit is only
a safety stop (when it fires the result may depend on machine speed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from zoning.solve.problem import (
    Problem,
    balance_value,
    label_parts,
    load_excess,
    score,
)

_TINY = 1e-3
#: Per-officer mode: load-band excess outweighs any per-officer imbalance.
_LOAD_BAND_WEIGHT = 100.0


@dataclass
class HeuristicResult:
    """Best plan found by :func:`solve_heuristic` (model zone index per node)."""

    zone: np.ndarray
    balance: float
    compact: float
    cut: int
    starts: int
    iterations: int
    seconds: float
    stopped_by_time: bool


class _Context:
    """Arrays shared by construction and search."""

    def __init__(self, problem: Problem, deadline: float) -> None:
        self.p = problem
        self.n, self.m = problem.n, problem.m
        self.deadline = deadline
        self.timed_out = False
        e = problem.edges
        self.e0, self.e1 = e[:, 0], e[:, 1]
        self.adj = [a.tolist() for a in problem.adj]
        self.adj_arr = problem.adj
        dmap = dict(zip(map(tuple, e.tolist()), problem.dissim.tolist(), strict=True))
        self.adj_d = [
            np.array([dmap[min(v, u), max(v, u)] for u in a]) for v, a in enumerate(self.adj)
        ]
        self.wc = problem.compactness_weight
        self.ws = problem.similarity_weight
        # classes: together groups merged with the stations locked to one zone
        cls = np.arange(self.n)
        for g in problem.groups:
            cls[g] = g[0]
        for z in range(self.m):
            members = np.flatnonzero(problem.lock == z)
            if len(members):
                roots = np.unique(cls[members])
                cls[np.isin(cls, roots)] = roots[0]
        special = [
            c for c in np.unique(cls) if (cls == c).sum() > 1 or (problem.lock[cls == c] >= 0).any()
        ]
        self.cls_members = [np.flatnonzero(cls == c) for c in special]
        self.cls_label = np.array([int(problem.lock[mem].max()) for mem in self.cls_members])
        self.special = np.zeros(self.n, dtype=bool)
        for mem in self.cls_members:
            self.special[mem] = True
        self.mobile = ~self.special
        self.local = np.full(self.n, -1, dtype=np.int64)
        graph = coo_matrix((np.ones(len(e)), (self.e0, self.e1)), shape=(self.n, self.n))
        ncomp, comp = connected_components(graph, directed=False)
        self.comps = [np.flatnonzero(comp == c) for c in range(ncomp)]

    def check_time(self) -> bool:
        if time.perf_counter() > self.deadline:
            self.timed_out = True
        return self.timed_out


def _allocate(ctx: _Context) -> list[int]:
    """Zones per component: at least one (and one per locked zone), then D'Hondt on load."""
    load = ctx.p.load
    lo, hi = [], []
    for comp in ctx.comps:
        inside = [i for i, mem in enumerate(ctx.cls_members) if np.isin(mem, comp).any()]
        labels = sum(1 for i in inside if ctx.cls_label[i] >= 0)
        plain = int((~ctx.special[comp]).sum())
        free_cls = sum(1 for i in inside if ctx.cls_label[i] < 0)
        lo.append(max(1, labels))
        hi.append(max(lo[-1], labels + plain + free_cls))
    alloc = lo[:]
    totals = [float(load[c].sum()) for c in ctx.comps]
    while sum(alloc) < ctx.m:
        open_ = [c for c in range(len(alloc)) if alloc[c] < hi[c]]
        best = max(open_, key=lambda c: (totals[c] / (alloc[c] + 1), -c))
        alloc[best] += 1
    return alloc


def _random_tree(
    a: list[int], b: list[int], s: int, rng: np.random.Generator
) -> tuple[list[int], list[int]] | None:
    """Random spanning tree (Kruskal on random edge order) as DFS preorder and parents.

    Every subtree is a contiguous block of the preorder. ``None`` if disconnected.
    """
    uf = list(range(s))
    tree: list[list[int]] = [[] for _ in range(s)]
    added = 0
    for k in np.argsort(rng.random(len(a))).tolist():
        u, v = a[k], b[k]
        ru, rv = u, v
        while uf[ru] != ru:
            uf[ru] = uf[uf[ru]]
            ru = uf[ru]
        while uf[rv] != rv:
            uf[rv] = uf[uf[rv]]
            rv = uf[rv]
        if ru != rv:
            uf[ru] = rv
            tree[u].append(v)
            tree[v].append(u)
            added += 1
            if added == s - 1:
                break
    if added < s - 1:
        return None
    root = int(rng.integers(s))
    pred = [-1] * s
    seen = [False] * s
    seen[root] = True
    order: list[int] = []
    stack = [root]
    while stack:
        v = stack.pop()
        order.append(v)
        for w in tree[v]:
            if not seen[w]:
                seen[w] = True
                pred[w] = v
                stack.append(w)
    return order, pred


def _split(
    ctx: _Context, nodes: np.ndarray, mz: int, rng: np.random.Generator
) -> list[np.ndarray] | None:
    """Split a connected node set into ``mz`` connected parts by spanning-tree cuts."""
    if mz == 1:
        return [nodes]
    p = ctx.p
    s = len(nodes)
    ctx.local[nodes] = np.arange(s)
    mask = (ctx.local[ctx.e0] >= 0) & (ctx.local[ctx.e1] >= 0)
    a, b = ctx.local[ctx.e0[mask]], ctx.local[ctx.e1[mask]]
    ctx.local[nodes] = -1
    inside = [i for i, mem in enumerate(ctx.cls_members) if np.isin(mem, nodes).any()]
    cols = [np.ones(s), p.load[nodes]] + ([p.officers[nodes]] if p.officers is not None else [])
    base = len(cols)
    cols += [np.isin(nodes, ctx.cls_members[i]).astype(float) for i in inside]
    data = np.column_stack(cols)
    total = data.sum(axis=0)
    sizes = np.array([len(ctx.cls_members[i]) for i in inside], dtype=float)
    labelled = np.array([ctx.cls_label[i] >= 0 for i in inside], dtype=bool)
    mean = total[1] / mz if total[1] > 0 else 1.0
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    au, bu = a.tolist(), b.tolist()
    for _ in range(12):
        tree = _random_tree(au, bu, s, rng)
        if tree is None:
            return None
        preorder, pred = tree
        acc = data.copy()
        for v in preorder[:0:-1]:
            acc[pred[v]] += acc[v]
        order = np.array(preorder)
        sub, cand = acc[order[1:]], order[1:]
        full = sub[:, base:] == sizes  # classes entirely below the cut (none may be split)
        split = ((sub[:, base:] > 0) & ~full).any(axis=1)
        lab_b = full[:, labelled].sum(axis=1)
        lab_a = int(labelled.sum()) - lab_b
        free_b = sub[:, 0] - sub[:, base:].sum(axis=1) + full[:, ~labelled].sum(axis=1)
        free_a = (total[0] - total[base:].sum()) + (~labelled).sum() - free_b
        for j in range(1, mz):
            ok = ~split & (lab_b <= j) & (j <= lab_b + free_b)
            ok &= (lab_a <= mz - j) & (mz - j <= lab_a + free_a)
            score = np.abs(sub[:, 1] - j * mean) / mean
            if p.officers is not None:  # load share = officer share, zone sizes secondary
                ratio = np.abs(sub[:, 1] * total[2] - total[1] * sub[:, 2])
                score = ratio / max(total[2] * mean, 1e-12) + 0.25 * score
            score = np.where(ok, score, np.inf)
            k = int(np.argmin(score))
            if np.isfinite(score[k]) and (best is None or score[k] < best[0]):
                pos = np.flatnonzero(order == cand[k])[0]
                below = np.zeros(s, dtype=bool)
                below[order[pos : pos + int(sub[k, 0])]] = True
                best = (float(score[k]), j, nodes[below], nodes[~below])
        if best is not None and best[0] <= 0.25 * p.tolerance:
            break
    if best is None:
        return None
    _, j, left, right = best
    lparts = _split(ctx, np.sort(left), j, rng)
    rparts = _split(ctx, np.sort(right), mz - j, rng) if lparts is not None else None
    if lparts is None or rparts is None:
        return None
    return lparts + rparts


def _construct(ctx: _Context, rng: np.random.Generator, alloc: list[int]) -> np.ndarray | None:
    parts: list[np.ndarray] = []
    for comp, mz in zip(ctx.comps, alloc, strict=True):
        got = _split(ctx, comp, mz, rng)
        if got is None:
            return None
        parts.extend(got)
    return label_parts(ctx.p, parts)


class _Search:
    """Tabu search state over boundary moves."""

    def __init__(self, ctx: _Context, zone: np.ndarray) -> None:
        p = ctx.p
        self.ctx = ctx
        self.zone = zone.copy()
        m = ctx.m
        self.L = np.bincount(zone, weights=p.load, minlength=m)
        self.O = None if p.officers is None else np.bincount(zone, weights=p.officers, minlength=m)
        self.size = np.bincount(zone, minlength=m)
        self.cnt = np.zeros((ctx.n, m), dtype=np.int64)
        self.wsum = np.zeros((ctx.n, m))
        np.add.at(self.cnt, (ctx.e0, zone[ctx.e1]), 1)
        np.add.at(self.cnt, (ctx.e1, zone[ctx.e0]), 1)
        np.add.at(self.wsum, (ctx.e0, zone[ctx.e1]), p.dissim)
        np.add.at(self.wsum, (ctx.e1, zone[ctx.e0]), p.dissim)
        same = zone[ctx.e0] == zone[ctx.e1]
        self.cut = int((~same).sum())
        self.compact = ctx.wc * self.cut + ctx.ws * float(p.dissim[same].sum())
        self.balance = balance_value(p, self.L, self.O)
        self.art: dict[int, set[int]] = {}

    def key(self) -> tuple[float, float]:
        excess = max(0.0, self.balance - self.ctx.p.tolerance)
        excess += _LOAD_BAND_WEIGHT * load_excess(self.ctx.p, self.L)
        return (round(excess, 12), self.compact + _TINY * self.balance)

    def run(
        self, rng: np.random.Generator, *, max_iter: int, patience: int
    ) -> tuple[np.ndarray, int]:
        ctx, p = self.ctx, self.ctx.p
        n, m = ctx.n, ctx.m
        tabu = np.zeros(n, dtype=np.int64)
        best_key, best_zone = self.key(), self.zone.copy()
        last = 0
        rows = np.arange(n)
        total_l = float(p.load.sum())
        total_o = float(p.officers.sum()) if p.officers is not None else 1.0
        lam0 = 100.0 * max(ctx.wc, 1e-3)
        lam = lam0
        it = 0
        for it in range(1, max_iter + 1):
            if it - last > patience or (it % 32 == 0 and ctx.check_time()):
                break
            mask = self.cnt > 0
            mask[rows, self.zone] = False
            mask &= (ctx.mobile & (self.size[self.zone] > 1))[:, None]
            vs, qs = np.nonzero(mask)
            if len(vs) == 0:
                break
            ps = self.zone[vs]
            r = np.arange(len(vs))
            lm = np.repeat(self.L[None, :], len(vs), axis=0)
            lm[r, ps] -= p.load[vs]
            lm[r, qs] += p.load[vs]
            if self.O is None or p.officers is None:
                bal = m * (lm.max(axis=1) - lm.min(axis=1)) / total_l if total_l > 0 else 0 * r
            else:
                om = np.repeat(self.O[None, :], len(vs), axis=0)
                om[r, ps] -= p.officers[vs]
                om[r, qs] += p.officers[vs]
                share = lm / max(total_l, 1e-300) - om / max(total_o, 1e-300)
                bal = m * (share.max(axis=1) - share.min(axis=1))
            k1 = np.maximum(0.0, bal - p.tolerance)
            if p.load_band is not None and total_l > 0:  # per-officer mode keeps the load band
                lspread = m * (lm.max(axis=1) - lm.min(axis=1)) / total_l
                k1 = k1 + _LOAD_BAND_WEIGHT * np.maximum(0.0, lspread - p.load_band)
            k1 = np.round(k1, 12)
            dcomp = ctx.wc * (self.cnt[vs, ps] - self.cnt[vs, qs]) + ctx.ws * (
                self.wsum[vs, qs] - self.wsum[vs, ps]
            )
            k2 = self.compact + dcomp + _TINY * bal
            better = (k1 < best_key[0]) | ((k1 == best_key[0]) & (k2 < best_key[1] - 1e-9))
            allowed = (tabu[vs] <= it) | better
            if best_key[0] == 0:  # strategic oscillation once balanced
                order = np.argsort(k2 + lam * k1, kind="stable")
            else:
                order = np.lexsort((k2, k1))
            order = order[allowed[order]]
            moved = False
            for c in order[:64].tolist():
                v, pz = int(vs[c]), int(ps[c])
                if pz not in self.art:
                    self.art[pz] = articulation_points(ctx.adj, self.zone, pz, v)
                if v in self.art[pz]:
                    continue
                self._move(v, pz, int(qs[c]), float(bal[c]), float(dcomp[c]))
                tabu[v] = it + 7 + int(rng.integers(0, 6))
                moved = True
                break
            if not moved:
                break
            if self.balance > p.tolerance:
                lam = min(lam * 1.2, lam0 * 1e6)
            else:
                lam = max(lam / 1.2, lam0 / 100)
            key = self.key()
            if key < best_key:
                best_key, best_zone, last = key, self.zone.copy(), it
        return best_zone, it

    def _move(self, v: int, pz: int, qz: int, bal: float, dcomp: float) -> None:
        ctx, p = self.ctx, self.ctx.p
        nb = ctx.adj_arr[v]
        self.zone[v] = qz
        self.L[pz] -= p.load[v]
        self.L[qz] += p.load[v]
        if self.O is not None and p.officers is not None:
            self.O[pz] -= p.officers[v]
            self.O[qz] += p.officers[v]
        self.size[pz] -= 1
        self.size[qz] += 1
        self.cut += int(self.cnt[v, pz] - self.cnt[v, qz])
        self.cnt[nb, pz] -= 1
        self.cnt[nb, qz] += 1
        self.wsum[nb, pz] -= ctx.adj_d[v]
        self.wsum[nb, qz] += ctx.adj_d[v]
        self.compact += dcomp
        self.balance = bal
        self.art.pop(pz, None)
        self.art.pop(qz, None)


def _key(problem: Problem, zone: np.ndarray) -> tuple[float, float]:
    bal, compact, _ = score(problem, zone)
    excess = max(0.0, bal - problem.tolerance)
    if problem.load_band is not None:
        zl = np.bincount(zone, weights=problem.load, minlength=problem.m)
        excess += _LOAD_BAND_WEIGHT * load_excess(problem, zl)
    return (round(excess, 12), compact + _TINY * bal)


def _recombine(
    ctx: _Context, zone: np.ndarray, pz: int, qz: int, rng: np.random.Generator
) -> np.ndarray | None:
    """ReCom step: merge zones ``pz`` and ``qz`` and split them again along a random tree."""
    nodes = np.flatnonzero((zone == pz) | (zone == qz))
    parts = _split(ctx, nodes, 2, rng)
    if parts is None:
        return None
    first, second = parts
    lock = ctx.p.lock
    if (lock[first] == qz).any() or (lock[second] == pz).any():
        first, second = second, first
    new = zone.copy()
    new[first], new[second] = pz, qz
    return new


def _adjacent_pairs(ctx: _Context, zone: np.ndarray) -> list[tuple[int, int]]:
    a, b = zone[ctx.e0], zone[ctx.e1]
    cut = a != b
    pairs = np.unique(np.sort(np.column_stack([a[cut], b[cut]]), axis=1), axis=0)
    return [(int(x), int(y)) for x, y in pairs]


def _deviation(problem: Problem, zone: np.ndarray) -> np.ndarray:
    """Signed imbalance of each zone (load share minus its target share)."""
    zl = np.bincount(zone, weights=problem.load, minlength=problem.m)
    share = zl / max(float(zl.sum()), 1e-300)
    if problem.officers is None:
        return share - 1.0 / problem.m
    zo = np.bincount(zone, weights=problem.officers, minlength=problem.m)
    return share - zo / max(float(zo.sum()), 1e-300)


def _repair(ctx: _Context, zone: np.ndarray, rng: np.random.Generator, rounds: int) -> np.ndarray:
    """Recombine the most unequal adjacent zone pairs while that lowers the balance term."""
    problem = ctx.p
    bal = score(problem, zone)[0]
    for _ in range(rounds):
        if bal <= problem.tolerance or ctx.check_time():
            break
        dev = _deviation(problem, zone)
        pairs = sorted(_adjacent_pairs(ctx, zone), key=lambda pq: -abs(dev[pq[0]] - dev[pq[1]]))
        for pz, qz in pairs[:3]:
            new = _recombine(ctx, zone, pz, qz, rng)
            if new is not None:
                nbal = score(problem, new)[0]
                if nbal < bal - 1e-12:
                    zone, bal = new, nbal
                    break
        else:
            break
    return zone


def _improve(
    ctx: _Context, rng: np.random.Generator, zone: np.ndarray, *, effort: float, patience: int
) -> tuple[np.ndarray, int]:
    """Balance repair, then tabu search; returns the best plan and the iterations used."""
    zone = _repair(ctx, zone, rng, rounds=4 * ctx.m)
    return _Search(ctx, zone).run(rng, max_iter=int(30 * ctx.n * effort), patience=patience)


def _ils(
    ctx: _Context,
    rng: np.random.Generator,
    zone: np.ndarray,
    *,
    rounds: int,
    effort: float,
    patience: int,
    on_better: Callable[[tuple[float, float]], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Iterated local search: ReCom a random adjacent pair, improve, keep if better."""
    best_key, best = _key(ctx.p, zone), zone
    iterations = 0
    for _ in range(rounds):
        if ctx.check_time():
            break
        pairs = _adjacent_pairs(ctx, best)
        if not pairs:
            break
        pz, qz = pairs[int(rng.integers(len(pairs)))]
        new = _recombine(ctx, best, pz, qz, rng)
        if new is None:
            continue
        new, its = _improve(ctx, rng, new, effort=effort, patience=patience)
        iterations += its
        key = _key(ctx.p, new)
        if key < best_key:
            best_key, best = key, new
            if on_better is not None:
                on_better(key)
    return best, iterations


def solve_heuristic(
    problem: Problem,
    *,
    seed: int,
    time_limit: float,
    starts: int | None = None,
    effort: float = 1.0,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> HeuristicResult | None:
    """Multi-start construction, balance repair, tabu search and ReCom perturbations.

    Parameters
    ----------
    problem
        The indexed problem.
    seed
        Seed of the random generator; the same seed gives the same plan.
    time_limit
        Safety stop in seconds.
    starts
        Number of constructions (default: between 6 and 16 depending on size).
    effort
        Multiplier of the iteration budgets.
    progress
        Called with ``{"phase", "seconds", "objective", "bound"}`` after each start and
        each improvement of the iterated local search.

    Returns
    -------
    HeuristicResult or None
        ``None`` when no start satisfying the locks and groups could be built.
    """
    t0 = time.perf_counter()
    ctx = _Context(problem, t0 + time_limit)
    rng = np.random.default_rng(seed)
    n = problem.n
    if problem.m == 1:
        zone = np.zeros(n, dtype=np.int64)
        bal, comp, cut = score(problem, zone)
        return HeuristicResult(zone, bal, comp, cut, 0, 0, time.perf_counter() - t0, False)
    alloc = _allocate(ctx)
    if starts is None:
        starts = int(np.clip(round(2000 / max(n, 1)), 6, 16))
    patience = max(30, int(effort * min(n, 300)))
    best: tuple[tuple[float, float], np.ndarray] | None = None
    iterations = 0
    done = 0

    def report(key: tuple[float, float], phase: str = "heuristic") -> None:
        if progress is not None:
            seconds = time.perf_counter() - t0
            progress({"phase": phase, "seconds": seconds, "objective": key[1], "bound": None})

    for _ in range(starts):
        built: np.ndarray | None = None
        for _attempt in range(20):
            built = _construct(ctx, rng, alloc)
            if built is not None or ctx.check_time():
                break
        if built is None:
            if ctx.timed_out:
                break
            continue
        zone, its = _improve(ctx, rng, built, effort=effort, patience=patience // 2)
        iterations += its
        done += 1
        key = _key(problem, zone)
        if best is None or key < best[0]:
            best = (key, zone)
        report(best[0])
        if ctx.check_time():
            break
    if best is None:
        return None
    zone, its = _ils(
        ctx,
        rng,
        best[1],
        rounds=int(effort * 16 * problem.m),
        effort=effort,
        patience=patience // 2,
        on_better=report,
    )
    iterations += its
    zone, its = _Search(ctx, zone).run(rng, max_iter=int(effort * 60 * n), patience=patience * 2)
    iterations += its
    parts = [np.flatnonzero(zone == z) for z in range(problem.m)]
    labelled = label_parts(problem, parts)
    zone = zone if labelled is None else labelled
    bal, comp, cut = score(problem, zone)
    return HeuristicResult(
        zone, bal, comp, cut, done, iterations, time.perf_counter() - t0, ctx.timed_out
    )


def polish(
    problem: Problem,
    zone: np.ndarray,
    *,
    balance_limit: float,
    seed: int,
    time_limit: float,
    effort: float = 1.0,
) -> np.ndarray:
    """Improve ``zone`` for compactness while keeping the balance term ≤ ``balance_limit``.

    Tabu search plus iterated ReCom local search; used between the two exact phases to
    give phase 2 a compact warm start.
    """
    sub = replace(problem, tolerance=balance_limit)
    ctx = _Context(sub, time.perf_counter() + time_limit)
    rng = np.random.default_rng(seed)
    patience = max(30, problem.n)
    best, _ = _Search(ctx, zone).run(rng, max_iter=60 * problem.n, patience=patience)
    rounds = int(16 * problem.m * effort)
    best, _ = _ils(ctx, rng, best, rounds=rounds, effort=1.0, patience=patience // 2)
    return best if _key(sub, best) <= _key(sub, zone) else zone


def articulation_points(adj: list[list[int]], zone: np.ndarray, z: int, root: int) -> set[int]:
    """Articulation points of the subgraph induced by zone ``z`` (iterative Tarjan)."""
    disc: dict[int, int] = {root: 0}
    low: dict[int, int] = {root: 0}
    points: set[int] = set()
    stack = [(root, -1, iter(adj[root]))]
    t = 1
    root_children = 0
    while stack:
        v, parent, it = stack[-1]
        for w in it:
            if zone[w] != z:
                continue
            if w not in disc:
                disc[w] = low[w] = t
                t += 1
                stack.append((w, v, iter(adj[w])))
                break
            if w != parent and disc[w] < low[v]:
                low[v] = disc[w]
        else:
            stack.pop()
            if stack:
                u = stack[-1][0]
                if low[v] < low[u]:
                    low[u] = low[v]
                if stack[-1][1] == -1:
                    root_children += 1
                elif low[v] >= disc[u]:
                    points.add(u)
    if root_children > 1:
        points.add(root)
    return points
