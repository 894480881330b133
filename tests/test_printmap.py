"""Printable map (zoning.outputs.printmap): A4 landscape PNG and PDF with Chinese text.

``filterwarnings = error`` makes any "Glyph … missing from font" warning fail
these tests, so a passing run means every Chinese character had a glyph.
The demo county's page goes to pytest's temporary folder (the path is printed).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
import struct
import sys
import types
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from pyproj import Geod, Transformer

from tests.conftest import demo_result, demo_river, fake_river, make_fake_plan
from zoning._i18n import set_language
from zoning.errors import InputError, ZoningWarning
from zoning.outputs import printmap as printmap
from zoning.outputs.printmap import A4_LANDSCAPE_IN, cjk_font, plan_to_print

DAY = dt.date(2025, 11, 21)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page's MediaBox."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", path.read_bytes())
    out = []
    for box in boxes:
        x0, y0, x1, y1 = map(float, box.split())
        out.append((x1 - x0, y1 - y0))
    return out


@pytest.fixture(scope="module")
def need_cjk() -> str:
    family = cjk_font()  # an installed CJK font, else the vendored Noto Sans SC subset
    assert family is not None
    return family


def test_a4_landscape_png_and_pdf(need_cjk: str, tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    zones["max_minutes"] = [21.0, 14.5, np.nan]
    png, pdf = plan_to_print(
        plan,
        zones,
        title="测试县 多所连片防区规划",
        path_png=tmp_path / "a" / "map.png",
        path_pdf=tmp_path / "b" / "map.pdf",
        river=fake_river(),
        date=DAY,
    )
    assert png.is_file() and pdf.is_file()
    width, height = png_size(png)
    assert width == pytest.approx(297 / 25.4 * 200, abs=1)  # 2339 px at 200 dpi
    assert height == pytest.approx(210 / 25.4 * 200, abs=1)
    ((w, h),) = pdf_pages(pdf)
    assert (w, h) == (pytest.approx(841.89, abs=0.5), pytest.approx(595.28, abs=0.5))
    body = pdf.read_bytes()
    assert re.search(rb"/[A-Z]{6}\+" + re.escape(_ps_name(need_cjk)), body)  # CJK font subset
    assert b"/Title" in body


def _ps_name(family: str) -> bytes:
    """The PostScript name of a family's regular face (as embedded in the PDF)."""
    path = font_manager.findfont(font_manager.FontProperties(family=family))
    return font_manager.get_font(path).postscript_name.encode()


def test_demo_page(need_cjk: str, tmp_path: Path) -> None:
    """The demo county's printable page (printed path: an artifact to look at)."""
    result = demo_result()
    png, pdf = plan_to_print(
        result.plan,
        result.zones,
        title="示例县 多所连片防区规划（草案）",
        path_png=tmp_path / "print_demo.png",
        path_pdf=tmp_path / "print_demo.pdf",
        river=demo_river(),
        spread=result.report["spread"],
        date=DAY,
    )
    print(f"printable demo map: {png}")
    assert png.stat().st_size > 100_000
    assert pdf_pages(pdf) == [(pytest.approx(841.89, abs=0.5), pytest.approx(595.28, abs=0.5))]


def test_english_and_projected_input(need_cjk: str, tmp_path: Path) -> None:
    plan, zones = make_fake_plan(teams=False)
    plan = plan[["station_name", "zone", "geometry"]].to_crs(32650)

    def build() -> tuple[Path, Path]:
        set_language("en")
        return plan_to_print(
            plan,
            zones.to_crs(3857),
            title="Test county",
            path_png=tmp_path / "m.png",
            path_pdf=tmp_path / "m.pdf",
        )

    png, pdf = contextvars.copy_context().run(build)
    assert png_size(png)[0] > 2000 and pdf.stat().st_size > 10_000


def test_missing_font_warns_and_still_draws(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(printmap, "cjk_font", lambda: None)
    plan, zones = make_fake_plan()
    with pytest.warns(ZoningWarning, match="fonts-noto-cjk"):
        png, pdf = plan_to_print(
            plan,
            zones,
            title="无字体",
            path_png=tmp_path / "m.png",
            path_pdf=tmp_path / "m.pdf",
            date=DAY,
        )
    assert png.is_file() and pdf.is_file()


def test_a_font_package_is_preferred(monkeypatch) -> None:
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    fake = types.ModuleType("fake_zh_font")
    fake.sans_path = lambda: dejavu  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_zh_font", fake)
    monkeypatch.setattr(
        printmap, "FONT_PACKAGES", (("missing_pkg", "x"), ("fake_zh_font", "sans_path"))
    )
    cjk_font.cache_clear()
    try:
        assert cjk_font() == "DejaVu Sans"
    finally:
        cjk_font.cache_clear()


def test_bad_input_is_an_input_error(tmp_path: Path) -> None:
    plan, zones = make_fake_plan()
    with pytest.raises(InputError, match="zone"):
        plan_to_print(
            plan.drop(columns="zone"),
            zones,
            title="t",
            path_png=tmp_path / "m.png",
            path_pdf=tmp_path / "m.pdf",
        )


def test_projection_keeps_distances_true() -> None:
    """The scale bar is drawn in the page's projection: distances there are true."""
    _, zones = make_fake_plan(7, 3, 5)
    crs = printmap._metric_crs(zones)
    to_m = Transformer.from_crs(4326, crs, always_xy=True)
    geod = Geod(ellps="WGS84")
    for (lon1, lat1), (lon2, lat2) in [
        ((114.85, 27.05), (115.55, 27.05)),
        ((115.2, 27.05), (115.2, 27.35)),
        ((114.85, 27.35), (115.55, 27.05)),
    ]:
        x1, y1 = to_m.transform(lon1, lat1)
        x2, y2 = to_m.transform(lon2, lat2)
        true = geod.inv(lon1, lat1, lon2, lat2)[2]
        assert ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 == pytest.approx(true, rel=2e-4)


@pytest.mark.parametrize(
    ("span", "length"), [(50_000, 10_000), (31_000, 5_000), (120_000, 20_000), (900, 100)]
)
def test_scale_bar_lengths_are_round(span: float, length: float) -> None:
    assert printmap._nice_length(span) == length


def test_page_size_constant() -> None:
    assert (pytest.approx(11.6929, abs=1e-3), pytest.approx(8.2677, abs=1e-3)) == A4_LANDSCAPE_IN


def test_vendored_font_renders_chinese_without_system_fonts(tmp_path: Path) -> None:
    """The shipped subset of Noto Sans SC draws Chinese with no glyph warnings."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    from zoning.outputs.printmap import VENDORED_FONT

    assert VENDORED_FONT.is_file() and VENDORED_FONT.stat().st_size < 5_000_000
    props = font_manager.FontProperties(fname=str(VENDORED_FONT))
    fig, ax = plt.subplots()
    ax.set_title("示例县城关派出所防区：警情负荷 ★ 埇桥 硚口 堌城 臺灣", fontproperties=props)
    fig.savefig(tmp_path / "t.pdf")  # filterwarnings=error: a missing glyph would fail here
    plt.close(fig)
    assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_shipped_fonts_cover_the_whole_cjk_unified_ideographs_block() -> None:
    """Without any system font, every character of U+4E00–U+9FFF has a glyph."""
    covered: set[int] = set()
    for path in (printmap.VENDORED_FONT, printmap.VENDORED_TAIL_FONT):
        covered |= set(font_manager.get_font(str(path)).get_charmap())
    missing = [hex(c) for c in range(0x4E00, 0xA000) if c not in covered]
    assert missing == []
    assert {ord(c) for c in "埇桥硚口堌城臺灣鿰鿿"} <= covered


#: Rare place-name characters (outside GB 2312), traditional forms, the block's last
#: additions (U+9FF0–U+9FFF, Unicode 13–14) and an Extension A character.
RARE = ["埇桥", "硚口", "堌城", "臺灣", "鿰鿿", "㐀"]


@pytest.fixture
def shipped_fonts_only(monkeypatch):
    """The printed map as on a machine with no Chinese font installed."""
    monkeypatch.setattr(printmap, "CJK_FAMILIES", ())
    monkeypatch.setattr(printmap, "FONT_PACKAGES", ())
    monkeypatch.setattr(printmap, "_SYSTEM_CJK_FILE", re.compile("^$"))
    cjk_font.cache_clear()
    yield
    cjk_font.cache_clear()


def _print_warnings(plan, zones, tmp_path: Path, title: str = "t") -> list:
    """Print the plan; every warning it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = {"path_png": tmp_path / "m.png", "path_pdf": tmp_path / "m.pdf"}
        plan_to_print(plan, zones, title=title, date=DAY, **paths)
    return caught


@pytest.mark.parametrize("fonts", ["installed", "shipped"])
def test_rare_place_names_print_without_missing_glyphs(
    fonts: str, request: pytest.FixtureRequest, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if fonts == "shipped":
        request.getfixturevalue("shipped_fonts_only")
    names = [f"{p}派出所" for p in [*RARE[:-1], "一鿯", "城关", "新田", "松岭"]]
    if fonts == "installed":
        names[-1] = RARE[-1] + "派出所"  # Extension A: in Noto Sans CJK, not in the subset
    plan, zones = make_fake_plan(names=names, zone_names=["埇桥防区", "硚口防区", "臺灣防区"])
    caught = _print_warnings(plan, zones, tmp_path, title="埇桥区 硚口区 堌城镇")
    assert [str(w.message) for w in caught] == []  # no missing glyph, no raw warning
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert printmap.font_families()[-1] == "DejaVu Sans"


def test_missing_glyphs_are_one_warning_naming_them(
    shipped_fonts_only: None, tmp_path: Path
) -> None:
    set_language("en")
    names = [f"{p}派出所" for p in "青山石门龙潭白沙黄"]
    names[0] = "㐀\U00013000派出所"  # Extension A and an Egyptian hieroglyph: no glyph anywhere
    plan, zones = make_fake_plan(names=names)
    messages = [(w.category, str(w.message)) for w in _print_warnings(plan, zones, tmp_path)]
    assert len(messages) == 1, messages
    category, text = messages[0]
    assert category is ZoningWarning
    assert "2 character(s)" in text and "㐀" in text and "\U00013000" in text
    assert "Glyph" not in text


def test_long_names_stay_inside_the_legend(need_cjk: str, tmp_path: Path) -> None:
    """Long station and zone names (and English, longer still) shrink to fit the legend:
    no zone line runs into its load figure, no detail line past the legend's edge."""
    from matplotlib.figure import Figure

    from tests.conftest import calls_of

    names = [f"檀营满族蒙古族乡第{i}中心派出所" for i in range(9)]
    zone_names = ["檀营满族蒙古族乡中心防区", "喇叭沟门满族乡城关防区", "古北口镇司马台防区"]
    plan, zones = make_fake_plan(names=names, zone_names=zone_names)
    zones["center_name"] = [names[0], names[4], names[8]]
    zones["max_minutes"] = [48.6, 0.0, 53.3]

    def build() -> Figure:
        set_language("en")
        with calls_of(printmap.Figure, "savefig") as calls:
            plan_to_print(
                plan,
                zones,
                title="Test county",
                path_png=tmp_path / "m.png",
                path_pdf=tmp_path / "m.pdf",
            )
        return calls[-1][0]

    fig = contextvars.copy_context().run(build)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = next(a for a in fig.axes if any("incident load" in t.get_text() for t in a.texts))
    edge = legend.get_window_extent(renderer).x1
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in legend.texts]
    assert any("centre 檀营满族蒙古族乡第0中心派出所" in text for text, _ in boxes)
    assert [text for text, b in boxes if b.x1 > edge + 1] == []
    clashes = [
        (a, b)
        for i, (a, ba) in enumerate(boxes)
        for b, bb in boxes[i + 1 :]
        if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 0.5
        and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 0.5
    ]
    assert clashes == []
