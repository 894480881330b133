"""The web app's planning workflow (zoning/app.py), in process with Streamlit's AppTest:
locks that follow stations, stable zone colours, print-map downloads, column mapping."""

from __future__ import annotations

import importlib.util
import json
import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from tests.conftest import grid_stations
from zoning.maps.style import zone_colours
from zoning.workflow.compare import match_zones

APP = Path(__file__).resolve().parents[1] / "zoning" / "app.py"


def demo_app(*, ladder: bool) -> Any:
    """The app with the demo county planned; ``ladder=False`` skips the trade-off ladder."""
    if importlib.util.find_spec("streamlit") is None:
        if os.environ.get("CI"):
            pytest.fail("streamlit is not installed (required when CI is set)")
        pytest.skip("streamlit is not installed: pip install 'zoning[app]'")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    if not ladder:
        at.session_state["frontier"] = False
    at.run()
    at.button(key="use_demo").click().run()
    assert not at.exception and not at.error
    return at


@pytest.fixture
def app() -> Any:
    """The demo planned without the ladder (what most tests here do not check)."""
    return demo_app(ladder=False)


def _replan(at: Any) -> None:
    next(b for b in at.button if b.label == "重新规划").click().run()


def _zone_of(run: dict[str, Any]) -> dict[str, int]:
    plan = run["result"].plan
    return dict(zip(plan["station_name"], plan["zone"].astype(int), strict=True))


def test_locks_follow_stations_when_k_is_lowered(app: Any) -> None:
    assert not app.multiselect(key="locks").disabled  # usable before any re-plan
    zone_of = _zone_of(app.session_state["run"])
    top = max(zone_of.values())
    locked = [n for n, z in zone_of.items() if z == top][:2]
    other = next(n for n, z in zone_of.items() if z not in (top, 1))
    assert len(locked) == 2
    app.multiselect(key="locks").set_value([*locked, other])
    app.number_input(key="k").set_value(3)  # zone `top` (5) no longer exists
    _replan(app)
    assert not app.exception and not app.error, [e.value for e in app.error]
    run = app.session_state["run"]
    after = _zone_of(run)
    assert run["result"].report["n_zones"] == 3
    assert after[locked[0]] == after[locked[1]] != after[other]
    assert set(run["scenario"].locks.values()) <= {2, 3}  # zone 1 is the urban core's


def _assignment(run: dict[str, Any]) -> dict[str, int]:
    plan = run["result"].plan
    return dict(zip(plan["station_id"], plan["zone"].astype(int), strict=True))


def _largest_overlaps(old: Any, new: Any) -> dict[int, int]:
    """Old zone -> new zone, largest shared area first, each zone used once (rural zones)."""
    rural_old = old[~old["is_urban_core"].astype(bool)]
    rural_new = new[~new["is_urban_core"].astype(bool)]
    areas = sorted(
        (
            (float(g.intersection(h).area), int(zo), int(zn))
            for zo, g in zip(rural_old["zone"], rural_old.geometry, strict=True)
            for zn, h in zip(rural_new["zone"], rural_new.geometry, strict=True)
        ),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    for area, zo, zn in areas:
        if area > 0 and zo not in pairs and zn not in pairs.values():
            pairs[zo] = zn
    return pairs


def test_zone_colours_stay_with_the_zones_across_replans(app: Any) -> None:
    first = app.session_state["run"]
    app.number_input(key="w_刑事").set_value(3.0)
    _replan(app)
    second = app.session_state["run"]
    app.number_input(key="k").set_value(4)
    _replan(app)
    third = app.session_state["run"]
    for before, after in ((first, second), (second, third)):
        old = zone_colours(before["result"].zones)
        new = zone_colours(after["result"].zones)
        assert len(set(new.values())) == len(new)  # still one colour per zone
        pairs = _largest_overlaps(before["result"].zones, after["result"].zones)
        assert pairs
        for za, zb in pairs.items():
            assert new[zb] == old[za], (za, zb)
        # the station view agrees for the zones both ways of matching pair alike
        assert set(pairs.items()) & set(
            match_zones(_assignment(before), _assignment(after)).items()
        )
    page = third["files"]["map"].read_text(encoding="utf-8")
    for colour in zone_colours(third["result"].zones).values():
        assert colour in page


def test_print_map_and_report_downloads(app: Any) -> None:
    buttons = {b.key: b for b in app.download_button}
    assert {"dl_map", "dl_excel", "dl_scenario", "dl_docx", "dl_png", "dl_pdf"} <= set(buttons)
    files = app.session_state["run"]["files"]
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    assert files["png"].read_bytes().startswith(b"\x89PNG")
    # the decision blocks the command line writes: in report.json and so in the Word report
    report = json.loads(files["report"].read_text(encoding="utf-8"))
    assert report["before_after"]["after"]["mean_minutes"] > 0
    assert report["staffing"]["status"] != "unavailable"  # the demo has officers
    assert report["profiles"]["time"]["zones"]
    from docx import Document

    text = "\n".join(p.text for p in Document(str(files["docx"])).paragraphs)
    assert "与现状相比" in text and "报告中没有前后对比数据" not in text
    assert "报告中没有警力调配数据" not in text
    # and on the page: today against the plan, the rows the map's panel shows
    shown = [t.value for t in app.table if list(t.value.columns) == ["现状", "方案"]]
    assert len(shown) == 1 and "负荷极差" in shown[0].index


def test_locks_that_follow_never_point_past_k() -> None:
    from zoning.app import locks_that_follow

    zone_of = {"a": 1, "b": 5, "c": 5, "d": 4, "e": 2}
    locks, groups = locks_that_follow(["b", "c", "d", "a"], zone_of, k=3, core="a")
    assert locks == {"d": 2, "b": 3, "c": 3} and groups == ()
    locks, groups = locks_that_follow(["b", "c", "d", "e"], zone_of, k=3, core="a")
    assert locks == {} and groups == (("b", "c"),)  # three zones locked, two labels left
    assert locks_that_follow(["x"], zone_of, k=3, core=None) == ({}, ())


def test_messages_escape_markdown() -> None:
    from zoning.app import _md

    text = _md("**粗** [点我](javascript:alert(1)) $x$ :red[红] <b>")
    for raw in ("**", "](", "$x$", ":red[", "<b>"):
        assert raw not in text
    assert text.replace("\\", "") == "**粗** [点我](javascript:alert(1)) $x$ :red[红] <b>"


def test_column_mapping_makes_an_unusual_file_plannable(tmp_path: Path) -> None:
    from zoning.app import _plan, _read_data, column_choices
    from zoning.errors import ZoningWarning
    from zoning.scenario import Scenario, scenario_from_toml, scenario_to_text
    from zoning.workflow.plan import plan_from_files

    grid = grid_stations()
    odd = gpd.GeoDataFrame(
        {
            "CODE_X": grid["所代码"],
            "TOWNLABEL": grid["派出所"],
            "counted": grid["警情量"],
            "staff": grid["警力"],
            "seat_flag": grid["城关"],
        },
        geometry=grid.geometry,
        crs=grid.crs,
    )
    path = tmp_path / "odd.geojson"
    odd.to_file(path, driver="GeoJSON")
    columns, detected = column_choices(path)
    assert columns == ["CODE_X", "TOWNLABEL", "counted", "staff", "seat_flag"]
    assert "station_name" not in detected
    mapping = {"officers": "staff", "is_urban_core": "seat_flag"}
    data = _read_data(
        "odd.geojson",
        path,
        None,
        load_column="counted",
        id_column="CODE_X",
        name_column="TOWNLABEL",
        columns=mapping,
        base=tmp_path,
    )
    assert data.names[0] == "r0c0派出所"
    assert data.frame["officers"].notna().all() and data.frame["is_urban_core"].sum() == 1
    scenario = Scenario(
        stations=path,
        load_column="counted",
        zones=3,
        id_column="CODE_X",
        name_column="TOWNLABEL",
        station_columns=mapping,
    )
    run = _plan(data, scenario, tmp_path / "run")
    assert run["result"].report["n_zones"] == 3
    (tmp_path / "s.toml").write_text(scenario_to_text(scenario, base=tmp_path), encoding="utf-8")
    again = scenario_from_toml(tmp_path / "s.toml")
    replay = plan_from_files(path, scenario=again, write=False)
    assert replay.partition.assignment == run["result"].partition.assignment
    with warnings.catch_warnings(record=True) as caught:  # without the mapping: no names
        warnings.simplefilter("always")
        blind = _read_data("odd.geojson", path, None, load_column="counted", base=tmp_path)
    assert any(issubclass(w.category, ZoningWarning) and "名称列" in str(w.message) for w in caught)
    assert "r0c0派出所" not in blind.names


def test_objective_band_frontier_and_eligibility_change_the_plan() -> None:
    # the default: travel, 5 % band, the trade-off ladder, every station may be 中心所
    app = demo_app(ladder=True)
    run = app.session_state["run"]
    report = run["result"].report
    assert report["objective"] == "travel" and report["frontier"]
    labels = [m.label for m in app.metric]
    assert {"到中心所平均（按警情加权）", "最远", "是否已证明最优"} <= set(labels)
    proven = next(m for m in app.metric if m.label == "是否已证明最优").value
    assert proven == ("已证明" if report["solver"]["status"] == "optimal" else proven)
    ladder = app.dataframe[0].value
    assert list(ladder.index) == [f"{r['band']:.0%}" for r in report["frontier"]]
    assert "状态" in ladder.columns and any(s.startswith("已求解") for s in ladder["状态"])
    # balance first, no ladder
    app.radio(key="objective").set_value("balance")
    app.checkbox(key="frontier").uncheck()
    _replan(app)
    assert not app.exception and not app.error, [e.value for e in app.error]
    report = app.session_state["run"]["result"].report
    assert report["objective"] == "balance" and report["frontier"] == []
    assert {z["center_source"] for z in report["zones"]} == {"score"}
    assert not app.dataframe  # no trade-off table without a ladder
    # travel again, a 10 % band, only stations with a 办案区 as 中心所, a 1 s time limit
    app.radio(key="objective").set_value("travel")
    app.number_input(key="band").set_value(10.0)
    app.radio(key="center_eligible").set_value("case_area")
    app.number_input(key="time_limit").set_value(1.0)
    _replan(app)
    assert not app.exception and not app.error, [e.value for e in app.error]
    run = app.session_state["run"]
    report = run["result"].report
    assert report["objective"] == "travel" and report["band"]["requested"] == 0.1
    assert run["scenario"].time_limit == 1.0 and report["solver"]["time_limit"] == 1.0
    assert run["scenario"].center_eligible == "case_area" and run["scenario"].frontier == ()
    plan = run["result"].plan.set_index("station_id")
    for zone in report["zones"]:
        if zone["n_stations"] > 1:  # the urban core is its own 中心所
            assert bool(plan.loc[zone["center_id"], "has_case_area"]), zone["center_name"]
