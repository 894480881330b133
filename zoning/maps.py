"""Interactive map of a zoning plan (folium / Leaflet), offline by default.

The map is meant to be opened in meetings, often on an isolated police network:
:func:`save_map` writes ONE self-contained HTML file (Leaflet and the plugins are
inlined from the vendored copies in ``zoning/_assets``) unless ``online=True``.

Every user-supplied text (station and zone names, the title) is HTML-escaped
before it reaches the page: folium's tooltips, popups and DivIcons insert their
content as raw HTML.

Examples
--------
>>> m = map_from_plan(plan, zones, title="某县派出所防区方案")  # doctest: +SKIP
>>> save_map(m, "maps/plan.html")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import html as _html
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.plugins import Fullscreen, HeatMap
from folium.template import Template
from shapely.ops import polylabel

from zoning import _offline
from zoning._i18n import tr
from zoning._schema import (
    IS_CENTER,
    IS_URBAN_CORE,
    LAT,
    LOAD,
    LON,
    OFFICERS,
    POPULATION,
    SEAT_LAT,
    SEAT_LON,
    STATION_NAME,
    ZONE,
    ZONE_NAME,
)
from zoning.errors import InputError, ProblemList

# zone-table columns not (yet) in zoning._schema
CENTER_NAME = "center_name"
SHARE = "share"
LOAD_PER_OFFICER = "load_per_officer"

__all__ = ["FONT_STACK", "URBAN_CORE_COLOUR", "ZONE_COLOURS", "map_from_plan", "save_map"]

#: Zone fill colours: Paul Tol's colour-blind-safe "bright" scheme, in zone order
#: (red last: it is the one closest to the urban-core purple).
ZONE_COLOURS: tuple[str, ...] = ("#4477AA", "#228833", "#CCBB44", "#66CCEE", "#EE6677")
#: The urban-core (城关) zone always gets Tol's purple, never used for other zones.
URBAN_CORE_COLOUR = "#AA3377"
_SPARE_COLOUR = "#BBBBBB"
_RIVER_COLOUR = "#1F78B4"
_BACKGROUND = "#F4F2EC"
#: CSS font stack that renders Chinese on Linux, Windows and macOS.
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"Hiragino Sans GB", "SimHei", "WenQuanYi Micro Hei", sans-serif'
)
#: Geometry simplification tolerance in degrees (~5 m) and output precision (~1 m).
_SIMPLIFY_DEG = 5e-5
_DECIMALS = 5

_CSS = """
.leaflet-container { background: %(bg)s; font-family: %(font)s; }
.leaflet-heatmap-layer { pointer-events: none; }
.leaflet-control-scale-line:not(:first-child) { display: none; }
.zoning-label, .zoning-star { background: none; border: none; }
.zoning-label > span { position: absolute; left: 0; top: 0; white-space: nowrap; color: #1a1a1a;
  transform: translate(-50%%, -50%%); font-size: 12px; line-height: 1.2;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.zoning-label.zl-below > span { transform: translate(-50%%, 3px); }
.zoning-label.zl-zone > span { font-size: 15px; font-weight: 700; padding: 1px 7px;
  border-radius: 10px; border: 2px solid; background: rgba(255,255,255,.88); text-shadow: none; }
.zoning-label.zl-zone.zl-above > span { transform: translate(-50%%, calc(-100%% - 3px)); }
.zoning-star svg { display: block; filter: drop-shadow(0 0 1px #fff); }
.zoning-box { background: rgba(255,255,255,.94); border-radius: 6px; color: #1a1a1a;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); font-family: %(font)s; }
.zoning-title { position: absolute; top: 10px; left: 50%%; transform: translateX(-50%%);
  z-index: 1000; padding: 6px 16px; text-align: center; max-width: 55%%; }
.zoning-title .zt-main { font-size: 20px; font-weight: 700; }
.zoning-title .zt-sub { font-size: 12px; color: #555; margin-top: 2px; }
.zoning-legend { padding: 8px 10px; font-size: 13px; line-height: 1.5; max-width: 260px; }
.zoning-legend .zl-h { font-weight: 700; margin-bottom: 3px; }
.zoning-legend .zl-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.zoning-legend .zl-sw { flex: none; width: 16px; height: 12px; border: 1px solid #333;
  opacity: .65; }
.zoning-legend .zl-num { color: #555; font-size: 12px; margin-left: auto; padding-left: 8px; }
.zoning-legend .zl-line { flex: none; width: 16px; border-top: 3px solid %(river)s; }
.foliumtooltip, .foliumpopup { font-family: %(font)s; font-size: 13px; }
.foliumtooltip th, .foliumpopup th { text-align: left; padding-right: 8px; color: #555; }
.zp-h { font-size: 15px; font-weight: 700; margin-bottom: 4px; }
.zp-h i { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  border: 1px solid #333; }
.zp th { white-space: nowrap; vertical-align: top; }
.zp td { min-width: 150px; max-width: 280px; white-space: normal; }
"""
_STAR_SVG = (
    '<svg width="{s}" height="{s}" viewBox="0 0 24 24" aria-hidden="true">'
    '<path d="M12 1.6l3.1 6.6 7.2.9-5.3 5 1.4 7.1L12 17.7l-6.4 3.5 1.4-7.1-5.3-5 7.2-.9z" '
    'fill="#FFD21F" stroke="#1a1a1a" stroke-width="1.4" stroke-linejoin="round"/></svg>'
)


class _Labels(MacroElement):
    """Leaflet markers with DivIcons (labels, stars), added to the parent layer in one loop.

    Each item is ``[lat, lon, html, class_name, size]``; ``html`` must already be
    escaped. ``size`` (px) fixes and centres the icon; ``0`` lets CSS place it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.items|tojson }}.forEach(function (d) {
            var opts = {html: d[2], className: d[3], iconSize: null};
            if (d[4]) { opts.iconSize = [d[4], d[4]]; opts.iconAnchor = [d[4] / 2, d[4] / 2]; }
            L.marker([d[0], d[1]], {icon: L.divIcon(opts), interactive: false, keyboard: false})
                .addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
        """
    )

    def __init__(self, items: list[list[Any]]) -> None:
        super().__init__()
        self._name = "ZoningLabels"
        self.items = items


class _Overlays(MacroElement):
    """Page CSS, title box and legend (plain HTML, kept visible in full-screen mode).

    The script moves the title into the map and wraps the legend in a control."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.title_html }}{{ this.legend_html }}{% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var title = document.getElementById({{ this.title_id|tojson }});
            map.getContainer().appendChild(title);
            L.DomEvent.disableClickPropagation(title);
            var legend = document.getElementById({{ this.legend_id|tojson }});
            var Legend = L.Control.extend({onAdd: function () { return legend; }});
            new Legend({position: "bottomright"}).addTo(map);
            L.DomEvent.disableClickPropagation(legend);
            L.DomEvent.disableScrollPropagation(legend);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, css: str, title_html: str, legend_html: str) -> None:
        super().__init__()
        self._name = "ZoningOverlays"
        self.title_id = f"{self.get_name()}-title"
        self.legend_id = f"{self.get_name()}-legend"
        self.css = css
        box = '<div id="{}" class="zoning-box zoning-{}">{}</div>'
        self.title_html = box.format(self.title_id, "title", title_html)
        self.legend_html = box.format(self.legend_id, "legend", legend_html)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _esc(value: object) -> str:
    """HTML-escape a value for any folium/Leaflet HTML sink (also JS template literals)."""
    if _missing(value):
        return ""
    text = _html.escape(str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _truthy(value: object) -> bool:
    return not _missing(value) and bool(value)


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _fmt(value: object, digits: int = 0) -> str:
    """Format a number with thousands separators; NaN or non-numbers as an em dash."""
    x = _num(value)
    return f"{x:,.{digits}f}" if math.isfinite(x) else "—"


def _load_fmt(value: object) -> str:
    return _fmt(value, 1 if abs(_num(value)) < 100 else 0)


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _column(df: pd.DataFrame, name: str, default: object) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _flags(df: pd.DataFrame, name: str) -> pd.Series:
    """A yes/no column as booleans (missing column or NaN: False)."""
    return _column(df, name, False).map(_truthy).astype(bool)


def _numeric(df: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(_column(df, name, np.nan), errors="coerce")


def _light_geoms(geoms: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Simplify a polygon coverage (shared edges stay shared) and round coordinates."""
    arr = np.asarray(geoms, dtype=object)
    try:
        simple = shapely.coverage_simplify(arr, _SIMPLIFY_DEG, simplify_boundary=True)
    except Exception:  # invalid coverage or old GEOS: simplify each geometry on its own
        simple = shapely.simplify(arr, _SIMPLIFY_DEG, preserve_topology=True)
    return np.asarray(shapely.transform(simple, lambda xy: np.round(xy, _DECIMALS)), dtype=object)


def _label_point(geom: Any) -> tuple[float, float]:
    """A point well inside a (multi)polygon, for its label.

    The centroid of the largest part when it lies well inside (at least 60 % as
    far from the edge as the pole of inaccessibility), else that pole.
    """
    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    try:
        pt = polylabel(geom, tolerance=max(math.sqrt(geom.area) / 200, 1e-6))
        centre, edge = geom.centroid, geom.boundary
        if geom.contains(centre) and edge.distance(centre) >= 0.6 * edge.distance(pt):
            pt = centre
    except Exception:  # e.g. a ring made invalid by rounding: any inside point will do
        pt = geom.representative_point() if geom.is_valid else geom.centroid
    return float(pt.y), float(pt.x)


def _feature(fid: str, geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geom.__geo_interface__}


def _check(plan: pd.DataFrame, zones: pd.DataFrame, incidents: pd.DataFrame | None) -> None:
    problems = ProblemList()
    for frame, label, cols in (
        (plan, "plan", (STATION_NAME, ZONE, "geometry")),
        (zones, "zones", (ZONE, "geometry")),
        (incidents, "incidents", (LON, LAT)),
    ):
        have = set() if frame is None else set(frame.columns)
        if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in have:
            have.add("geometry")  # the active geometry, whatever its name
        if missing := ", ".join(c for c in cols if frame is not None and c not in have):
            problems.add(
                tr(
                    f"地图：{label} 表缺少列 {missing}。",
                    f"Map: the {label} table lacks {missing}.",
                )
            )
    if not problems and (plan.empty or zones.empty):
        problems.add(
            tr("地图：方案中没有派出所或防区。", "Map: the plan has no stations or zones.")
        )
    problems.raise_if_any()


def _zone_colours(zones: pd.DataFrame) -> dict[int, str]:
    """Palette colours for the other zones in zone order; the urban core gets its own."""
    urban = dict(zip(zones[ZONE].astype(int), _column(zones, IS_URBAN_CORE, False), strict=True))
    rural = sorted(z for z, u in urban.items() if not _truthy(u))
    palette = dict(zip(rural, [*ZONE_COLOURS, *[_SPARE_COLOUR] * len(rural)], strict=False))
    return {z: palette.get(z, URBAN_CORE_COLOUR) for z in urban}


def _zone_popup(row: pd.Series, colour: str, members: pd.DataFrame) -> str:
    is_center = _flags(members, IS_CENTER)
    ordered = pd.concat([members[is_center], members[~is_center]])
    names = [
        ("★" if c else "") + _esc(n)
        for n, c in zip(ordered[STATION_NAME], is_center[ordered.index], strict=True)
    ]
    share = _num(row.get(SHARE))
    share_txt = f"{share * 100:.1f}%" if math.isfinite(share) else "—"
    tag = tr("（城关）", " (urban core)") if _truthy(row.get(IS_URBAN_CORE)) else ""
    rows = [
        (tr("中心所", "Centre station"), "★" + (_esc(row.get(CENTER_NAME)) or "—")),
        (tr("警情负荷", "Incident load"), f"{_load_fmt(row.get(LOAD))}（{share_txt}）"),
        (tr("警力", "Officers"), _fmt(row.get(OFFICERS))),
        (tr("人均负荷", "Load per officer"), _fmt(row.get(LOAD_PER_OFFICER), 1)),
        (tr(f"派出所（{len(names)}）", f"Stations ({len(names)})"), tr("、", ", ").join(names)),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    head = f'<div class="zp-h"><i style="background:{colour}"></i>{_esc(row["_name"])}{tag}</div>'
    return f'<div class="zp">{head}<table>{body}</table></div>'


def _legend_html(zones: pd.DataFrame, colours: dict[int, str], *, river: bool) -> str:
    rows = []
    for _, z in zones.iterrows():
        share = _num(z.get(SHARE))
        num = _load_fmt(z.get(LOAD)) + (f" · {share * 100:.0f}%" if math.isfinite(share) else "")
        tag = tr("（城关）", " (urban core)") if _truthy(z.get(IS_URBAN_CORE)) else ""
        rows.append(
            f'<div class="zl-row"><span class="zl-sw" style="background:{colours[int(z[ZONE])]}">'
            f'</span><span>{_esc(z["_name"])}{tag}</span><span class="zl-num">{num}</span></div>'
        )
    rows.append(
        f'<div class="zl-row">{_STAR_SVG.format(s=16)}<span>{tr("中心所", "Centre station")}'
        "</span></div>"
    )
    if river:
        rows.append(f'<div class="zl-row"><span class="zl-line"></span>{tr("河流", "River")}</div>')
    head = tr("防区（警情负荷 · 占比）", "Zones (incident load · share)")
    return f'<div class="zl-h">{head}</div>' + "".join(rows)


def _heat_points(incidents: pd.DataFrame) -> list[list[float]]:
    """Incident points aggregated on a ~11 m grid as ``[lat, lon, count]``."""
    lon = pd.to_numeric(incidents[LON], errors="coerce")
    lat = pd.to_numeric(incidents[LAT], errors="coerce")
    ok = lon.between(-180, 180) & lat.between(-90, 90)
    pts = pd.DataFrame({"lat": lat[ok].round(4), "lon": lon[ok].round(4)})
    counts = pts.groupby(["lat", "lon"]).size().reset_index(name="n")
    return counts[["lat", "lon", "n"]].astype(float).values.tolist()


def map_from_plan(
    plan: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    title: str,
    incidents: pd.DataFrame | None = None,
    river: gpd.GeoDataFrame | None = None,
    online: bool = False,
) -> folium.Map:
    """Draw a zoning plan as an interactive Leaflet map.

    Parameters
    ----------
    plan
        One row per station (EPSG:4326 polygons) with ``station_name``, ``zone`` and,
        when known, ``station_id``, ``zone_name``, ``is_center``, ``load``,
        ``population``, ``officers``, ``seat_lon``, ``seat_lat``. Other columns are
        ignored; NaN population/officers show as "—".
    zones
        One row per zone (EPSG:4326 (multi)polygons) with ``zone`` and, when known,
        ``zone_name``, ``center_name``, ``load``, ``share`` (0..1), ``officers``,
        ``load_per_officer`` and ``is_urban_core``.
    title
        Shown in the title box and as the page title (escaped).
    incidents
        Incident points (columns ``lon``, ``lat``, WGS84) for a heat-map layer that
        is off until switched on in the layer control.
    river
        Optional line (or polygon) layer drawn in blue.
    online
        Also offer an OpenStreetMap basemap (off until switched on). It needs the
        internet, so such a map can only be saved with ``save_map(..., online=True)``.

    Returns
    -------
    folium.Map
        Zones, station boundaries with tooltips, labels, centre-station stars, zone
        popups, legend, title, scale bar, full-screen button and layer control.

    Raises
    ------
    InputError
        If a required column is missing or the plan is empty.
    """
    _check(plan, zones, incidents)
    plan, zones = _to_wgs84(plan), _to_wgs84(zones).sort_values(ZONE)
    plan = plan[plan.geometry.notna() & ~plan.geometry.is_empty]
    zones = zones[zones.geometry.notna() & ~zones.geometry.is_empty].copy()
    if plan.empty or zones.empty:
        raise InputError(tr("地图：方案中没有可绘制的区域。", "Map: the plan has no geometry."))
    zones["_name"] = [
        n if isinstance(n, str) and n else tr(f"第{z}防区", f"Zone {z}")
        for z, n in zip(zones[ZONE], _column(zones, ZONE_NAME, None), strict=True)
    ]
    colours = _zone_colours(zones)
    plan_zone = pd.to_numeric(plan[ZONE], errors="coerce").fillna(-1).astype(int)
    minx, miny, maxx, maxy = zones.total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=False,  # SVG paths: crisp when printed, countable in tests
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    _offline.drop_unused_resources(m)
    m.get_root().title = _esc(title)  # type: ignore[attr-defined]
    if online:
        name = tr("在线底图（OpenStreetMap）", "Online basemap (OpenStreetMap)")
        folium.TileLayer("OpenStreetMap", name=name, overlay=True, show=False).add_to(m)

    popups = {
        int(z[ZONE]): _zone_popup(z, colours[int(z[ZONE])], plan[plan_zone == int(z[ZONE])])
        for _, z in zones.iterrows()
    }
    zone_geoms = _light_geoms(zones.geometry.values)
    feats = [
        _feature(f"z{int(z)}", g, {"zone": int(z), "popup": popups[int(z)]})
        for z, g in zip(zones[ZONE], zone_geoms, strict=True)
    ]
    folium.GeoJson(  # popups reachable where the station layer is switched off
        {"type": "FeatureCollection", "features": feats},
        name=tr("防区", "Zones"),
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["zone"], _SPARE_COLOUR),
            **{"fillOpacity": 0.55, "color": "#222222", "weight": 2.5, "opacity": 0.9},
        },
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    ).add_to(m)

    station_geoms = _light_geoms(plan.geometry.values)
    zone_names = dict(zip(zones[ZONE].astype(int), zones["_name"], strict=True))
    pop, off, load = _numeric(plan, POPULATION), _numeric(plan, OFFICERS), _numeric(plan, LOAD)
    feats = []
    for i, (idx, g) in enumerate(zip(plan.index, station_geoms, strict=True)):
        z = int(plan_zone[idx])
        props = {
            "t_name": _esc(plan.at[idx, STATION_NAME]),
            "t_zone": _esc(zone_names.get(z, "—")),
            "t_load": _load_fmt(load[idx]),
            "t_pop": _fmt(pop[idx]),
            "t_off": _fmt(off[idx]),
            "popup": popups.get(z, ""),  # a click on a station opens its zone's popup
        }
        feats.append(_feature(f"s{i}", g, props))
    aliases = [tr("派出所", "Station"), tr("防区", "Zone"), tr("警情负荷", "Incident load")]
    aliases += [tr("人口", "Population"), tr("警力", "Officers")]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name=tr("派出所辖区", "Station areas"),
        style_function=lambda f: {"color": "#555555", "weight": 1, "fillOpacity": 0.0},
        highlight_function=lambda f: {"color": "#000000", "weight": 3},
        tooltip=folium.GeoJsonTooltip(
            fields=["t_name", "t_zone", "t_load", "t_pop", "t_off"], aliases=aliases, sticky=True
        ),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    ).add_to(m)

    has_river = river is not None and not river.empty
    if river is not None and has_river:
        river = _to_wgs84(river)
        river = river[river.geometry.notna() & ~river.geometry.is_empty]
        rgeoms = shapely.transform(
            shapely.simplify(np.asarray(river.geometry.values, dtype=object), _SIMPLIFY_DEG),
            lambda xy: np.round(xy, _DECIMALS),
        )
        feats = [_feature(f"r{i}", g, {}) for i, g in enumerate(rgeoms)]
        folium.GeoJson(
            {"type": "FeatureCollection", "features": feats},
            name=tr("河流", "River"),
            style_function=lambda f: (
                {"color": _RIVER_COLOUR, "weight": 3, "opacity": 0.9}
                | {"fillColor": _RIVER_COLOUR, "fillOpacity": 0.4}
            ),
            interactive=False,
        ).add_to(m)
    points = _heat_points(incidents) if incidents is not None else []
    if points:
        name = tr("警情热力图", "Incident heat map")
        HeatMap(points, name=name, show=False, radius=18, blur=14, min_opacity=0.25).add_to(m)

    _add_labels(m, plan, plan_zone, station_geoms, zones, zone_geoms, colours)
    sub = tr(
        f"{len(plan)} 个派出所 · {len(zones)} 个防区", f"{len(plan)} stations · {len(zones)} zones"
    )
    title_html = f'<div class="zt-main">{_esc(title)}</div><div class="zt-sub">{sub}</div>'
    css = _CSS % {"bg": _BACKGROUND, "font": FONT_STACK, "river": _RIVER_COLOUR}
    _Overlays(css, title_html, _legend_html(zones, colours, river=has_river)).add_to(m)
    Fullscreen(
        title=tr("全屏", "Full screen"), title_cancel=tr("退出全屏", "Exit full screen")
    ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds(  # room for the title (top) and the legend (right)
        [[miny, minx], [maxy, maxx]], padding_top_left=(20, 70), padding_bottom_right=(200, 20)
    )
    return m


def _add_labels(
    m: folium.Map,
    plan: gpd.GeoDataFrame,
    plan_zone: pd.Series,
    station_geoms: np.ndarray,
    zones: gpd.GeoDataFrame,
    zone_geoms: np.ndarray,
    colours: dict[int, str],
) -> None:
    """Station names, zone names (just above a central station's name) and stars."""
    station_pts = {idx: _label_point(g) for idx, g in zip(plan.index, station_geoms, strict=True)}
    station_cls = dict.fromkeys(plan.index, "zoning-label")
    zone_items = []
    for z, g, name in zip(zones[ZONE].astype(int), zone_geoms, zones["_name"], strict=True):
        lat, lon = _label_point(g)
        cls = "zoning-label zl-zone"
        members = [i for i in plan.index if plan_zone[i] == z]
        if members:  # stack on the label of the station nearest the zone's centre
            near = members[int(np.argmin([math.dist(station_pts[i], (lat, lon)) for i in members]))]
            (lat, lon), station_cls[near] = station_pts[near], "zoning-label zl-below"
            cls += " zl-above"
        html = f'<span style="border-color:{colours[z]}">{_esc(name)}</span>'
        zone_items.append([lat, lon, html, cls, 0])
    star_items = []
    centres = plan[_flags(plan, IS_CENTER)]
    seat_lon, seat_lat = _numeric(centres, SEAT_LON), _numeric(centres, SEAT_LAT)
    for i, g in zip(centres.index, centres.geometry, strict=True):
        lat, lon = (seat_lat[i], seat_lon[i])
        if not (np.isfinite(lat) and np.isfinite(lon)):
            lat, lon = _label_point(g)
        star = _STAR_SVG.format(s=22)
        star_items.append([round(float(lat), 6), round(float(lon), 6), star, "zoning-star", 22])
    station_items = [
        [*station_pts[i], f"<span>{_esc(plan.at[i, STATION_NAME])}</span>", station_cls[i], 0]
        for i in plan.index
    ]
    for name, items in (
        (tr("派出所名称", "Station names"), station_items),
        (tr("中心所", "Centre stations"), star_items),
        (tr("防区名称", "Zone names"), zone_items),
    ):
        _Labels(items).add_to(folium.FeatureGroup(name=name).add_to(m))


def save_map(m: folium.Map, path: str | Path, *, online: bool = False) -> Path:
    """Write a map as one HTML file.

    Parameters
    ----------
    m
        A map from :func:`map_from_plan`.
    path
        Output file; missing parent folders are created.
    online
        ``False`` (default): one self-contained file that works without any
        network (Leaflet and plugins inlined from ``zoning/_assets``).
        ``True``: keep the CDN links for a smaller file that needs the internet.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    zoning._offline.OfflineAssetError
        If ``online=False`` and the page would still load something from the
        network (e.g. a map made with ``map_from_plan(..., online=True)``).
    """
    page = copy.deepcopy(m).get_root().render()  # rendering mutates folium's element tree
    if not online:
        page = _offline.inline_resources(page)
        remote = _offline.external_resources(page)
        if remote:
            raise _offline.OfflineAssetError(
                tr(
                    "离线地图仍引用网络资源（在线底图？请用 online=False 重新生成地图）：",
                    "The offline map still references network resources (an online "
                    "basemap? rebuild the map with online=False): ",
                )
                + "; ".join(remote[:3])
            )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
