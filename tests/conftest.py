"""Shared tiny hand-drawn fixtures and helpers (GerryChain style).

Every helper more than one test file needs lives here; test files never
import from each other.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner, Result
from hypothesis import settings
from shapely.geometry import MultiPoint, box

from tests._browser import CHROMIUM, Browser
from zoning._i18n import set_language
from zoning.graph import graph_from_stations
from zoning.solve.rules import is_contiguous

# Under CI (``.ci/run`` sets ``CI``) every property test draws the same examples on
# every run, so a landing is never blocked by a draw no one can reproduce; local
# runs keep exploring new examples (and print the blob to replay a failure).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

# 1 km ≈ 0.009 degrees of latitude near 27°N; cells are ~1 km squares
STEP = 0.01
LON0, LAT0 = 115.20, 27.20


def grid_stations(rows: int = 3, cols: int = 3, *, island: bool = False) -> gpd.GeoDataFrame:
    """A rows×cols grid of square jurisdictions near 115.2°E 27.2°N.

    Ids are ``r{row}c{col}``, names ``{id}派出所``, load column ``警情量`` = 10 + index,
    the centre cell (or the first) is flagged as the urban core. With
    ``island=True`` one extra square lies 5 cells east, touching nobody.
    """
    records = []
    for r in range(rows):
        for c in range(cols):
            index = r * cols + c
            records.append(
                {
                    "所代码": f"r{r}c{c}",
                    "派出所": f"r{r}c{c}派出所",
                    "警情量": 10 + index,
                    "户籍人口": 10000 + 1000 * index,
                    "警力": 5 + index % 3,
                    "办案区": "是" if index % 4 == 0 else "否",
                    "社区村居数": 5 + index,
                    "城关": "是" if (r, c) == (rows // 2, cols // 2) else "否",
                    "geometry": box(
                        LON0 + c * STEP,
                        LAT0 + r * STEP,
                        LON0 + (c + 1) * STEP,
                        LAT0 + (r + 1) * STEP,
                    ),
                }
            )
    if island:
        records.append(
            {
                "所代码": "island",
                "派出所": "海岛派出所",
                "警情量": 7,
                "户籍人口": 3000,
                "警力": 3,
                "办案区": "否",
                "社区村居数": 2,
                "城关": "否",
                "geometry": box(
                    LON0 + (cols + 5) * STEP,
                    LAT0,
                    LON0 + (cols + 6) * STEP,
                    LAT0 + STEP,
                ),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")


def best_within(feasible: Sequence[tuple[float, float]], band: float, eps: float = 1e-9) -> float:
    """The least travel among brute-forced ``(spread, travel)`` plans within ``band``."""
    return min((t for w, t in feasible if w <= band * (1 + eps) + eps), default=math.inf)


def plan_case(case: dict[str, Any], **options: Any) -> Any:
    """Plan a property-test ``case`` on a 2 s deterministic budget.

    ``case`` holds graph, loads, k, core, minutes, eligible, band and optionally
    locks and center_locks; only :class:`~zoning.errors.ZoningWarning` may be
    raised on the way.
    """
    import warnings

    from zoning.errors import ZoningWarning
    from zoning.solve.partition import partition

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = partition(
            case["graph"],
            case["loads"],
            k=case["k"],
            urban_core=case["core"] or None,
            locks=case.get("locks"),
            minutes=case["minutes"],
            center_locks=case.get("center_locks", ()),
            center_eligible=case["eligible"],
            band=case["band"],
            time_limit=2.0,
            **options,
        )
    assert all(issubclass(w.category, ZoningWarning) for w in caught)
    return plan


def voronoi_adjacency(
    rng: np.random.Generator, n: int, size: float
) -> tuple[nx.Graph, dict[str, tuple[float, float]], list[str]]:
    """A random Voronoi map of ``n`` cells in a ``size`` square (metres), drawn from ``rng``.

    Returns the adjacency graph (cells sharing a boundary), cell centroids and the ids
    ``s00``, ``s01`` …; further draws from ``rng`` (loads …) are the caller's.
    """
    pts = rng.uniform(0.0, size, size=(n, 2))
    frame = box(0.0, 0.0, size, size)
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame, ordered=True)
    polys = [cell.intersection(frame) for cell in cells.geoms]
    ids = [f"s{i:02d}" for i in range(n)]
    g = nx.Graph()
    g.add_nodes_from(ids)
    for a in range(n):
        for b in range(a + 1, n):
            if polys[a].intersection(polys[b]).length > 1e-6 * size:
                g.add_edge(ids[a], ids[b])
    pos = {ids[i]: (polys[i].centroid.x, polys[i].centroid.y) for i in range(n)}
    return g, pos, ids


def voronoi_county(
    n: int, seed: int, size: float = 30_000.0
) -> tuple[nx.Graph, dict[str, float], dict[str, tuple[float, float]]]:
    """A random county of ``n`` Voronoi cells with log-normal loads (≥ 1): graph, loads, seats."""
    rng = np.random.default_rng(seed)
    g, pos, ids = voronoi_adjacency(rng, n, size)
    loads = {
        v: float(max(1, round(x))) for v, x in zip(ids, rng.lognormal(4.0, 0.6, n), strict=True)
    }
    return g, loads, pos


@pytest.fixture(scope="session")
def grid_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 3×3 grid written once per session as GeoJSON (read it, never write to it)."""
    path = tmp_path_factory.mktemp("grid") / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(scope="module")
def grid_frame(grid_path: Path) -> gpd.GeoDataFrame:
    """The 3×3 grid read once per test module as canonical stations (do not modify)."""
    from zoning.io.stations import stations_from_file

    return stations_from_file(grid_path)


def grid_incidents(n: int = 60, *, seed: int = 0) -> pd.DataFrame:
    """``n`` incidents of a 110 export spread over the 3×3 grid (inside, off the edges).

    Columns 警情编号, 报警时间 (six hours apart from 2024-01-01), 警情类别, 经度, 纬度
    and 管辖单位 (the name of the cell the point lies in).
    """
    rng = np.random.default_rng(seed)
    col = rng.integers(0, 3, n)
    row = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "警情编号": [f"J{i:05d}" for i in range(n)],
            "报警时间": pd.date_range("2024-01-01", periods=n, freq="6h").strftime(
                "%Y-%m-%d %H:%M"
            ),
            "警情类别": rng.choice(["刑事", "治安", "交通", "纠纷"], n),
            "经度": (LON0 + (col + rng.uniform(0.1, 0.9, n)) * STEP).round(6),
            "纬度": (LAT0 + (row + rng.uniform(0.1, 0.9, n)) * STEP).round(6),
            "管辖单位": [f"r{r}c{c}派出所" for r, c in zip(row, col, strict=True)],
        }
    )


def run_cli(*args: str) -> Result:
    """Run ``zoning ARGS`` in-process with click's CliRunner."""
    from zoning.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def failed_cleanly(result: Result, *needles: str, code: int = 1) -> str:
    """Assert a CLI run failed with ``code``, one non-empty error naming ``needles``, no traceback.

    Returns the error text (stderr).
    """
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(("错误：", "Error"))]
    assert len(errors) == 1, result.stderr  # one message, not one per problem or a cascade
    assert errors[0].split("：", 1)[-1].split(":", 1)[-1].strip(), "empty error message"
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    return result.stderr


@pytest.fixture
def grid_file(tmp_path: Path) -> Path:
    """The 3×3 grid written as GeoJSON."""
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(autouse=True)
def _chinese_by_default() -> Iterator[None]:
    """Each test starts and leaves in the default language (Chinese).

    Resetting afterwards too keeps a test that switches to English from leaking
    into module-scoped fixtures built before the next test's reset.
    """
    set_language("zh")
    yield
    set_language("zh")


XSS = "<img src=x onerror=alert(1)>"


PREFIXES = list(
    "青山石门龙潭白沙黄岗城关梅林高桥枫树桃源杨柳竹溪松岭长岭新田金坑凤凰清水大坪板桥洪塘太平双溪莲塘"
)


PREFIXES = ["".join(PREFIXES[i : i + 2]) for i in range(0, len(PREFIXES), 2)]


# Any remote resource the page would load: src=/href= (not plain <a> links),
# CSS url(...) and @import, with http://, https:// or protocol-relative //.
_REMOTE = re.compile(
    r"""(?ix)
    (?P<attr>\b(?:src|href|xlink:href|srcset)\s*=\s*["']?\s*(?:https?:)?//)
    | url\(\s*["']?\s*(?:https?:)?//
    | @import\s+(?:url\(\s*)?["']?\s*(?:https?:)?//
    """
)


def remote_resources(page: str) -> list[str]:
    """Remote resources referenced by ``page`` (an independent check of _offline)."""
    hits = []
    for m in _REMOTE.finditer(page):
        if m.group("attr"):
            tag = page[page.rfind("<", 0, m.start()) : m.start()]
            if re.match(r"<a\s[^<>]*$", tag, re.IGNORECASE):
                continue  # a plain link the user may follow, not a resource the page loads
        hits.append(page[m.start() : m.end() + 80])
    return hits


def _edge(a: tuple[int, int], b: tuple[int, int], n: int, amp: float) -> np.ndarray:
    """Jagged edge from grid node a to b (identical for both neighbouring cells)."""
    key = (min(a, b), max(a, b))
    rng = np.random.default_rng(abs(hash(key)) % 2**32 if n > 2 else 0)
    t = np.linspace(0.0, 1.0, n)
    pa, pb = np.array(key[0], float), np.array(key[1], float)
    pts = pa + np.outer(t, pb - pa)
    if n > 2:
        normal = np.array([-(pb - pa)[1], (pb - pa)[0]])
        wiggle = amp * (np.sin(t * np.pi * 3) * 0.6 + rng.normal(0, 0.4, n)) * np.sin(t * np.pi)
        pts += np.outer(wiggle, normal)
    return pts if key[0] == a else pts[::-1]


def make_fake_plan(
    nx: int = 3,
    ny: int = 3,
    k: int = 3,
    *,
    names: list[str] | None = None,
    zone_names: list[str] | None = None,
    edge_points: int = 2,
    urban_zone: int | None = 2,
    teams: bool = True,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A fake plan: an nx × ny grid of 0.1° stations around 115.2°E 27.2°N in k zones.

    Zones are vertical bands of columns; the middle station of each band is its
    centre. ``edge_points`` > 2 makes jagged, shared boundaries (a realistic size).
    With ``teams``, the case team sits in the centre station (in the last zone: its
    first station) and the community team in each zone's first station.
    """
    x0, y0, d = 115.2 - nx * 0.05, 27.2 - ny * 0.05, 0.1
    rows = []
    for j in range(ny):
        for i in range(nx):
            ring = np.vstack(
                [
                    _edge((i, j), (i + 1, j), edge_points, 0.04),
                    _edge((i + 1, j), (i + 1, j + 1), edge_points, 0.04)[1:],
                    _edge((i + 1, j + 1), (i, j + 1), edge_points, 0.04)[1:],
                    _edge((i, j + 1), (i, j), edge_points, 0.04)[1:],
                ]
            )
            n = j * nx + i
            name = names[n] if names else f"{PREFIXES[n % len(PREFIXES)]}派出所"
            rows.append(
                {
                    "station_id": f"S{n:02d}",
                    "station_name": name,
                    "zone": 1 + i * k // nx,
                    "load": 100.0 + 37 * n,
                    "population": np.nan if n == 1 else 20000.0 + 1000 * n,
                    "officers": np.nan if n == 2 else 10.0 + n,
                    "seat_lon": x0 + (i + 0.5) * d,
                    "seat_lat": y0 + (j + 0.35) * d,
                    "extra_column": "ignored",
                    "geometry": shapely.Polygon(np.c_[x0 + ring[:, 0] * d, y0 + ring[:, 1] * d]),
                }
            )
    plan = gpd.GeoDataFrame(rows, crs=4326)
    plan["is_center"] = False
    plan["zone_name"] = ""
    if teams:
        plan["is_case_team_base"] = False
        plan["is_community_team_base"] = False
    zlist = []
    for z in range(1, k + 1):
        members = plan[plan["zone"] == z]
        centre = members.iloc[len(members) // 2]
        plan.loc[members.index, "is_center"] = plan.loc[members.index, "station_id"].eq(
            centre["station_id"]
        )
        if teams:
            case = members.index[0] if z == k else centre.name
            plan.loc[case, "is_case_team_base"] = True
            plan.loc[members.index[0], "is_community_team_base"] = True
        zname = zone_names[z - 1] if zone_names else f"第{'一二三四五'[z - 1]}防区"
        plan.loc[members.index, "zone_name"] = zname
        officers = members["officers"].sum()
        zlist.append(
            {
                "zone": z,
                "zone_name": zname,
                "center_id": centre["station_id"],
                "center_name": centre["station_name"],
                "n_stations": len(members),
                "load": members["load"].sum(),
                "share": members["load"].sum() / plan["load"].sum(),
                "officers": officers,
                "load_per_officer": np.nan if z == 3 else members["load"].sum() / officers,
                "is_urban_core": z == urban_zone,
                "geometry": shapely.union_all(members.geometry.values),
            }
        )
    return plan, gpd.GeoDataFrame(zlist, crs=4326)


def fake_incidents(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"lon": rng.normal(115.2, 0.06, n), "lat": rng.normal(27.2, 0.05, n), "category": "治安"}
    )
    df.loc[0, "lon"] = np.nan  # tolerated and dropped
    return df


def fake_river() -> gpd.GeoDataFrame:
    line = shapely.LineString([(115.04, 27.31), (115.15, 27.22), (115.22, 27.19), (115.36, 27.08)])
    return gpd.GeoDataFrame({"name": ["赣江"]}, geometry=[line], crs=4326)


@functools.cache
def demo_result() -> Any:
    """The demo county planned once per test session (no files written)."""
    from zoning.io.demo import demo_folder
    from zoning.scenario import Scenario
    from zoning.workflow.plan import plan_from_files

    demo = demo_folder()
    scenario = Scenario(incidents=demo / "incidents.csv", river=demo / "river.geojson")
    return plan_from_files(demo / "stations.geojson", scenario=scenario, write=False)


def demo_river() -> gpd.GeoDataFrame:
    from zoning.io.demo import demo_folder

    return gpd.read_file(demo_folder() / "river.geojson")


DATA_BLOCK = re.compile(r'<script type="application/json" id="[^"<>]+">(.*?)</script>', re.S)


def page_data(page: str) -> list[dict[str, Any]]:
    """The decoded JSON data blocks of a page (one per map), in page order."""
    return [json.loads(block) for block in DATA_BLOCK.findall(page)]


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def readable(page: str) -> str:
    """The page with each data block replaced by the strings it holds, one per line."""
    return DATA_BLOCK.sub(lambda m: "\n".join(strings_in(json.loads(m.group(1)))), page)


def check_contract(out: Path, *, k: int, core: str | None) -> tuple[gpd.GeoDataFrame, dict]:
    for name in ("plan.geojson", "zones.geojson", "report.json", "map.html"):
        assert (out / name).stat().st_size > 0, name
    plan = gpd.read_file(out / "plan.geojson")
    zones = gpd.read_file(out / "zones.geojson")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for col in ("station_id", "station_name", "zone", "zone_name", "is_center", "load"):
        assert col in plan.columns, col
    for col in ("zone", "zone_name", "center_id", "n_stations", "load"):
        assert col in zones.columns, col
    # every station exactly once, zones 1..K, at most K of them
    assert plan["station_id"].is_unique
    assert set(plan["zone"]) <= set(range(1, k + 1))
    assert plan["zone"].nunique() <= k
    # one centre per zone, inside the zone
    centers = plan[plan["is_center"]]
    assert sorted(centers["zone"]) == sorted(plan["zone"].unique())
    assert set(centers["station_id"]) == set(zones["center_id"])
    # contiguity on the adjacency graph of the written jurisdictions
    graph = graph_from_stations(plan.set_index("station_id", drop=False))
    assignment = dict(zip(plan["station_id"], plan["zone"].astype(int), strict=True))
    assert is_contiguous(graph, assignment)
    # the urban core alone
    if core is not None:
        core_zone = assignment[core]
        assert (plan["zone"] == core_zone).sum() == 1
    # loads conserved: Σ zone loads = Σ station loads
    assert zones["load"].sum() == pytest.approx(plan["load"].sum(), rel=1e-12)
    assert zones.set_index("zone")["n_stations"].to_dict() == plan["zone"].value_counts().to_dict()
    # report
    assert len(report["zones"]) == plan["zone"].nunique()
    assert report["spread"] >= 0 and report["max_dev"] >= 0
    assert report["solver"]["status"] in {"optimal", "feasible", "heuristic"}
    assert report["solver"]["seconds"] >= 0
    return plan, report


def need(ok: bool, why: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (required when CI is set)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    need(
        Path(CHROMIUM).is_file(),
        f"headless Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk",
    )
    with Browser() as b:
        yield b


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (never the source tree)."""
    return tmp_path_factory.mktemp("screenshots")


def set_partitions(items: Sequence[Hashable], m: int) -> Iterator[list[list[Hashable]]]:
    """Every partition of ``items`` into exactly ``m`` non-empty blocks."""

    def rec(i: int, blocks: list[list[Hashable]]) -> Iterator[list[list[Hashable]]]:
        if i == len(items):
            if len(blocks) == m:
                yield [list(b) for b in blocks]
            return
        if len(blocks) + (len(items) - i) < m:
            return
        for b in blocks:
            b.append(items[i])
            yield from rec(i + 1, blocks)
            b.pop()
        if len(blocks) < m:
            blocks.append([items[i]])
            yield from rec(i + 1, blocks)
            blocks.pop()

    yield from rec(0, [])


def random_planar_graph(rng: np.random.Generator, n: int) -> tuple[nx.Graph, np.ndarray, list[str]]:
    """A connected planar graph on ``n`` random points (``p0`` …): Delaunay edges, some dropped.

    Returns the graph, the points (metres, ``n × 2``) and the ids in point order.
    """
    from scipy.spatial import Delaunay

    pts = rng.uniform(0, 20_000, size=(n, 2))
    ids = [f"p{i}" for i in range(n)]
    g = nx.Graph()
    g.add_nodes_from(ids)
    tri = Delaunay(pts)
    edges = {
        tuple(sorted((int(a), int(b))))
        for s in tri.simplices
        for a, b in ((s[0], s[1]), (s[1], s[2]), (s[0], s[2]))
    }
    tree = nx.minimum_spanning_tree(nx.Graph(list(edges)))
    for a, b in sorted(edges):
        if tree.has_edge(a, b) or rng.random() < 0.6:
            g.add_edge(ids[a], ids[b])
    return g, pts, ids


def category_weights() -> Any:
    """Hypothesis strategy: random category weights (some categories left at their default)."""
    from hypothesis import strategies as st

    from zoning import _schema as S

    return st.dictionaries(
        st.sampled_from(S.CATEGORIES),
        st.floats(min_value=0, max_value=50, allow_nan=False),
        max_size=len(S.CATEGORIES),
    )


@contextmanager
def calls_of(owner: Any, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """Record the positional arguments (``self`` first) of every call of ``owner.name``.

    The method still runs; the original is put back on leaving the block.
    """
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(owner, name, spy)
    try:
        yield calls
    finally:
        setattr(owner, name, original)
