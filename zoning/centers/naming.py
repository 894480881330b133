"""Zone names after a river or a peak inside the zone (local OSM features file).

The guideline names zones after a river, mountain or landmark. Default is the
中心所's place name (:func:`zoning.centers.placement.zone_name_for`: 青山派出所 → 青山防区).
With a features file (GeoJSON / GPKG / Shapefile with ``name`` and
``waterway`` / ``natural`` / ``kind`` and ``ele`` columns, e.g. an osmnx
``features_from_*`` export):

- river: the named waterway (``river``, ``canal``; ``stream`` only when no
  river qualifies) with the longest length inside the zone (ways sharing a
  name are summed; at least ``min_river_m``), e.g. 清溪河防区;
- peak: the ``natural=peak`` point inside the zone with the highest ``ele``
  (peaks without a readable elevation are ignored), e.g. 云峰山防区.

Names are unique across zones: zones are served in decreasing order of their
best feature (longest river stretch, highest peak), so a river crossing two
zones names the one holding more of it; a zone whose feature is taken, or
would clash with another zone's default name, keeps its 中心所 name. Planner
names (``scenario.zone_names``) are applied afterwards by the pipeline and win.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning._i18n import tr
from zoning.centers.placement import zone_name_for
from zoning.errors import InputError
from zoning.io.geometry import metric_crs
from zoning.io.layers import read_layer

NameAfter = Literal["center", "river", "peak", "auto"]

_RIVERS = ("river", "canal")
_STREAMS = ("stream",)
_ALIASES = {
    "name": ("name", "名称", "名字", "name:zh"),
    "waterway": ("waterway", "水系"),
    "natural": ("natural",),
    "kind": ("kind", "类型", "type"),
    "ele": ("ele", "海拔", "高程", "elevation"),
}


@dataclass
class ZoneName:
    """A zone's name and why."""

    zone: int
    name: str
    source: str  # "center", "river" or "peak"
    feature: str | None
    value: float | None  # metres of river inside the zone, or peak elevation
    reason: str


def read_features(path: str | Path) -> gpd.GeoDataFrame:
    """Read a naming features file into columns name, kind, ele, geometry.

    ``kind`` is ``river`` / ``canal`` / ``stream`` / ``peak`` (from
    ``waterway``, ``natural`` or ``kind``); ``ele`` is metres (``"812 m"`` and
    ``"812;810"`` are read as 812) or NaN. Features of other kinds are dropped.

    Raises
    ------
    InputError
        If the file cannot be read or has no name column.
    """
    path = Path(path)
    raw = read_layer(path, what=tr("命名要素", "naming features"))
    assert raw is not None
    return normalise_features(raw, source=str(path))


def normalise_features(raw: gpd.GeoDataFrame, *, source: str = "features") -> gpd.GeoDataFrame:
    """Canonical name / kind / ele columns of a features frame (see :func:`read_features`)."""
    cols = {
        key: next((c for c in names if c in raw.columns), None) for key, names in _ALIASES.items()
    }
    if cols["name"] is None or raw.crs is None:
        raise InputError(
            tr(
                f"{source}：命名要素需要 name（名称）列和坐标系",
                f"{source}: naming features need a name column and a CRS",
            )
        )
    kind = pd.Series(None, index=raw.index, dtype=object)
    for key in ("kind", "natural", "waterway"):  # later columns win
        if cols[key] is not None:
            values = raw[cols[key]].astype("string").str.strip().str.lower()
            kind = values.where(values.isin([*_RIVERS, *_STREAMS, "peak"]), kind)
    ele = raw[cols["ele"]] if cols["ele"] is not None else pd.Series(np.nan, index=raw.index)
    out = gpd.GeoDataFrame(
        {
            "name": raw[cols["name"]].astype("string").str.strip(),
            "kind": kind,
            "ele": [_elevation(v) for v in ele],
        },
        geometry=raw.geometry,
        crs=raw.crs,
    )
    keep = out["kind"].notna() & out["name"].fillna("").str.len().gt(0) & ~out.geometry.is_empty
    return out[keep.fillna(False).astype(bool)].reset_index(drop=True)


def zone_names(
    stations: gpd.GeoDataFrame,
    assignment: Mapping[Any, int],
    center_names: Mapping[int, str],
    *,
    features: gpd.GeoDataFrame | None = None,
    name_after: NameAfter = "auto",
    min_river_m: float = 500.0,
) -> dict[int, ZoneName]:
    """Name each zone after its 中心所, longest river or highest peak.

    Parameters
    ----------
    stations
        Canonical station frame (index = station id).
    assignment
        Station id -> zone.
    center_names
        Zone -> 中心所 station name.
    features
        Output of :func:`read_features` (or any frame it accepts).
    name_after
        ``"river"``, ``"peak"``, ``"auto"`` (river, else peak) or ``"center"``.
    min_river_m
        Shortest river stretch inside a zone that may name it.

    Returns
    -------
    dict
        Zone -> :class:`ZoneName`.
    """
    defaults = {z: zone_name_for(n) for z, n in center_names.items()}
    best: dict[int, tuple[str, str, float]] = {}
    if features is not None and name_after != "center" and len(features):
        if "kind" not in features.columns:
            features = normalise_features(features)
        crs = metric_crs(stations)
        zones = stations.assign(_zone=[assignment.get(str(s)) for s in stations.index])
        areas = zones.dropna(subset=["_zone"]).to_crs(crs).dissolve("_zone").geometry
        feats = features.to_crs(crs)
        for zone, area in areas.items():
            found = _best_feature(area, feats, name_after, min_river_m)
            if found is not None:
                best[int(zone)] = found
    out: dict[int, ZoneName] = {}
    taken: set[str] = set()
    for zone in sorted(best, key=lambda z: (best[z][1] != "river", -best[z][2], z)):
        feature, kind, value = best[zone]
        name = tr(f"{feature}防区", f"{feature} zone")
        clash = [z for z, n in defaults.items() if n == name and z != zone]
        if name in taken or clash:
            continue
        taken.add(name)
        reason = (
            tr(
                f"以区内最长河流{feature}命名（区内长 {value / 1000:.1f} km）。",
                f"Named after {feature}, the longest river in the zone ({value / 1000:.1f} km).",
            )
            if kind == "river"
            else tr(
                f"以区内最高峰{feature}命名（海拔 {value:.0f} m）。",
                f"Named after {feature}, the highest peak in the zone ({value:.0f} m).",
            )
        )
        out[zone] = ZoneName(zone, name, kind, feature, round(value, 1), reason)
    for zone, center in center_names.items():
        if zone in out:
            continue
        note = ""
        if zone in best:
            note = tr(
                f"（{best[zone][0]}已用于其他防区）", f" ({best[zone][0]} names another zone)"
            )
        out[zone] = ZoneName(
            zone,
            defaults[zone],
            "center",
            None,
            None,
            tr(f"以中心所{center}命名{note}。", f"Named after the central station {center}{note}."),
        )
    return dict(sorted(out.items()))


def _best_feature(
    area: Any, feats: gpd.GeoDataFrame, name_after: str, min_river_m: float
) -> tuple[str, str, float] | None:
    if name_after in ("river", "auto"):
        water = feats[feats["kind"].isin([*_RIVERS, *_STREAMS])]
        if len(water):
            inside = shapely.length(shapely.intersection(water.geometry.to_numpy(), area))
            table = pd.DataFrame(
                {"name": water["name"].to_numpy(), "stream": water["kind"].isin(_STREAMS)}
            ).assign(length=inside)
            per = table.groupby("name", sort=True).agg(
                length=("length", "sum"), stream=("stream", "all")
            )
            per = per[per["length"] >= min_river_m]
            if len(per):
                per = per.sort_values(["stream", "length"], ascending=[True, False], kind="stable")
                return str(per.index[0]), "river", float(per["length"].iloc[0])
    if name_after in ("peak", "auto"):
        peaks = feats[(feats["kind"] == "peak") & feats["ele"].notna()]
        peaks = peaks[peaks.geometry.covered_by(area)]
        if len(peaks):
            top = peaks.sort_values("ele", ascending=False, kind="stable").iloc[0]
            return str(top["name"]), "peak", float(top["ele"])
    return None


def _elevation(value: Any) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    match = re.search(r"-?\d+(?:\.\d+)?", str(value).replace(",", ""))
    return float(match.group()) if match else float("nan")
