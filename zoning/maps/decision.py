"""The decision parts of the interactive map: before/after panel, hour charts, station types.

Built from the ``report.json`` blocks of :mod:`zoning.workflow.decision`:

- :func:`before_after_html` — a small panel (bottom left) with today's arrangement
  and the plan side by side;
- :func:`zone_chart_svg` — an inline SVG (no script, no CDN) of a zone's incidents
  per hour of day with its peak hour marked, and per weekday, for the zone popup;
- :func:`add_station_types` — a layer (off until switched on) colouring each
  station by its incident-profile type, with the type in the tooltip.

Every user string (station, zone and type names) is escaped with
:func:`zoning.maps.style.esc`; the HTML reaches the page as JSON data set with
``innerHTML``, never as template source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd

from zoning._i18n import tr
from zoning._schema import STATION_NAME
from zoning.decision.display import before_after_rows
from zoning.decision.profiles import WEEKDAYS
from zoning.maps import style as K
from zoning.maps._page import DataPanel, PageData
from zoning.maps.style import esc

__all__ = [
    "TYPE_COLOURS",
    "add_before_after_panel",
    "add_station_types",
    "before_after_html",
    "zone_chart_svg",
    "zone_charts",
]

#: Colours of the station types (colour-blind safe, distinct from the zone fills' outlines).
TYPE_COLOURS = ("#332288", "#DDCC77", "#117733", "#CC6677", "#88CCEE", "#AA4499", "#44AA99")

PANEL_CSS = """
.zoning-ba { padding: 6px 9px; font-size: 12px; line-height: 1.35; }
.zoning-ba .zl-h { font-weight: 700; margin-bottom: 3px; }
.zoning-ba table { border-collapse: collapse; }
.zoning-ba th, .zoning-ba td { padding: 1px 6px; text-align: right; white-space: nowrap; }
.zoning-ba th:first-child, .zoning-ba td:first-child { text-align: left; color: #444; }
.zoning-ba thead th { border-bottom: 1px solid #999; }
.zoning-ba .zb-note { color: #666; font-size: 11px; margin-top: 3px; max-width: 300px;
  white-space: normal; }
.zp-chart { margin-top: 6px; }
.zp-chart svg { display: block; }
"""


def before_after_html(ba: Mapping[str, Any], names: Mapping[str, str] | None = None) -> str:
    """The before/after panel: measures of today's arrangement and of the plan."""
    rows = before_after_rows(ba)
    body = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows)
    head = (
        f"<thead><tr><th></th><th>{tr('现状', 'Today')}</th>"
        f"<th>{tr('方案', 'Plan')}</th></tr></thead>"
    )
    base = esc((ba.get("baseline") or {}).get("text"))
    n = ba.get("stations_moved")
    moved = tr(
        f"{K.fmt(n)} 个所调整防区",
        f"{K.fmt(n)} station changes zone" if n == 1 else f"{K.fmt(n)} stations change zone",
    )
    note = f'<div class="zb-note">{tr("现状：", "Today: ")}{base}{tr("；", "; ")}{moved}</div>'
    title = tr("方案前后对比", "Before and after")
    return f'<div class="zl-h">{title}</div><table>{head}<tbody>{body}</tbody></table>{note}'


def add_before_after_panel(m: folium.Map, data: PageData, ba: Mapping[str, Any]) -> None:
    """Add the before/after panel (bottom left) to a map; its HTML goes into the map's
    data block ``data`` (no user text in a template)."""
    DataPanel(
        data,
        "before_after",
        before_after_html(ba),
        css=PANEL_CSS,
        class_name="zoning-ba",
        position="bottomleft",
    ).add_to(m)


def _bars(
    values: Sequence[float],
    labels: Sequence[str],
    *,
    x0: float,
    y0: float,
    width: float,
    height: float,
    highlight: int | None,
    colour: str,
) -> str:
    top = max(max(values, default=0.0), 1e-9)
    n = len(values)
    step = width / n
    out = []
    for i, v in enumerate(values):
        h = height * float(v) / top
        fill = "#C0392B" if i == highlight else colour
        out.append(
            f'<rect x="{x0 + i * step + 0.5:.1f}" y="{y0 + height - h:.1f}" '
            f'width="{max(step - 1, 1):.1f}" height="{h:.1f}" fill="{fill}"/>'
        )
    for i, label in enumerate(labels):
        if label:
            out.append(
                f'<text x="{x0 + (i + 0.5) * step:.1f}" y="{y0 + height + 10:.1f}" '
                f'font-size="9" text-anchor="middle" fill="#555">{esc(label)}</text>'
            )
    out.append(
        f'<line x1="{x0}" y1="{y0 + height:.1f}" x2="{x0 + width}" y2="{y0 + height:.1f}" '
        'stroke="#999" stroke-width="0.6"/>'
    )
    return "".join(out)


def zone_chart_svg(profile: Mapping[str, Any], colour: str = "#4477AA") -> str:
    """Inline SVG: incidents per hour of day (peak in red) and per weekday."""
    hours = [float(v) for v in profile.get("hours") or []]
    days = [float(v) for v in profile.get("weekdays") or []]
    if len(hours) != 24:
        return ""
    peak = profile.get("peak_hour")
    hour_labels = [str(h) if h % 6 == 0 else "" for h in range(24)]
    day_labels = [tr(zh[-1], en[0]) for zh, en in WEEKDAYS]
    per_day = K.fmt(profile.get("peak_hour_per_day"), 1)
    title = tr(
        f"各时段警情（高峰 {K.fmt(peak)} 时，日均 {per_day} 起）",
        f"Incidents by hour (peak {K.fmt(peak)}:00, "
        f"{K.fmt(profile.get('peak_hour_per_day'), 1)} a day)",
    )
    svg = (
        '<svg width="300" height="86" viewBox="0 0 300 86" role="img" '
        f'aria-label="{esc(title)}" xmlns="http://www.w3.org/2000/svg">'
        + _bars(
            hours,
            hour_labels,
            x0=2,
            y0=4,
            width=206,
            height=64,
            highlight=int(peak) if peak is not None else None,
            colour=colour,
        )
        + (
            _bars(
                days,
                day_labels,
                x0=220,
                y0=4,
                width=78,
                height=64,
                highlight=None,
                colour="#999999",
            )
            if len(days) == 7
            else ""
        )
        + "</svg>"
    )
    caption = f'<div style="font-size:12px;color:#444">{esc(title)}</div>'
    return f'<div class="zp-chart">{caption}{svg}</div>'


def zone_charts(profiles: Mapping[str, Any] | None) -> dict[int, str]:
    """Zone → chart HTML for the popups (empty without time profiles)."""
    time = (profiles or {}).get("time") or {}
    return {int(z["zone"]): zone_chart_svg(z) for z in time.get("zones") or []}


def add_station_types(
    m: folium.Map, plan: gpd.GeoDataFrame, types: Mapping[str, Any] | None
) -> None:
    """A layer (off by default) colouring stations by their incident-profile type."""
    if not types or "station_type" not in plan.columns:
        return
    names = [t["name"] for t in types.get("types") or []]
    colours = {n: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, n in enumerate(names)}
    feats = []
    for i, (idx, geom) in enumerate(
        zip(plan.index, K.light_geoms(plan.geometry.values), strict=True)
    ):
        kind = plan.at[idx, "station_type"]
        if K.missing(kind):
            continue
        feats.append(
            {
                "type": "Feature",
                "id": f"t{i}",
                "properties": {
                    "colour": colours.get(str(kind), K.SPARE_COLOUR),
                    "t_name": esc(plan.at[idx, STATION_NAME]),
                    "t_type": esc(kind),
                },
                "geometry": geom.__geo_interface__,
            }
        )
    if not feats:
        return
    legend = "".join(
        f'<div style="font-size:11px;margin-left:20px"><span style="color:{colours[n]}">■</span>'
        f" {esc(n)}</div>"
        for n in names
    )
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name=tr("派出所类型（警情构成）", "Station types (incident profile)") + legend,
        show=False,
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.75,
            "color": "#333333",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["t_name", "t_type"],
            aliases=[tr("派出所", "Station"), tr("类型", "Type")],
            sticky=True,
        ),
    ).add_to(m)
