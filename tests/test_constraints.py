"""Unit tests of the pure plan checks in :mod:`zoning.solve.rules`."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from zoning._i18n import set_language
from zoning.solve import rules as c


def grid3() -> nx.Graph:
    """3×3 grid of squares, rook adjacency::

    a b c
    d e f
    g h i
    """
    g = nx.Graph()
    rows = ["abc", "def", "ghi"]
    for r in range(3):
        for col in range(3):
            g.add_node(rows[r][col])
            if col < 2:
                g.add_edge(rows[r][col], rows[r][col + 1])
            if r < 2:
                g.add_edge(rows[r][col], rows[r + 1][col])
    return g


def path4() -> nx.Graph:
    return nx.path_graph(["p1", "p2", "p3", "p4"])


def with_island() -> nx.Graph:
    g = grid3()
    g.add_node("z")
    return g


COLUMNS = {"a": 1, "d": 1, "g": 1, "b": 2, "e": 2, "h": 2, "c": 3, "f": 3, "i": 3}


def test_contiguity_on_grid() -> None:
    g = grid3()
    assert c.is_contiguous(g, COLUMNS)
    assert c.non_contiguous_zones(g, COLUMNS) == []
    corners = dict(COLUMNS, a=3, c=1)  # zone 1 = {c, d, g}, zone 3 = {a, f, i}
    assert not c.is_contiguous(g, corners)
    assert c.non_contiguous_zones(g, corners) == [1, 3]


def test_contiguity_on_path_and_island() -> None:
    assert c.is_contiguous(path4(), {"p1": 1, "p2": 1, "p3": 2, "p4": 2})
    assert c.non_contiguous_zones(path4(), {"p1": 1, "p2": 2, "p3": 1, "p4": 2}) == [1, 2]
    g = with_island()
    assert not c.is_contiguous(g, dict(COLUMNS, z=3))
    assert c.is_contiguous(g, dict(COLUMNS, z=4))
    # a node unknown to the graph cannot be connected to anything
    assert c.non_contiguous_zones(path4(), {"p1": 1, "p2": 1, "p3": 1, "p4": 1, "x": 1}) == [1]


def test_zone_count_and_assignment() -> None:
    g = grid3()
    assert c.has_at_most_k_zones(COLUMNS, 3)
    assert not c.has_at_most_k_zones(COLUMNS, 2)
    assert c.assigns_every_node_once(g, COLUMNS)
    assert not c.assigns_every_node_once(g, {k: v for k, v in COLUMNS.items() if k != "e"})
    assert not c.assigns_every_node_once(g, dict(COLUMNS, z=1))
    assert not c.assigns_every_node_once(g, dict(COLUMNS, e=0))
    floats: dict[str, Any] = {**COLUMNS, "e": 1.0}
    assert not c.assigns_every_node_once(g, floats)


def test_core_is_alone() -> None:
    ring = {v: (2 if v in "abcd" else 3) for v in "abcdfghi"}
    assert c.core_is_alone(dict(ring, e=1), "e")
    assert not c.core_is_alone(dict(ring, e=2), "e")
    assert not c.core_is_alone(dict(ring, e=1, a=1), "e")
    assert c.core_is_alone(COLUMNS, None)
    assert not c.core_is_alone(COLUMNS, "missing")


def test_locks_honoured() -> None:
    assert c.locks_honoured(COLUMNS)
    assert c.locks_honoured(COLUMNS, {"a": 1, "i": 3}, [("a", "d", "g"), ("c", "i")])
    assert not c.locks_honoured(COLUMNS, {"a": 2})
    assert not c.locks_honoured(COLUMNS, None, [("a", "b")])
    assert not c.locks_honoured(COLUMNS, {"zz": 1})


def test_loads_spread_and_deviation() -> None:
    loads = {v: float(i) for i, v in enumerate("abcdefghi", start=1)}
    zl = c.zone_loads(loads, COLUMNS)
    assert zl == {1: 1 + 4 + 7, 2: 2 + 5 + 8, 3: 3 + 6 + 9}
    assert list(zl) == [1, 2, 3]
    assert c.spread(zl) == pytest.approx((18 - 12) / 15)
    assert c.max_dev(zl) == pytest.approx(3 / 15)
    assert c.spread(zl, exclude=[3]) == pytest.approx((15 - 12) / 13.5)
    assert c.max_dev(zl, exclude={1, 2}) == 0.0
    assert c.spread({1: 5.0}) == 0.0
    assert c.spread({1: 0.0, 2: 0.0}) == 0.0
    assert c.max_dev({}) == 0.0


def test_cut_edges() -> None:
    g = grid3()
    assert c.cut_edges(g, COLUMNS) == 6
    assert c.cut_edges(g, dict.fromkeys(g, 1)) == 0
    assert c.cut_edges(path4(), {"p1": 1, "p2": 2, "p3": 1, "p4": 2}) == 3
    assert c.cut_edges(g, {"a": 1, "b": 2}) == 1  # edges with an unassigned end are ignored


def test_violations_lists_every_broken_rule() -> None:
    g = grid3()
    assert c.violations(g, COLUMNS, k=3) == []
    ring = {v: (2 if v in "abcd" else 3) for v in "abcdfghi"}
    assert (
        c.violations(g, dict(ring, e=1), k=3, core="e", locks={"a": 2}, together=[("f", "i")]) == []
    )
    bad = dict(COLUMNS, a=3, c=1)
    set_language("en")
    try:
        found = c.violations(g, bad, k=2, core="e", locks={"b": 1}, together=[("a", "b")])
    finally:
        set_language("zh")
    text = "\n".join(map(str, found))
    assert "zone 1 is not contiguous" in text
    assert "zone 3 is not contiguous" in text
    assert "more than K = 2" in text
    assert "urban core e" in text
    assert "b is locked to zone 1 but is in zone 2" in text
    assert "a、b should share a zone" in text
    missing = c.violations(with_island(), COLUMNS, k=3)
    assert [v.kind for v in missing] == ["missing_station"] and missing[0].stations == ("z",)


def test_violations_speak_chinese_by_default() -> None:
    found = c.violations(grid3(), dict(COLUMNS, a=3, c=1), k=3)
    assert [(v.kind, v.zone) for v in found] == [("non_contiguous", 1), ("non_contiguous", 3)]
    assert [v.message for v in found] == [
        "第 1 防区不连片，分成 2 块：d、g | c",
        "第 3 防区不连片，分成 2 块：f、i | a",
    ]
