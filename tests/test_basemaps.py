"""Basemaps (zoning.maps.basemaps): choices, keys, GCJ-02 shift, and the offline rule for tiles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import fake_incidents, fake_river, make_fake_plan, remote_resources
from zoning.errors import InputError, ZoningWarning
from zoning.io.crs import wgs84_to_gcj02
from zoning.maps import basemaps as _basemaps
from zoning.maps import offline as _offline
from zoning.maps.webmap import map_from_plan, save_map

KEY = "0123456789abcdef0123456789abcdef"
PGIS = "http://10.1.2.3/tiles/{z}/{x}/{y}.png"


def _tile_urls(page: str) -> list[str]:
    """Tile URL templates written into a page (JSON strings after ``L.tileLayer(``)."""
    found = re.findall(r'L\.tileLayer\(\s*("(?:[^"\\]|\\.)*")', page)
    return [json.loads(u) for u in found]


@pytest.mark.parametrize("spec", [None, "", "none", "NONE", "无"])
def test_no_basemap(spec: str | None) -> None:
    assert _basemaps.resolve_basemap(spec) is None


@pytest.mark.parametrize(
    ("spec", "kind", "gcj02", "n_layers"),
    [
        ("osm", "osm", False, 1),
        ("OpenStreetMap", "osm", False, 1),
        ("gaode", "gaode", True, 1),
        ("高德", "gaode", True, 1),
        ("amap", "gaode", True, 1),
        (PGIS, "custom", False, 1),
        ("https://pgis.example/arcgis/tile/{z}/{y}/{x}", "custom", False, 1),
    ],
)
def test_named_and_custom_basemaps(spec: str, kind: str, gcj02: bool, n_layers: int) -> None:
    basemap = _basemaps.resolve_basemap(spec)
    assert basemap is not None
    assert (basemap.kind, basemap.gcj02, len(basemap.layers)) == (kind, gcj02, n_layers)
    for layer in basemap.layers:
        assert all(p in layer.url for p in ("{z}", "{x}", "{y}"))
        assert layer.url.startswith(("http://", "https://"))
    if kind == "custom":
        assert basemap.layers[0].url == spec


@pytest.mark.parametrize(
    "spec",
    [
        "google",
        "ftp://10.1.2.3/{z}/{x}/{y}.png",
        "http://10.1.2.3/tiles/{z}/{x}.png",  # no {y}
        'http://x/{z}/{x}/{y}.png"onload="alert(1)',
        "http://x/<script>/{z}/{x}/{y}.png",
        "javascript:alert(1)//{z}/{x}/{y}",
    ],
)
def test_bad_basemaps_are_input_errors(spec: str) -> None:
    with pytest.raises(InputError, match="none、osm、tianditu、gaode"):
        _basemaps.resolve_basemap(spec)


def test_tianditu_needs_a_key_and_warns_that_it_is_embedded() -> None:
    for key in (None, "", "abc", "key with spaces 0123456789", "0123456789abcdef&x=1"):
        with pytest.raises(InputError, match="--tianditu-key"):
            _basemaps.resolve_basemap("tianditu", tianditu_key=key)
    with pytest.warns(ZoningWarning, match="明文"):
        basemap = _basemaps.resolve_basemap("天地图", tianditu_key=KEY)
    assert basemap is not None and basemap.kind == "tianditu" and not basemap.gcj02
    vec, cva = basemap.layers
    assert "/vec_w/wmts" in vec.url and "LAYER=vec" in vec.url
    assert "/cva_w/wmts" in cva.url and "LAYER=cva" in cva.url  # Chinese labels
    assert all(f"tk={KEY}" in u for u in basemap.urls)


def test_shift_moves_every_coordinate_to_gcj02() -> None:
    plan, _ = make_fake_plan()
    shifted = _basemaps.shift_frame(plan)
    ring = np.asarray(plan.geometry.iloc[0].exterior.coords)
    lon, lat = wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    got = np.asarray(shifted.geometry.iloc[0].exterior.coords)
    np.testing.assert_allclose(got, np.c_[lon, lat], atol=1e-12)
    lon, lat = wgs84_to_gcj02(plan["seat_lon"], plan["seat_lat"])
    np.testing.assert_allclose(shifted["seat_lon"], lon)
    np.testing.assert_allclose(shifted["seat_lat"], lat)
    # the GCJ-02 offset near 115.2°E 27.2°N is a few hundred metres
    dx = (got[0, 0] - ring[0, 0]) * 111_320 * np.cos(np.radians(27.2))
    dy = (got[0, 1] - ring[0, 1]) * 110_570
    assert 100 < np.hypot(dx, dy) < 1000
    points = _basemaps.shift_points(pd.DataFrame({"lon": [115.2, np.nan], "lat": [27.2, 27.0]}))
    assert points["lon"][0] == pytest.approx(wgs84_to_gcj02(115.2, 27.2)[0][0])
    assert np.isnan(points["lon"][1])
    assert shapely.equals(_basemaps.shift_frame(plan).geometry, plan.geometry).sum() == 0


def _layer_geoms(m, name: str) -> list[shapely.Geometry]:
    layer = next(c for c in m._children.values() if getattr(c, "layer_name", "") == name)
    return [shapely.geometry.shape(f["geometry"]) for f in layer.data["features"]]


def _gcj02(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.c_[wgs84_to_gcj02(xy[:, 0], xy[:, 1])])


def test_gaode_map_moves_the_overlays_and_others_do_not(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    plain = map_from_plan(plan, zones, title="t", incidents=fake_incidents(), river=fake_river())
    gaode = map_from_plan(
        plan, zones, title="t", incidents=fake_incidents(), river=fake_river(), basemap="gaode"
    )
    osm = map_from_plan(plan, zones, title="t", basemap="osm")
    for name in ("派出所辖区", "防区", "河流"):
        for a, b in zip(_layer_geoms(plain, name), _layer_geoms(gaode, name), strict=True):
            assert shapely.hausdorff_distance(_gcj02(a), b) < 1e-4  # ~10 m: simplified
            assert shapely.hausdorff_distance(a, b) > 2e-3  # moved by a few hundred metres
    for a, b in zip(_layer_geoms(osm, "防区"), _layer_geoms(plain, "防区"), strict=True):
        assert shapely.equals_exact(a, b, tolerance=0)
    heat: Any = next(c for c in gaode._children.values() if type(c).__name__ == "HeatMap")
    heat0: Any = next(c for c in plain._children.values() if type(c).__name__ == "HeatMap")
    assert np.mean(heat.data, axis=0)[1] > np.mean(heat0.data, axis=0)[1] + 0.003  # lon east
    page = save_map(gaode, tmp_path / "gaode.html").read_text("utf-8")
    assert _tile_urls(page) == [_basemaps.resolve_basemap("gaode").layers[0].url]  # type: ignore[union-attr]
    assert "autonavi.com" in page


@pytest.mark.parametrize("spec", ["osm", "gaode", PGIS, "tianditu"])
def test_requested_tiles_are_the_only_remote_urls_offline(spec: str, tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    if spec == "tianditu":
        with pytest.warns(ZoningWarning):
            m = map_from_plan(plan, zones, title="t", basemap=spec, tianditu_key=KEY)
    else:
        m = map_from_plan(plan, zones, title="t", basemap=spec, incidents=fake_incidents())
    basemap = _basemaps.resolve_basemap(spec, tianditu_key=KEY) if spec != "tianditu" else None
    page = save_map(m, tmp_path / "m.html").read_text("utf-8")  # offline: allowed
    urls = _tile_urls(page)
    assert set(urls) == set(_basemaps.requested_tile_urls(m))
    if basemap is not None:
        assert set(urls) == basemap.urls
    assert remote_resources(page) == []  # no script, stylesheet, image, font from the net
    assert len(_offline.external_resources(page)) == len(urls)  # only the tile layers …
    assert _offline.external_resources(page, allowed_tiles=set(urls)) == []  # … once allowed
    assert "<script src=" not in page
    assert '"1.9.3"' in page  # Leaflet still inlined


def test_custom_tile_server_name_is_escaped() -> None:
    basemap = _basemaps.resolve_basemap("http://a&b.local/{z}/{x}/{y}.png")
    assert basemap is not None
    plan, zones = make_fake_plan()
    page = map_from_plan(plan, zones, title="t", basemap=basemap).get_root().render()
    assert "a&amp;b.local" in page.replace("\\u0026", "&")


def test_no_basemap_page_has_no_tile_layer(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    m = map_from_plan(plan, zones, title="t")
    assert _basemaps.requested_tile_urls(m) == frozenset()
    page = save_map(m, tmp_path / "m.html").read_text("utf-8")
    assert "tileLayer(" not in page
    assert _offline.external_resources(page) == []


def test_online_overlay_is_still_refused_with_tiles_allowed(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    m = map_from_plan(plan, zones, title="t", online=True)  # not a requested basemap
    assert _basemaps.requested_tile_urls(m) == frozenset()
    with pytest.raises(_offline.OfflineAssetError, match=r"tile\.openstreetmap\.org"):
        save_map(m, tmp_path / "x.html")


@pytest.mark.parametrize(
    ("snippet", "allowed", "remote"),
    [
        ('L.tileLayer("https://t.org/{z}/{x}/{y}.png", {})', {"https://t.org/{z}/{x}/{y}.png"}, 0),
        ('L.tileLayer("https://t.org/{z}/{x}/{y}.png", {})', {"https://t.org/{z}/{y}/{x}.png"}, 1),
        (
            'L.tileLayer("https://t.org/a?x={x}\\u0026y={y}\\u0026z={z}")',
            {"https://t.org/a?x={x}&y={y}&z={z}"},
            0,
        ),
        ("L.tileLayer('https://t.org/{z}/{x}/{y}.png')", {"https://t.org/{z}/{x}/{y}.png"}, 1),
        ('<img src="https://t.org/{z}/{x}/{y}.png">', {"https://t.org/{z}/{x}/{y}.png"}, 1),
        ('<script src="https://t.org/x.js"></script>', {"https://t.org/x.js"}, 1),
    ],
)
def test_allowed_tiles_allow_exactly_those_tile_layers(
    snippet: str, allowed: set[str], remote: int
) -> None:
    assert len(_offline.external_resources(snippet, allowed_tiles=allowed)) == remote
