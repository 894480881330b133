"""Scenario files written by zoning read back unchanged; a saved scenario reproduces a plan."""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO
from zoning._i18n import set_language
from zoning.cli import cli
from zoning.errors import InputError
from zoning.scenario import (
    TEMPLATE,
    Scenario,
    scenario_from_toml,
    scenario_to_text,
    scenario_to_toml,
)

# --- generated scenarios -----------------------------------------------------------------------

ANY_TEXT = st.text(max_size=10)
TEXT = st.text(min_size=1, max_size=10).filter(str.strip)  # the reader rejects blank text
NUMBER = st.floats(min_value=0, allow_nan=False, allow_infinity=True) | st.integers(0, 10**6)
NAME = st.text(
    alphabet=st.characters(categories=("L", "Nd"), exclude_characters="/\\")
    | st.sampled_from("_- "),
    min_size=1,
    max_size=8,
).filter(lambda t: t.strip() not in ("", ".", ".."))
#: Where a path points relative to the scenario file: same folder, below, above, unrelated.
PLACES = ("here", "below", "above", "elsewhere")
PATH = st.none() | st.tuples(st.sampled_from(PLACES), st.lists(NAME, min_size=1, max_size=3))
PAIRS = st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=3).map(tuple)
GROUPS = st.lists(st.lists(ANY_TEXT, min_size=2, max_size=4).map(tuple), max_size=3).map(tuple)

SCENARIO_FIELDS: dict[str, Any] = {
    "stations": PATH,
    "incidents": PATH,
    "baseline": PATH,
    "incidents_crs": st.none() | TEXT,
    "layer": st.none() | TEXT,
    "river": PATH,
    "id_column": st.none() | TEXT,
    "name_column": st.none() | TEXT,
    "load_column": st.none() | TEXT,
    "loads": PATH,
    "station_columns": st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=3),
    "incident_columns": st.dictionaries(ANY_TEXT, ANY_TEXT, max_size=3),
    "date_from": st.none() | TEXT,
    "date_to": st.none() | TEXT,
    "outside_tolerance_m": NUMBER,
    "min_shared_m": NUMBER,
    "zones": st.integers(1, 2**31),
    "urban_core": st.none() | TEXT,
    "objective": st.sampled_from(["travel", "balance"]),
    "band": st.floats(min_value=0, max_value=1, allow_nan=False),
    "frontier": st.lists(
        st.floats(min_value=0.001, max_value=1, allow_nan=False), max_size=5, unique=True
    ).map(lambda bands: tuple(sorted(bands))),
    "robust": st.booleans(),
    "center_eligible": st.sampled_from(["all", "case_area"]),
    "balance": st.sampled_from(["load", "per_officer"]),
    "tolerance": NUMBER,
    "solver": st.sampled_from(["auto", "exact", "heuristic"]),
    "time_limit": st.none() | st.floats(min_value=0.1, allow_nan=False) | st.integers(1, 10**4),
    "seed": st.integers(0, 2**31 - 1),  # CP-SAT takes a 32-bit seed
    "islands": st.sampled_from(["link", "error"]),
    "alternatives": st.integers(1, 10),
    "alternatives_slack": NUMBER,
    "category_weights": st.dictionaries(ANY_TEXT, NUMBER, max_size=4),
    "compactness_weight": NUMBER,
    "similarity_weight": NUMBER,
    "similarity_basis": st.sampled_from(["profile", "category"]),
    "staffing_band": NUMBER,
    "staffing_minimum": st.integers(0, 10**6),
    "staffing_include_core": st.booleans(),
    "locks": st.dictionaries(ANY_TEXT, st.integers(1, 10**6), max_size=3),
    "together": GROUPS,
    "forbidden_links": PAIRS,
    "forced_links": PAIRS,
    "zone_names": st.dictionaries(st.integers(0, 10**6), ANY_TEXT, max_size=3),
    "out": PATH,
    "title": st.none() | TEXT,
    "lang": st.sampled_from(["zh", "en"]),
    "online": st.booleans(),
    "print_map": st.booleans(),
    "basemap": st.none() | TEXT,
    "tianditu_key": st.none() | TEXT,
    "center_criteria": st.dictionaries(ANY_TEXT, NUMBER, max_size=3),
    "center_locks": st.lists(TEXT, max_size=3).map(tuple),
    "case_team_locks": st.lists(TEXT, max_size=3).map(tuple),
    "community_team_locks": st.lists(TEXT, max_size=3).map(tuple),
    "features": PATH,
    "name_after": st.sampled_from(["auto", "center", "river", "peak"]),
    "roads": st.just("download") | PATH,
    "within_minutes": NUMBER,
    "detour_factor": st.floats(min_value=1, allow_nan=False) | st.integers(1, 100),
    "straight_speed_kph": st.floats(min_value=1, allow_nan=False) | st.integers(1, 200),
    "max_snap_m": NUMBER,
    "hwy_speeds": st.dictionaries(ANY_TEXT, NUMBER, max_size=3),
}


def test_the_strategy_covers_every_field() -> None:
    assert set(SCENARIO_FIELDS) == {f.name for f in fields(Scenario)}


def materialise(values: dict[str, Any], folder: Path) -> Scenario:
    """Turn generated path specs into absolute paths around ``folder``."""
    roots = {
        "here": folder,
        "below": folder / "data",
        "above": folder.parent / "shared",
        "elsewhere": Path("/opt/zoning-elsewhere"),
    }
    done = dict(values)
    for name in ("stations", "incidents", "loads", "baseline", "river", "features", "roads", "out"):
        if done[name] not in (None, "download"):
            place, parts = done[name]
            done[name] = roots[place].joinpath(*parts).resolve()
    return Scenario(**done)


@settings(max_examples=150, deadline=None)
@given(values=st.fixed_dictionaries(SCENARIO_FIELDS))
def test_any_valid_scenario_round_trips(values: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp).resolve() / "plans"
        scenario = materialise(values, folder)
        path = scenario_to_toml(scenario, folder / "scenario.toml")
        assert scenario_from_toml(path) == scenario
        tomllib.loads(path.read_text(encoding="utf-8"))  # plain TOML for any other reader


# --- explicit examples -------------------------------------------------------------------------


def full_scenario(folder: Path) -> Scenario:
    return Scenario(
        stations=folder / "stations.geojson",
        incidents=folder / "data" / "incidents.csv",
        incidents_crs="gcj02",
        river=folder.parent / "shared" / "river.geojson",
        id_column="所代码",
        name_column="派出所",
        station_columns={"station_name": "所名", "officers": "民警 数"},
        incident_columns={"category": "类别"},
        date_from="2025-01-01",
        date_to="2025-12-31",
        outside_tolerance_m=250.0,
        min_shared_m=20,
        zones=4,
        urban_core="城关派出所",
        balance="per_officer",
        tolerance=0.02,
        solver="exact",
        time_limit=12.5,
        seed=7,
        islands="error",
        category_weights={"刑事": 3.0, "治安": 2.0, "交通 事故": 0.5},
        compactness_weight=2.0,
        similarity_weight=0,
        locks={"青山派出所": 2, "枫林": 3},
        together=(("枫林派出所", "柳溪派出所"), ("a", "b", "c")),
        forbidden_links=(("青山派出所", "石桥派出所"),),
        forced_links=(("白沙派出所", "龙潭派出所"),),
        zone_names={2: "清溪防区", 3: 'say "hi"\\'},
        out=folder / "out",
        title="某县多所连片防区规划（草案）\n第二稿",
        lang="en",
        online=True,
    )


def test_full_scenario_round_trips_with_relative_paths(tmp_path: Path) -> None:
    folder = tmp_path.resolve() / "county"
    scenario = full_scenario(folder)
    path = scenario_to_toml(scenario, folder / "s.toml")
    text = path.read_text(encoding="utf-8")
    assert scenario_from_toml(path) == scenario
    # paths relative to the file, so the folder can be moved as a whole
    assert 'stations = "stations.geojson"' in text
    assert 'incidents = "data/incidents.csv"' in text
    assert 'river = "../shared/river.geojson"' in text
    # Chinese keys quoted, ASCII keys bare, values escaped
    assert '"刑事" = 3.0' in text and '"青山派出所" = 2' in text
    assert "station_name = " in text and "[input.station_columns]" in text
    assert '"交通 事故" = 0.5' in text
    # the whole folder moved elsewhere still reads, with paths following it
    moved = tmp_path.resolve() / "elsewhere" / "county"
    moved.mkdir(parents=True)
    (moved / "s.toml").write_text(text, encoding="utf-8")
    assert scenario_from_toml(moved / "s.toml").stations == moved / "stations.geojson"


def test_every_field_is_written_under_its_reader_key(tmp_path: Path) -> None:
    text = scenario_to_text(full_scenario(tmp_path), base=tmp_path)
    raw = tomllib.loads(text)
    assert set(raw) == {
        "input",
        "plan",
        "weights",
        "objective",
        "links",
        "locks",
        "zone_names",
        "centers",
        "roads",
        "staffing",
        "output",
    }
    assert raw["input"]["station_columns"] == {"station_name": "所名", "officers": "民警 数"}
    assert raw["objective"] == {
        "compactness": 2.0,
        "similarity": 0,
        "similarity_basis": "profile",
    }
    assert raw["links"]["forced"] == [["白沙派出所", "龙潭派出所"]]
    assert raw["locks"]["together"] == [["枫林派出所", "柳溪派出所"], ["a", "b", "c"]]
    assert raw["zone_names"] == {"2": "清溪防区", "3": 'say "hi"\\'}
    assert raw["output"]["online"] is True


@pytest.mark.parametrize(
    "scenario",
    [Scenario(), Scenario(zones=1, category_weights={"其他": 0}), Scenario(lang="en", seed=2)],
)
def test_defaults_round_trip(tmp_path: Path, scenario: Scenario) -> None:
    assert scenario_from_toml(scenario_to_toml(scenario, tmp_path / "s.toml")) == scenario


def test_template_scenario_round_trips(tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(TEMPLATE, encoding="utf-8")
    scenario = scenario_from_toml(tmp_path / "t.toml")
    again = scenario_to_toml(scenario, tmp_path / "copy" / "s.toml")
    assert scenario_from_toml(again) == scenario
    # unset options stay visible as commented examples with the template's explanations
    text = again.read_text(encoding="utf-8")
    assert '# incidents_crs = "gcj02"' in text and "高德" in text


def test_relative_paths_are_taken_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = Scenario(stations=Path("data/st.geojson"), out=Path("maps/x"))
    path = scenario_to_toml(scenario, Path("plans/s.toml"))
    assert 'stations = "../data/st.geojson"' in path.read_text(encoding="utf-8")
    back = scenario_from_toml(path)
    assert back.stations == (tmp_path / "data" / "st.geojson").resolve()
    assert back == replace(
        scenario, stations=back.stations, out=(tmp_path / "maps" / "x").resolve()
    )


def test_paths_without_a_common_folder_are_written_absolute(tmp_path: Path) -> None:
    scenario = Scenario(stations=Path("/opt/data/st.geojson"))
    text = scenario_to_text(scenario, base=tmp_path)
    assert 'stations = "/opt/data/st.geojson"' in text


def test_invalid_scenario_is_an_input_error_and_nothing_is_written(tmp_path: Path) -> None:
    set_language("en")
    bad = Scenario(zones=0, title="  ", category_weights={"刑事": -1.0})
    with pytest.raises(InputError) as info:
        scenario_to_toml(bad, tmp_path / "bad.toml")
    text = str(info.value)
    assert "[plan].zones = 0" in text and "[output].title" in text and "[weights]" in text
    assert len(info.value.problems) == 3
    assert not (tmp_path / "bad.toml").exists()


def test_an_existing_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    scenario_to_toml(Scenario(zones=3), path)
    scenario_to_toml(Scenario(zones=4), path)
    assert scenario_from_toml(path).zones == 4


def test_header_follows_the_language(tmp_path: Path) -> None:
    assert scenario_to_text(Scenario(), base=tmp_path).startswith("# zoning 场景文件")
    set_language("en")
    assert scenario_to_text(Scenario(), base=tmp_path).startswith("# zoning scenario")


# --- a saved scenario reproduces the plan ------------------------------------------------------


def planner_scenario() -> Scenario:
    """The demo county as a planner would tweak it: K = 4, 刑事 ×5, a lock, a river, a pair."""
    return Scenario(
        stations=(DEMO / "stations.geojson").resolve(),
        incidents=(DEMO / "incidents.csv").resolve(),
        zones=4,
        category_weights={"刑事": 5.0},
        forbidden_links=(("水口派出所", "金田派出所"),),
        together=(("青山派出所", "松湖派出所"),),
        locks={"马鞍派出所": 3},
        seed=3,
        frontier=(),  # the ladder's plans are not what is replayed here
    )


def zones_of(out: Path) -> dict[str, int]:
    plan = gpd.read_file(out / "plan.geojson")
    return dict(zip(plan["station_id"], plan["zone"].astype(int), strict=True))


def test_plan_from_a_saved_scenario_is_reproduced_exactly(tmp_path: Path) -> None:
    from zoning.workflow.plan import plan_from_files

    scenario = planner_scenario()
    saved = scenario_to_toml(scenario, tmp_path / "meeting" / "option-a.toml")
    direct = plan_from_files(scenario.stations or "", scenario=scenario, write=False)
    runs = []
    for name in ("run1", "run2"):
        out = tmp_path / name
        result = CliRunner().invoke(
            cli,
            [
                "plan",
                str(scenario.stations),
                "--config",
                str(saved),
                "--out",
                str(out),
                "-q",
                "--no-print",  # the print map is not what is replayed here
            ],
        )
        assert result.exit_code == 0, result.output
        runs.append(zones_of(out))
    assert runs[0] == runs[1]
    assert runs[0] == {str(k): v for k, v in direct.partition.assignment.items()}
    # the scenario's choices really were applied
    assert len(set(runs[0].values())) == 4
    assert runs[0]["369901002"] == runs[0]["369901020"]  # 青山 with 松湖
    assert runs[0]["369901016"] == 3  # 马鞍 locked in zone 3
