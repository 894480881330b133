"""Interactive map of a zoning plan (folium / Leaflet), offline by default.

The map is meant to be opened in meetings, often on an isolated police network:
:func:`save_map` writes ONE self-contained HTML file (Leaflet and the plugins are
inlined from the vendored copies in ``zoning/_assets``) unless ``online=True``.
A basemap (OpenStreetMap, 天地图, 高德 or the user's own tile server, see
:mod:`zoning.maps.basemaps`) is off by default; its tiles are the only remote
address an offline file may then contain.

User text (station and zone names, team names, reasons, the title) never passes
through folium's Jinja templates: it lives in one JSON data block per map that
the page's scripts read (see :mod:`zoning.maps._page`), HTML-escaped where the
page inserts it as HTML (tooltips, popups, labels, title and legend).

Examples
--------
>>> m = map_from_plan(plan, zones, title="某县派出所防区方案")  # doctest: +SKIP
>>> save_map(m, "maps/plan.html")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.map import FitBounds
from folium.plugins import Fullscreen, HeatMap
from folium.template import Template

from zoning._i18n import tr
from zoning._schema import (
    IS_CENTER,
    LAT,
    LOAD,
    LON,
    OFFICERS,
    POPULATION,
    STATION_ID,
    STATION_NAME,
    ZONE,
)
from zoning.errors import InputError, ProblemList
from zoning.io.jurisdictions import estimate_note
from zoning.maps import _html as H
from zoning.maps import basemaps as _basemaps
from zoning.maps import decision as _decision
from zoning.maps import offline as _offline
from zoning.maps import style as K
from zoning.maps._page import PageData, VerbatimMacro, without_data
from zoning.maps.style import FONT_STACK, URBAN_CORE_COLOUR, ZONE_COLOURS, esc
from zoning.maps.tradeoff import add_frontier_panel

__all__ = ["FONT_STACK", "URBAN_CORE_COLOUR", "ZONE_COLOURS", "map_from_plan", "save_map"]


class _Labels(VerbatimMacro):
    """Leaflet markers with DivIcons (labels, stars, badges), added in one loop.

    The items are group ``key`` of the page data's ``labels``, each
    ``[lat, lon, html, class_name, size, dx, dy]`` with ``html`` already escaped.
    ``size`` (px) fixes the icon and centres it ``dx``/``dy`` px from the point;
    ``0`` lets CSS place it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.data.get_name() }}.labels[{{ this.key|int }}].forEach(function (d) {
            var opts = {html: d[2], className: d[3], iconSize: null};
            if (d[4]) {
                opts.iconSize = [d[4], d[4]];
                opts.iconAnchor = [d[4] / 2 - (d[5] || 0), d[4] / 2 - (d[6] || 0)];
            }
            var mk = L.marker([d[0], d[1]], {
                icon: L.divIcon(opts), interactive: false, keyboard: false
            }).addTo({{ this._parent.get_name() }});
            (window.zoningMarkers = window.zoningMarkers || []).push(mk);  // for the layout
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: PageData, items: list[list[Any]]) -> None:
        super().__init__()
        self._name = "ZoningLabels"
        self.data = data
        self.key = len(data.labels)
        data.labels.append(items)


class _Overlays(VerbatimMacro):
    """Page CSS, title box and legend (kept visible in full-screen mode).

    The boxes are empty in the HTML; the script fills them from the page data,
    moves the title into the map and wraps the legend in a control."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro html(this, kwargs) %}
        <div id="{{ this.title_id }}" class="zoning-box zoning-title"></div>
        <div id="{{ this.legend_id }}" class="zoning-box zoning-legend"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var data = {{ this.data.get_name() }};
            var title = document.getElementById({{ this.title_id|tojson }});
            title.innerHTML = data.title;
            map.getContainer().appendChild(title);
            L.DomEvent.disableClickPropagation(title);
            var legend = document.getElementById({{ this.legend_id|tojson }});
            legend.innerHTML = data.legend;
            var Legend = L.Control.extend({onAdd: function () { return legend; }});
            new Legend({position: "bottomright"}).addTo(map);
            L.DomEvent.disableClickPropagation(legend);
            L.DomEvent.disableScrollPropagation(legend);
            {{ this.declutter }}
            var layout = function () { zoningDeclutter(map); };
            map.on("zoomend overlayadd overlayremove resize", layout);
            map.on("zoomstart", function () {  // names are laid out again at zoomend
                delete map.getContainer().dataset.zoningLaidOut;
            });
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(layout); }
            layout();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: PageData, css: str, title_html: str, legend_html: str) -> None:
        super().__init__()
        self._name = "ZoningOverlays"
        self.title_id = f"{self.get_name()}-title"
        self.legend_id = f"{self.get_name()}-legend"
        self.css = css
        self.declutter = H.DECLUTTER_JS
        self.data = data
        data.title, data.legend = title_html, legend_html


class _Details(VerbatimMacro):
    """Tooltips and popups of a GeoJson layer, read from the page data.

    A feature's ``tip`` property indexes the data's ``tips`` and its ``zone``
    property keys the data's ``popups``; the HTML there is already escaped.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var data = {{ this.data.get_name() }};
            var layer = {{ this._parent.get_name() }};
            function box(html) {
                var div = L.DomUtil.create("div");
                div.innerHTML = html || "";
                return div;
            }
            {%- if this.tooltip %}
            layer.bindTooltip(function (l) {
                return box(data.tips[l.feature.properties.tip]);
            }, {{ this.tooltip|tojson }});
            {%- endif %}
            layer.bindPopup(function (l) {
                return box(data.popups[String(l.feature.properties.zone)]);
            }, {{ this.popup|tojson }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: PageData, *, tooltip: bool) -> None:
        super().__init__()
        self._name = "ZoningDetails"
        self.data = data
        # the zone popup pans clear of the title box when opened
        self.popup = {
            "className": "foliumpopup",
            "autoPanPaddingTopLeft": [20, 90],
            "maxWidth": 360,
        }
        self.tooltip = {"sticky": True, "className": "foliumtooltip"} if tooltip else None


def _feature(fid: str, geom: Any, props: dict[str, Any]) -> dict[str, Any]:
    """One GeoJSON feature."""
    return {"type": "Feature", "id": fid, "properties": props, "geometry": geom.__geo_interface__}


def _collection(feats: list[dict[str, Any]]) -> dict[str, Any]:
    """A GeoJSON feature collection."""
    return {"type": "FeatureCollection", "features": feats}


def _check(plan: pd.DataFrame, zones: pd.DataFrame, incidents: pd.DataFrame | None) -> None:
    """Raise one InputError listing every missing column (or an empty plan)."""
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


def _heat_points(incidents: pd.DataFrame) -> list[list[float]]:
    """Incident points aggregated on a ~11 m grid as ``[lat, lon, count]``."""
    lon = pd.to_numeric(incidents[LON], errors="coerce")
    lat = pd.to_numeric(incidents[LAT], errors="coerce")
    ok = lon.between(-180, 180) & lat.between(-90, 90)
    pts = pd.DataFrame({"lat": lat[ok].round(4), "lon": lon[ok].round(4)})
    counts = pts.groupby(["lat", "lon"]).size().reset_index(name="n")
    return counts[["lat", "lon", "n"]].astype(float).values.tolist()


@dataclass
class PreparedPlan:
    """Frames ready to draw: WGS84 (GCJ-02 for 高德 tiles), empty rows dropped."""

    plan: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    incidents: pd.DataFrame | None
    river: gpd.GeoDataFrame | None
    basemap: _basemaps.Basemap | None

    @property
    def bounds(self) -> list[list[float]]:
        """``[[south, west], [north, east]]`` of the zones."""
        minx, miny, maxx, maxy = self.zones.total_bounds
        return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def prepare_plan(
    plan: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    incidents: pd.DataFrame | None,
    river: gpd.GeoDataFrame | None,
    basemap: _basemaps.Basemap | None,
) -> PreparedPlan:
    """Check the frames and make them ready to draw (see :class:`PreparedPlan`)."""
    _check(plan, zones, incidents)
    plan = K.drawable(K.to_wgs84(plan))
    zones = K.drawable(K.to_wgs84(zones).sort_values(ZONE)).copy()
    if plan.empty or zones.empty:
        raise InputError(tr("地图：方案中没有可绘制的区域。", "Map: the plan has no geometry."))
    if river is not None:
        river = K.drawable(K.to_wgs84(river))
    if basemap is not None and basemap.gcj02:  # 高德 tiles are GCJ-02: move every overlay
        plan, zones = _basemaps.shift_frame(plan), _basemaps.shift_frame(zones)
        river = _basemaps.shift_frame(river) if river is not None else None
        incidents = _basemaps.shift_points(incidents) if incidents is not None else None
    zones["_name"] = K.zone_names(zones)
    return PreparedPlan(plan, zones, incidents, river, basemap)


def map_from_plan(
    plan: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    title: str,
    incidents: pd.DataFrame | None = None,
    river: gpd.GeoDataFrame | None = None,
    online: bool = False,
    basemap: str | _basemaps.Basemap | None = None,
    tianditu_key: str | None = None,
    report: Mapping[str, Any] | None = None,
) -> folium.Map:
    """Draw a zoning plan as an interactive Leaflet map.

    Parameters
    ----------
    plan
        One row per station (EPSG:4326 polygons) with ``station_name``, ``zone`` and,
        when known, ``station_id``, ``zone_name``, ``is_center``, ``load``,
        ``population``, ``officers``, ``seat_lon``, ``seat_lat``,
        ``is_case_team_base`` and ``is_community_team_base``. Other columns are
        ignored; NaN population/officers show as "—".
    zones
        One row per zone (EPSG:4326 (multi)polygons) with ``zone`` and, when known,
        ``zone_name``, ``center_name``, ``center_reason``, ``case_team_name``,
        ``community_team_name``, ``load``, ``share`` (0..1), ``officers``,
        ``load_per_officer``, ``is_urban_core`` and the travel figures
        ``max_minutes``, ``mean_minutes``, ``share_within_t`` (0..1, with the
        target ``within_minutes`` if known); missing ones are left out.
    title
        Shown in the title box and as the page title (escaped).
    incidents
        Incident points (columns ``lon``, ``lat``, WGS84) for a heat-map layer that
        is off until switched on in the layer control.
    river
        Optional line (or polygon) layer drawn in blue.
    online
        Also offer an OpenStreetMap basemap (off until switched on) when no
        ``basemap`` is given. Such a map can only be saved with
        ``save_map(..., online=True)``.
    basemap
        ``None``/``"none"`` (default), ``"osm"``, ``"tianditu"``, ``"gaode"`` or an
        XYZ URL template of the user's own tile server (see
        :func:`zoning.maps.basemaps.resolve_basemap`). Its tiles may be saved offline.
        With ``"gaode"`` every overlay is moved WGS84 → GCJ-02 to match the tiles.
    tianditu_key
        天地图 key, needed for ``basemap="tianditu"`` (written into the page).
    report
        The plan's ``report.json``: adds the before/after panel, hour charts in the
        zone popups and the station-type layer (:mod:`zoning.maps.decision`).

    Returns
    -------
    folium.Map
        Zones, station boundaries with tooltips, labels, centre-station stars,
        team-base badges, zone popups, legend, title, scale bar, full-screen button
        and layer control.

    Raises
    ------
    InputError
        If a required column is missing, the plan is empty, or the basemap is invalid.
    """
    tiles = _basemaps.resolve_basemap(basemap, tianditu_key=tianditu_key)
    prep = prepare_plan(plan, zones, incidents, river, tiles)
    (miny, minx), (maxy, maxx) = prep.bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        prefer_canvas=False,  # SVG paths: crisp when printed, countable in tests
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    _offline.drop_unused_resources(m)
    m.get_root().title = esc(title)  # type: ignore[attr-defined]
    if online and tiles is None:
        name = tr("在线底图（OpenStreetMap）", "Online basemap (OpenStreetMap)")
        folium.TileLayer("OpenStreetMap", name=name, overlay=True, show=False).add_to(m)
    estimated = estimate_note(plan)  # 辖区为估算: jurisdictions made from seats
    report = report or {}
    profiles = report.get("profiles") or {}
    data = draw_plan(
        m,
        prep,
        title=title,
        note=f" · {estimated}" if estimated else "",
        popup_extra=_decision.zone_charts(profiles),
    )
    _decision.add_station_types(m, prep.plan, profiles.get("types"))
    if report.get("before_after"):
        _decision.add_before_after_panel(m, data, report["before_after"])
    Fullscreen(
        title=tr("全屏", "Full screen"), title_cancel=tr("退出全屏", "Exit full screen")
    ).add_to(m)
    add_frontier_panel(m, data, report)  # the trade-off chart (top left), given a ladder
    folium.LayerControl(collapsed=False).add_to(m)
    # room for the title (top) and the legend (right)
    fit_view(m, prep.bounds, top_left=(20, 70), bottom_right=(200, 20))
    return m


def fit_view(
    m: folium.Map,
    bounds: list[list[float]],
    *,
    top_left: tuple[int, int],
    bottom_right: tuple[int, int],
) -> None:
    """Open the map on ``bounds`` at once, without Leaflet's zoom animation.

    An animated first zoom moves the markers a quarter second after the page
    has drawn them, so the name layout would first run for the wrong view.
    """
    fit = FitBounds(bounds, padding_top_left=top_left, padding_bottom_right=bottom_right)
    fit.options["animate"] = False
    m.add_child(fit)


def draw_plan(
    m: folium.Map,
    prep: PreparedPlan,
    *,
    title: str,
    note: str = "",
    colours: dict[int, str] | None = None,
    popup_extra: Mapping[int, str] | None = None,
) -> PageData:
    """Draw prepared frames on a map: basemap, zones, stations, river, heat, labels,
    title box (``note`` appended to its subtitle) and legend; no controls, no view.
    ``colours`` (zone -> colour) overrides :func:`zoning.maps.style.zone_colours`;
    ``popup_extra`` (zone -> escaped HTML) is appended to the zone popups. Returns
    the map's data block (more panels can be put in it)."""
    plan, zones = prep.plan, prep.zones
    data = PageData()
    data.add_to(m)  # first: every script below reads it
    if prep.basemap is not None:
        _basemaps.add_basemap(m, prep.basemap)
    colours = colours or K.zone_colours(zones)
    plan_zone = pd.to_numeric(plan[ZONE], errors="coerce").fillna(-1).astype(int)
    data.popups = {
        int(z[ZONE]): H.zone_popup(z, colours[int(z[ZONE])], plan[plan_zone == int(z[ZONE])])
        + (popup_extra or {}).get(int(z[ZONE]), "")
        for _, z in zones.iterrows()
    }
    fill = 0.55 if prep.basemap is None else 0.35  # let the basemap show through
    zone_geoms = K.light_geoms(zones.geometry.values)
    feats = [
        _feature(f"z{int(z)}", g, {"zone": int(z)})
        for z, g in zip(zones[ZONE], zone_geoms, strict=True)
    ]
    zone_layer = folium.GeoJson(  # popups reachable where the station layer is switched off
        _collection(feats),
        name=tr("防区", "Zones"),
        style_function=lambda f: {
            "fillColor": colours.get(f["properties"]["zone"], K.SPARE_COLOUR),
            **{"fillOpacity": fill, "color": "#222222", "weight": 2.5, "opacity": 0.9},
        },
    ).add_to(m)
    _Details(data, tooltip=False).add_to(zone_layer)

    station_geoms = K.light_geoms(plan.geometry.values)
    zone_names = dict(zip(zones[ZONE].astype(int), zones["_name"], strict=True))
    pop, off, load = K.numeric(plan, POPULATION), K.numeric(plan, OFFICERS), K.numeric(plan, LOAD)
    aliases = [tr("派出所", "Station"), tr("防区", "Zone"), tr("警情负荷", "Incident load")]
    aliases += [tr("人口", "Population"), tr("警力", "Officers")]
    feats = []
    for i, (idx, g) in enumerate(zip(plan.index, station_geoms, strict=True)):
        z = int(plan_zone[idx])
        values = [
            esc(plan.at[idx, STATION_NAME]),
            esc(zone_names.get(z, "—")),
            K.load_fmt(load[idx]),
            K.fmt(pop[idx]),
            K.fmt(off[idx]),
        ]
        data.tips.append(H.table_html(zip(aliases, values, strict=True)))
        # a click on a station opens its zone's popup
        feats.append(_feature(f"s{i}", g, {"tip": i, "zone": z}))
    station_layer = folium.GeoJson(
        _collection(feats),
        name=tr("派出所辖区", "Station areas"),
        style_function=lambda f: {"color": "#555555", "weight": 1, "fillOpacity": 0.0},
        highlight_function=lambda f: {"color": "#000000", "weight": 3},
    ).add_to(m)
    _Details(data, tooltip=True).add_to(station_layer)

    river = prep.river
    has_river = river is not None and not river.empty
    if river is not None and has_river:
        rgeoms = shapely.transform(
            shapely.simplify(np.asarray(river.geometry.values, dtype=object), K.SIMPLIFY_DEG),
            lambda xy: np.round(xy, K.DECIMALS),
        )
        folium.GeoJson(
            _collection([_feature(f"r{i}", g, {}) for i, g in enumerate(rgeoms)]),
            name=tr("河流", "River"),
            style_function=lambda f: (
                {"color": K.RIVER_COLOUR, "weight": 3, "opacity": 0.9}
                | {"fillColor": K.RIVER_COLOUR, "fillOpacity": 0.4}
            ),
            interactive=False,
        ).add_to(m)
    points = _heat_points(prep.incidents) if prep.incidents is not None else []
    if points:
        name = tr("警情热力图", "Incident heat map")
        HeatMap(points, name=name, show=False, radius=18, blur=14, min_opacity=0.25).add_to(m)

    teams = _add_labels(m, data, plan, plan_zone, station_geoms, zones, zone_geoms, colours)
    legend = H.legend_html(zones, colours, river=has_river, teams=teams)
    title_html = H.title_html(title, len(plan), len(zones), note)
    _Overlays(data, H.page_css(), title_html, legend).add_to(m)
    return data


def outline_stations(
    m: folium.Map,
    data: PageData,
    plan: gpd.GeoDataFrame,
    ids: Collection[str],
    *,
    label: Callable[[int], str],
) -> int:
    """Draw a dashed outline around the stations ``ids`` (``station_id``) of a drawn
    plan, as a layer of its own named ``label(number drawn)`` with a row in the
    legend (a map from :func:`draw_plan`, whose page data is ``data``); ids not in
    the plan are skipped. Returns how many were drawn.

    The outlines take no clicks: the station's tooltip and its zone's popup stay.
    """
    if STATION_ID not in plan.columns:
        return 0
    keep = plan[plan[STATION_ID].astype(str).isin({str(i) for i in ids})]
    if keep.empty:
        return 0
    geoms = K.light_geoms(keep.geometry.values)
    name = label(len(keep))
    folium.GeoJson(
        _collection([_feature(f"o{i}", g, {}) for i, g in enumerate(geoms)]),
        name=name,
        style_function=lambda f: {
            "color": K.MOVED_COLOUR,
            "weight": 3.5,
            "dashArray": "7 5",
            "fill": False,
        },
        interactive=False,
    ).add_to(m)
    data.legend += (
        f'<div class="zl-row"><span class="zl-moved"></span><span>{esc(name)}</span></div>'
    )
    return len(keep)


def _add_labels(
    m: folium.Map,
    data: PageData,
    plan: gpd.GeoDataFrame,
    plan_zone: pd.Series,
    station_geoms: np.ndarray,
    zones: gpd.GeoDataFrame,
    zone_geoms: np.ndarray,
    colours: dict[int, str],
) -> set[str]:
    """Station names, zone names (just above a central station's name), stars and
    team-base badges. Returns the team-base columns that put a badge on the map."""
    zone_ids = zones[ZONE].astype(int).tolist()
    station_pts = {i: K.label_point(g) for i, g in zip(plan.index, station_geoms, strict=True)}
    seats = K.seat_points(plan, station_pts)
    centres = plan.index[K.flags(plan, IS_CENTER)]
    stars = {int(plan_zone[i]): (i, seats[i]) for i in centres}
    layout = K.label_layout(plan.index, plan_zone, station_geoms, zone_ids, zone_geoms, stars)
    zone_items = []
    for z, name in zip(zone_ids, zones["_name"], strict=True):
        cls = "zoning-label zl-zone" + (" zl-above" if z in layout.zone_above else "")
        cls += " zl-star" if z in layout.at_star else ""
        html = f'<span style="border-color:{colours[z]}">{esc(name)}</span>'
        zone_items.append([*layout.zone[z], html, cls, 0])
    star_items = [
        [round(seats[i][0], 6), round(seats[i][1], 6), H.STAR_SVG.format(s=22), "zoning-star", 22]
        for i in centres
    ]
    teams, badge_items = set(), []
    for flag, badge in ((K.IS_CASE_BASE, H.CASE_BADGE), (K.IS_COMMUNITY_BASE, H.COMM_BADGE)):
        for i in plan.index[K.flags(plan, flag)]:
            lat, lon = seats[i]
            badge_items.append(
                [round(lat, 6), round(lon, 6), badge, "zoning-base", H.BADGE, H.BADGE_DX[flag], 0]
            )
            teams.add(flag)
    station_items = [
        [
            *layout.station[i],
            f"<span>{esc(plan.at[i, STATION_NAME])}</span>",
            "zoning-label"
            + (" zl-below" if i in layout.below else "")
            + (" zl-star" if i in centres and int(plan_zone[i]) in layout.at_star else ""),
            0,
        ]
        for i in plan.index
    ]
    groups: list[tuple[str, list[list[Any]]]] = [
        (tr("派出所名称", "Station names"), station_items),
        (tr("中心所", "Centre stations"), star_items),
        (tr("执法办案队、社区警务队驻地", "Team bases"), badge_items),
        (tr("防区名称", "Zone names"), zone_items),
    ]
    for name, items in groups:
        if items or name != groups[2][0]:
            _Labels(data, items).add_to(folium.FeatureGroup(name=name).add_to(m))
    return teams


def save_map(m: Element, path: str | Path, *, online: bool = False) -> Path:
    """Write a map as one HTML file.

    Parameters
    ----------
    m
        A map from :func:`map_from_plan` (or a two-plan view from
        :func:`zoning.maps.dualmap.dual_map`).
    path
        Output file; missing parent folders are created.
    online
        ``False`` (default): one self-contained file that works without any
        network (Leaflet and plugins inlined from ``zoning/_assets``); only the
        tiles of a requested basemap are loaded from their server.
        ``True``: keep the CDN links for a smaller file that needs the internet.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    zoning.maps.offline.OfflineAssetError
        If ``online=False`` and the page would still load something from the
        network other than a requested basemap (e.g. a map made with
        ``map_from_plan(..., online=True)``).
    """
    tiles = _basemaps.requested_tile_urls(m)
    page = copy.deepcopy(m).get_root().render()  # rendering mutates folium's element tree
    if not online:
        page = _offline.inline_resources(page)
        remote = _offline.external_resources(without_data(page), allowed_tiles=tiles)
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
