"""Printable A4 map of a plan (PNG and PDF), for the meeting's handouts.

Drawn with matplotlib (Agg, no display needed) in a transverse Mercator
projection centred on the county, so the scale bar is true in every direction
and grid north is true north. Colours, symbols and the label layout are those
of the interactive map (:mod:`zoning.maps.style`).

Chinese text needs a CJK font. The first of these that is available is used:
a font shipped by a Python package (``pylopdf_fonts_zh_cn``: Noto Sans SC), then
an installed Noto Sans CJK / Source Han Sans / WenQuanYi / Microsoft YaHei /
SimHei (Debian: ``apt-get install fonts-noto-cjk``), then the Noto Sans CJK SC
subset shipped in ``zoning/_assets/fonts``. The shipped fonts also stand in for
any character the chosen font lacks, so every character of the CJK Unified
Ideographs block (U+4E00–U+9FFF) prints. A character no font has (say, from
another script) is named in one :class:`~zoning.errors.ZoningWarning`; matplotlib's
own per-glyph warnings never reach the user. Every text is drawn as plain text
(no mathtext: a ``$`` in a name is just a ``$``).

Examples
--------
>>> plan_to_print(plan, zones, title="某县防区方案", path_png="map.png",
...               path_pdf="map.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from zoning._i18n import tr
from zoning._schema import IS_CENTER, IS_URBAN_CORE, LOAD, OFFICERS, SHARE, STATION_NAME, ZONE
from zoning.decision.display import before_after_rows
from zoning.decision.tradeoff import Ladder, ladder_from_report, status_text
from zoning.errors import InputError, ZoningWarning
from zoning.io.jurisdictions import estimate_note
from zoning.maps import style as K
from zoning.maps.declutter import LabelBox, place_labels

__all__ = ["A4_LANDSCAPE_IN", "cjk_font", "font_families", "plan_to_print"]

#: A4 landscape in inches (297 × 210 mm).
A4_LANDSCAPE_IN = (297 / 25.4, 210 / 25.4)
_FONTS_DIR = Path(__file__).resolve().parent.parent / "_assets" / "fonts"
#: Noto Sans CJK SC subset shipped with zoning (family "Noto Sans CJK SC URO"): the whole
#: CJK Unified Ideographs block up to U+9FEF, ASCII and the GB 2312 symbols. Used when
#: no CJK font is installed, and for any character an installed font lacks.
VENDORED_FONT = _FONTS_DIR / "NotoSansSC-Regular-URO.otf"
#: U+9FF0–U+9FFF (Unicode 13–14, newer than noto-cjk 2.004) from GNU Unifont.
VENDORED_TAIL_FONT = _FONTS_DIR / "Unifont-CJK-Tail.otf"
#: Python packages that ship a Simplified-Chinese font: (module, function -> font path).
FONT_PACKAGES: tuple[tuple[str, str], ...] = (("pylopdf_fonts_zh_cn", "sans_path"),)
#: Installed font families that cover Simplified Chinese, best first.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Sarasa Gothic SC",
    "Noto Sans CJK JP",
    "Source Han Sans",
)
#: File names of installed fonts of :data:`CJK_FAMILIES` (for a stale matplotlib font cache).
_SYSTEM_CJK_FILE = re.compile(
    r"NotoSansCJK|NotoSerifCJK|SourceHanS|NotoSansSC|wqy-?(micro|zen)hei|msyh|simhei|PingFang"
    r"|Hiragino Sans GB|Sarasa",
    re.IGNORECASE,
)
_INK = "#1a1a1a"
_GREY = "#555555"
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


@cache
def _vendored_family(path: Path) -> str | None:
    """Register a font file shipped with zoning; its family name, or ``None`` if absent."""
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())


@cache
def cjk_font() -> str | None:
    """Family name of the best available Simplified-Chinese font, or ``None``.

    A font shipped by a Python package, else an installed one (:data:`CJK_FAMILIES`),
    else the subset shipped with zoning (:data:`VENDORED_FONT`).
    """
    for module, func in FONT_PACKAGES:
        try:
            path = Path(getattr(importlib.import_module(module), func)())
        except (ImportError, AttributeError, TypeError, OSError):
            continue
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            return str(font_manager.FontProperties(fname=str(path)).get_name())
    for rescan in (False, True):
        if rescan:  # matplotlib's font cache may predate the fonts: look at the files
            for file in font_manager.findSystemFonts():
                if _SYSTEM_CJK_FILE.search(Path(file).name):
                    font_manager.fontManager.addfont(file)
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FAMILIES if name in installed), None)
        if found is not None:
            return found
    return _vendored_family(VENDORED_FONT)


def font_families() -> list[str]:
    """The font chain of the printed map, best first.

    :func:`cjk_font`, then the fonts shipped with zoning (for characters the first
    lacks: the whole CJK Unified Ideographs block is covered), then DejaVu Sans.
    matplotlib takes each character from the first font of the chain that has it.
    """
    chain = [cjk_font(), _vendored_family(VENDORED_FONT), _vendored_family(VENDORED_TAIL_FONT)]
    return list(dict.fromkeys([f for f in chain if f] + ["DejaVu Sans"]))


@cache
def _has_bold(family: str | None) -> bool:
    """Whether the family has a bold face (DejaVu Sans, the fallback, has one)."""
    if family is None:
        return True
    for font in font_manager.fontManager.ttflist:
        if font.name == family:
            weight = font.weight
            if isinstance(weight, str):
                weight = font_manager.weight_dict.get(weight, 400)
            if int(weight) >= 600:
                return True
    return False


def _bold(colour: str) -> dict[str, Any]:
    """Text keywords for bold: the bold face, or a thin outline in the text colour
    when the font has none (e.g. the Regular-only Noto Sans SC from PyPI)."""
    if _has_bold(cjk_font()):
        return {"weight": "bold"}
    return {"path_effects": [patheffects.withStroke(linewidth=0.6, foreground=colour)]}


#: matplotlib's warning for a character no font of the chain has.
_GLYPH_MISSING = re.compile(r"Glyph (\d+) .*missing from font")


@contextmanager
def _fonts() -> Iterator[None]:
    """Draw with the font chain; turn matplotlib's per-glyph warnings into one warning.

    Warns once (a :class:`~zoning.errors.ZoningWarning`, in the user's language)
    naming the characters no font has, and once more if no Chinese font was found.
    """
    family = cjk_font()
    if family is None:
        warnings.warn(
            tr(
                "未找到中文字体，打印地图中的汉字将无法显示；"
                "请安装 fonts-noto-cjk（Debian/Ubuntu）或思源黑体、微软雅黑。",
                "No Chinese font found: Chinese text on the printed map will be missing; "
                "install fonts-noto-cjk (Debian/Ubuntu), Source Han Sans or Microsoft YaHei.",
            ),
            ZoningWarning,
            stacklevel=4,
        )
    # findfont logs "Failed to find font weight bold" for a Regular-only fallback font:
    # matplotlib then uses the regular face, which is what the page wants
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with (
            matplotlib.rc_context(
                {"font.family": font_families(), "axes.unicode_minus": False, "text.usetex": False}
            ),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            yield
    finally:
        font_log.setLevel(level)
    missing: set[str] = set()
    for w in caught:
        found = _GLYPH_MISSING.match(str(w.message))
        if found and issubclass(w.category, UserWarning):
            missing.add(chr(int(found.group(1))))
        else:  # anything else goes on as it came
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if missing:
        chars = " ".join(sorted(missing))
        warnings.warn(
            tr(
                f"打印地图的字体缺少 {len(missing)} 个字符，这些字符在 map.png / map.pdf 中"
                f"显示为方框：{chars}",
                f"The printed map's fonts lack {len(missing)} character(s), shown as boxes "
                f"in map.png / map.pdf: {chars}",
            ),
            ZoningWarning,
            stacklevel=4,
        )


def _metric_crs(zones: gpd.GeoDataFrame) -> str:
    """Transverse Mercator centred on the zones: true scale and north at the centre."""
    minx, miny, maxx, maxy = zones.total_bounds
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    return (
        f"+proj=tmerc +lat_0={lat0:.6f} +lon_0={lon0:.6f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
    )


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^n metres) close to a fifth of the span."""
    target = span_m / 5
    base = 10 ** math.floor(math.log10(target))
    return max((m * base for m in (1, 2, 5, 10) if m * base <= target), default=base)


def _scale_bar(ax: Axes) -> None:
    """A four-segment scale bar, bottom left (the axes are in metres)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    h = (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.045
    for k in range(4):
        ax.add_patch(
            Rectangle(
                (left + k * length / 4, bottom),
                length / 4,
                h,
                facecolor=_INK if k % 2 == 0 else "white",
                edgecolor=_INK,
                linewidth=0.6,
                zorder=20,
            )
        )
    km = length / 1000
    unit = tr(" 公里", " km") if km >= 1 else tr(" 米", " m")
    for frac in (0, 0.5, 1):
        value = km * frac if km >= 1 else length * frac
        text = f"{value:g}" + (unit if frac == 1 else "")
        ax.text(
            left + length * frac,
            bottom + 2.2 * h,
            text,
            ha="center",
            va="bottom",
            size=7.5,
            color=_INK,
            zorder=20,
            path_effects=_HALO,
        )


def _north_arrow(ax: Axes) -> None:
    """A north arrow, top right (grid north is true north at the centre)."""
    ax.annotate(
        tr("北", "N"),
        xy=(0.955, 0.965),
        xytext=(0.955, 0.875),
        xycoords="axes fraction",
        ha="center",
        va="top",
        size=11,
        **_bold(_INK),
        color=_INK,
        arrowprops={
            "facecolor": _INK,
            "edgecolor": _INK,
            "width": 3.2,
            "headwidth": 11,
            "headlength": 12,
        },
        zorder=20,
    )


def _fit(ax: Axes, bounds: np.ndarray, page: tuple[float, float]) -> None:
    """Show ``bounds`` (plus a margin) at equal scale, filling the axes box."""
    minx, miny, maxx, maxy = bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    w, h = maxx - minx + 2 * pad, maxy - miny + 2 * pad
    box = ax.get_position(original=True)
    fig_w, fig_h = page
    ratio = (box.height * fig_h) / (box.width * fig_w)  # height / width of the box
    if h / w < ratio:
        h = w * ratio
    else:
        w = h / ratio
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")


def _prepare(
    plan: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, river: gpd.GeoDataFrame | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Check the frames; project them (and the seats) to the page CRS; clip the river."""
    missing = [c for c in (STATION_NAME, ZONE) if c not in plan.columns]
    missing += [f"zones.{ZONE}"] if ZONE not in zones.columns else []
    plan, zones = K.drawable(K.to_wgs84(plan)), K.drawable(K.to_wgs84(zones))
    if missing or plan.empty or zones.empty:
        raise InputError(
            tr(
                f"打印地图：方案缺少列 {', '.join(missing)} 或没有可绘制的区域。",
                f"Printed map: the plan lacks {', '.join(missing)} or has no geometry.",
            )
        )
    crs = _metric_crs(zones)
    seats = K.seat_points(plan, {i: (math.nan, math.nan) for i in plan.index})
    plan = plan.to_crs(crs)
    lat = pd.Series({i: p[0] for i, p in seats.items()})
    lon = pd.Series({i: p[1] for i, p in seats.items()})
    seat_xy = gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=lon.index, crs=4326).to_crs(crs)
    plan["_sx"], plan["_sy"] = seat_xy.x, seat_xy.y
    zones = zones.to_crs(crs).sort_values(ZONE).copy()
    zones["_name"] = K.zone_names(zones)
    if river is not None:
        river = K.drawable(K.to_wgs84(river)).to_crs(crs)
        minx, miny, maxx, maxy = zones.total_bounds
        pad = 0.05 * max(maxx - minx, maxy - miny)
        river = river.clip((minx - pad, miny - pad, maxx + pad, maxy + pad))
    return plan, zones, river


def _draw_map(
    ax: Axes, plan: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, river: gpd.GeoDataFrame | None
) -> tuple[set[str], list[tuple[Annotation, int]], PathCollection | None]:
    """Zones, stations, river, names, stars and team badges.

    Returns the badges used, the names with their placing rank (zone names 0,
    中心所 names 1, other stations 2) and the stars (``None`` without a 中心所),
    for :func:`_declutter`.
    """
    colours = K.zone_colours(zones)
    zone_geoms = K.light_geoms(zones.geometry.values, tolerance=15.0, decimals=1)
    station_geoms = K.light_geoms(plan.geometry.values, tolerance=15.0, decimals=1)
    gpd.GeoSeries(zone_geoms).plot(
        ax=ax, color=[colours[int(z)] for z in zones[ZONE]], alpha=0.55, linewidth=0, zorder=1
    )
    gpd.GeoSeries(station_geoms).boundary.plot(ax=ax, color="#6b6b6b", linewidth=0.45, zorder=2)
    if river is not None and not river.empty:
        river.plot(ax=ax, color=K.RIVER_COLOUR, linewidth=1.6, alpha=0.9, zorder=3)
    gpd.GeoSeries(zone_geoms).boundary.plot(ax=ax, color="#222222", linewidth=1.5, zorder=4)

    plan_zone = pd.to_numeric(plan[ZONE], errors="coerce").fillna(-1).astype(int)
    centres = plan.index[K.flags(plan, IS_CENTER)]
    pts = {i: K.label_point(g) for i, g in zip(plan.index, station_geoms, strict=True)}
    seat = {
        i: (plan.at[i, "_sy"], plan.at[i, "_sx"]) if np.isfinite(plan.at[i, "_sx"]) else pts[i]
        for i in plan.index
    }
    stars = {int(plan_zone[i]): (i, seat[i]) for i in centres}
    zone_ids = zones[ZONE].astype(int).tolist()
    layout = K.label_layout(plan.index, plan_zone, station_geoms, zone_ids, zone_geoms, stars)
    size = 7.5 if len(plan) <= 40 else 6.0
    names: list[tuple[Annotation, int]] = []
    for i in plan.index:
        y, x = layout.station[i]
        star = i in centres and int(plan_zone[i]) in layout.at_star
        dy = -8.5 if star else (-1.5 if i in layout.below else 0)
        ann = ax.annotate(
            str(plan.at[i, STATION_NAME]),
            (x, y),
            xytext=(0, dy),
            textcoords="offset points",
            ha="center",
            va="top" if dy else "center",
            size=size,
            color=_INK,
            path_effects=_HALO,
            zorder=8,
        )
        names.append((ann, 1 if i in centres else 2))
    for z, name in zip(zone_ids, zones["_name"], strict=True):
        y, x = layout.zone[z]
        dy = 8.5 if z in layout.at_star else (1.5 if z in layout.zone_above else 0)
        ann = ax.annotate(
            str(name),
            (x, y),
            xytext=(0, dy),
            textcoords="offset points",
            ha="center",
            va="bottom" if dy else "center",
            size=10,
            **_bold(_INK),
            color=_INK,
            bbox={
                "boxstyle": "round,pad=0.28,rounding_size=0.7",
                "fc": "white",
                "ec": colours[z],
                "lw": 1.4,
                "alpha": 0.92,
            },
            zorder=10,
        )
        names.append((ann, 0))
    stars_drawn = None
    if len(centres):
        xy = np.array([seat[i][::-1] for i in centres])
        stars_drawn = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            marker="*",
            s=170,
            c=K.STAR_FILL,
            edgecolors=_INK,
            linewidths=0.7,
            zorder=9,
        )
    badges: set[str] = set()
    for flag, text, colour, style, dx in (
        (K.IS_CASE_BASE, "案", K.CASE_TEAM_COLOUR, "square,pad=0.2", 12.5),
        (K.IS_COMMUNITY_BASE, "社", K.COMMUNITY_TEAM_COLOUR, "circle,pad=0.3", 26.5),
    ):
        for i in plan.index[K.flags(plan, flag)]:
            y, x = seat[i]
            ax.annotate(
                text,
                (x, y),
                xytext=(dx, 0),
                textcoords="offset points",
                ha="center",
                va="center",
                size=6.5,
                **_bold("white"),
                color="white",
                bbox={"boxstyle": style, "fc": colour, "ec": "white", "lw": 0.8},
                zorder=9,
            )
            badges.add(flag)
    return badges, names, stars_drawn


def _star_boxes(
    ax: Axes, stars: PathCollection | None, to_pt: float
) -> list[tuple[float, float, float, float]]:
    """Boxes (points) of the 中心所 stars."""
    if stars is None:
        return []
    half = 0.5 * math.sqrt(float(np.max(stars.get_sizes())))  # marker size: points²
    return [
        (px - half, py - half, px + half, py + half)
        for px, py in ax.transData.transform(stars.get_offsets()) * to_pt
    ]


def _declutter(
    ax: Axes,
    names: list[tuple[Annotation, int]],
    stars: PathCollection | None,
    insets: list[Axes],
) -> None:
    """Move names that would hide one another (:mod:`zoning.maps.declutter`).

    Measured on the page in points (the same at any resolution): every other
    text of the map (badges, the north arrow, the scale bar), the stars and the
    inset charts are fixed marks. A name moved off its point gets a thin
    leader line to it.
    """
    fig = ax.get_figure()
    assert fig is not None
    for text in ax.texts:
        text.set_parse_math(False)  # measured before the page's own pass: "$" is plain text
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    to_pt = 72.0 / fig.dpi
    ours = {id(a) for a, _ in names}

    def box(bb: Any) -> tuple[float, float, float, float]:
        return (bb.x0 * to_pt, bb.y0 * to_pt, bb.x1 * to_pt, bb.y1 * to_pt)

    marks = [box(t.get_tightbbox(renderer)) for t in ax.texts if id(t) not in ours]
    marks += [box(a.get_window_extent(renderer)) for a in insets]
    marks += [box(p.get_window_extent(renderer)) for p in ax.patches if p.get_zorder() >= 20]
    marks += _star_boxes(ax, stars, to_pt)
    labels = []
    for ann, rank in names:
        bb = box(ann.get_tightbbox(renderer))
        px, py = ax.transData.transform(ann.xy) * to_pt
        labels.append(
            LabelBox(
                px,
                py,
                bb[2] - bb[0],
                bb[3] - bb[1],
                (bb[0] + bb[2]) / 2 - px,
                (bb[1] + bb[3]) / 2 - py,
                rank,
            )
        )
    frame = box(ax.get_window_extent(renderer))
    for (ann, _), label, put in zip(
        names, labels, place_labels(labels, marks=marks, frame=frame, gap=1.5), strict=True
    ):
        if not put.displaced:
            continue
        ox, oy = ann.xyann
        ann.xyann = (ox + put.dx - label.dx, oy + put.dy - label.dy)
        # a leader line from the point to the nearest edge of the moved name
        w2, h2 = label.width / 2, label.height / 2
        ex = min(max(0.0, put.dx - w2), put.dx + w2)
        ey = min(max(0.0, put.dy - h2), put.dy + h2)
        if math.hypot(ex, ey) > 0.6 * label.height:
            end = ax.transData.inverted().transform(
                ((label.x + ex) / to_pt, (label.y + ey) / to_pt)
            )
            ax.plot(
                [ann.xy[0], end[0]],
                [ann.xy[1], end[1]],
                color=_GREY,
                linewidth=0.5,
                zorder=7,
            )


def _legend(
    fig: Figure,
    zones: gpd.GeoDataFrame,
    plan: gpd.GeoDataFrame,
    badges: set[str],
    river: bool,
    *,
    reserve: float = 0.0,
) -> tuple[Axes, float]:
    """Right-hand panel: zones with load, share and details, then the symbols.

    ``reserve`` (a fraction of the panel) is left free at the bottom; returns the
    panel's axes and the height reached."""
    ax = fig.add_axes((0.705, 0.075, 0.27, 0.80))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    colours = K.zone_colours(zones)
    ax.text(
        0,
        1,
        tr("防区（警情负荷 · 占比）", "Zones (incident load · share)"),
        size=11,
        **_bold(_INK),
        va="top",
        color=_INK,
    )
    y, step = 0.93, min(0.105 - 0.03 * (reserve > 0), (0.62 - reserve) / max(len(zones), 1))
    counts = pd.to_numeric(plan[ZONE], errors="coerce").value_counts()
    for _, z in zones.iterrows():
        tag = tr("（城关）", " (urban core)") if K.truthy(z.get(IS_URBAN_CORE)) else ""
        ax.add_patch(
            Rectangle(
                (0, y - 0.032),
                0.07,
                0.034,
                facecolor=colours[int(z[ZONE])],
                alpha=0.55,
                edgecolor="#333333",
                linewidth=0.6,
            )
        )
        name = ax.text(0.1, y - 0.015, f"{z['_name']}{tag}", size=10, va="center", color=_INK)
        num = f"{K.load_fmt(z.get(LOAD))} · {K.pct(z.get(SHARE))}"
        load_text = ax.text(1, y - 0.015, num, size=9.5, va="center", ha="right", color=_INK)
        _fit_before(name, _left_of(load_text, gap_pt=6))
        n = int(counts.get(z[ZONE], 0))
        detail = tr(
            f"中心所 {z.get('center_name') or '—'} · {n} 个所 · 警力 {K.fmt(z.get(OFFICERS))}",
            f"centre {z.get('center_name') or '—'} · {n} station{'s' * (n != 1)} · "
            f"{K.fmt(z.get(OFFICERS))} officers",
        )
        longest = K.num(z.get(K.MAX_MINUTES))
        if math.isfinite(longest):
            detail += tr(f" · 最远 {longest:.0f} 分钟", f" · farthest {longest:.0f} min")
            if not K.missing(z.get(K.TRAVEL_CAVEAT)) and z.get(K.TRAVEL_CAVEAT):
                detail += tr("（含海岛，直线估算）", " (island: straight-line guess)")
        line = ax.text(0.1, y - 0.05, detail, size=7.5, va="center", color=_GREY)
        _fit_before(line, float(ax.transAxes.transform((1.0, 0.0))[0]))
        y -= step
    y -= 0.02
    ax.plot([0, 1], [y + 0.015, y + 0.015], color="#BBBBBB", linewidth=0.6)
    symbols: list[tuple[str, str]] = [("star", tr("中心所", "Centre station"))]
    if K.IS_CASE_BASE in badges:
        symbols.append(("case", tr("执法办案队驻地", "Case team base")))
    if K.IS_COMMUNITY_BASE in badges:
        symbols.append(("comm", tr("社区警务队驻地", "Community team base")))
    if river:
        symbols.append(("river", tr("河流", "River")))
    symbols.append(("line", tr("派出所辖区界", "Station boundary")))
    for kind, text in symbols:
        y -= 0.05 if not reserve else 0.043
        if kind == "star":
            ax.scatter(
                [0.035], [y], marker="*", s=150, c=K.STAR_FILL, edgecolors=_INK, linewidths=0.7
            )
        elif kind in ("case", "comm"):
            colour = K.CASE_TEAM_COLOUR if kind == "case" else K.COMMUNITY_TEAM_COLOUR
            style = "square,pad=0.2" if kind == "case" else "circle,pad=0.3"
            ax.text(
                0.035,
                y,
                "案" if kind == "case" else "社",
                size=6.5,
                **_bold("white"),
                color="white",
                ha="center",
                va="center",
                bbox={"boxstyle": style, "fc": colour, "ec": "white", "lw": 0.8},
            )
        else:
            colour, width = (K.RIVER_COLOUR, 1.8) if kind == "river" else ("#6b6b6b", 0.8)
            ax.plot([0, 0.07], [y, y], color=colour, linewidth=width)
        ax.text(0.1, y, text, size=9.5, va="center", color=_INK)
    return ax, y


def _extent(text: Text) -> Bbox:
    """A text's box on the page (display units), measured as plain text ("$" is no mathtext)."""
    text.set_parse_math(False)
    return text.get_window_extent(text.get_figure().canvas.get_renderer())  # type: ignore[union-attr]


def _left_of(text: Text, *, gap_pt: float) -> float:
    """Display x a neighbour must end before: ``gap_pt`` points left of ``text``."""
    return float(_extent(text).x0 - gap_pt * text.get_figure().dpi / 72)  # type: ignore[union-attr]


def _fit_before(text: Text, right: float, *, smallest: float = 5.0) -> None:
    """Shrink a one-line legend text until it ends left of display x ``right``
    (long station names, English), never below ``smallest`` points."""
    size = float(text.get_fontsize())
    while size > smallest and _extent(text).x1 > right:
        size -= 0.25
        text.set_fontsize(size)


def _before_after_box(ax: Axes, ba: dict[str, Any], top: float) -> None:
    """A small table under the legend: today's arrangement and the plan side by side."""
    ax.plot([0, 1], [top + 0.012, top + 0.012], color="#BBBBBB", linewidth=0.6)
    ax.text(
        0,
        top,
        tr("方案前后对比", "Before and after"),
        size=9.5,
        va="top",
        color=_INK,
        **_bold(_INK),
    )
    ax.text(0.70, top, tr("现状", "Today"), size=8, va="top", ha="right", color=_GREY)
    ax.text(1.0, top, tr("方案", "Plan"), size=8, va="top", ha="right", color=_GREY)
    rows = before_after_rows(ba, with_zones=False)
    y = top - 0.036
    for label, a, b in rows:
        ax.text(0, y, label, size=8, va="top", color=_INK)
        ax.text(0.70, y, a, size=8, va="top", ha="right", color=_INK)
        ax.text(1.0, y, b, size=8, va="top", ha="right", color=_INK)
        y -= 0.029
    moved = tr(
        f"调整防区的派出所：{K.fmt(ba.get('stations_moved'))} 个",
        f"Stations changing zone: {K.fmt(ba.get('stations_moved'))}",
    )
    ax.text(0, y, moved, size=7.5, va="top", color=_GREY)


def _frontier_inset(ax: Axes, zones: gpd.GeoDataFrame, ladder: Ladder) -> Axes:
    """The trade-off chart (band against minutes) in the emptier free corner of the map.

    The corners not taken by the north arrow and the scale bar are tried, bottom
    right first; the one covering less of the zones wins. Returns the inset axes.
    """
    import shapely

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    w, h = 0.29, 0.27
    corners = ((0.985 - w, 0.025), (0.015, 0.975 - h))  # bottom right, top left
    union = shapely.union_all(zones.geometry.values)

    def covered(corner: tuple[float, float]) -> float:
        fx, fy = corner
        box = shapely.box(
            x0 + fx * (x1 - x0),
            y0 + fy * (y1 - y0),
            x0 + (fx + w) * (x1 - x0),
            y0 + (fy + h) * (y1 - y0),
        )
        return float(union.intersection(box).area)

    best = min(corners, key=covered)
    frame = ax.inset_axes((best[0], best[1], w, h))
    frame.set_zorder(30)
    frame.set_xticks([])
    frame.set_yticks([])
    frame.set_facecolor((1, 1, 1, 0.93))
    for spine in frame.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.6)
    frame.text(
        0.03,
        0.95,
        tr("权衡：负荷带与通行时间（分钟）", "Trade-off: load band and travel (min)"),
        transform=frame.transAxes,
        size=8.5,
        va="top",
        color=_INK,
        **_bold(_INK),
    )
    missing = [r for r in ladder.rows if r.get("status") != "solved"]
    # rungs with the same reason share a line ("2%, 5%, 10%: below the smallest spread")
    reasons: dict[str, list[str]] = {}
    for r in missing:
        reasons.setdefault(status_text(r), []).append(f"{round(float(r['band']) * 100, 1):g}%")
    lines = [tr("、", ", ").join(bands) + tr("：", ": ") + why for why, bands in reasons.items()]
    bottom = 0.15 + 0.065 * len(lines)
    chart = frame.inset_axes((0.13, bottom, 0.83, 0.71 - bottom))
    if lines:
        frame.text(
            0.03,
            0.03,
            "\n".join("× " + line for line in lines),
            transform=frame.transAxes,
            size=6.5,
            color=_GREY,
            linespacing=1.25,
        )
    chart.set_facecolor("none")
    bands = ladder.bands
    pos = {round(b, 9): i for i, b in enumerate(bands)}
    xs = [pos[round(p[0], 9)] for p in ladder.points]
    chart.plot(
        xs,
        [p[1] for p in ladder.points],
        "-o",
        color="#4477AA",
        ms=3.5,
        lw=1.4,
        label=tr("平均（按警情加权）", "weighted mean"),
    )
    chart.plot(
        xs,
        [p[2] for p in ladder.points],
        "--s",
        color="#CC6677",
        ms=3.5,
        lw=1.4,
        label=tr("最远", "farthest"),
    )
    if ladder.limit <= ladder.top:
        chart.axhline(ladder.limit, color="#888888", lw=0.8, ls=":")
    for row in ladder.rows:
        if row.get("status") != "solved":
            chart.text(
                pos[round(float(row["band"]), 9)],
                ladder.top * 0.04,
                "×",
                ha="center",
                va="bottom",
                size=9,
                color="#999999",
            )
    if ladder.chosen is not None:
        band, mean, far = ladder.chosen
        at = pos[round(band, 9)]
        chart.scatter(
            [at, at],
            [mean, far],
            s=70,
            facecolors="none",
            edgecolors="#C0392B",
            linewidths=1.3,
            zorder=5,
        )
        chart.annotate(
            tr("本方案", "this plan"),
            (at, far),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            size=7.5,
            color="#C0392B",
        )
    chart.set_xlim(-0.5, len(bands) - 0.5)
    chart.set_ylim(0, ladder.top)
    chart.set_xticks(range(len(bands)), [f"{round(b * 100, 1):g}%" for b in bands])
    chart.set_yticks([0, ladder.top / 2, ladder.top])
    chart.tick_params(labelsize=7, length=2, colors=_GREY)
    for side in ("top", "right"):
        chart.spines[side].set_visible(False)
    handles, labels = chart.get_legend_handles_labels()
    frame.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(0.02, 0.87),
        fontsize=7,
        frameon=False,
        ncol=2,
        borderaxespad=0.0,
        handlelength=2.2,
    )
    return frame


def plan_to_print(
    plan: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    *,
    title: str,
    path_png: str | Path,
    path_pdf: str | Path,
    river: gpd.GeoDataFrame | None = None,
    spread: float | None = None,
    date: dt.date | None = None,
    dpi: int = 200,
    before_after: dict[str, Any] | None = None,
    report: Mapping[str, Any] | None = None,
) -> tuple[Path, Path]:
    """Draw the plan on an A4 landscape page and save it as PNG and PDF.

    Parameters
    ----------
    plan, zones
        The plan frames (as for :func:`zoning.maps.webmap.map_from_plan`).
    title
        Page title.
    path_png, path_pdf
        Output files; missing parent folders are created.
    river
        Optional river layer (clipped to the county).
    spread
        Load spread for the subtitle (``report["spread"]``); computed from
        ``zones`` when not given.
    date
        Date in the subtitle (default: today).
    dpi
        PNG resolution (200: 2339 × 1654 pixels).
    before_after
        ``report["before_after"]``: a before/after table under the legend.
    report
        The plan's ``report.json``: with a solved trade-off ladder (``frontier``),
        its chart goes in the map's emptier free corner.

    Returns
    -------
    tuple of Path
        The PNG and the PDF written.

    Raises
    ------
    InputError
        If a required column is missing or the plan is empty.

    Warns
    -----
    ZoningWarning
        If no Chinese font is available.
    """
    estimated = estimate_note(plan)  # 辖区为估算: jurisdictions made from seats
    plan, zones, river = _prepare(plan, zones, river)
    spread = K.load_spread(zones) if spread is None else spread
    day = (date or dt.date.today()).isoformat()
    parts = [
        tr(
            f"{len(plan)} 个派出所 · {len(zones)} 个防区",
            f"{len(plan)} stations · {len(zones)} zones",
        )
    ]
    if math.isfinite(spread):
        parts.append(tr(f"均衡防区负荷极差 {spread:.1%}", f"load spread {spread:.1%}"))
    parts.append(day)
    if estimated:
        parts.append(estimated)
    try:
        version = metadata.version("zoning")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        version = ""
    with _fonts():
        fig = Figure(figsize=A4_LANDSCAPE_IN, facecolor="white")
        fig.text(0.5, 0.952, title, ha="center", va="center", size=19, color=_INK, **_bold(_INK))
        fig.text(0.5, 0.912, " · ".join(parts), ha="center", va="center", size=10.5, color=_GREY)
        ax = fig.add_axes((0.025, 0.06, 0.66, 0.815))
        badges, names, stars = _draw_map(ax, plan, zones, river)
        # the Agg canvas only now: GeoSeries.plot redraws the canvas after every layer
        # (draw_idle), which on Agg renders the whole page each time; the figure's
        # default canvas draws nothing, and the page is rendered once, when saved
        FigureCanvasAgg(fig)
        _fit(ax, zones.total_bounds, A4_LANDSCAPE_IN)
        for spine in ax.spines.values():
            spine.set_edgecolor("#999999")
            spine.set_linewidth(0.6)
        ax.set_facecolor(K.BACKGROUND)
        _north_arrow(ax)
        _scale_bar(ax)
        ladder = ladder_from_report(report or {})
        insets = [] if ladder is None else [_frontier_inset(ax, zones, ladder)]
        _declutter(ax, names, stars, insets)
        has_river = river is not None and not river.empty
        reserve = 0.27 if before_after else 0.0
        legend_ax, bottom = _legend(fig, zones, plan, badges, has_river, reserve=reserve)
        if before_after:
            _before_after_box(legend_ax, before_after, min(bottom - 0.035, reserve))
        note = tr(
            f"草案，仅供讨论 · 坐标系 WGS84，横轴墨卡托投影 · 制图：zoning {version}",
            f"Draft for discussion · WGS84, transverse Mercator · made with zoning {version}",
        )
        fig.text(0.025, 0.025, note.strip(), size=7.5, color=_GREY, va="center")
        for text in fig.findobj(Text):
            text.set_parse_math(False)  # names are plain text: "$" never starts mathtext
        png, pdf = Path(path_png), Path(path_pdf)
        for out in (png, pdf):
            out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(png, dpi=dpi, facecolor="white")
        fig.savefig(pdf, facecolor="white", metadata={"Title": title, "Creator": "zoning"})
    return png, pdf
