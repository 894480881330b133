"""The load per period (quarter or year) and how evenly each plan spreads it.

A plan balanced on a year's total can still be lopsided in a quarter (a tourist
summer, a harvest season). When the incidents carry times, the load of every
station is split by period; the report shows each zone's load per period and
the spread per period, and ``--robust`` holds the band in every whole period.

Period rule
-----------
* **Span.** From the first day of the date window (``--from`` / ``date_from``)
  when one is given, else the day of the earliest counted incident; to the last
  day of the window (``--to`` / ``date_to``) when given, else the day of the
  latest counted incident. A day with data counts as covered.
* **Periods.** Calendar years when the span holds at least two whole calendar
  years (1 Jan – 31 Dec), else calendar quarters (Q1 = Jan–Mar, …).
* **Whole or partial.** A period is *whole* when the span covers every day of
  it. The periods at the two ends that the span covers only in part are
  *partial*: they are reported (marked partial, with the share of their days
  covered) and counted in every total, but the robust band does not apply to
  them — a quarter with three weeks of data is not comparable with the others.
* **No time.** Counted incidents without a time (possible only without a date
  window: with one they are dropped on reading) form a last period
  ``unknown``, reported, never held to the band.
* **Weights.** Each incident keeps the weight it has in the total load (its
  category weight times its count, :mod:`zoning.load`); the weights are
  multiples of 2⁻²⁰, so the per-period loads of a station sum *exactly* to its
  load, like the ledger.
* **No periods** with a load column, a statistics table, or incidents without
  times; the report says which.

``--robust`` (:func:`zoning.solve.partition.partition` with ``robust=True``)
needs at least :data:`ROBUST_MIN_PERIODS` whole periods.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError
from zoning.load import LoadResult
from zoning.solve import rules

__all__ = [
    "ROBUST_MIN_PERIODS",
    "UNKNOWN",
    "PeriodLoads",
    "check_robust",
    "no_periods_reason",
    "period_figures",
    "periods_from_load",
]

#: Label of the period of incidents without a time.
UNKNOWN = "unknown"
#: ``--robust`` needs at least this many whole periods.
ROBUST_MIN_PERIODS = 2
#: At most this many 警情编号 of incidents without a time are named in the report.
UNTIMED_IDS = 50


@dataclass
class PeriodLoads:
    """Station loads split by period.

    Attributes
    ----------
    kind
        ``"quarter"`` or ``"year"``.
    labels
        Period labels in time order (``2025Q1`` or ``2025``), then :data:`UNKNOWN`
        when some incidents have no time.
    whole
        Per label: the span covers the whole period (held to the band under robust).
    coverage
        Per label: share of the period's days inside the span (``None`` for unknown).
    loads
        Index station id (every station), one column per label: weighted load.
    span
        First and last day of the span (ISO dates).
    span_source
        Per end, ``"window"`` (the date window) or ``"data"`` (first/last incident).
    untimed
        Counted incidents without a time: ``count`` (incidents, counts included),
        ``rows``, ``load`` (weighted) and ``ids`` (their 警情编号, at most
        :data:`UNTIMED_IDS`, in file order); they form the period :data:`UNKNOWN`.
    """

    kind: Literal["quarter", "year"]
    labels: list[str]
    whole: list[bool]
    coverage: list[float | None]
    loads: pd.DataFrame
    span: tuple[str, str]
    span_source: tuple[str, str]
    untimed: dict[str, Any]

    @property
    def held(self) -> list[str]:
        """Labels of the whole periods (those ``--robust`` holds to the band)."""
        return [lab for lab, w in zip(self.labels, self.whole, strict=True) if w]

    def held_loads(self) -> dict[str, dict[Hashable, float]]:
        """``{label: {station: load}}`` of the whole periods (``partition(period_loads=…)``)."""
        return {lab: {str(k): float(v) for k, v in self.loads[lab].items()} for lab in self.held}


def _day(text: Any) -> pd.Timestamp | None:
    if text is None or text == "":
        return None
    try:
        return pd.Timestamp(str(text)).normalize()
    except (TypeError, ValueError):
        return None


def _span(
    times: pd.Series, ledger: Mapping[str, Any]
) -> tuple[pd.Timestamp, pd.Timestamp, tuple[str, str]]:
    known = times.dropna()
    lo, hi = _day(ledger.get("date_from")), _day(ledger.get("date_to"))
    src = ("window" if lo is not None else "data", "window" if hi is not None else "data")
    first = lo if lo is not None else known.min().normalize()
    last = hi if hi is not None else known.max().normalize()
    return first, last, src


def _whole_years(first: pd.Timestamp, last: pd.Timestamp) -> int:
    """Calendar years whose every day lies in ``[first, last]``."""
    y0 = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    y1 = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    return max(0, y1 - y0 + 1)


def periods_from_load(load: LoadResult) -> PeriodLoads | None:
    """Split every station's load by quarter or year (see the module's period rule).

    Parameters
    ----------
    load
        Loads computed from incidents (:func:`zoning.load.loads_from_incidents`).

    Returns
    -------
    PeriodLoads or None
        ``None`` when there are no times to split by (a load column, a statistics
        table, incidents without a time column); :func:`no_periods_reason` says why.
    """
    inc = load.incidents
    if inc is None or len(inc) == 0 or S.TIME not in inc.columns:
        return None
    times = pd.to_datetime(inc[S.TIME], errors="coerce")
    if not times.notna().any():
        return None
    first, last, src = _span(times, load.ledger)
    kind: Literal["quarter", "year"] = "year" if _whole_years(first, last) >= 2 else "quarter"
    freq = "Y" if kind == "year" else "Q"
    # every period the span or the data touch, in order
    lo = min(first, times.min().normalize())
    hi = max(last, times.max().normalize())
    periods = pd.period_range(lo.to_period(freq), hi.to_period(freq), freq=freq)
    labels = [str(p.year) if kind == "year" else f"{p.year}Q{p.quarter}" for p in periods]
    whole: list[bool] = []
    coverage: list[float | None] = []
    for p in periods:
        start, end = p.start_time.normalize(), p.end_time.normalize()
        days = (end - start).days + 1
        inside = (min(end, last) - max(start, first)).days + 1
        coverage.append(round(max(0, inside) / days, 6))
        whole.append(first <= start and last >= end)
    key = np.full(len(inc), UNKNOWN, dtype=object)
    known = times.notna().to_numpy()
    by_period = times[known].dt.to_period(freq)
    key[known] = [str(p.year) if kind == "year" else f"{p.year}Q{p.quarter}" for p in by_period]
    if (~known).any():
        labels.append(UNKNOWN)
        whole.append(False)
        coverage.append(None)
    frame = pd.DataFrame(
        {S.STATION_ID: inc[S.STATION_ID].astype(str).to_numpy(), "period": key, "w": inc["weight"]}
    )
    # weights are multiples of 2^-20: every partial sum is exact, whatever the order
    table = (
        frame.groupby([S.STATION_ID, "period"])["w"]
        .sum()
        .unstack("period")
        .reindex(index=load.load.index.astype(str), columns=labels)
        .fillna(0.0)
        .astype(float)
    )
    table.index.name = S.STATION_ID
    table.columns.name = None
    missing = inc.loc[~known]
    ids = (
        missing[S.INCIDENT_ID].astype(str).tolist()
        if S.INCIDENT_ID in missing.columns
        else [str(i) for i in missing.index]
    )
    counts = missing[S.COUNT] if S.COUNT in missing.columns else pd.Series(1, index=missing.index)
    untimed = {
        "rows": len(missing),
        "count": float(pd.to_numeric(counts, errors="coerce").fillna(1).sum()),
        "load": float(missing["weight"].sum()),
        "ids": ids[:UNTIMED_IDS],
        "more": max(0, len(ids) - UNTIMED_IDS),
    }
    return PeriodLoads(
        kind=kind,
        labels=labels,
        whole=whole,
        coverage=coverage,
        loads=table,
        span=(first.date().isoformat(), last.date().isoformat()),
        span_source=src,
        untimed=untimed,
    )


def no_periods_reason(load: LoadResult) -> str:
    """Why a load has no periods (for the report)."""
    ledger = load.ledger
    if ledger.get("load_column"):
        return tr(
            f"警情量取自站点文件的列“{ledger['load_column']}”，没有时间，无法分期",
            f"the load is the stations file's column '{ledger['load_column']}': no times, "
            "no periods",
        )
    if load.incidents is None or len(load.incidents) == 0:
        return tr(
            "警情量取自统计表，没有时间，无法分期",
            "the load is a statistics table: no times, no periods",
        )
    return tr(
        "警情没有报警时间，无法分期",
        "the incidents carry no times: no periods",
    )


def check_robust(periods: PeriodLoads | None, load: LoadResult) -> None:
    """Raise when ``--robust`` cannot be honoured: no periods, or too few whole ones.

    Raises
    ------
    InputError
        The reason and the fix.
    """
    if periods is None:
        raise InputError(
            tr(
                f"--robust（各期负荷都在带内）需要带报警时间的警情：{no_periods_reason(load)}。"
                "请改用 --incidents 提供警情明细，或去掉 --robust（场景文件 robust = false）。",
                f"--robust (the band in every period) needs incidents with times: "
                f"{no_periods_reason(load)}. Give the incident records with --incidents, or "
                "drop --robust (robust = false in the scenario file).",
            )
        )
    held = periods.held
    if len(held) < ROBUST_MIN_PERIODS:
        unit = tr("季度", "quarters") if periods.kind == "quarter" else tr("年", "years")
        raise InputError(
            tr(
                f"--robust 需要至少 {ROBUST_MIN_PERIODS} 个完整{unit}的警情，"
                f"而数据只覆盖 {periods.span[0]} 至 {periods.span[1]}（完整的："
                f"{'、'.join(held) or '无'}）。请提供更长时段的警情，或去掉 --robust。",
                f"--robust needs incidents covering at least {ROBUST_MIN_PERIODS} whole "
                f"{unit}, but the data cover {periods.span[0]} to {periods.span[1]} (whole: "
                f"{', '.join(held) or 'none'}). Give a longer record, or drop --robust.",
            )
        )


def _spread(values: np.ndarray) -> float | None:
    """The zones' spread (:func:`zoning.solve.rules.spread`); None when it is undefined."""
    if len(values) < 2 or float(values.sum()) <= 0:
        return None
    return float(rules.spread(dict(enumerate(values.tolist()))))


def period_figures(
    periods: PeriodLoads,
    assignment: Mapping[Any, int],
    *,
    balanced: list[int],
    robust: bool = False,
    names: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """The ``periods`` block of ``report.json``: each zone's load and the spread per period.

    Parameters
    ----------
    periods
        Station loads per period.
    assignment
        Station id → zone.
    balanced
        The balanced zones (the 城关 zone left out of the spread).
    robust
        Whether the plan held the band in every whole period.
    names
        Zone → name (``zone_name`` of each row; else ``None``).

    Returns
    -------
    dict
        ``available`` (True), ``kind``, ``rule`` (text), ``span`` (``from``, ``to``,
        ``source``), ``labels``, ``whole``, ``coverage``, ``held`` (labels held to the
        band under robust, else ``[]``), ``robust``, ``zones`` (``zone``,
        ``zone_name``, ``loads`` per label, ``balanced``), ``totals`` per label,
        ``spread`` per label (balanced zones; ``None`` for an empty period),
        ``worst_spread`` and ``worst_period`` over the whole periods, and
        ``untimed`` (incidents without a time, see :class:`PeriodLoads`).
    """
    ids = [str(s) for s in periods.loads.index]
    zone_of = {str(k): int(v) for k, v in assignment.items()}
    zones = sorted(set(zone_of.values()))
    table = periods.loads.to_numpy(dtype=float)
    # (a hand-made plan may leave stations out: they count in the totals only)
    member = np.array([[zone_of.get(s) == z for s in ids] for z in zones], dtype=float)
    by_zone = member @ table  # zones × periods (sums of exact multiples: exact)
    rows = [
        {
            "zone": z,
            "zone_name": (names or {}).get(z),
            "loads": by_zone[i].tolist(),
            "balanced": z in balanced,
        }
        for i, z in enumerate(zones)
    ]
    pick = [i for i, z in enumerate(zones) if z in balanced]
    spread = [_spread(by_zone[pick, j]) for j in range(len(periods.labels))]
    whole = [j for j, w in enumerate(periods.whole) if w and spread[j] is not None]
    worst = max(whole, key=lambda j: spread[j] or 0.0) if whole else None
    return {
        "available": True,
        "kind": periods.kind,
        "rule": rule_text(periods.kind),
        "span": {
            "from": periods.span[0],
            "to": periods.span[1],
            "source": list(periods.span_source),
        },
        "labels": list(periods.labels),
        "whole": list(periods.whole),
        "coverage": list(periods.coverage),
        "held": periods.held if robust else [],
        "robust": bool(robust),
        "zones": rows,
        "totals": [float(x) for x in table.sum(axis=0)],
        "spread": spread,
        "worst_spread": None if worst is None else spread[worst],
        "worst_period": None if worst is None else periods.labels[worst],
        "untimed": dict(periods.untimed),
    }


def rule_text(kind: str) -> str:
    """The period rule in one sentence (for the report and the Excel)."""
    unit = tr("季度", "quarters") if kind == "quarter" else tr("年度", "years")
    return tr(
        f"按{unit}分期：数据跨满两个完整自然年时按年，否则按季度；时段取统计时段"
        "（未设则取首末警情日期）；两端不完整的期单列（标注覆盖比例），计入合计，"
        "但 --robust 只要求完整的期在带内；无报警时间的警情列为 unknown",
        f"periods are {unit}: years when the data span two whole calendar years, else "
        "quarters; the span is the date window (else the first and last incident's days); "
        "partial periods at the ends are listed (with the share of days covered) and counted "
        "in every total, but --robust holds only whole periods to the band; incidents "
        "without a time form the period 'unknown'",
    )
