"""``report.docx``: the 方案说明 (explanatory note) of a plan, for the bureau's 请示.

Written with python-docx FROM the ``report.json`` dictionary only, so the
document and the report cannot disagree: every figure in it is a value of the
report (formatted), every name a string of it. Nothing passes through a template
engine; user text (station, zone and county names, reasons) is inserted as plain
text runs, which Word and WPS never interpret.

Layout: A4 portrait, 宋体 body text (Times New Roman for Latin letters and
digits), 黑体 headings, tables with a repeated, shaded header row, page numbers
in the footer. Sections (those whose data is in the report):

一、背景与原则 — the guideline's rules as applied; 二、方案总表; 三、各防区情况 (one
sub-section per zone: stations, 中心所 and why, team bases, load, officers,
travel, busiest hour); 四、方案前后对比; 五、警力调配测算; 六、警情时段与派出所类型;
七、备选方案 (the ``frontier`` of plans and ranked ``alternatives``, when present);
八、方案示意图 (``map.png``); 九、数据来源与警情台账.

English with ``--lang en`` (the active language of :func:`zoning._i18n.tr`).

Examples
--------
>>> document_from_report(json.load(open("report.json")), "report.docx",
...                      map_png="map.png")  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zoning._i18n import tr
from zoning.decision.profiles import WEEKDAYS, feature_label
from zoning.decision.tradeoff import status_text

__all__ = ["document_from_report"]

_BODY_PT = 12  # 小四
_TABLE_PT = 10.5  # 五号
_CN_NUM = "一二三四五六七八九十"
_LATIN = "Times New Roman"
_SONG = "宋体"
_HEI = "黑体"
#: Characters XML 1.0 cannot hold (python-docx would raise on them).
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- number formats (the only way numbers enter the document) ----------------


def _ok(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def n0(v: Any) -> str:
    """Whole number with thousands separators (``—`` when missing)."""
    return f"{v:,.0f}" if _ok(v) else "—"


def n1(v: Any) -> str:
    """One decimal."""
    return f"{v:,.1f}" if _ok(v) else "—"


def pct(v: Any) -> str:
    """Percentage with one decimal (0.123 → 12.3%)."""
    return f"{v:.1%}" if _ok(v) else "—"


def signed_pct(v: Any) -> str:
    """Signed percentage (−6.5% / +9.2%)."""
    if not _ok(v):
        return "—"
    return ("+" if v > 0 else "−" if v < 0 else "") + f"{abs(v):.1%}"


def _text(v: Any) -> str:
    return _BAD_XML.sub("", "" if v is None else str(v))


def _listed(v: Any) -> str:
    """A report's list of names (joined by 、 in a Chinese run, by ", " in an English
    one) as this document's language lists them."""
    text = _text(v)
    return tr(text.replace(", ", "、"), text.replace("、", ", "))


# --- document helpers ----------------------------------------------------------


def _set_fonts(run: Any, east: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = _LATIN
    run.font.bold = bold or None
    if size:
        run.font.size = Pt(size)
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east)
    fonts.set(qn("w:ascii"), _LATIN)
    fonts.set(qn("w:hAnsi"), _LATIN)


class _Doc:
    """A python-docx document with the few paragraph kinds the note uses."""

    def __init__(self) -> None:
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2.54)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.doc.styles["Normal"]
        normal.font.name = _LATIN
        normal.font.size = Pt(_BODY_PT)
        rpr = normal.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), _SONG)
        normal.paragraph_format.line_spacing = 1.35
        normal.paragraph_format.space_after = Pt(3)
        for level, size in ((1, 15), (2, 13)):
            style = self.doc.styles[f"Heading {level}"]
            style.font.name = _LATIN
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = None
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), _HEI)
            style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
            style.paragraph_format.space_after = Pt(6 if level == 1 else 4)
            style.paragraph_format.keep_with_next = True
        self._page_numbers(section)
        self.width_cm = 21.0 - 2.8 - 2.6

    def _page_numbers(self, section: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        para = section.footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run()
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._element.append(el)
        _set_fonts(run, _SONG, 10.5)

    def title(self, text: str, sub: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(6)
        p.paragraph_format.space_after = Pt(4)
        _set_fonts(p.add_run(_text(text)), _HEI, 20, bold=True)
        s = self.doc.add_paragraph()
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER
        s.paragraph_format.space_after = Pt(14)
        _set_fonts(s.add_run(_text(sub)), _SONG, 14)

    def heading(self, text: str, level: int = 1) -> None:
        h = self.doc.add_heading(level=level)
        _set_fonts(h.add_run(_text(text)), _HEI, 15 if level == 1 else 13, bold=True)

    def para(self, *parts: str | tuple[str, bool], indent: bool = True) -> None:
        """A body paragraph; ``(text, True)`` parts are bold."""
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(2 * _BODY_PT)
        for part in parts:
            text, bold = part if isinstance(part, tuple) else (part, False)
            _set_fonts(p.add_run(_text(text)), _SONG, _BODY_PT, bold=bold)

    def item(self, label: str, text: str) -> None:
        """A labelled line: bold label, then the text (hanging)."""
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.left_indent = Pt(2 * _BODY_PT)
        _set_fonts(p.add_run(_text(label)), _HEI, _BODY_PT)
        _set_fonts(p.add_run(_text(text)), _SONG, _BODY_PT)

    def note(self, text: str) -> None:
        from docx.shared import Pt, RGBColor

        p = self.doc.add_paragraph()
        p.paragraph_format.space_after = Pt(8)
        run = p.add_run(_text(text))
        _set_fonts(run, _SONG, 9)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float] | None = None,
        numeric: Sequence[int] = (),
        bold_last: bool = False,
    ) -> None:
        """A grid table: shaded header row repeated on each page, rows kept whole."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        if self.doc.paragraphs:  # the sentence introducing a table stays with it
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if widths:  # fixed layout: Word, WPS and LibreOffice all honour the grid then
            table.autofit = False
            scale = min(1.0, self.width_cm / sum(widths))
            widths = [w * scale for w in widths]
            for j, w in enumerate(widths):
                table.columns[j].width = Cm(w)
            layout = OxmlElement("w:tblLayout")
            layout.set(qn("w:type"), "fixed")
            table._tbl.tblPr.append(layout)
        # each row's cells fetched once: table.cell(i, j) lists every cell of the table
        # on each call (quadratic in the size of the table)
        for i, (table_row, row) in enumerate(zip(table.rows, [header, *rows], strict=True)):
            tr_el = table_row._tr
            cells = table_row.cells
            props = tr_el.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            props.append(cant)
            if i == 0:
                head = OxmlElement("w:tblHeader")
                props.append(head)
            for j, value in enumerate(row):
                cell = cells[j]
                if widths:
                    cell.width = Cm(widths[j])
                para = cell.paragraphs[0]
                para.paragraph_format.space_after = Pt(0)
                para.paragraph_format.line_spacing = 1.1
                # a table may break between rows, never after its header or before its last rows
                keep = i < 3 or i >= len(rows) - 2
                para.paragraph_format.keep_with_next = keep and i < len(rows)
                if i == 0:
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif j in numeric:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                bold = i == 0 or (bold_last and i == len(rows))
                _set_fonts(para.add_run(_text(value)), _HEI if i == 0 else _SONG, _TABLE_PT, bold)
                if i == 0:
                    shade = OxmlElement("w:shd")
                    shade.set(qn("w:val"), "clear")
                    shade.set(qn("w:color"), "auto")
                    shade.set(qn("w:fill"), "DCE4EE")
                    cell._tc.get_or_add_tcPr().append(shade)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def section(self, *, landscape: bool) -> None:
        """Start a new page section, A4 landscape or portrait (same margins, same footer)."""
        from docx.enum.section import WD_ORIENT, WD_SECTION
        from docx.shared import Cm

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        long, short = Cm(29.7), Cm(21.0)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        if landscape:
            section.top_margin = section.bottom_margin = Cm(1.6)
            section.left_margin = section.right_margin = Cm(2.0)
        else:
            section.top_margin = section.bottom_margin = Cm(2.54)
            section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def picture(self, path: Path, caption: str, *, width_cm: float, height_cm: float) -> None:
        """A picture scaled to fit ``width_cm`` × ``height_cm``, centred, with a caption."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm, Emu, Pt

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(2)
        picture = p.add_run().add_picture(str(path), width=Cm(width_cm))
        if picture.height > Cm(height_cm):
            ratio = Cm(height_cm) / picture.height
            picture.height = Cm(height_cm)
            picture.width = Emu(int(picture.width * ratio))
        c = self.doc.add_paragraph()
        c.alignment = WD_ALIGN_PARAGRAPH.CENTER
        c.paragraph_format.space_after = Pt(0)
        _set_fonts(c.add_run(_text(caption)), _SONG, 10.5)

    def save(self, path: Path, title: str) -> Path:
        self.doc.core_properties.title = _text(title)
        self.doc.core_properties.author = "zoning"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(str(path))
        return path


# --- the sections -----------------------------------------------------------------


def _names(report: Mapping[str, Any]) -> dict[str, str]:
    """Station id → name, from every zone's candidates."""
    out: dict[str, str] = {}
    for z in report.get("zones") or []:
        for c in z.get("center_candidates") or []:
            out[str(c["station_id"])] = str(c["station_name"])
    return out


def _zone_label(report: Mapping[str, Any]) -> dict[int, str]:
    return {int(z["zone"]): str(z.get("zone_name") or z["zone"]) for z in report.get("zones") or []}


def _section_no(i: int) -> str:
    return tr(f"{_CN_NUM[i - 1]}、", f"{i}. ") if i <= len(_CN_NUM) else f"{i}. "


def _background(d: _Doc, report: Mapping[str, Any], names: Mapping[str, str]) -> None:
    sc = report.get("scenario") or {}
    guide = report.get("guideline") or {}
    core = report.get("urban_core")
    core_name = names.get(str(core), str(core)) if core else None
    d.para(
        tr(
            f"按照“多所连片”警务运行机制的要求，本方案将全县 {n0(report.get('n_stations'))} "
            f"个派出所划分为 {n0(report.get('n_zones'))} 个防区，每个防区设中心所（综合指挥室），"
            "并明确执法办案队、社区警务队的驻地。方案由 zoning 按以下原则计算生成，供会议讨论。",
            f"Following the cross-station (多所连片) policing model, this plan groups the county's "
            f"{n0(report.get('n_stations'))} police stations into {n0(report.get('n_zones'))} "
            "zones, each with a central station (command room) and bases for its case team and "
            "community team. It was computed by zoning on the principles below, for discussion.",
        )
    )
    max_zones = guide.get("max_zones")
    limit = (
        tr(f"每县不超过 {n0(max_zones)} 个防区；", f"at most {n0(max_zones)} zones per county; ")
        if _ok(max_zones)
        else ""
    )
    d.item(
        tr("防区数量：", "Number of zones: "),
        limit
        + tr(
            f"本方案 {n0(report.get('n_zones'))} 个。",
            f"this plan has {n0(report.get('n_zones'))}.",
        ),
    )
    d.item(
        tr("城关单独成区：", "Urban core alone: "),
        tr(f"{core_name}单独成区，不与农村派出所合并。", f"{core_name} forms a zone on its own.")
        if core_name
        else tr("本县未指定城关所，全部防区参与均衡。", "No urban core: every zone is balanced."),
    )
    added = (report.get("graph") or {}).get("added_links") or []
    extra = (
        tr(
            f"另有 {n0(len(added))} 处无共同边界的连接（孤岛或指定连接）。",
            f" {n0(len(added))} links without a shared boundary were added (islands or forced).",
        )
        if added
        else ""
    )
    d.item(
        tr("辖区相邻：", "Adjacency: "),
        tr(
            f"同一防区内的派出所辖区相互连通（共用边界不少于 {n0(sc.get('min_shared_m'))} 米"
            f"才算相邻）；防区之间切断的相邻关系共 {n0(report.get('cut_edges'))} 处。{extra}",
            f"each zone's station areas are connected (areas sharing at least "
            f"{n0(sc.get('min_shared_m'))} m of boundary are adjacent); "
            f"{n0(report.get('cut_edges'))} adjacencies lie between zones.{extra}",
        ),
    )
    solver = report.get("solver") or {}
    d.item(
        tr("警情均衡：", "Balanced load: "),
        tr(
            "城关以外各防区的警情量尽量相等，"
            f"极差（最大−最小）/平均为 {pct(report.get('spread'))}，"
            f"最大偏差 {pct(report.get('max_dev'))}；求解状态：{_text(solver.get('status'))}。",
            f"the load of the zones other than the urban core is as equal as possible: spread "
            f"(max − min) / mean {pct(report.get('spread'))}, largest deviation "
            f"{pct(report.get('max_dev'))}; solver status: {_text(solver.get('status'))}.",
        ),
    )
    _objective(d, report)
    basis = ((report.get("profiles") or {}).get("similarity") or {}).get("basis")
    what = {
        "profile": tr("警情类别与时段构成", "incident categories and times of day"),
        "category": tr("警情类别构成", "incident categories"),
    }.get(str(basis), "")
    d.item(
        tr("警情相似：", "Similar incidents: "),
        tr(
            f"在均衡的前提下，同一防区内各所的{what}尽量相近（次要目标，权重 "
            f"{n1(sc.get('similarity_weight'))}）。",
            f"within the balance, stations of a zone have similar {what} (a secondary goal, "
            f"weight {n1(sc.get('similarity_weight'))}).",
        )
        if what
        else tr(
            "警情量来自统计数据，无类别构成，未计入相似度。",
            "The load comes from a total column: no similarity term.",
        ),
    )
    d.item(
        tr("中心所选址：", "Central stations: "),
        tr(
            "综合人口、面积、警情量、刑事治安占比和到区内各所的通行时间评分；"
            "执法办案队设在有办案区的所，社区警务队设在社区（村居）最多的所。",
            "scored on population, area, load, share of criminal and public-order incidents and "
            "travel time to the zone's stations; the case team sits where there is a "
            "case-handling area, the community team where there are most communities.",
        ),
    )


def _objective(d: _Doc, report: Mapping[str, Any]) -> None:
    """Why stations are far from their 中心所 (``far_stations``), then what the plan
    optimised (the travel objective), the band used and why."""
    figures = report.get("travel_figures") or {}
    band = report.get("band") or {}
    far = report.get("far_stations")
    if isinstance(far, Mapping) and far.get("text"):
        d.item(tr("远离中心所：", "Far from the 中心所: "), _text(far.get("text")))
    if report.get("objective") != "travel" or not _ok(figures.get("mean_minutes")):
        return
    solver = report.get("solver") or {}
    proven = (
        tr("已证明最优", "proven optimal")
        if solver.get("status") == "optimal"
        else tr(
            f"未证明最优，与下界相差至多 {pct(solver.get('gap'))}",
            f"not proven optimal, at most {pct(solver.get('gap'))} above the lower bound",
        )
    )
    raised = ""
    if band.get("reason") in ("min_spread_plus_step", "heuristic_spread_plus_step"):
        raised = tr(
            f"（{pct(band.get('requested'))} 内没有连片方案，最小可达极差为 "
            f"{pct(band.get('min_spread'))}）",
            f" (no contiguous plan fits {pct(band.get('requested'))}; the smallest achievable "
            f"spread is {pct(band.get('min_spread'))})",
        )
    d.item(
        tr("通行时间：", "Travel time: "),
        tr(
            "防区与中心所一并选定，使警情到中心所的加权平均通行时间最短"
            f"（{n1(figures.get('mean_minutes'))} 分钟，最远 {n1(figures.get('max_minutes'))} "
            f"分钟；{proven}），各防区警情量极差不超过负荷带 {pct(band.get('used'))}{raised}。",
            "zones and central stations are chosen together for the least incident-weighted "
            f"mean travel to the central station ({n1(figures.get('mean_minutes'))} min, "
            f"farthest {n1(figures.get('max_minutes'))} min; {proven}), the zone loads within "
            f"a load band of {pct(band.get('used'))}{raised}.",
        ),
    )


def _summary_table(d: _Doc, report: Mapping[str, Any]) -> None:
    header = [
        tr("防区", "Zone"),
        tr("派出所", "Stations"),
        tr("中心所", "Central station"),
        tr("警情量", "Load"),
        tr("占比", "Share"),
        tr("警力", "Officers"),
        tr("每名民警警情", "Load per officer"),
        tr("最远（分钟）", "Farthest (min)"),
    ]
    rows = []
    zones = report.get("zones") or []
    for z in zones:
        rows.append(
            [
                _text(z.get("zone_name")),
                tr("{}：{}", "{}: {}").format(n0(z.get("n_stations")), _listed(z.get("stations"))),
                _text(z.get("center_name")),
                n0(z.get("load")),
                pct(z.get("share")),
                n0(z.get("officers")),
                n1(z.get("load_per_officer")),
                n1(z.get("max_minutes")),
            ]
        )
    rows.append(
        [
            tr("合计", "Total"),
            n0(report.get("n_stations")),
            "",
            n0(report.get("total_load")),
            "",
            n0(report.get("total_officers")),
            "",
            "",
        ]
    )
    d.table(
        header,
        rows,
        widths=[1.9, 3.6, 2.0, 1.5, 1.4, 1.9, 1.5, 1.8],  # "Officers", "Farthest" whole
        numeric=(3, 4, 5, 6, 7),
        bold_last=True,
    )


def _zone_sections(d: _Doc, report: Mapping[str, Any], k: int) -> None:
    time = ((report.get("profiles") or {}).get("time") or {}).get("zones") or []
    by_zone = {int(t["zone"]): t for t in time}
    for i, z in enumerate(report.get("zones") or [], start=1):
        tag = tr("（城关）", " (urban core)") if z.get("is_urban_core") else ""
        d.heading(
            tr(f"（{_CN_NUM[i - 1] if i <= 10 else i}）", f"{k}.{i} ")
            + _text(z.get("zone_name"))
            + tag,
            2,
        )
        d.item(
            tr("所辖派出所：", "Stations: "),
            tr(
                f"{_listed(z.get('stations'))}（{n0(z.get('n_stations'))} 个）。",
                f"{_listed(z.get('stations'))} ({n0(z.get('n_stations'))}).",
            ),
        )
        d.item(tr("中心所：", "Central station: "), _text(z.get("center_reason")))
        d.item(tr("执法办案队：", "Case team: "), _text(z.get("case_team_reason")))
        d.item(tr("社区警务队：", "Community team: "), _text(z.get("community_team_reason")))
        d.item(
            tr("警情与警力：", "Load and officers: "),
            tr(
                f"警情量 {n0(z.get('load'))}，占全县 {pct(z.get('share'))}；警力 "
                f"{n0(z.get('officers'))} 人，每名民警警情 {n1(z.get('load_per_officer'))}。",
                f"load {n0(z.get('load'))} ({pct(z.get('share'))} of the county); "
                f"{n0(z.get('officers'))} officers, {n1(z.get('load_per_officer'))} per officer.",
            ),
        )
        if _ok(z.get("max_minutes")) and (z.get("n_stations") or 0) > 1:
            d.item(
                tr("通行时间：", "Travel: "),
                tr(
                    f"从中心所到区内各所最远 {n1(z.get('max_minutes'))} 分钟，按警情加权平均 "
                    f"{n1(z.get('mean_minutes'))} 分钟；{n0(z.get('within_minutes'))} 分钟内可达"
                    f"警情 {pct(z.get('share_within_t'))}。",
                    f"farthest station {n1(z.get('max_minutes'))} min from the central station, "
                    f"incident-weighted mean {n1(z.get('mean_minutes'))} min; "
                    f"{pct(z.get('share_within_t'))} of incidents within "
                    f"{n0(z.get('within_minutes'))} min.",
                ),
            )
        t = by_zone.get(int(z["zone"]))
        if t and _ok(t.get("peak_hour")):
            day = WEEKDAYS[int(t["busiest_weekday"])]
            d.item(
                tr("忙闲时段：", "Busy hours: "),
                tr(
                    f"高峰在 {n0(t['peak_hour'])} 时"
                    f"（统计期内该时段警情 {n0(t['peak_hour_load'])}，"
                    f"日均 {n1(t['peak_hour_per_day'])}），为各小时平均的 "
                    f"{n1(t.get('peak_to_mean'))} 倍；最闲在 {n0(t['quiet_hour'])} 时；"
                    f"一周中{day[0]}最忙。",
                    f"peak at {n0(t['peak_hour'])}:00 ({n0(t['peak_hour_load'])} incidents in "
                    f"that hour over the period, {n1(t['peak_hour_per_day'])} a day), "
                    f"{n1(t.get('peak_to_mean'))} × the hourly mean; quietest at "
                    f"{n0(t['quiet_hour'])}:00; busiest day {day[1]}.",
                ),
            )


def _before_after(d: _Doc, report: Mapping[str, Any], names: Mapping[str, str]) -> None:
    ba = report.get("before_after")
    if not ba:
        d.para(tr("报告中没有前后对比数据。", "The report has no before/after figures."))
        return
    before, after = ba.get("before") or {}, ba.get("after") or {}
    base = (ba.get("baseline") or {}).get("text") or ""
    d.para(
        tr(
            f"现状：{_text(base)}。方案与现状采用同一通行时间矩阵、同一中心所选址方法比较。",
            f"Today: {_text(base)}. Both are measured with the same travel times and the same "
            "way of choosing central stations.",
        )
    )
    t1, t2 = [*(ba.get("thresholds") or []), None, None][:2]
    rows = [
        (tr("防区数", "Zones"), n0(before.get("zones")), n0(after.get("zones"))),
        (tr("警情负荷极差", "Load spread"), pct(before.get("spread")), pct(after.get("spread"))),
        (
            tr("每名民警警情极差", "Load-per-officer spread"),
            pct(before.get("load_per_officer_spread")),
            pct(after.get("load_per_officer_spread")),
        ),
        (
            tr("到中心所平均通行（分钟，警情加权）", "Mean minutes to the centre (weighted)"),
            n1(before.get("mean_minutes")),
            n1(after.get("mean_minutes")),
        ),
        (
            tr("到中心所最长通行（分钟）", "Longest minutes to the centre"),
            n1(before.get("max_minutes")),
            n1(after.get("max_minutes")),
        ),
    ]
    for t in (t1, t2):
        if t is not None:
            rows.append(
                (
                    tr(f"{n0(t)} 分钟内可达警情", f"Incidents within {n0(t)} min"),
                    pct(before.get(f"share_within_{t}")),
                    pct(after.get(f"share_within_{t}")),
                )
            )
    d.table(
        [tr("指标", "Measure"), tr("现状", "Today"), tr("方案", "Plan")],
        [list(r) for r in rows],
        widths=[8.5, 3.5, 3.5],
        numeric=(1, 2),
    )
    moved = [names.get(str(s), str(s)) for s in ba.get("moved") or []]
    d.para(
        tr(
            f"与现状相比，{n0(ba.get('stations_moved'))} 个派出所调整了所属防区"
            + (f"：{'、'.join(moved)}。" if moved else "。"),
            f"Compared with today, {n0(ba.get('stations_moved'))} "
            + ("station changes" if ba.get("stations_moved") == 1 else "stations change")
            + " zone"
            + (f": {', '.join(moved)}." if moved else "."),
        )
    )
    if (ba.get("baseline") or {}).get("kind") == "separate":
        d.note(
            tr(
                "注：现状为各所单独运行时，每个所即为自己的中心所，通行时间为 0；"
                "方案中的通行时间是各所到防区中心所（执法办案队、综合指挥室所在地）的时间。",
                "Note: with every station on its own, each is its own centre (0 minutes); the "
                "plan's minutes are to the zone's central station (command room, case team).",
            )
        )


def _staffing(d: _Doc, report: Mapping[str, Any], labels: Mapping[int, str]) -> None:
    st = report.get("staffing")
    if not st:
        d.para(tr("报告中没有警力调配数据。", "The report has no staffing figures."))
        return
    counted = [labels.get(int(z), str(z)) for z in st.get("zones_counted") or []]
    core_in = (st.get("solver") or {}).get("urban_core_included")
    scope = tr("、".join(counted), ", ".join(counted))
    d.para(
        tr(
            f"目标：各防区每名民警警情在参与防区平均值的 ±{pct(st.get('band'))} 以内，"
            f"调配后每所至少保留 {n0(st.get('minimum'))} 名民警（执法办案队不少于 "
            f"{n0(st.get('minimum'))} 人），调动人数最少。参与测算的防区：{scope}"
            + ("（含城关防区）。" if core_in else "（城关防区另有全县性勤务，不参与）。"),
            f"Goal: every zone's load per officer within ±{pct(st.get('band'))} of the average "
            f"of the zones taking part, no station left with fewer than {n0(st.get('minimum'))} "
            f"officers, and as few officers moved as possible. Zones taking part: {scope}"
            + (
                " (urban core included)."
                if core_in
                else " (the urban core, with county-wide duties, does not take part)."
            ),
        )
    )
    status = st.get("status")
    if status == "unavailable":
        d.para(_text(st.get("reason")))
        return
    d.para(
        tr(
            f"参与防区共有民警 {n0(st.get('total_officers'))} 名，平均每名民警警情 "
            f"{n1(st.get('average'))}，允许区间 {n1(st.get('lower'))}–{n1(st.get('upper'))}。",
            f"The zones taking part have {n0(st.get('total_officers'))} officers, "
            f"{n1(st.get('average'))} incidents per officer on average; the band is "
            f"{n1(st.get('lower'))}–{n1(st.get('upper'))}.",
        )
    )
    if status == "infeasible":
        d.para(
            (tr("无法实现：", "Not possible: "), True),
            tr(
                "；".join(_text(b.get("message")) for b in st.get("binding") or []) + "。",
                "; ".join(_text(b.get("message")) for b in st.get("binding") or []) + ".",
            ),
        )
    elif status == "balanced":
        d.para(tr("各防区均已在区间内，无需调配。", "Every zone is already within the band."))
    else:
        transfers = st.get("transfers") or []
        d.para(
            tr(
                f"最少需调动 {n0(st.get('officers_moved'))} 名民警，涉及 "
                f"{n0(st.get('stations_involved'))} 个派出所：",
                f"At least {n0(st.get('officers_moved'))} officers must move, involving "
                f"{n0(st.get('stations_involved'))} stations:",
            )
        )
        d.table(
            [
                tr("调出派出所", "From"),
                tr("调出防区", "From zone"),
                tr("调入派出所", "To"),
                tr("调入防区", "To zone"),
                tr("人数", "Officers"),
            ],
            [
                [
                    _text(t.get("from_name")),
                    _text(t.get("from_zone_name")),
                    _text(t.get("to_name")),
                    _text(t.get("to_zone_name")),
                    n0(t.get("officers")),
                ]
                for t in transfers
            ],
            widths=[3.4, 3.0, 3.4, 3.0, 2.0],
            numeric=(4,),
        )
    rows = [
        [
            _text(z.get("zone_name") or labels.get(int(z["zone"]), str(z["zone"]))),
            n0(z.get("load")),
            n0(z.get("officers_before")),
            n1(z.get("load_per_officer_before")),
            signed_pct(z.get("deviation_before")),
            n0(z.get("officers_after")),
            n1(z.get("load_per_officer_after")),
            signed_pct(z.get("deviation_after")),
        ]
        for z in st.get("zones") or []
    ]
    if rows:
        d.table(
            [
                tr("防区", "Zone"),
                tr("警情量", "Load"),
                tr("现有警力", "Officers now"),
                tr("人均警情", "Per officer"),
                tr("偏离平均", "vs average"),
                tr("调配后警力", "Officers after"),
                tr("人均警情", "Per officer"),
                tr("偏离平均", "vs average"),
            ],
            rows,
            widths=[2.3, 1.7, 1.9, 1.8, 1.9, 2.0, 1.8, 2.0],
            numeric=(1, 2, 3, 4, 5, 6, 7),
        )


def _profiles(d: _Doc, report: Mapping[str, Any], labels: Mapping[int, str]) -> None:
    prof = report.get("profiles") or {}
    time = prof.get("time")
    if time:
        d.para(
            tr(
                f"警情时间范围 {_text(time.get('first'))} 至 {_text(time.get('last'))}"
                f"（{n0(time.get('days'))} 天）。各防区的高峰时段如下（忙闲不均）：",
                f"Incidents from {_text(time.get('first'))} to {_text(time.get('last'))} "
                f"({n0(time.get('days'))} days). Each zone's busiest hour (busy and quiet times):",
            )
        )
        rows = []
        for t in time.get("zones") or []:
            day = WEEKDAYS[int(t["busiest_weekday"])] if _ok(t.get("busiest_weekday")) else ("", "")
            rows.append(
                [
                    _text(t.get("zone_name") or labels.get(int(t["zone"]), str(t["zone"]))),
                    tr(f"{n0(t.get('peak_hour'))} 时", f"{n0(t.get('peak_hour'))}:00"),
                    n0(t.get("peak_hour_load")),
                    n1(t.get("peak_hour_per_day")),
                    n1(t.get("peak_to_mean")),
                    tr(f"{n0(t.get('quiet_hour'))} 时", f"{n0(t.get('quiet_hour'))}:00"),
                    tr(day[0], day[1]),
                ]
            )
        d.table(
            [
                tr("防区", "Zone"),
                tr("高峰时段", "Peak hour"),
                tr("高峰时段警情", "Peak-hour load"),
                tr("日均", "Per day"),
                tr("高峰/平均", "Peak / mean"),
                tr("最闲时段", "Quietest"),
                tr("最忙日", "Busiest day"),
            ],
            rows,
            widths=[2.6, 2.0, 2.4, 1.6, 2.1, 2.0, 1.9],
            numeric=(2, 3, 4),
        )
    else:
        d.para(tr("警情没有报警时间，未作时段分析。", "Incidents have no times: no time profile."))
    types = prof.get("types")
    if types:
        timed = len(types.get("features") or []) > 6
        what = "警情类别与时段构成" if timed else "警情类别构成"
        d.para(
            tr(
                f"按各所{what}（标准化后 k 均值聚类）把派出所分为 {n0(types.get('k'))} 类：",
                f"Stations fall into {n0(types.get('k'))} types by their incident profile "
                "(standardised, k-means):",
            )
        )
        rows = []
        for t in types.get("types") or []:
            dom = tr("、", ", ").join(
                f"{_text(feature_label(str(f['feature'])))} {pct(f.get('share'))}"
                + tr(
                    f"（全县 {pct(f.get('county_share'))}）",
                    f" (county {pct(f.get('county_share'))})",
                )
                for f in t.get("dominant") or []
            )
            rows.append(
                [
                    _text(t.get("name")),
                    tr("、", ", ").join(map(_text, t.get("station_names") or [])),
                    dom,
                ]
            )
        d.table(
            [tr("类型", "Type"), tr("派出所", "Stations"), tr("突出特征", "Distinctive features")],
            rows,
            widths=[2.6, 6.6, 6.4],
        )


def _frontier(d: _Doc, report: Mapping[str, Any]) -> bool:
    frontier = report.get("frontier")
    plans: list[Mapping[str, Any]] = []
    if isinstance(frontier, list):
        plans = [p for p in frontier if isinstance(p, Mapping)]
    elif isinstance(frontier, Mapping):
        found = frontier.get("plans") or frontier.get("points") or frontier.get("rows") or []
        plans = [p for p in found if isinstance(p, Mapping)]
    alternatives = [a for a in report.get("alternatives") or [] if isinstance(a, Mapping)]
    if not plans and not alternatives:
        return False
    if plans:
        d.para(
            tr(
                "不同均衡区间（负荷带）下的最优方案（区间越宽，通行时间可越短）；"
                "每个方案的地图与数据在“文件夹”一列所列的输出子目录中，"
                "可用 zoning compare 与本方案对比：",
                "The best plan at each load band (a wider band allows shorter travel); each "
                "plan's map and data are in the output sub-folder of the Folder column, to "
                "compare with this plan by zoning compare:",
            )
        )
        d.table(
            [
                tr("均衡区间", "Band"),
                tr("状态", "Status"),
                tr("负荷极差", "Spread"),
                tr("平均通行（分钟）", "Mean min"),
                tr("最长通行（分钟）", "Max min"),
                tr("15 分钟内", "≤ 15 min"),
                tr("30 分钟内", "≤ 30 min"),
                tr("切断相邻", "Cut edges"),
                tr("文件夹", "Folder"),
            ],
            [
                [
                    pct(p.get("band")),
                    status_text(p),
                    pct(p.get("spread")),
                    n1(p.get("mean_minutes")),
                    n1(p.get("max_minutes")),
                    pct(p.get("share_within_15")),
                    pct(p.get("share_within_30")),
                    n0(p.get("cut_edges")),
                    _text(p.get("folder")) or "—",
                ]
                for p in plans
            ],
            widths=[1.6, 3.3, 1.6, 1.6, 1.6, 1.5, 1.5, 1.4, 2.1],
            numeric=(0, 2, 3, 4, 5, 6, 7),
        )

    if alternatives:
        d.para(tr("备选方案（按综合目标排序）：", "Ranked alternative plans:"))
        d.table(
            [
                tr("序号", "Rank"),
                tr("负荷极差", "Spread"),
                tr("切断相邻", "Cut edges"),
                tr("与推荐方案不同的所数", "Stations that differ"),
                tr("文件夹", "Folder"),
            ],
            [
                [
                    n0(a.get("rank")),
                    pct(a.get("spread")),
                    n0(a.get("cut_edges")),
                    n0(len(a.get("moved") or [])),
                    _text(a.get("folder")),
                ]
                for a in alternatives
            ],
            widths=[1.6, 2.6, 2.6, 4.6, 4.2],
            numeric=(0, 1, 2, 3),
        )
    return True


def _sources(d: _Doc, report: Mapping[str, Any]) -> None:
    inputs = report.get("inputs") or {}
    led = report.get("intake") or {}
    tool = report.get("tool") or {}
    travel = report.get("travel") or {}
    solver = report.get("solver") or {}
    d.item(
        tr("派出所辖区：", "Station areas: "), _text(Path(str(inputs.get("stations") or "—")).name)
    )
    if inputs.get("incidents"):
        d.item(tr("警情数据：", "Incidents: "), _text(Path(str(inputs["incidents"])).name))
    elif led.get("load_column") or inputs.get("load_column"):
        d.item(
            tr("警情数据：", "Load: "),
            tr(
                f"站点文件的“{_text(led.get('load_column') or inputs.get('load_column'))}”列",
                f"column '{_text(led.get('load_column') or inputs.get('load_column'))}'",
            ),
        )
    if inputs.get("loads"):
        d.item(tr("警情统计表：", "Load table: "), _text(Path(str(inputs["loads"])).name))
    juris = report.get("jurisdictions") or {}
    if juris.get("approximate"):
        d.item(tr("辖区：", "Jurisdictions: "), _text(juris.get("note")))
    if inputs.get("baseline"):
        d.item(tr("现状方案：", "Baseline: "), _text(Path(str(inputs["baseline"])).name))
    d.item(tr("通行时间：", "Travel times: "), _text(travel.get("method_text") or "—"))
    d.item(
        tr("计算工具：", "Computed with: "),
        tr(
            f"zoning {_text(tool.get('version'))}，求解器 {_text(solver.get('name'))}"
            f"（{_text(solver.get('status'))}）。",
            f"zoning {_text(tool.get('version'))}, solver {_text(solver.get('name'))} "
            f"({_text(solver.get('status'))}).",
        ),
    )
    unassigned = led.get("unassigned") or {}
    reasons = unassigned.get("reasons") or {}
    by = led.get("by") or {}
    reason_text = {
        "outside_all_jurisdictions": tr("在所有辖区之外", "outside every jurisdiction"),
        "unknown_unit": tr("管辖单位无法识别", "unknown unit"),
        "no_location": tr("无坐标且无管辖单位", "no location and no unit"),
    }
    rows = [
        (tr("读入记录", "Rows read"), n0(led.get("rows_read"))),
        (tr("剔除重复", "Duplicates dropped"), n0(led.get("duplicates_dropped"))),
        (tr("统计时段外", "Outside the date window"), n0(led.get("outside_window"))),
        (tr("归属到派出所", "Attributed to a station"), n0(led.get("assigned"))),
        (tr("  其中按坐标落入辖区", "  by point in polygon"), n0(by.get("point_in_polygon"))),
        (tr("  其中按就近辖区", "  by nearest station"), n0(by.get("nearest_within_tolerance"))),
        (tr("  其中按管辖单位", "  by unit name"), n0(by.get("unit_name"))),
        (tr("未归属", "Not attributed"), n0(unassigned.get("total"))),
    ]
    rows += [
        (tr(f"  其中{reason_text.get(k, k)}", f"  {reason_text.get(k, k)}"), n0(v))
        for k, v in reasons.items()
        if v
    ]
    rows.append(
        (
            tr("加权警情量（= 各所警情量之和）", "Weighted total (= sum of loads)"),
            n0(led.get("weighted_total")),
        )
    )
    d.para(tr("警情台账（每条记录的去向）：", "Incident ledger (where every row went):"))
    d.table(
        [tr("项目", "Item"), tr("数量", "Count")],
        [list(r) for r in rows],
        widths=[10.0, 4.0],
        numeric=(1,),
    )
    dropped = led.get("personal_columns_dropped") or []
    if dropped:
        d.note(
            tr(
                f"读入时已删除个人信息列：{'、'.join(map(_text, dropped))}；本文件不含个人信息。",
                f"Personal columns dropped on reading: {', '.join(map(_text, dropped))}; "
                "this document holds no personal data.",
            )
        )


def document_from_report(
    report: Mapping[str, Any],
    path: str | Path,
    *,
    map_png: str | Path | None = None,
) -> Path:
    """Write the 方案说明 ``report.docx`` from a ``report.json`` dictionary.

    Parameters
    ----------
    report
        The report (as written to ``report.json``); parts it lacks are left out
        or said to be missing (``frontier`` and ``alternatives`` are optional).
    path
        Output file; missing parent folders are created.
    map_png
        The printable map to embed (``map.png``); left out when ``None`` or absent.

    Returns
    -------
    Path
        The file written.
    """
    names = _names(report)
    labels = _zone_label(report)
    sc = report.get("scenario") or {}
    title = _text(sc.get("title")) or tr(
        "多所连片防区规划（草案）", "Cross-station defence zones (draft)"
    )
    d = _Doc()
    d.title(title, tr("方案说明", "Explanatory note"))
    sections: list[tuple[str, Any]] = [
        (tr("背景与原则", "Background and principles"), lambda: _background(d, report, names)),
        (tr("方案总表", "The plan at a glance"), lambda: _summary_table(d, report)),
        (tr("各防区情况", "The zones"), None),
        (tr("方案前后对比", "Before and after"), lambda: _before_after(d, report, names)),
        (tr("警力调配测算", "Staffing what-if"), lambda: _staffing(d, report, labels)),
        (
            tr("警情时段与派出所类型", "Incident times and station types"),
            lambda: _profiles(d, report, labels),
        ),
    ]
    number = 0
    for heading, body in sections:
        number += 1
        d.heading(_section_no(number) + heading)
        if body is None:
            _zone_sections(d, report, number)
        else:
            body()
    if report.get("frontier") or report.get("alternatives"):
        number += 1
        d.heading(_section_no(number) + tr("备选方案", "Alternatives"))
        _frontier(d, report)
    png = Path(map_png) if map_png else None
    if png is not None and png.is_file():
        number += 1
        d.section(landscape=True)  # the A4 landscape print map fills a landscape page
        d.heading(_section_no(number) + tr("方案示意图", "Map"))
        d.picture(png, tr(f"图：{title}", f"Figure: {title}"), width_cm=25.7, height_cm=15.2)
        d.section(landscape=False)
    number += 1
    d.heading(_section_no(number) + tr("数据来源与警情台账", "Data sources and incident ledger"))
    _sources(d, report)
    d.note(
        tr(
            "本说明由 zoning 根据 report.json 自动生成，所有数字均取自该文件；草案，仅供讨论。",
            "Generated by zoning from report.json; every figure is taken from that file. "
            "Draft for discussion.",
        )
    )
    return d.save(Path(path), title)
