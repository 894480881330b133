"""Open the offline map in real headless Chromium with the network off.

Needs ``/usr/bin/chromium`` (Debian: ``apt-get install -y chromium fonts-noto-cjk``).
Without it these tests are skipped, unless the ``CI`` environment variable is
set, in which case they fail. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoning.maps.webmap import map_from_plan, save_map

try:  # pytest's default "prepend" import mode puts tests/ on sys.path
    from _browser import CHROMIUM, Browser, Page
    from test_maps import _PREFIXES, XSS, fake_incidents, fake_river, make_fake_plan
except ImportError:  # tests/ imported as a package
    from tests._browser import CHROMIUM, Browser, Page
    from tests.test_maps import _PREFIXES, XSS, fake_incidents, fake_river, make_fake_plan

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).with_name("artifacts")

_MAP_JS = "Object.values(window).find((v) => v instanceof L.Map)"


def _need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (required when CI is set)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _need(
        Path(CHROMIUM).is_file(),
        f"headless Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk",
    )
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def plan_zones():
    names = [f"{p}派出所" for p in _PREFIXES[:9]]
    names[6] = XSS
    return make_fake_plan(names=names, zone_names=["第一防区", "<svg onload=alert(2)>", "第三防区"])


@pytest.fixture(scope="module")
def page(browser: Browser, plan_zones, tmp_path_factory) -> Page:
    plan, zones = plan_zones
    m = map_from_plan(
        plan,
        zones,
        title="<script>alert(3)</script>测试县防区方案",
        incidents=fake_incidents(),
        river=fake_river(),
    )
    html = save_map(m, tmp_path_factory.mktemp("browser") / "plan.html")
    page = browser.open(html)
    page.wait_for("document.querySelectorAll('path.leaflet-interactive').length > 0")
    browser.pump(0.5)
    return page


def _shot(page: Page, name: str) -> Path:
    path = page.screenshot(ARTIFACTS / name)
    print(f"screenshot: {path}")
    return path


def test_offline_map_renders_without_errors(page: Page, plan_zones) -> None:
    plan, zones = plan_zones
    shot = _shot(page, "map_offline.png")
    assert shot.stat().st_size > 10_000
    assert page.errors == []
    assert page.dialogs == []
    assert page.remote_requests() == []
    assert page.evaluate("L.version") == "1.9.3"

    n_paths = page.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
    assert n_paths >= len(zones)
    assert n_paths == len(zones) + len(plan)  # zones + station areas (river is not interactive)
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('path.leaflet-interactive'))"
        ".filter((p) => +p.getAttribute('fill-opacity') > 0).map((p) => p.getAttribute('fill'))"
    )
    assert len(fills) == len(set(fills)) == len(zones)  # one distinct colour per zone

    count = "document.querySelectorAll({!r}).length".format
    assert page.evaluate(count(".zoning-label:not(.zl-zone)")) == len(plan)
    assert page.evaluate(count(".zoning-label.zl-zone")) == len(zones)
    assert page.evaluate(count(".zoning-star")) == int(plan["is_center"].sum())
    assert page.evaluate(count(".leaflet-control-scale")) == 1
    assert page.evaluate(count(".leaflet-control-zoom-fullscreen")) == 1
    n_badges = int(plan["is_case_team_base"].sum() + plan["is_community_team_base"].sum())
    assert page.evaluate(count(".zoning-base .zb")) == n_badges
    assert page.evaluate(count(".zoning-base .zb-case")) == int(plan["is_case_team_base"].sum())
    assert page.evaluate(count(".leaflet-control-layers-overlays label")) == 8
    # title and legend live inside the map container (so they stay in full screen)
    assert page.evaluate(f"{_MAP_JS}.getContainer().querySelectorAll('.zoning-title').length")
    assert page.evaluate(f"{_MAP_JS}.getContainer().querySelectorAll('.zoning-legend').length")
    title = page.evaluate("document.querySelector('.zoning-title .zt-main').textContent")
    assert title == "<script>alert(3)</script>测试县防区方案"
    legend = page.evaluate("document.querySelector('.zoning-legend').innerText")
    assert "第一防区" in legend and "<svg onload=alert(2)>" in legend
    # the whole zone extent is on screen
    inside = page.evaluate(
        f"(() => {{ const m = {_MAP_JS}; const b = m.getBounds();"
        " return m.getContainer().querySelectorAll('path.leaflet-interactive').length > 0"
        " && Array.from(document.querySelectorAll('.zoning-label')).every((el) => {"
        " const r = el.firstChild.getBoundingClientRect();"
        " return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; });"
        " })()"
    )
    assert inside


def test_zone_names_stars_and_badges_do_not_overlap(page: Page) -> None:
    """Each zone's name sits above its 中心所 star, the station name below, badges beside."""
    clashes = page.evaluate(
        """(() => {
        const box = (el) => el.getBoundingClientRect();
        const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
            && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        const marks = [...document.querySelectorAll('.zoning-star svg, .zoning-base .zb')];
        const labels = [...document.querySelectorAll('.zoning-label.zl-star > span')];
        const out = [];
        for (const l of labels) for (const m of marks) if (hit(box(l), box(m)))
            out.push(l.textContent);
        for (let i = 0; i < marks.length; i++) for (let j = i + 1; j < marks.length; j++)
            if (hit(box(marks[i]), box(marks[j]))) out.push('marks ' + i + '/' + j);
        return [labels.length, out];
        })()"""
    )
    assert clashes[0] > 0
    assert clashes[1] == []


def test_basemap_tiles_are_the_only_requests(browser: Browser, plan_zones, tmp_path) -> None:
    """A user-requested tile server (here an unresolvable one) is asked for tiles, nothing
    else leaves the page, and a missing network only leaves the tiles blank."""
    plan, zones = plan_zones
    url = "http://tiles.invalid/pgis/{z}/{x}/{y}.png"
    m = map_from_plan(plan, zones, title="底图", basemap=url, incidents=fake_incidents())
    page = browser.open(save_map(m, tmp_path / "basemap.html"))
    try:
        _check_basemap_page(page, plan, zones)
    finally:
        page.close()


def _check_basemap_page(page: Page, plan, zones) -> None:
    browser = page.browser
    page.wait_for("document.querySelectorAll('img.leaflet-tile').length > 0")
    browser.pump(0.5)
    assert page.remote_requests()  # tiles were asked for …
    assert all(u.startswith("http://tiles.invalid/pgis/") for u in page.remote_requests())
    assert all("tiles.invalid/pgis/" in e for e in page.errors), page.errors  # … and failed
    assert page.evaluate("document.querySelectorAll('path.leaflet-interactive').length") == len(
        zones
    ) + len(plan)
    labels = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map((l) => l.textContent.trim())"
    )
    assert labels[0] == "底图：自有瓦片服务（tiles.invalid）"
    _shot(page, "map_offline_basemap.png")


def test_tooltips_and_popups_show_hostile_names_as_text(page: Page, plan_zones) -> None:
    plan, zones = plan_zones
    result = page.evaluate(
        f"""(() => {{
        const map = {_MAP_JS};
        const out = {{tooltips: [], popups: [], imgs: 0}};
        const feats = [];
        map.eachLayer((l) => {{ if (l.feature && l.getBounds) feats.push(l); }});
        for (const l of feats) {{
            const group = Object.values(l._eventParents || {{}})[0];
            if (!group) continue;
            const ll = l.getBounds().getCenter();
            l.fire('mouseover', {{latlng: ll}}, true);
            if (group.getTooltip() && group.isTooltipOpen()) {{
                const el = group.getTooltip().getElement();
                out.tooltips.push(el.innerText);
                out.imgs += el.querySelectorAll('img, svg').length;
            }}
            l.fire('mouseout', {{latlng: ll}}, true);
            l.fire('click', {{latlng: ll}}, true);
            if (group.getPopup() && group.isPopupOpen()) {{
                const el = group.getPopup().getElement();
                out.popups.push(el.innerText);
                out.imgs += el.querySelectorAll('img, svg').length;
            }}
            map.closePopup();
        }}
        return out;
        }})()"""
    )
    page.browser.pump(0.3)
    assert len(result["tooltips"]) == len(plan)
    assert len(result["popups"]) == len(plan) + len(zones)
    assert any(XSS in t for t in result["tooltips"])
    assert any("<svg onload=alert(2)>" in p for p in result["popups"])
    assert any("★" + XSS in p or XSS in p for p in result["popups"])
    assert result["imgs"] == 0
    assert page.dialogs == []
    assert page.errors == []
    assert page.remote_requests() == []
    tip = next(t for t in result["tooltips"] if "石门派出所" in t)
    assert "—" in tip  # NaN population shown as a dash


def test_heat_map_layer_toggles_on(page: Page) -> None:
    assert page.evaluate("document.querySelectorAll('canvas.leaflet-heatmap-layer').length") == 0
    page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".find((l) => l.textContent.includes('警情热力图')).querySelector('input').click()"
    )
    page.wait_for("document.querySelector('canvas.leaflet-heatmap-layer')")
    page.browser.pump(0.5)
    painted = page.evaluate(
        "(() => { const c = document.querySelector('canvas.leaflet-heatmap-layer');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; })()"
    )
    assert painted > 1000
    page.evaluate(f"void {_MAP_JS}.eachLayer((l) => l.closeTooltip && l.closeTooltip())")
    page.browser.pump(0.3)
    _shot(page, "map_offline_heat.png")
    assert page.errors == []
    assert page.remote_requests() == []


def test_cjk_font_installed() -> None:
    """Chinese labels need a CJK font on the machine that renders the screenshots."""
    fc_list = shutil.which("fc-list")
    _need(fc_list is not None, "fontconfig (fc-list) not installed")
    assert fc_list is not None
    fonts = subprocess.run(
        [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    ).stdout
    _need(bool(fonts.strip()), "no Chinese font installed: apt-get install -y fonts-noto-cjk")
