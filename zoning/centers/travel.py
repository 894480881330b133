"""Travel minutes between station seats, and from each zone's 中心所.

:func:`travel_times` gives the station × station matrix (:class:`TravelTimes`):
by road when a :class:`zoning.centers.roads.RoadNetwork` is given, else the
documented straight-line estimate (distance × detour factor at a fixed speed).

Travel metrics of a zone from its 中心所: max, incident-weighted mean, share within T.

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

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.centers.roads import Engine, RoadNetwork
from zoning.errors import ZoningWarning
from zoning.graph import positions_from_stations
from zoning.io.geometry import metric_crs

#: Straight-line distance × this factor approximates the road distance.
DETOUR_FACTOR = 1.3


#: Assumed speed (km/h) for straight-line estimates and seat ↔ road legs.
STRAIGHT_SPEED_KPH = 40.0


#: Default response threshold T (minutes) for ``share_within_t``.
WITHIN_MINUTES = 15.0


#: A seat farther than this (metres) from the road network is timed by straight line.
MAX_SNAP_M = 2000.0


@dataclass(eq=False)
class TravelTimes:
    """Station × station travel minutes and how they were obtained.

    ``minutes[i, j]`` is the time from the seat of ``ids[i]`` to that of
    ``ids[j]``. ``method`` is ``"road"``, ``"straight_line"`` or ``"mixed"``
    (road, with the stations in ``fallback_ids`` timed by straight line).
    """

    ids: list[str]
    minutes: np.ndarray
    method: Literal["road", "straight_line", "mixed"]
    detour: float
    speed_kph: float
    seats: gpd.GeoSeries = field(repr=False)
    snapped_m: dict[str, float] = field(default_factory=dict)
    seat_nodes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64), repr=False)
    fallback_ids: list[str] = field(default_factory=list)
    network: RoadNetwork | None = field(default=None, repr=False)
    engine: str = "none"
    seconds: float = 0.0
    max_snap_m: float = MAX_SNAP_M

    def frame(self) -> pd.DataFrame:
        """Minutes as a DataFrame (rows: from, columns: to)."""
        return pd.DataFrame(self.minutes, index=self.ids, columns=self.ids)

    def method_text(self) -> str:
        """One clause naming the method, for reasons and reports."""
        straight = tr(
            f"直线距离×{self.detour:g}、{self.speed_kph:g} km/h 估算",
            f"straight line × {self.detour:g} at {self.speed_kph:g} km/h",
        )
        if self.method == "road":
            return tr("按道路网络计算", "by road network")
        if self.method == "mixed":
            return tr(
                f"按道路网络计算，{len(self.fallback_ids)} 个所不在路网内按{straight}",
                f"by road network; {len(self.fallback_ids)} station(s) off the network "
                f"by {straight}",
            )
        return tr(f"按{straight}", f"by {straight}")

    def info(self, *, within_minutes: float | None = None) -> dict[str, Any]:
        """The ``travel`` block of ``report.json``."""
        snapped = [v for v in self.snapped_m.values() if math.isfinite(v)]
        return {
            "method": self.method,
            "method_text": self.method_text(),
            "detour_factor": self.detour,
            "speed_kph": self.speed_kph,
            "within_minutes": within_minutes,
            "engine": self.engine,
            "seconds": round(self.seconds, 4),
            "graph": self.network.info() if self.network is not None else None,
            "hwy_speeds": self.network.hwy_speeds if self.network is not None else None,
            "max_snap_m": self.max_snap_m if self.network is not None else None,
            "snapped_m": {k: round(v, 1) for k, v in self.snapped_m.items()},
            "max_snapped_m": round(max(snapped), 1) if snapped else None,
            "fallback_stations": list(self.fallback_ids),
        }

    def straight(self, metres: np.ndarray) -> np.ndarray:
        """Minutes for straight-line distances (metres) × detour at the assumed speed."""
        return np.asarray(metres, dtype=float) * self.detour / (self.speed_kph * 1000.0 / 60.0)


def seat_points(stations: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Station seats (驻地, else a point inside the jurisdiction) in a metric CRS."""
    pos = positions_from_stations(stations)
    crs = metric_crs(stations)
    xs, ys = zip(*(pos[str(i)] for i in stations.index), strict=True)
    index = pd.Index([str(i) for i in stations.index])
    return gpd.GeoSeries(gpd.points_from_xy(xs, ys), index=index, crs=crs)


def straight_line_times(
    seats: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    detour: float = DETOUR_FACTOR,
    speed_kph: float = STRAIGHT_SPEED_KPH,
) -> TravelTimes:
    """Straight-line distance × ``detour`` at ``speed_kph``, station × station.

    Parameters
    ----------
    seats
        Seat points (index = station id, any CRS) or a station frame.
    detour, speed_kph
        Detour factor and assumed speed (km/h).

    Returns
    -------
    TravelTimes
        Method ``"straight_line"``.
    """
    return travel_times(seats, None, detour=detour, speed_kph=speed_kph)


def travel_times(
    seats: gpd.GeoSeries | gpd.GeoDataFrame,
    network: RoadNetwork | nx.MultiDiGraph | None = None,
    *,
    detour: float = DETOUR_FACTOR,
    speed_kph: float = STRAIGHT_SPEED_KPH,
    max_snap_m: float = MAX_SNAP_M,
    engine: Engine = "scipy",
) -> TravelTimes:
    """Travel-time matrix in minutes between station seats.

    Parameters
    ----------
    seats
        Seat points (index = station id, any CRS), or a station frame
        (seats from :func:`seat_points`).
    network
        A :class:`RoadNetwork`, a raw osmnx graph (prepared here with the
        default speeds), or ``None`` for straight-line estimates.
    detour, speed_kph
        Straight-line model: used without roads, for stations off the network
        and for the seat ↔ nearest-node legs.
    max_snap_m
        Seats farther than this from the network's largest strongly connected
        component are timed by straight line (with a ZoningWarning).
    engine
        ``"scipy"`` (csgraph Dijkstra, default) or ``"networkx"``.

    Returns
    -------
    TravelTimes
    """
    started = time.perf_counter()
    points = seat_points(seats) if isinstance(seats, gpd.GeoDataFrame) else seats
    points = points.set_axis([str(i) for i in points.index])
    ids = points.index.tolist()
    if isinstance(network, nx.MultiDiGraph):
        network = RoadNetwork.from_graph(network)
    crs = network.crs if network is not None else metric_crs(points)
    points = points.to_crs(crs)
    x, y = points.x.to_numpy(), points.y.to_numpy()
    straight = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    result = TravelTimes(
        ids=ids,
        minutes=np.zeros((len(ids), len(ids))),
        method="straight_line",
        detour=float(detour),
        speed_kph=float(speed_kph),
        seats=points,
        network=network,
        max_snap_m=float(max_snap_m),
    )
    minutes = result.straight(straight)
    if network is not None:
        nodes, dist = network.snap(x, y)
        result.snapped_m = {sid: float(d) for sid, d in zip(ids, dist, strict=True)}
        ok = dist <= max_snap_m
        result.seat_nodes = np.where(ok, nodes, -1)
        result.fallback_ids = [sid for sid, good in zip(ids, ok, strict=True) if not good]
        if ok.any():
            uniq, row = np.unique(nodes[ok], return_inverse=True)
            sec = network.seconds_from(uniq, engine=engine)
            sub = sec[row][:, nodes[ok]] / 60.0
            access = result.straight(dist[ok])
            road = sub + access[:, None] + access[None, :]
            sel = np.ix_(ok, ok)
            minutes[sel] = np.where(np.isfinite(road), road, minutes[sel])
        result.method = "road" if ok.all() else ("mixed" if ok.any() else "straight_line")
        result.engine = engine
        if result.fallback_ids:
            warnings.warn(_far_message(result, dist[~ok]), ZoningWarning, stacklevel=2)
    np.fill_diagonal(minutes, 0.0)
    result.minutes = minutes
    result.seconds = time.perf_counter() - started
    return result


def _far_message(result: TravelTimes, dist: np.ndarray) -> str:
    far = [(sid, f"{d / 1000:.1f} km") for sid, d in zip(result.fallback_ids, dist, strict=True)]
    return tr(
        f"{len(far)} 个所的驻地距道路网络超过 {result.max_snap_m:g} 米："
        + "、".join(f"{s}（{d}）" for s, d in far)
        + f"；其行车时间改按直线距离×{result.detour:g}、{result.speed_kph:g} km/h 估算。"
        "请检查道路网络是否覆盖全县",
        f"{len(far)} station seat(s) lie more than {result.max_snap_m:g} m from the road network: "
        + ", ".join(f"{s} ({d})" for s, d in far)
        + f"; their times use straight line × {result.detour:g} at {result.speed_kph:g} km/h. "
        "Check that the network covers the county",
    )


def reachable_within(
    matrix: TravelTimes | pd.DataFrame, minutes: float = WITHIN_MINUTES
) -> dict[str, set[str]]:
    """Stations that could serve as each station's 中心所 within ``minutes``.

    Parameters
    ----------
    matrix
        Travel minutes, rows = from, columns = to (a :class:`TravelTimes` or
        its :meth:`~TravelTimes.frame`).
    minutes
        The threshold T.

    Returns
    -------
    dict
        Station id -> ids ``c`` with ``minutes[c, station] <= T`` (always
        including the station itself).
    """
    frame = matrix.frame() if isinstance(matrix, TravelTimes) else matrix
    values = frame.to_numpy(dtype=float)
    ids = [str(i) for i in frame.index]
    return {
        str(sid): {ids[c] for c in np.flatnonzero(values[:, j] <= minutes)} | {str(sid)}
        for j, sid in enumerate(frame.columns)
    }


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
    return zone_travel_within(
        travel, assignment, centers, load, (within_minutes,), incidents=incidents
    )[within_minutes]


def zone_travel_within(
    travel: TravelTimes,
    assignment: Mapping[Any, int],
    centers: Mapping[int, str],
    load: pd.Series,
    thresholds: Sequence[float],
    *,
    incidents: pd.DataFrame | None = None,
) -> dict[float, dict[int, ZoneTravel]]:
    """:func:`zone_travel` at each threshold T of ``thresholds`` (T -> zone -> metrics).

    The incidents' minutes to their 中心所 are computed once for all thresholds.
    """
    frame = travel.frame()
    inc_minutes, inc_weight, inc_zone = _incident_minutes(travel, assignment, centers, incidents)
    out: dict[float, dict[int, ZoneTravel]] = {t: {} for t in thresholds}
    for zone, center in centers.items():
        members = [sid for sid in travel.ids if assignment.get(sid) == zone]
        row = frame.loc[center, members].to_numpy(dtype=float)
        w = weights(load, members)
        mask = inc_zone == zone
        if inc_minutes is not None and mask.any():
            tw = inc_weight[mask]
            tw = tw if tw.sum() > 0 else np.ones(mask.sum())
            minutes = inc_minutes[mask]
            basis, n_inc = "incidents", int(mask.sum())
        else:
            tw, minutes = w, row
            has_load = load.reindex(members).fillna(0).clip(lower=0).sum() > 0
            basis, n_inc = ("station_loads" if has_load else "stations"), 0
        for t in thresholds:
            out[t][zone] = ZoneTravel(
                zone=zone,
                center_id=center,
                method=travel.method,
                within_minutes=float(t),
                station_minutes={sid: float(m) for sid, m in zip(members, row, strict=True)},
                max_minutes=float(row.max()),
                mean_minutes=float((row * w).sum() / w.sum()),
                share_within_t=float(tw[minutes <= t].sum() / tw.sum()),
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
    valid = ~(points.is_empty.to_numpy() | points.isna().to_numpy())
    px = np.full(len(points), np.nan)
    py = np.full(len(points), np.nan)
    if valid.any():
        projected = points[valid].to_crs(travel.seats.crs)
        px[valid], py[valid] = projected.x.to_numpy(), projected.y.to_numpy()
    return _minutes_to_xy(travel, sources, px, py, valid)


def _minutes_to_xy(
    travel: TravelTimes, sources: Sequence[str], px: np.ndarray, py: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    """:func:`minutes_to_points` of points already in the seats' CRS (``valid`` where known)."""
    pos = {sid: i for i, sid in enumerate(travel.ids)}
    src = np.array([pos[s] for s in sources], dtype=np.int64)
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
    from pyproj import Transformer

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
    # projected as GeoSeries.to_crs would (the same pyproj transform), without making points
    px = np.full(len(sub), np.nan)
    py = np.full(len(sub), np.nan)
    if has_xy.any():
        to_seats = Transformer.from_crs("EPSG:4326", travel.seats.crs, always_xy=True)
        px[has_xy], py[has_xy] = to_seats.transform(lon[has_xy], lat[has_xy])
    result = _minutes_to_xy(travel, src, px, py, has_xy)
    index = {s: i for i, s in enumerate(travel.ids)}
    rows = np.fromiter((index[c] for c in src), dtype=np.int64, count=len(src))
    cols = np.fromiter((index[s] for s in sid), dtype=np.int64, count=len(sid))
    seat = travel.minutes[rows, cols] if len(src) else np.empty(0)
    return np.where(np.isfinite(result), result, seat), weight, zone


def weights(load: pd.Series, members: list[str]) -> np.ndarray:
    w = load.reindex(members).fillna(0.0).clip(lower=0).to_numpy(dtype=float)
    return w if w.sum() > 0 else np.ones(len(members))
