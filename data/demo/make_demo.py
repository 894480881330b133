#!/usr/bin/env python
"""Generate the SYNTHETIC demo county 示例县 (fictional; modelled on a Jiangxi county).

Writes ``county.geojson``, ``stations.geojson``, ``river.geojson`` and
``incidents.csv`` (EPSG:4326, 6 decimals) byte-deterministically from one fixed
seed. Every name, number and personal field is invented.

Usage::

    python data/demo/make_demo.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

SEED = 20250607
HERE = Path(__file__).resolve().parent
LON0, LAT0 = 115.25, 27.25  # central Jiangxi hill country
COUNTY_NAME, COUNTY_CODE = "示例县", "369901"
RIVER_NAME = "清溪河"
TARGET_AREA_KM2 = 2480.0
TOWN_AREA_KM2 = 85.0
N_RURAL = 20
CATEGORIES = ("刑事", "治安", "交通", "纠纷", "求助", "其他")
TOWN_MIX = np.array([0.06, 0.25, 0.20, 0.17, 0.22, 0.10])
RURAL_MIX = np.array([0.035, 0.14, 0.12, 0.30, 0.26, 0.145])
HEADER = ["警情编号", "报警时间", "警情类别", "经度", "纬度", "管辖单位",
          "报警人", "联系电话", "发案地址"]  # fmt: skip
WATER_NAMES = ["双江", "水口", "白沙", "柳溪", "龙潭", "石桥", "松湖", "桃源"]
LAND_NAMES = ["青山", "枫林", "黄岭", "金田", "梅岗", "竹坑", "凤凰", "云峰", "高坪", "杨村",
              "新田", "马鞍"]  # fmt: skip
VILLAGE_A = "石东西南北上下大小新老高坪塘江湖竹桥樟枫柏杉茶铁金银黄白青红"
VILLAGE_B = "门坑塘岭头背坊源陂洲田里口湾垅岗圳溪坝冲"
COMMUNITIES = ["河东", "河西", "城东", "城南", "城西", "城北", "解放", "人民", "建设", "文峰",
               "滨江", "新城", "东门", "西门", "南门", "北门", "胜利", "和平", "龙山", "团结",
               "永安", "学前", "园区", "站前"]  # fmt: skip
STREETS = ["解放路", "人民路", "建设路", "滨江路", "文峰路", "新华街", "胜利街", "和平路",
           "清溪大道", "站前路"]  # fmt: skip
SURNAMES = [*"刘胡王李陈张黄曾罗吴杨周徐邓彭肖熊邹郭谢", "欧阳"]
PHONE_PREFIXES = ["130", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                  "158", "159", "177", "180", "187", "188", "189"]  # fmt: skip
HOUR_ALL = np.array([2.2, 1.6, 1.2, 0.9, 0.8, 0.9, 1.4, 2.4, 3.6, 4.3, 4.6, 4.7,
                     4.4, 4.2, 4.4, 4.6, 4.8, 5.0, 5.4, 5.8, 6.0, 5.6, 4.6, 3.2])  # fmt: skip
HOUR_TRAFFIC = np.array([1.0, 0.7, 0.5, 0.4, 0.4, 0.7, 1.8, 4.5, 5.0, 3.8, 3.4, 3.6,
                         3.8, 3.4, 3.6, 4.2, 4.9, 5.8, 5.6, 4.4, 3.6, 3.0, 2.2, 1.5])  # fmt: skip
HOLIDAYS = [("2025-01-28", 8), ("2025-04-04", 3), ("2025-05-01", 5), ("2025-05-31", 3),
            ("2025-10-01", 8)]  # fmt: skip
YEAR0 = dt.datetime(2025, 1, 1)

_LOCAL = CRS.from_proj4(f"+proj=tmerc +lat_0={LAT0} +lon_0={LON0} +k=1 +x_0=0 +y_0=0 +datum=WGS84")
_TO_LL = Transformer.from_crs(_LOCAL, CRS.from_epsg(4326), always_xy=True)


def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Convert local plane km coordinates (N, 2) to lon/lat rounded to 6 decimals."""
    lon, lat = _TO_LL.transform(xy[:, 0] * 1000.0, xy[:, 1] * 1000.0)
    return np.round(np.column_stack([lon, lat]), 6)


def make_outline(rng: np.random.Generator) -> Polygon:
    """Irregular county outline (km): an ellipse-like radius with sinusoid wobbles."""
    t = np.linspace(0.0, 2 * np.pi, 720, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 6):
        r += rng.uniform(0.03, 0.09) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    for k in range(6, 60):
        r += rng.uniform(0.0, 0.1 / k**0.8) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    rot = rng.uniform(0.3, 0.8)
    x, y = 1.18 * r * np.cos(t), r * np.sin(t) / 1.18
    xy = np.column_stack([x * np.cos(rot) - y * np.sin(rot), x * np.sin(rot) + y * np.cos(rot)])
    poly = Polygon(xy)
    return Polygon(xy * np.sqrt(TARGET_AREA_KM2 / poly.area))


def make_river(rng: np.random.Generator, outline: Polygon) -> LineString:
    """A meandering river (km) entering in the ESE, passing the centre, leaving WNW."""
    a_in = rng.uniform(-0.5, -0.2)
    a_out = a_in + np.pi + rng.uniform(-0.25, 0.25)
    p0 = 48.0 * np.array([np.cos(a_in), np.sin(a_in)])
    p1 = 48.0 * np.array([np.cos(a_out), np.sin(a_out)])
    q = 2 * rng.uniform(-1.5, 1.5, 2) - (p0 + p1) / 2  # Bezier control: B(0.5) near (0, 0)
    t = np.linspace(0.0, 1.0, 1200)[:, None]
    base = (1 - t) ** 2 * p0 + 2 * t * (1 - t) * q + t**2 * p1
    tang = 2 * (1 - t) * (q - p0) + 2 * t * (p1 - q)
    normal = np.column_stack([-tang[:, 1], tang[:, 0]]) / np.linalg.norm(tang, axis=1)[:, None]
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(base, axis=0), axis=1))])
    lateral = np.zeros(len(s))
    for _ in range(3):
        amp, wavelength = rng.uniform(0.5, 1.3), rng.uniform(6, 14)
        lateral += amp * np.sin(2 * np.pi * s / wavelength + rng.uniform(0, 7))
    line = LineString(base + lateral[:, None] * normal)
    assert line.is_simple
    river = line.intersection(outline)
    assert isinstance(river, LineString), river.geom_type
    if Point(river.coords[0]).distance(Point(p0)) > Point(river.coords[-1]).distance(Point(p0)):
        river = river.reverse()
    return river


def place_seats(rng: np.random.Generator, outline: Polygon, river: LineString) -> np.ndarray:
    """Township seats (km): 城关 on the river near the centre, 20 rural seats off-centre."""
    town = river.interpolate(river.project(Point(0.0, 0.0)))
    town_xy = np.array([town.x, town.y])
    g = np.mgrid[-45:45:1.0, -45:45:1.0].reshape(2, -1).T
    g = g[shapely.contains_xy(outline, g[:, 0], g[:, 1]) & (np.hypot(*(g - town_xy).T) > 6.5)]
    centres = g[rng.choice(len(g), N_RURAL, replace=False)]
    for _ in range(60):  # Lloyd / k-means: roughly equal-area rural cells
        lab = np.argmin(((g[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        centres = np.array([g[lab == k].mean(axis=0) for k in range(N_RURAL)])
    inner = outline.buffer(-2.5)
    seats = [town_xy]
    for c in centres:
        p = river.interpolate(river.project(Point(c)) + rng.uniform(-1.0, 1.0))
        if river.distance(Point(c)) < 4.0 and inner.contains(p):
            seats.append(np.array([p.x, p.y]))  # a market town on the river
            continue
        ang, rad = rng.uniform(0, 2 * np.pi), rng.uniform(1.5, 3.5)
        while not inner.contains(Point(c + rad * np.array([np.cos(ang), np.sin(ang)]))):
            rad *= 0.6
        seats.append(c + rad * np.array([np.cos(ang), np.sin(ang)]))
    xy = np.array(seats)
    rural = xy[1:]
    order = np.argsort(np.arctan2(rural[:, 0] - town_xy[0], rural[:, 1] - town_xy[1]) % (2 * np.pi))
    xy = np.vstack([xy[:1], rural[order]])  # codes run clockwise from north
    d = np.hypot(*(xy[:, None, :] - xy[None]).transpose(2, 0, 1)) + 1e9 * np.eye(len(xy))
    assert d.min() > 4.5, d.min()
    return xy


def _noise(rng: np.random.Generator, xy: np.ndarray) -> np.ndarray:
    """Smooth random field (km): plane waves of 6–14 km plus ripples of 2–4 km."""
    out = np.zeros(len(xy))
    for amp, lo, hi in ((1.5, 6, 14), (1.5, 6, 14), (1.5, 6, 14), (0.5, 2, 4), (0.5, 2, 4)):
        a = rng.uniform(0, np.pi)
        k = 2 * np.pi / rng.uniform(lo, hi) * np.array([np.cos(a), np.sin(a)])
        out += amp * np.sin(xy @ k + rng.uniform(0, 2 * np.pi))
    return out


def partition(rng: np.random.Generator, outline: Polygon, seats: np.ndarray) -> list[Polygon]:
    """Tile ``outline`` with one wiggly polygon per seat (km).

    Voronoi cells of the seats plus ~4,000 helper points; each helper joins the
    seat with the least (distance + smooth noise + area weight); the Voronoi
    edges and the outline are noded and polygonised into faces, the faces are
    unioned per seat, and detached fragments go to the neighbour sharing the
    longest border.
    """
    n = len(seats)
    xmin, ymin, xmax, ymax = outline.buffer(3.0).bounds
    sp = 0.8
    h = np.mgrid[xmin:xmax:sp, ymin:ymax:sp].reshape(2, -1).T
    h = h + rng.uniform(-0.35 * sp, 0.35 * sp, h.shape)
    h = h[shapely.contains_xy(outline.buffer(3.0), h[:, 0], h[:, 1])]
    dist = np.hypot(*(h[:, None, :] - seats[None]).transpose(2, 0, 1))
    h, dist = h[dist.min(axis=1) > 0.25], dist[dist.min(axis=1) > 0.25]
    cost = dist + np.column_stack([_noise(rng, h) for _ in range(n)])
    cost += rng.normal(0.0, 0.3, cost.shape)
    cost[dist < 2.0] = -1e9  # the seat's surroundings always belong to it
    inside = shapely.contains_xy(outline, h[:, 0], h[:, 1])
    target = rng.lognormal(0.0, 0.28, n)
    target[0] = 0.0
    target = target / target.sum() * (inside.sum() * (1 - TOWN_AREA_KM2 / outline.area))
    target[0] = inside.sum() * TOWN_AREA_KM2 / outline.area
    w = np.zeros(n)
    for _ in range(400):  # additive weights that steer cell areas to their targets
        counts = np.bincount(np.argmin(cost + w, axis=1)[inside], minlength=n)
        w += np.clip(0.5 * (counts / target - 1.0), -0.5, 0.5)
    seed_lab = np.concatenate([np.arange(n), np.argmin(cost + w, axis=1)])
    seeds = np.vstack([seats, h])
    env = shapely.box(xmin - 5, ymin - 5, xmax + 5, ymax + 5)
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=env, only_edges=True)
    noded = shapely.unary_union([edges, outline.exterior])
    faces: np.ndarray = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    rep = shapely.point_on_surface(faces)
    faces = faces[shapely.contains(outline, rep)]
    rep = shapely.point_on_surface(faces)
    lab = seed_lab[
        shapely.STRtree(np.asarray(shapely.points(seeds))).query_nearest(rep, all_matches=False)[1]
    ]
    seat_face = shapely.STRtree(faces).query(shapely.points(seats), predicate="within")
    home = np.full(n, -1)
    home[seat_face[0]] = seat_face[1]
    assert (home >= 0).all() and (lab[home] == np.arange(n)).all()
    pi, pj = shapely.STRtree(faces).query(faces, predicate="intersects")
    pi, pj = pi[pi < pj], pj[pi < pj]
    rings = shapely.boundary(faces)
    shared = shapely.length(shapely.intersection(rings[pi], rings[pj]))
    pi, pj, shared = pi[shared > 1e-9], pj[shared > 1e-9], shared[shared > 1e-9]
    for _ in range(50):  # hand detached fragments to the neighbour with the longest border
        parent = np.arange(len(faces))

        def find(a: int, parent: np.ndarray = parent) -> int:
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = int(parent[a])
            return a

        for a, b in zip(pi, pj, strict=True):
            if lab[a] == lab[b]:
                parent[find(a)] = find(b)
        roots = np.array([find(f) for f in range(len(faces))])
        home_roots = {int(roots[home[s]]) for s in range(n)}
        stray = [int(r) for r in np.unique(roots) if int(r) not in home_roots]
        if not stray:
            break
        for r in stray:
            comp = roots == r
            m = comp[pi] != comp[pj]
            inner_f = np.where(comp[pi[m]], pj[m], pi[m])
            border = np.bincount(lab[inner_f], weights=shared[m], minlength=n)
            border[lab[comp][0]] = -1.0
            lab[comp] = int(np.argmax(border))
    else:
        raise AssertionError("fragment repair did not converge")
    cells = [shapely.coverage_union_all(faces[lab == s]) for s in range(n)]
    assert all(isinstance(c, Polygon) and c.is_valid and not c.interiors for c in cells)
    return cells  # type: ignore[return-value]


def station_table(rng: np.random.Generator, areas: np.ndarray, river_st: np.ndarray) -> dict:
    """Fictional names, population, officers, 办案区 and village counts per station."""
    n = len(areas)
    water, land, names = list(WATER_NAMES), list(LAND_NAMES), ["城关"]
    for s in range(1, n):
        names.append((water if river_st[s] and water else land or water).pop(0))
    pop = np.zeros(n)
    pop[0] = rng.uniform(98_000, 112_000)
    raw = areas[1:] ** 0.6 * rng.lognormal(0, 0.4, n - 1) * np.where(river_st[1:], 1.3, 1.0)
    raw[np.argsort(-raw, kind="stable")[:2]] *= 1.8  # two market towns on the main road
    raw = 8_000 + raw / raw.sum() * (rng.uniform(414_000, 426_000) - pop[0] - 8_000 * (n - 1))
    assert raw.max() <= 45_000
    pop[1:] = raw
    pop = np.round(pop).astype(int)
    officers = np.clip(np.round(3 + pop / 4_500 + rng.normal(0, 0.8, n)), 4, 12).astype(int)
    officers[0] = rng.integers(37, 44)
    k = int(rng.integers(5, 7))
    case_area = np.zeros(n, dtype=bool)
    case_area[0] = True
    case_area[1 + np.argsort(-pop[1:] * rng.lognormal(0, 0.2, n - 1), kind="stable")[:k]] = True
    villages = np.clip(np.round(6 + pop / 2_500 + rng.normal(0, 2, n)), 8, 25).astype(int)
    villages[0] = rng.integers(18, 25)
    big = np.argsort(-pop[1:], kind="stable")[:9] + 1
    township = ["城关镇"] + [nm + ("镇" if s in big else "乡") for s, nm in enumerate(names) if s]
    return {"names": names, "township": township, "pop": pop, "officers": officers,
            "case_area": case_area, "villages": villages}  # fmt: skip


def make_villages(
    rng: np.random.Generator, cells: list[Polygon], seats: np.ndarray, counts: np.ndarray
) -> list[np.ndarray]:
    """Village (or, for 城关, community) points per station, spread inside the cell (km)."""
    out = []
    for s, cell in enumerate(cells):
        inner, gap = cell.buffer(-0.4), (0.45 if s == 0 else 1.1)
        pts: list[np.ndarray] = []
        while len(pts) < counts[s]:
            if s == 0:
                p = seats[0] + rng.normal(0, 1.6, 2)
            else:
                x0, y0, x1, y1 = inner.bounds
                p = rng.uniform([x0, y0], [x1, y1])
            if inner.contains(Point(p)) and all(np.hypot(*(p - q)) > gap for q in pts):
                pts.append(p)
        out.append(np.array(pts))
    return out


def _village_names(rng: np.random.Generator, counts: np.ndarray, stems: list[str]) -> list:
    """Unique fictional village names (两字 + 村), 城关 gets 社区 names."""
    pool = [a + b for a in VILLAGE_A for b in VILLAGE_B if a != b and a + b not in stems]
    pool = [pool[i] for i in rng.permutation(len(pool))]
    comm = [COMMUNITIES[i] for i in rng.permutation(len(COMMUNITIES))]
    names, pos = [[c + "社区" for c in comm[: counts[0]]]], 0
    for c in counts[1:]:
        names.append([v + "村" for v in pool[pos : pos + c]])
        pos += c
    return names


def day_weights() -> np.ndarray:
    """Daily incident weights for 2025: summer high, weekends and holidays up."""
    doy = np.arange(365)
    w = 1.0 + 0.13 * np.cos(2 * np.pi * (doy - 196) / 365)
    w *= np.where((doy + YEAR0.weekday()) % 7 >= 5, 1.07, 1.0)
    for start, days in HOLIDAYS:
        d0 = (dt.datetime.strptime(start, "%Y-%m-%d") - YEAR0).days
        w[d0 : d0 + days] *= 1.25
    return w / w.sum()


def make_incidents(
    rng: np.random.Generator, st: dict, cells_ll: list, seats: np.ndarray,
    vill: list[np.ndarray], vnames: list[list[str]], river_st: np.ndarray, adj: np.ndarray,
) -> tuple[list[list[str]], dict[str, int]]:  # fmt: skip
    """One year of 110 dispatch records (rows as strings) and summary counts."""
    n_st = len(cells_ll)
    n = int(rng.integers(11_350, 11_650))
    n_town = round(n * rng.uniform(0.295, 0.305))
    wr = st["pop"][1:] * rng.lognormal(0, 0.22, n_st - 1) * np.where(river_st[1:], 1.12, 1.0)
    counts = np.concatenate([[n_town], rng.multinomial(n - n_town, wr / wr.sum())])
    sid = np.repeat(np.arange(n_st), counts)
    mix = np.where(sid == 0, 0, 1)
    kind = (rng.random(n)[:, None] > np.array([[0.6, 0.95], [0.3, 0.88]])[mix]).sum(1)
    vw = [rng.lognormal(0, 0.6, len(v)) for v in vill]
    vid = np.array([rng.choice(len(vw[s]), p=vw[s] / vw[s].sum()) for s in sid])
    probs = np.array([TOWN_MIX if s == 0 else RURAL_MIX for s in range(n_st)])
    probs = probs * rng.lognormal(0, 0.12, probs.shape)
    probs[:, 2] *= np.where(river_st, 1.35, 1.0)  # the main road follows the river valley
    cum = np.cumsum(probs / probs.sum(1, keepdims=True), axis=1)
    cat = (rng.random(n)[:, None] > cum[sid]).sum(1)
    inner = [c.buffer(-1e-4) for c in cells_ll]  # keep ~10 m off borders
    shapely.prepare(inner)
    ll = np.full((n, 2), np.nan)
    pending = np.arange(n)
    for _ in range(500):  # rejection sampling: points must fall inside their station
        if not pending.size:
            break
        s, k = sid[pending], kind[pending]
        sig = np.where(k == 0, np.where(s == 0, 1.0, 0.6), 0.45)[:, None]
        centre = np.array([seats[a] if b == 0 else vill[a][v] for a, b, v in
                           zip(s, k, vid[pending], strict=True)])  # fmt: skip
        xy = centre + rng.normal(0, 1, (len(pending), 2)) * sig
        box = np.array([cells_ll[a].bounds for a in s])
        uni = rng.uniform(box[:, :2], box[:, 2:])
        cand = to_lonlat(xy)
        cand[k == 2] = np.round(uni[k == 2], 6)
        ok = np.array([shapely.contains_xy(inner[a], *c) for a, c in zip(s, cand, strict=True)])
        ll[pending[ok]] = cand[ok]
        pending = pending[~ok]
    assert not pending.size
    day = rng.choice(365, size=n, p=day_weights())
    hour = np.where(cat == 2, rng.choice(24, n, p=HOUR_TRAFFIC / HOUR_TRAFFIC.sum()),
                    rng.choice(24, n, p=HOUR_ALL / HOUR_ALL.sum()))  # fmt: skip
    secs = day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, n)
    order = np.lexsort((np.arange(n), secs))
    sid, kind, vid, cat, ll, secs = (a[order] for a in (sid, kind, vid, cat, ll, secs))
    day = secs // 86_400
    # For uniform points name the nearest village of the station in the address.
    vll = [to_lonlat(v) for v in vill]
    for i in np.where(kind == 2)[0]:
        vid[i] = int(np.argmin(np.hypot(*(vll[sid[i]] - ll[i]).T)))
    unit = [st["names"][s] + "派出所" for s in sid]
    pts = np.asarray(shapely.points(ll))
    to_border = shapely.distance(pts, shapely.boundary(np.array(cells_ll, dtype=object)[sid]))
    near = np.argsort(to_border, kind="stable")[: n // 12]
    bad = np.sort(rng.choice(near, size=round(n * 0.005), replace=False))
    for i in bad:  # 管辖单位 disagrees with the map: the nearest neighbouring station
        nb = np.where(adj[sid[i]])[0]
        d = shapely.distance(pts[i], np.array(cells_ll, dtype=object)[nb])
        unit[i] = st["names"][nb[int(np.argmin(d))]] + "派出所"
    rest = np.setdiff1d(np.arange(n), bad)
    missing = np.sort(rng.choice(rest, size=round(n * 0.003), replace=False))
    ll[missing] = np.nan
    seq: dict[int, int] = {}
    rows = []
    for i in range(n):
        t = YEAR0 + dt.timedelta(seconds=int(secs[i]))
        seq[int(day[i])] = seq.get(int(day[i]), 0) + 1
        s, k = sid[i], kind[i]
        if s == 0:
            addr = (f"城关镇{STREETS[rng.integers(len(STREETS))]}{rng.integers(1, 300)}号"
                    if k == 0 else f"城关镇{vnames[0][vid[i]]}")  # fmt: skip
        elif k == 0:
            addr = f"{st['township'][s]}{st['names'][s]}圩"
        else:
            group = f"{rng.integers(1, 12)}组" if rng.random() < 0.4 else ""
            addr = f"{st['township'][s]}{vnames[s][vid[i]]}{group}"
        name = "匿名" if rng.random() < 0.02 else SURNAMES[rng.integers(len(SURNAMES))] + "某"
        phone = f"{PHONE_PREFIXES[rng.integers(len(PHONE_PREFIXES))]}****{rng.integers(10_000):04d}"
        lon, lat = ("", "") if np.isnan(ll[i, 0]) else (f"{ll[i, 0]:.6f}", f"{ll[i, 1]:.6f}")
        rows.append([f"J{COUNTY_CODE}{t:%Y%m%d}{seq[int(day[i])]:05d}",
                     f"{t:%Y-%m-%d %H:%M:%S}", CATEGORIES[cat[i]], lon, lat, unit[i],
                     name, phone, addr])  # fmt: skip
    dup = np.sort(rng.choice(n, size=round(n * rng.uniform(0.009, 0.011)), replace=False))
    end = YEAR0 + dt.timedelta(days=365)
    for i in dup:  # a second record of the same alarm, a few minutes later
        row = list(rows[i])
        late = dt.datetime.strptime(row[1], "%Y-%m-%d %H:%M:%S") + dt.timedelta(
            seconds=0 if rng.random() < 0.2 else int(rng.integers(30, 600))
        )
        row[1] = f"{min(late, end - dt.timedelta(seconds=1)):%Y-%m-%d %H:%M:%S}"
        rows.append(row)
    rows.sort(key=lambda r: (r[1], r[0]))
    stats = {"distinct": n, "duplicates": len(dup), "mismatch": len(bad), "missing": len(missing)}
    stats |= {f"n{s}": int(c) for s, c in enumerate(counts)}
    return rows, stats


def _ring(coords: np.ndarray) -> list[list[float]]:
    """Coordinates as plain ``[[x, y], ...]`` lists of Python floats."""
    return [[float(x), float(y)] for x, y in coords]


def _feature(props: dict[str, Any], geom: Any) -> dict[str, Any]:
    """GeoJSON Feature dict (Polygon exterior counter-clockwise, RFC 7946)."""
    if geom.geom_type == "Polygon":
        g = shapely.orient_polygons(geom)
        coords: Any = [_ring(np.asarray(g.exterior.coords))]
    else:
        coords = _ring(np.asarray(geom.coords))
    return {"type": "Feature", "properties": props,
            "geometry": {"type": geom.geom_type, "coordinates": coords}}  # fmt: skip


def write_geojson(path: Path, features: Sequence[dict[str, Any]]) -> None:
    """Write a FeatureCollection, one feature per line, UTF-8, LF, fixed key order."""
    body = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    text = '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main(out: Path = HERE, verbose: bool = False) -> None:
    """Build the demo county and write the four files into ``out``.

    Parameters
    ----------
    out
        Output folder (created if missing). Defaults to this script's folder.
    verbose
        Print a station summary table.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    outline = make_outline(rng)
    river = make_river(rng, outline)
    seats = place_seats(rng, outline, river)
    cells = partition(rng, outline, seats)
    n = len(cells)
    areas = shapely.area(np.array(cells, dtype=object))
    river_st = shapely.intersects(np.array(cells, dtype=object), river)
    st = station_table(rng, areas, river_st)
    cells_ll = [shapely.transform(c, to_lonlat) for c in cells]
    cells_arr = np.array(cells_ll, dtype=object)
    county = shapely.coverage_union_all(cells_arr)
    seats_ll = to_lonlat(seats)
    # --- checks: a bad seed must fail loudly -----------------------------------
    assert n == 21 and len(set(st["names"])) == 21
    assert all(c.geom_type == "Polygon" and c.is_valid and not c.interiors for c in cells_ll)
    assert shapely.coverage_is_valid(cells_arr)
    assert isinstance(county, Polygon) and not county.interiors
    assert abs(shapely.area(cells_arr).sum() - county.area) <= 1e-9 * county.area
    assert all(shapely.contains_xy(c, *p) for c, p in zip(cells_ll, seats_ll, strict=True))
    assert 60 <= areas[0] <= 120 and 2000 <= areas.sum() <= 2800
    shared = shapely.length(shapely.intersection(
        shapely.boundary(cells_arr)[:, None], shapely.boundary(cells_arr)[None]))  # fmt: skip
    adj = (shared > 1e-9) & ~np.eye(n, dtype=bool)
    vill = make_villages(rng, cells, seats, st["villages"])
    vnames = _village_names(rng, st["villages"], st["names"])
    rows, stats = make_incidents(rng, st, cells_ll, seats, vill, vnames, river_st, adj)
    assert 0.25 <= stats["n0"] / stats["distinct"] <= 0.35
    assert 8_000 <= len(rows) <= 15_000
    names = [nm + "派出所" for nm in st["names"]]
    by_name = dict(zip(names, cells_ll, strict=True))
    mism = 0
    for r in rows:
        if r[3]:
            x, y = float(r[3]), float(r[4])
            inside = [nm for nm in names if shapely.contains_xy(by_name[nm], x, y)]
            assert len(inside) == 1
            mism += inside[0] != r[5]
    assert mism >= stats["mismatch"]
    # --- write ------------------------------------------------------------------
    county_ll = shapely.transform(county, lambda c: np.round(c, 6))
    county_props = {"name": COUNTY_NAME, "code": COUNTY_CODE}
    write_geojson(out / "county.geojson", [_feature(county_props, county_ll)])
    feats = []
    for s in range(n):
        props = {
            "所代码": f"{COUNTY_CODE}{s + 1:03d}",
            "派出所": names[s],
            "驻地经度": float(seats_ll[s, 0]),
            "驻地纬度": float(seats_ll[s, 1]),
            "户籍人口": int(st["pop"][s]),
            "警力": int(st["officers"][s]),
            "办案区": "是" if st["case_area"][s] else "否",
            "社区村居数": int(st["villages"][s]),
            "城关": "是" if s == 0 else "否",
        }
        feats.append(_feature(props, cells_ll[s]))
    write_geojson(out / "stations.geojson", feats)
    river_ll = shapely.transform(river, to_lonlat)
    river_props = {"name": RIVER_NAME, "kind": "river"}
    write_geojson(out / "river.geojson", [_feature(river_props, river_ll)])
    with open(out / "incidents.csv", "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    if verbose:
        print(f"{'派出所':<8}{'km2':>8}{'人口':>9}{'警力':>5}{'警情':>6}{'占比':>7}  河")
        for s in range(n):
            c = stats[f"n{s}"]
            print(f"{names[s]:<8}{areas[s]:8.1f}{st['pop'][s]:9d}{st['officers'][s]:5d}"
                  f"{c:6d}{c / stats['distinct']:7.1%}  {'*' if river_st[s] else ''}")  # fmt: skip
        print(f"total area {areas.sum():.1f} km2, rows {len(rows)}, {stats}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    main(parser.parse_args().out, verbose=True)
