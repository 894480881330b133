"""Behaviour of :func:`zoning.solve.partition.partition` on small hand-made maps."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest

from zoning._i18n import set_language
from zoning.errors import InfeasibleError, InputError, ZoningWarning
from zoning.solve import rules as c
from zoning.solve.partition import Plan
from zoning.solve.partition import partition as _partition


def partition(*args: Any, **kwargs: Any) -> Plan:
    """The balance-first engine (``objective="balance"``) these tests are about."""
    kwargs.setdefault("objective", "balance")
    return _partition(*args, **kwargs)


def grid(rows: int, cols: int) -> nx.Graph:
    """Rook grid with node ids ``"r{row}c{col}"`` in row-major order."""
    g = nx.Graph()
    for r in range(rows):
        for q in range(cols):
            g.add_node(f"r{r}c{q}")
    for r in range(rows):
        for q in range(cols):
            if q + 1 < cols:
                g.add_edge(f"r{r}c{q}", f"r{r}c{q + 1}")
            if r + 1 < rows:
                g.add_edge(f"r{r}c{q}", f"r{r + 1}c{q}")
    return g


def positions(g: nx.Graph) -> dict[str, tuple[float, float]]:
    return {v: (1000.0 * int(v[3:]), -1000.0 * int(v[1 : v.index("c")])) for v in g}


def assert_valid(plan: Plan, k: int, **rules: object) -> None:
    found = c.violations(plan.graph, plan.assignment, k=k, **rules)  # type: ignore[arg-type]
    assert [v for v in found if v.kind != "guideline"] == []  # > 5 zones: warned, allowed
    assert set(plan.assignment.values()) == set(range(1, k + 1))


GRID_LOADS = {
    f"r{r}c{q}": float(v)
    for (r, q), v in zip(
        [(r, q) for r in range(3) for q in range(3)], [4, 2, 3, 3, 5, 1, 2, 4, 3], strict=True
    )
}


def test_grid_three_balanced_contiguous_zones() -> None:
    g = grid(3, 3)
    plan = partition(g, GRID_LOADS, k=3)
    assert_valid(plan, 3)
    assert plan.spread == 0.0  # 27 = 3 × 9 can be split exactly
    assert plan.zone_load == {1: 9.0, 2: 9.0, 3: 9.0}
    assert plan.solver["name"] == "cp-sat" and plan.solver["status"] == "optimal"
    assert plan.cut_edges == c.cut_edges(g, plan.assignment)
    assert plan.assignment["r0c0"] == 1  # zones numbered by first station
    json.dumps(plan.solver)


def test_urban_core_is_zone_one_alone() -> None:
    g = grid(3, 3)
    plan = partition(g, GRID_LOADS, k=3, urban_core="r1c1")
    assert_valid(plan, 3, core="r1c1")
    assert plan.zone_load[1] == 5.0
    assert plan.spread == 0.0  # the ring of 22 splits 11 / 11
    assert plan.assignment["r0c0"] == 2


def test_locks_keep_their_zone_numbers() -> None:
    g = grid(3, 3)
    locks = {"r0c0": 3, "r2c2": 2}
    plan = partition(g, GRID_LOADS, k=3, locks=locks)
    assert_valid(plan, 3, locks=locks)


def test_together_groups_share_a_zone() -> None:
    g = grid(3, 3)
    together = [("r0c0", "r0c2"), ("r2c0", "r2c1")]
    plan = partition(g, GRID_LOADS, k=3, together=together)
    assert_valid(plan, 3, together=together)


def test_forbidden_link_makes_plan_infeasible_and_names_stations() -> None:
    g = nx.path_graph(["A", "B", "C", "D"])
    names = {"A": "青山派出所", "B": "绿水派出所", "C": "白云派出所", "D": "红河派出所"}
    loads = dict.fromkeys(g, 1.0)
    with pytest.raises(InfeasibleError, match=r"被锁定在第 2 防区.*不经过禁止连接") as err:
        partition(g, loads, k=2, locks={"A": 2, "D": 2}, forbidden_links=[("B", "C")], names=names)
    assert "青山派出所" in str(err.value) and "红河派出所" in str(err.value)
    set_language("en")
    try:
        with pytest.raises(InfeasibleError, match=r"cannot reach zone 2.*without a forbidden link"):
            partition(g, loads, k=2, locks={"A": 2, "D": 2}, forbidden_links=[("B", "C")])
        with pytest.raises(InfeasibleError, match="2 unconnected parts"):
            partition(g, loads, k=1, forbidden_links=[("B", "C")])
    finally:
        set_language("zh")
    # without the lock the same forbidden link is fine: it becomes the zone border
    plan = partition(g, loads, k=2, forbidden_links=[("B", "C")])
    assert plan.assignment == {"A": 1, "B": 1, "C": 2, "D": 2}
    assert not plan.graph.has_edge("B", "C")


def test_islands_are_linked_or_reported() -> None:
    g = grid(3, 3)
    pos = positions(g)
    g.add_node("isle")
    pos["isle"] = (4500.0, -1800.0)  # east of r1c2/r2c2, nearest r2c2
    loads = dict(GRID_LOADS, isle=3.0)
    with pytest.warns(ZoningWarning, match="isle"):
        plan = partition(g, loads, k=3, positions=pos)
    assert plan.added_links == [("r2c2", "isle")]
    assert plan.graph.has_edge("r2c2", "isle") and not g.has_edge("r2c2", "isle")
    assert len(plan.warnings) == 1 and "r2c2" in plan.warnings[0]
    assert_valid(plan, 3)
    with pytest.raises(InfeasibleError, match=r"isle.*forced_links"):
        partition(g, loads, k=3, positions=pos, islands="error")
    with pytest.raises(InputError, match="positions"):
        partition(g, loads, k=3)
    # a forced link is not an island link
    plan = partition(g, loads, k=3, forced_links=[("r0c2", "isle")], islands="error")
    assert plan.added_links == [] and plan.warnings == []


def test_per_officer_balance_matches_officer_shares() -> None:
    g = nx.path_graph(["a", "b", "c", "d"])
    loads = dict.fromkeys(g, 2.0)
    officers = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 3.0}
    by_load = partition(g, loads, k=2)
    assert by_load.assignment == {"a": 1, "b": 1, "c": 2, "d": 2}
    # a load band wide enough for anything: the best officer-share plan, whatever its loads
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        per = partition(
            g, loads, k=2, officers=officers, balance="per_officer", tolerance=0.0, band=2.0
        )
    texts = [str(w.message) for w in caught]
    assert any("只有 a 一个派出所" in t for t in texts) and any("超过 20%" in t for t in texts)
    assert per.assignment == {"a": 1, "b": 2, "c": 2, "d": 2}
    assert per.solver["balance"] == "per_officer"
    assert per.solver["spread_per_officer"] == pytest.approx((2.0 - 1.2) / 1.6)
    assert per.solver["balance_term"] == pytest.approx(2 * (0.25 - 1 / 6) * 2)
    # the default 5 % load band holds in per-officer mode too (issue 13, item 6)
    per = partition(g, loads, k=2, officers=officers, balance="per_officer", tolerance=0.0)
    assert per.assignment == by_load.assignment and per.spread == 0.0
    assert per.band is not None and per.band["used"] == 0.05
    with pytest.raises(InputError, match="officers"):
        partition(g, loads, k=2, balance="per_officer")


def _set_partitions(n: int) -> Iterator[list[int]]:
    """Restricted growth strings: every partition of ``range(n)`` once."""

    def rec(prefix: list[int], top: int) -> Iterator[list[int]]:
        if len(prefix) == n:
            yield prefix
            return
        for z in range(top + 2):
            yield from rec([*prefix, z], max(top, z))

    yield from rec([0], 0)


def test_exact_matches_brute_force_on_two_by_four_grid() -> None:
    g = grid(2, 4)
    nodes = list(g)
    loads = dict(zip(nodes, [9.0, 3.0, 8.0, 2.0, 7.0, 4.0, 6.0, 1.0], strict=True))
    best: tuple[float, int] | None = None
    for labels in _set_partitions(len(nodes)):
        if max(labels) != 2:
            continue
        asg = {v: z + 1 for v, z in zip(nodes, labels, strict=True)}
        if c.is_contiguous(g, asg):
            key = (round(c.spread(c.zone_loads(loads, asg)), 12), c.cut_edges(g, asg))
            best = key if best is None or key < best else best
    assert best is not None
    with pytest.warns(ZoningWarning, match="超过 20%"):  # the best plan is 37.5 % apart
        plan = partition(g, loads, k=3, tolerance=0.0, solver="exact")
    assert plan.solver["status"] == "optimal"
    assert plan.solver["gap"] == 0.0
    assert [p["phase"] for p in plan.solver["phases"]] == ["heuristic", "balance", "compactness"]
    assert (round(plan.spread, 12), plan.cut_edges) == best
    assert_valid(plan, 3)


def test_same_seed_gives_same_plan() -> None:
    for g, solver in ((grid(4, 4), "exact"), (grid(6, 9), "heuristic")):
        loads = {v: float((i * 7) % 11 + 1) for i, v in enumerate(g)}
        first = partition(g, loads, k=4, seed=3, solver=solver)  # type: ignore[arg-type]
        again = partition(g, loads, k=4, seed=3, solver=solver)  # type: ignore[arg-type]
        assert first.assignment == again.assignment
        for key in ("status", "objective", "bound", "balance_term"):
            assert first.solver[key] == again.solver[key]
        assert first.solver["seed"] == 3


def test_heuristic_on_twenty_by_twenty_grid() -> None:
    g = grid(20, 20)
    loads = {v: float((i * 37) % 17 + 1) for i, v in enumerate(g)}
    seen: list[dict[str, object]] = []
    plan = partition(g, loads, k=5, time_limit=30, progress=seen.append)
    assert plan.solver["name"] == "heuristic" and plan.solver["status"] == "heuristic"
    assert_valid(plan, 5)
    assert plan.spread <= 0.011
    assert plan.cut_edges <= 130
    assert seen and {"phase", "seconds", "objective", "bound"} <= set(seen[0])


def test_more_zones_than_the_guideline_warn() -> None:
    g = grid(3, 4)
    with pytest.warns(ZoningWarning, match="6"):
        plan = partition(g, dict.fromkeys(g, 1.0), k=6)
    assert_valid(plan, 6)
    assert plan.spread == 0.0


def test_bad_arguments_are_listed_together() -> None:
    g = grid(2, 2)
    loads = dict.fromkeys(g, 1.0)
    with pytest.raises(InputError) as err:
        partition(g, dict(loads, r0c0=-1.0), k=0, locks={"nowhere": 1}, urban_core="x")
    assert len(err.value.problems) == 4
    with pytest.raises(InputError):
        partition(g, loads, k=5)
    with pytest.raises(InputError):
        partition(g, loads, k=2, forced_links=[("r0c0", "r0c0")])


def test_conflicting_locks_are_explained() -> None:
    g = grid(3, 3)
    with pytest.raises(InfeasibleError, match="第 1 防区"):
        partition(g, GRID_LOADS, k=3, urban_core="r1c1", locks={"r0c0": 1})
    with pytest.raises(InfeasibleError, match="只划分 3 个防区"):
        partition(g, GRID_LOADS, k=3, locks={"r0c0": 4})
    with pytest.raises(InfeasibleError, match="须同区"):
        partition(g, GRID_LOADS, k=3, locks={"r0c0": 2, "r0c1": 3}, together=[("r0c0", "r0c1")])
    with pytest.raises(InfeasibleError, match="隔着锁定在其他防区的派出所"):
        # r0c0 and r0c2 both zone 2, but the only way between them is through zone 3
        partition(
            grid(1, 3), dict.fromkeys(grid(1, 3), 1.0), k=3, locks={"r0c0": 2, "r0c2": 2, "r0c1": 3}
        )
    with pytest.raises(InfeasibleError, match="城关所"):
        partition(g, GRID_LOADS, k=1, urban_core="r1c1")


def test_zero_loads_and_cut_vertex_core() -> None:
    g = grid(2, 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = partition(g, dict.fromkeys(g, 0.0), k=3)
    # without load any plan is balanced; a one-station zone is named (issue 13, item 8)
    singles = [z for z in range(1, 4) if list(plan.assignment.values()).count(z) == 1]
    assert len(caught) == len(singles) == len(plan.warnings)
    assert all("一个派出所" in str(w.message) for w in caught)
    assert_valid(plan, 3)
    assert plan.spread == 0.0 and plan.max_dev == 0.0
    # the core splits the path: each side becomes one balanced zone
    path = nx.path_graph(list("abcde"))
    for solver in ("exact", "heuristic"):
        plan = partition(path, dict.fromkeys(path, 1.0), k=3, urban_core="c", solver=solver)
        assert plan.assignment == {"a": 2, "b": 2, "c": 1, "d": 3, "e": 3}
