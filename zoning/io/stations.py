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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    STATION_ALIASES,
    as_text,
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
from zoning.io.encoding import LayerInfo, is_table, read_vector
from zoning.io.geometry import check_coverage, classify, metric_crs, repair
from zoning.settings import get_logger

__all__ = [
    "check_coverage",
    "find_station",
    "normalize_station_name",
    "station_candidates",
    "station_lookup",
    "stations_from_file",
]

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


def station_candidates(stations: gpd.GeoDataFrame, key: str) -> list[str]:
    """Every station a reference can mean: the one with this id, and those with this name.

    Names match after :func:`normalize_station_name` (and the part after
    ``公安局``), ids exactly or after NFKC/casefolding. Usually zero or one id;
    two when one station's id is another station's name.
    """
    text = str(key)
    out: list[str] = []
    if text in stations.index:
        out.append(text)
    variants = name_variants(text)
    by_id = {norm_key(sid): str(sid) for sid in stations.index}
    for variant in variants[:1]:
        if variant in by_id and by_id[variant] not in out:
            out.append(by_id[variant])
    names = stations.get(S.STATION_NAME, stations.index)
    by_name: dict[str, list[str]] = {}
    for sid, name in zip(stations.index, names, strict=True):
        by_name.setdefault(normalize_station_name(str(name)).casefold(), []).append(str(sid))
    for variant in variants:
        for sid in by_name.get(variant, []):
            if sid not in out:
                out.append(sid)
    return out


def find_station(stations: gpd.GeoDataFrame, key: str, *, what: str = "") -> str | None:
    """Return the station id for an id or a (normalised) name, else None.

    Names match after :func:`normalize_station_name`, so ``青山``,
    ``青山派出所`` and ``ＸＸ县公安局青山派出所`` all find the same station.
    ``what`` names the reference in the error (e.g. "城关所").

    Raises
    ------
    InputError
        When the reference means two stations (one's id is the other's name);
        the message names both.
    """
    if key is None:
        return None
    found = station_candidates(stations, str(key))
    if len(found) > 1:
        names = stations.get(S.STATION_NAME, pd.Series(stations.index, index=stations.index))
        shown = "、".join(f"{sid}（{names.get(sid, sid)}）" for sid in found)
        shown_en = ", ".join(f"{sid} ({names.get(sid, sid)})" for sid in found)
        raise InputError(
            tr(
                f"{what}“{key}”有歧义：它可以指 {shown}（一个所的编号是另一个所的名称）。"
                "请写出完整的编号或名称以区分。",
                f"{what + ' ' if what else ''}'{key}' is ambiguous: it can mean {shown_en} (one "
                "station's id is another's name). Give the full id or name to tell them apart.",
            )
        )
    return found[0] if found else None


def stations_from_file(
    path: str | Path,
    *,
    id_column: str | None = None,
    name_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read station jurisdictions (派出所辖区) into the canonical GeoDataFrame.

    The steps, each a function of this module: read the polygon layer
    (:func:`read_station_layer`), resolve the columns and ids
    (:func:`station_columns`), check geometries and attributes, decide the CRS
    (:func:`zoning.io.crs.station_crs`), repair invalid polygons, bring
    everything to WGS84 with a sanity check of the map's size
    (:func:`jurisdictions_in_wgs84`), assemble the frame and report overlaps
    and gaps (:func:`coverage_notes`).

    Parameters
    ----------
    path
        GeoJSON, Shapefile or GeoPackage of jurisdiction polygons (or a ``.zip``
        holding one).
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
    layer
        Layer of a multi-layer file (GeoPackage). Without it, a file with
        several layers is read only when exactly one of them holds more than
        one polygon; otherwise the error lists the layers.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, index = station id (str, index name None so that the
        ``station_id`` column is unambiguous), the canonical columns of
        :mod:`zoning._schema` followed by every original column.
        ``attrs`` holds ``source`` (the file name), ``source_crs``,
        ``source_columns`` (the file's own columns) and ``column_map`` (which
        of them became canonical columns).

    Raises
    ------
    InputError
        Listing every problem found (unreadable/empty file, a table instead of
        polygons, missing columns, duplicate ids or names, missing or
        non-polygon geometry, bad values, a CRS the values contradict, a map
        too small to be a county).
    """
    path = Path(path)
    file = path.name
    raw = read_station_layer(path, encoding=encoding, layer=layer)
    problems = ProblemList()
    notes: list[str] = []
    cols = station_columns(
        raw,
        file,
        explicit=_explicit_columns(columns, id_column, name_column),
        problems=problems,
        notes=notes,
    )
    geoms = list(raw.geometry.values)
    invalid = _check_geometries(geoms, cols.ids, file, problems)
    attrs = _station_attributes(raw, cols, file, problems)
    seats = (attrs[S.SEAT_LON], attrs[S.SEAT_LAT]) if S.SEAT_LON in cols.found else None
    src_crs, swapped = station_crs(raw, crs, seats, file, problems, notes)
    problems.raise_if_any()
    geoms = _repaired(geoms, invalid, cols.ids, file, notes)
    index = pd.Index(cols.ids.to_numpy(), dtype=object)
    geo = jurisdictions_in_wgs84(geoms, index, src_crs, swapped=swapped, file=file)
    seat_lon, seat_lat = _seat_positions(attrs, geo, src_crs, swapped=swapped)
    stations = _assemble(raw, cols, attrs, geo, seat_lon, seat_lat)
    stations.attrs["source"] = file
    stations.attrs["source_crs"] = src_crs.to_string() if src_crs is not None else "EPSG:4326"
    notes.extend(coverage_notes(stations, file))
    for note in notes:
        _warn(note)
    get_logger().info("%s: %d stations read", file, len(stations))
    return stations


# --------------------------------------------------------------- the steps


def polygon_layer(layers: list[LayerInfo]) -> str | None:
    """The layer of a multi-layer file that holds the jurisdictions, if only one can.

    Candidates are polygon layers with more than one feature (a county outline
    is one polygon and never a set of jurisdictions).
    """
    found = [
        info.name
        for info in layers
        if "polygon" in info.geometry_type.casefold() and info.features != 1
    ]
    return found[0] if len(found) == 1 else None


def _not_polygons(path: Path) -> InputError:
    return InputError(
        tr(
            f"{path}：派出所文件必须是辖区面图层（GeoJSON、Shapefile、GeoPackage），"
            "这个文件是没有几何图形的表格。如果只有派出所名单和乡镇/村界，"
            "可先用 `zoning jurisdictions` 生成辖区面。",
            f"{path}: the stations file must hold jurisdiction polygons (GeoJSON, "
            "Shapefile, GeoPackage); this file is a table without geometry. If you only "
            "have a list of stations and township/village boundaries, build the "
            "jurisdictions first with `zoning jurisdictions`.",
        )
    )


def read_station_layer(
    path: Path, *, encoding: str | None = None, layer: str | None = None
) -> gpd.GeoDataFrame:
    """Read the jurisdiction polygons' layer as it is in the file (row index 0..n-1).

    Raises
    ------
    InputError
        A table (CSV/Excel) or a layer without geometry, an empty layer, or a
        single polygon (a county outline, not jurisdictions).
    """
    if is_table(path):
        raise _not_polygons(path)
    raw, _ = read_vector(path, encoding, layer=layer, choose=polygon_layer)
    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.name not in raw.columns:
        raise _not_polygons(path)
    if len(raw) == 0:
        raise InputError(
            tr(
                f"{path}：文件中没有任何要素。请检查是否选错了文件或图层。",
                f"{path}: the file has no features. Check the file or layer.",
            )
        )
    if len(raw) == 1:
        raise InputError(
            tr(
                f"{path}：只有 1 个面，像是县界而不是各派出所的辖区。"
                "请选择每个派出所一个面的图层（--layer）或文件。",
                f"{path}: there is only one polygon: it looks like the county outline, not "
                "the stations' jurisdictions. Choose the layer (--layer) or file with one "
                "polygon per station.",
            )
        )
    return raw.reset_index(drop=True)


def _explicit_columns(
    columns: Mapping[str, str] | None, id_column: str | None, name_column: str | None
) -> dict[str, str]:
    explicit = dict(columns or {})
    if id_column:
        explicit[S.STATION_ID] = id_column
    if name_column:
        explicit[S.STATION_NAME] = name_column
    return explicit


@dataclass
class StationColumns:
    """Where each canonical field is in the file, and the station ids and names."""

    found: dict[str, str]
    original: list[str]
    ids: pd.Series
    names: pd.Series


def _filled(raw: pd.DataFrame) -> Callable[[str], bool]:
    def check(column: str) -> bool:
        return bool(as_text(raw[column]).notna().any())

    return check


def station_columns(
    raw: gpd.GeoDataFrame,
    file: str,
    *,
    explicit: Mapping[str, str],
    problems: ProblemList,
    notes: list[str],
) -> StationColumns:
    """Resolve the canonical columns (non-empty ones preferred) and the ids and names.

    Without a recognised name column, a column named like a name (``…名…``,
    ``…NAME…``) holding distinct text is used with a note; otherwise the
    note names the likely columns and ``--name-column``, since zones would be
    named after codes.
    """
    original = [str(c) for c in raw.columns if c != raw.geometry.name]
    found, missing = resolve_columns(original, STATION_ALIASES, explicit, filled=_filled(raw))
    for canon, col in missing:
        problems.add(
            tr(
                f"{file}：找不到指定为 {canon} 的列“{col}”。{available_columns(file, original)}。"
                "请改正列名映射。",
                f"{file}: column '{col}' given for {canon} does not exist. "
                f"{available_columns(file, original)}. Fix the column mapping.",
            )
        )
    skipped = [
        c
        for c in original
        if c not in found.values()
        and not _filled(raw)(c)
        and any(
            norm_key(c) in {norm_key(a) for a in STATION_ALIASES[canon]}
            for canon in (S.STATION_ID, S.STATION_NAME)
        )
    ]
    if skipped:
        notes.append(
            tr(
                f"{file}：列 {'、'.join(skipped)} 全部为空，未用作编号/名称。",
                f"{file}: column(s) {', '.join(skipped)} are empty and were not used as ids/names.",
            )
        )
    if S.STATION_NAME not in found and not any(c == S.STATION_NAME for c, _ in missing):
        _name_column_by_content(raw, original, found, file, notes)
    ids, names, _ = station_ids_and_names(raw, found, missing, file, problems, notes)
    return StationColumns(found=found, original=original, ids=ids, names=names)


def _name_column_by_content(
    raw: pd.DataFrame, original: list[str], found: dict[str, str], file: str, notes: list[str]
) -> None:
    """Find a name column no alias matched (``TOWNNAME``, ``XZMC_1`` …) or say there is none."""
    candidates = []
    for col in original:
        if col in found.values():
            continue
        text = as_text(raw[col])
        if text.isna().any() or text.duplicated().any():
            continue
        _, bad = parse_number(raw[col])
        if not bad:
            continue  # numbers are codes or measures, not names
        candidates.append(col)
    named = [c for c in candidates if "名" in c or "name" in norm_key(c)]
    if named:
        found[S.STATION_NAME] = named[0]
        notes.append(
            tr(
                f"{file}：把列“{named[0]}”作为派出所名称。如不对，请用 --name-column 指定。",
                f"{file}: used column '{named[0]}' as the station names. If wrong, pass "
                "--name-column.",
            )
        )
        return
    hint = (
        tr(
            f"可能的名称列：{'、'.join(candidates)}。",
            f"Likely name columns: {', '.join(candidates)}. ",
        )
        if candidates
        else ""
    )
    notes.append(
        tr(
            f"{file}：没有派出所名称列（如 派出所、名称、name），防区和中心所将以编号命名。"
            f"{hint}请用 --name-column 指定名称列。",
            f"{file}: no station name column (派出所, 名称, name …); zones and centres will be "
            f"named after ids. {hint}Pass --name-column to name the column.",
        )
    )


def _check_geometries(
    geoms: list[Any], ids: pd.Series, file: str, problems: ProblemList
) -> list[int]:
    """Record missing and non-polygon geometries; return the positions of invalid polygons."""
    rows = np.arange(1, len(geoms) + 1)
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
    return invalid


def _station_attributes(
    raw: pd.DataFrame, cols: StationColumns, file: str, problems: ProblemList
) -> dict[str, pd.Series]:
    """Numbers (population, officers, communities, seats) and yes/no flags, checked."""
    found, ids = cols.found, cols.ids
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
    return attrs


def _repaired(
    geoms: list[Any], invalid: list[int], ids: pd.Series, file: str, notes: list[str]
) -> list[Any]:
    """Geometries with the invalid polygons repaired (noted), or an error if one cannot be."""
    problems = ProblemList()
    out = list(geoms)
    repaired = []
    for i in invalid:
        fixed = repair(geoms[i])
        if fixed is None:
            problems.add(
                tr(
                    f"{file}：第 {i + 1} 行（{ids.iloc[i]}）的面无效且无法修复。请重绘辖区面。",
                    f"{file}: row {i + 1} ({ids.iloc[i]}) is an invalid polygon that cannot "
                    "be repaired. Redraw the jurisdiction.",
                )
            )
        out[i] = fixed
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
    return out


#: A county narrower than this (metres, in both directions) means wrong units or CRS.
MIN_COUNTY_EXTENT_M = 200.0


def jurisdictions_in_wgs84(
    geoms: list[Any], index: pd.Index, src_crs: CRS | None, *, swapped: bool, file: str
) -> gpd.GeoSeries:
    """The polygons in EPSG:4326 (x/y swapped first if needed), checked for a plausible size.

    Raises
    ------
    InputError
        When the whole map is less than :data:`MIN_COUNTY_EXTENT_M` across: its
        coordinates are in other units than the CRS says (a county "5 m wide"
        would make every station an island).
    """
    if swapped:
        geoms = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in geoms]
    geo = gpd.GeoSeries(geoms, index=index, crs=src_crs)
    if src_crs is not None and not src_crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        geo = geo.to_crs(4326)
    else:
        geo = geo.set_crs(4326, allow_override=True)
    minx, miny, maxx, maxy = (float(v) for v in geo.to_crs(metric_crs(geo)).total_bounds)
    width, height = maxx - minx, maxy - miny
    if not (max(width, height) >= MIN_COUNTY_EXTENT_M):
        name = src_crs.name if src_crs is not None else "EPSG:4326"
        raise InputError(
            tr(
                f"{file}：全部辖区只有约 {width:.1f} × {height:.1f} 米，不可能是一个县。"
                f"坐标的单位或坐标系（{name}）不对：请检查 .prj 文件或导出时的坐标系"
                "（例如把经纬度存成了投影坐标，或单位是千米）。",
                f"{file}: all jurisdictions together are only about {width:.1f} × "
                f"{height:.1f} m, which cannot be a county. The coordinates' units or CRS "
                f"({name}) are wrong: check the .prj file or the CRS used on export (e.g. "
                "degrees stored as a projected CRS, or kilometres).",
            )
        )
    return geo


def _seat_positions(
    attrs: Mapping[str, pd.Series], geo: gpd.GeoSeries, src_crs: CRS | None, *, swapped: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Seat (驻地) lon/lat in degrees: given, projected ones converted, else a point inside."""
    seat_lon = attrs[S.SEAT_LON].to_numpy(dtype=float).copy()
    seat_lat = attrs[S.SEAT_LAT].to_numpy(dtype=float).copy()
    projected = np.isfinite(seat_lon) & ((np.abs(seat_lon) > 180) | (np.abs(seat_lat) > 90))
    if projected.any() and src_crs is not None and src_crs.is_projected:
        xs, ys = seat_lon[projected], seat_lat[projected]
        if swapped:
            xs, ys = ys, xs
        seat_lon[projected], seat_lat[projected] = to_wgs84(xs, ys, src_crs.to_string())
    inside = shapely.point_on_surface(np.asarray(geo.values))
    fill = ~(np.isfinite(seat_lon) & np.isfinite(seat_lat))
    seat_lon[fill] = shapely.get_x(inside[fill])
    seat_lat[fill] = shapely.get_y(inside[fill])
    return seat_lon, seat_lat


def _assemble(
    raw: pd.DataFrame,
    cols: StationColumns,
    attrs: Mapping[str, pd.Series],
    geo: gpd.GeoSeries,
    seat_lon: np.ndarray,
    seat_lat: np.ndarray,
) -> gpd.GeoDataFrame:
    """The canonical frame: canonical columns, then every original column."""
    out = pd.DataFrame(index=geo.index)
    out[S.STATION_ID] = cols.ids.to_numpy()
    out[S.STATION_NAME] = cols.names.to_numpy()
    for canon in (S.POPULATION, S.OFFICERS):
        out[canon] = attrs[canon].to_numpy(dtype=float)
    out[S.HAS_CASE_AREA] = attrs[S.HAS_CASE_AREA].to_numpy(dtype=bool)
    out[S.COMMUNITIES] = attrs[S.COMMUNITIES].to_numpy(dtype=float)
    out[S.IS_URBAN_CORE] = attrs[S.IS_URBAN_CORE].to_numpy(dtype=bool)
    out[S.SEAT_LON] = seat_lon
    out[S.SEAT_LAT] = seat_lat
    for col in cols.original:
        if col not in S.STATION_COLUMNS and col != "geometry":
            out[col] = raw[col].to_numpy()
    stations = gpd.GeoDataFrame(out, geometry=geo, crs=4326)
    stations.attrs["source_columns"] = list(cols.original)
    stations.attrs["column_map"] = dict(cols.found)
    return stations


def coverage_notes(stations: gpd.GeoDataFrame, file: str) -> list[str]:
    """One note listing overlaps and gaps between jurisdictions (at most 20 lines)."""
    coverage = check_coverage(stations)
    if not coverage:
        return []
    shown = coverage[:_MAX_WARN_LINES]
    more = len(coverage) - len(shown)
    return [
        f"{file}:\n"
        + "\n".join(shown)
        + (tr(f"\n……另有 {more} 处", f"\n… and {more} more") if more else "")
    ]
