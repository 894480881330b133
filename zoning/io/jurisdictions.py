"""Build the station jurisdiction file that ``zoning plan`` reads (``zoning jurisdictions``).

Two starting points, both common in county bureaus:

:func:`stations_from_townships`
    Township (乡/镇/街道) polygons plus a table saying which townships each
    派出所 covers (one row per station with its townships, or one row per
    township). Townships are matched by code or by name, full-width and
    suffix variants included (``王平地区`` = ``王平镇``, ``檀营`` =
    ``檀营满族蒙古族乡``); every township must be used exactly once. Each
    station's townships are dissolved into its jurisdiction; additive
    attributes of the townships (户籍人口, 村居数 …) are summed; the table's
    station attributes (警力, 城关, 办案区, 驻地经度/驻地纬度) are carried.
    The result is exact (``approximate = false``).

:func:`stations_from_seats`
    Only the stations' seats (驻地 coordinates in WGS84, GCJ-02 or BD-09) and
    the county outline: each station gets the part of the county closest to
    its seat, in a straight line (Voronoi cells in a metric CRS) or, with a
    road network, by travel time on the roads. The result is an estimate:
    every feature has ``approximate = true`` and ``jurisdiction_method``, and
    every map drawn from a plan on it says "辖区为估算" (:func:`estimate_note`).
    An address column is not geocoded (zoning works offline).

The output (:func:`write_stations`) is GeoJSON or GeoPackage in WGS84 with the
canonical columns of :mod:`zoning._schema`; it never overwrites an input.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning
from zoning.io import _cells
from zoning.io import _stationtable as T
from zoning.io.columns import (
    format_rows,
    norm_key,
    parse_bool,
    resolve_columns,
)
from zoning.io.crs import station_crs
from zoning.io.encoding import read_vector
from zoning.io.geometry import classify, metric_crs, repair
from zoning.io.sheets import Column, Sheet, cell_text, header_key, sheet_from_file

if TYPE_CHECKING:
    from zoning.centers.roads import RoadNetwork

__all__ = [
    "APPROXIMATE",
    "METHOD",
    "estimate_note",
    "jurisdiction_summary",
    "stations_from_seats",
    "stations_from_townships",
    "township_keys",
    "write_stations",
]

#: Column flagging an estimated jurisdiction (bool), and the one naming how it was made.
APPROXIMATE = S.APPROXIMATE
METHOD = S.JURISDICTION_METHOD

#: Township code / name columns of a township polygon file.
TOWNSHIP_CODE_ALIASES: tuple[str, ...] = (
    "code",
    "乡镇代码",
    "街道代码",
    "乡镇街道代码",
    "区划代码",
    "行政区划代码",
    "统计用区划代码",
    "xzqdm",
    "adcode",
    "gb",
    "代码",
    "编码",
)
TOWNSHIP_NAME_ALIASES: tuple[str, ...] = (
    "name",
    "乡镇",
    "乡镇名称",
    "街道",
    "街道名称",
    "乡镇街道",
    "乡镇(街道)",
    "乡镇/街道",
    "xzqmc",
    "名称",
)
#: Township column of the station table.
TABLE_TOWNSHIP_ALIASES: tuple[str, ...] = (
    "乡镇",
    "街道",
    "乡镇街道",
    "乡镇(街道)",
    "乡镇/街道",
    "乡镇、街道",
    "管辖乡镇",
    "所辖乡镇",
    "辖区乡镇",
    "包含乡镇",
    "乡镇名称",
    "街道名称",
    "乡镇代码",
    "区划代码",
    "township",
    "townships",
)

#: Name suffixes of township-level units, longest first.
_SUFFIXES = ("街道办事处", "地区办事处", "办事处", "街道", "地区", "镇", "乡")
#: The 55 minority nationalities, as in 檀营满族蒙古族乡 (regex alternation).
_ETHNIC = (
    "满|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|"
    "拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|"
    "怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_ETHNIC_TAIL = re.compile(f"(?:(?:{_ETHNIC})族)+(?:民族)?$|民族$")
_SEPARATORS = re.compile(r"[、,，;；/|\s]+")
#: Non-additive numeric township columns (coordinates, ids, ratios) by name part.
_NOT_ADDITIVE = (
    "lon",
    "lat",
    "经度",
    "纬度",
    "label",
    "code",
    "代码",
    "编码",
    "id",
    "area",
    "面积",
    "n_parts",
    "密度",
    "density",
    "rate",
    "ratio",
    "share",
    "pct",
    "率",
    "比",
    "平均",
    "mean",
    "avg",
)
_POPULATION_HINTS = ("户籍人口", "常住人口", "人口", "population", "pop")
_COMMUNITY_HINTS: tuple[str, ...] = ("社区村居数", "村居数", "村(社区)数", "村(居)委会数")
_COMMUNITY_HINTS += ("n_villages", "villages", "村居", "社区数")
#: A seat this far (metres) outside its jurisdiction or the outline is reported.
SEAT_OUTSIDE_M = 1000.0
#: A seat this far (metres) outside the county outline is an error, not a warning.
SEAT_FAR_M = 5000.0


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=3)


def _nfkc(text: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()


def township_keys(name: str) -> tuple[str, str]:
    """Matching keys of a township name: the full name and its base without suffixes.

    NFKC (full-width letters and digits become half-width), spaces removed,
    casefolded; the base drops one suffix of :data:`_SUFFIXES` (乡, 镇, 街道,
    地区, 办事处 …) and then an ethnic qualifier (``满族蒙古族``).

    Examples
    --------
    >>> township_keys("王平地区")
    ('王平地区', '王平')
    >>> township_keys("檀营满族蒙古族乡")
    ('檀营满族蒙古族乡', '檀营')
    >>> township_keys("大峪街道办事处")
    ('大峪街道办事处', '大峪')
    >>> township_keys("镇")
    ('镇', '镇')
    """
    full = _nfkc(name)
    base = full
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
            break
    trimmed = _ETHNIC_TAIL.sub("", base)
    if len(trimmed) >= 1 and trimmed != base:
        base = trimmed
    return full, base


def _code_key(text: str) -> str:
    """Township codes: the 9-digit township part of a 12-digit NBS code."""
    digits = _nfkc(text)
    if len(digits) == 12 and digits.isdigit() and digits.endswith("000"):
        return digits[:9]
    return digits


def estimate_note(frame: pd.DataFrame | None) -> str | None:
    """The note every map of an estimated jurisdiction file shows, or None.

    Parameters
    ----------
    frame
        Stations or a plan frame; estimated when its :data:`APPROXIMATE`
        column is true for any row.

    Returns
    -------
    str or None
        ``"辖区为估算（…）"`` naming the method, e.g. for a title or subtitle.
    """
    if frame is None or APPROXIMATE not in frame.columns:
        return None
    flags, _ = parse_bool(frame[APPROXIMATE].astype(object))
    if not flags.any():
        return None
    methods = (
        {str(m) for m in frame.loc[flags.to_numpy(), METHOD].dropna()} if METHOD in frame else set()
    )
    how = {
        "voronoi": tr("按驻地直线距离划分", "nearest seat in a straight line"),
        "roads": tr("按道路通行时间划分", "nearest seat by road travel time"),
    }
    shown = "、".join(how.get(m, m) for m in sorted(methods))
    return tr(
        f"辖区为估算（{shown}），非正式辖区" if shown else "辖区为估算，非正式辖区",
        f"辖区为估算: jurisdictions are estimated ({shown})" if shown else "辖区为估算: estimated",
    )


def jurisdiction_summary(frame: pd.DataFrame) -> dict[str, Any] | None:
    """The ``jurisdictions`` block of ``report.json``, for stations made by this module.

    Returns
    -------
    dict or None
        ``approximate``, ``method`` (sorted list) and ``note`` (the map note or
        None); None when the stations carry no :data:`APPROXIMATE` column.
    """
    if APPROXIMATE not in frame.columns:
        return None
    flags, _ = parse_bool(frame[APPROXIMATE].astype(object))
    methods = sorted({str(m) for m in frame[METHOD].dropna()}) if METHOD in frame else []
    return {
        "approximate": bool(flags.any()),
        "method": methods,
        "note": estimate_note(frame),
    }


# ------------------------------------------------------------------ reading helpers


@dataclass
class _Areas:
    """Polygons read from a file, in WGS84, one row per unit (parts of one unit merged)."""

    frame: gpd.GeoDataFrame
    code: str | None
    name: str | None
    file: str


def _read_polygons(
    path: Path, what: str, *, crs: str | None, key_aliases: Mapping[str, Sequence[str]]
) -> _Areas:
    """Read a polygon file (townships or outline) in WGS84, problems gathered."""
    file = path.name
    raw, _ = read_vector(path)
    if len(raw) == 0:
        raise InputError(
            tr(
                f"{path}：{what}文件中没有任何要素。请检查是否选错了文件或图层。",
                f"{path}: the {what} file has no features. Check the file or layer.",
            )
        )
    raw = raw.reset_index(drop=True)
    problems = ProblemList()
    notes: list[str] = []
    original = [str(c) for c in raw.columns if c != raw.geometry.name]
    found, _ = resolve_columns(original, key_aliases)
    geoms = list(raw.geometry.values)
    missing, non_poly, invalid = classify(geoms)
    bad = sorted(set(missing) | set(non_poly))
    if bad:
        problems.add(
            tr(
                f"{file}：第 {format_rows([i + 1 for i in bad])} 行没有面几何（缺失或不是"
                f" Polygon/MultiPolygon）。{what}必须是面图层。",
                f"{file}: rows {format_rows([i + 1 for i in bad])} have no polygon (missing "
                f"or not Polygon/MultiPolygon). The {what} must be polygons.",
            )
        )
    src_crs, swapped = station_crs(raw, crs, None, file, problems, notes)
    problems.raise_if_any()
    for i in invalid:
        fixed = repair(geoms[i])
        if fixed is None:
            problems.add(
                tr(
                    f"{file}：第 {i + 1} 行的面无效且无法修复。请重绘。",
                    f"{file}: row {i + 1} is an invalid polygon that cannot be repaired. "
                    "Redraw it.",
                )
            )
        geoms[i] = fixed
    problems.raise_if_any()
    if invalid:
        notes.append(
            tr(
                f"{file}：已修复第 {format_rows([i + 1 for i in invalid])} 行的无效面。",
                f"{file}: repaired invalid polygons in rows "
                f"{format_rows([i + 1 for i in invalid])}.",
            )
        )
    for note in notes:
        _warn(note)
    if swapped:  # surveyor order (X = northing) or latitude first: station_crs noted it
        geoms = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in geoms]
    geo = gpd.GeoSeries(geoms, crs=src_crs).to_crs(4326)
    frame = gpd.GeoDataFrame(raw.drop(columns=raw.geometry.name), geometry=geo.values, crs=4326)
    return _Areas(frame=frame, code=found.get("code"), name=found.get("name"), file=file)


def _label(column: Column | None) -> str | None:
    return column.label if column is not None else None


def _largest_part_point(geom: BaseGeometry) -> shapely.Point:
    parts = list(shapely.get_parts(geom))
    biggest = max(parts, key=lambda p: p.area) if parts else geom
    point = biggest.point_on_surface()
    assert isinstance(point, shapely.Point)
    return point


def _metric(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    return geoms.to_crs(metric_crs(geoms))


# ------------------------------------------------------------------ from townships


def _township_index(areas: _Areas) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Merge features of one unit (same code, else same name) and index codes and names."""
    frame = areas.frame
    problems = ProblemList()
    if areas.code is None and areas.name is None:
        shown = "、".join(str(c) for c in frame.columns if c != "geometry")
        problems.add(
            tr(
                f"{areas.file}：找不到乡镇代码或名称列（如 code、乡镇代码、name、乡镇名称）。"
                f"现有的列：{shown}。请改列名。",
                f"{areas.file}: no township code or name column (code, 乡镇代码, name, "
                "乡镇名称 …). "
                f"Columns: {shown}. Rename one.",
            )
        )
        problems.raise_if_any()
    key_col = areas.code or areas.name
    assert key_col is not None
    keys = frame[key_col].map(cell_text)
    empty = np.flatnonzero((keys == "").to_numpy())
    if len(empty):
        problems.add(
            tr(
                f"{areas.file}：列“{key_col}”第 {format_rows(empty + 1)} 行为空。"
                "每个乡镇都需要代码或名称。",
                f"{areas.file}: column '{key_col}' is empty in rows {format_rows(empty + 1)}. "
                "Every township needs a code or name.",
            )
        )
    problems.raise_if_any()
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key if areas.code else _nfkc(key), []).append(i)
    rows = []
    for members in groups.values():
        first = frame.iloc[members[0]]
        geom = shapely.union_all(list(frame.geometry.iloc[members]))
        row = {c: first[c] for c in frame.columns if c != "geometry"}
        for c in frame.columns:
            summable = c not in ("geometry", areas.code, areas.name) and not _non_additive(str(c))
            if summable and len(members) > 1 and pd.api.types.is_numeric_dtype(frame[c]):
                row[c] = frame[c].iloc[members].sum(min_count=1)
        row["_features"] = len(members)
        row["geometry"] = geom
        rows.append(row)
    towns = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326).reset_index(drop=True)
    towns["_code"] = towns[areas.code].map(cell_text) if areas.code else ""
    towns["_name"] = towns[areas.name].map(cell_text) if areas.name else towns["_code"]
    index: dict[str, Any] = {"code": {}, "full": {}, "base": {}}
    for i, (code, name) in enumerate(zip(towns["_code"], towns["_name"], strict=True)):
        if code:
            index["code"].setdefault(_code_key(code), []).append(i)
        full, base = township_keys(name)
        index["full"].setdefault(full, []).append(i)
        index["base"].setdefault(base, []).append(i)
    return towns, index


def _non_additive(column: str) -> bool:
    key = norm_key(column)
    return any(part in key for part in _NOT_ADDITIVE) or key in ("x", "y")


def _match_township(token: str, index: Mapping[str, Any]) -> list[int]:
    """Township rows a table token names: by code, full name, else base name."""
    text = _nfkc(token)
    if text.isdigit():
        found = index["code"].get(_code_key(text), [])
        if not found and len(text) in (6, 9):
            found = [i for k, v in index["code"].items() if k.startswith(text) for i in v]
        return list(found)
    full, base = township_keys(text)
    if full in index["full"]:
        return list(index["full"][full])
    if base in index["base"]:
        return list(index["base"][base])
    return []


def _additive_columns(towns: gpd.GeoDataFrame, areas: _Areas) -> list[str]:
    skip = {areas.code, areas.name, "_code", "_name", "_features", "geometry"}
    out = []
    for col in towns.columns:
        if col in skip or _non_additive(str(col)):
            continue
        if pd.api.types.is_numeric_dtype(towns[col]) and not pd.api.types.is_bool_dtype(towns[col]):
            out.append(str(col))
    return out


def _hinted(
    columns: Sequence[str], hints: Sequence[str], exclude: Sequence[str] = ()
) -> str | None:
    for hint in hints:
        for col in columns:
            key = header_key(col)
            if hint in key and not any(x in key for x in exclude):
                return col
    return None


def stations_from_townships(
    townships: str | Path,
    table: str | Path,
    *,
    station_column: str | None = None,
    township_column: str | None = None,
    seat_crs: str | None = None,
    townships_crs: str | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Station jurisdictions from township polygons and a station → township table.

    Parameters
    ----------
    townships
        Township (乡/镇/街道) polygons: GeoJSON, Shapefile or GeoPackage with a
        code column (code, 乡镇代码, 区划代码 …) and/or a name column (name,
        乡镇名称 …). Features with the same code (or name) are one township.
    table
        CSV or Excel: a station column (派出所, 所名 …, and/or an id column
        所代码 …) and a township column (乡镇, 街道, 管辖乡镇 …) holding one or
        more township codes or names (separated by 、 , ; / or spaces); one row
        per station or per township. Title rows, a two-row header and merged
        cells are tolerated. Optional per-station columns: 警力, 城关, 办案区,
        户籍人口, 社区村居数, 驻地经度/驻地纬度 (or 经度/纬度).
    station_column, township_column
        Table columns to use instead of the recognised ones.
    seat_crs
        Coordinate system of the table's seat coordinates: ``wgs84``
        (default for degrees), ``gcj02``, ``bd09`` or ``EPSG:n``.
    townships_crs
        CRS of the township polygons when the file has none.
    encoding
        Text encoding of a CSV table; detected when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per station in table order: ``station_id``,
        ``station_name``, ``townships`` (names joined with 、), ``township_codes``,
        ``n_townships``, ``population`` / ``communities`` (when the townships or
        the table have them), ``officers`` / ``is_urban_core`` /
        ``has_case_area`` (from the table), ``seat_lon``, ``seat_lat``,
        ``seat_source`` (``table`` or ``representative_point``), ``area_km2``,
        ``n_parts``, :data:`APPROXIMATE` (false), :data:`METHOD` (``townships``)
        and every additive numeric township column summed. ``attrs["jurisdictions"]``
        describes the run (columns used, seat sources, summed columns).

    Raises
    ------
    InputError
        Every problem at once: unreadable files, missing columns, townships
        of the table that match no polygon (with the closest names) or more
        than one, townships assigned to two stations, polygons no station
        covers, stations without townships, conflicting or invalid values.

    Warns
    -----
    ZoningWarning
        A station whose townships do not touch each other, a seat outside its
        jurisdiction, a township listed twice for the same station, rows
        continuing the station above.
    """
    townships, table = Path(townships), Path(table)
    areas = _read_polygons(
        townships,
        tr("乡镇边界", "township"),
        crs=townships_crs,
        key_aliases={"code": TOWNSHIP_CODE_ALIASES, "name": TOWNSHIP_NAME_ALIASES},
    )
    towns, index = _township_index(areas)
    file = table.name
    problems = ProblemList()
    cols = _table_columns(table, station_column, township_column, encoding, problems)
    stations, row_station = T.station_rows(
        cols.sheet, cols.id_col, cols.name_col, cols.attr_cols, problems, fill_down=True
    )
    match = _match_table(cols, stations, row_station, towns, index)
    for problem in match.problems(file, areas.file, cols.town_col.label, stations.names):
        problems.add(problem)
    lon_col, lat_col = T.seat_columns(cols.sheet)
    seats_raw: dict[str, tuple[float, float]] = {}
    if lon_col is not None and lat_col is not None:
        seats_raw = T.read_seats(cols.sheet, lon_col, lat_col, row_station, stations, problems)
    problems.raise_if_any()
    if match.repeated:
        _warn(
            tr(
                f"{file}：这些乡镇在同一派出所下重复列出，只计一次：{'；'.join(match.repeated)}。",
                f"{file}: these townships are listed twice for the same station; counted "
                f"once: {'; '.join(match.repeated)}.",
            )
        )
    seats, seat_system, seat_how = T.seats_to_wgs84(seats_raw, seat_crs, file)

    additive = _additive_columns(towns, areas)
    out, split_stations = _dissolve_townships(towns, match.members, stations, additive)
    pop_col = _hinted(additive, _POPULATION_HINTS, exclude=("非农", "nonagri", "农业", "agri"))
    comm_col = _hinted(additive, _COMMUNITY_HINTS, exclude=("committee", "communities_"))
    if pop_col is not None:
        out[S.POPULATION] = out[pop_col]
    if comm_col is not None:
        out[S.COMMUNITIES] = out[comm_col]
    attr_cols = cols.attr_cols
    T.carry(out, stations, attr_cols)
    info: dict[str, Any] = {
        "method": "townships",
        "townships_file": str(townships),
        "table": str(table),
        "n_townships": len(towns),
        "columns": {
            "station": _label(cols.id_col or cols.name_col),
            "station_name": _label(cols.name_col),
            "township": cols.town_col.label,
            "attributes": {k: c.label for k, c in attr_cols.items()},
            "summed": additive,
            "population_from": pop_col
            if S.POPULATION not in attr_cols
            else attr_cols[S.POPULATION].label,
            "communities_from": comm_col
            if S.COMMUNITIES not in attr_cols
            else attr_cols[S.COMMUNITIES].label,
        },
        "table_title": cols.sheet.title,
    }
    _finish(out, seats, seat_system, seat_how, info, file)
    if split_stations:
        _warn(
            tr(
                f"{file}：这些派出所的乡镇互不相邻，辖区分成几块：{'；'.join(split_stations)}。"
                "请核对对照表。",
                f"{file}: the townships of these stations do not touch each other, so their "
                f"jurisdiction is in pieces: {'; '.join(split_stations)}. Check the table.",
            )
        )
    out[APPROXIMATE] = False
    out[METHOD] = "townships"
    out.attrs["jurisdictions"] = info
    return _ordered(out)


@dataclass
class _TableColumns:
    """The station → township table and the columns found in it."""

    sheet: Sheet
    town_col: Column
    id_col: Column | None
    name_col: Column | None
    attr_cols: dict[str, Column]


def _table_columns(
    table: Path,
    station_column: str | None,
    township_column: str | None,
    encoding: str | None,
    problems: ProblemList,
) -> _TableColumns:
    """Read the station → township table and find its station and township columns."""
    file = table.name
    station_keys = {header_key(a) for a in (*T.ID_ALIASES, *T.NAME_ALIASES)}
    town_keys = {header_key(a) for a in TABLE_TOWNSHIP_ALIASES}

    def is_key(text: str) -> bool:
        bare = header_key(text)
        if station_column and bare == header_key(station_column):
            return True
        if township_column and bare == header_key(township_column):
            return True
        return bare in station_keys or bare in town_keys

    sheet = sheet_from_file(table, is_key=is_key, expected="派出所、乡镇", encoding=encoding)
    town_col = T.find_column(sheet, township_column, TABLE_TOWNSHIP_ALIASES)
    if town_col is None and not township_column:
        town_col = next(
            (
                c
                for c in sheet.columns
                if any(w in header_key(c.label) for w in ("乡镇", "街道"))
                and not any(w in header_key(c.label) for w in ("数", "人口"))
            ),
            None,
        )
    id_col, name_col = T.key_columns(sheet, station_column, exclude=[town_col])
    if town_col is None:
        problems.add(
            T.missing_column(
                file, tr("乡镇", "township"), township_column, "--township-column", sheet
            )
        )
    if name_col is None and id_col is None:
        problems.add(
            T.missing_column(
                file, tr("派出所", "station"), station_column, "--station-column", sheet
            )
        )
    problems.raise_if_any()
    assert town_col is not None
    used = {c.position for c in (id_col, name_col, town_col) if c is not None}
    return _TableColumns(sheet, town_col, id_col, name_col, T.attr_columns(sheet, used))


@dataclass
class _TownshipMatch:
    """Which townships the table gives to which station, and what did not match."""

    names: list[str]
    members: dict[str, list[int]]
    assigned: dict[int, list[tuple[str, int]]]
    unmatched: list[str]
    ambiguous: list[str]
    repeated: list[str]
    no_town: list[str]

    def problems(
        self, file: str, areas_file: str, town_label: str, station_names: Mapping[str, str]
    ) -> list[str]:
        """One message per kind of mismatch, each naming rows, stations and townships."""
        names = self.names
        out: list[str] = []
        twice = {i: owners for i, owners in self.assigned.items() if len(owners) > 1}
        missing = [i for i in range(len(names)) if i not in self.assigned]
        if self.unmatched:
            out.append(
                tr(
                    f"{file}：列“{town_label}”中这些乡镇在 {areas_file} 中找不到："
                    f"{'；'.join(self.unmatched)}。请改为边界文件中的名称或代码。",
                    f"{file}: these townships in column '{town_label}' are not in "
                    f"{areas_file}: {'; '.join(self.unmatched)}. Use the names or codes of "
                    "that file.",
                )
            )
        if self.ambiguous:
            out.append(
                tr(
                    f"{file}：这些乡镇名称不唯一：{'；'.join(self.ambiguous)}。请写全称或代码。",
                    f"{file}: these township names are ambiguous: {'; '.join(self.ambiguous)}. "
                    "Write the full name or the code.",
                )
            )
        if twice:
            shown = "；".join(
                f"{names[i]}：" + "、".join(f"{station_names[s]}（第 {n} 行）" for s, n in owners)
                for i, owners in twice.items()
            )
            shown_en = "; ".join(
                f"{names[i]}: " + ", ".join(f"{station_names[s]} (row {n})" for s, n in owners)
                for i, owners in twice.items()
            )
            out.append(
                tr(
                    f"{file}：这些乡镇分给了不止一个派出所：{shown}。每个乡镇只能属于一个派出所。",
                    f"{file}: these townships are given to more than one station: {shown_en}. "
                    "Each township belongs to exactly one station.",
                )
            )
        if missing:
            out.append(
                tr(
                    f"{areas_file}：这些乡镇没有分给任何派出所："
                    f"{'、'.join(names[i] for i in missing)}。"
                    f"请在 {file} 中补上（每个乡镇都要属于一个派出所）。",
                    f"{areas_file}: these townships are given to no station: "
                    f"{', '.join(names[i] for i in missing)}. Add them to {file} (every "
                    "township belongs to one station).",
                )
            )
        if self.no_town:
            out.append(
                tr(
                    f"{file}：派出所 {'、'.join(self.no_town)} 没有填写乡镇。",
                    f"{file}: stations {', '.join(self.no_town)} have no township.",
                )
            )
        return out


def _match_table(
    cols: _TableColumns,
    stations: T.StationRows,
    row_station: Mapping[int, str],
    towns: gpd.GeoDataFrame,
    index: Mapping[str, Any],
) -> _TownshipMatch:
    """Match every township token of the table to one township polygon."""
    town_pos = cols.town_col.position
    match = _TownshipMatch(
        names=list(towns["_name"]),
        members={sid: [] for sid in stations.order},
        assigned={},
        unmatched=[],
        ambiguous=[],
        repeated=[],
        no_town=[],
    )
    names = match.names
    for number, cells in cols.sheet.rows:
        sid = row_station.get(number)
        if sid is None:
            continue
        tokens = [t for t in _SEPARATORS.split(cell_text(cells[town_pos])) if t]
        for token in tokens:
            found = _match_township(token, index)
            label = f"{number}（{stations.names[sid]}：{token}）"
            if not found:
                close = difflib.get_close_matches(token, names, n=2, cutoff=0.4)
                hint = (
                    tr(f"，最接近：{'、'.join(close)}", f"; closest: {', '.join(close)}")
                    if close
                    else ""
                )
                match.unmatched.append(label + hint)
            elif len(found) > 1:
                options = "、".join(names[i] for i in found)
                match.ambiguous.append(
                    tr(f"{label} 可能是 {options}", f"{label} could be {options}")
                )
            else:
                i = found[0]
                if any(s == sid for s, _ in match.assigned.get(i, [])):
                    match.repeated.append(label)
                    continue
                match.assigned.setdefault(i, []).append((sid, number))
                match.members[sid].append(i)
    for sid in stations.order:
        if not match.members[sid] and not any(
            cell_text(cells[town_pos]) for n, cells in cols.sheet.rows if row_station.get(n) == sid
        ):
            match.no_town.append(f"{stations.names[sid]}（{format_rows(stations.rows[sid])}）")
    return match


def _dissolve_townships(
    towns: gpd.GeoDataFrame,
    members: Mapping[str, list[int]],
    stations: T.StationRows,
    additive: Sequence[str],
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """One jurisdiction per station: its townships dissolved, additive columns summed.

    Also returns the stations whose townships do not touch each other.
    """
    metric = _metric(towns.geometry)
    geoms, rows = [], []
    split_stations = []
    for sid in stations.order:
        idx = members[sid]
        part = towns.iloc[idx]
        geoms.append(shapely.union_all(list(part.geometry)))
        row: dict[str, Any] = {
            S.STATION_ID: sid,
            S.STATION_NAME: stations.names[sid],
            "townships": "、".join(part["_name"]),
            "township_codes": "、".join(c for c in part["_code"] if c),
            "n_townships": len(idx),
        }
        for col in additive:
            row[col] = part[col].sum(min_count=1)
        rows.append(row)
        if len(idx) > 1 and not nx.is_connected(_touch_graph(metric.iloc[idx])):
            split_stations.append(f"{stations.names[sid]}（{row['townships']}）")
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=4326), split_stations


def _touch_graph(geoms: gpd.GeoSeries) -> nx.Graph:
    graph = nx.Graph()
    items = list(geoms)
    graph.add_nodes_from(range(len(items)))
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if shapely.dwithin(items[i], items[j], 1.0):
                graph.add_edge(i, j)
    return graph


def _finish(
    out: gpd.GeoDataFrame,
    seats: Mapping[str, tuple[float, float]],
    seat_system: str,
    seat_how: str,
    info: dict[str, Any],
    file: str,
    *,
    check_inside: bool = True,
) -> None:
    """Seats (table or representative point), area, parts; seat-outside warnings."""
    ids = list(out[S.STATION_ID])
    rep = [_largest_part_point(g) for g in out.geometry]
    out[S.SEAT_LON] = [seats[s][0] if s in seats else p.x for s, p in zip(ids, rep, strict=True)]
    out[S.SEAT_LAT] = [seats[s][1] if s in seats else p.y for s, p in zip(ids, rep, strict=True)]
    out["seat_source"] = ["table" if s in seats else "representative_point" for s in ids]
    metric = _metric(out.geometry)
    out["area_km2"] = (metric.area / 1e6).round(3).to_numpy()
    out["n_parts"] = [len(shapely.get_parts(g)) for g in out.geometry]
    seat_pts = gpd.GeoSeries(gpd.points_from_xy(out[S.SEAT_LON], out[S.SEAT_LAT]), crs=4326).to_crs(
        metric.crs
    )
    far = []
    for sid, name, point, geom in zip(ids, out[S.STATION_NAME], seat_pts, metric, strict=True):
        if check_inside and sid in seats and point.distance(geom) > SEAT_OUTSIDE_M:
            far.append(f"{name}（{point.distance(geom) / 1000:.1f} km）")
    if far:
        hint = (
            tr(
                "坐标按 WGS84 处理；若取自高德/百度地图，请加 --seat-crs gcj02 或 bd09。",
                "Coordinates were read as WGS84; if they come from AMap/Baidu, pass "
                "--seat-crs gcj02 or bd09.",
            )
            if seat_how == "assumed"
            else ""
        )
        _warn(
            tr(
                f"{file}：这些派出所的驻地在其辖区外：{'、'.join(far)}。请核对驻地坐标。{hint}",
                f"{file}: these seats lie outside their jurisdiction: {', '.join(far)}. "
                f"Check the seat coordinates. {hint}",
            )
        )
    info["seats"] = {
        "from_table": [s for s in ids if s in seats],
        "representative_point": [s for s in ids if s not in seats],
        "crs": seat_system if seats else None,
        "crs_source": seat_how if seats else None,
        "outside_jurisdiction": far,
    }


def _ordered(out: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    first = [
        S.STATION_ID,
        S.STATION_NAME,
        "townships",
        "township_codes",
        "n_townships",
        S.POPULATION,
        S.COMMUNITIES,
        S.OFFICERS,
        S.IS_URBAN_CORE,
        S.HAS_CASE_AREA,
        S.SEAT_LON,
        S.SEAT_LAT,
        "seat_source",
        "area_km2",
        "n_parts",
        APPROXIMATE,
        METHOD,
    ]
    cols = [c for c in first if c in out.columns]
    cols += [c for c in out.columns if c not in cols and c != out.geometry.name]
    result = gpd.GeoDataFrame(out[cols], geometry=out.geometry, crs=out.crs)
    result.attrs = dict(out.attrs)
    return result


# ------------------------------------------------------------------ from seats


def stations_from_seats(
    seats: str | Path,
    outline: str | Path,
    *,
    roads: str | Path | None = None,
    seat_crs: str | None = None,
    outline_crs: str | None = None,
    station_column: str | None = None,
    hwy_speeds: Mapping[str, float] | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Estimated jurisdictions from station seats and the county outline.

    Parameters
    ----------
    seats
        CSV or Excel: a station column (派出所, 所名 …, and/or 所代码) and seat
        longitude/latitude (驻地经度/驻地纬度, 经度/纬度, lon/lat …). An address
        column is not geocoded: rows without coordinates are an error. Optional
        columns 警力, 城关, 办案区, 户籍人口 are carried.
    outline
        The county outline (polygon file; several features are merged).
    roads
        Road network (``.graphml`` or ``.osm``): each part of the county goes
        to the seat that reaches its nearest road node first. Without it, to
        the nearest seat in a straight line (Voronoi cells).
    seat_crs
        ``wgs84`` (default for degrees), ``gcj02`` (高德/腾讯), ``bd09`` (百度) or
        ``EPSG:n``.
    outline_crs
        CRS of the outline when its file has none.
    station_column
        The seats table's station column, when not recognised.
    hwy_speeds
        Speeds (km/h) by OSM highway class, overriding the defaults of
        :mod:`zoning.centers.roads`.
    encoding
        Text encoding of a CSV; detected when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per seat: ``station_id``, ``station_name``, the
        carried attributes, ``seat_lon``, ``seat_lat``, ``seat_source``
        (``table``), ``area_km2``, ``n_parts``, :data:`APPROXIMATE` (true) and
        :data:`METHOD` (``voronoi`` or ``roads``). Every cell is one piece
        holding its seat (pieces cut off by a concave outline join the
        neighbour they share most boundary with), except islands of the outline.

    Raises
    ------
    InputError
        Missing columns, an address column without coordinates, bad or
        duplicate coordinates, seats far outside the outline, a road network
        that does not cover the outline.
    """
    seats_path, outline_path = Path(seats), Path(outline)
    file = seats_path.name
    station_keys = {header_key(a) for a in (*T.ID_ALIASES, *T.NAME_ALIASES)}
    if station_column:
        station_keys = {header_key(station_column)}
    sheet = sheet_from_file(
        seats_path,
        is_key=lambda t: header_key(t) in station_keys,
        expected="派出所、所名",
        encoding=encoding,
    )
    problems = ProblemList()
    id_col, name_col = T.key_columns(sheet, station_column)
    if id_col is None and name_col is None:
        problems.add(
            T.missing_column(
                file, tr("派出所", "station"), station_column, "--station-column", sheet
            )
        )
    lon_col, lat_col = T.seat_columns(sheet)
    address = next(
        (c for c in sheet.columns if any(p in header_key(c.label) for p in T.ADDRESS_PARTS)), None
    )
    if lon_col is None or lat_col is None:
        if address is not None:
            problems.add(_no_geocoding(file, address.label))
        else:
            problems.add(
                tr(
                    f"{file}：找不到驻地经纬度列（驻地经度/驻地纬度、经度/纬度、lon/lat）。"
                    f"现有的列：{'、'.join(c.label for c in sheet.columns)}。",
                    f"{file}: no seat longitude/latitude columns (驻地经度/驻地纬度, 经度/纬度, "
                    f"lon/lat). Columns: {', '.join(c.label for c in sheet.columns)}.",
                )
            )
    problems.raise_if_any()
    assert lon_col is not None and lat_col is not None
    used = {c.position for c in (id_col, name_col, lon_col, lat_col) if c is not None}
    attr_cols = T.attr_columns(sheet, used)
    stations, row_station = T.station_rows(
        sheet, id_col, name_col, attr_cols, problems, fill_down=False
    )
    raw = T.read_seats(sheet, lon_col, lat_col, row_station, stations, problems)
    without = [stations.names[s] for s in stations.order if s not in raw]
    if without:
        if address is not None:
            problems.add(_no_geocoding(file, address.label, without))
        else:
            problems.add(
                tr(
                    f"{file}：派出所 {format_rows(without)} 没有驻地坐标。请补上经纬度。",
                    f"{file}: stations {format_rows(without)} have no seat coordinates. Add them.",
                )
            )
    if not stations.order:
        problems.add(tr(f"{file}：表中没有派出所。", f"{file}: the table has no station."))
    problems.raise_if_any()
    wgs, seat_system, seat_how = T.seats_to_wgs84(raw, seat_crs, file)

    areas = _read_polygons(outline_path, tr("县界", "outline"), crs=outline_crs, key_aliases={})
    county = shapely.union_all(list(areas.frame.geometry))
    ids = list(stations.order)
    seat_geo = gpd.GeoSeries(
        gpd.points_from_xy([wgs[s][0] for s in ids], [wgs[s][1] for s in ids]), crs=4326
    )
    network = None
    if roads is not None:
        from zoning.centers.roads import RoadNetwork, graph_from_file

        network = RoadNetwork.from_graph(graph_from_file(roads), hwy_speeds=hwy_speeds)
        crs = CRS.from_user_input(network.crs)
    else:
        crs = metric_crs(gpd.GeoSeries([county], crs=4326))
    to_metric = Transformer.from_crs(4326, crs, always_xy=True)
    county_m = shapely.transform(
        county, lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1]))
    )
    pts = np.column_stack(to_metric.transform(seat_geo.x.to_numpy(), seat_geo.y.to_numpy()))
    _check_seats(file, ids, stations.names, pts, county_m, areas.file)
    if network is None:
        cells = _cells.voronoi_cells(pts, _cells.frame_around(county_m))
        road_info: dict[str, Any] | None = None
    else:
        cells, road_info = _road_cells(
            network, pts, county_m, ids, stations.names, roads=roads, outline=areas.file
        )
    # back to WGS84 before clipping, so the cells follow the county outline exactly
    back = Transformer.from_crs(crs, 4326, always_xy=True)
    cells = [
        shapely.transform(c, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
        for c in cells
    ]
    seat_xy = np.column_stack([seat_geo.x.to_numpy(), seat_geo.y.to_numpy()])
    geoms, moved = _cells.connected_cells(_cells.clip_cells(cells, county), seat_xy, tol=1e-8)
    empty = [stations.names[s] for s, c in zip(ids, geoms, strict=True) if c.is_empty]
    if empty:
        raise InputError(
            tr(
                f"{file}：派出所 {'、'.join(empty)} 分不到任何区域（驻地与其他所重合或在县界外）。",
                f"{file}: stations {', '.join(empty)} get no area (seat on top of another or "
                "outside the outline).",
            )
        )
    rows = [{S.STATION_ID: s, S.STATION_NAME: stations.names[s]} for s in ids]
    out = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    T.carry(out, stations, attr_cols)
    method = "roads" if network is not None else "voronoi"
    info: dict[str, Any] = {
        "method": method,
        "seats_file": str(seats_path),
        "outline_file": str(outline_path),
        "roads": str(roads) if roads is not None else None,
        "metric_crs": str(crs),
        "columns": {
            "station": _label(id_col or name_col),
            "lon": lon_col.label,
            "lat": lat_col.label,
            "attributes": {k: c.label for k, c in attr_cols.items()},
            "address_not_geocoded": address.label if address is not None else None,
        },
        "pieces_moved": len(moved),
        "road_network": road_info,
        "table_title": sheet.title,
    }
    _finish(out, wgs, seat_system, seat_how, info, file, check_inside=False)  # outline checked
    out[APPROXIMATE] = True
    out[METHOD] = method
    out.attrs["jurisdictions"] = info
    return _ordered(out)


def _road_cells(
    network: RoadNetwork,
    pts: np.ndarray,
    county_m: BaseGeometry,
    ids: Sequence[str],
    names: Mapping[str, str],
    *,
    roads: str | Path | None,
    outline: str,
) -> tuple[list[BaseGeometry], dict[str, Any]]:
    """Cells by nearest seat on the road network (metric CRS), with the network's summary."""
    from zoning.centers.travel import DETOUR_FACTOR, MAX_SNAP_M, STRAIGHT_SPEED_KPH

    cells, assignment = _cells.road_cells(
        network,
        pts,
        county_m,
        _cells.frame_around(county_m),
        access_mps=STRAIGHT_SPEED_KPH / 3.6 / DETOUR_FACTOR,
    )
    if assignment.nodes_assigned == 0:
        raise InputError(
            tr(
                f"{roads}：道路网络不覆盖 {outline} 的县界（县界内没有可达的道路节点）。"
                "请检查道路文件与县界是否为同一地区。",
                f"{roads}: the road network does not cover the outline of {outline} (no "
                "reachable road node inside it). Check that both are the same area.",
            )
        )
    off = [
        f"{names[s]}（{d / 1000:.1f} km）"
        for s, d in zip(ids, assignment.snapped_m, strict=True)
        if d > MAX_SNAP_M
    ]
    if off:
        _warn(
            tr(
                f"{roads}：这些驻地距道路网络超过 {MAX_SNAP_M:g} 米：{'、'.join(off)}；"
                "它们的辖区按到最近道路的直线时间估算，可能偏小。",
                f"{roads}: these seats are more than {MAX_SNAP_M:g} m from the road "
                f"network: {', '.join(off)}; their areas are estimated with a straight-line "
                "leg to the nearest road and may be too small.",
            )
        )
    road_info = network.info() | {
        "nodes_inside_outline": assignment.nodes_inside,
        "nodes_assigned": assignment.nodes_assigned,
        "snapped_m": {
            s: round(float(d), 1) for s, d in zip(ids, assignment.snapped_m, strict=True)
        },
    }
    return cells, road_info


def _no_geocoding(file: str, column: str, stations: Sequence[str] = ()) -> str:
    which = (
        tr(f"派出所 {format_rows(stations)} ", f"stations {format_rows(stations)} ")
        if stations
        else ""
    )
    return tr(
        f"{file}：{which}只有地址（列“{column}”）而没有经纬度。zoning 离线运行，不做地址解析"
        "（不调用任何地图服务）。请在表中加上 经度、纬度 两列（可在天地图、高德或百度的坐标拾取器中"
        "查到；高德坐标加 --seat-crs gcj02，百度坐标加 --seat-crs bd09）。",
        f"{file}: {which}only an address (column '{column}'), no longitude/latitude. zoning "
        "works offline and does not geocode addresses (no map service is called). Add 经度 and "
        "纬度 columns (from the coordinate picker of Tianditu, AMap or Baidu; pass --seat-crs "
        "gcj02 for AMap, bd09 for Baidu).",
    )


def _check_seats(
    file: str,
    ids: Sequence[str],
    names: Mapping[str, str],
    pts: np.ndarray,
    county: BaseGeometry,
    outline_file: str,
) -> None:
    problems = ProblemList()
    keys = np.round(pts, 0)
    _, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
    dupes = [
        names[ids[i]]
        for i in range(len(ids))
        if counts[np.flatnonzero((keys[first] == keys[i]).all(axis=1))[0]] > 1
    ]
    if dupes:
        problems.add(
            tr(
                f"{file}：派出所 {'、'.join(dupes)} 的驻地坐标相同（1 米内）。请核对。",
                f"{file}: stations {', '.join(dupes)} share a seat (within 1 m). Check them.",
            )
        )
    dist = np.asarray(shapely.distance(county, shapely.points(pts)), dtype=float)
    far = [
        f"{names[s]}（{d / 1000:.1f} km）" for s, d in zip(ids, dist, strict=True) if d > SEAT_FAR_M
    ]
    near = [
        f"{names[s]}（{d / 1000:.1f} km）"
        for s, d in zip(ids, dist, strict=True)
        if SEAT_OUTSIDE_M < d <= SEAT_FAR_M
    ]
    if far:
        problems.add(
            tr(
                f"{file}：这些驻地在 {outline_file} 县界外很远：{'、'.join(far)}。"
                "请核对坐标与 --seat-crs（高德 gcj02、百度 bd09）。",
                f"{file}: these seats are far outside the outline of {outline_file}: "
                f"{', '.join(far)}. Check the coordinates and --seat-crs (AMap gcj02, Baidu bd09).",
            )
        )
    problems.raise_if_any()
    if near:
        _warn(
            tr(
                f"{file}：这些驻地在县界外：{'、'.join(near)}。请核对坐标。",
                f"{file}: these seats lie outside the outline: {', '.join(near)}. Check them.",
            )
        )


# ------------------------------------------------------------------ writing


def write_stations(
    stations: gpd.GeoDataFrame, path: str | Path, *, inputs: Iterable[str | Path] = ()
) -> Path:
    """Write a station file (GeoJSON or GeoPackage, WGS84) that never replaces an input.

    Parameters
    ----------
    stations
        From :func:`stations_from_townships` or :func:`stations_from_seats`.
    path
        ``.geojson``/``.json`` or ``.gpkg``; an existing output is replaced.
    inputs
        The files the stations were made from; ``path`` must be none of them.

    Raises
    ------
    InputError
        If ``path`` is an input or has another suffix.
    """
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json", ".gpkg"):
        raise InputError(
            tr(
                f"{path}：输出文件须为 .geojson 或 .gpkg。",
                f"{path}: the output must be a .geojson or .gpkg file.",
            )
        )
    target = path.resolve()
    for item in inputs:
        source = Path(item).resolve()
        if source == target or (path.exists() and Path(item).exists() and path.samefile(item)):
            raise InputError(
                tr(
                    f"{path}：输出文件就是输入文件 {item}，不会覆盖输入。请换一个 --out。",
                    f"{path}: the output is the input file {item}; inputs are never "
                    "overwritten. Choose another --out.",
                )
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    driver = "GPKG" if path.suffix.lower() == ".gpkg" else "GeoJSON"
    frame = stations.to_crs(4326)
    frame.to_file(path, driver=driver, engine="pyogrio")
    return path
