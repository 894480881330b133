"""The before/after figures as display rows, shared by the web map and the print map."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoning._i18n import tr
from zoning.maps import style as K

__all__ = ["before_after_rows"]


def before_after_rows(
    ba: Mapping[str, Any], *, with_zones: bool = True
) -> list[tuple[str, str, str]]:
    """``(measure, today, plan)`` rows of a ``before_after`` block, formatted.

    ``with_zones`` adds the zone count and the load-per-officer spread (the web
    panel has room for them, the print legend does not).
    """
    before, after = ba.get("before") or {}, ba.get("after") or {}
    minutes = tr(" 分", " min")

    def row(label: str, key: str, kind: str) -> tuple[str, str, str]:
        if kind == "pct":
            return label, K.pct(before.get(key)), K.pct(after.get(key))
        if kind == "min":
            return (
                label,
                K.fmt(before.get(key), 1) + minutes,
                K.fmt(after.get(key), 1) + minutes,
            )
        return label, K.fmt(before.get(key)), K.fmt(after.get(key))

    rows = [row(tr("防区数", "Zones"), "zones", "int")] if with_zones else []
    rows.append(row(tr("负荷极差", "Load spread"), "spread", "pct"))
    if with_zones:
        rows.append(row(tr("人均警情极差", "Per-officer spread"), "load_per_officer_spread", "pct"))
    # over every station, the 城关 included (the summary's figure covers the balanced zones)
    rows.append(row(tr("到中心所平均（全县）", "Mean to centre (county)"), "mean_minutes", "min"))
    rows.append(row(tr("到中心所最长", "Longest to centre"), "max_minutes", "min"))
    for t in ba.get("thresholds") or []:
        label = tr(f"{K.fmt(t)} 分钟内警情", f"Within {K.fmt(t)} min")
        rows.append(row(label, f"share_within_{t}", "pct"))
    return rows
