"""Shared pieces of every plan drawing: palette, symbols, number formats, geometry.

The interactive map (:mod:`zoning.maps.webmap`), the two-plan view
(:mod:`zoning.maps.dualmap`), the printable map (:mod:`zoning.outputs.printmap`) and the
spreadsheet (:mod:`zoning.outputs.excel`) take colours, labels and formats from here, so
a zone looks and reads the same in every output.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.ops import polylabel

from zoning._i18n import tr
from zoning._schema import IS_URBAN_CORE, LOAD, SEAT_LAT, SEAT_LON, ZONE, ZONE_NAME

#: Zone fill colours: Paul Tol's colour-blind-safe "bright" scheme, in zone order
#: (red last: it is the one closest to the urban-core purple).
ZONE_COLOURS: tuple[str, ...] = ("#4477AA", "#228833", "#CCBB44", "#66CCEE", "#EE6677")
#: The urban-core (城关) zone always gets Tol's purple, never used for other zones.
URBAN_CORE_COLOUR = "#AA3377"
SPARE_COLOUR = "#BBBBBB"
RIVER_COLOUR = "#1F78B4"
#: Dashed outline of the stations that changed zone between two plans (Okabe–Ito vermillion).
MOVED_COLOUR = "#D55E00"
BACKGROUND = "#F4F2EC"
STAR_FILL = "#FFD21F"
#: Team-base symbols: 执法办案队 a dark-red square "案", 社区警务队 a dark-teal disc "社".
CASE_TEAM_COLOUR = "#8E0F1A"
COMMUNITY_TEAM_COLOUR = "#005F60"
#: CSS font stack that renders Chinese on Linux, Windows and macOS.
FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
    '"Hiragino Sans GB", "SimHei", "WenQuanYi Micro Hei", sans-serif'
)

# plan / zones columns produced by later pipeline stages (optional everywhere)
IS_CASE_BASE = "is_case_team_base"
IS_COMMUNITY_BASE = "is_community_team_base"
CENTER_REASON = "center_reason"
CASE_TEAM_NAME = "case_team_name"
COMMUNITY_TEAM_NAME = "community_team_name"
MAX_MINUTES = "max_minutes"
MEAN_MINUTES = "mean_minutes"
SHARE_WITHIN_T = "share_within_t"
#: Optional zones column with the time target T (minutes) of ``share_within_t``.
WITHIN_MINUTES = "within_minutes"
#: Optional zones column: how travel times were estimated.
TRAVEL_METHOD = "travel_method"
#: Optional zones column: why the zone's travel times are only a guess (island links).
TRAVEL_CAVEAT = "travel_caveat"
_METHODS = {
    "road": ("按道路网", "by road"),
    "straight_line": ("按直线距离估算", "straight-line estimate"),
    "mixed": ("部分按道路网、部分按直线估算", "partly by road, partly straight-line"),
}


def travel_method(value: object) -> str:
    """A readable note on how travel times were estimated ("" when unknown)."""
    pair = _METHODS.get(str(value)) if not missing(value) else None
    return tr(*pair) if pair else ""


#: Geometry simplification tolerance in degrees (~5 m) and output precision (~1 m).
SIMPLIFY_DEG = 5e-5
DECIMALS = 5


# --- values -------------------------------------------------------------------
def missing(value: object) -> bool:
    """True for None, pandas NA/NaT and float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


_ENTITIES = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """HTML-escape a value for an HTML sink (text or a quoted attribute).

    Besides ``& < > " '``, the characters ``` ` $ \\ { }`` become character
    references, so the result can neither end a JavaScript template literal nor
    hold a template delimiter (``{{``, ``{%``, ``{#``) should it ever meet one.
    """
    if missing(value):
        return ""
    return _html.escape(str(value), quote=True).translate(_ENTITIES)


def truthy(value: object) -> bool:
    """A yes/no cell as a bool (missing: False)."""
    return not missing(value) and bool(value)


def num(value: object) -> float:
    """A cell as a float (NaN when not a number)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def fmt(value: object, digits: int = 0) -> str:
    """Format a number with thousands separators; NaN or non-numbers as an em dash."""
    x = num(value)
    return f"{x:,.{digits}f}" if math.isfinite(x) else "—"


def load_fmt(value: object) -> str:
    """An incident load: one decimal below 100, none above."""
    return fmt(value, 1 if abs(num(value)) < 100 else 0)


def pct(value: object, digits: int = 1) -> str:
    """A share (0..1) as a percentage; missing as an em dash."""
    x = num(value)
    return f"{x * 100:.{digits}f}%" if math.isfinite(x) else "—"


# --- frames -------------------------------------------------------------------
def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame in EPSG:4326 (unchanged when already there or without a CRS)."""
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def column(df: pd.DataFrame, name: str, default: object) -> pd.Series:
    """A column, or a column of ``default`` when the frame lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def flags(df: pd.DataFrame, name: str) -> pd.Series:
    """A yes/no column as booleans (missing column or NaN: False)."""
    return column(df, name, False).map(truthy).astype(bool)


def numeric(df: pd.DataFrame, name: str) -> pd.Series:
    """A column as floats (missing column or non-numbers: NaN)."""
    return pd.to_numeric(column(df, name, np.nan), errors="coerce")


def drawable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows with a non-empty geometry."""
    return gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]


def zone_names(zones: pd.DataFrame) -> list[str]:
    """Display name of each zone row: ``zone_name`` or 第N防区 / Zone N."""
    return [
        n if isinstance(n, str) and n else tr(f"第{z}防区", f"Zone {z}")
        for z, n in zip(zones[ZONE], column(zones, ZONE_NAME, None), strict=True)
    ]


#: Optional zones column with each zone's fill colour (``#RRGGBB``), e.g. kept stable
#: across re-plans by the app; when every zone has one, every drawing uses it.
COLOUR = "colour"
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def zone_colours(zones: pd.DataFrame) -> dict[int, str]:
    """Palette colours for the other zones in zone order; the urban core gets its own.

    A :data:`COLOUR` column wins when every zone has a valid ``#RRGGBB`` there.
    """
    given = column(zones, COLOUR, None)
    if all(isinstance(c, str) and _HEX.fullmatch(c) for c in given):
        return dict(zip(zones[ZONE].astype(int), given, strict=True))
    urban = dict(zip(zones[ZONE].astype(int), column(zones, IS_URBAN_CORE, False), strict=True))
    rural = sorted(z for z, u in urban.items() if not truthy(u))
    palette = dict(zip(rural, [*ZONE_COLOURS, *[SPARE_COLOUR] * len(rural)], strict=False))
    return {z: palette.get(z, URBAN_CORE_COLOUR) for z in urban}


def matched_colours(zones: pd.DataFrame, reference: pd.DataFrame) -> dict[int, str]:
    """Colours for ``zones`` that repeat the colours of the ``reference`` plan.

    Each zone takes the colour of the reference zone it overlaps most (largest
    overlaps first, each reference colour used once); the urban core keeps its
    purple; the others take the palette colours left over, in zone order.
    """
    ref = zone_colours(reference)
    own = zone_colours(zones)
    urban = set(zones.loc[flags(zones, IS_URBAN_CORE), ZONE].astype(int))
    pairs = []
    for z, g in zip(zones[ZONE].astype(int), zones.geometry, strict=True):
        for r, h in zip(reference[ZONE].astype(int), reference.geometry, strict=True):
            if z not in urban and ref[r] != URBAN_CORE_COLOUR and g is not None and h is not None:
                pairs.append((float(g.intersection(h).area), z, r))
    out: dict[int, str] = {z: URBAN_CORE_COLOUR for z in urban}
    for area, z, r in sorted(pairs, reverse=True):
        if area > 0 and z not in out and ref[r] not in out.values():
            out[z] = ref[r]
    spare = iter(c for c in [*ZONE_COLOURS, *own.values()] if c not in out.values())
    for z in sorted(own):
        if z not in out:
            out[z] = next(spare, SPARE_COLOUR)
    return out


def load_spread(zones: pd.DataFrame) -> float:
    """(max − min) / mean load over the balanced zones (all but the urban core).

    The same definition as ``report.json``'s ``spread``; NaN with no balanced zone.
    """
    loads = numeric(zones, LOAD)[~flags(zones, IS_URBAN_CORE)].dropna()
    if loads.empty or loads.mean() <= 0:
        return math.nan
    return float((loads.max() - loads.min()) / loads.mean())


def seat_points(
    plan: gpd.GeoDataFrame, fallback: dict[Any, tuple[float, float]]
) -> dict[Any, tuple[float, float]]:
    """Station seat (驻地) as ``(lat, lon)`` per row, else the row's ``fallback`` point."""
    lon, lat = numeric(plan, SEAT_LON), numeric(plan, SEAT_LAT)
    out = {}
    for i in plan.index:
        ok = np.isfinite(lat[i]) and np.isfinite(lon[i])
        out[i] = (float(lat[i]), float(lon[i])) if ok else fallback[i]
    return out


# --- geometry -----------------------------------------------------------------
def light_geoms(
    geoms: Sequence[Any] | np.ndarray, tolerance: float = SIMPLIFY_DEG, decimals: int = DECIMALS
) -> np.ndarray:
    """Simplify a polygon coverage together and round the coordinates.

    With a valid coverage (no overlaps) :func:`shapely.coverage_simplify` moves
    each shared edge once for both neighbours, so no gap or sliver opens between
    them; otherwise each polygon is simplified on its own (topology preserved).

    Parameters
    ----------
    geoms
        (Multi)polygons.
    tolerance
        Simplification tolerance in coordinate units.
    decimals
        Coordinates are rounded to this many decimals (shared vertices stay shared).

    Returns
    -------
    numpy.ndarray
        The simplified geometries, in order.
    """
    arr = np.asarray(geoms, dtype=object)
    simple = None
    if len(arr) and bool(shapely.coverage_is_valid(arr)):
        try:
            simple = shapely.coverage_simplify(arr, tolerance, simplify_boundary=True)
        except Exception:  # an old GEOS or a coverage GEOS rejects after all
            simple = None
    if simple is None:
        simple = shapely.simplify(arr, tolerance, preserve_topology=True)
    return np.asarray(shapely.transform(simple, lambda xy: np.round(xy, decimals)), dtype=object)


def label_point(geom: Any) -> tuple[float, float]:
    """A point well inside a (multi)polygon, for its label, as ``(y, x)``.

    The centroid of the largest part when it lies well inside (at least 60 % as
    far from the edge as the pole of inaccessibility), else that pole.
    """
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        parts = [g for g in geom.geoms if g.geom_type == "Polygon"] or list(geom.geoms)
        geom = max(parts, key=lambda g: g.area)
    try:
        pt = polylabel(geom, tolerance=max(math.sqrt(geom.area) / 200, 1e-6))
        centre, edge = geom.centroid, geom.boundary
        if geom.contains(centre) and edge.distance(centre) >= 0.6 * edge.distance(pt):
            pt = centre
    except Exception:  # e.g. a ring made invalid by rounding: any inside point will do
        pt = geom.representative_point() if geom.is_valid else geom.centroid
    return float(pt.y), float(pt.x)


@dataclass
class LabelLayout:
    """Where station and zone names go (``(y, x)`` points in the frames' CRS).

    ``below`` holds the stations whose name is pushed just below its point,
    because the zone name sits just above it (``zone_above``). ``at_star`` holds
    the zones whose names are stacked on their 中心所 star (zone name above the
    star, station name below it), so the gaps must clear the star.
    """

    station: dict[Any, tuple[float, float]]
    below: set[Any]
    zone: dict[int, tuple[float, float]]
    zone_above: set[int]
    at_star: set[int]


def label_layout(
    plan_index: Sequence[Any],
    plan_zone: pd.Series,
    station_geoms: Sequence[Any] | np.ndarray,
    zone_ids: Sequence[int],
    zone_geoms: Sequence[Any] | np.ndarray,
    stars: Mapping[int, tuple[Any, tuple[float, float]]] | None = None,
) -> LabelLayout:
    """Preferred places of station and zone names, before any collision is resolved.

    A zone's name goes above its 中心所 star, that station's name below it, other
    names at their label points. Names that would still cover one another (small
    units, nearby stars) are moved or, on the web map, hidden by
    :mod:`zoning.maps.declutter` and its page script.

    Parameters
    ----------
    plan_index, plan_zone, station_geoms
        Stations: row labels, zone numbers and (simplified) geometries.
    zone_ids, zone_geoms
        Zones: numbers and geometries.
    stars
        Zone -> (row label, ``(y, x)``) of its 中心所 star. Such a zone's name goes
        just above the star and the station's name just below it. Other zones'
        names are stacked on the name of the station nearest the zone's label point.

    Returns
    -------
    LabelLayout
    """
    station = {i: label_point(g) for i, g in zip(plan_index, station_geoms, strict=True)}
    layout = LabelLayout(station, set(), {}, set(), set())
    for z, g in zip(zone_ids, zone_geoms, strict=True):
        z = int(z)
        if stars and z in stars:
            near, pt = stars[z]
            station[near] = pt
            layout.at_star.add(z)
        else:
            pt = label_point(g)
            members = [i for i in plan_index if plan_zone[i] == z]
            if not members:
                layout.zone[z] = pt
                continue
            near = members[int(np.argmin([math.dist(station[i], pt) for i in members]))]
            pt = station[near]
        layout.below.add(near)
        layout.zone_above.add(z)
        layout.zone[z] = pt
    return layout
