"""The trade-off chart of the interactive map: load band against travel minutes.

:func:`frontier_chart_svg` draws the ladder of ``report.json`` (``frontier``,
see :mod:`zoning.decision.tradeoff`) as an inline SVG — band on x, the
incident-weighted mean and the longest minutes to the 中心所 on y, the plan
itself ringed, the :data:`zoning.settings.far_station_minutes` line dashed —
and :func:`add_frontier_panel` puts it in a collapsible panel (top left, under
the zoom buttons). The chart holds numbers and zoning's own labels only; the
panel's HTML (with the far-station note, whose station names are escaped) goes
into the map's JSON data block (:class:`~zoning.maps._page.PageData`) and the
panel (:class:`~zoning.maps._page.DataPanel`) reads it from there:
no user text is ever in a template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium

from zoning._i18n import tr
from zoning.decision.tradeoff import Ladder, ladder_from_report, status_text
from zoning.maps._page import DataPanel, PageData
from zoning.maps.style import esc

__all__ = ["add_frontier_panel", "frontier_chart_svg", "frontier_panel_html"]

MEAN_COLOUR = "#4477AA"
MAX_COLOUR = "#CC6677"
CHOSEN_COLOUR = "#C0392B"

PANEL_CSS = """
.zoning-tradeoff { padding: 5px 8px; font-size: 12px; line-height: 1.35; max-width: 300px; }
.zoning-tradeoff summary { font-weight: 700; cursor: pointer; }
.zoning-tradeoff svg { display: block; margin-top: 3px; }
.zoning-tradeoff .zt-note { color: #555; font-size: 11px; margin-top: 2px; }
.zoning-tradeoff .zt-far { color: #8B1A1A; }
"""


def band_label(band: float) -> str:
    """A band as a short percentage: ``0.1`` → ``10%``, ``0.135`` → ``13.5%``."""
    return f"{round(band * 100, 1):g}%"


def frontier_chart_svg(ladder: Ladder, *, width: int = 280, height: int = 170) -> str:
    """Inline SVG of the ladder (no script, no external reference)."""
    left, right, top, bottom = 30.0, 8.0, 20.0, 22.0
    pw, ph = width - left - right, height - top - bottom
    bands = ladder.bands
    step = pw / len(bands)

    def x(band: float) -> float:
        return left + (bands.index(round(band, 9)) + 0.5) * step

    def y(minutes: float) -> float:
        return top + ph * (1.0 - minutes / ladder.top)

    out = [
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(tr("负荷带与通行时间", "Load band and travel time"))}" '
        'xmlns="http://www.w3.org/2000/svg" font-size="10">'
    ]
    for frac in (0.0, 0.5, 1.0):  # grid and minute labels
        value = ladder.top * frac
        out.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{"#999" if frac == 0 else "#ddd"}" stroke-width="0.7"/>'
            f'<text x="{left - 4}" y="{y(value) + 3.5:.1f}" text-anchor="end" fill="#555">'
            f"{value:.0f}</text>"
        )
    if ladder.limit <= ladder.top:
        limit = esc(tr(f"{ladder.limit:.0f} 分钟", f"{ladder.limit:.0f} min"))
        out.append(
            f'<line x1="{left}" y1="{y(ladder.limit):.1f}" x2="{width - right}" '
            f'y2="{y(ladder.limit):.1f}" stroke="#888" stroke-width="0.8" '
            'stroke-dasharray="2,2"/>'
            f'<text x="{left + 3}" y="{y(ladder.limit) - 3:.1f}" text-anchor="start" '
            f'fill="#777" font-size="9">{limit}</text>'
        )
    for band in bands:  # x labels; a grey dash where the band has no plan
        out.append(
            f'<text x="{x(band):.1f}" y="{height - 8}" text-anchor="middle" fill="#333">'
            f"{band_label(band)}</text>"
        )
    for row in ladder.rows:
        if row.get("status") != "solved":
            out.append(
                f'<text x="{x(float(row["band"])):.1f}" y="{top + ph - 4:.1f}" '
                'text-anchor="middle" fill="#999" font-size="12">×</text>'
            )
    for index, colour, dash in ((1, MEAN_COLOUR, ""), (2, MAX_COLOUR, ' stroke-dasharray="4,2"')):
        line = " ".join(f"{x(p[0]):.1f},{y(p[index]):.1f}" for p in ladder.points)
        out.append(
            f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>'
        )
        for p in ladder.points:
            if index == 1:
                out.append(
                    f'<circle cx="{x(p[0]):.1f}" cy="{y(p[1]):.1f}" r="2.8" fill="{colour}"/>'
                )
            else:
                out.append(
                    f'<rect x="{x(p[0]) - 2.6:.1f}" y="{y(p[2]) - 2.6:.1f}" width="5.2" '
                    f'height="5.2" fill="{colour}"/>'
                )
    if ladder.chosen is not None:
        band, mean, far = ladder.chosen
        for value in (mean, far):
            out.append(
                f'<circle cx="{x(band):.1f}" cy="{y(value):.1f}" r="6" fill="none" '
                f'stroke="{CHOSEN_COLOUR}" stroke-width="1.6"/>'
            )
        out.append(
            f'<text x="{x(band):.1f}" y="{max(y(far) - 9, top - 2):.1f}" text-anchor="middle" '
            f'fill="{CHOSEN_COLOUR}" font-weight="700">{esc(tr("本方案", "this plan"))}</text>'
        )
    legend = (
        f'<circle cx="{left + 4}" cy="8" r="2.8" fill="{MEAN_COLOUR}"/>'
        f'<text x="{left + 10}" y="11.5" fill="#333">'
        f"{esc(tr('平均（按警情加权）', 'weighted mean'))}</text>"
        f'<rect x="{left + 124}" y="5.4" width="5.2" height="5.2" fill="{MAX_COLOUR}"/>'
        f'<text x="{left + 133}" y="11.5" fill="#333">{esc(tr("最远", "farthest"))}</text>'
        f'<text x="{left - 4}" y="11.5" text-anchor="end" fill="#555">'
        f"{esc(tr('分钟', 'min'))}</text>"
    )
    out.append(legend)
    out.append("</svg>")
    return "".join(out)


def frontier_panel_html(report: Mapping[str, Any]) -> str:
    """The panel's HTML: title, chart, notes and why stations are far from their
    中心所 (``far_stations``, station names escaped); empty without a solved rung."""
    ladder = ladder_from_report(report)
    if ladder is None:
        return ""
    notes = [
        band_label(float(r["band"])) + tr("：", ": ") + esc(status_text(r))
        for r in ladder.rows
        if r.get("status") != "solved"
    ]
    notes.append(
        esc(
            tr(
                "横轴：负荷带（各防区警情量极差上限）；各负荷带的方案见 frontier 文件夹",
                "x: load band (largest spread of the zone loads allowed); each band's plan is "
                "in the frontier folder",
            )
        )
    )
    far = report.get("far_stations")
    if isinstance(far, Mapping) and far.get("text"):
        notes.append(f'<span class="zt-far">{esc(far["text"])}</span>')
    note = "".join(f'<div class="zt-note">{n}</div>' for n in notes)
    title = esc(tr("权衡：负荷带与通行时间", "Trade-off: load band and travel time"))
    return f"<details open><summary>{title}</summary>{frontier_chart_svg(ladder)}{note}</details>"


def add_frontier_panel(m: folium.Map, data: PageData, report: Mapping[str, Any] | None) -> None:
    """Add the trade-off chart (top left) when the report has a solved rung; its HTML
    goes into the map's data block ``data`` (user text never in a template)."""
    html = frontier_panel_html(report or {})
    if html:
        DataPanel(
            data, "tradeoff", html, css=PANEL_CSS, class_name="zoning-tradeoff", position="topleft"
        ).add_to(m)
