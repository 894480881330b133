"""Open the offline map in real headless Chromium with the network off.

Needs ``/usr/bin/chromium`` (Debian: ``apt-get install -y chromium fonts-noto-cjk``).
Without it these tests are skipped, unless the ``CI`` environment variable is
set, in which case they fail. Screenshots go to pytest's temporary folder (the path is
printed). The tests wait for page states, never for a number of seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests._browser import Browser, Page
from tests.conftest import PREFIXES, XSS, fake_incidents, fake_river, make_fake_plan, need
from zoning.maps.webmap import map_from_plan, save_map

pytestmark = pytest.mark.browser


_MAP_JS = "Object.values(window).find((v) => v instanceof L.Map)"


@pytest.fixture(scope="module")
def plan_zones():
    names = [f"{p}派出所" for p in PREFIXES[:9]]
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
    page = browser.open(html, settle=0)
    page.wait_for(_DRAWN)
    return page


#: The page has drawn its zones, labels, title and legend.
_DRAWN = (
    "document.querySelectorAll('path.leaflet-interactive').length > 0"
    " && document.querySelectorAll('.zoning-label').length > 0"
    " && document.querySelector('.zoning-title .zt-main') !== null"
    " && document.querySelector('.zoning-legend .zl-row') !== null"
)


def _shot(page: Page, folder: Path, name: str) -> Path:
    path = page.screenshot(folder / name)
    print(f"screenshot: {path}")
    return path


def test_offline_map_renders_without_errors(page: Page, plan_zones, artifacts: Path) -> None:
    plan, zones = plan_zones
    shot = _shot(page, artifacts, "map_offline.png")
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


def test_basemap_tiles_are_the_only_requests(browser: Browser, plan_zones, tmp_path: Path) -> None:
    """A user-requested tile server (here an unresolvable one) is asked for tiles, nothing
    else leaves the page, and a missing network only leaves the tiles blank."""
    plan, zones = plan_zones
    url = "http://tiles.invalid/pgis/{z}/{x}/{y}.png"
    m = map_from_plan(plan, zones, title="底图", basemap=url, incidents=fake_incidents())
    page = browser.open(save_map(m, tmp_path / "basemap.html"), settle=0)
    try:
        _check_basemap_page(page, plan, zones, tmp_path)
    finally:
        page.close()


def _until(page: Page, condition, timeout: float = 15) -> None:
    """Process the page's events until ``condition()`` holds (a state, not a delay)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the page"
        page.evaluate("0")  # a round trip: events that arrived meanwhile are recorded


def _check_basemap_page(page: Page, plan, zones, folder: Path) -> None:
    page.wait_for("document.querySelectorAll('img.leaflet-tile').length > 0")
    _until(page, page.remote_requests)
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
    _shot(page, folder, "map_offline_basemap.png")


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
    assert page.evaluate("document.querySelectorAll('img').length") == 0  # no markup ran
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


def test_heat_map_layer_toggles_on(page: Page, artifacts: Path) -> None:
    assert page.evaluate("document.querySelectorAll('canvas.leaflet-heatmap-layer').length") == 0
    page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".find((l) => l.textContent.includes('警情热力图')).querySelector('input').click()"
    )
    page.wait_for("document.querySelector('canvas.leaflet-heatmap-layer')")
    painted = page.wait_for(  # the heat layer paints on the next animation frame
        "(() => { const c = document.querySelector('canvas.leaflet-heatmap-layer');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;"
        " return n > 1000 && n; })()"
    )
    assert painted > 1000
    page.evaluate(f"void {_MAP_JS}.eachLayer((l) => l.closeTooltip && l.closeTooltip())")
    _shot(page, artifacts, "map_offline_heat.png")
    assert page.errors == []
    assert page.remote_requests() == []


def test_cjk_font_installed() -> None:
    """Chinese labels need a CJK font on the machine that renders the screenshots."""
    fc_list = shutil.which("fc-list")
    need(fc_list is not None, "fontconfig (fc-list) not installed")
    assert fc_list is not None
    fonts = subprocess.run(
        [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
    ).stdout
    need(bool(fonts.strip()), "no Chinese font installed: apt-get install -y fonts-noto-cjk")


#: Names an attacker would write: template syntax, markup that runs script, a line
#: separator; each must show as typed and run nothing.
HOSTILE = [
    "{{ 7*191 }}",
    "{% if 1 %}IF{% endif %}",
    "{# comment",
    "</script><script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "a\u2028b'\"\\`${x}",
]


def test_template_text_is_shown_literally_in_chromium(
    browser: Browser, tmp_path: Path, artifacts: Path
) -> None:
    """Tooltips, popups, labels, legend and title show hostile text as typed; nothing runs."""
    names = [*HOSTILE, *(f"{p}派出所" for p in PREFIXES[: 9 - len(HOSTILE)])]
    zone_names = ["{{ 7*191 }}防区", "<b>{% raw %}</b>", "第三防区"]
    title = "{{ 7*191 }}</script><script>window.__pwned = 3</script>"
    plan, zones = make_fake_plan(names=names, zone_names=zone_names)
    html = save_map(map_from_plan(plan, zones, title=title), tmp_path / "hostile.html")
    page = browser.open(html, settle=0)
    try:
        page.wait_for(_DRAWN)
        shown = page.evaluate(
            f"""(() => {{
            const map = {_MAP_JS};
            const out = {{tooltips: [], popups: []}};
            map.eachLayer((l) => {{
                if (!(l.feature && l.getBounds)) return;
                const group = Object.values(l._eventParents || {{}})[0];
                const ll = l.getBounds().getCenter();
                l.fire('mouseover', {{latlng: ll}}, true);
                const tip = group.getTooltip();
                if (tip && group.isTooltipOpen()) out.tooltips.push(tip.getElement().innerText);
                l.fire('mouseout', {{latlng: ll}}, true);
                l.fire('click', {{latlng: ll}}, true);
                if (group.isPopupOpen()) out.popups.push(group.getPopup().getElement().innerText);
                map.closePopup();
            }});
            out.labels = Array.from(document.querySelectorAll('.zoning-label > span'))
                .map((e) => e.textContent);
            out.title = document.querySelector('.zoning-title .zt-main').textContent;
            out.legend = document.querySelector('.zoning-legend').innerText;
            out.page_title = document.title;
            out.markup = document.querySelectorAll('img, b').length;
            out.scripts = document.scripts.length;
            out.pwned = window.__pwned === undefined ? null : window.__pwned;
            return out;
            }})()"""
        )
        _shot(page, artifacts, "map_hostile_names.png")
    finally:
        page.close()
    assert shown["pwned"] is None and page.dialogs == [] and page.errors == []
    assert shown["markup"] == 0  # no name became an element
    assert shown["scripts"] == html.read_text(encoding="utf-8").count("<script")  # none closed
    assert shown["title"] == title and shown["page_title"] == title
    assert "1337" not in " ".join([*shown["tooltips"], *shown["popups"], *shown["labels"]])
    for name in names:
        flat = name.replace("\u2028", "\n")  # innerText shows the line separator as a break
        assert name in shown["labels"], name
        assert any(name in t or flat in t for t in shown["tooltips"]), name
        assert any(name in p or flat in p for p in shown["popups"]), name
    for zone in zone_names:
        assert zone in shown["legend"] and zone in shown["labels"]


#: ``[hidden station names, clashes]`` of the names shown: name/name and name/star or badge.
_LAYOUT_STATE = """(() => {
    const root = document.querySelector('.leaflet-container');
    const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const spans = [...root.querySelectorAll('.zoning-label > span')];
    const shown = spans.filter((s) => getComputedStyle(s).visibility !== 'hidden');
    const marks = [...root.querySelectorAll('.zoning-star svg, .zoning-base .zb')]
        .map((m) => m.getBoundingClientRect());
    const boxes = shown.map((s) => s.getBoundingClientRect());
    const out = [];
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++)
            if (hit(boxes[i], boxes[j]))
                out.push(shown[i].textContent + ' / ' + shown[j].textContent);
        for (const m of marks) if (hit(boxes[i], m)) out.push(shown[i].textContent + ' / mark');
    }
    return [spans.length - shown.length, out];
})()"""


def test_names_are_laid_out_again_at_every_zoom(
    browser: Browser, plan_zones, tmp_path: Path
) -> None:
    """Zoomed out, station names that find no clear place are hidden (zone and 中心所
    names move instead); zoomed back in, they all show again. Never two names on
    top of each other, never a name on a star or badge."""
    plan, zones = plan_zones
    html = save_map(map_from_plan(plan, zones, title="测试县"), tmp_path / "zoom.html")
    page = browser.open(html, settle=0)
    page.wait_for(_DRAWN)
    # the map opens on its final view: an animated first zoom would move the names
    # after they were laid out (a CI run measured names on top of one another)
    assert page.evaluate("document.querySelector('.leaflet-zoom-anim') === null")
    zoom = page.evaluate(f"{_MAP_JS}.getZoom()")

    def laid_out(z: float) -> list[Any]:
        page.wait_for(
            f"document.querySelector('.leaflet-container').dataset.zoningLaidOut === '{z}'"
        )
        return page.evaluate(_LAYOUT_STATE)

    hidden, clashes = laid_out(zoom)
    assert (hidden, clashes) == (0, [])

    def zoom_to(z: float) -> float:  # at once, no animation (``reset``)
        return page.evaluate(
            f"(m => m.setView(m.getCenter(), {z}, {{reset: true}}).getZoom())({_MAP_JS})"
        )

    out = zoom_to(zoom - 3)
    assert out < zoom
    hidden_out, clashes = laid_out(out)
    assert clashes == []
    assert 0 < hidden_out < len(plan)  # some station names wait for a closer zoom
    _shot(page, tmp_path, "map_zoomed_out.png")
    assert zoom_to(zoom) == zoom
    assert laid_out(zoom) == [0, []]
    assert page.errors == []
