"""Plan frames and output files: plan.geojson, zones.geojson, report.json, map.html."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.placement import ZoneCenter, minutes_to_center
from zoning.utils import jsonable

#: Station columns written to plan.geojson, in order (those present).
PLAN_COLUMNS = [
    S.STATION_ID,
    S.STATION_NAME,
    S.ZONE,
    S.ZONE_NAME,
    S.IS_CENTER,
    "is_case_team_base",
    "is_community_team_base",
    S.LOAD,
    "minutes_to_center",
    S.POPULATION,
    S.OFFICERS,
    S.HAS_CASE_AREA,
    S.COMMUNITIES,
    S.IS_URBAN_CORE,
    S.SEAT_LON,
    S.SEAT_LAT,
    S.APPROXIMATE,
    S.JURISDICTION_METHOD,
]


def plan_frame(
    stations: gpd.GeoDataFrame,
    assignment: Mapping[Any, int],
    load: pd.Series,
    centers: Mapping[int, ZoneCenter],
    zone_names: Mapping[int, str],
) -> gpd.GeoDataFrame:
    """One row per station with its zone, zone name, 中心所 flag and load.

    Parameters
    ----------
    stations
        Canonical station frame (index = station id).
    assignment
        Station id -> zone number (1..K).
    load
        Weighted load per station.
    centers
        Zone -> placement (see :func:`zoning.centers.placement.centers_from_plan`).
    zone_names
        Zone -> display name.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns :data:`PLAN_COLUMNS` (those available) + geometry.
    """
    frame = stations.copy()
    frame[S.STATION_ID] = frame.index.astype(str)
    frame[S.ZONE] = [int(assignment[sid]) for sid in frame.index]
    frame[S.ZONE_NAME] = [zone_names[z] for z in frame[S.ZONE]]
    frame[S.IS_CENTER] = [centers[z].center_id == sid for sid, z in frame[S.ZONE].items()]
    frame["is_case_team_base"] = [
        centers[z].case_team_id == sid for sid, z in frame[S.ZONE].items()
    ]
    frame["is_community_team_base"] = [
        centers[z].community_team_id == sid for sid, z in frame[S.ZONE].items()
    ]
    frame[S.LOAD] = load.reindex(frame.index).fillna(0.0).astype(float).to_numpy()
    minutes = minutes_to_center(centers)
    frame["minutes_to_center"] = [
        round(minutes[sid], 1) if sid in minutes else np.nan for sid in frame.index.astype(str)
    ]
    columns = [c for c in PLAN_COLUMNS if c in frame.columns]
    out = gpd.GeoDataFrame(frame[columns], geometry=frame.geometry, crs=frame.crs)
    return out.to_crs("EPSG:4326").reset_index(drop=True)


def zones_frame(
    plan: gpd.GeoDataFrame,
    centers: Mapping[int, ZoneCenter],
    *,
    urban_core_zone: int | None,
) -> gpd.GeoDataFrame:
    """One row per zone: dissolved geometry, 中心所, station count, load, officers.

    Parameters
    ----------
    plan
        Output of :func:`plan_frame`.
    centers
        Zone -> placement.
    urban_core_zone
        Zone number of the county-seat station's zone, if any.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns zone, zone_name, center_id, center_name, n_stations, load,
        share, officers, load_per_officer, is_urban_core, stations, geometry.
    """
    total = float(plan[S.LOAD].sum())
    names = dict(zip(plan[S.STATION_ID], plan[S.STATION_NAME], strict=True))
    rows: list[dict[str, Any]] = []
    geoms = []
    for zone, group in plan.groupby(S.ZONE, sort=True):
        zone = int(str(zone))
        center = centers[zone]
        officers = (
            float(group[S.OFFICERS].sum(min_count=1)) if S.OFFICERS in group else float("nan")
        )
        load = float(group[S.LOAD].sum())
        rows.append(
            {
                S.ZONE: zone,
                S.ZONE_NAME: str(group[S.ZONE_NAME].iloc[0]),
                S.CENTER_ID: center.center_id,
                "center_name": names[center.center_id],
                "center_reason": center.reason,
                "case_team_id": center.case_team_id,
                "case_team_name": names.get(center.case_team_id or ""),
                "community_team_id": center.community_team_id,
                "community_team_name": names.get(center.community_team_id or ""),
                S.N_STATIONS: len(group),
                S.LOAD: load,
                "share": load / total if total else 0.0,
                S.OFFICERS: officers,
                "load_per_officer": load / officers if officers and officers > 0 else float("nan"),
                S.IS_URBAN_CORE: zone == urban_core_zone,
                "stations": tr("、", ", ").join(group[S.STATION_NAME].astype(str)),
                **center.columns(),
            }
        )
        geoms.append(group.geometry.union_all())
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=plan.crs)


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write a frame as RFC 7946 GeoJSON (UTF-8, WGS84)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    frame.to_crs("EPSG:4326").to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def write_report(report: Mapping[str, Any], path: Path) -> Path:
    """Write ``report.json`` (UTF-8, Chinese kept readable, NaN as null)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(jsonable(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return path
