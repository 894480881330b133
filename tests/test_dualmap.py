"""Two-plan view (zoning.maps.dualmap): offline page, matched colours, both maps in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._browser import Browser
from tests.conftest import XSS, fake_incidents, fake_river, make_fake_plan, remote_resources
from zoning.errors import InputError
from zoning.maps import offline as _offline
from zoning.maps import style as _mapkit
from zoning.maps.dualmap import dual_map
from zoning.maps.webmap import save_map

_MAPS_JS = "Object.values(window).filter((v) => v instanceof L.Map)"


def _plans():
    plan_a, zones_a = make_fake_plan(3, 3, 3)
    plan_b, zones_b = make_fake_plan(3, 3, 2, urban_zone=None, zone_names=["东片", "西片"])
    return plan_a, zones_a, plan_b, zones_b


@pytest.fixture(scope="module")
def dual_page(tmp_path_factory) -> Path:
    view = dual_map(
        *_plans(), titles=("方案一：3 个防区", XSS), incidents=fake_incidents(), river=fake_river()
    )
    return save_map(view, tmp_path_factory.mktemp("dual") / "compare.html")


def test_offline_page_is_self_contained(dual_page: Path) -> None:
    page = dual_page.read_text(encoding="utf-8")
    assert remote_resources(page) == []
    assert _offline.external_resources(page) == []
    assert "<script src=" not in page
    assert "L.Sync" in page and "leaflet.sync@0.2.4" in page  # vendored plug-in inlined
    assert page.count('"1.9.3"') == 1  # Leaflet once, for both maps
    assert ".sync(" in page
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<title>方案一：3 个防区 ↔ &lt;img" in page
    assert "负荷极差" in page


def test_right_plan_reuses_the_left_colours() -> None:
    _, zones_a, _, _ = _plans()
    # the same plan, zones numbered the other way round: every zone keeps its colour
    flipped = zones_a.assign(zone=4 - zones_a["zone"])
    left = _mapkit.zone_colours(zones_a)
    right = _mapkit.matched_colours(flipped, zones_a)
    assert {z: right[4 - z] for z in (1, 2, 3)} == left
    # a plan with one zone fewer: the overlapping zones keep theirs, nothing repeats
    _, _, _, zones_b = _plans()
    colours = _mapkit.matched_colours(zones_b, zones_a)
    assert len(set(colours.values())) == len(zones_b)
    assert set(colours.values()) <= set(left.values()) | set(_mapkit.ZONE_COLOURS)


def test_bad_input_is_an_input_error() -> None:
    plan_a, zones_a, plan_b, zones_b = _plans()
    with pytest.raises(InputError):
        dual_map(plan_a, zones_a, plan_b.drop(columns="zone"), zones_b, titles=("a", "b"))


def test_both_maps_drawn_and_in_step(browser: Browser, dual_page: Path, artifacts: Path) -> None:
    page = browser.open(dual_page, settle=0)
    page.wait_for(f"{_MAPS_JS}.length === 2")
    page.wait_for(
        f"{_MAPS_JS}.every((m) => m.getContainer().querySelectorAll('path.leaflet-interactive')"
        ".length > 0 && m.getContainer().querySelectorAll('.zoning-legend .zl-row').length > 0)"
    )
    plan_a, zones_a, plan_b, zones_b = _plans()
    counts = page.evaluate(
        f"{_MAPS_JS}.map((m) => m.getContainer().querySelectorAll('path.leaflet-interactive')"
        ".length)"
    )
    assert counts == [len(zones_a) + len(plan_a), len(zones_b) + len(plan_b)]
    for css in (".zoning-title", ".zoning-legend", ".leaflet-control-scale"):
        per_map = page.evaluate(
            f"{_MAPS_JS}.map((m) => m.getContainer().querySelectorAll({css!r}).length)"
        )
        assert per_map == [1, 1], css
    titles = page.evaluate(
        "Array.from(document.querySelectorAll('.zoning-title .zt-main')).map((e) => e.textContent)"
    )
    assert titles == ["方案一：3 个防区", XSS]
    # pan and zoom the left map: the right one follows
    moved = page.evaluate(
        f"""(() => {{ const [a, b] = {_MAPS_JS};
        a.setView([27.25, 115.25], a.getZoom() + 1, {{animate: false}});
        const ca = a.getCenter(), cb = b.getCenter();
        return [a.getZoom() === b.getZoom(), Math.abs(ca.lat - cb.lat) < 1e-6,
                Math.abs(ca.lng - cb.lng) < 1e-6]; }})()"""
    )
    assert moved == [True, True, True]
    shot = page.screenshot(artifacts / "dual_offline.png")
    print(f"screenshot: {shot}")
    assert page.errors == []
    assert page.dialogs == []
    assert page.remote_requests() == []
    fills = page.evaluate(
        f"{_MAPS_JS}.map((m) => Array.from(m.getContainer().querySelectorAll("
        "'path.leaflet-interactive')).filter((p) => +p.getAttribute('fill-opacity') > 0)"
        ".map((p) => p.getAttribute('fill')))"
    )
    assert len(set(fills[0])) == len(zones_a) and len(set(fills[1])) == len(zones_b)
    assert re.fullmatch(r"#[0-9A-F]{6}", fills[1][0])


def test_stations_that_change_zone_are_outlined_on_both_maps(
    browser: Browser, tmp_path: Path
) -> None:
    """The compare map marks the moved stations on both halves (dashed outline, its
    own layer and legend row); ids not in a plan are ignored; the outlines take no
    clicks, so the station tooltips and zone popups under them stay reachable."""
    view = dual_map(*_plans(), titles=("A", "B"), moved=["S01", "S05", "不存在"])
    page = browser.open(save_map(view, tmp_path / "moved.html"), settle=0)
    page.wait_for(
        f"{_MAPS_JS}.length === 2 && {_MAPS_JS}.every((m) => "
        "m.getContainer().querySelectorAll('.zoning-legend .zl-row').length > 0)"
    )
    shown = page.evaluate(
        f"""{_MAPS_JS}.map((m) => {{ const c = m.getContainer();
        const dashed = [...c.querySelectorAll('path[stroke-dasharray]')];
        return [dashed.length, dashed.filter((p) => p.classList.contains('leaflet-interactive'))
                .length, c.querySelector('.zoning-legend').innerText,
                c.querySelector('.leaflet-control-layers').textContent]; }})"""
    )
    for dashed, clickable, legend, layers in shown:
        assert (dashed, clickable) == (2, 0)
        assert "调整防区的派出所（2 个）" in legend and "调整防区的派出所（2 个）" in layers
    assert page.errors == []
