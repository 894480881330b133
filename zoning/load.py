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

A row of a statistics table (a ``count`` column, see
:func:`zoning.io.incidents.incidents_from_file`) stands for ``count`` incidents:
its weight is the category weight times the count.

Attribution floor
    Nothing silent: when fewer than :data:`ATTRIBUTION_FLOOR` (95 %) of the
    kept incidents reach a station, a :class:`~zoning.errors.ZoningWarning`
    gives the main reasons with their counts; when none does, or the total
    load is zero, an :class:`~zoning.errors.InputError` names the reason and
    the fix. Coordinates that do not line up with the jurisdictions at all
    (their extents do not meet: a wrong CRS, swapped axes, degrees declared
    as metres) are an error even when 管辖单位 could attribute the rows, and
    the message says which file and which CRS look wrong (``floor`` of
    :func:`loads_from_incidents`).

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

__all__ = [
    "ATTRIBUTION_FLOOR",
    "LoadResult",
    "loads_from_column",
    "loads_from_incidents",
    "loads_from_table",
]

#: Share of kept incidents that must reach a station before the load is trusted silently.
ATTRIBUTION_FLOOR = 0.95
#: Below this share of coordinates near the county (and extents apart), the locations are
#: wrong; judged only on at least ``_LOCATED_MIN_ROWS`` rows with coordinates.
_LOCATED_MIN = 0.05
_LOCATED_MIN_ROWS = 5
#: Unit-vs-coordinate disagreement rate that means names and polygons do not match.
_DISAGREE_MAX = 0.9
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
    floor: float | None = ATTRIBUTION_FLOOR,
) -> LoadResult:
    """Attribute incidents to stations and sum their weights.

    Parameters
    ----------
    stations
        Canonical stations from :func:`zoning.io.stations.stations_from_file`.
    incidents
        Cleaned incidents from :func:`zoning.io.incidents.incidents_from_file`.
    weights
        Category -> weight; every category defaults to 1. Categories outside
        :data:`zoning._schema.CATEGORIES` and this mapping are weighted as 其他,
        with a :class:`~zoning.errors.ZoningWarning` listing them.
    tolerance_m
        Incidents outside every jurisdiction go to the nearest one within this
        distance (metres).
    floor
        Warn below this attributed share (main reasons and counts), fail when
        none is attributed, the load is zero or the coordinates cannot be in
        the county; None skips the check (for callers that inspect partial
        attributions themselves).

    Returns
    -------
    LoadResult

    Raises
    ------
    InputError
        Invalid weights; and with ``floor``: no incident attributed, a zero
        total load, or coordinates that do not line up with the jurisdictions.
    """
    table = _weight_table(weights)
    frame = incidents.frame.reset_index(drop=True)
    n = len(frame)
    ids = np.asarray([str(i) for i in stations.index], dtype=object)
    geoms = np.asarray(stations.geometry.to_crs(4326).values, dtype=object)
    lon = frame[S.LON].to_numpy(dtype=float)
    lat = frame[S.LAT].to_numpy(dtype=float)
    count = frame[S.COUNT].to_numpy(dtype=float) if S.COUNT in frame.columns else np.ones(n)
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
    by_coordinates = (how <= 1) & (how >= 0)
    fallback = (station < 0) & (unit_station >= 0)
    station[fallback] = unit_station[fallback]
    how[fallback] = 2

    both = by_coordinates & (unit_station >= 0) & (unit_station != station)
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
    weight = _quantise(keys.map(table).to_numpy(dtype=float) * count)
    if unknown:
        _warn_unknown_categories(unknown, incidents.ledger.get("source", ""))

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
        pd.crosstab(
            ids[station[assigned]],
            buckets.to_numpy()[assigned],
            values=count[assigned],
            aggfunc="sum",
        )
        .reindex(index=index, columns=list(S.CATEGORIES))
        .fillna(0)
        .round()
        .astype(np.int64)
        if assigned.any()
        else pd.DataFrame(0, index=index, columns=list(S.CATEGORIES), dtype=np.int64)
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
            "incidents_total": math.fsum(count),
            "incidents_assigned": math.fsum(count[assigned]),
            "attributed_share": (
                math.fsum(count[assigned]) / math.fsum(count) if count.sum() > 0 else None
            ),
        }
    )
    if S.COUNT in frame.columns and ledger.get("count_column"):
        ledger["counts_as_weights"] = True
    result = LoadResult(load=load, by_category=by_category, incidents=counted, ledger=ledger)
    get_logger().info(
        "attributed %d of %d incidents, weighted total %s", assigned.sum(), n, weighted_total
    )
    if floor is not None:
        _check_attribution(
            result,
            stations,
            _Facts(
                lon=lon,
                lat=lat,
                count=count,
                by_coordinates=by_coordinates,
                unit_matched=unit_station >= 0,
                disagree=both,
                unassigned=unassigned,
                unmatched_units=Counter(units[unassigned & ~has_xy & has_unit].astype(str)),
            ),
            floor=floor,
        )
    return result


def _warn_unknown_categories(unknown: Counter[str], src: str) -> None:
    shown = "、".join(f"{c}（{k}）" for c, k in unknown.most_common(5))
    shown_en = ", ".join(f"{c} ({k})" for c, k in unknown.most_common(5))
    more = len(unknown) - min(len(unknown), 5)
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
        stacklevel=3,
    )


@dataclass
class _Facts:
    """Per-row facts of one attribution, for the diagnosis of the attribution floor."""

    lon: np.ndarray
    lat: np.ndarray
    count: np.ndarray
    by_coordinates: np.ndarray
    unit_matched: np.ndarray
    disagree: np.ndarray
    unassigned: np.ndarray
    unmatched_units: Counter[str]


def _extent(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float, float]:
    """The 2–98 % range of points (robust to a few stray coordinates)."""
    return (
        float(np.quantile(lon, 0.02)),
        float(np.quantile(lat, 0.02)),
        float(np.quantile(lon, 0.98)),
        float(np.quantile(lat, 0.98)),
    )


def _box_text(box: tuple[float, float, float, float]) -> str:
    return f"{box[0]:.3f}–{box[2]:.3f}°E, {box[1]:.3f}–{box[3]:.3f}°N"


def _inside(lon: np.ndarray, lat: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    return (lon >= box[0]) & (lon <= box[2]) & (lat >= box[1]) & (lat <= box[3])


def _location_diagnosis(
    stations: gpd.GeoDataFrame, facts: _Facts, ledger: Mapping[str, Any]
) -> tuple[bool, str]:
    """Whether the incident coordinates cannot be in the county, and what looks wrong.

    Compares the incidents' extent with the county's; tries the swapped axes;
    recognises points near 0°, 0° (degrees declared as a projected CRS).
    """
    xy = np.isfinite(facts.lon) & np.isfinite(facts.lat)
    if int(xy.sum()) < _LOCATED_MIN_ROWS:
        return False, ""
    lon, lat = facts.lon[xy], facts.lat[xy]
    minx, miny, maxx, maxy = (float(v) for v in stations.geometry.to_crs(4326).total_bounds)
    margin = max(0.05, 0.1 * max(maxx - minx, maxy - miny))
    county = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    seen = _extent(lon, lat)
    located = float(np.mean(facts.by_coordinates[xy]))
    apart = seen[2] < county[0] or seen[0] > county[2] or seen[3] < county[1] or seen[1] > county[3]
    if located >= _LOCATED_MIN or not apart:
        return False, ""
    station_file = stations.attrs.get("source", tr("站点文件", "the stations file"))
    station_crs = stations.attrs.get("source_crs", "?")
    src = ledger.get("source", tr("警情文件", "the incidents file"))
    crs, how = ledger.get("crs", "?"), ledger.get("crs_source", "?")
    facts_text = tr(
        f"警情坐标范围 {_box_text(seen)}，辖区范围 {_box_text((minx, miny, maxx, maxy))}，"
        f"只有 {located:.0%} 的警情坐标落在辖区内或附近",
        f"the incidents lie at {_box_text(seen)}, the jurisdictions at "
        f"{_box_text((minx, miny, maxx, maxy))}; only {located:.0%} of the incident "
        "coordinates fall in or near a jurisdiction",
    )
    swapped = float(np.mean(_inside(lat, lon, county)))
    if swapped >= 0.5:
        hint = tr(
            f"{src} 的经度、纬度两列似乎互换了（互换后 {swapped:.0%} 落在辖区内）："
            "请在 incident_columns 中对调 lon 与 lat，或改正列名",
            f"the longitude and latitude columns of {src} look swapped ({swapped:.0%} fall "
            "inside when swapped): swap lon and lat in incident_columns, or fix the headers",
        )
    elif float(np.median(np.abs(lon))) < 1 and float(np.median(np.abs(lat))) < 1:
        hint = tr(
            f"{src} 的坐标在 0°E 0°N 附近：它的坐标系（{crs}，来源 {how}）多半把经纬度当成了"
            "投影坐标（米）；请用 --incidents-crs wgs84 或改正文件的坐标系",
            f"the coordinates of {src} are near 0°E 0°N: its CRS ({crs}, from {how}) most "
            "likely declares degrees as projected metres; pass --incidents-crs wgs84 or fix "
            "the file's CRS",
        )
    else:
        hint = tr(
            f"请检查 {src} 的坐标系（现为 {crs}，来源 {how}；--incidents-crs）和 "
            f"{station_file} 的坐标系（{station_crs}；.prj 文件）——其中一个不对"
            "（例如高斯-克吕格带号/中央经线差了一带）",
            f"check the CRS of {src} (now {crs}, from {how}; --incidents-crs) and of "
            f"{station_file} ({station_crs}; its .prj file): one of them is wrong (e.g. a "
            "Gauss-Krüger zone or central meridian off by one)",
        )
    return True, tr(f"{facts_text}。{hint}", f"{facts_text}. {hint}")


def _check_attribution(
    result: LoadResult,
    stations: gpd.GeoDataFrame,
    facts: _Facts,
    *,
    floor: float = ATTRIBUTION_FLOOR,
) -> None:
    """The attribution floor: warn below ``floor``, fail at nothing or implausible locations.

    Raises
    ------
    InputError
        No incident attributed; a zero total load; incident coordinates whose
        extent does not meet the county's (the error names the files, their
        CRSs and what looks wrong, even when 管辖单位 rescued the rows).
    """
    ledger = result.ledger
    src = ledger.get("source") or tr("警情文件", "the incidents file")
    total = float(ledger["incidents_total"])
    got = float(ledger["incidents_assigned"])
    implausible, where = _location_diagnosis(stations, facts, ledger)
    if total <= 0:
        raise InputError(
            tr(
                f"{src}：没有可计的警情（保留 {ledger.get('rows_kept', 0)} 行，"
                "计数合计为 0）。请检查文件与时段。",
                f"{src}: no incidents to count ({ledger.get('rows_kept', 0)} rows kept, "
                "counts add up to 0). Check the file and the date window.",
            )
        )
    reasons = _reason_text(ledger, facts, where if not implausible else "")
    if implausible:
        raise InputError(
            tr(
                f"{src}：警情坐标与辖区对不上：{where}。",
                f"{src}: the incident coordinates do not line up with the jurisdictions: {where}.",
            )
        )
    if got <= 0:
        raise InputError(
            tr(
                f"{src}：没有一起警情能归入派出所（共 {total:,.0f} 起）。{reasons}",
                f"{src}: not one incident could be attributed to a station ({total:,.0f} in "
                f"all). {reasons}",
            )
        )
    if result.ledger["weighted_total"] <= 0:
        raise InputError(
            tr(
                f"{src}：归入派出所的 {got:,.0f} 起警情权重全为 0，警情量合计为 0。"
                "请检查 category_weights（[weights]）。",
                f"{src}: the {got:,.0f} attributed incidents all have weight 0, so the total "
                "load is 0. Check category_weights ([weights]).",
            )
        )
    _warn_disagreement(stations, facts, ledger)
    share = got / total
    if share < floor:
        warnings.warn(
            tr(
                f"{src}：只有 {share:.0%}（{got:,.0f} / {total:,.0f} 起）的警情归入了派出所，"
                f"低于 {floor:.0%}；方案只反映这部分警情。{reasons}",
                f"{src}: only {share:.0%} ({got:,.0f} of {total:,.0f}) of the incidents were "
                f"attributed to a station, below {floor:.0%}; the plan reflects only these. "
                f"{reasons}",
            ),
            ZoningWarning,
            stacklevel=3,
        )


def _reason_text(ledger: Mapping[str, Any], facts: _Facts, where: str) -> str:
    """The main reasons rows were not attributed, largest first, each with a fix."""
    reasons = ledger["unassigned"]["reasons"]
    parts: list[tuple[int, str]] = []
    outside = reasons["outside_all_jurisdictions"]
    if outside:
        tol = ledger.get("tolerance_m", 500)
        text = tr(
            f"{outside:,} 行坐标在所有辖区外（超过 {tol:g} 米）且管辖单位无法匹配",
            f"{outside:,} rows lie outside every jurisdiction (beyond {tol:g} m) with no "
            "usable 管辖单位",
        )
        if where:
            text += tr(f"（{where}）", f" ({where})")
        parts.append((outside, text))
    unknown = reasons["unknown_unit"]
    if unknown:
        shown = "、".join(u for u, _ in facts.unmatched_units.most_common(3))
        parts.append(
            (
                unknown,
                tr(
                    f"{unknown:,} 行没有坐标，管辖单位（如 {shown}）与站点文件的编号、名称都对不上",
                    f"{unknown:,} rows have no coordinates and a 管辖单位 (e.g. {shown}) that "
                    "matches no station id or name",
                ),
            )
        )
    none = reasons["no_location"]
    if none:
        bad = int(ledger.get("invalid_coordinates", 0))
        detail = (
            tr(f"，其中 {bad:,} 行坐标无法识别", f"; {bad:,} of them have unreadable coordinates")
            if bad
            else ""
        )
        parts.append(
            (
                none,
                tr(
                    f"{none:,} 行既没有可用坐标也没有管辖单位{detail}",
                    f"{none:,} rows have neither usable coordinates nor a 管辖单位{detail}",
                ),
            )
        )
    if not parts:
        return ""
    parts.sort(key=lambda item: -item[0])
    listed = tr("；", "; ").join(text for _, text in parts)
    return tr(
        f"未归入的原因：{listed}。请检查坐标列与坐标系（--incidents-crs）、管辖单位列，"
        "或站点文件是否是本县的。",
        f"Not attributed: {listed}. Check the coordinate columns and CRS (--incidents-crs), "
        "the 管辖单位 column, and that the stations file is this county's.",
    )


def _warn_disagreement(
    stations: gpd.GeoDataFrame, facts: _Facts, ledger: Mapping[str, Any]
) -> None:
    """Warn when coordinates and 管辖单位 disagree for nearly every row that has both."""
    judged = facts.by_coordinates & facts.unit_matched
    n_judged = int(judged.sum())
    if n_judged < 20:
        return
    rate = float(facts.disagree[judged].mean())
    if rate < _DISAGREE_MAX:
        return
    src = ledger.get("source", "")
    station_file = stations.attrs.get("source", tr("站点文件", "the stations file"))
    warnings.warn(
        tr(
            f"{src}：有坐标又有管辖单位的 {n_judged:,} 行中，{rate:.0%} 的坐标落在另一个所的辖区。"
            f"{station_file} 的编号/名称与辖区面可能错位，或两个文件的坐标系有偏移；"
            "请核对（ledger 的 disagreements 列出最常见的组合）。",
            f"{src}: of {n_judged:,} rows with both coordinates and a 管辖单位, {rate:.0%} "
            f"fall in another station's jurisdiction. The ids/names of {station_file} may not "
            "match its polygons, or the two files' CRSs are offset; check them (the ledger's "
            "disagreements list the most common pairs).",
        ),
        ZoningWarning,
        stacklevel=4,
    )


def _load_column(
    stations: gpd.GeoDataFrame, column: str
) -> tuple[str | None, str | None, list[str]]:
    """The frame column and the file column that ``column`` names, and the columns to offer.

    zoning's own column names (``population``, ``officers`` …) hold NaN when the
    file has no such column; they count only when the file maps one of its
    columns to them (``attrs["column_map"]``, e.g. ``户籍人口`` → ``population``),
    so an internal name never reads as an all-zero load.
    """
    geometry = stations.geometry.name
    mapped = {str(k): str(v) for k, v in stations.attrs.get("column_map", {}).items()}
    if "column_map" not in stations.attrs:  # a frame built by hand: empty ones are internal
        mapped = {c: c for c in S.STATION_COLUMNS if c in stations and stations[c].notna().any()}
    offered = [
        str(c) for c in stations.columns if c != geometry and str(c) not in S.STATION_COLUMNS
    ]
    if column in mapped:
        return column, mapped[column], offered
    for candidate in offered:
        if candidate == column or norm_key(candidate) == norm_key(column):
            return candidate, candidate, offered
    return None, None, offered


def loads_from_column(stations: gpd.GeoDataFrame, column: str, *, source: str = "") -> LoadResult:
    """Use a column of the station file as the load (``--load-column``).

    Empty cells count as 0 with a :class:`~zoning.errors.ZoningWarning`.

    Raises
    ------
    InputError
        The column is not one of the file's own columns (the available ones
        are listed; zoning's internal names such as ``population`` only count
        when the file maps a column to them), has non-numeric or negative
        values (named by station id), or adds up to zero.
    """
    where = source or tr("站点文件", "stations file")
    actual, named, available = _load_column(stations, column)
    if actual is None or named is None:
        raise InputError(
            tr(
                f"{where}：找不到警情量列“{column}”。现有的列：{'、'.join(available)}。"
                "请用 --load-column 指定其中之一。",
                f"{where}: load column '{column}' does not exist. Available columns: "
                f"{', '.join(available)}. Pass one of them to --load-column.",
            )
        )
    values, bad = parse_number(stations[actual])
    actual = named  # messages and the ledger name the file's column
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
    index = pd.Index([str(i) for i in stations.index], name=S.STATION_ID)
    numbers = _quantise(values.fillna(0.0).to_numpy(dtype=float))
    if math.fsum(numbers) <= 0:
        state = (
            tr("全部为空", "is empty")
            if len(empty) == len(stations)
            else tr("合计为 0", "adds up to 0")
        )
        raise InputError(
            tr(
                f"{where}：警情量列“{actual}”{state}，无法据此均衡防区。"
                "请指定填有警情数的列，或改用 --incidents。",
                f"{where}: load column '{actual}' {state}; zones cannot be balanced on it. "
                "Name a column holding incident counts, or use --incidents.",
            )
        )
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
