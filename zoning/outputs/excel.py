"""Meeting files for desktop tools: ``zones.xlsx`` (Excel / WPS) and ``plan.gpkg`` (GIS).

``zones.xlsx`` has three sheets, headers in the active language (Chinese by
default): 防区汇总 (one row per zone and a total), 派出所明细 (one row per
station) and 参数与指标 (figures of merit, solver, incident ledger, scenario).
Headers are bold and frozen, columns sized, numbers formatted (thousands
separators, percentages). Text cells are always stored as text, so a name
such as ``=HYPERLINK(…)`` can never become a formula.

``plan.gpkg`` holds the ``plan`` and ``zones`` layers in one GeoPackage, for
QGIS / ArcGIS users.

Examples
--------
>>> plan_to_excel(result.plan, result.zones, result.report, "out/zones.xlsx")  # doctest: +SKIP
>>> plan_to_gpkg(result.plan, result.zones, "out/plan.gpkg")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zoning import _schema as S
from zoning._i18n import tr
from zoning.decision.profiles import WEEKDAYS, feature_label
from zoning.maps import style as K

__all__ = ["plan_to_excel", "plan_to_gpkg"]

_INT = "#,##0"
_DEC = "#,##0.0"
_PCT = "0.0%"
_HEAD_FILL = PatternFill("solid", fgColor="DCE4EE")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_RULE = Border(bottom=Side(style="thin", color="7F7F7F"))


@dataclass(frozen=True)
class _Col:
    """One sheet column: header, number format, and width limits."""

    header: str
    fmt: str = "General"
    wrap: bool = False
    max_width: int = 40


def _yes(value: object) -> str:
    """是/否 (Yes/No) for a flag."""
    return tr("是", "Yes") if K.truthy(value) else tr("否", "No")


def _clean(value: Any) -> Any:
    """A cell value openpyxl can store: numbers stay numbers, the rest become text."""
    if isinstance(value, np.generic):
        value = value.item()
    if K.missing(value):
        return None
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Mapping):
        value = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, list | tuple | set):
        value = tr("、", ", ").join(
            "–".join(map(str, v)) if isinstance(v, list | tuple) else str(v) for v in value
        )
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:32000]


def _width(value: Any) -> int:
    """Display width of a value in Excel character units (CJK counts double)."""
    if value is None:
        return 0
    text = f"{value:,.1f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _write_table(
    ws: Worksheet, cols: Sequence[_Col], rows: Sequence[Sequence[Any]], *, total: bool = False
) -> None:
    """Header row (bold, shaded, frozen), data rows, widths; the last row bold if ``total``."""
    ws.append([c.header for c in cols])
    for row in rows:
        ws.append([_clean(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _RULE
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for j, col in enumerate(cols, start=1):
        letter = get_column_letter(j)
        widths = [_width(col.header)]
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.number_format = col.fmt
            if col.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths.append(_width(cell.value))
        ws.column_dimensions[letter].width = min(max(widths) + 3, col.max_width)
    if total and rows:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = _TOTAL_FILL
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _team_hosts(zones: pd.DataFrame, plan: pd.DataFrame, name_col: str, flag: str) -> list[str]:
    """Per zone row: the team base's station name(s), from zones, else from plan flags."""
    hosts = plan.loc[K.flags(plan, flag)]
    out = []
    for _, row in zones.iterrows():
        name = row.get(name_col)
        if K.missing(name) or not str(name):
            members = hosts[pd.to_numeric(hosts[S.ZONE], errors="coerce") == row[S.ZONE]]
            name = tr("、", ", ").join(members[S.STATION_NAME].astype(str))
        out.append(str(name) or "—")
    return out


def _zone_sheet(ws: Worksheet, plan: pd.DataFrame, zones: pd.DataFrame) -> None:
    """Sheet 防区汇总: one row per zone and a bold total row."""
    zones = zones.sort_values(S.ZONE)
    load = K.numeric(zones, S.LOAD)
    officers = K.numeric(zones, S.OFFICERS)
    whole = bool(((load % 1) == 0).all())
    cols = [
        _Col(tr("防区", "Zone"), "0"),
        _Col(tr("防区名称", "Zone name")),
        _Col(tr("中心所", "Centre station")),
        _Col(tr("执法办案队驻地", "Case team base")),
        _Col(tr("社区警务队驻地", "Community team base")),
        _Col(tr("派出所数", "Stations"), _INT),
        _Col(tr("警情量", "Incident load"), _INT if whole else _DEC),
        _Col(tr("占比", "Share"), _PCT),
        _Col(tr("警力", "Officers"), _INT),
        _Col(tr("每名民警警情", "Load per officer"), _DEC),
    ]
    values: list[Sequence[Any]] = [
        zones[S.ZONE].astype(int).tolist(),
        K.zone_names(zones),
        K.column(zones, S.CENTER_NAME, None).tolist(),
        _team_hosts(zones, plan, K.CASE_TEAM_NAME, K.IS_CASE_BASE),
        _team_hosts(zones, plan, K.COMMUNITY_TEAM_NAME, K.IS_COMMUNITY_BASE),
        K.numeric(zones, S.N_STATIONS).tolist(),
        load.tolist(),
        K.numeric(zones, S.SHARE).tolist(),
        officers.tolist(),
        K.numeric(zones, S.LOAD_PER_OFFICER).tolist(),
    ]
    t = K.numeric(zones, K.WITHIN_MINUTES).dropna()
    within = f"{t.iloc[0]:g} " if len(t) and t.nunique() == 1 else "T "
    for key, col in (
        (K.MAX_MINUTES, _Col(tr("最长通行时间（分钟）", "Longest travel (min)"), _DEC)),
        (K.MEAN_MINUTES, _Col(tr("平均通行时间（分钟）", "Mean travel (min)"), _DEC)),
        (K.SHARE_WITHIN_T, _Col(tr(f"{within}分钟内可达", f"Within {within}min"), _PCT)),
    ):
        if key in zones.columns:
            cols.append(col)
            values.append(K.numeric(zones, key).tolist())
    if K.TRAVEL_METHOD in zones.columns:
        cols.append(_Col(tr("通行时间估算方式", "Travel times")))
        values.append([K.travel_method(v) or None for v in zones[K.TRAVEL_METHOD]])
    if K.CENTER_REASON in zones.columns:
        cols.append(_Col(tr("选址理由", "Why this centre"), wrap=True, max_width=60))
        values.append(K.column(zones, K.CENTER_REASON, None).tolist())
    rows = [list(r) for r in zip(*values, strict=True)]
    n = K.numeric(zones, S.N_STATIONS)
    total_officers = float(officers.sum(min_count=1))
    total = [tr("合计", "Total"), None, None, None, None, n.sum(min_count=1), load.sum()]
    total += [1.0 if load.sum() > 0 else None, total_officers]
    total += [load.sum() / total_officers if total_officers > 0 else None]
    total += [None] * (len(cols) - len(total))
    _write_table(ws, cols, [*rows, total], total=True)


def _station_sheet(ws: Worksheet, plan: pd.DataFrame, zones: pd.DataFrame) -> None:
    """Sheet 派出所明细: one row per station, by zone, 中心所 first."""
    names = dict(zip(zones[S.ZONE].astype(int), K.zone_names(zones), strict=True))
    plan = plan.assign(
        _z=pd.to_numeric(plan[S.ZONE], errors="coerce"), _c=~K.flags(plan, S.IS_CENTER)
    )
    plan = plan.sort_values(["_z", "_c", S.STATION_NAME], kind="stable")
    exact = (K.numeric(plan, S.LOAD) % 1 == 0).all()
    cols = [
        _Col(tr("编号", "Id")),
        _Col(tr("派出所", "Station")),
        _Col(tr("防区", "Zone")),
        _Col(tr("是否中心所", "Centre station")),
        _Col(tr("警情量", "Incident load"), _INT if exact else _DEC),
        _Col(tr("人口", "Population"), _INT),
        _Col(tr("警力", "Officers"), _INT),
        _Col(tr("办案区", "Case area")),
        _Col(tr("社区村居数", "Communities"), _INT),
    ]
    has_case_area = S.HAS_CASE_AREA in plan.columns
    rows = [
        [
            K.column(plan, S.STATION_ID, None)[i],
            plan.at[i, S.STATION_NAME],
            names.get(int(z), tr(f"第{int(z)}防区", f"Zone {int(z)}")) if np.isfinite(z) else None,
            _yes(K.flags(plan, S.IS_CENTER)[i]),
            K.numeric(plan, S.LOAD)[i],
            K.numeric(plan, S.POPULATION)[i],
            K.numeric(plan, S.OFFICERS)[i],
            _yes(plan.at[i, S.HAS_CASE_AREA]) if has_case_area else None,
            K.numeric(plan, S.COMMUNITIES)[i],
        ]
        for i, z in zip(plan.index, plan["_z"], strict=True)
    ]
    _write_table(ws, cols, rows)
    ws.auto_filter.ref = ws.dimensions


#: Readable names of report entries, per group (unknown entries show their key).
_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "plan": {
        "n_stations": ("派出所数", "Stations"),
        "n_zones": ("防区数", "Zones"),
        "urban_core": ("城关所", "Urban core"),
        "spread": ("均衡防区负荷极差（(最大−最小)/平均）", "Load spread ((max − min) / mean)"),
        "max_dev": ("最大偏差（|负荷/平均 − 1|）", "Max deviation (|load / mean − 1|)"),
        "cut_edges": ("跨防区相邻边数", "Cut edges"),
        "total_load": ("警情总量", "Total load"),
    },
    "solver": {
        "name": ("求解器", "Solver"),
        "status": ("状态", "Status"),
        "seconds": ("用时（秒）", "Seconds"),
        "gap": ("最优性差距", "Optimality gap"),
        "objective": ("目标值", "Objective"),
        "bound": ("下界", "Bound"),
        "phases": ("求解阶段数", "Phases"),
        "contiguity": ("连通约束", "Contiguity model"),
        "seed": ("随机种子", "Seed"),
        "time_limit": ("时限（秒）", "Time limit (s)"),
        "balance": ("均衡方式", "Balance"),
        "tolerance": ("均衡容差", "Tolerance"),
    },
    "intake": {
        "source": ("警情文件", "Incidents file"),
        "encoding": ("编码", "Encoding"),
        "rows_read": ("读入警情", "Rows read"),
        "duplicates_dropped": ("剔除重复", "Duplicates dropped"),
        "outside_window": ("时间窗外", "Outside the date window"),
        "rows_kept": ("保留警情", "Rows kept"),
        "missing_coordinates": ("缺坐标", "Missing coordinates"),
        "invalid_coordinates": ("坐标无效", "Invalid coordinates"),
        "personal_columns_dropped": ("已删除的个人信息列", "Personal columns dropped"),
        "crs": ("坐标系", "Coordinates"),
        "rows_attributed": ("参与归属的警情", "Rows attributed"),
        "assigned": ("已归属派出所", "Assigned to a station"),
        "unassigned.total": ("未归属", "Unassigned"),
        "by.point_in_polygon": ("按坐标落入辖区", "By point in polygon"),
        "by.nearest_within_tolerance": ("按就近辖区（容差内）", "By nearest within tolerance"),
        "by.unit_name": ("按管辖单位", "By unit name"),
        "disagreements.count": ("坐标与管辖单位不一致", "Location/unit disagreements"),
        "weighted_total": ("加权警情量", "Weighted total"),
        "tolerance_m": ("辖区外容差（米）", "Outside tolerance (m)"),
    },
    "scenario": {
        "stations": ("派出所文件", "Stations file"),
        "incidents": ("警情文件", "Incidents file"),
        "zones": ("防区数 K", "Zones K"),
        "urban_core": ("城关所", "Urban core"),
        "balance": ("均衡方式", "Balance"),
        "tolerance": ("均衡容差", "Tolerance"),
        "solver": ("求解器", "Solver"),
        "time_limit": ("时限（秒）", "Time limit (s)"),
        "seed": ("随机种子", "Seed"),
        "islands": ("飞地处理", "Islands"),
        "compactness_weight": ("紧凑度权重", "Compactness weight"),
        "similarity_weight": ("警情结构相似度权重", "Similarity weight"),
        "min_shared_m": ("相邻最短共边（米）", "Min shared boundary (m)"),
        "together": ("须同区", "Together"),
        "forbidden_links": ("禁止相连", "Forbidden links"),
        "forced_links": ("强制相连", "Forced links"),
        "date_from": ("起始日期", "From"),
        "date_to": ("截止日期", "To"),
        "title": ("标题", "Title"),
        "out": ("输出目录", "Output folder"),
    },
    "tool": {"name": ("程序", "Program"), "version": ("版本", "Version")},
}
_PREFIXES = {"weights.": ("类别权重：", "Weight: "), "columns.": ("识别的列：", "Column: ")}
_PERCENT_KEYS = {"spread", "max_dev", "gap"}
_SECRET = ("key", "token", "password", "secret")


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted key, value)`` leaves of a nested mapping; lists of mappings are counted."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list | tuple) and value and all(isinstance(v, Mapping) for v in value):
        yield prefix, len(value)  # e.g. solver phases: counted here, detailed in report.json
    else:
        yield prefix, value


def _label(group: str, key: str) -> str:
    """Readable name of a report entry (its key when none is known)."""
    if key in _LABELS[group]:
        return tr(*_LABELS[group][key])
    for prefix, (zh, en) in _PREFIXES.items():
        if key.startswith(prefix):
            return tr(zh, en) + key[len(prefix) :]
    return key


def _param_sheet(ws: Worksheet, report: Mapping[str, Any], plan: pd.DataFrame) -> None:
    """Sheet 参数与指标: figures of merit, solver, ledger, scenario (secrets masked)."""
    cols = [
        _Col(tr("分组", "Group")),
        _Col(tr("指标", "Item"), max_width=46),
        _Col(tr("值", "Value"), max_width=60, wrap=True),
        _Col(tr("键", "Key"), max_width=40),
    ]
    ids = K.column(plan, S.STATION_ID, None).astype(str)
    names = dict(zip(ids, plan[S.STATION_NAME], strict=True))
    core = report.get("urban_core")
    summary = {k: report[k] for k in _LABELS["plan"] if k in report}
    if core is not None and str(core) in names:
        summary["urban_core"] = f"{names[str(core)]}（{core}）"
    groups = [
        ("plan", tr("方案指标", "Plan"), summary),
        ("solver", tr("求解器", "Solver"), report.get("solver") or {}),
        ("intake", tr("警情数据", "Incident ledger"), report.get("intake") or {}),
        ("scenario", tr("场景参数", "Scenario"), report.get("scenario") or {}),
        ("tool", tr("程序", "Tool"), report.get("tool") or {}),
    ]
    rows: list[list[Any]] = []
    formats = []
    for group, title, values in groups:
        for key, value in _flatten(values):
            if any(word in key.lower() for word in _SECRET) and value:
                value = "******"  # e.g. a map key: never copied into a shared file
            rows.append([title, _label(group, key), value, key])
            fmt = "General"
            if isinstance(value, float) and key.split(".")[-1] in _PERCENT_KEYS:
                fmt = "0.00%" if key.endswith("gap") else _PCT
            elif isinstance(value, int | float) and not isinstance(value, bool):
                fmt = _INT if float(value).is_integer() else "General"
            formats.append(fmt)
    _write_table(ws, cols, rows)
    for (cell,), fmt in zip(ws.iter_rows(min_row=2, min_col=3, max_col=3), formats, strict=True):
        cell.number_format = fmt
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)


def plan_to_excel(
    plan: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, report: Mapping[str, Any], path: str | Path
) -> Path:
    """Write ``zones.xlsx``: zone summary, station list, parameters and figures.

    Parameters
    ----------
    plan
        One row per station (see :func:`zoning.outputs.tables.plan_frame`).
    zones
        One row per zone (see :func:`zoning.outputs.tables.zones_frame`); the travel
        columns ``max_minutes``, ``mean_minutes``, ``share_within_t`` and
        ``center_reason`` are added to the summary when present.
    report
        The run report (``spread``, ``max_dev``, ``cut_edges``, ``solver``,
        ``intake``, ``scenario``, …); missing parts are left out.
    path
        Output file; missing parent folders are created.

    Returns
    -------
    Path
        The file written.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has one sheet
    ws.title = tr("防区汇总", "Zones")
    _zone_sheet(ws, plan, zones)
    _station_sheet(wb.create_sheet(tr("派出所明细", "Stations")), plan, zones)
    _param_sheet(wb.create_sheet(tr("参数与指标", "Parameters")), report, plan)
    _decision_sheets(wb, report)
    _period_sheet(wb, report)
    wb.properties.creator = "zoning"
    wb.properties.title = tr("多所连片防区方案", "Cross-station defence zones")
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _period_sheet(wb: Workbook, report: Mapping[str, Any]) -> None:
    """Sheet 分期负荷: each zone's load per quarter (or year), totals, spreads, the rule.

    Written when the report has periods (incidents with times); the zone rows of a
    period add up to its total, and the periods to the zone's load (the ledger).
    """
    periods = report.get("periods") or {}
    if not periods.get("available"):
        return
    labels = [str(x) for x in periods.get("labels") or []]
    ws = wb.create_sheet(tr("分期负荷", "Loads by period"))
    cols = [
        _Col(tr("防区", "Zone")),
        *[_Col(lab, _INT, max_width=12) for lab in labels],
        _Col(tr("合计", "Total"), _INT),
    ]
    rows: list[list[Any]] = [
        [z.get("zone_name") or z.get("zone"), *z.get("loads", []), sum(z.get("loads", []))]
        for z in periods.get("zones") or []
    ]
    totals = [float(x) for x in periods.get("totals") or []]
    rows.append([tr("合计", "Total"), *totals, sum(totals)])
    _write_table(ws, cols, rows, total=True)
    spread_row = [tr("均衡防区负荷极差", "Spread (balanced zones)"), *periods.get("spread", [])]
    ws.append([_clean(v) for v in spread_row])
    for cell in ws[ws.max_row][1:]:
        cell.number_format = _PCT
    whole = periods.get("whole") or []
    coverage = periods.get("coverage") or []
    kind = [
        tr("完整", "whole") if w else (tr("不完整", "partial") if c is not None else "—")
        for w, c in zip(whole, coverage, strict=True)
    ]
    ws.append([tr("该期", "Period"), *kind])
    ws.append([tr("覆盖天数比例", "Share of days covered"), *coverage])
    for cell in ws[ws.max_row][1:]:
        cell.number_format = _PCT
    untimed = periods.get("untimed") or {}
    held = periods.get("held") or []
    notes: list[tuple[str, Any]] = [
        (tr("分期规则", "Rule"), periods.get("rule")),
        (
            tr("时段", "Span"),
            f"{(periods.get('span') or {}).get('from')} – {(periods.get('span') or {}).get('to')}",
        ),
        (tr("最差一期", "Worst period"), periods.get("worst_period")),
        (tr("最差一期极差", "Worst-period spread"), periods.get("worst_spread")),
        (
            tr("逐期均衡（--robust）", "Held in every period (--robust)"),
            tr("、", ", ").join(held) if periods.get("robust") else tr("否", "no"),
        ),
        (tr("无报警时间的警情", "Incidents without a time"), untimed.get("count", 0)),
    ]
    if untimed.get("ids"):
        more = int(untimed.get("more") or 0)
        listed = tr("、", ", ").join(untimed["ids"])
        notes.append(
            (
                tr("无时间的警情编号", "Their incident ids"),
                listed + (tr(f" 等另 {more} 起", f" and {more} more") if more else ""),
            )
        )
    ws.append([])
    for label, value in notes:
        ws.append([_clean(label), _clean(value)])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    for r in range(ws.max_row - len(notes) + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == tr("最差一期极差", "Worst-period spread"):
            ws.cell(r, 2).number_format = _PCT


def _decision_sheets(wb: Workbook, report: Mapping[str, Any]) -> None:
    """Sheets 前后对比, 警力调配, 警情时段 and 派出所类型, for the report blocks present."""
    ba = report.get("before_after")
    if ba:
        before, after = ba.get("before") or {}, ba.get("after") or {}
        measures: list[tuple[str, str, str]] = [
            ("zones", tr("防区数", "Zones"), _INT),
            ("spread", tr("警情负荷极差", "Load spread"), _PCT),
            ("load_per_officer_spread", tr("每名民警警情极差", "Load-per-officer spread"), _PCT),
            # every station, the 城关 included (the summary covers the balanced zones)
            (
                "mean_minutes",
                tr("到中心所平均通行（分钟，全县）", "Mean minutes to centre (county)"),
                _DEC,
            ),
            ("max_minutes", tr("到中心所最长通行（分钟）", "Longest minutes to centre"), _DEC),
        ]
        measures += [
            (f"share_within_{t}", tr(f"{t} 分钟内可达警情", f"Incidents within {t} min"), _PCT)
            for t in ba.get("thresholds") or []
        ]
        ws = wb.create_sheet(tr("前后对比", "Before-after"))
        cols = [_Col(tr("指标", "Measure")), _Col(tr("现状", "Today")), _Col(tr("方案", "Plan"))]
        rows = [[label, before.get(key), after.get(key)] for key, label, _ in measures]
        rows.append(
            [tr("调整防区的派出所数", "Stations that change zone"), None, ba.get("stations_moved")]
        )
        rows.append([tr("现状", "Baseline"), (ba.get("baseline") or {}).get("text"), None])
        _write_table(ws, cols, rows)
        for r, (_, _, fmt) in enumerate(measures, start=2):
            for c in (2, 3):
                ws.cell(r, c).number_format = fmt
    st = report.get("staffing")
    if st:
        ws = wb.create_sheet(tr("警力调配", "Staffing"))
        cols = [
            _Col(tr("防区", "Zone")),
            _Col(tr("警情量", "Load"), _INT),
            _Col(tr("现有警力", "Officers now"), _INT),
            _Col(tr("人均警情", "Per officer"), _DEC),
            _Col(tr("偏离平均", "vs average"), _PCT),
            _Col(tr("调配后警力", "Officers after"), _INT),
            _Col(tr("调配后人均警情", "Per officer after"), _DEC),
            _Col(tr("调配后偏离平均", "vs average after"), _PCT),
        ]
        rows = [
            [
                z.get("zone_name") or z.get("zone"),
                z.get("load"),
                z.get("officers_before"),
                z.get("load_per_officer_before"),
                z.get("deviation_before"),
                z.get("officers_after"),
                z.get("load_per_officer_after"),
                z.get("deviation_after"),
            ]
            for z in st.get("zones") or []
        ]
        _write_table(ws, cols, rows)
        status = {
            "optimal": tr("已求得最少调动方案", "fewest transfers found (proven)"),
            "feasible": tr("已求得调动方案（未证明最少）", "transfers found (not proven fewest)"),
            "balanced": tr("已在区间内，无需调配", "already within the band"),
            "infeasible": tr("无法实现", "not possible"),
            "unavailable": tr("无法测算", "not available"),
        }.get(str(st.get("status")), str(st.get("status")))
        ws.append([])
        for label, value in (
            (tr("结论", "Result"), status),
            (tr("说明", "Why"), st.get("reason") or None),
            (tr("区间", "Band"), f"±{float(st.get('band') or 0):.0%}"),
            (tr("每所至少保留", "Minimum per station"), st.get("minimum")),
            (tr("平均每名民警警情", "Average per officer"), st.get("average")),
            (tr("调动民警数", "Officers moved"), st.get("officers_moved")),
        ):
            ws.append([_clean(label), _clean(value)])
        ws.append([])
        ws.append(
            [
                tr("调出派出所", "From"),
                tr("调出防区", "From zone"),
                tr("调入派出所", "To"),
                tr("调入防区", "To zone"),
                tr("人数", "Officers"),
            ]
        )
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
            cell.fill = _HEAD_FILL
        for t in st.get("transfers") or []:
            ws.append(
                [
                    _clean(t.get(k))
                    for k in ("from_name", "from_zone_name", "to_name", "to_zone_name", "officers")
                ]
            )
        for row in ws.iter_rows(min_row=len(rows) + 2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    time = (report.get("profiles") or {}).get("time")
    if time:
        ws = wb.create_sheet(tr("警情时段", "Hours"))
        cols = [
            _Col(tr("防区", "Zone")),
            _Col(tr("高峰时段（时）", "Peak hour"), "0"),
            _Col(tr("高峰时段警情", "Peak-hour load"), _INT),
            _Col(tr("高峰时段日均", "Peak hour per day"), _DEC),
            _Col(tr("高峰/平均", "Peak / mean"), _DEC),
            *[_Col(f"{h}", _INT, max_width=8) for h in range(24)],
            *[_Col(tr(zh, en), _INT, max_width=8) for zh, en in WEEKDAYS],
        ]
        rows = [
            [
                z.get("zone_name") or z.get("zone"),
                z.get("peak_hour"),
                z.get("peak_hour_load"),
                z.get("peak_hour_per_day"),
                z.get("peak_to_mean"),
                *(z.get("hours") or [None] * 24),
                *(z.get("weekdays") or [None] * 7),
            ]
            for z in time.get("zones") or []
        ]
        _write_table(ws, cols, rows)
    types = (report.get("profiles") or {}).get("types")
    if types:
        ws = wb.create_sheet(tr("派出所类型", "Station types"))
        cols = [
            _Col(tr("类型", "Type")),
            _Col(tr("派出所", "Stations"), wrap=True, max_width=60),
            _Col(
                tr("突出特征（本类 / 全县）", "Distinctive features (type / county)"),
                wrap=True,
                max_width=60,
            ),
        ]
        rows = [
            [
                t.get("name"),
                t.get("station_names"),
                tr("、", ", ").join(
                    f"{feature_label(str(f['feature']))} {f['share']:.1%} / {f['county_share']:.1%}"
                    for f in t.get("dominant") or []
                ),
            ]
            for t in types.get("types") or []
        ]
        _write_table(ws, cols, rows)


def _gpkg_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """WGS84, with list/dict cells as JSON text (GeoPackage columns are scalar)."""
    out = K.to_wgs84(frame).copy()
    if out.crs is None:
        out = out.set_crs(4326)
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            nested = out[col].map(lambda v: isinstance(v, list | tuple | dict | set))
            if nested.any():
                out[col] = out[col].map(
                    lambda v: (
                        json.dumps(list(v) if isinstance(v, set) else v, ensure_ascii=False)
                        if isinstance(v, list | tuple | dict | set)
                        else v
                    )
                )
    return out


def plan_to_gpkg(plan: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the ``plan`` and ``zones`` layers into one GeoPackage (EPSG:4326).

    Parameters
    ----------
    plan, zones
        The plan frames; list or dict cells are stored as JSON text.
    path
        Output file (replaced if it exists); missing parent folders are created.

    Returns
    -------
    Path
        The file written.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    for frame, layer in ((plan, "plan"), (zones, "zones")):
        _gpkg_ready(frame).to_file(out, layer=layer, driver="GPKG", engine="pyogrio")
    return out
