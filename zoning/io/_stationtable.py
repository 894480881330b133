"""The table side of ``zoning jurisdictions``: stations, their attributes and seats.

Both starting points of :mod:`zoning.io.jurisdictions` read a table with one
station per row or per township (title rows and merged headers tolerated, see
:mod:`zoning.io.sheets`). Here: finding the station, attribute and seat
columns, gathering each station's rows (their attributes must agree), and
bringing seats to WGS84 (GCJ-02 and BD-09 through :mod:`zoning.io.crs`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.io.columns import (
    SEAT_ALIASES_LAT,
    SEAT_ALIASES_LON,
    STATION_ALIASES,
    format_rows,
    parse_bool,
    parse_number,
    resolve_columns,
)
from zoning.io.crs import canonical_crs, guess_crs, to_wgs84
from zoning.io.sheets import Column, Sheet, cell_text, header_key

__all__ = [
    "ADDRESS_PARTS",
    "ID_ALIASES",
    "LAT_ALIASES",
    "LON_ALIASES",
    "NAME_ALIASES",
    "TABLE_ATTRS",
    "StationRows",
    "attr_columns",
    "carry",
    "find_column",
    "is_station_key",
    "key_columns",
    "missing_column",
    "read_seats",
    "seat_columns",
    "seats_to_wgs84",
    "station_rows",
]

#: Station id column names (besides :data:`zoning.io.columns.STATION_ALIASES`).
ID_ALIASES: tuple[str, ...] = (*STATION_ALIASES[S.STATION_ID], "派出所代码", "所编号", "单位编码")
#: Station name column names.
NAME_ALIASES: tuple[str, ...] = (
    *STATION_ALIASES[S.STATION_NAME],
    "派出所名称",
    "派出所名",
    "所名称",
    "单位",
    "所别",
    "所队",
    "station",
)
_STATION_KEYS = frozenset(header_key(a) for a in (*ID_ALIASES, *NAME_ALIASES))


def is_station_key(text: str) -> bool:
    """True for a header cell naming a station id or name column (``派出所``, ``所代码`` …)."""
    return header_key(text) in _STATION_KEYS


#: Seat coordinate columns of a table (the station aliases, then plain lon/lat).
LON_ALIASES: tuple[str, ...] = (*SEAT_ALIASES_LON, "经度", "lon", "lng", "longitude", "x")
LAT_ALIASES: tuple[str, ...] = (*SEAT_ALIASES_LAT, "纬度", "lat", "latitude", "y")
#: Parts of an address column's name.
ADDRESS_PARTS = ("地址", "所址", "address", "addr")


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=4)


def find_column(sheet: Sheet, explicit: str | None, aliases: Iterable[str]) -> Column | None:
    """A sheet column by an explicit name or by aliases (exact, after normalising)."""
    keys = [header_key(explicit)] if explicit else [header_key(a) for a in aliases]
    for key in keys:
        for column in sheet.columns:
            if header_key(column.label) == key or any(header_key(p) == key for p in column.parts):
                return column
    return None


def missing_column(file: str, what: str, given: str | None, option: str, sheet: Sheet) -> str:
    shown = "、".join(c.label for c in sheet.columns) or tr("（无）", "(none)")
    if given:
        return tr(
            f"{file}：找不到指定的{what}列“{given}”。现有的列：{shown}。",
            f"{file}: the {what} column '{given}' does not exist. Columns: {shown}.",
        )
    return tr(
        f"{file}：找不到{what}列。现有的列：{shown}。请改列名或用 {option} 指定。",
        f"{file}: no {what} column. Columns: {shown}. Rename it or pass {option}.",
    )


@dataclass
class StationRows:
    """Station keys and attributes gathered from a table, row by row."""

    order: list[str] = field(default_factory=list)  # station ids in table order
    names: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)


TABLE_ATTRS = {
    S.OFFICERS: STATION_ALIASES[S.OFFICERS],
    S.POPULATION: STATION_ALIASES[S.POPULATION],
    S.COMMUNITIES: STATION_ALIASES[S.COMMUNITIES],
    S.HAS_CASE_AREA: STATION_ALIASES[S.HAS_CASE_AREA],
    S.IS_URBAN_CORE: STATION_ALIASES[S.IS_URBAN_CORE],
}


def station_rows(
    sheet: Sheet,
    id_col: Column | None,
    name_col: Column | None,
    attr_cols: Mapping[str, Column],
    problems: ProblemList,
    *,
    fill_down: bool,
) -> tuple[StationRows, dict[int, str]]:
    """Station id/name of every data row and per-station attributes (must agree)."""
    file = Path(sheet.source).name
    out = StationRows()
    row_station: dict[int, str] = {}
    previous: str | None = None
    filled: list[int] = []
    conflicts: dict[tuple[str, str], set[str]] = {}
    bad: dict[str, list[str]] = {}
    for number, cells in sheet.rows:
        texts = [cell_text(v) for v in cells]
        if not any(texts):
            continue
        sid = cell_text(cells[id_col.position]) if id_col is not None else ""
        name = cell_text(cells[name_col.position]) if name_col is not None else ""
        if not sid and not name:
            if fill_down and previous is not None:
                filled.append(number)
                row_station[number] = previous
            continue
        sid = sid or name
        name = name or sid
        if sid not in out.names:
            out.order.append(sid)
            out.names[sid] = name
            out.attrs[sid] = {}
        elif out.names[sid] != name:
            conflicts.setdefault((sid, "name"), {out.names[sid]}).add(name)
        out.rows.setdefault(sid, []).append(number)
        row_station[number] = sid
        previous = sid
        for canon, column in attr_cols.items():
            raw = cells[column.position]
            if not cell_text(raw):
                continue
            series = pd.Series([raw], dtype=object)
            if canon in (S.HAS_CASE_AREA, S.IS_URBAN_CORE):
                parsed, wrong = parse_bool(series)
            else:
                parsed, wrong = parse_number(series.map(cell_text))
            if wrong or (canon not in (S.SEAT_LON, S.SEAT_LAT) and parsed.iloc[0] < 0):
                bad.setdefault(column.label, []).append(f"{number}（{name}）")
                continue
            value = parsed.iloc[0].item() if hasattr(parsed.iloc[0], "item") else parsed.iloc[0]
            old = out.attrs[sid].setdefault(canon, value)
            if old != value:
                conflicts.setdefault((sid, column.label), {str(old)}).add(str(value))
    if filled:
        _warn(
            tr(
                f"{file}：第 {format_rows(filled)} 行没有派出所，视为上一行派出所的续行"
                "（合并单元格）。",
                f"{file}: rows {format_rows(filled)} have no station; read as continuing the "
                "station above (merged cells).",
            )
        )
    for label, where in bad.items():
        problems.add(
            tr(
                f"{file}：列“{label}”第 {format_rows(where)} 行的值无效。请填写数字（或 是/否）。",
                f"{file}: column '{label}' has invalid values in rows {format_rows(where)}. "
                "Enter numbers (or yes/no).",
            )
        )
    for (sid, label), values in conflicts.items():
        problems.add(
            tr(
                f"{file}：派出所 {out.names[sid]} 在不同行的“{label}”不一致："
                f"{'、'.join(sorted(values))}（第 {format_rows(out.rows[sid])} 行）。请统一。",
                f"{file}: station {out.names[sid]} has different '{label}' values on its rows: "
                f"{', '.join(sorted(values))} (rows {format_rows(out.rows[sid])}). "
                "Make them agree.",
            )
        )
    return out, row_station


def seat_columns(sheet: Sheet) -> tuple[Column | None, Column | None]:
    labels = [c.leaf for c in sheet.columns]
    found, _ = resolve_columns(labels, {"lon": LON_ALIASES, "lat": LAT_ALIASES})
    by_leaf = {c.leaf: c for c in reversed(sheet.columns)}
    return (
        by_leaf.get(found["lon"]) if "lon" in found else None,
        by_leaf.get(found["lat"]) if "lat" in found else None,
    )


def seat_values(
    sheet: Sheet, lon_col: Column, lat_col: Column, row_station: Mapping[int, str]
) -> tuple[dict[str, tuple[float, float]], list[str], dict[str, set[tuple[float, float]]]]:
    """Seat lon/lat per station (raw, in the table's CRS), bad rows and conflicts."""
    seats: dict[str, tuple[float, float]] = {}
    bad: list[str] = []
    conflicts: dict[str, set[tuple[float, float]]] = {}
    for number, cells in sheet.rows:
        sid = row_station.get(number)
        if sid is None:
            continue
        lon_text, lat_text = cell_text(cells[lon_col.position]), cell_text(cells[lat_col.position])
        if not lon_text and not lat_text:
            continue
        values, wrong = parse_number(pd.Series([lon_text, lat_text], dtype=object))
        if wrong or values.isna().any():
            bad.append(str(number))
            continue
        pair = (float(values.iloc[0]), float(values.iloc[1]))
        old = seats.setdefault(sid, pair)
        if old != pair:
            conflicts.setdefault(sid, {old}).add(pair)
    return seats, bad, conflicts


def seats_to_wgs84(
    seats: Mapping[str, tuple[float, float]], seat_crs: str | None, file: str
) -> tuple[dict[str, tuple[float, float]], str, str]:
    """Seat coordinates in WGS84; the system used and where it came from."""
    if not seats:
        return {}, "wgs84", "none"
    ids = list(seats)
    lon = np.array([seats[s][0] for s in ids])
    lat = np.array([seats[s][1] for s in ids])
    if seat_crs:
        system, how = canonical_crs(seat_crs, source=file), "argument"
    else:
        guess = guess_crs(lon, lat)
        if guess.kind == "degrees":
            system, how = "wgs84", "assumed"
        elif guess.kind.endswith("-swapped"):
            raise InputError(
                tr(
                    f"{file}：驻地坐标的两列似乎互换了（纬度或纵坐标在前）。请对调两列后再试。",
                    f"{file}: the two seat coordinate columns look swapped (latitude or "
                    "northing first). Swap them and try again.",
                )
            )
        elif guess.crs is not None:
            system, how = guess.crs, "guessed"
        else:
            raise InputError(
                tr(
                    f"{file}：驻地坐标不是经纬度，也无法推断坐标系。请用 --seat-crs 指定，"
                    "例如 EPSG:4548（CGCS2000 CM 117E）。",
                    f"{file}: the seat coordinates are not degrees and their CRS cannot be "
                    "inferred. Pass --seat-crs, e.g. EPSG:4548 (CGCS2000 CM 117E).",
                )
            )
    x, y = to_wgs84(lon, lat, system)
    out = {sid: (float(a), float(b)) for sid, a, b in zip(ids, x, y, strict=True)}
    wrong = [
        sid
        for sid, (a, b) in out.items()
        if not (np.isfinite(a) and abs(a) <= 180 and abs(b) <= 90)
    ]
    if wrong:
        raise InputError(
            tr(
                f"{file}：派出所 {format_rows(wrong)} 的驻地坐标换算后不是有效经纬度。"
                "请检查坐标与 --seat-crs。",
                f"{file}: the seats of stations {format_rows(wrong)} are not valid lon/lat "
                "after conversion. Check the coordinates and --seat-crs.",
            )
        )
    return out, system, how


def carry(out: pd.DataFrame, stations: StationRows, attr_cols: Mapping[str, Column]) -> None:
    """The table's station attributes as canonical columns (yes/no ones default to no)."""
    for canon in attr_cols:
        missing = False if canon in (S.HAS_CASE_AREA, S.IS_URBAN_CORE) else np.nan
        out[canon] = [stations.attrs[sid].get(canon, missing) for sid in stations.order]


def attr_columns(sheet: Sheet, used: set[int]) -> dict[str, Column]:
    free = [c for c in sheet.columns if c.position not in used]
    found, _ = resolve_columns([c.leaf for c in free], TABLE_ATTRS)
    by_leaf = {c.leaf: c for c in reversed(free)}
    return {canon: by_leaf[leaf] for canon, leaf in found.items()}


def key_columns(
    sheet: Sheet, station_column: str | None, *, exclude: Iterable[Column | None] = ()
) -> tuple[Column | None, Column | None]:
    """The station id and name columns (an explicit ``station_column`` is the name column)."""
    if station_column:
        return None, find_column(sheet, station_column, ())
    skip = {c.position for c in exclude if c is not None}
    id_col = find_column(sheet, None, ID_ALIASES)
    if id_col is not None:
        skip.add(id_col.position)
    for alias in NAME_ALIASES:
        column = find_column(sheet, None, (alias,))
        if column is not None and column.position not in skip:
            return id_col, column
    return id_col, None


def read_seats(
    sheet: Sheet,
    lon_col: Column,
    lat_col: Column,
    row_station: Mapping[int, str],
    stations: StationRows,
    problems: ProblemList,
) -> dict[str, tuple[float, float]]:
    """Seat coordinates per station as written (bad cells and disagreements go to ``problems``)."""
    file = Path(sheet.source).name
    seats, bad_rows, conflicts = seat_values(sheet, lon_col, lat_col, row_station)
    if bad_rows:
        problems.add(
            tr(
                f"{file}：第 {format_rows(bad_rows)} 行的驻地坐标不是数字或缺一半。",
                f"{file}: rows {format_rows(bad_rows)} have seat coordinates that are not "
                "numbers or half missing.",
            )
        )
    for sid in conflicts:
        problems.add(
            tr(
                f"{file}：派出所 {stations.names[sid]} 在不同行的驻地坐标不一致。"
                "每个派出所只有一个驻地。",
                f"{file}: station {stations.names[sid]} has different seats on its rows; a "
                "station has one seat.",
            )
        )
    return seats
