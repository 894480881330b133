"""The indexed partition problem both solvers work on.

:func:`make_problem` turns the planning graph and the per-station data into a
:class:`Problem` over indices ``0..n-1`` (the urban core left out: it is zone 1
on its own); :func:`score` and :func:`balance_value` measure a model-zone
vector; :func:`relabel` and :func:`label_parts` turn model zones into the zone
numbers planners see.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from zoning.solve.rules import core_stations


@dataclass
class Problem:
    """The balanced part of a partition problem, indexed ``0..n-1``.

    The urban core is not part of it (it is zone 1 on its own). Model zone
    ``z`` (``0..m-1``) becomes zone label ``labels[z]``.
    """

    nodes: list[Hashable]
    labels: list[int]
    adj: list[np.ndarray]
    edges: np.ndarray
    load: np.ndarray
    officers: np.ndarray | None
    dissim: np.ndarray
    lock: np.ndarray
    groups: list[list[int]]
    tolerance: float
    compactness_weight: float
    similarity_weight: float
    names: list[str] = field(default_factory=list)
    #: Per-officer mode: the load spread must also stay within this (None: no limit).
    load_band: float | None = None

    @property
    def n(self) -> int:
        """Number of (balanced) nodes."""
        return len(self.nodes)

    @property
    def m(self) -> int:
        """Number of balanced zones."""
        return len(self.labels)


def balance_value(
    problem: Problem, zone_load: np.ndarray, zone_officers: np.ndarray | None
) -> float:
    """Normalised balance term ``B`` of one plan (0 = perfect).

    Load mode: ``B = m (max L_k − min L_k) / L`` (the spread). Per-officer mode:
    ``B = m (max s_k − min s_k)`` with ``s_k = L_k/L − O_k/O``, i.e. the linear
    deviation ``L_k O − L O_k`` divided by ``L O / m``.
    """
    m = len(zone_load)
    total = float(zone_load.sum())
    if m < 2 or total <= 0:
        return 0.0
    if zone_officers is None:
        return float(m * (zone_load.max() - zone_load.min()) / total)
    share = zone_load / total - zone_officers / float(zone_officers.sum())
    return float(m * (share.max() - share.min()))


def _tv_distance(a: Sequence[float], b: Sequence[float]) -> float:
    pa, pb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    sa, sb = pa.sum(), pb.sum()
    if sa <= 0 or sb <= 0:
        return 0.0
    return float(0.5 * np.abs(pa / sa - pb / sb).sum())


def make_problem(
    work: nx.Graph,
    loads: Mapping[Any, float],
    *,
    k: int,
    core: Hashable | Collection[Hashable] | None,
    officers: Mapping[Any, float] | None,
    category_mix: Mapping[Any, Sequence[float]] | None,
    locks: Mapping[Any, int],
    classes: Mapping[Any, Hashable],
    options: Mapping[str, Any],
    names: dict[Hashable, str],
) -> Problem:
    """Index the balanced part of ``work`` (all but the core stations) for the solvers."""
    cores = set(core_stations(core))
    nodes = [v for v in work.nodes if v not in cores]
    index = {v: i for i, v in enumerate(nodes)}
    labels = [z for z in range(1, k + 1) if not cores or z != 1]
    pairs = sorted(
        (min(index[u], index[v]), max(index[u], index[v]))
        for u, v in work.edges
        if u not in cores and v not in cores
    )
    edges = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    nbrs: list[list[int]] = [[] for _ in nodes]
    for i, j in pairs:
        nbrs[i].append(j)
        nbrs[j].append(i)
    dissim = np.zeros(len(pairs))
    if category_mix is not None:
        dissim = np.array(
            [_tv_distance(category_mix[nodes[i]], category_mix[nodes[j]]) for i, j in pairs],
            dtype=float,
        ).reshape(-1)
    lock = np.full(len(nodes), -1, dtype=np.int64)
    for v, z in locks.items():
        if v not in cores:
            lock[index[v]] = labels.index(int(z))
    members: dict[Hashable, list[int]] = {}
    for v in nodes:
        members.setdefault(classes[v], []).append(index[v])
    groups = [g for g in members.values() if len(g) > 1]
    off = None
    if options["balance"] == "per_officer" and officers is not None:
        off = np.array([float(officers[v]) for v in nodes], dtype=float)
    return Problem(
        nodes=nodes,
        labels=labels,
        adj=[np.array(sorted(a), dtype=np.int64) for a in nbrs],
        edges=edges,
        load=np.array([float(loads[v]) for v in nodes], dtype=float),
        officers=off,
        dissim=dissim,
        lock=lock,
        groups=groups,
        tolerance=float(options["tolerance"]),
        compactness_weight=float(options["compactness_weight"]),
        similarity_weight=float(options["similarity_weight"]),
        names=[names[v] for v in nodes],
    )


def relabel(
    assignment: dict[Hashable, int],
    *,
    core: Hashable | Collection[Hashable] | None,
    locks: Mapping[Any, int],
) -> dict[Hashable, int]:
    """Core station(s) → 1, locked zones keep their number, others numbered by first station."""
    cores = set(core_stations(core))
    fixed = {assignment[v]: z for v, z in locks.items() if v not in cores}
    first: dict[int, int] = {}
    for pos, (v, z) in enumerate(assignment.items()):
        if v not in cores and z not in fixed:
            first.setdefault(z, pos)
    used = set(fixed.values()) | ({1} if cores else set())
    labels = iter(z for z in range(1, len(assignment) + 2) if z not in used)
    mapping = dict(fixed)
    for z in sorted(first, key=first.__getitem__):
        mapping[z] = next(labels)
    return {v: (1 if v in cores else mapping[z]) for v, z in assignment.items()}


def label_parts(problem: Problem, parts: list[np.ndarray]) -> np.ndarray | None:
    """Number parts as model zones: locked zones keep their index, others by smallest node."""
    zone = np.full(problem.n, -1, dtype=np.int64)
    free = [z for z in range(problem.m) if not (problem.lock == z).any()]
    unlocked = []
    for part in parts:
        locks = np.unique(problem.lock[part][problem.lock[part] >= 0])
        if len(locks) > 1:
            return None
        if len(locks) == 1:
            zone[part] = locks[0]
        else:
            unlocked.append(part)
    unlocked.sort(key=lambda q: int(q.min()))
    if len(unlocked) != len(free):
        return None
    for z, part in zip(free, unlocked, strict=True):
        zone[part] = z
    return zone


def load_excess(problem: Problem, zone_load: np.ndarray) -> float:
    """How far the load spread of a plan exceeds ``problem.load_band`` (0 without one)."""
    total = float(zone_load.sum())
    if problem.load_band is None or len(zone_load) < 2 or total <= 0:
        return 0.0
    spread = len(zone_load) * float(zone_load.max() - zone_load.min()) / total
    return max(0.0, spread - problem.load_band)


def score(problem: Problem, zone: np.ndarray) -> tuple[float, float, int]:
    """Balance term, compactness objective and cut edges of a model-zone vector."""
    e0, e1 = problem.edges[:, 0], problem.edges[:, 1]
    same = zone[e0] == zone[e1]
    zl = np.bincount(zone, weights=problem.load, minlength=problem.m)
    zo = None
    if problem.officers is not None:
        zo = np.bincount(zone, weights=problem.officers, minlength=problem.m)
    cut = int((~same).sum())
    compact = problem.compactness_weight * cut + problem.similarity_weight * float(
        problem.dissim[same].sum()
    )
    return balance_value(problem, zl, zo), compact, cut
