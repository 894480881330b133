"""Stable under time (issue 13 item 5): loads per period and plans robust in every period.

* Tiny random maps (≤ 8 stations, 2–4 periods) against brute force: with
  ``robust=True`` the exact engine reaches the travel optimum among the plans
  whose spread is within the band in every period and in total (or, when none
  is, certifies the smallest worst-period spread and solves at that + 1 pp),
  and every returned plan — exact or heuristic — keeps every period in the
  band it used.
* The period split is exact like the ledger: a station's loads per period sum
  to its load to the last bit; the period rule (quarters or years, partial
  ends, incidents without a time) on hand-made spans.
* The CLI: ``--robust`` on incidents with times writes the ``periods`` block and
  the Excel sheet; with a load column the report says there are no periods and
  ``--robust`` stops with the reason.
All budgets are deterministic and small.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import (
    best_within,
    category_weights,
    failed_cleanly,
    grid_incidents,
    plan_case,
    random_planar_graph,
    run_cli,
    set_partitions,
)
from zoning import _schema as S
from zoning.errors import InfeasibleError, InputError
from zoning.io.incidents import IncidentTable
from zoning.load import LoadResult, loads_from_incidents
from zoning.periods import UNKNOWN, check_robust, periods_from_load
from zoning.solve import rules
from zoning.solve.partition import Plan, partition

EPS = 1e-9
#: The balance-first model rounds each period to ~10⁶ units: spreads exact to ~m·n·10⁻⁶.
ROUNDING = 1e-4


def spread(values: list[float]) -> float:
    total = sum(values)
    return (
        0.0 if total <= 0 or len(values) < 2 else len(values) * (max(values) - min(values)) / total
    )


@st.composite
def robust_maps(draw: st.DrawFn) -> dict[str, Any]:
    """A random planar map of 4–8 stations with 2–4 periods of integer loads."""
    n = draw(st.integers(min_value=4, max_value=8))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    g, pts, ids = random_planar_graph(rng, n)
    q = draw(st.integers(min_value=2, max_value=4))
    periods = {f"P{p}": {v: float(rng.integers(0, 20)) for v in ids} for p in range(q)}
    minutes = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)) / 500.0
    core: list[str] = []
    if draw(st.booleans()):
        options = [v for v in ids if v not in set(nx.articulation_points(g))]
        if options:
            core = [draw(st.sampled_from(options))]
    rest = [v for v in ids if v not in core]
    k = draw(st.integers(min_value=2, max_value=min(3, len(rest)))) + (1 if core else 0)
    eligible = None
    if draw(st.booleans()):  # centre rules: the min spread comes from the joint model
        eligible = sorted(set(draw(st.lists(st.sampled_from(ids), min_size=2, max_size=n))))
    return {
        "graph": g,
        "periods": periods,
        "loads": {v: sum(periods[p][v] for p in periods) for v in ids},
        "minutes": minutes,
        "core": core,
        "k": k,
        "eligible": eligible,
        "band": draw(st.sampled_from([0.0, 0.1, 0.3, 0.8])),
    }


def brute_force(case: dict[str, Any]) -> list[tuple[float, float]]:
    """``(worst spread over the total and the periods, best travel)`` of every valid plan."""
    g: nx.Graph = case["graph"]
    rest = [v for v in g if v not in case["core"]]
    m = case["k"] - (1 if case["core"] else 0)
    idx = {v: i for i, v in enumerate(g)}
    eligible = set(case["eligible"]) if case["eligible"] is not None else set(g)
    rows = [case["loads"], *case["periods"].values()]
    out = []
    for blocks in set_partitions(rest, m):
        if any(not nx.is_connected(g.subgraph(b)) for b in blocks):
            continue
        if any(not any(c in eligible for c in b) for b in blocks):
            continue
        travel = sum(
            min(
                sum(case["loads"][v] * case["minutes"][idx[c], idx[v]] for v in b)
                for c in b
                if c in eligible
            )
            for b in blocks
        )
        worst = max(spread([sum(row[v] for v in b) for b in blocks]) for row in rows)
        out.append((worst, travel))
    return out


def run(case: dict[str, Any], **options: Any) -> Plan:
    plan: Plan = plan_case(case, robust=True, period_loads=case["periods"], **options)
    return plan


def assert_robust_plan(plan: Plan, case: dict[str, Any]) -> None:
    """Every rule, and the band used holds for the total and in every period."""
    k, core = case["k"], case["core"]
    assert rules.violations(plan.graph, plan.assignment, k=k, core=core or None) == []
    eligible = set(case["eligible"]) if case["eligible"] is not None else set(case["graph"])
    for z, c in plan.centers.items():
        assert plan.assignment[c] == z
        assert (core and z == 1) or c in eligible
    assert plan.band is not None and plan.band["robust"] is True
    used = plan.band["used"]
    balanced = sorted({z for v, z in plan.assignment.items() if v not in core})
    for row in [case["loads"], *case["periods"].values()]:
        zl = [sum(row[v] for v in plan.assignment if plan.assignment[v] == z) for z in balanced]
        assert spread(zl) <= used * (1 + EPS) + EPS
    assert plan.periods is not None
    assert plan.periods["labels"] == list(case["periods"])
    assert plan.periods["worst_spread"] <= used * (1 + EPS) + EPS
    assert plan.solver["bound"] <= plan.solver["objective"] * (1 + EPS) + EPS


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(robust_maps())
def test_robust_exact_optimum_equals_brute_force(case: dict[str, Any]) -> None:
    feasible = brute_force(case)
    if not feasible:  # no plan gives every zone an eligible 中心所
        with pytest.raises(InfeasibleError):
            run(case, solver="exact")
        return
    plan = run(case, solver="exact")
    assert_robust_plan(plan, case)
    assert plan.solver["status"] == "optimal"
    assert plan.band is not None
    smallest = min(w for w, _ in feasible)
    if best_within(feasible, case["band"]) < math.inf:
        assert plan.band["reason"] == "requested"
    else:  # nothing fits in every period: the smallest worst spread is certified, + 1 pp
        assert plan.band["reason"] == "min_spread_plus_step"
        assert plan.band["min_spread_status"] == "optimal"
        assert plan.band["min_spread"] == pytest.approx(smallest, abs=ROUNDING)
        assert plan.band["used"] == pytest.approx(plan.band["min_spread"] + 0.01)
    expected = best_within(feasible, plan.band["used"])
    assert plan.solver["objective"] == pytest.approx(expected, rel=1e-6, abs=1e-6)
    assert plan.travel is not None
    assert plan.travel["objective"] == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(robust_maps())
def test_robust_heuristic_keeps_every_period_in_band_and_a_valid_bound(
    case: dict[str, Any],
) -> None:
    feasible = brute_force(case)
    try:
        plan = run(case, solver="heuristic")
    except InfeasibleError:
        return  # the heuristic may miss a plan; it never fakes one
    assert_robust_plan(plan, case)
    assert plan.band is not None
    optimum = best_within(feasible, plan.band["used"])
    assert plan.solver["objective"] >= optimum * (1 - 1e-9) - 1e-9
    assert plan.solver["bound"] <= optimum * (1 + 1e-9) + 1e-9  # a valid lower bound
    if plan.band["reason"] != "requested":  # an estimate never below the true smallest
        assert plan.band["min_spread"] >= min(w for w, _ in feasible) - ROUNDING


def test_robust_trades_travel_for_a_season_in_band() -> None:
    """A 2×2 map, every station 10 a year: two balanced splits; only one balances the seasons.

    The north pair is busy in summer, the south pair in winter. Splitting north
    from south is cheaper (the pairs lie close together) but puts 80 % of the
    summer in one zone; the robust plan splits west from east instead.
    """
    g = nx.Graph([("nw", "ne"), ("sw", "se"), ("nw", "sw"), ("ne", "se")])
    pos = {"nw": (0.0, 5000.0), "ne": (1000.0, 5000.0), "sw": (0.0, 0.0), "se": (1000.0, 0.0)}
    summer = {"nw": 8.0, "ne": 8.0, "sw": 2.0, "se": 2.0}
    winter = {v: 10.0 - summer[v] for v in g}
    loads = dict.fromkeys(g, 10.0)
    common: dict[str, Any] = {
        "k": 2,
        "positions": pos,
        "band": 0.1,
        "period_loads": {"summer": summer, "winter": winter},
        "solver": "exact",
        "time_limit": 1.0,
    }
    plain = partition(g, loads, **common)
    robust = partition(g, loads, robust=True, **common)
    assert plain.assignment["nw"] == plain.assignment["ne"]  # north | south
    assert robust.assignment["nw"] == robust.assignment["sw"]  # west | east
    assert plain.periods is not None and robust.periods is not None
    assert plain.periods["robust"] is False and robust.periods["robust"] is True
    assert plain.periods["worst_spread"] == pytest.approx(1.2)
    assert robust.periods["worst_spread"] == 0.0
    assert robust.band is not None and robust.band["reason"] == "requested"
    assert plain.travel is not None and robust.travel is not None
    assert robust.travel["objective"] > plain.travel["objective"]
    assert robust.solver["status"] == "optimal"


def test_robust_refused_for_balance_objective_and_without_periods() -> None:
    g = nx.path_graph(["a", "b", "c", "d"])
    loads = dict.fromkeys(g, 1.0)
    pos = {v: (1000.0 * i, 0.0) for i, v in enumerate(g)}
    periods = {"P1": dict.fromkeys(g, 0.5), "P2": dict.fromkeys(g, 0.5)}
    with pytest.raises(InputError, match="objective='travel'"):
        partition(g, loads, k=2, objective="balance", robust=True, period_loads=periods)
    with pytest.raises(InputError, match="period_loads"):
        partition(g, loads, k=2, positions=pos, robust=True)
    with pytest.raises(InputError, match="P2"):
        partition(g, loads, k=2, positions=pos, robust=True, period_loads={**periods, "P2": {}})


# ---------------------------------------------------------------- the period split


@st.composite
def timed_incidents(draw: st.DrawFn, bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    west, south, east, north = bounds
    n = draw(st.integers(min_value=1, max_value=80))
    start = pd.Timestamp("2022-11-20")
    hours = draw(st.lists(st.integers(0, 24 * 900), min_size=n, max_size=n))
    timed = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            S.INCIDENT_ID: [f"J{i:04d}" for i in range(n)],
            S.TIME: [
                start + pd.Timedelta(hours=h) if ok else pd.NaT
                for h, ok in zip(hours, timed, strict=True)
            ],
            S.CATEGORY: draw(st.lists(st.sampled_from(S.CATEGORIES), min_size=n, max_size=n)),
            S.LON: draw(st.lists(st.floats(west, east), min_size=n, max_size=n)),
            S.LAT: draw(st.lists(st.floats(south, north), min_size=n, max_size=n)),
            S.UNIT: None,
            S.COUNT: draw(st.lists(st.integers(1, 9), min_size=n, max_size=n)),
        }
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_period_loads_sum_exactly_to_the_station_loads(
    grid_frame: gpd.GeoDataFrame, data: st.DataObject
) -> None:
    rows = data.draw(timed_incidents(tuple(grid_frame.total_bounds)))
    weights = data.draw(category_weights())
    table = IncidentTable(frame=rows, ledger={"rows_read": len(rows), "source": "random.csv"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = loads_from_incidents(grid_frame, table, weights=weights, floor=None)
    periods = periods_from_load(result)
    if rows[S.TIME].isna().all() or len(result.incidents) == 0:
        assert periods is None
        return
    assert periods is not None
    assert list(periods.loads.index) == list(result.load.index)
    # exact, like the ledger: the same weights, every partial sum exact
    assert (periods.loads.sum(axis=1) == result.load).all()
    assert periods.loads.to_numpy().sum() == result.ledger["weighted_total"]
    assert (UNKNOWN in periods.labels) == bool(result.incidents[S.TIME].isna().any())
    assert len(periods.labels) == len(periods.whole) == len(periods.coverage)
    assert periods.kind in ("quarter", "year")


def load_with_times(times: list[str | None], **ledger: Any) -> LoadResult:
    """A one-station load whose incidents (weight 1.5 each) have the given times."""
    frame = pd.DataFrame(
        {
            S.STATION_ID: "s1",
            S.TIME: pd.to_datetime(pd.Series(times, dtype=object), format="ISO8601"),
            "weight": 1.5,
        }
    )
    load = pd.Series([1.5 * len(times)], index=pd.Index(["s1"], name=S.STATION_ID))
    return LoadResult(load=load, by_category=pd.DataFrame(), incidents=frame, ledger=ledger)


def test_period_rule_quarters_partial_ends_and_unknown() -> None:
    p = periods_from_load(load_with_times(["2024-02-10 08:00", "2024-05-01", "2024-09-30", None]))
    assert p is not None
    assert p.kind == "quarter"
    assert p.labels == ["2024Q1", "2024Q2", "2024Q3", UNKNOWN]
    # the span runs from 10 Feb to 30 Sep: Q1 is partial, Q2 and Q3 whole
    assert p.whole == [False, True, True, False]
    assert p.coverage[0] == pytest.approx(51 / 91, abs=1e-6)
    assert p.coverage[1:3] == [1.0, 1.0] and p.coverage[3] is None
    assert p.held == ["2024Q2", "2024Q3"]
    assert p.loads.loc["s1"].tolist() == [1.5, 1.5, 1.5, 1.5]
    assert p.span == ("2024-02-10", "2024-09-30") and p.span_source == ("data", "data")
    # the incident without a time is counted (period unknown) and named
    assert p.untimed["rows"] == 1 and p.untimed["load"] == 1.5 and p.untimed["ids"] == ["3"]


def test_period_rule_years_when_two_whole_years_and_the_window_decides() -> None:
    times = ["2022-03-05", "2023-06-01", "2024-07-01", "2025-01-02"]
    p = periods_from_load(load_with_times(times))
    assert p is not None and p.kind == "year"
    assert p.labels == ["2022", "2023", "2024", "2025"]
    assert p.whole == [False, True, True, False]
    # one whole year only: quarters
    q = periods_from_load(load_with_times(["2023-01-01", "2024-12-30"]))
    assert q is not None and q.kind == "quarter" and len(q.labels) == 8
    assert q.held == [f"{y}Q{k}" for y in (2023, 2024) for k in (1, 2, 3, 4)][:-1]
    # the date window is the span: a quiet first day does not make Q1 partial
    w = periods_from_load(
        load_with_times(["2024-01-03", "2024-12-30"], date_from="2024-01-01", date_to="2024-12-31")
    )
    assert w is not None and w.whole == [True] * 4 and w.span_source == ("window", "window")


def test_robust_needs_two_whole_periods() -> None:
    short = load_with_times(["2024-02-10", "2024-05-01", "2024-06-20"])
    with pytest.raises(InputError, match="2024-02-10"):
        check_robust(periods_from_load(short), short)
    column = LoadResult(
        load=pd.Series([1.0], index=["s1"]),
        by_category=pd.DataFrame(),
        incidents=pd.DataFrame(),
        ledger={"load_column": "警情量"},
    )
    with pytest.raises(InputError, match="警情量"):
        check_robust(periods_from_load(column), column)


# ---------------------------------------------------------------- CLI and report


def year_of_incidents(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """The grid's incidents spread over 2024, the east of the grid busier in summer."""
    rows = grid_incidents(n, seed=seed)
    rng = np.random.default_rng(seed)
    day = rng.integers(0, 366, n)
    east = rows["管辖单位"].str.contains("c2").to_numpy()
    summer = (day > 150) & (day < 250)
    keep = ~(east & ~summer & (rng.random(n) < 0.6))
    rows["报警时间"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")).strftime(
        "%Y-%m-%d 10:00"
    )
    rows.loc[0, "报警时间"] = "2024-01-01 00:10"
    rows.loc[1, "报警时间"] = "2024-12-31 23:10"
    keep[:2] = True
    return rows[keep].reset_index(drop=True)


def test_cli_robust_writes_periods_in_report_and_excel(grid_path: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    incidents = tmp_path / "incidents.csv"
    year_of_incidents().to_csv(incidents, index=False)
    out = tmp_path / "out"
    args = ["plan", grid_path, "--incidents", incidents, "--zones", "3", "--no-print"]
    result = run_cli(*args, "--robust", "--frontier", "none", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    periods = report["periods"]
    assert periods["available"] is True and periods["kind"] == "quarter"
    assert periods["labels"] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert periods["held"] == periods["labels"] and periods["robust"] is True
    assert report["scenario"]["robust"] is True
    band = report["band"]
    assert band["robust"] is True and band["periods"] == periods["labels"]
    assert periods["worst_spread"] <= band["used"] + EPS
    assert max(s for s in periods["spread"] if s is not None) == periods["worst_spread"]
    # each zone's loads per period add up to its load, and the periods to the total
    for row in periods["zones"]:
        zone = next(z for z in report["zones"] if z[S.ZONE] == row["zone"])
        assert sum(row["loads"]) == pytest.approx(zone[S.LOAD])
    assert sum(periods["totals"]) == report["intake"]["weighted_total"]
    assert "分期" in result.output or "period" in result.output.lower()
    book = load_workbook(out / "zones.xlsx", read_only=True)
    sheet = book["分期负荷"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][1:6] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "合计"]
    # the same numbers as report.json: one row per zone, then the totals, then the spreads
    zones = periods["zones"]
    for row, zone in zip(values[1 : 1 + len(zones)], zones, strict=True):
        assert row[0] == zone["zone_name"]
        assert row[1:5] == pytest.approx(zone["loads"])
        assert row[5] == pytest.approx(sum(zone["loads"]))
    totals = values[1 + len(zones)]
    assert totals[0] == "合计" and totals[1:5] == pytest.approx(periods["totals"])
    assert totals[5] == pytest.approx(report["intake"]["weighted_total"])
    spreads = values[2 + len(zones)]
    assert spreads[1:5] == pytest.approx(periods["spread"])
    assert max(spreads[1:5]) <= band["used"] + EPS


def test_report_says_no_periods_with_a_load_column_and_robust_stops(
    grid_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    base = ["plan", grid_path, "--load-column", "警情量", "--zones", "3", "--no-print"]
    result = run_cli(*base, "--frontier", "none", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["periods"]["available"] is False
    assert "警情量" in report["periods"]["reason"]
    failed_cleanly(run_cli(*base, "--robust", "--out", tmp_path / "robust"), "--robust", "警情量")
