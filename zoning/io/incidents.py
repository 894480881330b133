"""Read 110 incident exports into the canonical incident table.

Incidents come from CSV (UTF-8, GBK/GB18030), Excel (.xlsx, .xls with ``xlrd``)
or point GeoJSON. Column names are matched through the alias tables of
:mod:`zoning.io.columns`, coordinates brought to WGS84 as in :mod:`zoning.io.crs`
(GCJ-02 and BD-09 included), personal columns dropped on reading. Every input
problem is gathered and raised as one :class:`~zoning.errors.InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList
from zoning.io.columns import (
    INCIDENT_ALIASES,
    as_text,
    available_columns,
    day_bound,
    format_rows,
    parse_number,
    parse_times,
    personal_columns,
    resolve_columns,
)
from zoning.io.crs import incident_crs, to_wgs84
from zoning.io.encoding import TABLE_SUFFIXES, read_table, read_vector
from zoning.settings import get_logger

_INCIDENT_COLUMNS = (S.INCIDENT_ID, S.TIME, S.CATEGORY, S.LON, S.LAT, S.UNIT)


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
                f"{file}：找不到指定为 {canon} 的列“{col}”。{available_columns(file, kept_cols)}。"
                "请改正列名映射。",
                f"{file}: column '{col}' given for {canon} does not exist. "
                f"{available_columns(file, kept_cols)}. Fix the column mapping.",
            )
        )
    has_xy = (S.LON in found and S.LAT in found) or (xy is not None and S.LON not in explicit)
    if (S.LON in found) != (S.LAT in found):
        have = found.get(S.LON) or found.get(S.LAT)
        problems.add(
            tr(
                f"{file}：只有坐标列“{have}”，缺少另一半（经度/纬度）。"
                f"{available_columns(file, kept_cols)}。请补齐或在 incident_columns 中指定。",
                f"{file}: coordinate column '{have}' has no partner (longitude/latitude). "
                f"{available_columns(file, kept_cols)}. Add it or map it in incident_columns.",
            )
        )
    if not has_xy and S.UNIT not in found and not missing:
        problems.add(
            tr(
                f"{file}：缺少必需的列：需要经度+纬度两列，或管辖单位列。"
                f"{available_columns(file, kept_cols)}。"
                "请改列名（如 经度/纬度/管辖单位）或在 incident_columns 中指定。",
                f"{file}: required columns missing: longitude + latitude, or the 管辖单位 "
                f"(unit) column. {available_columns(file, kept_cols)}. "
                "Rename them (经度/纬度/管辖单位) or map them in incident_columns.",
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
