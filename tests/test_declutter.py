"""Map names never hide one another: the placing core, and the printed map on a real district."""

from __future__ import annotations

import shutil
from itertools import combinations
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import calls_of
from zoning.maps.declutter import Box, LabelBox, Placement, place_labels

BEIJING = Path(__file__).parent / "data" / "beijing"


def _box(label: LabelBox, put: Placement) -> Box:
    cx, cy = label.x + put.dx, label.y + put.dy
    return (
        cx - label.width / 2,
        cy - label.height / 2,
        cx + label.width / 2,
        cy + label.height / 2,
    )


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def test_two_names_on_one_point_the_later_rank_moves() -> None:
    # a station name (rank 2) given first, a zone name (rank 0) on the same point
    station = LabelBox(0, 0, 40, 10, rank=2)
    zone = LabelBox(0, 0, 60, 14, dy=10, rank=0)
    put_station, put_zone = place_labels([station, zone], gap=1.0)
    assert put_zone == Placement(0, 10, displaced=False, clear=True)  # its own place
    assert put_station.displaced and put_station.clear
    assert _overlap(_box(station, put_station), _box(zone, put_zone)) == 0
    # the first free place of the first ring: just below the point
    assert (put_station.dx, put_station.dy) == (0, -(5 + 1.0))


def test_marks_and_the_frame_are_kept_clear() -> None:
    star: Box = (-5, -5, 5, 5)
    name = LabelBox(0, 0, 30, 8)  # preferred: centred on the star
    (put,) = place_labels([name], marks=[star], frame=(-100, -100, 100, 100))
    assert put.clear and _overlap(_box(name, put), star) == 0
    edge = LabelBox(95, 0, 30, 8)  # its own place sticks out of the frame on the right
    (put,) = place_labels([edge], frame=(-100, -100, 100, 100))
    assert put.clear and put.dx < 0 and _box(edge, put)[2] <= 100


def test_no_clear_place_takes_the_least_covered_one() -> None:
    wall: Box = (-1000, -1000, 1000, 1000)
    name = LabelBox(0, 0, 30, 8)
    (put,) = place_labels([name], marks=[wall])
    assert not put.clear
    assert (put.dx, put.dy) == (0, 0)  # every place is covered alike: the first stays


labels_st = st.lists(
    st.builds(
        LabelBox,
        x=st.floats(0, 300),
        y=st.floats(0, 200),
        width=st.floats(5, 60),
        height=st.floats(4, 16),
        dx=st.floats(-10, 10),
        dy=st.floats(-10, 10),
        rank=st.integers(0, 2),
    ),
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(
    labels=labels_st, marks=st.lists(st.tuples(st.floats(0, 300), st.floats(0, 200)), max_size=4)
)
def test_names_said_clear_never_overlap_anything_placed(
    labels: list[LabelBox], marks: list
) -> None:
    boxes: list[Box] = [(x - 4, y - 4, x + 4, y + 4) for x, y in marks]
    puts = place_labels(labels, marks=boxes, gap=1.0)
    assert len(puts) == len(labels)
    assert puts == place_labels(labels, marks=boxes, gap=1.0)  # deterministic
    placed = [_box(lb, p) for lb, p in zip(labels, puts, strict=True)]
    for i, j in combinations(range(len(labels)), 2):
        if puts[i].clear and puts[j].clear:
            assert _overlap(placed[i], placed[j]) < 1e-6
    for p, b in zip(puts, placed, strict=True):
        if p.clear:
            assert all(_overlap(b, m) < 1e-6 for m in boxes)
    # with no marks, the first label of the lowest rank always keeps its own place
    if labels and not boxes:
        first = min(range(len(labels)), key=lambda i: (labels[i].rank, i))
        assert not puts[first].displaced


@pytest.fixture(scope="module")
def miyun_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[gpd.GeoDataFrame, Any]:
    """密云: two small 街道 and two small townships around the town, four stars near them."""
    from zoning import Scenario, plan_from_files

    folder = tmp_path_factory.mktemp("miyun")
    src = folder / "townships.geojson"
    shutil.copy(BEIJING / "miyun" / "townships.geojson", src)
    scenario = Scenario(
        load_column="pop_hukou_2022",
        urban_core="鼓楼街道,果园街道",
        solver="heuristic",
        time_limit=1.0,
        band=0.1,  # the district's smallest spread is about 7 %
        frontier=(),
    )
    plan_from_files(src, scenario=scenario, out_dir=folder / "out")
    out = folder / "out"
    return gpd.read_file(out / "plan.geojson"), gpd.read_file(out / "zones.geojson")


def test_the_printed_map_shows_every_name_without_overlaps(
    miyun_plan: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

    from zoning.outputs import printmap

    plan, zones = miyun_plan
    with calls_of(printmap.Figure, "savefig") as calls:
        printmap.plan_to_print(
            plan, zones, title="密云区", path_png=tmp_path / "m.png", path_pdf=tmp_path / "m.pdf"
        )
    fig: Figure = calls[-1][0]
    ax = fig.axes[0]  # the map
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    names = [t for t in ax.texts if isinstance(t, Annotation) and t.get_zorder() in (8, 10)]
    shown = sorted(t.get_text() for t in names)
    assert shown == sorted([*plan["station_name"], *zones["zone_name"]])
    boxes = {t.get_text(): t.get_tightbbox(renderer) for t in names}
    clashes = [
        (a, b)
        for (a, ba), (b, bb) in combinations(boxes.items(), 2)
        if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 0.5
        and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 0.5
    ]
    assert clashes == []
    # the names that used to hide under the 城关 zone's name are on the page, clear of it
    assert {"檀营满族蒙古族乡", "密云镇"} <= set(boxes)
