"""Tests of the map stage (zoning.maps.webmap, zoning.maps.offline) on a small fake plan."""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import (
    DATA_BLOCK,
    PREFIXES,
    XSS,
    demo_result,
    demo_river,
    fake_incidents,
    fake_river,
    make_fake_plan,
    page_data,
    readable,
    remote_resources,
)
from zoning._i18n import set_language
from zoning.errors import InputError
from zoning.maps import offline as _offline
from zoning.maps import style as _mapkit
from zoning.maps._page import PageData
from zoning.maps.webmap import URBAN_CORE_COLOUR, ZONE_COLOURS, map_from_plan, save_map


def _in_page(text: str, page: str) -> bool:
    """True if ``text`` appears in the page as HTML, inside a JSON string or a data block."""
    return text in page or json.dumps(text)[1:-1] in page or text in readable(page)


@pytest.fixture(scope="module")
def plan_zones() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return make_fake_plan()


@pytest.fixture(scope="module")
def offline_page(plan_zones, tmp_path_factory) -> str:
    plan, zones = plan_zones
    m = map_from_plan(
        plan, zones, title="测试县防区方案", incidents=fake_incidents(), river=fake_river()
    )
    out = save_map(m, tmp_path_factory.mktemp("map") / "sub" / "plan.html")
    assert out.is_file()
    return out.read_text(encoding="utf-8")


def test_offline_page_loads_nothing_remote(offline_page: str) -> None:
    assert remote_resources(offline_page) == []
    assert _offline.external_resources(offline_page) == []
    assert "<script src=" not in offline_page
    assert '<link rel="stylesheet"' not in offline_page
    assert "tileLayer(" not in offline_page


def test_offline_page_inlines_exactly_what_it_uses(offline_page: str) -> None:
    assert '"1.9.3"' in offline_page  # Leaflet's version string, inlined
    assert "Control.FullScreen" in offline_page
    assert "L.heatLayer" in offline_page
    assert "data:image/png;base64," in offline_page  # layers.png from leaflet.css
    assert "data:image/svg+xml;base64," in offline_page  # full-screen icon
    for unused in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons"):
        assert unused not in offline_page.lower()


def test_map_content(offline_page: str, plan_zones) -> None:
    plan, zones = plan_zones
    offline_page = readable(offline_page)
    for name in [*plan["station_name"], *zones["zone_name"]]:
        assert _in_page(name, offline_page), name
    assert "<title>测试县防区方案</title>" in offline_page
    assert "9 个派出所 · 3 个防区" in offline_page
    assert "L.control.scale()" in offline_page
    assert "L.control.fullscreen" in offline_page
    assert "L.control.layers" in offline_page
    assert "fitBounds" in offline_page
    assert offline_page.count('class="zl-sw"') == 3  # legend rows
    # rural zones take the palette in order, the urban-core zone (2) its own colour
    swatches = re.findall(r'class="zl-sw" style="background:(#[0-9A-F]{6})"', offline_page)
    assert swatches == [ZONE_COLOURS[0], URBAN_CORE_COLOUR, ZONE_COLOURS[1]]  # blue, purple, green
    assert offline_page.count("zoning-star") >= 3
    assert "Noto Sans CJK SC" in offline_page
    assert _in_page("—", offline_page)  # NaN population / officers / load per officer
    assert _in_page("警情热力图", offline_page)
    assert _in_page("河流", offline_page)


def test_xss_names_are_escaped(tmp_path: Path) -> None:
    zone_evil = '"><script>alert(2)</script>'
    names = [f"{p}派出所" for p in PREFIXES[:9]]
    names[4] = XSS
    plan, zones = make_fake_plan(names=names, zone_names=["第一防区", zone_evil, "第三防区"])
    zones["center_reason"] = XSS
    zones["case_team_name"] = ["<i>x</i>", None, ""]
    title = "<b>标题</b> & `${x}`"
    raw_page = save_map(map_from_plan(plan, zones, title=title), tmp_path / "x.html").read_text(
        encoding="utf-8"
    )
    page = readable(raw_page)  # the data block decoded: what the scripts insert as HTML
    for raw in (XSS, "<script>alert(2)", "<b>标题</b>", "${x}", "<i>x</i>"):
        for text in (raw_page, page):
            assert raw not in text
            assert json.dumps(raw)[1:-1] not in text  # not even inside JSON data
            assert raw.replace("<", "\\u003c").replace(">", "\\u003e") not in text
    assert "\\u003cimg" not in page and "\\u003cscript\\u003ealert" not in page
    # the names are still there, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;标题&lt;/b&gt; &amp; &#96;&#36;&#123;x&#125;&#96;" in page
    assert "<title>&lt;b&gt;标题&lt;/b&gt; &amp; &#96;&#36;&#123;x&#125;&#96;</title>" in raw_page
    assert "&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page
    # the data block cannot be closed early: no "<" inside it at all
    for block in DATA_BLOCK.findall(raw_page):
        assert "<" not in block and ">" not in block


def test_online_keeps_cdn_links(plan_zones, tmp_path: Path) -> None:
    plan, zones = plan_zones
    m = map_from_plan(plan, zones, title="在线", incidents=fake_incidents(), online=True)
    page = save_map(m, tmp_path / "online.html", online=True).read_text(encoding="utf-8")
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js">' in page
    assert "leaflet.fullscreen@3.0.0" in page and "leaflet_heat.min.js" in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "tile.openstreetmap.org" in page
    offline = tmp_path / "offline.html"
    save_map(map_from_plan(plan, zones, title="离线"), offline)
    assert len(page.encode()) < offline.stat().st_size / 3


def test_saving_is_repeatable(plan_zones, tmp_path: Path) -> None:
    plan, zones = plan_zones
    m = map_from_plan(plan, zones, title="两次", incidents=fake_incidents())
    first = save_map(m, tmp_path / "a.html").read_bytes()
    save_map(m, tmp_path / "online.html", online=True)
    assert save_map(m, tmp_path / "b.html").read_bytes() == first


def test_online_basemap_cannot_be_saved_offline(plan_zones, tmp_path: Path) -> None:
    plan, zones = plan_zones
    m = map_from_plan(plan, zones, title="在线", online=True)
    with pytest.raises(_offline.OfflineAssetError, match=r"tile\.openstreetmap\.org"):
        save_map(m, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_unvendored_resource_is_refused() -> None:
    with pytest.raises(_offline.OfflineAssetError, match=r"evil\.example"):
        _offline.inline_resources('<script src="https://evil.example/x.js"></script>')
    with pytest.raises(_offline.OfflineAssetError):
        _offline.inline_resources('<link rel="stylesheet" href="//evil.example/x.css"/>')


@pytest.mark.parametrize(
    ("snippet", "remote"),
    [
        ('<img src="https://x.org/a.png">', True),
        ("<script src=//x.org/a.js></script>", True),
        ("<link href='http://x.org/a.css' rel=stylesheet>", True),
        ("a { background: url( 'https://x.org/a.png') }", True),
        ('@import "https://x.org/a.css";', True),
        ("@import url(//x.org/a.css);", True),
        ('L.tileLayer("https://{s}.tile.org/{z}/{x}/{y}.png")', True),
        ('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>', False),
        ('<svg xmlns="http://www.w3.org/2000/svg"></svg>', False),
        ("a { background: url(data:image/png;base64,AAAA) }", False),
    ],
)
def test_external_resource_detection(snippet: str, remote: bool) -> None:
    assert bool(_offline.external_resources(snippet)) is remote
    if "tileLayer" not in snippet:
        assert bool(remote_resources(snippet)) is remote


def test_21_station_map_stays_small(tmp_path: Path) -> None:
    plan, zones = make_fake_plan(7, 3, 5, edge_points=400, urban_zone=3)
    m = map_from_plan(
        plan, zones, title="21 所", incidents=fake_incidents(20000), river=fake_river()
    )
    out = save_map(m, tmp_path / "big.html")
    size = out.stat().st_size
    print(f"21-station offline map: {size / 1e6:.2f} MB")
    assert size < 3_000_000


def test_english_labels(plan_zones, tmp_path: Path) -> None:
    plan, zones = plan_zones

    def build() -> str:
        set_language("en")
        m = map_from_plan(plan, zones, title="Plan", incidents=fake_incidents())
        return save_map(m, tmp_path / "en.html").read_text(encoding="utf-8")

    page = readable(contextvars.copy_context().run(build))
    assert "9 stations · 3 zones" in page
    assert "Incident heat map" in page and "Centre station" in page


def test_projected_input_and_missing_optional_columns(plan_zones, tmp_path: Path) -> None:
    plan, zones = plan_zones
    slim_zones = zones[["zone", "geometry"]].to_crs(3857)
    slim_plan = plan[["station_name", "zone", "geometry"]].to_crs(32650)
    page = save_map(map_from_plan(slim_plan, slim_zones, title="t"), tmp_path / "m.html")
    text = readable(page.read_text(encoding="utf-8"))
    assert _in_page("第1防区", text)
    assert '"zoning-star",' not in text  # no is_center column: no stars


def test_missing_columns_are_reported() -> None:
    plan, zones = make_fake_plan()
    with pytest.raises(InputError) as err:
        map_from_plan(
            plan.drop(columns=["zone"]),
            zones,
            title="t",
            incidents=pd.DataFrame({"x": [1.0]}),
        )
    assert len(err.value.problems) == 2


def test_vendored_assets_match_readme() -> None:
    readme = (_offline.ASSETS_DIR / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w./-]+)` \| (\d+) \| `([0-9a-f]{64})` \|$", readme, re.MULTILINE)
    listed = {rel: digest for rel, _, digest in rows}
    files = {
        p.relative_to(_offline.ASSETS_DIR).as_posix()
        for p in _offline.ASSETS_DIR.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert set(listed) == files
    for rel, size, digest in rows:
        data = (_offline.ASSETS_DIR / rel).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (int(size), digest), rel
    for asset in _offline.VENDORED.values():
        assert asset.path in files
        licence = (_offline.ASSETS_DIR / asset.path).parent / "LICENSE"
        assert licence.is_file()


def test_team_bases_have_badges_and_legend(offline_page: str, plan_zones) -> None:
    plan, _ = plan_zones
    offline_page = json.dumps(page_data(offline_page), ensure_ascii=False) + readable(offline_page)
    n_badges = int(plan["is_case_team_base"].sum() + plan["is_community_team_base"].sum())
    assert offline_page.count('"zoning-base"') == n_badges
    assert offline_page.count('"zoning-star"') == int(plan["is_center"].sum())
    for text in ("执法办案队驻地", "社区警务队驻地", "执法办案队、社区警务队驻地"):
        assert _in_page(text, offline_page), text
    assert 'class="zl-row"><span class="zb zb-case">案</span>' in offline_page  # legend row


def test_no_team_columns_no_badges(tmp_path: Path) -> None:
    plan, zones = make_fake_plan(teams=False)
    raw = save_map(map_from_plan(plan, zones, title="t"), tmp_path / "m.html").read_text("utf-8")
    page = json.dumps(page_data(raw), ensure_ascii=False) + readable(raw)
    assert '"zoning-base"' not in page
    assert not _in_page("执法办案队驻地", page)
    assert not _in_page("执法办案队、社区警务队驻地", page)  # no empty layer either


def _popups(m) -> dict[int, str]:
    """Zone popups (HTML) by zone, read from the map's data block."""
    data = next(c for c in m._children.values() if isinstance(c, PageData))
    return data.popups


def test_zone_popup_shows_optional_figures(plan_zones) -> None:
    plan, zones = plan_zones
    plain = _popups(map_from_plan(plan, zones, title="t"))[1]
    for word in ("通行时间", "可达", "选址理由"):
        assert word not in plain
    assert "社区警务队" in plain and "执法办案队" in plain  # from the plan flags
    zones = zones.assign(
        center_reason="人口最多、位置居中",
        max_minutes=[23.46, 18.0, 30.0],
        mean_minutes=[12.0, 9.5, 14.25],
        share_within_t=[0.875, 1.0, 0.6],
        within_minutes=15,
        travel_method="straight_line",
    )
    popup = _popups(map_from_plan(plan, zones, title="t"))[1]
    assert "按直线距离估算" in popup
    for text in (
        "选址理由",
        "人口最多、位置居中",
        "最长通行时间",
        "23.5 分钟",
        "平均通行时间",
        "12.0 分钟",
        "15 分钟内可达",
        "87.5%",
        "警情负荷",
        "每名民警警情",
        "警力",
    ):
        assert text in popup, text
    no_t = _popups(map_from_plan(plan, zones.drop(columns="within_minutes"), title="t"))[1]
    assert "时限内可达" in no_t


def test_labels_stack_on_the_centre_star(offline_page: str, plan_zones) -> None:
    _, zones = plan_zones
    offline_page = readable(offline_page)
    assert offline_page.count("zl-zone zl-above zl-star") == len(zones)
    assert offline_page.count("zl-below zl-star") == len(zones)


@pytest.mark.parametrize("tolerance", [_mapkit.SIMPLIFY_DEG, 1e-3])
def test_simplified_stations_still_tile(tolerance: float) -> None:
    plan, _ = make_fake_plan(7, 3, 5, edge_points=400, urban_zone=3)
    original = np.asarray(plan.geometry.values, dtype=object)
    simple = _mapkit.light_geoms(original, tolerance)
    kept = shapely.get_num_coordinates(simple).sum() / shapely.get_num_coordinates(original).sum()
    assert kept < (0.5 if tolerance >= 1e-3 else 1.0)
    assert shapely.is_valid(simple).all()
    union = shapely.union_all(simple)
    before = shapely.union_all(original).area
    assert union.area == pytest.approx(before, rel=1e-3)  # nothing lost at the border
    assert sum(g.area for g in simple) == pytest.approx(union.area, rel=1e-9)  # no overlaps
    assert union.geom_type == "Polygon" and shapely.get_num_interior_rings(union) == 0  # no gaps
    tree = shapely.STRtree(simple)
    for i, j in zip(*tree.query(simple, predicate="intersects"), strict=True):
        if i < j:
            assert simple[i].intersection(simple[j]).area < 1e-12


def test_invalid_coverage_is_simplified_one_by_one() -> None:
    a = shapely.box(0, 0, 1, 1)
    b = shapely.box(0.5, 0, 1.5, 1)  # overlaps a: not a coverage
    out = _mapkit.light_geoms([a, b], tolerance=0.01)
    assert [g.area for g in out] == [pytest.approx(1.0), pytest.approx(1.0)]


def test_demo_map_is_under_3_mb(tmp_path: Path) -> None:
    result = demo_result()
    incidents = result.load.incidents
    assert incidents is not None and len(incidents) > 10_000
    m = map_from_plan(
        result.plan, result.zones, title="示例县", incidents=incidents, river=demo_river()
    )
    size = save_map(m, tmp_path / "demo.html").stat().st_size
    print(f"demo offline map: {size / 1e6:.2f} MB")
    assert size < 3_000_000
