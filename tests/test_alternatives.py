"""Alternative plans (issue 7): distinct, ranked, near the best."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.conftest import grid_stations
from zoning.cli import cli
from zoning.errors import ZoningWarning
from zoning.io.stations import stations_from_file
from zoning.load import loads_from_column
from zoning.scenario import Scenario
from zoning.solve.partition import Plan
from zoning.solve.partition import partition as _partition
from zoning.solve.rules import is_contiguous
from zoning.workflow.alternatives import moved_stations, plan_alternatives


def partition(*args: Any, **kwargs: Any) -> Plan:
    """The balance-first engine (``objective="balance"``) these tests are about."""
    kwargs.setdefault("objective", "balance")
    return _partition(*args, **kwargs)


def grid(tmp_path: Path):
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    stations = stations_from_file(path)
    return stations, loads_from_column(stations, "警情量")


def test_alternatives_are_distinct_contiguous_and_near_the_best(tmp_path: Path) -> None:
    stations, load = grid(tmp_path)
    with warnings.catch_warnings(record=True) as caught:  # a runner-up may be > 20 % apart
        warnings.simplefilter("always")
        plans = plan_alternatives(
            stations,
            load,
            n=3,
            slack=0.5,
            scenario=Scenario(zones=3, urban_core=None, objective="balance"),
        )
    assert all("超过 20%" in str(w.message) for w in caught)
    assert len(caught) == sum(p.partition.spread > 0.2 for p in plans)
    assert len(plans) == 3
    best = plans[0]
    assert [p.report["alternative"]["rank"] for p in plans] == [1, 2, 3]
    for p in plans:
        assert is_contiguous(p.partition.graph, p.partition.assignment)
        assert p.partition.spread <= best.partition.spread + 0.5 + 1e-9
        assert p.plan["load"].sum() == best.plan["load"].sum()
    # pairwise different partitions (zone renumbering does not count)
    for i in range(3):
        for j in range(i + 1, 3):
            assert moved_stations(plans[i], plans[j])
    assert plans[1].report["alternative"]["moved"] == moved_stations(best, plans[1])
    # ranked by spread
    assert plans[1].partition.spread <= plans[2].partition.spread + 1e-12


def test_fewer_alternatives_when_no_other_plan_exists() -> None:
    # a path of three stations cut into three zones has exactly one plan
    graph = nx.path_graph(["a", "b", "c"])
    loads = {"a": 1.0, "b": 1.0, "c": 1.0}
    with pytest.warns(ZoningWarning, match="一个派出所"):  # three one-station zones
        best = partition(graph, loads, k=3, solver="exact")
    assert len(set(best.assignment.values())) == 3
    try:
        partition(graph, loads, k=3, solver="exact", exclude=[best.assignment])
    except Exception as exc:  # InfeasibleError: nothing else satisfies the constraints
        assert type(exc).__name__ == "InfeasibleError"
    else:  # pragma: no cover
        raise AssertionError("excluded the only plan but got another")


def test_exclusion_returns_a_different_plan_of_the_exact_solver() -> None:
    graph = nx.grid_2d_graph(3, 3)
    graph = nx.relabel_nodes(graph, {n: f"{n[0]}{n[1]}" for n in graph})
    loads = {n: 1.0 for n in graph}
    best = partition(graph, loads, k=3, solver="exact")
    other = partition(graph, loads, k=3, solver="exact", exclude=[best.assignment])
    groups = lambda a: {frozenset(v for v in a if a[v] == z) for z in set(a.values())}  # noqa: E731
    assert groups(best.assignment) != groups(other.assignment)
    assert other.spread == 0.0  # 9 equal loads split 3/3/3 again, differently


def test_cli_writes_each_alternative_with_its_own_map(tmp_path: Path) -> None:
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    # with the urban core alone, the ring of 8 cells has few balanced splits: allow 50 %
    config = tmp_path / "s.toml"
    config.write_text(
        '[plan]\nobjective = "balance"\nalternatives = 2\nalternatives_slack = 0.5\n',
        encoding="utf-8",
    )
    args = ["plan", str(path), "--load-column", "警情量", "-k", "3", "--config", str(config)]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "备选方案 2" in result.output
    assert (out / "map.html").exists()
    assert (out / "alternatives" / "2" / "map.html").exists()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [a["rank"] for a in report["alternatives"]] == [1, 2]
    assert report["alternatives"][1]["folder"] == "alternatives/2"
    second = pd.read_json(out / "alternatives" / "2" / "report.json", typ="series")
    assert second["alternative"]["rank"] == 2


def _line_of_three(tmp_path: Path):
    """Three stations in a row: cut into three zones, there is exactly one plan."""
    stations = grid_stations(1, 3)
    stations["城关"] = "否"
    path = tmp_path / "line.geojson"
    stations.to_file(path, driver="GeoJSON")
    frame = stations_from_file(path)
    return frame, loads_from_column(frame, "警情量")


def test_fewer_alternatives_than_asked_say_why_none_left(tmp_path: Path) -> None:
    stations, load = _line_of_three(tmp_path)
    scenario = Scenario(zones=3, urban_core=None, solver="exact")
    with warnings.catch_warnings(record=True) as caught:  # one-station zones are named too
        warnings.simplefilter("always")
        plans = plan_alternatives(stations, load, n=3, slack=1.0, scenario=scenario)
    texts = [str(w.message) for w in caught]
    assert any(re.search(r"只找到 1 个方案（要求 3 个）：.*没有其他划分", t) for t in texts)
    assert len(plans) == 1
    shortfall = plans[0].report["alternative"]["shortfall"]
    assert (shortfall["asked"], shortfall["found"], shortfall["reason"]) == (3, 1, "none_left")
    assert "没有其他划分" in shortfall["message"]


def test_fewer_alternatives_than_asked_say_why_slack(tmp_path: Path) -> None:
    stations, load = grid(tmp_path)
    scenario = Scenario(zones=3, urban_core=None, solver="exact", objective="balance")
    with pytest.warns(ZoningWarning, match="alternatives_slack"):
        plans = plan_alternatives(stations, load, n=4, slack=0.0, scenario=scenario)
    shortfall = plans[0].report["alternative"]["shortfall"]
    assert shortfall["reason"] == "slack" and shortfall["found"] == len(plans) < 4
    assert shortfall["next_spread"] > shortfall["best_spread"]


def test_fewer_alternatives_than_asked_say_why_heuristic(tmp_path: Path) -> None:
    stations, load = _line_of_three(tmp_path)
    # a small deterministic budget: on three stations every seed gives the same plan anyway
    scenario = Scenario(zones=3, urban_core=None, solver="heuristic", time_limit=1.0)
    with warnings.catch_warnings(record=True) as caught:  # one-station zones are named too
        warnings.simplefilter("always")
        plans = plan_alternatives(stations, load, n=2, slack=1.0, scenario=scenario)
    assert any(re.search("seeds|随机种子", str(w.message)) for w in caught)
    shortfall = plans[0].report["alternative"]["shortfall"]
    assert shortfall["reason"] == "seeds" and shortfall["repeats"] == shortfall["tries"] > 0


def test_cli_summary_and_report_give_the_shortfall(tmp_path: Path) -> None:
    stations = grid_stations(1, 3)
    stations["城关"] = "否"
    path = tmp_path / "line.geojson"
    stations.to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    args = ["plan", str(path), "--load-column", "警情量", "-k", "3", "--alternatives", "3"]
    result = CliRunner().invoke(cli, [*args, "--out", str(out), "-q", "--no-print"])
    assert result.exit_code == 0, result.output
    assert "只找到 1 个方案（要求 3 个）" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["alternative"]["shortfall"]["reason"] == "none_left"


def test_travel_alternatives_are_ranked_by_travel_within_the_slack(tmp_path: Path) -> None:
    """With the travel objective the runners-up are distinct plans, each at most
    ``slack`` (relative) above the best plan's incident-weighted mean minutes."""
    stations, load = grid(tmp_path)
    scenario = Scenario(zones=3, urban_core=None, band=0.5, frontier=())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one-station zones may be named
        plans = plan_alternatives(stations, load, n=3, slack=0.5, scenario=scenario)
    minutes = [p.partition.travel["mean_minutes"] for p in plans]
    assert len(plans) >= 2
    assert minutes[0] == min(minutes)  # the best plan is the travel optimum
    assert minutes[1:] == sorted(minutes[1:])
    assert all(m <= minutes[0] * 1.5 + 1e-9 for m in minutes)
    for i in range(len(plans)):
        for j in range(i + 1, len(plans)):
            assert moved_stations(plans[i], plans[j])
        assert plans[i].partition.spread <= 0.5 + 1e-9  # the band holds for every plan


def test_travel_slack_shortfall_names_the_minutes(tmp_path: Path) -> None:
    stations, load = grid(tmp_path)
    scenario = Scenario(zones=3, urban_core=None, solver="exact", band=0.5, frontier=())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plans = plan_alternatives(stations, load, n=5, slack=0.0, scenario=scenario)
    assert len(plans) == 1  # on this grid the next plan is (slightly) slower
    shortfall = plans[0].report["alternative"]["shortfall"]
    assert shortfall["reason"] == "slack"
    assert shortfall["next_minutes"] > shortfall["best_minutes"]
    assert any("alternatives_slack" in str(w.message) and "分钟" in str(w.message) for w in caught)


def test_fewer_alternatives_than_asked_say_why_budget(tmp_path: Path, monkeypatch) -> None:
    """A search that ran out of budget is reported as such, never as "no other plan"."""
    from zoning.errors import NoPlanFoundError
    from zoning.workflow import alternatives

    stations, load = grid(tmp_path)
    scenario = Scenario(zones=3, urban_core=None, solver="exact")
    real = alternatives.plan_stations

    def best_then_nothing(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("exclude"):
            raise NoPlanFoundError("no plan different from the earlier ones was found")
        return real(*args, **kwargs)

    monkeypatch.setattr(alternatives, "plan_stations", best_then_nothing)
    with pytest.warns(ZoningWarning, match="time_limit"):
        plans = plan_alternatives(stations, load, n=3, slack=1.0, scenario=scenario)
    shortfall = plans[0].report["alternative"]["shortfall"]
    assert (shortfall["found"], shortfall["reason"]) == (1, "budget")
    assert "并未证明不存在" in shortfall["message"] and "没有其他划分" not in shortfall["message"]
