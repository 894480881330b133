"""Write the synthetic stations, incidents and naming features over MissionTown.

Run from the repository root: ``python tests/data/roads/make_fixture.py``.
Deterministic (fixed seed, rounded coordinates): the same command writes the
same bytes. Only ``MissionTown.graphml`` (real OSM roads) is real data; the
five stations, their attributes, the incidents and the river / peak features
are made up.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx as ox
import shapely
from shapely import wkt

HERE = Path(__file__).resolve().parent
CRS = "EPSG:32650"

#: (id, name, seat easting, seat northing, population, officers, case area, communities)
STATIONS = [
    ("420204101", "青山派出所", 307700, 3344250, 52000, 18, "是", 9),
    ("420204102", "石桥派出所", 309250, 3344900, 38000, 12, "否", 14),
    ("420204103", "枫林派出所", 308150, 3342600, 61000, 21, "是", 11),
    ("420204104", "柳溪派出所", 310300, 3342300, 27000, 9, "否", 7),
    ("420204105", "云峰派出所", 309300, 3341200, 33000, 11, "是", 8),
]
CATEGORIES = ["刑事", "治安", "交通", "纠纷", "求助", "其他"]


def main() -> None:
    """Write stations.geojson, incidents.csv and features.geojson next to this file."""
    graph = ox.load_graphml(HERE / "MissionTown.graphml")
    boundary = wkt.loads(graph.graph["boundary"])
    seats = shapely.points([(s[2], s[3]) for s in STATIONS])
    cells = shapely.voronoi_polygons(shapely.multipoints(seats), extend_to=boundary)
    parts = list(shapely.get_parts(cells))
    polygons = []
    for seat in seats:
        cell = next(p for p in parts if p.contains(seat))
        polygons.append(cell.intersection(boundary))
    frame = gpd.GeoDataFrame(
        {
            "所代码": [s[0] for s in STATIONS],
            "派出所": [s[1] for s in STATIONS],
            "户籍人口": [s[4] for s in STATIONS],
            "警力": [s[5] for s in STATIONS],
            "办案区": [s[6] for s in STATIONS],
            "社区村居数": [s[7] for s in STATIONS],
            "城关": ["否"] * len(STATIONS),
        },
        geometry=polygons,
        crs=CRS,
    ).to_crs(4326)
    lonlat = gpd.GeoSeries(seats, crs=CRS).to_crs(4326)
    frame.insert(1, "驻地经度", lonlat.x.round(6))
    frame.insert(2, "驻地纬度", lonlat.y.round(6))
    frame["geometry"] = shapely.set_precision(frame.geometry.to_numpy(), 1e-6)
    _write_geojson(frame, HERE / "stations.geojson")

    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = boundary.bounds
    rows = []
    while len(rows) < 150:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        point = shapely.Point(x, y)
        if not boundary.contains(point):
            continue
        unit = next(s[1] for s, poly in zip(STATIONS, polygons, strict=True) if poly.covers(point))
        rows.append((x, y, unit, CATEGORIES[int(rng.integers(len(CATEGORIES)))]))
    pts = gpd.GeoSeries(shapely.points([(r[0], r[1]) for r in rows]), crs=CRS).to_crs(4326)
    lines = ["警情编号,报警时间,警情类别,经度,纬度,管辖单位"]
    for i, (row, p) in enumerate(zip(rows, pts, strict=True)):
        day, minute = 1 + i % 28, (i * 37) % 1440
        stamp = f"2025-03-{day:02d} {minute // 60:02d}:{minute % 60:02d}:00"
        lines.append(f"T{i + 1:04d},{stamp},{row[3]},{p.x:.6f},{p.y:.6f},{row[2]}")
    (HERE / "incidents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    features = gpd.GeoDataFrame(
        {
            "name": ["清溪河", "清溪河", "小溪沟", "云峰山", "石门尖", "无名峰"],
            "waterway": ["river", "river", "stream", None, None, None],
            "natural": [None, None, None, "peak", "peak", "peak"],
            "ele": [None, None, None, "612", "650 m", None],
        },
        geometry=[
            shapely.LineString([(307300, 3344500), (307900, 3343300), (308700, 3342900)]),
            shapely.LineString([(308700, 3342900), (309100, 3341500)]),
            shapely.LineString([(309300, 3345600), (309500, 3344300)]),
            shapely.Point(309450, 3341450),
            shapely.Point(310800, 3342200),
            shapely.Point(309600, 3344800),
        ],
        crs=CRS,
    ).to_crs(4326)
    features["geometry"] = shapely.set_precision(features.geometry.to_numpy(), 1e-6)
    _write_geojson(features, HERE / "features.geojson")


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    data = json.loads(frame.to_json(drop_id=True))
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in data["features"])
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
