"""Read station jurisdictions into the canonical station frame.

Stations come from GeoJSON, Shapefile or GeoPackage (incidents: see
:mod:`zoning.io.incidents`). Column names are matched
through the alias tables of :mod:`zoning.io.columns`, encodings are detected as
described in :mod:`zoning.io.encoding`, coordinates are brought to WGS84 as in
:mod:`zoning.io.crs`. Every input problem is gathered and raised as one
:class:`~zoning.errors.InputError`; recoverable oddities are
:class:`~zoning.errors.ZoningWarning`.

Missing station CRS
    Guessed from the value ranges (see :func:`zoning.io.crs.guess_crs`) with a
    warning. A 6-digit easting (Gauss-Krüger without zone prefix) does not say
    its central meridian: it is inferred only when the file also has seat
    longitude/latitude columns in degrees and those seats, projected with the
    candidate meridian, fall inside their own polygons; otherwise an
    InputError asks for ``crs=`` (or a ``.prj`` file).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.io.columns import (
    STATION_ALIASES,
    available_columns,
    format_rows,
    name_variants,
    norm_key,
    normalize_station_name,
    parse_bool,
    parse_number,
    resolve_columns,
    station_ids_and_names,
)
from zoning.io.crs import station_crs, to_wgs84
from zoning.io.encoding import read_vector
from zoning.io.geometry import check_coverage, classify, repair
from zoning.settings import get_logger

__all__ = [
    "check_coverage",
    "find_station",
    "normalize_station_name",
    "station_lookup",
    "stations_from_file",
]

_CANONICAL_STATION = (
    S.STATION_ID,
    S.STATION_NAME,
    S.POPULATION,
    S.OFFICERS,
    S.HAS_CASE_AREA,
    S.COMMUNITIES,
    S.IS_URBAN_CORE,
    S.SEAT_LON,
    S.SEAT_LAT,
)
_MAX_WARN_LINES = 20


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=3)


def station_lookup(stations: gpd.GeoDataFrame) -> dict[str, str]:
    """Map every id and normalised name (casefolded) of ``stations`` to its station id."""
    lookup: dict[str, str] = {}
    names = stations.get(S.STATION_NAME, stations.index)
    for sid, name in zip(stations.index, names, strict=True):
        lookup.setdefault(normalize_station_name(str(name)).casefold(), str(sid))
    for sid in stations.index:
        lookup[norm_key(sid)] = str(sid)
    return lookup


def find_station(stations: gpd.GeoDataFrame, key: str) -> str | None:
    """Return the station id for an id or a (normalised) name, else None.

    Names match after :func:`normalize_station_name`, so ``青山``,
    ``青山派出所`` and ``ＸＸ县公安局青山派出所`` all find the same station.
    """
    if key is None:
        return None
    if str(key) in stations.index:
        return str(key)
    lookup = station_lookup(stations)
    for variant in name_variants(str(key)):
        if variant in lookup:
            return lookup[variant]
    return None


def stations_from_file(
    path: str | Path,
    *,
    id_column: str | None = None,
    name_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read station jurisdictions (派出所辖区) into the canonical GeoDataFrame.

    Parameters
    ----------
    path
        GeoJSON, Shapefile or GeoPackage of jurisdiction polygons.
    id_column, name_column
        File columns holding the station id and name (override the aliases).
    columns
        Explicit mapping canonical name -> file column (from the scenario file);
        wins over the aliases.
    encoding
        Text encoding of the attribute table; detected when omitted.
    crs
        CRS of the geometries when the file has none or a wrong one
        (e.g. ``"EPSG:4527"``); by default read from the file or guessed.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, index = station id (str, index name None so that the
        ``station_id`` column is unambiguous), the canonical columns of
        :mod:`zoning._schema` followed by every original column.

    Raises
    ------
    InputError
        Listing every problem found (unreadable/empty file, missing columns,
        duplicate ids or names, missing or non-polygon geometry, bad values).
    """
    path = Path(path)
    file = path.name
    raw, _ = read_vector(path, encoding)
    if len(raw) == 0:
        raise InputError(
            tr(
                f"{path}：文件中没有任何要素。请检查是否选错了文件或图层。",
                f"{path}: the file has no features. Check the file or layer.",
            )
        )
    raw = raw.reset_index(drop=True)
    problems = ProblemList()
    notes: list[str] = []
    explicit = dict(columns or {})
    if id_column:
        explicit[S.STATION_ID] = id_column
    if name_column:
        explicit[S.STATION_NAME] = name_column
    original = [c for c in raw.columns if c != raw.geometry.name]
    found, missing = resolve_columns(original, STATION_ALIASES, explicit)
    for canon, col in missing:
        problems.add(
            tr(
                f"{file}：找不到指定为 {canon} 的列“{col}”。{available_columns(file, original)}。"
                "请改正列名映射。",
                f"{file}: column '{col}' given for {canon} does not exist. "
                f"{available_columns(file, original)}. Fix the column mapping.",
            )
        )
    rows = np.arange(1, len(raw) + 1)

    ids, names, _ = station_ids_and_names(raw, found, missing, file, problems, notes)

    geoms = list(raw.geometry.values)
    miss, non_poly, invalid = classify(geoms)
    for label_zh, label_en, bad, fix_zh, fix_en in (
        ("缺少几何图形", "missing geometry", miss, "请补画辖区面", "Draw the jurisdiction"),
        (
            "不是面（Polygon/MultiPolygon）",
            "are not polygons (Polygon/MultiPolygon)",
            non_poly,
            "辖区必须是面图层",
            "Jurisdictions must be polygons",
        ),
    ):
        if bad:
            where = f"{format_rows(rows[bad])}（{format_rows(ids.iloc[bad])}）"
            where_en = f"{format_rows(rows[bad])} (ids {format_rows(ids.iloc[bad])})"
            problems.add(
                tr(
                    f"{file}：第 {where} 行{label_zh}。{fix_zh}。",
                    f"{file}: rows {where_en} {label_en}. {fix_en}.",
                )
            )

    attrs: dict[str, pd.Series] = {}
    for canon in (S.POPULATION, S.OFFICERS, S.COMMUNITIES, S.SEAT_LON, S.SEAT_LAT):
        if canon not in found:
            attrs[canon] = pd.Series(np.nan, index=raw.index)
            continue
        values, bad = parse_number(raw[found[canon]])
        negative = (values < 0).to_numpy() & (canon not in (S.SEAT_LON, S.SEAT_LAT))
        bad = sorted(set(bad) | set(np.flatnonzero(negative).tolist()))
        if bad:
            problems.add(
                tr(
                    f"{file}：列“{found[canon]}”中编号 {format_rows(ids.iloc[bad])} 的值不是"
                    "有效的非负数。请填写数字或留空。",
                    f"{file}: column '{found[canon]}' is not a valid non-negative number for "
                    f"stations {format_rows(ids.iloc[bad])}. Enter a number or leave it empty.",
                )
            )
        attrs[canon] = values
    for canon in (S.HAS_CASE_AREA, S.IS_URBAN_CORE):
        if canon not in found:
            attrs[canon] = pd.Series(False, index=raw.index)
            continue
        flags, bad = parse_bool(raw[found[canon]])
        if bad:
            problems.add(
                tr(
                    f"{file}：列“{found[canon]}”中编号 {format_rows(ids.iloc[bad])} 的值无法识别"
                    "为是/否。请填写 是/否、有/无、Y/N 或 1/0。",
                    f"{file}: column '{found[canon]}' is not yes/no for stations "
                    f"{format_rows(ids.iloc[bad])}. Use 是/否, 有/无, Y/N, yes/no or 1/0.",
                )
            )
        attrs[canon] = flags
    if (S.SEAT_LON in found) != (S.SEAT_LAT in found):
        have = found.get(S.SEAT_LON) or found.get(S.SEAT_LAT)
        problems.add(
            tr(
                f"{file}：只有驻地坐标列“{have}”，缺少另一半（驻地经度/驻地纬度）。"
                "请补齐或删去该列。",
                f"{file}: seat coordinate column '{have}' has no partner (seat_lon/seat_lat). "
                "Add the other one or remove it.",
            )
        )

    seats = (attrs[S.SEAT_LON], attrs[S.SEAT_LAT]) if S.SEAT_LON in found else None
    src_crs = station_crs(raw, crs, seats, file, problems, notes)
    problems.raise_if_any()

    repaired = []
    for i in invalid:
        fixed = repair(geoms[i])
        if fixed is None:
            problems.add(
                tr(
                    f"{file}：第 {rows[i]} 行（{ids.iloc[i]}）的面无效且无法修复。请重绘辖区面。",
                    f"{file}: row {rows[i]} ({ids.iloc[i]}) is an invalid polygon that cannot "
                    "be repaired. Redraw the jurisdiction.",
                )
            )
        geoms[i] = fixed
        repaired.append(ids.iloc[i])
    problems.raise_if_any()
    if repaired:
        notes.append(
            tr(
                f"{file}：已修复无效的辖区面（自相交等）：{format_rows(repaired)}。请核对修复结果。",
                f"{file}: repaired invalid jurisdiction polygons (self-intersections …): "
                f"{format_rows(repaired)}. Check the result.",
            )
        )

    index = pd.Index(ids.to_numpy(), dtype=object)
    geo = gpd.GeoSeries(geoms, index=index, crs=src_crs)
    if src_crs is not None and not src_crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        geo = geo.to_crs(4326)
    else:
        geo = geo.set_crs(4326, allow_override=True)
    seat_lon = attrs[S.SEAT_LON].to_numpy(dtype=float).copy()
    seat_lat = attrs[S.SEAT_LAT].to_numpy(dtype=float).copy()
    projected = np.isfinite(seat_lon) & ((np.abs(seat_lon) > 180) | (np.abs(seat_lat) > 90))
    if projected.any() and src_crs is not None and src_crs.is_projected:
        seat_lon[projected], seat_lat[projected] = to_wgs84(
            seat_lon[projected], seat_lat[projected], src_crs.to_string()
        )
    inside = shapely.point_on_surface(np.asarray(geo.values))
    fill = ~(np.isfinite(seat_lon) & np.isfinite(seat_lat))
    seat_lon[fill] = shapely.get_x(inside[fill])
    seat_lat[fill] = shapely.get_y(inside[fill])

    out = pd.DataFrame(index=index)
    out[S.STATION_ID] = ids.to_numpy()
    out[S.STATION_NAME] = names.to_numpy()
    for canon in (S.POPULATION, S.OFFICERS):
        out[canon] = attrs[canon].to_numpy(dtype=float)
    out[S.HAS_CASE_AREA] = attrs[S.HAS_CASE_AREA].to_numpy(dtype=bool)
    out[S.COMMUNITIES] = attrs[S.COMMUNITIES].to_numpy(dtype=float)
    out[S.IS_URBAN_CORE] = attrs[S.IS_URBAN_CORE].to_numpy(dtype=bool)
    out[S.SEAT_LON] = seat_lon
    out[S.SEAT_LAT] = seat_lat
    for col in original:
        if col not in _CANONICAL_STATION and col != "geometry":
            out[col] = raw[col].to_numpy()
    stations = gpd.GeoDataFrame(out, geometry=geo, crs=4326)
    coverage = check_coverage(stations)
    if coverage:
        shown = coverage[:_MAX_WARN_LINES]
        more = len(coverage) - len(shown)
        notes.append(
            f"{file}:\n"
            + "\n".join(shown)
            + (tr(f"\n……另有 {more} 处", f"\n… and {more} more") if more else "")
        )
    for note in notes:
        _warn(note)
    get_logger().info("%s: %d stations read", file, len(stations))
    return stations


# -------------------------------------------------------------------- incidents
