"""Per-station incident load and its ledger.

Attribution of each incident (:func:`loads_from_incidents`):

1. coordinates inside a jurisdiction (point-in-polygon; a point on a shared
   boundary or in an overlap goes to the first such station in file order);
2. coordinates outside every jurisdiction: the nearest station within
   ``tolerance_m`` (measured in a local UTM projection);
3. otherwise, or without coordinates: the 管辖单位 text, matched to a station
   id or normalised name (:func:`zoning.io.stations.normalize_station_name`);
4. otherwise unassigned, with the reason ``outside_all_jurisdictions``
   (coordinates too far away, no usable unit), ``unknown_unit`` (no
   coordinates, unit matches no station) or ``no_location`` (neither).

When coordinates and 管辖单位 both attribute an incident, the coordinates decide
and the disagreements are counted, largest (unit, station) pairs first.

Exact ledger
    Category weights (and load-column values) are rounded to multiples of 2⁻²⁰
    (≈ 1e-6) so that every partial sum is exact in binary floating point (up
    to 2³³ ≈ 8.6e9 in total): ``load.sum() == ledger["weighted_total"]`` holds
    to the last bit whatever the summation order.
"""

from __future__ import annotations

import math
import unicodedata
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ZoningWarning
from zoning.io.columns import format_rows, name_variants, norm_key, parse_number
from zoning.io.geometry import metric_crs
from zoning.io.incidents import IncidentTable
from zoning.io.loadtable import LoadTable
from zoning.io.stations import station_lookup
from zoning.settings import get_logger

__all__ = ["LoadResult", "loads_from_column", "loads_from_incidents", "loads_from_table"]

_QUANTUM = 2.0**-20
_OTHER = "其他"
_TOP_PAIRS = 10
_HOW = ("point_in_polygon", "nearest_within_tolerance", "unit_name")
_INCIDENT_OUT = (
    S.INCIDENT_ID,
    S.TIME,
    S.CATEGORY,
    S.LON,
    S.LAT,
    S.UNIT,
    S.STATION_ID,
    "weight",
    "attributed_by",
)


@dataclass
class LoadResult:
    """Loads per station and how they were obtained.

    Attributes
    ----------
    load
        Index station id (every station, 0.0 where none), weighted load.
    by_category
        Index station id, columns :data:`zoning._schema.CATEGORIES`, raw incident
        counts (categories outside that list are counted under 其他). All zero
        for a load column.
    incidents
        The counted incidents with station_id, weight, lon, lat, category, time
        (for the heat map); empty for a load column.
    ledger
        JSON-serialisable account of every input row (see :mod:`zoning.load`).
    """

    load: pd.Series
    by_category: pd.DataFrame
    incidents: pd.DataFrame
    ledger: dict[str, Any]


def _quantise(values: np.ndarray) -> np.ndarray:
    """Round to multiples of 2⁻²⁰ (exact scaling by a power of two)."""
    return np.round(np.asarray(values, dtype=float) / _QUANTUM) * _QUANTUM


def _weight_table(weights: Mapping[str, float] | None) -> dict[str, float]:
    table = dict.fromkeys(S.CATEGORIES, 1.0)
    bad = []
    for key, value in (weights or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or number < 0:
            bad.append(f"{key}={value}")
            continue
        table[unicodedata.normalize("NFKC", str(key)).strip()] = number
    if bad:
        raise InputError(
            tr(
                f"警情类别权重无效：{', '.join(bad)}。权重必须是非负数，如 刑事 = 2。",
                f"Invalid category weights: {', '.join(bad)}. Weights must be non-negative "
                "numbers, e.g. 刑事 = 2.",
            )
        )
    return {
        k: float(v) for k, v in zip(table, _quantise(np.array(list(table.values()))), strict=True)
    }


def _categorise(
    categories: pd.Series, table: Mapping[str, float]
) -> tuple[pd.Series, pd.Series, Counter[str], dict[str, str]]:
    """Weight key and report bucket of each incident category.

    A category that is neither a weight key nor one of the canonical categories
    but contains exactly one canonical name (``刑事案件``, ``群众求助``) is read as
    that category; anything else is unknown and weighted as 其他.
    """
    keys: dict[Any, str] = {}
    buckets: dict[Any, str] = {}
    unknown: Counter[str] = Counter()
    mapped: dict[str, str] = {}
    folded = {norm_key(k): k for k in table}
    counts = categories.value_counts(dropna=False)
    for value, count in counts.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            keys[value], buckets[value] = _OTHER, _OTHER
            continue
        text = str(value)
        contained = [c for c in S.CATEGORIES if c in text]
        if text in table or norm_key(text) in folded:
            key = text if text in table else folded[norm_key(text)]
            keys[value] = key
            buckets[value] = key if key in S.CATEGORIES else _OTHER
        elif len(contained) == 1:
            keys[value] = buckets[value] = contained[0]
            mapped[text] = contained[0]
        else:
            keys[value] = buckets[value] = _OTHER
            unknown[text] += int(count)
    key_series = categories.map(keys).fillna(_OTHER)
    bucket_series = categories.map(buckets).fillna(_OTHER)
    return key_series, bucket_series, unknown, mapped


def _metric_points(lon: np.ndarray, lat: np.ndarray, crs: Any) -> np.ndarray:
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.asarray(shapely.points(np.asarray(x), np.asarray(y)), dtype=object)


def loads_from_incidents(
    stations: gpd.GeoDataFrame,
    incidents: IncidentTable,
    *,
    weights: Mapping[str, float] | None = None,
    tolerance_m: float = 500.0,
) -> LoadResult:
    """Attribute incidents to stations and sum their weights.

    Parameters
    ----------
    stations
        Canonical stations from :func:`zoning.io.stations.stations_from_file`.
    incidents
        Cleaned incidents from :func:`zoning.io.stations.incidents_from_file`.
    weights
        Category -> weight; every category defaults to 1. Categories outside
        :data:`zoning._schema.CATEGORIES` and this mapping are weighted as 其他,
        with a :class:`~zoning.errors.ZoningWarning` listing them.
    tolerance_m
        Incidents outside every jurisdiction go to the nearest one within this
        distance (metres).

    Returns
    -------
    LoadResult
    """
    table = _weight_table(weights)
    frame = incidents.frame.reset_index(drop=True)
    n = len(frame)
    ids = np.asarray([str(i) for i in stations.index], dtype=object)
    geoms = np.asarray(stations.geometry.to_crs(4326).values, dtype=object)
    lon = frame[S.LON].to_numpy(dtype=float)
    lat = frame[S.LAT].to_numpy(dtype=float)
    has_xy = np.isfinite(lon) & np.isfinite(lat)
    station = np.full(n, -1, dtype=np.int64)
    how = np.full(n, -1, dtype=np.int8)

    xy_rows = np.flatnonzero(has_xy)
    n_overlap = 0
    if xy_rows.size and len(geoms):
        tree = shapely.STRtree(geoms)
        points = shapely.points(lon[xy_rows], lat[xy_rows])
        p_idx, g_idx = tree.query(points, predicate="intersects")
        order = np.lexsort((g_idx, p_idx))
        p_idx, g_idx = p_idx[order], g_idx[order]
        first = np.ones(p_idx.size, dtype=bool)
        first[1:] = p_idx[1:] != p_idx[:-1]
        n_overlap = int(np.unique(p_idx[~first]).size)
        station[xy_rows[p_idx[first]]] = g_idx[first]
        how[xy_rows[p_idx[first]]] = 0
        outside = xy_rows[station[xy_rows] < 0]
        crs = metric_crs(stations)
        if outside.size and tolerance_m > 0:
            metric = np.asarray(stations.geometry.to_crs(crs).values, dtype=object)
            near_tree = shapely.STRtree(metric)
            pts = _metric_points(lon[outside], lat[outside], crs)
            o_idx, s_idx = near_tree.query_nearest(
                pts, max_distance=float(tolerance_m), all_matches=False
            )
            station[outside[o_idx]] = s_idx
            how[outside[o_idx]] = 1

    units = frame[S.UNIT]
    lookup = station_lookup(stations)
    position = {sid: i for i, sid in enumerate(ids)}

    def match(unit: Any) -> int:
        for variant in name_variants(str(unit)):
            if variant in lookup:
                return position[lookup[variant]]
        return -1

    unit_pos = units.map({u: match(u) for u in units.dropna().unique()})
    unit_station = unit_pos.fillna(-1).to_numpy(dtype=np.int64)
    fallback = (station < 0) & (unit_station >= 0)
    station[fallback] = unit_station[fallback]
    how[fallback] = 2

    both = (how <= 1) & (how >= 0) & (unit_station >= 0) & (unit_station != station)
    pairs = Counter(zip(units[both].astype(str), ids[station[both]], strict=True))
    top_pairs = [[u, s, int(c)] for (u, s), c in pairs.most_common(_TOP_PAIRS)]

    unassigned = station < 0
    has_unit = units.notna().to_numpy()
    reasons = {
        "outside_all_jurisdictions": int(np.sum(unassigned & has_xy)),
        "unknown_unit": int(np.sum(unassigned & ~has_xy & has_unit)),
        "no_location": int(np.sum(unassigned & ~has_xy & ~has_unit)),
    }

    keys, buckets, unknown, mapped = _categorise(frame[S.CATEGORY], table)
    weight = keys.map(table).to_numpy(dtype=float)
    if unknown:
        shown = "、".join(f"{c}（{k}）" for c, k in unknown.most_common(5))
        shown_en = ", ".join(f"{c} ({k})" for c, k in unknown.most_common(5))
        more = len(unknown) - min(len(unknown), 5)
        src = incidents.ledger.get("source", "")
        warnings.warn(
            tr(
                f"{src}：{len(unknown)} 种未知警情类别按“其他”计权："
                f"{shown}{f' 等 {more} 种' if more else ''}。"
                "可在 category_weights 中为其设定权重。",
                f"{src}: {len(unknown)} unknown incident categories weighted as 其他: "
                f"{shown_en}{f' and {more} more' if more else ''}. "
                "Give them weights in category_weights.",
            ),
            ZoningWarning,
            stacklevel=2,
        )

    assigned = ~unassigned
    counted = frame.loc[assigned].copy()
    counted[S.STATION_ID] = ids[station[assigned]]
    counted["weight"] = weight[assigned]
    counted["attributed_by"] = np.asarray(_HOW, dtype=object)[how[assigned]]
    counted = counted.reset_index(drop=True)[list(_INCIDENT_OUT)]

    index = pd.Index(ids, name=S.STATION_ID)
    load = counted.groupby(S.STATION_ID)["weight"].sum().reindex(index, fill_value=0.0)
    load = load.astype(float).rename(S.LOAD)
    by_category = (
        pd.crosstab(ids[station[assigned]], buckets.to_numpy()[assigned])
        .reindex(index=index, columns=list(S.CATEGORIES), fill_value=0)
        .astype(np.int64)
    )
    by_category.columns.name = None
    weighted_total = math.fsum(weight[assigned])
    ledger = dict(incidents.ledger)
    ledger.update(
        {
            "rows_read": int(ledger.get("rows_read", n)),
            "duplicates_dropped": int(ledger.get("duplicates_dropped", 0)),
            "outside_window": int(ledger.get("outside_window", 0)),
            "rows_attributed": n,
            "assigned": int(assigned.sum()),
            "unassigned": {"total": int(unassigned.sum()), "reasons": reasons},
            "by": {name: int(np.sum(how == k)) for k, name in enumerate(_HOW)},
            "disagreements": {"count": int(both.sum()), "top_pairs": top_pairs},
            "in_overlap": n_overlap,
            "weighted_total": weighted_total,
            "weights": table,
            "unknown_categories": dict(unknown.most_common()),
            "category_mapping": mapped,
            "tolerance_m": float(tolerance_m),
        }
    )
    get_logger().info(
        "attributed %d of %d incidents, weighted total %s", assigned.sum(), n, weighted_total
    )
    return LoadResult(load=load, by_category=by_category, incidents=counted, ledger=ledger)


def loads_from_column(stations: gpd.GeoDataFrame, column: str, *, source: str = "") -> LoadResult:
    """Use a column of the station file as the load (``--load-column``).

    Empty cells count as 0 with a :class:`~zoning.errors.ZoningWarning`.

    Raises
    ------
    InputError
        The column does not exist (the available ones are listed), or has
        non-numeric or negative values (named by station id).
    """
    where = source or tr("站点文件", "stations file")
    available = [str(c) for c in stations.columns if c != stations.geometry.name]
    actual = column if column in stations.columns else None
    if actual is None:
        matches = [c for c in available if norm_key(c) == norm_key(column)]
        actual = matches[0] if matches else None
    if actual is None:
        raise InputError(
            tr(
                f"{where}：找不到警情量列“{column}”。现有的列：{'、'.join(available)}。"
                "请用 --load-column 指定其中之一。",
                f"{where}: load column '{column}' does not exist. Available columns: "
                f"{', '.join(available)}. Pass one of them to --load-column.",
            )
        )
    values, bad = parse_number(stations[actual])
    negative = np.flatnonzero((values < 0).to_numpy()).tolist()
    bad_ids = [str(stations.index[i]) for i in sorted(set(bad) | set(negative))]
    if bad_ids:
        raise InputError(
            tr(
                f"{where}：列“{actual}”中派出所 {format_rows(bad_ids)} 的值不是非负数。"
                "请改为数字（警情数）。",
                f"{where}: column '{actual}' is not a non-negative number for stations "
                f"{format_rows(bad_ids)}. Enter incident counts.",
            )
        )
    empty = [str(s) for s in stations.index[values.isna().to_numpy()]]
    if empty:
        warnings.warn(
            tr(
                f"{where}：列“{actual}”中派出所 {format_rows(empty)} 为空，按 0 计。",
                f"{where}: column '{actual}' is empty for stations {format_rows(empty)}; "
                "counted as 0.",
            ),
            ZoningWarning,
            stacklevel=2,
        )
    index = pd.Index([str(i) for i in stations.index], name=S.STATION_ID)
    numbers = _quantise(values.fillna(0.0).to_numpy(dtype=float))
    load = pd.Series(numbers, index=index, name=S.LOAD, dtype=float)
    by_category = pd.DataFrame(0, index=index, columns=list(S.CATEGORIES), dtype=np.int64)
    incidents = pd.DataFrame({c: pd.Series(dtype=object) for c in _INCIDENT_OUT})
    ledger: dict[str, Any] = {
        "source": str(source),
        "load_column": str(actual),
        "rows_read": len(stations),
        "duplicates_dropped": 0,
        "outside_window": 0,
        "assigned": len(stations),
        "unassigned": {"total": 0, "reasons": {}},
        "by": dict.fromkeys(_HOW, 0),
        "disagreements": {"count": 0, "top_pairs": []},
        "empty_cells": len(empty),
        "weighted_total": math.fsum(numbers),
    }
    return LoadResult(load=load, by_category=by_category, incidents=incidents, ledger=ledger)


def loads_from_table(
    stations: gpd.GeoDataFrame,
    table: LoadTable,
    *,
    weights: Mapping[str, float] | None = None,
) -> LoadResult:
    """Weight a statistics table (``--loads``) into station loads.

    Parameters
    ----------
    stations
        Canonical stations.
    table
        Counts per station from :func:`zoning.io.loadtable.loads_table_from_file`.
    weights
        Category -> weight, as for :func:`loads_from_incidents`; they apply to
        category columns (a column whose category is unknown is weighted as
        其他, with a :class:`~zoning.errors.ZoningWarning`). A total column is
        taken as it is (a warning says so when weights were given).

    Returns
    -------
    LoadResult
        Every weighted cell is rounded to a multiple of 2⁻²⁰ before summing, so
        ``load.sum() == ledger["weighted_total"]`` exactly; ``by_category``
        holds the counts per category (zero for a total column).
    """
    weight_table = _weight_table(weights)
    index = pd.Index([str(i) for i in stations.index], name=S.STATION_ID)
    counts = table.counts.reindex(index, fill_value=0.0).astype(float)
    by_category = pd.DataFrame(0.0, index=index, columns=list(S.CATEGORIES))
    src = table.ledger.get("source", "")
    if table.kind == "categories":
        labels = list(table.categories)
        texts = pd.Series([table.categories[c] for c in labels], dtype=object)
        keys, buckets, unknown, mapped = _categorise(texts, weight_table)
        column_weight = dict(zip(labels, keys.map(weight_table), strict=True))
        weighted = pd.DataFrame(
            {c: _quantise(counts[c].to_numpy() * column_weight[c]) for c in labels}, index=index
        )
        for label, bucket in zip(labels, buckets, strict=True):
            by_category[bucket] += counts[label].to_numpy()
        if unknown:
            shown = "、".join(unknown)
            warnings.warn(
                tr(
                    f"{src}：{len(unknown)} 个未知警情类别的列按“其他”计权：{shown}。"
                    "可在 category_weights 中为其设定权重。",
                    f"{src}: {len(unknown)} unknown category columns weighted as 其他: "
                    f"{', '.join(unknown)}. Give them weights in category_weights.",
                ),
                ZoningWarning,
                stacklevel=2,
            )
        category_of = {c: str(k) for c, k in zip(labels, keys, strict=True)}
    else:
        labels = list(counts.columns)
        weighted = pd.DataFrame({c: _quantise(counts[c].to_numpy()) for c in labels}, index=index)
        unknown, mapped, category_of = Counter(), {}, {}
        if weights:
            warnings.warn(
                tr(
                    f"{src}：表中只有合计列，警情类别权重不适用；按合计计算。",
                    f"{src}: the table has only a total column; category weights do not "
                    "apply, the total is used.",
                ),
                ZoningWarning,
                stacklevel=2,
            )
    load = weighted.sum(axis=1).astype(float).rename(S.LOAD)
    integral = np.all(np.mod(by_category.to_numpy(), 1.0) == 0)
    by_category = by_category.astype(np.int64) if integral else by_category
    by_category.columns.name = None
    incidents = pd.DataFrame({c: pd.Series(dtype=object) for c in _INCIDENT_OUT})
    ledger = dict(table.ledger)
    ledger.update(
        {
            "assigned": int(table.counts.shape[0]),
            "unassigned": {"total": 0, "reasons": {}},
            "by": dict.fromkeys(_HOW, 0),
            "disagreements": {"count": 0, "top_pairs": []},
            "outside_window": 0,
            "raw_total": math.fsum(counts.to_numpy().ravel()),
            "column_totals": {c: math.fsum(counts[c]) for c in labels},
            "column_weighted_totals": {c: math.fsum(weighted[c]) for c in labels},
            "column_categories": category_of,
            "category_mapping": mapped,
            "unknown_categories": list(unknown),
            "weighted_total": math.fsum(weighted.to_numpy().ravel()),
            "weights": weight_table if table.kind == "categories" else None,
        }
    )
    get_logger().info("%s: load table, weighted total %s", src, ledger["weighted_total"])
    return LoadResult(load=load, by_category=by_category, incidents=incidents, ledger=ledger)
