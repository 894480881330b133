"""Two plans side by side on one page, panned and zoomed together.

For a meeting that has to choose between two drafts (say K = 4 against K = 5,
or the solver's plan against a hand-edited one): two synchronised Leaflet maps
(folium's ``DualMap`` with the vendored Leaflet.Sync), each with its own title,
legend, popups and layer control. Save it with :func:`zoning.maps.webmap.save_map`,
which makes it one self-contained, offline HTML file like the single map.

Examples
--------
>>> view = dual_map(plan_a, zones_a, plan_b, zones_b, titles=("方案一", "方案二"))  # doctest: +SKIP
>>> save_map(view, "maps/compare.html")  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Collection

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import DualMap

from zoning._i18n import tr
from zoning.io.jurisdictions import estimate_note
from zoning.maps import basemaps as _basemaps
from zoning.maps import offline as _offline
from zoning.maps import style as K
from zoning.maps._page import Verbatim
from zoning.maps.webmap import draw_plan, fit_view, outline_stations, prepare_plan

__all__ = ["dual_map"]


def dual_map(
    plan_a: gpd.GeoDataFrame,
    zones_a: gpd.GeoDataFrame,
    plan_b: gpd.GeoDataFrame,
    zones_b: gpd.GeoDataFrame,
    *,
    titles: tuple[str, str],
    incidents: pd.DataFrame | None = None,
    river: gpd.GeoDataFrame | None = None,
    basemap: str | _basemaps.Basemap | None = None,
    tianditu_key: str | None = None,
    moved: Collection[str] = (),
) -> DualMap:
    """Draw two plans of the same county side by side, kept in step.

    Parameters
    ----------
    plan_a, zones_a
        The left plan (frames as for :func:`zoning.maps.webmap.map_from_plan`).
    plan_b, zones_b
        The right plan.
    titles
        Titles of the left and right maps (escaped); the page title joins them.
    incidents
        Incident points (``lon``, ``lat``) for a heat-map layer on both maps.
    river
        Optional river layer drawn on both maps.
    basemap, tianditu_key
        As for :func:`zoning.maps.webmap.map_from_plan`; the same basemap under both.
    moved
        ``station_id`` of the stations that changed zone: outlined (dashed) on
        both maps, as a layer and a legend row of their own.

    Zones of the right plan take the colour of the left-plan zone they overlap
    most, so that a zone that stays (nearly) the same keeps its colour.

    Returns
    -------
    folium.plugins.DualMap
        ``.m1`` (left) and ``.m2`` (right); save with :func:`zoning.maps.webmap.save_map`.

    Raises
    ------
    InputError
        If a required column is missing, a plan is empty, or the basemap is invalid.
    """
    tiles = _basemaps.resolve_basemap(basemap, tianditu_key=tianditu_key)
    preps = [
        prepare_plan(plan, zones, incidents, river, tiles)
        for plan, zones in ((plan_a, zones_a), (plan_b, zones_b))
    ]
    (s1, w1), (n1, e1) = preps[0].bounds
    (s2, w2), (n2, e2) = preps[1].bounds
    bounds = [[min(s1, s2), min(w1, w2)], [max(n1, n2), max(e1, e2)]]
    view = DualMap(
        location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        layout="horizontal",
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    page_title = tr(f"{titles[0]} ↔ {titles[1]}", f"{titles[0]} vs {titles[1]}")
    view.get_root().title = K.esc(page_title)  # type: ignore[attr-defined]
    colours = K.zone_colours(preps[0].zones)
    palettes = [colours, K.matched_colours(preps[1].zones, preps[0].zones)]
    for m, prep, title, palette in zip((view.m1, view.m2), preps, titles, palettes, strict=True):
        _offline.drop_unused_resources(m)
        spread = K.load_spread(prep.zones)
        note = tr(f" · 负荷极差 {spread:.1%}", f" · spread {spread:.1%}")
        note = note if math.isfinite(spread) else ""
        note += f" · {estimated}" if (estimated := estimate_note(prep.plan)) else ""
        data = draw_plan(m, prep, title=title, note=note, colours=palette)
        if moved:
            outline_stations(m, data, prep.plan, moved, label=_moved_label)
        folium.LayerControl(collapsed=True).add_to(m)
    divider = f"<style>#{view.m2.get_name()} {{ border-left: 2px solid #666; }}</style>"
    view.get_root().header.add_child(Verbatim(divider), name="zoning_divider")  # type: ignore[attr-defined]
    for m in (view.m1, view.m2):
        fit_view(m, bounds, top_left=(10, 70), bottom_right=(10, 10))
    return view


def _moved_label(n: int) -> str:
    return tr(f"调整防区的派出所（{n} 个）", f"Stations that change zone ({n})")
