"""Jurisdiction geometry checks: polygon repair, metric CRS, overlaps and gaps."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from zoning._i18n import tr
from zoning.errors import InputError

_POLYGONAL = ("Polygon", "MultiPolygon")

#: Holes in the union of all jurisdictions larger than this are taken to be
#: deliberate (a lake, a reservoir, an enclave of another county or an urban
#: district outside the file) and are not reported as gaps.
MAX_GAP_M2 = 1_000_000.0


def metric_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """A metric CRS for areas and distances: the frame's own if projected, else local UTM."""
    crs = frame.crs
    if crs is None:
        raise InputError(tr("数据缺少坐标系（CRS）", "the data has no coordinate system (CRS)"))
    if crs.is_projected:
        unit = crs.axis_info[0].unit_name if crs.axis_info else ""
        if unit in ("metre", "meter"):
            return crs
    west, south, east, north = frame.total_bounds
    if crs.is_geographic:
        lon, lat = (west + east) / 2, (south + north) / 2
    else:
        to_wgs84 = _to_wgs84(crs.to_wkt())
        xs, ys = to_wgs84.transform([west, east, west, east], [south, south, north, north])
        lon, lat = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return utm_crs(lon, lat)


@lru_cache(maxsize=64)
def utm_crs(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM zone holding ``(lon, lat)`` (what ``estimate_utm_crs`` gives, cached).

    >>> utm_crs(116.4, 39.9).to_epsg()
    32650
    """
    zone = min(60, max(1, int((lon + 180.0) // 6.0) + 1))
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


@lru_cache(maxsize=16)
def _to_wgs84(wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(wkt), "EPSG:4326", always_xy=True)


def polygonal_part(geom: BaseGeometry) -> BaseGeometry | None:
    """Keep the polygonal parts of a geometry (as Polygon or MultiPolygon), or None."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in _POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLYGONAL and not g.is_empty]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in _POLYGONAL else None


def repair(geom: BaseGeometry) -> BaseGeometry | None:
    """Make a polygon valid (``make_valid``, structure method) and keep its polygonal parts."""
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return polygonal_part(fixed)


def classify(geoms: Sequence[Any]) -> tuple[list[int], list[int], list[int]]:
    """Positions of missing, non-polygonal and invalid (but polygonal) geometries."""
    missing: list[int] = []
    non_polygon: list[int] = []
    invalid: list[int] = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            missing.append(i)
        elif g.geom_type not in _POLYGONAL:
            non_polygon.append(i)
        elif not g.is_valid:
            invalid.append(i)
    return missing, non_polygon, invalid


def check_coverage(
    stations: gpd.GeoDataFrame,
    *,
    tolerance_m2: float = 1000.0,
    max_gap_m2: float = MAX_GAP_M2,
) -> list[str]:
    """Report overlaps and gaps between jurisdictions.

    Parameters
    ----------
    stations
        Jurisdiction polygons, index = station id, any CRS.
    tolerance_m2
        Overlaps and gaps up to this area (m²) are digitising noise and ignored.
    max_gap_m2
        Holes in the union of all jurisdictions larger than this are assumed to be
        deliberate (lakes, enclaves of other areas) and not reported.

    Returns
    -------
    list of str
        One sentence per overlapping pair (both ids and the area) and per gap
        (the ids of the jurisdictions around it and its area), largest first.
    """
    if len(stations) == 0:
        return []
    ids = [str(i) for i in stations.index]
    geoms = np.asarray(stations.geometry.to_crs(metric_crs(stations)).values, dtype=object)
    ok = np.array([g is not None and not g.is_empty for g in geoms])
    geoms[~ok] = None
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    found: list[tuple[float, str]] = []
    if left.size:
        areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        for i, j, area in zip(left, right, areas, strict=True):
            if area > tolerance_m2:
                found.append(
                    (
                        float(area),
                        tr(
                            f"辖区重叠：{ids[i]} 与 {ids[j]} 重叠约 {area:,.0f} m²。"
                            "请修正辖区边界，使每处土地只属于一个派出所。",
                            f"Overlapping jurisdictions: {ids[i]} and {ids[j]} overlap by "
                            f"about {area:,.0f} m². Fix the boundaries so every place "
                            "belongs to one station.",
                        ),
                    )
                )
    union = shapely.union_all(geoms[ok])
    for part in shapely.get_parts(union):
        if part.geom_type != "Polygon":
            continue
        for ring in part.interiors:
            hole = shapely.Polygon(ring)
            area = hole.area
            if not tolerance_m2 < area <= max_gap_m2:
                continue
            around = sorted(tree.query(hole, predicate="dwithin", distance=1.0).tolist())
            names = ", ".join(ids[k] for k in around)
            where_zh = f"{names} 之间" if len(around) > 1 else f"{names} 辖区内"
            where_en = f"between {names}" if len(around) > 1 else f"inside {names}"
            found.append(
                (
                    float(area),
                    tr(
                        f"辖区间有空隙：{where_zh}约 {area:,.0f} m² 不属于任何派出所。"
                        "请补齐辖区边界（湖泊等有意留空的区域可忽略）。",
                        f"Gap between jurisdictions: about {area:,.0f} m² {where_en} belongs "
                        "to no station. Close the gap in the boundaries (ignore it if the "
                        "area is deliberately left out, e.g. a lake).",
                    ),
                )
            )
    found.sort(key=lambda item: -item[0])
    return [message for _, message in found]
