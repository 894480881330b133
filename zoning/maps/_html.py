"""HTML and CSS of the interactive maps: page style, symbols, zone popups, legend.

Every value that comes from the user's data is escaped with
:func:`zoning.maps.style.esc` before it is placed in the HTML built here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from zoning._i18n import tr
from zoning._schema import (
    CENTER_NAME,
    IS_CENTER,
    IS_URBAN_CORE,
    LOAD,
    LOAD_PER_OFFICER,
    OFFICERS,
    SHARE,
    STATION_NAME,
    ZONE,
)
from zoning.maps import style as K
from zoning.maps.style import esc

#: Page style; fill in with :func:`page_css`.
CSS_TEMPLATE = """
.leaflet-container { background: %(bg)s; font-family: %(font)s; }
.leaflet-heatmap-layer { pointer-events: none; }
.leaflet-control-scale-line:not(:first-child) { display: none; }
.zoning-label, .zoning-star, .zoning-base { background: none; border: none; }
.zoning-label > span { position: absolute; left: 0; top: 0; white-space: nowrap; color: #1a1a1a;
  transform: translate(-50%%, -50%%); font-size: 12px; line-height: 1.2;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.zoning-label.zl-below > span { transform: translate(-50%%, 3px); }
.zoning-label.zl-zone > span { font-size: 15px; font-weight: 700; padding: 1px 7px;
  border-radius: 10px; border: 2px solid; background: rgba(255,255,255,.88); text-shadow: none; }
.zoning-label.zl-zone.zl-above > span { transform: translate(-50%%, calc(-100%% - 3px)); }
.zoning-label.zl-below.zl-star > span { transform: translate(-50%%, 12px); }
.zoning-label.zl-zone.zl-above.zl-star > span { transform: translate(-50%%, calc(-100%% - 13px)); }
.zoning-star svg { display: block; filter: drop-shadow(0 0 1px #fff); }
.zb { display: inline-block; flex: none; width: 16px; height: 16px; box-sizing: border-box;
  border: 1.5px solid #fff; color: #fff; font: 700 10px/13px %(font)s; text-align: center;
  box-shadow: 0 0 0 1px rgba(0,0,0,.55); }
.zoning-base .zb { display: block; }
.zb-case { background: %(case)s; border-radius: 2px; }
.zb-comm { background: %(comm)s; border-radius: 50%%; }
.zoning-box { background: rgba(255,255,255,.94); border-radius: 6px; color: #1a1a1a;
  box-shadow: 0 1px 5px rgba(0,0,0,.35); font-family: %(font)s; }
.zoning-title { position: absolute; top: 10px; left: 50%%; transform: translateX(-50%%);
  z-index: 1000; padding: 6px 16px; text-align: center; max-width: 55%%; }
.zoning-title .zt-main { font-size: 20px; font-weight: 700; }
.zoning-title .zt-sub { font-size: 12px; color: #555; margin-top: 2px; }
.zoning-legend { padding: 8px 10px; font-size: 13px; line-height: 1.5; max-width: 340px; }
.zoning-legend .zl-h { font-weight: 700; margin-bottom: 3px; }
.zoning-legend .zl-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.zoning-legend .zl-sw { flex: none; width: 16px; height: 12px; border: 1px solid #333;
  opacity: .65; }
.zoning-legend .zl-num { color: #555; font-size: 12px; margin-left: auto; padding-left: 8px; }
.zoning-legend .zl-line { flex: none; width: 16px; border-top: 3px solid %(river)s; }
.zoning-legend .zl-moved { flex: none; width: 12px; height: 8px; border: 2px dashed %(moved)s; }
.foliumtooltip, .foliumpopup { font-family: %(font)s; font-size: 13px; }
.foliumtooltip table { margin: auto; }
.foliumpopup { margin: auto; }
.foliumtooltip tr { text-align: left; }
.foliumtooltip th { padding: 2px; }
.foliumtooltip th, .foliumpopup th { text-align: left; padding-right: 8px; color: #555; }
.zp-h { font-size: 15px; font-weight: 700; margin-bottom: 4px; }
.zp-h i { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
  border: 1px solid #333; }
.zp th { white-space: nowrap; vertical-align: top; }
.zp td { min-width: 150px; max-width: 280px; white-space: normal; }
.zp .zp-caveat { color: #8E0F1A; }
.zp .zb { width: 14px; height: 14px; font-size: 9px; line-height: 11px; margin-right: 4px;
  vertical-align: -2px; }
"""
STAR_SVG = (
    '<svg width="{s}" height="{s}" viewBox="0 0 24 24" aria-hidden="true">'
    '<path d="M12 1.6l3.1 6.6 7.2.9-5.3 5 1.4 7.1L12 17.7l-6.4 3.5 1.4-7.1-5.3-5 7.2-.9z" '
    f'fill="{K.STAR_FILL}" stroke="#1a1a1a" stroke-width="1.4" stroke-linejoin="round"/></svg>'
)
#: Page script: lay the names out again at every zoom (mirrors
#: :func:`zoning.maps.declutter.place_labels`). Zone names first, then 中心所
#: names, then the other stations; each takes its own place or the first of
#: rings of eight places around its point that covers no name placed before it,
#: no star or badge. Zone and 中心所 names always show (the
#: least-covered place when none is clear); another station's name that finds
#: no clear place in the first ring is hidden at this zoom (its tooltip still
#: names it). ``container.dataset.zoningLaidOut`` holds the zoom last laid out
#: once the page's fonts have loaded (names measured in a fallback font may differ).
DECLUTTER_JS = """
function zoningDeclutter(map) {
    // boxes in the map container's pixels, from the markers' positions and the
    // names' own sizes and CSS offsets (not from the screen, which lags during a zoom)
    var gap = 2, names = [], placed = [];
    (window.zoningMarkers || []).forEach(function (mk, i) {
        var el = mk.getElement();
        if (!el || !map.hasLayer(mk)) { return; }
        var p = map.latLngToContainerPoint(mk.getLatLng());
        var span = el.firstElementChild;
        if (el.classList.contains("zoning-label") && span) {
            span.style.translate = "";
            span.style.visibility = "";
            var c = el.classList;
            var rank = c.contains("zl-zone") ? 0 : (c.contains("zl-star") ? 1 : 2);
            var t = new DOMMatrixReadOnly(getComputedStyle(span).transform);
            var w = span.offsetWidth, h = span.offsetHeight;
            names.push({rank: rank, i: i, span: span, x: p.x, y: p.y, w: w, h: h,
                        cx: t.m41 + w / 2, cy: t.m42 + h / 2});
        } else {
            var left = p.x + (parseFloat(el.style.marginLeft) || 0);
            var top = p.y + (parseFloat(el.style.marginTop) || 0);
            placed.push({left: left, top: top, right: left + el.offsetWidth,
                         bottom: top + el.offsetHeight});
        }
    });
    names.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
    var hit = function (a, b) {
        var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        return w > 1 && h > 1 ? w * h : 0;  // touching by a pixel's rounding is not a clash
    };
    names.forEach(function (n) {
        if (!n.w) { return; }
        var cands = [[n.cx, n.cy]];
        var rings = n.rank === 2 ? 1 : 3;
        for (var k = 0; k < rings; k++) {
            var d = gap + k * (n.h + gap), ax = n.w / 2 + d, ay = n.h / 2 + d;
            cands.push([0, -ay], [0, ay], [ax, 0], [-ax, 0],
                       [ax, -ay], [-ax, -ay], [ax, ay], [-ax, ay]);
        }
        var best = null;
        for (var c = 0; c < cands.length; c++) {
            var x = n.x + cands[c][0], y = n.y + cands[c][1];
            var box = {left: x - n.w / 2 - gap / 2, right: x + n.w / 2 + gap / 2,
                       top: y - n.h / 2 - gap / 2, bottom: y + n.h / 2 + gap / 2};
            var cost = 0;
            placed.forEach(function (q) { cost += hit(box, q); });
            if (best === null || cost < best[0] - 1e-6) { best = [cost, c, box]; }
            if (cost <= 1e-6) { break; }
        }
        if (best[0] > 1e-6 && n.rank === 2) {
            n.span.style.visibility = "hidden";
            return;
        }
        if (best[1] > 0) {
            var move = cands[best[1]];
            n.span.style.translate = (move[0] - n.cx) + "px " + (move[1] - n.cy) + "px";
        }
        placed.push(best[2]);
    });
    if (!document.fonts || document.fonts.status === "loaded") {
        // names measured in the page's own fonts
        map.getContainer().dataset.zoningLaidOut = String(map.getZoom());
    }
}
"""

CASE_BADGE = '<span class="zb zb-case">案</span>'
COMM_BADGE = '<span class="zb zb-comm">社</span>'
#: Team-base badge size (px) and offsets from the station seat, right of the 中心所 star.
BADGE = 16
BADGE_DX = {K.IS_CASE_BASE: 19, K.IS_COMMUNITY_BASE: 37}


def team_names(row: pd.Series, members: pd.DataFrame, name_col: str, flag_col: str) -> str:
    """Escaped name of a zone's team base: the zones column, else the plan flag."""
    name = row.get(name_col)
    if K.missing(name) or not str(name):
        hosts = members.loc[K.flags(members, flag_col), STATION_NAME] if len(members) else []
        name = tr("、", ", ").join(map(str, hosts))
    return esc(name)


def table_html(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table (label, value) of HTML pieces that are already escaped."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def zone_popup(row: pd.Series, colour: str, members: pd.DataFrame) -> str:
    """Popup HTML of one zone: centre, reason, teams, load, officers, travel, stations."""
    is_center = K.flags(members, IS_CENTER)
    ordered = pd.concat([members[is_center], members[~is_center]])
    names = [
        ("★" if c else "") + esc(n)
        for n, c in zip(ordered[STATION_NAME], is_center[ordered.index], strict=True)
    ]
    tag = tr("（城关）", " (urban core)") if K.truthy(row.get(IS_URBAN_CORE)) else ""
    rows = [(tr("中心所", "Centre station"), "★" + (esc(row.get(CENTER_NAME)) or "—"))]
    if reason := esc(row.get(K.CENTER_REASON)):
        rows.append((tr("选址理由", "Why here"), reason))
    for flag, name_col, badge, label in (
        (K.IS_CASE_BASE, K.CASE_TEAM_NAME, CASE_BADGE, tr("执法办案队", "Case team")),
        (
            K.IS_COMMUNITY_BASE,
            K.COMMUNITY_TEAM_NAME,
            COMM_BADGE,
            tr("社区警务队", "Community team"),
        ),
    ):
        if name := team_names(row, members, name_col, flag):
            rows.append((label, badge + name))
    rows += [
        (
            tr("警情负荷", "Incident load"),
            f"{K.load_fmt(row.get(LOAD))}（{K.pct(row.get(SHARE))}）",
        ),
        (tr("警力", "Officers"), K.fmt(row.get(OFFICERS))),
        (tr("每名民警警情", "Load per officer"), K.fmt(row.get(LOAD_PER_OFFICER), 1)),
    ]
    rows += travel_rows(row)
    rows.append(
        (tr(f"派出所（{len(names)}）", f"Stations ({len(names)})"), tr("、", ", ").join(names))
    )
    head = f'<div class="zp-h"><i style="background:{colour}"></i>{esc(row["_name"])}{tag}</div>'
    return f'<div class="zp">{head}{table_html(rows)}</div>'


def travel_rows(row: pd.Series) -> list[tuple[str, str]]:
    """Travel-time rows (from the 中心所), only for the columns the zones frame has."""
    rows = []
    minutes = tr(" 分钟", " min")
    note = K.travel_method(row.get(K.TRAVEL_METHOD))
    note = f'<br><small style="color:#666">{note}</small>' if note else ""
    if K.MAX_MINUTES in row.index:
        rows.append(
            (tr("最长通行时间", "Longest travel time"), K.fmt(row[K.MAX_MINUTES], 1) + minutes)
        )
    if K.MEAN_MINUTES in row.index:
        rows.append(
            (tr("平均通行时间", "Mean travel time"), K.fmt(row[K.MEAN_MINUTES], 1) + minutes)
        )
    if K.SHARE_WITHIN_T in row.index:
        t = K.num(row.get(K.WITHIN_MINUTES))
        label = tr(f"{t:g} 分钟内可达", f"Within {t:g} min") if math.isfinite(t) else None
        rows.append(
            (label or tr("时限内可达", "Within the time target"), K.pct(row[K.SHARE_WITHIN_T]))
        )
    if rows and note:
        rows[-1] = (rows[-1][0], rows[-1][1] + note)
    caveat = row.get(K.TRAVEL_CAVEAT)
    if not K.missing(caveat) and str(caveat):
        rows.append((tr("注意", "Note"), f'<span class="zp-caveat">{esc(caveat)}</span>'))
    return rows


def legend_html(
    zones: pd.DataFrame, colours: dict[int, str], *, river: bool, teams: set[str]
) -> str:
    """Legend HTML: zones with load and share, then the symbols on the map."""
    rows = []
    for _, z in zones.iterrows():
        share = K.num(z.get(SHARE))
        num = K.load_fmt(z.get(LOAD)) + (f" · {share * 100:.0f}%" if math.isfinite(share) else "")
        tag = tr("（城关）", " (urban core)") if K.truthy(z.get(IS_URBAN_CORE)) else ""
        rows.append(
            f'<div class="zl-row"><span class="zl-sw" style="background:{colours[int(z[ZONE])]}">'
            f'</span><span>{esc(z["_name"])}{tag}</span><span class="zl-num">{num}</span></div>'
        )
    symbols = [(STAR_SVG.format(s=16), tr("中心所", "Centre station"))]
    if K.IS_CASE_BASE in teams:
        symbols.append((CASE_BADGE, tr("执法办案队驻地", "Case team base")))
    if K.IS_COMMUNITY_BASE in teams:
        symbols.append((COMM_BADGE, tr("社区警务队驻地", "Community team base")))
    if river:
        symbols.append(('<span class="zl-line"></span>', tr("河流", "River")))
    rows += [f'<div class="zl-row">{icon}<span>{text}</span></div>' for icon, text in symbols]
    head = tr("防区（警情负荷 · 占比）", "Zones (incident load · share)")
    return f'<div class="zl-h">{head}</div>' + "".join(rows)


def page_css() -> str:
    """The page style (colours and fonts filled in)."""
    return CSS_TEMPLATE % {
        "bg": K.BACKGROUND,
        "font": K.FONT_STACK,
        "river": K.RIVER_COLOUR,
        "moved": K.MOVED_COLOUR,
        "case": K.CASE_TEAM_COLOUR,
        "comm": K.COMMUNITY_TEAM_COLOUR,
    }


def title_html(title: str, n_stations: int, n_zones: int, note: str = "") -> str:
    """Title box content: the (escaped) title and a subtitle with the counts."""
    sub = tr(
        f"{n_stations} 个派出所 · {n_zones} 个防区", f"{n_stations} stations · {n_zones} zones"
    )
    return f'<div class="zt-main">{esc(title)}</div><div class="zt-sub">{sub}{esc(note)}</div>'
