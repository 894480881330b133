"""Make a folium page self-contained for isolated networks.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">``
tags into every page; on a police network without internet such a map shows
nothing. :func:`inline_resources` replaces each of those tags with the content of
a vendored, version-pinned copy from ``zoning/_assets/`` (images referenced from
the CSS become ``data:`` URIs), and :func:`external_resources` lists whatever
remote resource a page would still load, so callers can refuse to write a page
that is not self-contained.

The vendored files, their versions, licences and origin are listed in
``zoning/_assets/README.md``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Literal

from zoning._i18n import tr
from zoning.errors import ZoningError

ASSETS_DIR = Path(__file__).resolve().parent.parent / "_assets"

_CDN = "https://cdn.jsdelivr.net"


@dataclass(frozen=True)
class VendoredAsset:
    """One vendored script or stylesheet.

    Parameters
    ----------
    url
        The CDN address folium writes into the page (the key it is found by).
    path
        The vendored copy, relative to ``zoning/_assets`` (POSIX separators).
    kind
        ``"js"`` for a script, ``"css"`` for a stylesheet.
    package
        ``name@version`` of the package it was taken from.
    """

    url: str
    path: str
    kind: Literal["js", "css"]
    package: str


#: Every CDN resource a zoning map uses, keyed by the exact address folium 0.20 writes.
#: A folium upgrade that changes an address makes :func:`inline_resources` fail loudly
#: (see ``zoning/_assets/README.md`` for how to re-vendor).
VENDORED: dict[str, VendoredAsset] = {
    a.url: a
    for a in (
        VendoredAsset(
            f"{_CDN}/npm/leaflet@1.9.3/dist/leaflet.js",
            "leaflet/leaflet.js",
            "js",
            "leaflet@1.9.3",
        ),
        VendoredAsset(
            f"{_CDN}/npm/leaflet@1.9.3/dist/leaflet.css",
            "leaflet/leaflet.css",
            "css",
            "leaflet@1.9.3",
        ),
        VendoredAsset(
            f"{_CDN}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
            "leaflet.fullscreen/Control.FullScreen.js",
            "js",
            "leaflet.fullscreen@3.0.0",
        ),
        VendoredAsset(
            f"{_CDN}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",
            "leaflet.fullscreen/Control.FullScreen.css",
            "css",
            "leaflet.fullscreen@3.0.0",
        ),
        VendoredAsset(
            f"{_CDN}/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js",
            "leaflet.heat/leaflet_heat.min.js",
            "js",
            "leaflet.heat (as shipped in folium 0.20.0)",
        ),
        VendoredAsset(  # folium's DualMap (zoning.maps.dualmap) keeps two maps in step
            f"{_CDN}/gh/jieter/Leaflet.Sync/L.Map.Sync.min.js",
            "leaflet.sync/L.Map.Sync.js",
            "js",
            "leaflet.sync@0.2.4",
        ),
    )
}

#: Names of ``folium.Map`` default resources a zoning map never uses: jQuery, Bootstrap,
#: Awesome Markers, Font Awesome and glyphicons (only folium's Popup, awesome-marker
#: icons and ``objects_to_stay_in_front`` need them, and zoning uses none of those).
UNUSED_MAP_RESOURCES: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

_MIME = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}

_SCRIPT_TAG = re.compile(r"<script\s+src=\"(?P<url>[^\"]+)\"\s*>\s*</script>", re.IGNORECASE)
_LINK_TAG = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+href=\"(?P<url>[^\"]+)\"\s*/?>", re.IGNORECASE
)
_CSS_URL = re.compile(r"url\(\s*(?P<q>[\"']?)(?P<ref>[^\"')]+)(?P=q)\s*\)")

_REMOTE = r"(?:https?:)?//"
_REMOTE_ATTR = re.compile(
    r"\b(?:src|href|xlink:href|srcset|poster|action|data)\s*=\s*[\"']?\s*" + _REMOTE,
    re.IGNORECASE,
)
_REMOTE_CSS = re.compile(
    r"url\(\s*[\"']?\s*" + _REMOTE + r"|@import\s+(?:url\(\s*)?[\"']?\s*" + _REMOTE,
    re.IGNORECASE,
)
_REMOTE_TILES = re.compile(r"tileLayer\(\s*[\"'`]\s*" + _REMOTE, re.IGNORECASE)
# the URL argument of a tile layer as folium writes it: a JSON string literal
_TILE_URL = re.compile(r"tileLayer\(\s*(\"(?:[^\"\\\n]|\\.)*\")", re.IGNORECASE)
_A_TAG = re.compile(r"<a\s[^<>]*$", re.IGNORECASE)


class OfflineAssetError(ZoningError):
    """A page needs a remote resource that zoning has not vendored."""


def drop_unused_resources(m: object) -> None:
    """Remove the folium default resources a zoning map does not use.

    Parameters
    ----------
    m
        A ``folium.Map``; its instance-level ``default_js`` / ``default_css`` are
        replaced, the class defaults are left alone.
    """
    for attr in ("default_js", "default_css"):
        entries = getattr(m, attr)
        setattr(m, attr, [(n, u) for n, u in entries if n not in UNUSED_MAP_RESOURCES])


@cache
def _read_text(rel: str) -> str:
    return (ASSETS_DIR / rel).read_text(encoding="utf-8")


def _data_uri(css_path: str, ref: str) -> str:
    rel = str(PurePosixPath(css_path).parent / ref)
    file = ASSETS_DIR / rel
    mime = _MIME.get(file.suffix.lower())
    if mime is None or not file.is_file():
        raise OfflineAssetError(
            tr(
                f"样式表 {css_path} 引用的文件 {ref} 未随程序提供，无法离线保存地图。",
                f"{ref}, referenced by the stylesheet {css_path}, is not vendored; "
                "the map cannot be saved for offline use.",
            )
        )
    payload = base64.b64encode(file.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{payload}"


@cache
def inline_css(rel: str) -> str:
    """Return a vendored stylesheet with every referenced image as a ``data:`` URI.

    Parameters
    ----------
    rel
        Path of the stylesheet under ``zoning/_assets``.

    Returns
    -------
    str
        CSS text safe to place inside a ``<style>`` element.
    """

    def repl(match: re.Match[str]) -> str:
        ref = match.group("ref").strip()
        if ref.startswith(("data:", "#")):  # already inline / IE-only VML behaviour
            return match.group(0)
        return f'url("{_data_uri(rel, ref)}")'

    css = _CSS_URL.sub(repl, _read_text(rel))
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _inline_js(rel: str) -> str:
    js = _read_text(rel)
    # a literal "</script" would end the inline element early
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def _unvendored(url: str) -> OfflineAssetError:
    return OfflineAssetError(
        tr(
            f"页面需要未随程序提供的资源 {url}，无法生成离线地图；"
            "请按 zoning/_assets/README.md 把它放入 zoning/_assets，或改用在线模式保存。",
            f"The page needs {url}, which is not vendored, so it cannot be saved for "
            "offline use; vendor it into zoning/_assets (see zoning/_assets/README.md) "
            "or save the map in online mode.",
        )
    )


def inline_resources(html: str) -> str:
    """Replace every ``<script src>`` / stylesheet ``<link>`` tag with inline content.

    Parameters
    ----------
    html
        A page rendered by folium.

    Returns
    -------
    str
        The same page with the vendored scripts and stylesheets inlined.

    Raises
    ------
    OfflineAssetError
        If the page links a script or stylesheet that is not vendored.
    """

    def script(match: re.Match[str]) -> str:
        asset = VENDORED.get(match.group("url"))
        if asset is None or asset.kind != "js":
            raise _unvendored(match.group("url"))
        note = f"/* {asset.package}: zoning/_assets/{asset.path} */"
        return f"<script>{note}\n{_inline_js(asset.path)}\n</script>"

    def style(match: re.Match[str]) -> str:
        asset = VENDORED.get(match.group("url"))
        if asset is None or asset.kind != "css":
            raise _unvendored(match.group("url"))
        note = f"/* {asset.package}: zoning/_assets/{asset.path} */"
        return f"<style>{note}\n{inline_css(asset.path)}\n</style>"

    return _LINK_TAG.sub(style, _SCRIPT_TAG.sub(script, html))


def external_resources(html: str, *, allowed_tiles: Collection[str] = ()) -> list[str]:
    """List the remote resources a page would load.

    Looks for ``src=`` / ``href=`` (and similar) attributes, CSS ``url(...)`` and
    ``@import``, and Leaflet tile layers that point at ``http(s)://`` or ``//``
    addresses. Plain ``<a href>`` links are ignored: following one is the
    user's choice, not something the page loads.

    Parameters
    ----------
    html
        The page text.
    allowed_tiles
        Tile URL templates the user asked for (a basemap, see
        :func:`zoning.maps.basemaps.requested_tile_urls`): a tile layer whose URL is
        exactly one of these is not reported. Nothing else is ever allowed.

    Returns
    -------
    list of str
        A short excerpt around each remote reference; empty when self-contained.
    """
    allowed = set(allowed_tiles)
    found: list[str] = []
    for pattern in (_REMOTE_ATTR, _REMOTE_CSS, _REMOTE_TILES):
        for match in pattern.finditer(html):
            if pattern is _REMOTE_ATTR:
                tag_start = html.rfind("<", 0, match.start())
                if tag_start >= 0 and _A_TAG.match(html, tag_start, match.start()):
                    continue  # the attribute belongs to a plain <a ...> link
            if pattern is _REMOTE_TILES and allowed and _tile_url(html, match.start()) in allowed:
                continue  # a basemap the user asked for
            found.append(html[match.start() : match.end() + 60])
    return found


def _tile_url(html: str, start: int) -> str | None:
    """The URL of the tile layer whose ``tileLayer(`` starts at ``start``, if literal."""
    match = _TILE_URL.match(html, start)
    if match is None:
        return None
    try:
        url = json.loads(match.group(1))
    except ValueError:
        return None
    return url if isinstance(url, str) else None
