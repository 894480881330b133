"""Travel metrics of a zone from its 中心所: max, incident-weighted mean, share within T.

Per zone, :class:`ZoneTravel` gives the minutes from the 中心所 to every
station seat (the centre itself at 0), their maximum, their mean weighted by
station loads (equal weights when the zone has no load), and the share of
incidents within T minutes of the 中心所:

- with incident points (``incidents`` with ``lon`` / ``lat`` in WGS84, e.g.
  ``LoadResult.incidents``), each point is snapped to the road network and
  timed from the 中心所 (seat → node → node → point, the two off-road legs at
  the straight-line rate); points without coordinates count at their
  station's seat; basis ``"incidents"``, weighted by the ``weight`` column;
- otherwise each station's load counts at its seat (basis
  ``"station_loads"``), or each station once if the zone has no load
  (``"stations"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning.roads import WITHIN_MINUTES, TravelTimes


@dataclass
class ZoneTravel:
    """Travel times from one zone's 中心所 (minutes)."""

    zone: int
    center_id: str
    method: str
    within_minutes: float
    station_minutes: dict[str, float]
    max_minutes: float
    mean_minutes: float
    share_within_t: float
    share_basis: str  # "incidents", "station_loads" or "stations"
    farthest_id: str
    n_incidents: int = 0

    def columns(self) -> dict[str, Any]:
        """Flat columns for ``zones.geojson``."""
        return {
            "max_minutes": round(self.max_minutes, 1),
            "mean_minutes": round(self.mean_minutes, 1),
            "share_within_t": round(self.share_within_t, 4),
            "within_minutes": self.within_minutes,
            "travel_method": self.method,
        }

    def to_dict(self) -> dict[str, Any]:
        """Per-zone block for ``report.json`` (per-station minutes rounded to 0.1)."""
        out = asdict(self)
        out["station_minutes"] = {k: round(v, 1) for k, v in self.station_minutes.items()}
        return out | self.columns()


def zone_travel(
    travel: TravelTimes,
    assignment: Mapping[Any, int],
    centers: Mapping[int, str],
    load: pd.Series,
    *,
    within_minutes: float = WITHIN_MINUTES,
    incidents: pd.DataFrame | None = None,
) -> dict[int, ZoneTravel]:
    """Travel metrics of each zone from its 中心所.

    Parameters
    ----------
    travel
        Station × station minutes.
    assignment
        Station id -> zone.
    centers
        Zone -> 中心所 station id.
    load
        Station loads (weights of the mean, and of the share without incidents).
    within_minutes
        Threshold T (minutes).
    incidents
        Optional incident points (station_id, weight, lon, lat in WGS84).

    Returns
    -------
    dict
        Zone -> :class:`ZoneTravel`.
    """
    frame = travel.frame()
    inc_minutes, inc_weight, inc_zone = _incident_minutes(travel, assignment, centers, incidents)
    out: dict[int, ZoneTravel] = {}
    for zone, center in centers.items():
        members = [sid for sid in travel.ids if assignment.get(sid) == zone]
        row = frame.loc[center, members].to_numpy(dtype=float)
        w = weights(load, members)
        if inc_minutes is not None and (inc_zone == zone).any():
            mask = inc_zone == zone
            tw = inc_weight[mask]
            tw = tw if tw.sum() > 0 else np.ones(mask.sum())
            share = float(tw[inc_minutes[mask] <= within_minutes].sum() / tw.sum())
            basis, n_inc = "incidents", int(mask.sum())
        else:
            share = float(w[row <= within_minutes].sum() / w.sum())
            has_load = load.reindex(members).fillna(0).clip(lower=0).sum() > 0
            basis, n_inc = ("station_loads" if has_load else "stations"), 0
        out[zone] = ZoneTravel(
            zone=zone,
            center_id=center,
            method=travel.method,
            within_minutes=float(within_minutes),
            station_minutes={sid: float(m) for sid, m in zip(members, row, strict=True)},
            max_minutes=float(row.max()),
            mean_minutes=float((row * w).sum() / w.sum()),
            share_within_t=share,
            share_basis=basis,
            farthest_id=members[int(row.argmax())],
            n_incidents=n_inc,
        )
    return out


def minutes_to_points(
    travel: TravelTimes, sources: Sequence[str], points: gpd.GeoSeries
) -> np.ndarray:
    """Minutes from the seat of station ``sources[k]`` to point ``k`` (NaN where no point).

    Points are snapped to the road network like seats; points farther than
    ``travel.max_snap_m`` from it, and every point with a straight-line
    matrix or a source off the network, are timed by straight line.
    """
    pos = {sid: i for i, sid in enumerate(travel.ids)}
    src = np.array([pos[s] for s in sources], dtype=np.int64)
    valid = ~(points.is_empty.to_numpy() | points.isna().to_numpy())
    px = np.full(len(points), np.nan)
    py = np.full(len(points), np.nan)
    if valid.any():
        projected = points[valid].to_crs(travel.seats.crs)
        px[valid], py[valid] = projected.x.to_numpy(), projected.y.to_numpy()
    sx, sy = travel.seats.x.to_numpy()[src], travel.seats.y.to_numpy()[src]
    out = travel.straight(np.hypot(px - sx, py - sy))
    net = travel.network
    on_road = valid & ~np.isin(src, [pos[s] for s in travel.fallback_ids])
    if net is None or not on_road.any():
        return out
    nodes, dist = net.snap(px[on_road], py[on_road])
    near = dist <= travel.max_snap_m
    which = np.flatnonzero(on_road)[near]
    seat_dist = np.array([travel.snapped_m[travel.ids[i]] for i in src[which]])
    uniq, row = np.unique(travel.seat_nodes[src[which]], return_inverse=True)
    sec = net.seconds_from(uniq)[row, nodes[near]]
    out[which] = sec / 60.0 + travel.straight(seat_dist + dist[near])
    return out


def _incident_minutes(
    travel: TravelTimes,
    assignment: Mapping[Any, int],
    centers: Mapping[int, str],
    incidents: pd.DataFrame | None,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    empty = np.empty(0)
    if incidents is None or len(incidents) == 0 or S.STATION_ID not in incidents.columns:
        return None, empty, empty
    sid = incidents[S.STATION_ID].astype(str).to_numpy()
    zone = np.array([assignment.get(s, -1) for s in sid])
    keep = np.isin(zone, list(centers)) & np.isin(sid, travel.ids)
    sid, zone = sid[keep], zone[keep]
    sub = incidents[keep]
    weight = sub["weight"].fillna(0).to_numpy(dtype=float) if "weight" in sub else np.ones(len(sub))
    src = [centers[z] for z in zone]
    lon = sub[S.LON].to_numpy(dtype=float) if S.LON in sub else np.full(len(sub), np.nan)
    lat = sub[S.LAT].to_numpy(dtype=float) if S.LAT in sub else np.full(len(sub), np.nan)
    has_xy = np.isfinite(lon) & np.isfinite(lat)
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    points[~has_xy] = None
    result = minutes_to_points(travel, src, points)
    frame = travel.frame()
    seat = np.array([frame.at[c, s] for c, s in zip(src, sid, strict=True)])
    return np.where(np.isfinite(result), result, seat), weight, zone


def weights(load: pd.Series, members: list[str]) -> np.ndarray:
    w = load.reindex(members).fillna(0.0).clip(lower=0).to_numpy(dtype=float)
    return w if w.sum() > 0 else np.ones(len(members))
