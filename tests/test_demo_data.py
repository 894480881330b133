"""The synthetic demo county in ``data/demo``: reproducible and realistic enough."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
FILES = ("county.geojson", "stations.geojson", "river.geojson", "incidents.csv")
HEADER = [
    "警情编号",
    "报警时间",
    "警情类别",
    "经度",
    "纬度",
    "管辖单位",
    "报警人",
    "联系电话",
    "发案地址",
]
STATION_KEYS = [
    "所代码",
    "派出所",
    "驻地经度",
    "驻地纬度",
    "户籍人口",
    "警力",
    "办案区",
    "社区村居数",
    "城关",
]
CATEGORIES = {"刑事", "治安", "交通", "纠纷", "求助", "其他"}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_demo", DEMO / "make_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo", module)
    spec.loader.exec_module(module)
    return module


def _features(name: str) -> list[dict]:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def stations() -> list[dict]:
    return _features("stations.geojson")


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    with open(DEMO / "incidents.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_script_regenerates_committed_files_byte_for_byte(tmp_path: Path) -> None:
    _load_script().main(out=tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_stations_tile_the_county(stations: list[dict]) -> None:
    assert len(stations) == 21
    assert all(list(f["properties"]) == STATION_KEYS for f in stations)
    polys = np.array([shape(f["geometry"]) for f in stations])
    assert all(p.geom_type == "Polygon" and p.is_valid for p in polys)
    outline = shape(_features("county.geojson")[0]["geometry"])
    assert outline.geom_type == "Polygon" and outline.is_valid
    assert shapely.coverage_is_valid(polys)
    tree = shapely.STRtree(polys)
    i, j = tree.query(polys, predicate="intersects")
    overlap = shapely.area(shapely.intersection(polys[i[i < j]], polys[j[i < j]]))
    assert overlap.max() < 1e-12
    union = shapely.union_all(polys)
    assert abs(union.area - outline.area) <= 1e-9 * outline.area
    assert shapely.symmetric_difference(union, outline).area <= 1e-9 * outline.area
    seats = shapely.points(
        [(f["properties"]["驻地经度"], f["properties"]["驻地纬度"]) for f in stations]
    )
    assert shapely.contains(polys, seats).all()


def test_station_attributes(stations: list[dict]) -> None:
    props = [f["properties"] for f in stations]
    names = [p["派出所"] for p in props]
    assert len(set(names)) == 21 and all(n.endswith("派出所") for n in names)
    assert [p["所代码"] for p in props] == [f"369901{k:03d}" for k in range(1, 22)]
    assert props[0]["派出所"] == "城关派出所" and props[0]["城关"] == "是"
    assert all(p["城关"] == "否" for p in props[1:])
    assert 90_000 <= props[0]["户籍人口"] <= 120_000
    assert all(8_000 <= p["户籍人口"] <= 45_000 for p in props[1:])
    assert 380_000 <= sum(p["户籍人口"] for p in props) <= 460_000
    assert 6 <= sum(p["办案区"] == "是" for p in props) <= 7


def test_incidents_file(rows: list[list[str]], stations: list[dict]) -> None:
    assert (DEMO / "incidents.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    header, body = rows[0], rows[1:]
    assert header == HEADER  # personal columns 报警人/联系电话/发案地址 are in the raw file
    assert 8_000 <= len(body) <= 15_000
    assert {r[2] for r in body} <= CATEGORIES
    assert all(r[6] and r[7] and r[8] for r in body)
    assert body == sorted(body, key=lambda r: (r[1], r[0]))
    assert all("2025-01-01" <= r[1][:10] <= "2025-12-31" for r in body)
    first_unit: dict[str, str] = {}
    for r in body:
        first_unit.setdefault(r[0], r[5])
    share = sum(u == "城关派出所" for u in first_unit.values()) / len(first_unit)
    assert 0.25 <= share <= 0.35
    assert 0.005 <= 1 - len(first_unit) / len(body) <= 0.02  # duplicate records
    names = {f["properties"]["派出所"] for f in stations}
    assert {r[5] for r in body} <= names
    xy = np.array([(float(r[3]), float(r[4])) for r in body if r[3]])
    assert 0.001 <= 1 - len(xy) / len(body) <= 0.006  # missing coordinates
    polys = [shape(f["geometry"]) for f in stations]
    hits = np.array([shapely.contains_xy(p, xy[:, 0], xy[:, 1]) for p in polys])
    assert (hits.sum(axis=0) == 1).all()
