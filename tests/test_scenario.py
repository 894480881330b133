"""Scenario files (zoning.scenario)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning._i18n import set_language
from zoning.errors import InputError
from zoning.scenario import Scenario, scenario_from_toml


def test_full_scenario_round_trips_values(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        """
[input]
stations = "st.geojson"
incidents = "inc.csv"
incidents_crs = "gcj02"
[input.station_columns]
station_name = "所名"
[plan]
zones = 4
urban_core = "城关派出所"
balance = "per_officer"
tolerance = 0.02
seed = 7
[weights]
"刑事" = 3
"治安" = 2
[objective]
compactness = 2.0
similarity = 0
[links]
forbidden = [["青山派出所", "石桥派出所"]]
forced = [["白沙派出所", "龙潭派出所"]]
[locks]
zone = { "青山派出所" = 2 }
together = [["枫林派出所", "柳溪派出所"]]
[zone_names]
"2" = "清溪防区"
[output]
lang = "en"
""",
        encoding="utf-8",
    )
    s = scenario_from_toml(path)
    assert s.stations == (tmp_path / "st.geojson").resolve()
    assert s.incidents_crs == "gcj02"
    assert s.station_columns == {"station_name": "所名"}
    assert (s.zones, s.urban_core, s.balance, s.tolerance, s.seed) == (
        4,
        "城关派出所",
        "per_officer",
        0.02,
        7,
    )
    assert s.category_weights == {"刑事": 3.0, "治安": 2.0}
    assert (s.compactness_weight, s.similarity_weight) == (2.0, 0)
    assert s.forbidden_links == (("青山派出所", "石桥派出所"),)
    assert s.locks == {"青山派出所": 2}
    assert s.together == (("枫林派出所", "柳溪派出所"),)
    assert s.zone_names == {2: "清溪防区"}
    assert s.lang == "en"
    assert s.to_dict()["zones"] == 4


def test_every_problem_is_reported_at_once_with_key_path(tmp_path: Path) -> None:
    set_language("en")
    path = tmp_path / "bad.toml"
    path.write_text(
        '[plan]\nzone = 4\nbalance = "fair"\n[colour]\nx = 1\n[weights]\n"刑事" = -1\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        scenario_from_toml(path)
    problems = info.value.problems
    assert len(problems) == 4
    text = str(info.value)
    assert "unknown key 'zone' in [plan]" in text and "zones" in text
    assert "[plan].balance = 'fair'" in text and "load, per_officer" in text
    assert "unknown section [colour]" in text
    assert "[weights]" in text


def test_missing_and_broken_files_are_input_errors(tmp_path: Path) -> None:
    set_language("zh")
    with pytest.raises(InputError, match="场景文件不存在"):
        scenario_from_toml(tmp_path / "none.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[plan\nzones=", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 TOML"):
        scenario_from_toml(broken)


def test_overrides_skip_none() -> None:
    s = Scenario(zones=4).with_overrides(zones=None, seed=3)
    assert (s.zones, s.seed) == (4, 3)


def test_template_is_a_valid_scenario_with_defaults(tmp_path: Path) -> None:
    from zoning.scenario import write_template

    path = write_template(tmp_path / "scenario.toml")
    s = scenario_from_toml(path)
    assert s.zones == 5 and s.balance == "load" and s.islands == "link"
    assert s.category_weights == {"刑事": 1.0, "治安": 1.0}
    assert "防区数" in path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="已存在"):
        write_template(path)
