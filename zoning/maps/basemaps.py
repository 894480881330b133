"""Optional background tiles under the plan: OpenStreetMap, 天地图, 高德, or the user's own.

A zoning map has no basemap by default: it must open on a police network with
no internet. When one is asked for, its tile layer is the only remote address
the offline page may contain (:func:`requested_tile_urls` tells
:func:`zoning.maps.webmap.save_map` which ones were asked for).

高德 (Gaode/AMap) tiles are drawn in GCJ-02, which is shifted 300–600 m from
WGS84 in China; with ``basemap="gaode"`` every overlay (zones, stations, seats,
markers, heat points, river) is moved WGS84 → GCJ-02 with
:func:`zoning.io.crs.wgs84_to_gcj02` so that it lines up with the tiles.
OpenStreetMap and 天地图 (Tianditu, CGCS2000 ≈ WGS84) need no shift; a custom
XYZ server (e.g. an internal PGIS tile server) is assumed to serve WGS84 Web
Mercator tiles.

Examples
--------
>>> resolve_basemap("osm").layers[0].url
'https://tile.openstreetmap.org/{z}/{x}/{y}.png'
>>> resolve_basemap("none") is None
True
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning._i18n import tr
from zoning._schema import LAT, LON, SEAT_LAT, SEAT_LON
from zoning.errors import InputError, ZoningWarning
from zoning.io.crs import wgs84_to_gcj02
from zoning.maps.style import esc

#: Named basemaps accepted by ``--basemap`` (besides an ``http(s)://…{z}/{x}/{y}…`` URL).
BASEMAP_CHOICES: tuple[str, ...] = ("none", "osm", "tianditu", "gaode")

_ALIASES = {
    "": "none",
    "none": "none",
    "无": "none",
    "osm": "osm",
    "openstreetmap": "osm",
    "tianditu": "tianditu",
    "tdt": "tianditu",
    "天地图": "tianditu",
    "gaode": "gaode",
    "amap": "gaode",
    "autonavi": "gaode",
    "高德": "gaode",
}
_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_GAODE_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=%(key)s"
)
_KEY = re.compile(r"[A-Za-z0-9]{8,64}")
_URL = re.compile(r"https?://[^\s\"'<>\\`]+", re.IGNORECASE)
#: The placeholders a Leaflet tile URL template may hold; any other brace is refused,
#: so a template delimiter (``{{``, ``{%``, ``{#``) can never reach the page's templates.
_PLACEHOLDER = re.compile(r"\{(?:s|z|x|y|-y|r)\}")


@dataclass(frozen=True)
class TileSpec:
    """One XYZ tile layer.

    Parameters
    ----------
    url
        Leaflet URL template (``{z}``, ``{x}``, ``{y}``, optionally ``{s}``).
    name
        Name in the layer control (plain text; escaped when drawn).
    attribution
        Attribution HTML (fixed text written here, never user input).
    subdomains
        Values of ``{s}``.
    max_zoom
        Highest zoom level the server has tiles for.
    """

    url: str
    name: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18


@dataclass(frozen=True)
class Basemap:
    """A requested basemap: its tile layers and whether overlays need GCJ-02."""

    kind: str  # "osm", "tianditu", "gaode" or "custom"
    layers: tuple[TileSpec, ...]
    gcj02: bool = False

    @property
    def urls(self) -> frozenset[str]:
        """The tile URL templates of this basemap."""
        return frozenset(t.url for t in self.layers)


class BasemapTiles(folium.TileLayer):
    """A tile layer the user asked for (allowed in an offline page)."""


def _bad(spec: str) -> InputError:
    """The error for a basemap value that is neither a known name nor a URL template."""
    return InputError(
        tr(
            f"底图“{spec}”无效：可选 none、osm、tianditu、gaode，或自有瓦片服务地址模板，"
            "如 http://10.1.2.3/tiles/{z}/{x}/{y}.png（须含 {z}、{x}、{y}）",
            f"Basemap '{spec}' is not valid: use none, osm, tianditu, gaode, or the URL "
            "template of your own tile server, e.g. http://10.1.2.3/tiles/{z}/{x}/{y}.png "
            "(with {z}, {x} and {y})",
        )
    )


def resolve_basemap(
    spec: str | Basemap | None, *, tianditu_key: str | None = None
) -> Basemap | None:
    """Turn a ``--basemap`` value into tile layers.

    Parameters
    ----------
    spec
        ``None``/``"none"`` (no basemap), ``"osm"``, ``"tianditu"``, ``"gaode"``,
        an XYZ URL template ``http(s)://…{z}…{x}…{y}…`` (e.g. an internal PGIS
        tile server), or an already resolved :class:`Basemap`.
    tianditu_key
        天地图 key (``tk``), required for ``"tianditu"``. It ends up in the HTML.

    Returns
    -------
    Basemap or None

    Raises
    ------
    InputError
        For an unknown name, a malformed URL template, or 天地图 without a valid key.

    Warns
    -----
    ZoningWarning
        For 天地图: the key is written into the page in plain text.
    """
    if spec is None or isinstance(spec, Basemap):
        return spec
    text = str(spec).strip()
    kind = _ALIASES.get(text.lower())
    if kind == "none":
        return None
    if kind == "osm":
        attr = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
        name = tr("底图：OpenStreetMap", "Basemap: OpenStreetMap")
        return Basemap("osm", (TileSpec(_OSM_URL, name, attr, "abc", 19),))
    if kind == "gaode":
        name = tr("底图：高德地图", "Basemap: Gaode (AMap)")
        layer = TileSpec(_GAODE_URL, name, "&copy; 高德地图 AutoNavi", "1234", 18)
        return Basemap("gaode", (layer,), gcj02=True)
    if kind == "tianditu":
        return _tianditu(tianditu_key)
    if (
        _URL.fullmatch(text)
        and not re.search(r"[{}]", _PLACEHOLDER.sub("", text))
        and all(p in text for p in ("{z}", "{x}"))
        and re.search(r"\{-?y\}", text)
    ):
        host = re.sub(r"^https?://", "", text, flags=re.IGNORECASE).split("/", 1)[0]
        name = tr(f"底图：自有瓦片服务（{host}）", f"Basemap: own tile server ({host})")
        attr = tr("自有地图服务", "own map server")
        return Basemap("custom", (TileSpec(text, name, attr, "abc", 18),))
    raise _bad(text)


def _tianditu(key: str | None) -> Basemap:
    """天地图 vector tiles and Chinese labels for a key (warns: the key is embedded)."""
    key = (key or "").strip()
    if not _KEY.fullmatch(key):
        raise InputError(
            tr(
                "天地图底图需要有效的密钥（tk，字母和数字）：请用 --tianditu-key 提供，"
                "可在 https://console.tianditu.gov.cn 申请",
                "The Tianditu basemap needs a valid key (tk, letters and digits): pass "
                "--tianditu-key; keys are issued at https://console.tianditu.gov.cn",
            )
        )
    warnings.warn(
        tr(
            "天地图密钥将以明文写入地图 HTML 文件：分享该文件即分享密钥"
            "（可在天地图控制台为密钥设置域名/IP 白名单）。",
            "The Tianditu key is written into the map HTML in plain text: sharing the file "
            "shares the key (restrict the key to your domains/IPs in the Tianditu console).",
        ),
        ZoningWarning,
        stacklevel=3,
    )
    attr = '&copy; <a href="https://www.tianditu.gov.cn">天地图</a>'
    vec = TileSpec(
        _TIANDITU_URL % {"layer": "vec", "key": key},
        tr("底图：天地图矢量", "Basemap: Tianditu vector"),
        attr,
        "01234567",
        18,
    )
    cva = TileSpec(
        _TIANDITU_URL % {"layer": "cva", "key": key},
        tr("底图：天地图注记", "Basemap: Tianditu labels"),
        attr,
        "01234567",
        18,
    )
    return Basemap("tianditu", (vec, cva))


def add_basemap(m: folium.Map, basemap: Basemap) -> None:
    """Add the basemap's tile layers to a map (shown, switchable in the layer control)."""
    for spec in basemap.layers:
        BasemapTiles(
            spec.url,
            name=esc(spec.name),  # Leaflet writes layer names as HTML
            attr=spec.attribution,
            subdomains=spec.subdomains,
            max_zoom=18,
            max_native_zoom=spec.max_zoom,
            overlay=True,
            control=True,
            show=True,
        ).add_to(m)


def _walk(element: Any) -> Iterator[Any]:
    """Every element under ``element`` (DualMap children for the right map included)."""
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)
    for child, _name, _index in getattr(element, "children_for_m2", []):  # folium DualMap
        yield from _walk(child)


def requested_tile_urls(element: Any) -> frozenset[str]:
    """URL templates of every :class:`BasemapTiles` layer on a map's page.

    Parameters
    ----------
    element
        A ``folium.Map``, ``DualMap`` or any element of the page.
    """
    root = element.get_root() if hasattr(element, "get_root") else element
    return frozenset(e.tiles for e in _walk(root) if isinstance(e, BasemapTiles))


# --- GCJ-02 shift of the overlays (for 高德 tiles) ------------------------------
def _gcj02_xy(xy: np.ndarray) -> np.ndarray:
    """An ``(n, 2)`` lon/lat array moved WGS84 → GCJ-02."""
    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def shift_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A WGS84 frame moved to GCJ-02: geometry and ``seat_lon``/``seat_lat`` (if any)."""
    out = gdf.copy()
    out[out.geometry.name] = shapely.transform(
        np.asarray(gdf.geometry.values, dtype=object), _gcj02_xy
    )
    if SEAT_LON in out.columns and SEAT_LAT in out.columns:
        lon = pd.to_numeric(out[SEAT_LON], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(out[SEAT_LAT], errors="coerce").to_numpy(dtype=float)
        out[SEAT_LON], out[SEAT_LAT] = wgs84_to_gcj02(lon, lat)
    return out


def shift_points(df: pd.DataFrame) -> pd.DataFrame:
    """Incident points (``lon``/``lat``, WGS84) moved to GCJ-02."""
    out = df.copy()
    lon = pd.to_numeric(out[LON], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(out[LAT], errors="coerce").to_numpy(dtype=float)
    out[LON], out[LAT] = wgs84_to_gcj02(lon, lat)
    return out
