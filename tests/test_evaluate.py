"""Scoring existing plans (zoning.workflow.evaluate) and comparing plans (zoning.workflow.compare).

The 3×3 grid of tests/conftest.py: ids r{row}c{col}, the centre r1c1 is the
urban core, load 警情量 = 10 + index. Without the core the other eight cells
form a ring r0c0 r0c1 r0c2 r1c2 r2c2 r2c1 r2c0 r1c0.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zoning._i18n import set_language
from zoning.errors import InputError, ZoningWarning
from zoning.io.stations import stations_from_file
from zoning.scenario import Scenario
from zoning.workflow.compare import (
    compare_assignments,
    compare_plans,
    match_zones,
    read_plan_output,
)
from zoning.workflow.evaluate import (
    Assignment,
    _zone_number,
    evaluate_assignment,
    evaluate_files,
    load_from_scenario,
    read_assignment,
)
from zoning.workflow.plan import plan_from_files

LOAD = Scenario(load_column="警情量")
#: A valid 3-zone plan of the grid: core alone, west half, east half of the ring.
GOOD = {
    "r1c1": 1,
    "r0c0": 2, "r0c1": 2, "r1c0": 2, "r2c0": 2,
    "r0c2": 3, "r1c2": 3, "r2c2": 3, "r2c1": 3,
}  # fmt: skip


@pytest.fixture
def grid(grid_file: Path):
    frame = stations_from_file(grid_file)
    return frame, load_from_scenario(frame, LOAD)


def write_csv(path: Path, rows: list[tuple], header: tuple, encoding: str = "utf-8") -> Path:
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False, encoding=encoding)
    return path


# --- evaluate ------------------------------------------------------------------------------


def test_a_planned_plan_scores_exactly_as_planned(grid_file: Path, tmp_path: Path) -> None:
    scenario = replace_zones(LOAD, 3)
    planned = plan_from_files(grid_file, scenario=scenario, out_dir=tmp_path / "plan")
    ev = evaluate_files(
        grid_file, tmp_path / "plan" / "plan.geojson", scenario=scenario, out_dir=tmp_path / "ev"
    )
    assert ev.violations == []
    for key in ("spread", "max_dev", "cut_edges", "n_zones", "total_load", "urban_core"):
        assert ev.report[key] == pytest.approx(planned.report[key]), key
    assert ev.partition.assignment == planned.partition.assignment
    mine = [(z["zone"], z["center_id"], z["load"], z["zone_name"]) for z in ev.report["zones"]]
    theirs = [
        (z["zone"], z["center_id"], z["load"], z["zone_name"]) for z in planned.report["zones"]
    ]
    assert mine == theirs
    # same outputs as plan, plus the findings
    for name in ("plan.geojson", "zones.geojson", "report.json", "map.html"):
        assert (tmp_path / "ev" / name).stat().st_size > 0
    report = json.loads((tmp_path / "ev" / "report.json").read_text(encoding="utf-8"))
    assert report["kind"] == "evaluation" and report["violations"] == []
    assert report["solver"]["status"] == "evaluated"


def replace_zones(scenario: Scenario, k: int) -> Scenario:
    return scenario.with_overrides(zones=k)


@pytest.mark.parametrize(
    ("header", "key"),
    [
        (("所代码", "防区"), lambda sid: sid),
        (("station_id", "zone"), lambda sid: sid),
        (("派出所", "防区号"), lambda sid: f"{sid}派出所"),
        (("station_name", "Zone"), lambda sid: f" {sid} "),  # names normalised, case ignored
        (("派出所", "所属防区"), lambda sid: f"某县公安局{sid}派出所"),  # bureau prefix dropped
    ],
)
def test_plan_tables_with_many_column_names(grid, tmp_path: Path, header, key) -> None:
    frame, load = grid
    rows = [(key(sid), zone) for sid, zone in GOOD.items()]
    table = read_assignment(write_csv(tmp_path / "p.csv", rows, header), frame)
    assert table.zones == GOOD and table.unknown == []
    assert evaluate_assignment(frame, load, table).violations == []


def test_excel_and_geojson_plans(grid, tmp_path: Path) -> None:
    frame, _ = grid
    rows = pd.DataFrame({"派出所": [f"{s}派出所" for s in GOOD], "防区": list(GOOD.values())})
    rows.to_excel(tmp_path / "p.xlsx", index=False)
    assert read_assignment(tmp_path / "p.xlsx", frame).zones == GOOD
    drawn = frame[["station_id", "geometry"]].copy()
    drawn["zone"] = [GOOD[s] for s in drawn["station_id"]]
    drawn.to_file(tmp_path / "p.geojson", driver="GeoJSON")
    assert read_assignment(tmp_path / "p.geojson", frame).zones == GOOD


def test_gbk_csv_is_read_with_a_warning(grid, tmp_path: Path) -> None:
    frame, _ = grid
    path = write_csv(
        tmp_path / "p.csv", [(f"{s}派出所", z) for s, z in GOOD.items()], ("派出所", "防区"), "gbk"
    )
    with pytest.warns(ZoningWarning, match="GB18030"):
        assert read_assignment(path, frame).zones == GOOD


def test_zone_names_are_numbered_in_order_and_kept(grid, tmp_path: Path) -> None:
    frame, load = grid
    label = {1: "城关", 2: "西片", 3: "东片"}
    rows = [(s, label[z]) for s, z in GOOD.items()]
    table = read_assignment(write_csv(tmp_path / "p.csv", rows, ("所代码", "防区")), frame)
    assert table.labels == {1: "城关", 2: "西片", 3: "东片"}  # in order of first appearance
    ev = evaluate_assignment(frame, load, table)
    assert ev.zones.set_index("zone")["zone_name"].to_dict() == {1: "城关", 2: "西片", 3: "东片"}


def test_a_zone_name_column_next_to_numbers_names_the_zones(grid, tmp_path: Path) -> None:
    frame, load = grid
    rows = [(s, z, f"第{z}片") for s, z in GOOD.items()]
    path = write_csv(tmp_path / "p.csv", rows, ("所代码", "防区号", "防区名称"))
    ev = evaluate_assignment(frame, load, read_assignment(path, frame))
    assert list(ev.zones["zone_name"]) == ["第1片", "第2片", "第3片"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3", 3), (3, 3), ("3.0", 3), ("第3防区", 3), ("第 3 防区", 3), ("三", 3), ("第三防区", 3),
        ("十", 10), ("十二", 12), ("二十", 20), ("二十一片区", 21), ("Zone 4", 4), ("z5", 5),
        ("３", 3), ("东片", None), ("3a", None), ("", None),
    ],
)  # fmt: skip
def test_zone_numbers(text, number) -> None:
    assert _zone_number(text) == number


def findings(ev) -> dict[str, list]:
    out: dict[str, list] = {}
    for v in ev.violations:
        out.setdefault(v.kind, []).append(v)
    return out


def test_violations_are_findings_naming_stations(grid) -> None:
    frame, load = grid
    bad = dict(GOOD)
    bad |= {"r0c1": 3, "r2c1": 2}  # zone 3 = r0c1 r0c2 r1c2 r2c2, zone 2 = r0c0 r1c0 r2c0 r2c1
    bad["r0c0"] = 4  # a fourth zone: r0c0 alone
    bad["r2c2"] = 1  # the core is not alone (and touches r2c2 only at a corner)
    bad.pop("r2c0")  # missing; zone 2 = r1c0, r2c1 falls apart (r2c0 was the bridge)
    table = Assignment(zones=bad, unknown=["火星派出所"], source="hand.csv")
    ev = evaluate_assignment(frame, load, table, scenario=Scenario(zones=3))
    kinds = findings(ev)
    assert set(kinds) == {
        "missing_station",
        "unknown_station",
        "too_many_zones",
        "non_contiguous",
        "urban_core_not_alone",
    }
    assert "r2c0派出所" in kinds["missing_station"][0].message
    assert "火星派出所" in kinds["unknown_station"][0].message
    assert (
        "4 个防区" in kinds["too_many_zones"][0].message
        and "K = 3" in kinds["too_many_zones"][0].message
    )
    split = kinds["non_contiguous"]
    assert [v.zone for v in split] == [1, 2]  # core + r2c2 do not touch (corner only)
    assert split[1].pieces == (("r1c0派出所",), ("r2c1派出所",))
    assert "r1c0派出所 | r2c1派出所" in split[1].message
    assert kinds["urban_core_not_alone"][0].stations == ("r1c1", "r2c2")
    # still scored: missing stations are left out, the core zone is not balanced
    assert ev.report["n_stations"] == 8 and ev.report["n_stations_total"] == 9
    assert ev.report["balanced_zones"] == [2, 3, 4]
    assert len(ev.report["violations"]) == 6


def test_guideline_locks_and_together_from_the_scenario(grid) -> None:
    frame, load = grid
    six = {s: i % 6 + 1 for i, s in enumerate(GOOD)}
    scenario = Scenario(zones=8, locks={"r0c0派出所": 5}, together=(("r0c1", "r0c2"),))
    set_language("en")
    kinds = findings(evaluate_assignment(frame, load, six, scenario=scenario))
    assert "more than the guideline maximum of 5" in kinds["guideline"][0].message
    assert "too_many_zones" not in kinds
    assert "r0c0派出所 is locked to zone 5" in kinds["lock"][0].message
    assert kinds["together"][0].stations == ("r0c1", "r0c2")


def test_forbidden_links_count_like_in_planning(grid) -> None:
    frame, load = grid
    cut = Scenario(forbidden_links=(("r0c0", "r0c1"),), zones=3)
    kinds = findings(evaluate_assignment(frame, load, GOOD, scenario=cut))
    assert [v.zone for v in kinds["non_contiguous"]] == [2]
    plain = evaluate_assignment(frame, load, GOOD, scenario=Scenario(zones=3))
    # the forbidden link is no adjacency any more, so it is not cut either
    cut_ev = evaluate_assignment(frame, load, GOOD, scenario=cut)
    assert cut_ev.report["cut_edges"] == plain.report["cut_edges"]
    assert cut_ev.partition.graph.number_of_edges() == plain.partition.graph.number_of_edges() - 1


@pytest.mark.parametrize(
    ("rows", "header", "needle"),
    [
        ([("r0c0", 1)], ("所代码", "颜色"), "找不到防区列"),
        ([("r0c0", 1)], ("地名", "防区"), "找不到派出所编号或名称列"),
        ([("r0c0", 1), ("r0c0派出所", 2)], ("派出所", "防区"), "同时分在第 1 和第 2 防区"),
        ([("火星", 1)], ("派出所", "防区"), "没有一行对应站点文件中的派出所"),
    ],
)
def test_broken_plan_tables_are_input_errors(grid, tmp_path: Path, rows, header, needle) -> None:
    frame, _ = grid
    with pytest.raises(InputError, match=needle):
        read_assignment(write_csv(tmp_path / "p.csv", rows, header), frame)


def test_missing_and_empty_plan_files(grid, tmp_path: Path) -> None:
    frame, _ = grid
    with pytest.raises(InputError, match="文件不存在"):
        read_assignment(tmp_path / "none.csv", frame)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError):
        read_assignment(tmp_path / "empty.csv", frame)


def test_explicit_columns_win(grid, tmp_path: Path) -> None:
    frame, _ = grid
    rows = [(s, z, 9) for s, z in GOOD.items()]
    path = write_csv(tmp_path / "p.csv", rows, ("单位", "方案A", "防区"))
    table = read_assignment(path, frame, station_column="单位", zone_column="方案A")
    assert table.zones == GOOD


def test_no_load_is_an_input_error(grid_file: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--incidents"):
        evaluate_files(grid_file, tmp_path / "p.csv", scenario=Scenario(), write=False)


# --- compare -------------------------------------------------------------------------------


def test_match_zones_ignores_renumbering() -> None:
    a = {"a": 1, "b": 1, "c": 2, "d": 3}
    b = {"a": 3, "b": 3, "c": 1, "d": 2}
    assert match_zones(a, b) == {1: 3, 2: 1, 3: 2}
    assert compare_assignments(a, b)[1] == []


def test_moves_are_stations_leaving_the_matched_zone() -> None:
    a = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    b = {"a": 2, "b": 2, "c": 1, "d": 1, "e": 1}  # zone 1 of A became zone 2, c moved over
    matching, moved = compare_assignments(a, b)
    assert matching == {1: 2, 2: 1} and moved == ["c"]


def test_ties_keep_zone_numbers() -> None:
    assert match_zones({"a": 1, "b": 2}, {"a": 1, "b": 2}) == {1: 1, 2: 2}
    # zone 1 of A splits evenly: keep its number
    assert match_zones({"a": 1, "b": 1}, {"a": 2, "b": 1}) == {1: 1}


@settings(max_examples=60, deadline=None)
@given(
    zones=st.lists(st.integers(1, 6), min_size=1, max_size=30),
    perm=st.permutations(list(range(1, 7))),
)
def test_a_relabelled_plan_moves_nobody(zones: list[int], perm: list[int]) -> None:
    a = {f"s{i}": z for i, z in enumerate(zones)}
    b = {s: perm[z - 1] for s, z in a.items()}
    matching, moved = compare_assignments(a, b)
    assert moved == []
    assert matching == {z: perm[z - 1] for z in set(zones)}


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tests.conftest import grid_stations

    root = tmp_path_factory.mktemp("cmp")
    grid_stations().to_file(root / "grid.geojson", driver="GeoJSON")
    for k in (2, 3):
        plan_from_files(
            root / "grid.geojson", scenario=replace_zones(LOAD, k), out_dir=root / f"k{k}"
        )
    return root / "k2", root / "k3"


def test_compare_two_plan_folders(two_plans) -> None:
    a, b = (read_plan_output(p) for p in two_plans)
    assert (a.label, b.label) == ("k2", "k3")
    assert a.metrics["computed"] is False and a.metrics["n_zones"] == 2
    result = compare_plans(a, b)
    assert 1 in result.matching and result.matching[1] == 1  # the core stays zone 1
    moved = {m.station_id for m in result.moves}
    assert moved and moved <= set(a.assignment)
    for m in result.moves:
        assert result.matching.get(m.zone_a) != m.zone_b
    data = result.to_dict()
    assert data["a"]["spread"] == a.report["spread"] and len(data["b"]["zones"]) == 3
    json.dumps(data)  # plain JSON


def test_a_bare_plan_file_is_measured_like_the_report(two_plans, tmp_path: Path) -> None:
    shutil.copy(two_plans[1] / "plan.geojson", tmp_path / "draft.geojson")
    bare = read_plan_output(tmp_path / "draft.geojson")
    full = read_plan_output(two_plans[1] / "plan.geojson")
    assert (
        bare.report is None and bare.metrics["computed"] is True and bare.label == "draft.geojson"
    )
    for key in ("n_zones", "spread", "max_dev", "cut_edges", "total_load"):
        assert bare.metrics[key] == pytest.approx(full.metrics[key]), key
    assert compare_plans(bare, full).moves == []


def test_unreadable_plan_outputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"plan\.geojson"):
        read_plan_output(tmp_path)
    gpd.GeoDataFrame({"name": ["x"]}, geometry=gpd.points_from_xy([0], [0]), crs=4326).to_file(
        tmp_path / "plan.geojson", driver="GeoJSON"
    )
    with pytest.raises(InputError, match="station_id"):
        read_plan_output(tmp_path)
