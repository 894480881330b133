"""Read station jurisdictions and incident exports into canonical frames.

Stations come from GeoJSON, Shapefile or GeoPackage; incidents from CSV,
Excel (.xlsx, .xls with ``xlrd``) or point GeoJSON. Column names are matched
through the alias tables of :mod:`zoning._columns`, encodings are detected as
described in :mod:`zoning._encoding`, coordinates are brought to WGS84 as in
:mod:`zoning._coords`. Every input problem is gathered and raised as one
:class:`~zoning.errors.InputError`; recoverable oddities are
:class:`~zoning.errors.ZoningWarning`.

Missing station CRS
    Guessed from the value ranges (see :func:`zoning._coords.guess_crs`) with a
    warning. A 6-digit easting (Gauss-Krüger without zone prefix) does not say
    its central meridian: it is inferred only when the file also has seat
    longitude/latitude columns in degrees and those seats, projected with the
    candidate meridian, fall inside their own polygons; otherwise an
    InputError asks for ``crs=`` (or a ``.prj`` file).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import _schema as S
from zoning._columns import (
    INCIDENT_ALIASES,
    STATION_ALIASES,
    as_text,
    day_bound,
    format_rows,
    name_variants,
    norm_key,
    normalize_station_name,
    parse_bool,
    parse_number,
    parse_times,
    personal_columns,
    resolve_columns,
    station_ids_and_names,
)
from zoning._coords import incident_crs, station_crs, to_wgs84
from zoning._encoding import TABLE_SUFFIXES, read_table, read_vector
from zoning._geometry import check_coverage, classify, repair
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.settings import get_logger

__all__ = [
    "IncidentTable",
    "check_coverage",
    "find_station",
    "incidents_from_file",
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
_INCIDENT_COLUMNS = (S.INCIDENT_ID, S.TIME, S.CATEGORY, S.LON, S.LAT, S.UNIT)
_MAX_WARN_LINES = 20


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=3)


def _available(file: str, columns: list[str]) -> str:
    shown = "、".join(map(str, columns)) if columns else tr("（无）", "(none)")
    return tr(f"{file} 中现有的列：{shown}", f"columns in {file}: {shown}")


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
                f"{file}：找不到指定为 {canon} 的列“{col}”。{_available(file, original)}。"
                "请改正列名映射。",
                f"{file}: column '{col}' given for {canon} does not exist. "
                f"{_available(file, original)}. Fix the column mapping.",
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


@dataclass
class IncidentTable:
    """Cleaned incidents, ready for :func:`zoning.load.loads_from_incidents`.

    Attributes
    ----------
    frame
        Columns incident_id, time, category, lon, lat (WGS84, NaN if missing),
        unit (管辖单位 text or NaN). No personal column is ever kept.
    ledger
        JSON-serialisable counts: rows_read, duplicates_dropped, outside_window,
        unparseable_times, unparseable_time_dropped, missing_coordinates,
        invalid_coordinates, rows_kept, personal_columns_dropped,
        ignored_columns, source, encoding, crs, crs_source, columns.
    """

    frame: pd.DataFrame
    ledger: dict[str, Any] = field(default_factory=dict)


def _read_incidents(
    path: Path, encoding: str | None
) -> tuple[pd.DataFrame, str, tuple[np.ndarray, np.ndarray] | None, CRS | None, list[int]]:
    """Read the raw incident rows; for vector files also the point x/y and file CRS."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        frame, used = read_table(path, encoding)
        return frame, used, None, None, []
    gdf, used = read_vector(path, encoding)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    kinds = shapely.get_type_id(geoms)
    non_point = np.flatnonzero((kinds != 0) & (kinds != -1)).tolist()
    with np.errstate(invalid="ignore"):
        x = np.where(kinds == 0, shapely.get_x(geoms), np.nan)
        y = np.where(kinds == 0, shapely.get_y(geoms), np.nan)
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return frame, used, (x, y), gdf.crs, non_point


def incidents_from_file(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    date_from: str | date | None = None,
    date_to: str | date | None = None,
) -> IncidentTable:
    """Read a 110 incident export (CSV, Excel, point GeoJSON) and clean it.

    Personal columns (报警人, 联系电话, 身份证, 发案地址, …) are dropped as soon as
    the file is read. Duplicates by 警情编号 are dropped (first kept); rows
    outside the inclusive date window are dropped; rows whose time cannot be
    parsed are counted, and dropped only when a window is set.

    Parameters
    ----------
    path
        The export file.
    columns
        Explicit mapping canonical name -> file column; wins over the aliases.
    crs
        Coordinate system of the coordinates: ``wgs84``, ``gcj02``, ``bd09`` or
        ``EPSG:n``. Default: the file's CRS (GeoJSON), else WGS84 for degrees,
        or a Gauss-Krüger zone recognised from a zone-prefixed easting (warned).
    encoding
        Text encoding; detected when omitted (UTF-8, UTF-8-BOM, else GB18030).
    date_from, date_to
        Inclusive date window on 报警时间.

    Raises
    ------
    InputError
        Empty or unreadable file, missing columns (neither coordinates nor
        管辖单位), an unknown CRS or a bad date bound, all gathered.
    """
    path = Path(path)
    file = path.name
    raw, used, xy, file_crs, non_point = _read_incidents(path, encoding)
    explicit = dict(columns or {})
    personal = personal_columns([str(c) for c in raw.columns], keep=explicit.values())
    raw = raw.drop(columns=personal)
    kept_cols = [str(c) for c in raw.columns]
    problems = ProblemList()
    if len(raw) == 0:
        raise InputError(
            tr(
                f"{path}：文件中没有警情记录。请检查是否选错了文件或工作表。",
                f"{path}: the file has no incident rows. Check the file or sheet.",
            )
        )
    aliases = dict(INCIDENT_ALIASES)
    if xy is not None and S.LON not in explicit and S.LAT not in explicit:
        aliases.pop(S.LON)
        aliases.pop(S.LAT)
    found, missing = resolve_columns(kept_cols, aliases, explicit)
    for canon, col in missing:
        problems.add(
            tr(
                f"{file}：找不到指定为 {canon} 的列“{col}”。{_available(file, kept_cols)}。"
                "请改正列名映射。",
                f"{file}: column '{col}' given for {canon} does not exist. "
                f"{_available(file, kept_cols)}. Fix the column mapping.",
            )
        )
    has_xy = (S.LON in found and S.LAT in found) or (xy is not None and S.LON not in explicit)
    if (S.LON in found) != (S.LAT in found):
        have = found.get(S.LON) or found.get(S.LAT)
        problems.add(
            tr(
                f"{file}：只有坐标列“{have}”，缺少另一半（经度/纬度）。"
                f"{_available(file, kept_cols)}。请补齐或在 incident_columns 中指定。",
                f"{file}: coordinate column '{have}' has no partner (longitude/latitude). "
                f"{_available(file, kept_cols)}. Add it or map it in incident_columns.",
            )
        )
    if not has_xy and S.UNIT not in found and not missing:
        problems.add(
            tr(
                f"{file}：缺少必需的列：需要经度+纬度两列，或管辖单位列。"
                f"{_available(file, kept_cols)}。"
                "请改列名（如 经度/纬度/管辖单位）或在 incident_columns 中指定。",
                f"{file}: required columns missing: longitude + latitude, or the 管辖单位 "
                f"(unit) column. {_available(file, kept_cols)}. Rename them (经度/纬度/管辖单位) "
                "or map them in incident_columns.",
            )
        )
    if non_point:
        problems.add(
            tr(
                f"{file}：第 {format_rows([i + 1 for i in non_point])} 行不是点要素。"
                "警情图层必须是点。",
                f"{file}: rows {format_rows([i + 1 for i in non_point])} are not points. "
                "Incidents must be points.",
            )
        )
    lo, lo_day = day_bound(date_from, tr("开始日期", "date_from"), file)
    hi, hi_day = day_bound(date_to, tr("结束日期", "date_to"), file)
    if hi is not None and hi_day:
        hi = hi + timedelta(days=1)  # inclusive whole day: strictly before the next midnight
    if lo is not None and hi is not None and lo >= hi:
        problems.add(
            tr(
                f"{file}：开始日期 {date_from} 晚于结束日期 {date_to}。请调换或改正。",
                f"{file}: date_from {date_from} is after date_to {date_to}. Fix the window.",
            )
        )
    problems.raise_if_any()

    n = len(raw)
    frame = pd.DataFrame(index=pd.RangeIndex(n))

    def text(canon: str) -> pd.Series:
        if canon in found:
            return as_text(raw[found[canon]]).reset_index(drop=True)
        return pd.Series(np.nan, index=frame.index, dtype=object)

    frame[S.INCIDENT_ID] = text(S.INCIDENT_ID)
    times = (
        parse_times(raw[found[S.TIME]]).reset_index(drop=True)
        if S.TIME in found
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    )
    frame[S.TIME] = times.to_numpy()
    frame[S.CATEGORY] = text(S.CATEGORY)

    if S.LON in found and S.LAT in found:
        x, bad_x = parse_number(raw[found[S.LON]])
        y, bad_y = parse_number(raw[found[S.LAT]])
        lon, lat = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
        n_bad_text = len(set(bad_x) | set(bad_y))
        default_crs = None
    elif xy is not None:
        lon, lat = xy
        n_bad_text = 0
        default_crs = file_crs
    else:
        lon = lat = np.full(n, np.nan)
        n_bad_text = 0
        default_crs = None
    system, crs_source = incident_crs(lon, lat, crs, default_crs, file)
    lon, lat = to_wgs84(lon, lat, system) if np.isfinite(lon).any() else (lon, lat)
    with np.errstate(invalid="ignore"):
        both = np.isfinite(lon) & np.isfinite(lat)
        sane = both & (np.abs(lon) <= 180) & (np.abs(lat) <= 90) & ~((lon == 0) & (lat == 0))
    n_invalid = int(np.sum(both & ~sane)) + n_bad_text
    frame[S.LON] = np.where(sane, lon, np.nan)
    frame[S.LAT] = np.where(sane, lat, np.nan)
    frame[S.UNIT] = text(S.UNIT)

    ids = frame[S.INCIDENT_ID]
    dup = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
    frame = frame[~dup]
    t = frame[S.TIME]
    n_unparseable = int(t.isna().sum())
    keep = pd.Series(True, index=frame.index)
    if lo is not None:
        keep &= t >= lo
    if hi is not None:
        keep &= t < hi
    windowed = lo is not None or hi is not None
    outside = int((t.notna() & ~keep).sum()) if windowed else 0
    dropped_nat = n_unparseable if windowed else 0
    if windowed:
        frame = frame[keep.to_numpy()]
    frame = frame[list(_INCIDENT_COLUMNS)].reset_index(drop=True)
    ledger: dict[str, Any] = {
        "source": str(path),
        "encoding": used,
        "rows_read": n,
        "duplicates_dropped": int(dup.sum()),
        "outside_window": outside,
        "unparseable_times": n_unparseable,
        "unparseable_time_dropped": dropped_nat,
        "rows_kept": len(frame),
        "missing_coordinates": int(frame[S.LON].isna().sum()),
        "invalid_coordinates": n_invalid,
        "personal_columns_dropped": [str(c) for c in personal],
        "ignored_columns": [c for c in kept_cols if c not in found.values()],
        "columns": {k: str(v) for k, v in found.items()},
        "crs": system,
        "crs_source": crs_source,
        "date_from": None if lo is None else str(lo.date() if lo_day else lo),
        "date_to": None if hi is None else str((hi - timedelta(days=1)).date() if hi_day else hi),
        "incident_id_column": S.INCIDENT_ID in found,
    }
    if not ledger["incident_id_column"]:
        get_logger().info("%s: no 警情编号 column, duplicates cannot be detected", file)
    get_logger().info("%s: %d of %d incident rows kept", file, len(frame), n)
    return IncidentTable(frame=frame, ledger=ledger)
