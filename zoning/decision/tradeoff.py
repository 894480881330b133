"""The trade-off ladder of ``report.json`` (``frontier``) for display.

Shared by the web map's chart, the print map's inset, the document, the CLI
summary and the app, so they say the same thing: each band's status in words
(:func:`status_text`), the points of the chart with the chosen plan marked
(:func:`ladder_from_report`) and the lines saying what a plan optimised, whether
it is proven, the band used and why, the spread per period
(:func:`period_lines`), the ladder and the far stations (:func:`summary_lines`).
Pure functions of the report dictionary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zoning import settings
from zoning._i18n import tr

__all__ = ["Ladder", "ladder_from_report", "period_lines", "status_text", "summary_lines"]


def _number(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def status_text(row: Mapping[str, Any]) -> str:
    """A frontier row's status in words: solved (which plan it is; whether proven),
    below the smallest achievable spread (with it), or out of budget without a plan.

    Examples
    --------
    >>> status_text({"band": 0.02, "status": "below_min_spread", "min_spread": 0.0268})
    '低于最小可达极差 2.7%'
    >>> status_text({"band": 0.2, "status": "solved", "same_as": 0.1})
    '已求解（同 10.0% 的方案）'
    >>> status_text({"band": 0.05, "status": "solved", "solver_status": "feasible", "gap": 0.03})
    '已求解，时限用尽：与下界相差至多 3.0%'
    >>> status_text({"band": 0.05, "status": "out_of_budget"})
    '时限用尽，未找到方案'
    """
    status = row.get("status")
    if status == "solved":
        same = row.get("same_as")
        if same == "plan":
            text = tr("已求解（即本方案）", "solved (this plan)")
        elif (band := _number(same)) is not None:
            text = tr(f"已求解（同 {band:.1%} 的方案）", f"solved (the plan of {band:.1%})")
        else:
            text = tr("已求解", "solved")
        if row.get("solver_status") in (None, "optimal"):
            return text
        gap = _number(row.get("gap"))
        return text + (
            tr("，时限用尽、未证明最优", ", budget used up, not proven optimal")
            if gap is None
            else tr(
                f"，时限用尽：与下界相差至多 {gap:.1%}",
                f", budget used up: at most {gap:.1%} above the bound",
            )
        )
    if status == "below_min_spread":
        smallest = _number(row.get("min_spread"))
        if smallest is None:
            return tr("低于最小可达极差", "below the smallest achievable spread")
        return tr(
            f"低于最小可达极差 {smallest:.1%}",
            f"below the smallest achievable spread, {smallest:.1%}",
        )
    return tr("时限用尽，未找到方案", "budget used up without a plan")


@dataclass
class Ladder:
    """The points of the trade-off chart.

    Attributes
    ----------
    rows
        The frontier rows, narrowest band first (every status).
    points
        ``(band, mean minutes, max minutes)`` of the solved rows.
    chosen
        ``(band used, mean minutes, max minutes)`` of the plan itself, or ``None``
        without travel figures.
    limit
        :data:`zoning.settings.far_station_minutes`, the reference line.
    """

    rows: list[dict[str, Any]]
    points: list[tuple[float, float, float]]
    chosen: tuple[float, float, float] | None
    limit: float

    @property
    def bands(self) -> list[float]:
        """Every band shown on the x axis (the rows' and the chosen plan's), sorted."""
        found = {round(float(r["band"]), 9) for r in self.rows}
        if self.chosen is not None:
            found.add(round(self.chosen[0], 9))
        return sorted(found)

    @property
    def top(self) -> float:
        """A round upper end of the minutes axis (multiple of 10)."""
        values = [v for p in self.points for v in p[1:]]
        if self.chosen is not None:
            values += list(self.chosen[1:])
        high = max(values, default=10.0)
        if high >= 0.8 * self.limit:
            high = max(high, self.limit)
        return 10.0 * max(1, math.ceil(high * 1.05 / 10.0))  # 10 when every minute is 0


def ladder_from_report(report: Mapping[str, Any]) -> Ladder | None:
    """The chart's points from a report, or ``None`` when no rung was solved."""
    rows = [
        dict(r)
        for r in report.get("frontier") or []
        if isinstance(r, Mapping) and _number(r.get("band")) is not None
    ]
    rows.sort(key=lambda r: float(r["band"]))
    points = []
    for r in rows:
        mean, far = _number(r.get("mean_minutes")), _number(r.get("max_minutes"))
        if r.get("status") == "solved" and mean is not None and far is not None:
            points.append((float(r["band"]), mean, far))
    if not points:
        return None
    figures = report.get("travel_figures") or {}
    used = _number((report.get("band") or {}).get("used"))
    mean, far = _number(figures.get("mean_minutes")), _number(figures.get("max_minutes"))
    chosen = None if used is None or mean is None or far is None else (used, mean, far)
    return Ladder(rows, points, chosen, float(settings.far_station_minutes))


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """What the plan optimised, whether it is proven, the band used and why, the trade-off
    ladder (with the folders of its plans) and why the farthest station is that far."""
    solver = report["solver"]
    lines = []
    figures = report.get("travel_figures") or {}
    gap = solver.get("gap")
    if solver.get("status") == "optimal":
        proof = tr("已证明最优", "proven optimal")
    elif gap is not None:
        proof = tr(
            f"未证明最优：与可证明的下界相差至多 {gap:.1%}",
            f"not proven optimal: at most {gap:.1%} above the proven lower bound",
        )
    else:
        proof = tr("未证明最优（启发式）", "not proven optimal (heuristic)")
    if report.get("objective") == "travel" and figures.get("mean_minutes") is not None:
        mean, far = figures["mean_minutes"], figures["max_minutes"]
        lines.append(
            tr(
                f"目标：防区与中心所一并选定，警情到中心所加权平均 {mean:.1f} 分钟，"
                f"最远 {far:.0f} 分钟（{proof}）",
                f"Objective: zones and 中心所 together; incidents reach their 中心所 in "
                f"{mean:.1f} min on average, farthest {far:.0f} min ({proof})",
            )
        )
    else:
        lines.append(tr(f"目标：负荷均衡优先（{proof}）", f"Objective: balance first ({proof})"))
    lines.extend(_longer_budget_hint(solver))
    band = report.get("band") or {}
    if band.get("reason") in ("min_spread_plus_step", "heuristic_spread_plus_step"):
        certified = band["reason"] == "min_spread_plus_step"
        every = tr("（每一期都）", " in every period") if band.get("robust") else ""
        worst = tr("最差一期的", "worst-period ") if band.get("robust") else ""
        lines.append(
            tr(
                f"负荷带：{band['requested']:.0%} 内{every}没有连片方案；"
                f"可{'证明' if certified else '找到'}的{worst}最小极差为 {band['min_spread']:.1%}，"
                f"故按 {band['used']:.1%} 规划",
                f"Load band: no contiguous plan fits {band['requested']:.0%}{every}; the smallest "
                f"{worst}spread {'proven' if certified else 'found'} is {band['min_spread']:.1%}, "
                f"so the plan uses {band['used']:.1%}",
            )
        )
    elif band.get("reason") == "requested" and _number(band.get("used")) is not None:
        lines.append(
            tr(
                f"负荷带：按设定 {band['used']:.0%}（本方案各防区警情量极差 "
                f"{float(report.get('spread') or 0):.1%}）",
                f"Load band: {band['used']:.0%} as set (this plan's load spread "
                f"{float(report.get('spread') or 0):.1%})",
            )
        )
    lines.extend(period_lines(report.get("periods") or {}))
    rows = report.get("frontier") or []
    if any(r.get("status") == "solved" for r in rows):
        ladder = tr("；", "; ").join(
            tr(
                f"{r['band']:.0%}：{r['mean_minutes']:.1f} 分钟（最远 {r['max_minutes']:.1f}）",
                f"{r['band']:.0%}: {r['mean_minutes']:.1f} min (farthest {r['max_minutes']:.1f})",
            )
            if r.get("status") == "solved"
            else f"{r['band']:.0%}" + tr("：", ": ") + status_text(r)
            for r in rows
        )
        lines.append(
            tr(f"权衡（负荷带 → 平均通行）：{ladder}", f"Trade-off (band → mean travel): {ladder}")
        )
        folders = list(
            dict.fromkeys(str(r["folder"]) for r in rows if r.get("folder") not in (None, "."))
        )
        if folders:
            lines.append(
                tr(
                    f"  各负荷带的方案：{'、'.join(folders)}"
                    "（在输出目录下；可用 zoning compare 对比）",
                    f"  each band's plan: {', '.join(folders)} (in the output folder; "
                    "zoning compare compares them)",
                )
            )
    far = report.get("far_stations") or {}
    if far.get("text"):
        lines.append(tr("远离中心所：", "Far from the 中心所: ") + str(far["text"]))
    return lines


#: A gap above this is worth a longer run (smaller ones are below the data's noise).
HINT_GAP = 0.01


def _longer_budget_hint(solver: Mapping[str, Any]) -> list[str]:
    """Suggest a longer budget when the exact search stopped more than 1 % from its bound.

    On twenty random maps of 31–50 stations the 2 s default proves 19 plans and
    10 s all twenty (``benchmarks/travel.py``); the heuristic path (100+ stations)
    gains little from more time, so it gets no hint.
    """
    gap, limit = _number(solver.get("gap")), _number(solver.get("time_limit"))
    if solver.get("name") != "cp-sat" or solver.get("status") == "optimal":
        return []
    if gap is None or gap <= HINT_GAP or limit is None:
        return []
    longer = max(10.0, 5 * limit)
    return [
        tr(
            f"  求解时限 {limit:g} 秒内未证明最优；可加大时限再试（如 {longer:g} 秒：命令行 "
            f"--time-limit {longer:g}、场景文件 time_limit 或界面的“求解时限”），"
            "多数情况可证明最优或缩小差距",
            f"  not proven within the {limit:g} s budget; a longer one (e.g. {longer:g} s: "
            f"--time-limit {longer:g}, time_limit in the scenario file or the app's "
            "solver time limit) usually proves the plan or narrows the gap",
        )
    ]


def period_lines(periods: Mapping[str, Any]) -> list[str]:
    """The spread per quarter (or year), whether ``--robust`` held it, untimed incidents."""
    if not periods.get("available"):
        return []
    unit = tr("季度", "quarter") if periods.get("kind") == "quarter" else tr("年度", "year")
    parts = [
        f"{lab} {s:.1%}" + ("" if whole else tr("（不完整）", " (partial)"))
        for lab, s, whole in zip(
            periods["labels"], periods["spread"], periods["whole"], strict=True
        )
        if s is not None
    ]
    held = tr("，--robust：每个完整期都在负荷带内", "; --robust: every whole period in the band")
    lines = [
        tr(
            f"分期（按{unit}）均衡防区负荷极差：{'、'.join(parts)}"
            + (held if periods.get("robust") else ""),
            f"Spread by {unit} (balanced zones): {', '.join(parts)}"
            + (held if periods.get("robust") else ""),
        )
    ]
    untimed = periods.get("untimed") or {}
    if untimed.get("rows"):
        lines.append(
            tr(
                f"  {untimed['rows']} 条警情没有报警时间，列为 unknown 期（计入合计，"
                "编号见 report.json → periods.untimed）",
                f"  {untimed['rows']} incidents have no time: period 'unknown' (counted in "
                "every total; ids in report.json → periods.untimed)",
            )
        )
    return lines
