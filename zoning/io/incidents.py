"""Read 110 incident exports into the canonical incident table.

Incidents come from CSV (UTF-8, GBK/GB18030), Excel (.xlsx, .xls with ``xlrd``)
or point GeoJSON. Column names are matched through the alias tables of
:mod:`zoning.io.columns`, coordinates brought to WGS84 as in :mod:`zoning.io.crs`
(GCJ-02 and BD-09 included), personal columns dropped on reading. Every input
problem is gathered and raised as one :class:`~zoning.errors.InputError`.
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
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.io.columns import (
    INCIDENT_ALIASES,
    as_text,
    available_columns,
    day_bound,
    format_rows,
    parse_coordinates,
    parse_number,
    parse_times,
    personal_columns,
    resolve_columns,
)
from zoning.io.crs import incident_crs, to_wgs84
from zoning.io.encoding import is_table, read_table, read_vector
from zoning.settings import get_logger

_INCIDENT_COLUMNS = (S.INCIDENT_ID, S.TIME, S.CATEGORY, S.LON, S.LAT, S.UNIT, S.COUNT)


@dataclass
class IncidentTable:
    """Cleaned incidents, ready for :func:`zoning.load.loads_from_incidents`.

    Attributes
    ----------
    frame
        Columns incident_id, time, category, lon, lat (WGS84, NaN if missing),
        unit (管辖单位 text or NaN), count (incidents the row stands for: 1, or
        the count column of a statistics table). No personal column is ever kept.
    ledger
        JSON-serialisable counts: rows_read, duplicates_dropped (true
        duplicates), duplicate_ids_kept (ids reused with other content: ids,
        rows, examples), outside_window, unparseable_times,
        unparseable_time_dropped, missing_coordinates, invalid_coordinates,
        dms_coordinates, axes_swapped, rows_kept, personal_columns_dropped,
        ignored_columns, source, encoding, crs, crs_source, columns,
        count_column, incidents_counted.
    """

    frame: pd.DataFrame
    ledger: dict[str, Any] = field(default_factory=dict)


def _read_incidents(
    path: Path, encoding: str | None
) -> tuple[pd.DataFrame, str, tuple[np.ndarray, np.ndarray] | None, CRS | None, list[int]]:
    """Read the raw incident rows; for vector files also the point x/y and file CRS."""
    if is_table(path):
        frame, used = read_table(path, encoding)
        return frame, used, None, None, []
    gdf, used = read_vector(path, encoding)
    if not isinstance(gdf, gpd.GeoDataFrame):  # a GDAL-readable table
        return pd.DataFrame(gdf), used, None, None, []
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
    the file is read. Only true duplicates are dropped: rows with the same
    警情编号 *and* the same place, unit, category and count, recorded within an
    hour of each other (a re-recorded alarm; the first is kept); rows that share
    an id but differ are kept, counted and warned about (two exports that
    restart their numbering). Rows outside the inclusive date
    window are dropped; rows whose time cannot be parsed are counted, and
    dropped only when a window is set.

    A count column (警情数, 数量, 起数 …) makes the file a statistics table:
    each row stands for that many incidents (``count``), the ledger records the
    column and the incidents counted, and a warning says so.

    Coordinates may be decimal numbers or degree-minute-second text
    (``116°23′45″``, ``116度23分45秒``, ``116:23:45``); x/y in the surveyor's order
    or latitude first are recognised when unambiguous and swapped with a warning.

    Parameters
    ----------
    path
        The export file (or a ``.zip`` holding it).
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
        管辖单位), an unknown CRS or one the values contradict, a bad date
        bound, bad counts (all gathered), or a date window that excludes every
        row (the message gives the file's time range).
    """
    path = Path(path)
    file = path.name
    raw, used, xy, file_crs, non_point = _read_incidents(path, encoding)
    explicit = dict(columns or {})
    personal = personal_columns([str(c) for c in raw.columns], keep=explicit.values())
    raw = raw.drop(columns=personal)
    raw.columns = [str(c) for c in raw.columns]
    kept_cols = list(raw.columns)
    if len(raw) == 0:
        raise InputError(
            tr(
                f"{path}：文件中没有警情记录。请检查是否选错了文件或工作表。",
                f"{path}: the file has no incident rows. Check the file or sheet.",
            )
        )
    problems = ProblemList()
    found = _incident_columns(raw, xy, explicit, file, non_point, problems)
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
    counts = _counts(raw, found, file, problems)
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
    place = _coordinates(raw, found, xy, file_crs, crs, file)
    frame[S.LON] = place.lon
    frame[S.LAT] = place.lat
    frame[S.UNIT] = text(S.UNIT)
    frame[S.COUNT] = counts

    frame, dup, same_id = _drop_true_duplicates(frame)
    if same_id["rows"]:
        _warn_same_id(file, same_id)
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
    if windowed and len(frame) and not keep.any():
        raise _window_excludes_all(file, found.get(S.TIME), raw, t, date_from, date_to)
    if windowed:
        frame = frame[keep.to_numpy()]
    frame = frame[list(_INCIDENT_COLUMNS)].reset_index(drop=True)
    ledger: dict[str, Any] = {
        "source": str(path),
        "encoding": used,
        "rows_read": n,
        "duplicates_dropped": int(dup),
        "duplicate_ids_kept": same_id,
        "outside_window": outside,
        "unparseable_times": n_unparseable,
        "unparseable_time_dropped": dropped_nat,
        "rows_kept": len(frame),
        "missing_coordinates": int(frame[S.LON].isna().sum()),
        "invalid_coordinates": place.n_invalid,
        "dms_coordinates": place.n_dms,
        "axes_swapped": place.swapped,
        "personal_columns_dropped": [str(c) for c in personal],
        "ignored_columns": [c for c in kept_cols if c not in found.values()],
        "columns": {k: str(v) for k, v in found.items()},
        "crs": place.system,
        "crs_source": place.source,
        "date_from": None if lo is None else str(lo.date() if lo_day else lo),
        "date_to": None if hi is None else str((hi - timedelta(days=1)).date() if hi_day else hi),
        "incident_id_column": S.INCIDENT_ID in found,
        "count_column": found.get(S.COUNT),
        "incidents_counted": float(frame[S.COUNT].sum()),
    }
    if S.COUNT in found:
        _warn(
            tr(
                f"{file}：按统计表读取：每行代表列“{found[S.COUNT]}”中的警情起数"
                f"（{len(frame):,} 行，共 {ledger['incidents_counted']:,.0f} 起），"
                "按起数计入负荷。各所的警情统计表请用 --loads 读取（识别标题行、合并单元格、"
                "合计行和分类别的列）。",
                f"{file}: read as a statistics table: each row stands for the number of "
                f"incidents in column '{found[S.COUNT]}' ({len(frame):,} rows, "
                f"{ledger['incidents_counted']:,.0f} incidents in all), counted as such. "
                "Give a per-station statistics table with --loads instead (it understands "
                "title rows, merged cells, total rows and per-category columns).",
            )
        )
    if not ledger["incident_id_column"]:
        get_logger().info("%s: no 警情编号 column, duplicates cannot be detected", file)
    get_logger().info("%s: %d of %d incident rows kept", file, len(frame), n)
    return IncidentTable(frame=frame, ledger=ledger)


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=3)


def _incident_columns(
    raw: pd.DataFrame,
    xy: tuple[np.ndarray, np.ndarray] | None,
    explicit: Mapping[str, str],
    file: str,
    non_point: list[int],
    problems: ProblemList,
) -> dict[str, str]:
    """Resolve the canonical incident columns; record what is missing."""
    kept_cols = list(raw.columns)
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
    return found


def _counts(
    raw: pd.DataFrame, found: Mapping[str, str], file: str, problems: ProblemList
) -> np.ndarray:
    """Incidents per row: 1, or the non-negative numbers of the count column (empty = 0)."""
    if S.COUNT not in found:
        return np.ones(len(raw))
    column = found[S.COUNT]
    values, bad = parse_number(raw[column])
    negative = np.flatnonzero((values < 0).to_numpy()).tolist()
    bad_rows = sorted(set(bad) | set(negative))
    if bad_rows:
        problems.add(
            tr(
                f"{file}：计数列“{column}”第 {format_rows([i + 1 for i in bad_rows])} 行"
                "不是非负数。请填写警情起数。",
                f"{file}: count column '{column}' is not a non-negative number in rows "
                f"{format_rows([i + 1 for i in bad_rows])}. Enter incident counts.",
            )
        )
    return np.asarray(values.fillna(0.0).to_numpy(dtype=float))


@dataclass
class _Place:
    lon: np.ndarray
    lat: np.ndarray
    system: str
    source: str
    swapped: bool
    n_invalid: int
    n_dms: int


def _coordinates(
    raw: pd.DataFrame,
    found: Mapping[str, str],
    xy: tuple[np.ndarray, np.ndarray] | None,
    file_crs: CRS | None,
    crs: str | None,
    file: str,
) -> _Place:
    """Longitudes/latitudes in WGS84 (NaN where missing or impossible), and how."""
    n = len(raw)
    n_bad_text = n_dms = 0
    default_crs = None
    if S.LON in found and S.LAT in found:
        x, bad_x, dms_x = parse_coordinates(raw[found[S.LON]])
        y, bad_y, dms_y = parse_coordinates(raw[found[S.LAT]])
        lon, lat = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
        n_bad_text = len(set(bad_x) | set(bad_y))
        n_dms = max(dms_x, dms_y)
    elif xy is not None:
        lon, lat = xy
        default_crs = file_crs
    else:
        lon = lat = np.full(n, np.nan)
    system, crs_source, swapped = incident_crs(lon, lat, crs, default_crs, file)
    if swapped:
        lon, lat = lat, lon
    lon, lat = to_wgs84(lon, lat, system) if np.isfinite(lon).any() else (lon, lat)
    with np.errstate(invalid="ignore"):
        both = np.isfinite(lon) & np.isfinite(lat)
        sane = both & (np.abs(lon) <= 180) & (np.abs(lat) <= 90) & ~((lon == 0) & (lat == 0))
    return _Place(
        lon=np.where(sane, lon, np.nan),
        lat=np.where(sane, lat, np.nan),
        system=system,
        source=crs_source,
        swapped=swapped,
        n_invalid=int(np.sum(both & ~sane)) + n_bad_text,
        n_dms=n_dms,
    )


#: Two records of one alarm: the same id, category, unit, count and place, and times
#: at most this far apart (a re-recorded alarm comes minutes later).
DUPLICATE_WITHIN = pd.Timedelta(hours=1)
_PLACE_DECIMALS = 5  # ≈ 1 m


def _drop_true_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, dict[str, Any]]:
    """Drop re-records of one alarm; describe ids reused for different incidents.

    A row is a true duplicate of an earlier one when both have the same 警情编号,
    category, 管辖单位, count and place (coordinates equal to ~1 m, or both
    missing) and their times are at most :data:`DUPLICATE_WITHIN` apart (or
    both missing). The earliest record is kept.

    Returns
    -------
    frame, dropped, same_id
        The rows kept, how many were dropped, and ``{"ids", "rows", "examples"}``
        for ids that still label several rows (different content, all kept).
    """
    ids = frame[S.INCIDENT_ID]
    candidates = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
    dup = np.zeros(len(frame), dtype=bool)
    if candidates.any():  # only rows sharing an id can be duplicates (usually ~1 %)
        rows = frame[candidates]
        keys = pd.DataFrame(
            {
                "id": rows[S.INCIDENT_ID],
                "category": rows[S.CATEGORY],
                "unit": rows[S.UNIT],
                "count": rows[S.COUNT],
                "lon": rows[S.LON].round(_PLACE_DECIMALS),
                "lat": rows[S.LAT].round(_PLACE_DECIMALS),
            }
        ).map(str)
        names = list(keys.columns)
        keys["time"] = rows[S.TIME]
        keys["position"] = np.flatnonzero(candidates)
        ordered = keys.sort_values([*names, "time"], kind="stable", na_position="last")
        same_key = (ordered[names] == ordered[names].shift()).all(axis=1)
        times = ordered["time"]
        gap = times - times.shift()
        close = (gap <= DUPLICATE_WITHIN) | (times.isna() & times.shift().isna())
        dup[ordered["position"].to_numpy()[(same_key & close).to_numpy()]] = True
    kept = frame[~dup]
    kept_ids = kept[S.INCIDENT_ID]
    shared = kept_ids.notna() & kept_ids.duplicated(keep=False)
    reused = kept_ids[shared]
    examples = list(dict.fromkeys(reused.astype(str)))[:5]
    same_id = {"ids": int(reused.nunique()), "rows": int(shared.sum()), "examples": examples}
    return kept, int(dup.sum()), same_id


def _warn_same_id(file: str, same_id: Mapping[str, Any]) -> None:
    shown = "、".join(same_id["examples"])
    _warn(
        tr(
            f"{file}：{same_id['ids']} 个警情编号各对应多条内容不同的记录"
            f"（共 {same_id['rows']} 行，如 {shown}），都已保留。"
            "可能是两份导出的编号重复使用；如确为同一警情的重复记录，请先合并。",
            f"{file}: {same_id['ids']} incident ids each label several rows with different "
            f"content ({same_id['rows']} rows, e.g. {', '.join(same_id['examples'])}); all "
            "were kept. Two exports may reuse the same numbers; if they really are the same "
            "incident, merge them first.",
        )
    )


def _window_excludes_all(
    file: str,
    column: str | None,
    raw: pd.DataFrame,
    times: pd.Series,
    date_from: str | date | None,
    date_to: str | date | None,
) -> InputError:
    """The error for a date window that keeps no row, with the file's actual time range."""
    window = f"{date_from or '…'} – {date_to or '…'}"
    if column is None:
        return InputError(
            tr(
                f"{file}：设置了统计时段 {window}，但文件没有报警时间列（如 报警时间、BJSJ），"
                "无法按时段筛选。请去掉 --from/--to，或在 incident_columns 中指定时间列。",
                f"{file}: a date window {window} is set but the file has no time column "
                "(报警时间, BJSJ …), so no row can be kept. Drop --from/--to, or map the "
                "time column in incident_columns.",
            )
        )
    valid = times.dropna()
    if valid.empty:
        sample = "、".join(as_text(raw[column]).dropna().astype(str).head(3))
        return InputError(
            tr(
                f"{file}：报警时间列“{column}”中没有一个值能识别为时间（如 {sample}），"
                f"统计时段 {window} 内因此没有警情。请改为 2025-01-31 08:30 这样的格式，"
                "或去掉 --from/--to。",
                f"{file}: no value of the time column '{column}' can be read as a time "
                f"(e.g. {sample}), so the window {window} keeps nothing. Use a format like "
                "2025-01-31 08:30, or drop --from/--to.",
            )
        )
    first, last = valid.min(), valid.max()
    return InputError(
        tr(
            f"{file}：统计时段 {window} 内没有警情：文件中的报警时间从 {first:%Y-%m-%d} 到 "
            f"{last:%Y-%m-%d}。请改正 --from/--to（场景文件 date_from/date_to）。",
            f"{file}: no incident falls in the window {window}: the file's times run from "
            f"{first:%Y-%m-%d} to {last:%Y-%m-%d}. Correct --from/--to (date_from/date_to "
            "in the scenario file).",
        )
    )
