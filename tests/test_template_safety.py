"""User text is data: no station name, zone name, category or title is ever run
through a template engine (issue 10, part A, item 1).

folium compiles each element's rendered output as a Jinja template, so before
the fix a station named ``{{ 7*191 }}`` showed as ``1337`` and a Jinja
expression could call ``os.popen``. These tests feed hostile strings through the
library (``plan_from_files`` + ``write_outputs``, ``map_from_plan`` +
``save_map``, the two-plan map) and the app's planning function, and check that
the page holds them only in its JSON data block, escaped for HTML, and that
nothing was evaluated.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import (
    DATA_BLOCK,
    grid_stations,
    make_fake_plan,
    page_data,
    run_cli,
    strings_in,
)
from zoning.errors import ZoningWarning
from zoning.maps.dualmap import dual_map
from zoning.maps.style import esc
from zoning.maps.webmap import map_from_plan, save_map
from zoning.scenario import Scenario

#: Pieces of template syntax, markup and awkward characters the strings are built from.
FRAGMENTS = (
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{{ 7*191 }}",
    "{% raw %}",
    "</script>",
    "</SCRIPT >",
    "<!--",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)>",
    '"',
    "'",
    "`",
    "${x}",
    "\\",
    "\\u003c",
    "&amp;",
    "&#123;",
    "\n",
    "\u2028",
    "\u2029",
    "😀",
    "派出所",
    "堌",
)
#: Characters a file and its reader keep as they are (no NUL, no other control characters).
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
hostile = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(_CHARS, max_size=4)), min_size=1, max_size=5
).map("".join)


def _marked(strings: Iterable[str], tag: str) -> list[str]:
    """Give each string a unique marker, so it can be looked for outside the data block."""
    return [f"ZQ{tag}{i}Q{s}" for i, s in enumerate(strings)]


def check_page(page: str, strings: Iterable[str], *, title: str | None = None) -> None:
    """Each string is in a data block, HTML-escaped and shown literally, and nowhere else.

    The page title, if given, must be the (escaped) text of ``<title>``. Markers ``ZQ…Q`` find each
    string's trace in the rest of the page.
    """
    blocks = page_data(page)
    assert blocks, "no data block"
    shown = "\n".join(strings_in(blocks))  # what the scripts insert as HTML
    outside = DATA_BLOCK.sub("", page)
    if title is not None:  # the page title: escaped text of <title>, nothing else
        assert f"<title>{esc(title)}</title>" in outside
        outside = outside.replace(f"<title>{esc(title)}</title>", "", 1)
    for text in strings:
        assert esc(text) in shown, text
        assert html.unescape(esc(text)) == text  # the browser shows exactly the string
        marker = text[: text.index("Q", 2) + 1]
        assert marker not in outside, f"{text!r} is outside the data block"
    for block in DATA_BLOCK.findall(page):
        assert "<" not in block and ">" not in block  # nothing can close the element
        assert "\u2028" not in block and "\u2029" not in block


@contextmanager
def _quiet() -> Iterator[None]:
    """Recoverable oddities of the tiny fixtures are not what these tests are about."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZoningWarning)
        yield


# --- the map functions, in memory ----------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(hostile, min_size=9, max_size=9),
    zone_names=st.lists(hostile, min_size=3, max_size=3),
    reason=hostile,
    title=hostile,
)
def test_map_shows_any_text_literally(
    names: list[str], zone_names: list[str], reason: str, title: str, tmp_path: Path
) -> None:
    names, zone_names = _marked(names, "S"), _marked(zone_names, "Z")
    (reason,), (title,) = _marked([reason], "R"), _marked([title], "T")
    plan, zones = make_fake_plan(names=names, zone_names=zone_names)
    zones["center_reason"] = reason
    page = save_map(map_from_plan(plan, zones, title=title), tmp_path / "m.html")
    check_page(page.read_text(encoding="utf-8"), [*names, *zone_names, reason, title], title=title)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(hostile, min_size=9, max_size=9), titles=st.tuples(hostile, hostile))
def test_two_plan_map_shows_any_text_literally(
    names: list[str], titles: tuple[str, str], tmp_path: Path
) -> None:
    names = _marked(names, "S")
    left, right = _marked(titles, "T")
    plan_a, zones_a = make_fake_plan(names=names)
    plan_b, zones_b = make_fake_plan(names=names, k=2, urban_zone=None)
    view = dual_map(plan_a, zones_a, plan_b, zones_b, titles=(left, right))
    page = save_map(view, tmp_path / "compare.html").read_text(encoding="utf-8")
    assert len(page_data(page)) == 2
    check_page(page, [*names, left, right], title=f"{left} ↔ {right}")


# --- the whole pipeline, through files, and the app --------------------------------------------


def _county(tmp_path: Path, names: list[str], categories: list[str]) -> tuple[Path, Path]:
    """The 3×3 grid with the given station names, and incidents of the given categories."""
    stations = grid_stations()
    stations["派出所"] = names
    path = tmp_path / "stations.geojson"
    stations.to_file(path, driver="GeoJSON")
    centres = stations.geometry.representative_point()
    rows = [
        {
            "警情编号": f"J{i:04d}",
            "报警时间": f"2025-01-{1 + i % 28:02d} 10:00:00",
            "警情类别": categories[i % len(categories)],
            "经度": centres.iloc[i % len(centres)].x,
            "纬度": centres.iloc[i % len(centres)].y,
        }
        for i in range(90)
    ]
    incidents = tmp_path / "incidents.csv"
    pd.DataFrame(rows).to_csv(incidents, index=False, encoding="utf-8")
    return path, incidents


def _planned_names(out: Path) -> list[str]:
    plan = gpd.read_file(out / "plan.geojson")
    zones = gpd.read_file(out / "zones.geojson")
    return [*plan["station_name"].astype(str), *zones["zone_name"].astype(str)]


@settings(
    max_examples=6,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),  # shrinking a plan run takes minutes
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    names=st.lists(hostile, min_size=9, max_size=9),
    categories=st.lists(hostile, min_size=1, max_size=3),
    title=hostile,
)
def test_plan_and_app_show_any_text_literally(
    names: list[str], categories: list[str], title: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from zoning.app import _plan, _read_data
    from zoning.workflow.plan import plan_from_files

    tmp = tmp_path_factory.mktemp("pipeline")
    names, categories = _marked(names, "S"), _marked(categories, "C")
    (title,) = _marked([title], "T")
    stations, incidents = _county(tmp, names, categories)
    scenario = Scenario(incidents=incidents, zones=3, title=title, out=tmp / "plan", frontier=())
    with _quiet():
        result = plan_from_files(stations, scenario=scenario)
        data = _read_data("upload", stations, incidents, base=tmp)
        # the app draws its print map with the same plan_to_print from the same strings:
        # drawn once per example, on the library's side, is enough
        run = _plan(data, replace(scenario, print_map=False), tmp / "app")
    assert (tmp / "plan" / "map.png").stat().st_size > 0  # the print map drew every string
    for out, files in ((tmp / "plan", result.files), (tmp / "app", run["files"])):
        page = files["map"].read_text(encoding="utf-8")
        check_page(page, [*_planned_names(out), title], title=title)
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert report["scenario"]["title"] == title  # stored as data, unchanged


# --- canaries: what an attacker would write ----------------------------------------------------

CANARIES = (
    "{{ 7*191 }}",
    "{{ 'zq' ~ 'xw' }}",
    "{% for x in range(3) %}LOOP{% endfor %}",
    "{# unclosed comment",
    "{% raw %}",
    "$\\notacommand{$",  # matplotlib mathtext on the print map
)


def _without_ids(page: str) -> str:
    """The page without folium's random element ids (32 hex digits may hold "1337")."""
    return re.sub(r"[0-9a-f]{32}", "", page)


def _command(canary: Path) -> str:
    """A Jinja expression that would create ``canary`` if it were ever evaluated."""
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(canary) + "').read() }}"


def test_template_canaries_are_never_evaluated(tmp_path: Path) -> None:
    from zoning.app import _plan, _read_data
    from zoning.workflow.plan import plan_from_files

    canary = tmp_path / "EVALUATED"
    names = [*CANARIES, _command(canary), "青山派出所", "石门派出所"]
    stations, incidents = _county(tmp_path, names, ["刑事", _command(canary), "{{ 7*191 }}"])
    title = "{{ 7*191 }}" + _command(canary)
    scenario = Scenario(incidents=incidents, zones=3, title=title, out=tmp_path / "plan")
    with _quiet():
        result = plan_from_files(stations, scenario=scenario)
        data = _read_data("upload", stations, incidents, base=tmp_path)
        run = _plan(data, scenario, tmp_path / "a")
    for files in (result.files, run["files"]):
        page = files["map"].read_text(encoding="utf-8")
        for evaluated in ("1337", "zqxw", "LOOPLOOP"):
            assert evaluated not in _without_ids(page)
        shown = "\n".join(strings_in(page_data(page)))
        for name in names:
            assert esc(name) in shown
        assert esc(title) in shown
    assert not canary.exists()


def test_compare_command_never_evaluates_names(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from zoning.cli import cli

    canary = tmp_path / "EVALUATED"
    names = [*CANARIES, _command(canary), "青山派出所", "石门派出所"]
    stations, _ = _county(tmp_path, names, ["刑事"])
    runner = CliRunner()
    for k in (3, 2):
        args = ["plan", str(stations), "--load-column", "警情量", "-k", str(k), "--no-print"]
        done = runner.invoke(cli, [*args, "--out", str(tmp_path / f"k{k}"), "--quiet"])
        assert done.exit_code == 0, done.output
    done = runner.invoke(
        cli, ["compare", str(tmp_path / "k3"), str(tmp_path / "k2"), "--out", str(tmp_path / "c")]
    )
    assert done.exit_code == 0, done.output
    page = (tmp_path / "c" / "compare.html").read_text(encoding="utf-8")
    assert "1337" not in _without_ids(page) and "zqxw" not in _without_ids(page)
    shown = "\n".join(strings_in(page_data(page)))
    for name in names:
        assert esc(name) in shown
    assert not canary.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://tiles.example/{z}/{x}/{y}.png?{{ 7*191 }}",
        "http://tiles.example/{z}/{x}/{y}.png?{% raw %}",
        "http://tiles.example/{{z}}/{x}/{y}.png",
        "http://tiles.example/{z}/{x}/{y}.png#{#",
    ],
)
def test_basemap_url_with_template_syntax_is_refused(url: str) -> None:
    from zoning.errors import InputError
    from zoning.maps.basemaps import resolve_basemap

    with pytest.raises(InputError, match="底图"):
        resolve_basemap(url)


def test_names_that_look_like_remote_references_do_not_block_saving(tmp_path: Path) -> None:
    names = [f"src=//evil.example/{i}.png" for i in range(8)] + ["url(//evil.example/x)"]
    plan, zones = make_fake_plan(names=names)
    page = save_map(map_from_plan(plan, zones, title="href=//evil.example"), tmp_path / "m.html")
    text = page.read_text(encoding="utf-8")
    check_page(text, [], title="href=//evil.example")
    shown = "\n".join(strings_in(page_data(text)))
    assert all(esc(n) in shown for n in names)


def test_terminal_escapes_in_names_never_reach_the_terminal_or_outputs(tmp_path: Path) -> None:
    """A station name carrying ANSI escapes (clear screen, colours, bell) is cleaned on reading."""
    stations = grid_stations()
    hostile = "\x1b[2J\x1b[31m红色\x07派出所\x9b0m"
    stations.loc[stations["所代码"] == "r1c1", "派出所"] = hostile  # the urban core: echoed
    path = tmp_path / "stations.geojson"
    stations.to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    result = run_cli(
        "plan", path, "--load-column", "警情量", "--zones", "3", "--out", out,
        "--no-print", "--frontier", "none", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    terminal = result.stdout + result.stderr
    assert "红色派出所" in terminal  # the name is shown, cleaned
    assert not any(ch in terminal for ch in "\x1b\x07\x9b")
    assert "控制字符" in result.stderr  # and the planner is told, naming the column and row
    for name in ("report.json", "plan.geojson", "zones.geojson", "map.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "\\u001b" not in text and "\x1b" not in text, name
