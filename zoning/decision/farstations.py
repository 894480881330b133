"""Why a station is far from its 中心所: the plan's own reasons, in words.

A plan that minimises the incident-weighted *mean* travel (or puts load balance
first) caps no single station's travel. When a station is more than
:data:`zoning.settings.far_station_minutes` from its zone's 中心所, the meeting
will ask why; :func:`far_stations` answers from the plan itself, station by
station, with the first reason that holds:

``remote``
    no other zone's 中心所 is nearer: the distance itself (the county's
    geography and roads, or the straight-line estimate) is the cause;
``not_adjacent``
    a nearer 中心所 exists, but the station borders no station of that zone:
    moving it there would make that zone non-contiguous;
``only_link``
    the station is the only link between other stations of its own zone:
    moving it out would cut its zone in two;
``band``
    moving it to the zone of the nearer 中心所 would push the load spread of
    the balanced zones beyond the load band;
``objective``
    the plan puts load balance first and does not optimise travel;
``rules``
    none of the above: locks, forced or forbidden links, together groups or
    centre rules keep it there (or the search was not proven optimal).

Then the trade-off ladder (``report["frontier"]``) says what a wider band
would give. Pure functions of plain mappings; shared by the CLI summary,
report.json and the document (:func:`zoning.workflow.run.result_from_plan`).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import networkx as nx
import pandas as pd

from zoning import settings
from zoning._i18n import tr
from zoning.solve import rules

__all__ = ["far_stations"]


def far_stations(
    assignment: Mapping[Hashable, int],
    centers: Mapping[int, Hashable],
    minutes: pd.DataFrame,
    graph: nx.Graph,
    loads: Mapping[Hashable, float],
    *,
    names: Mapping[str, str],
    zone_names: Mapping[int, str] | None = None,
    core_zones: Collection[int] = (),
    band: float | None = None,
    objective: str = "travel",
    frontier: Sequence[Mapping[str, Any]] = (),
    method_text: str | None = None,
    limit: float | None = None,
) -> dict[str, Any] | None:
    """Explain every station more than ``limit`` minutes from its 中心所, or ``None``.

    Parameters
    ----------
    assignment
        Station id → zone.
    centers
        Zone → the id of its 中心所.
    minutes
        Travel minutes, rows from, columns to (:meth:`TravelTimes.frame`).
    graph
        Station adjacency the plan was made on (added links included).
    loads
        Station id → load (for the band check).
    names
        Station id (as text) → name.
    zone_names
        Zone → name, for the text.
    core_zones
        The urban-core zone(s): not balanced, no station may join them.
    band
        The load band the plan used (``None``: not checked).
    objective
        ``"travel"`` or ``"balance"``.
    frontier
        The trade-off ladder of ``report.json`` (solved rows quoted).
    method_text
        How the minutes were obtained (:meth:`TravelTimes.method_text`).
    limit
        Minutes; default :data:`zoning.settings.far_station_minutes`.

    Returns
    -------
    dict or None
        ``limit``, ``stations`` (farthest first; each ``station_id``,
        ``station_name``, ``zone``, ``center_id``, ``center_name``, ``minutes``,
        ``cause``, ``nearer`` (the nearer 中心所 and its zone, or ``None``) and
        ``text``), ``wider`` (the ladder row quoted, or ``None``) and ``text``
        (everything in one paragraph). ``None`` when no station is that far.
    """
    limit = float(settings.far_station_minutes if limit is None else limit)
    zone_of = {str(k): int(v) for k, v in assignment.items()}
    centre_of = {int(z): str(c) for z, c in centers.items()}
    cores = {int(z) for z in core_zones}
    frame = _Minutes(minutes)
    far = [
        (s, frame(centre_of[z], s))
        for s, z in zone_of.items()
        if z not in cores and z in centre_of and s in frame.to and centre_of[z] in frame.rows
    ]
    far = sorted(
        ((s, m) for s, m in far if m > limit), key=lambda item: (-item[1], names.get(item[0], ""))
    )
    if not far:
        return None
    adjacency = nx.relabel_nodes(graph, str, copy=True)
    load = {str(k): float(v) for k, v in loads.items()}
    label = dict(zone_names or {})
    shown = [
        _one(
            s,
            m,
            zone_of=zone_of,
            centre_of=centre_of,
            frame=frame,
            graph=adjacency,
            load=load,
            names=names,
            label=label,
            cores=cores,
            band=band,
            objective=objective,
            method_text=method_text,
        )
        for s, m in far
    ]
    wider = _wider(frontier, band, max(m for _, m in far), limit)
    head = tr(
        f"{len(far)} 个所到其中心所超过 {limit:.0f} 分钟：",
        f"{len(far)} station(s) more than {limit:.0f} min from their 中心所: ",
    )
    text = head + " ".join(entry["text"] for entry in shown) + _ladder_text(wider, limit, frontier)
    return {"limit": limit, "stations": shown, "wider": wider, "text": text}


class _Minutes:
    """Minutes by station ids as text: ``m(from, to)``."""

    def __init__(self, minutes: pd.DataFrame) -> None:
        self.values = minutes.to_numpy(dtype=float)
        self.rows = {str(k): i for i, k in enumerate(minutes.index)}
        self.to = {str(k): j for j, k in enumerate(minutes.columns)}

    def __call__(self, a: str, b: str) -> float:
        return float(self.values[self.rows[a], self.to[b]])


def _one(
    s: str,
    minutes: float,
    *,
    zone_of: Mapping[str, int],
    centre_of: Mapping[int, str],
    frame: _Minutes,
    graph: nx.Graph,
    load: Mapping[str, float],
    names: Mapping[str, str],
    label: Mapping[int, str],
    cores: Collection[int],
    band: float | None,
    objective: str,
    method_text: str | None,
) -> dict[str, Any]:
    """One far station: the first reason that holds (see the module docstring)."""
    z = zone_of[s]
    centre = centre_of[z]
    who, ctr = names.get(s, s), names.get(centre, centre)

    def zone_label(zone: int) -> str:
        return label.get(zone) or tr(f"第 {zone} 防区", f"zone {zone}")

    others = [
        (frame(c, s), zone, c)
        for zone, c in centre_of.items()
        if zone != z and zone not in cores and c in frame.rows
    ]
    nearest = min(others, default=None)
    nearer: dict[str, Any] | None = None
    if nearest is not None and nearest[0] < minutes - 1e-9:
        m2, z2, c2 = nearest
        nearer = {
            "zone": z2,
            "zone_name": zone_label(z2),
            "center_id": c2,
            "center_name": names.get(c2, c2),
            "minutes": m2,
        }
    head = tr(
        f"{who}（{zone_label(z)}）到中心所{ctr} {minutes:.1f} 分钟",
        f"{who} ({zone_label(z)}) is {minutes:.1f} min from its 中心所 {ctr}",
    )
    how = f"（{method_text}）" if method_text else ""
    how_en = f" ({method_text})" if method_text else ""
    if objective != "travel":
        cause = "objective"
        why = tr(
            "：本方案负荷均衡优先，不以通行时间为目标（--objective travel 可缩短）。",
            ": the plan puts load balance first and does not optimise travel "
            "(--objective travel shortens it).",
        )
    elif nearer is None:
        cause = "remote"
        closest = (
            tr(
                f"最近的其他中心所{names.get(nearest[2], nearest[2])}也要 {nearest[0]:.1f} 分钟",
                f"the nearest other 中心所, {names.get(nearest[2], nearest[2])}, is "
                f"{nearest[0]:.1f} min away",
            )
            if nearest is not None
            else tr("没有其他中心所", "there is no other 中心所")
        )
        why = tr(
            f"：没有更近的中心所，{closest}，远是路程本身所致{how}。",
            f": no 中心所 is nearer; {closest}: the distance itself is the cause{how_en}.",
        )
    else:
        z2, name2 = int(nearer["zone"]), str(nearer["zone_name"])
        near = tr(
            f"{nearer['center_name']}（{name2}）更近（{nearer['minutes']:.1f} 分钟）",
            f"{nearer['center_name']} ({name2}) is nearer ({nearer['minutes']:.1f} min)",
        )
        mates = [v for v, zz in zone_of.items() if zz == z and v != s and v in graph]
        moved = dict(zone_of) | {s: z2}
        borders = s in graph and any(zone_of.get(str(n)) == z2 for n in graph.neighbors(s))
        if not borders:
            cause = "not_adjacent"
            why = tr(
                f"：{near}，但{who}与{name2}不相邻，划过去该防区就不连片。",
                f": {near}, but {who} does not border {name2}; moved there, that zone "
                "would not be contiguous.",
            )
        elif len(mates) > 1 and not nx.is_connected(graph.subgraph(mates)):
            cause = "only_link"
            why = tr(
                f"：{near}，但{who}是{zone_label(z)}其他所之间唯一的连接，移出会使该防区不连片。",
                f": {near}, but {who} is the only link between the other stations of "
                f"{zone_label(z)}; moved out, that zone would fall in two.",
            )
        elif band is not None and _spread(load, moved, cores) > band + 1e-9:
            before, after = _spread(load, zone_of, cores), _spread(load, moved, cores)
            cause = "band"
            why = tr(
                f"：{near}，但划入{name2}会使各防区警情量极差由 {before:.1%} "
                f"升至 {after:.1%}，超出负荷带 {band:.0%}。",
                f": {near}, but moving it to {name2} would raise the load spread from "
                f"{before:.1%} to {after:.1%}, beyond the "
                f"{band:.0%} load band.",
            )
        else:
            cause = "rules"
            why = tr(
                f"：{near}；其他规则（锁定、强制或禁止相连、同区分组、中心所条件）使它留在本防区。",
                f": {near}; other rules (locks, forced or forbidden links, groups kept "
                "together, centre rules) keep it in its zone.",
            )
    return {
        "station_id": s,
        "station_name": who,
        "zone": z,
        "center_id": centre,
        "center_name": ctr,
        "minutes": minutes,
        "cause": cause,
        "nearer": nearer,
        "text": head + why,
    }


def _spread(load: Mapping[str, float], zone_of: Mapping[str, int], cores: Collection[int]) -> float:
    return float(rules.spread(rules.zone_loads(load, zone_of), exclude=cores))


def _wider(
    frontier: Sequence[Mapping[str, Any]], band: float | None, worst: float, limit: float
) -> dict[str, Any] | None:
    """The narrowest wider band of the ladder that brings every station within ``limit``,
    else the one that shortens the farthest the most; ``None`` when none shortens it."""
    if band is None:
        return None
    rows = [
        dict(r)
        for r in frontier
        if r.get("status") == "solved"
        and r.get("max_minutes") is not None
        and float(r["band"]) > float(band) + 1e-9
        and float(r["max_minutes"]) < worst - 0.05
    ]
    within = [r for r in rows if float(r["max_minutes"]) <= limit]
    if within:
        return min(within, key=lambda r: float(r["band"]))
    if rows:
        return min(rows, key=lambda r: (round(float(r["max_minutes"]), 6), float(r["band"])))
    return None


def _ladder_text(
    wider: Mapping[str, Any] | None, limit: float, frontier: Sequence[Mapping[str, Any]]
) -> str:
    if wider is not None:
        still = float(wider["max_minutes"]) > limit
        return tr(
            f"权衡曲线显示：放宽到 {wider['band']:.0%} 负荷带，最远可降到 "
            f"{wider['max_minutes']:.1f} 分钟（平均 {wider['mean_minutes']:.1f} 分钟，"
            f"负荷极差 {wider['spread']:.1%}）"
            + (f"，仍高于 {limit:.0f} 分钟。" if still else "。"),
            f" The trade-off ladder shows that a {wider['band']:.0%} load band brings the "
            f"farthest to {wider['max_minutes']:.1f} min (mean {wider['mean_minutes']:.1f} min, "
            f"load spread {wider['spread']:.1%})"
            + (f", still above {limit:.0f} min." if still else "."),
        )
    if any(r.get("status") == "solved" for r in frontier):
        return tr(
            "权衡曲线中更宽的负荷带也不能缩短最远时间。",
            " No wider band of the trade-off ladder shortens it.",
        )
    return ""
