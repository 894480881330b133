"""Staffing what-if (警力与警情相匹配): the fewest officer transfers that balance the zones.

Given each station's officers (警力, whole numbers), its incident load and its zone,
:func:`staffing_transfers` finds the fewest officers to move between stations so
that every counted zone's load per officer lies within ``±band`` of the average
over the counted zones, with no station brought below ``minimum`` officers
(default 3: the guideline's 执法办案队 has at least three). It is an exact integer
programme solved with CP-SAT (one worker, deterministic time), lexicographically:

1. the number of officers moved (the figure the meeting asks for);
2. then the number of stations that give or receive officers (simpler to carry out);
3. then the stations' distance from their fair share ``load / average`` (officers
   come from the stations with most slack and go to the busiest ones).

The transfers are listed station to station (largest first). A station that
already has fewer than ``minimum`` officers keeps them all (it never gives) and is
named in the result. The band is on zones, not stations: after 多所连片 a zone's
officers work zone-wide (执法办案队, 社区警务队).

Which zones count is the caller's choice (:mod:`zoning.workflow.decision` counts
the balanced zones and leaves the 城关 zone out: the county-seat station also
carries county-wide duties that incident counts do not measure).

Feasibility is decided exactly before solving: with ``lo_z``/``hi_z`` the whole
numbers of officers that put zone ``z`` inside the band and ``floor_z`` the
officers its stations keep at the minimum, a plan exists if and only if
``max(lo_z, floor_z) ≤ hi_z`` for every zone and
``Σ max(lo_z, floor_z) ≤ officers ≤ Σ hi_z``. When one fails, the result says
which (``binding``), in words.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from zoning._i18n import tr

__all__ = ["DEFAULT_BAND", "DEFAULT_MINIMUM", "Staffing", "staffing_transfers"]

#: Default band: every zone's load per officer within ±10 % of the average.
DEFAULT_BAND = 0.10
#: Default minimum officers per station (执法办案队 ≥ 3).
DEFAULT_MINIMUM = 3
#: Fair shares are compared in hundredths of an officer.
_SCALE = 100


@dataclass
class Staffing:
    """The staffing what-if: transfers, each zone before and after, or why impossible.

    ``status`` is ``"optimal"`` (transfers found and proven fewest), ``"feasible"``
    (found, not proven within the budget), ``"balanced"`` (already within the
    band: no transfer), ``"infeasible"`` (``binding`` says why) or
    ``"unavailable"`` (no officers column, ``reason`` says so).
    """

    status: str
    band: float
    minimum: int
    zones_counted: list[int] = field(default_factory=list)
    average: float | None = None  # load per officer over the counted zones
    lower: float | None = None  # band limits of the load per officer
    upper: float | None = None
    total_officers: int = 0
    officers_moved: int = 0
    stations_involved: int = 0
    transfers: list[dict[str, Any]] = field(default_factory=list)
    zones: list[dict[str, Any]] = field(default_factory=list)
    stations_changed: list[dict[str, Any]] = field(default_factory=list)
    below_minimum: list[str] = field(default_factory=list)
    binding: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    solver: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``staffing`` block of ``report.json``."""
        return asdict(self)


def _fraction(value: float) -> Fraction:
    return Fraction(value) if math.isfinite(value) else Fraction(0)


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def _floor(x: Fraction) -> int:
    return x.numerator // x.denominator


def staffing_transfers(
    zone_of: Mapping[str, int],
    officers: Mapping[str, int],
    load: Mapping[str, float],
    *,
    band: float = DEFAULT_BAND,
    minimum: int = DEFAULT_MINIMUM,
    zones: Collection[int] | None = None,
    names: Mapping[str, str] | None = None,
    time_limit: float = 5.0,
) -> Staffing:
    """The fewest officer transfers that bring every counted zone into the band.

    Parameters
    ----------
    zone_of
        Station id → zone.
    officers
        Station id → officers (whole, ≥ 0).
    load
        Station id → incident load (≥ 0).
    band
        Allowed relative deviation of a zone's load per officer from the average.
    minimum
        No station is brought below this many officers by a transfer.
    zones
        Zones that take part (default all); the others keep their officers and
        do not enter the average.
    names
        Station id → display name, for the messages.
    time_limit
        CP-SAT deterministic-time budget (seconds) per phase.

    Returns
    -------
    Staffing

    Examples
    --------
    >>> s = staffing_transfers({"a": 1, "b": 2}, {"a": 10, "b": 10}, {"a": 300.0, "b": 100.0})
    >>> s.status, s.officers_moved, [(t["from_station"], t["to_station"], t["officers"])
    ...                              for t in s.transfers]
    ('optimal', 5, [('b', 'a', 5)])
    """
    names = dict(names or {})
    counted = sorted(set(zone_of.values()) if zones is None else set(zones))
    ids = sorted((s for s in zone_of if zone_of[s] in counted), key=str)
    result = Staffing(status="", band=float(band), minimum=int(minimum), zones_counted=counted)
    bad = [s for s in ids if int(officers[s]) != officers[s] or officers[s] < 0]
    if bad:
        raise ValueError(f"officers must be whole numbers ≥ 0: {bad[:5]}")
    off = {s: int(officers[s]) for s in ids}
    lod = {s: _fraction(float(load.get(s, 0.0))) for s in ids}
    members = {z: [s for s in ids if zone_of[s] == z] for z in counted}
    total_off = sum(off.values())
    total_load = sum(lod.values(), Fraction(0))
    result.total_officers = total_off
    result.below_minimum = [s for s in ids if off[s] < minimum]
    zone_off = {z: sum(off[s] for s in members[z]) for z in counted}
    zone_load = {z: sum((lod[s] for s in members[z]), Fraction(0)) for z in counted}
    if total_off <= 0 or total_load <= 0 or len(counted) < 2:
        result.status = "unavailable"
        result.reason = tr(
            "参与调配的防区不足两个，或警力、警情为零，无法比较每名民警警情",
            "fewer than two zones take part, or their officers or load are zero: "
            "there is no load per officer to compare",
        )
        result.zones = _zone_rows(counted, zone_off, zone_off, zone_load, None)
        return result
    rho = total_load / total_off
    b = Fraction(band).limit_denominator(10**6)
    result.average = float(rho)
    result.lower, result.upper = float((1 - b) * rho), float((1 + b) * rho)
    # a zone needs at least one officer to have a load per officer at all
    lo = {z: max(1, _ceil(zone_load[z] / ((1 + b) * rho))) for z in counted}
    hi = {z: (_floor(zone_load[z] / ((1 - b) * rho)) if b < 1 else total_off) for z in counted}
    keep = {z: sum(min(off[s], minimum) for s in members[z]) for z in counted}
    result.binding = _binding(counted, lo, hi, keep, zone_load, rho, b, total_off, minimum)
    if result.binding:
        result.status = "infeasible"
        result.reason = "；".join(x["message"] for x in result.binding)
        result.zones = _zone_rows(counted, zone_off, zone_off, zone_load, rho)
        return result
    if all(lo[z] <= zone_off[z] <= hi[z] for z in counted):
        result.status = "balanced"
        result.zones = _zone_rows(counted, zone_off, zone_off, zone_load, rho)
        result.solver = {"name": "none", "status": "not needed"}
        return result
    new, solver = _solve(ids, members, off, lod, rho, lo, hi, minimum, time_limit)
    result.solver = solver
    result.status = solver["status"]
    moved = {s: off[s] - new[s] for s in ids}
    result.officers_moved = sum(v for v in moved.values() if v > 0)
    result.stations_involved = sum(1 for v in moved.values() if v != 0)
    result.transfers = _pairs(moved, zone_of, names)
    result.stations_changed = [
        {
            "station_id": s,
            "station_name": names.get(s, s),
            "zone": zone_of[s],
            "officers_before": off[s],
            "officers_after": new[s],
        }
        for s in ids
        if moved[s]
    ]
    after = {z: sum(new[s] for s in members[z]) for z in counted}
    result.zones = _zone_rows(counted, zone_off, after, zone_load, rho)
    return result


def _binding(
    counted: Sequence[int],
    lo: Mapping[int, int],
    hi: Mapping[int, int],
    keep: Mapping[int, int],
    zone_load: Mapping[int, Fraction],
    rho: Fraction,
    b: Fraction,
    total: int,
    minimum: int,
) -> list[dict[str, Any]]:
    """Every constraint that makes the band impossible, each with a message."""
    out: list[dict[str, Any]] = []
    pct = f"{float(b):.0%}"
    for z in counted:
        if zone_load[z] <= 0:
            out.append(
                {
                    "constraint": "no_load",
                    "zones": [z],
                    "message": tr(
                        f"第 {z} 防区没有警情，每名民警警情为 0，无法进入平均值 ±{pct} 区间",
                        f"zone {z} has no incidents: its load per officer is 0, never within "
                        f"±{pct} of the average",
                    ),
                }
            )
        elif lo[z] > hi[z]:
            low, high = zone_load[z] / ((1 + b) * rho), zone_load[z] / ((1 - b) * rho)
            out.append(
                {
                    "constraint": "whole_officers",
                    "zones": [z],
                    "message": tr(
                        f"第 {z} 防区：要使每名民警警情在平均值 ±{pct} 内，需要 "
                        f"{float(low):.1f}–{float(high):.1f} 名民警，其间没有整数",
                        f"zone {z}: its load per officer is within ±{pct} of the average "
                        f"only with {float(low):.1f}–{float(high):.1f} officers, and no whole "
                        "number lies in between",
                    ),
                }
            )
        elif keep[z] > hi[z]:
            out.append(
                {
                    "constraint": "minimum_per_station",
                    "zones": [z],
                    "message": tr(
                        f"第 {z} 防区：各所至少保留 {minimum} 名民警，共需 {keep[z]} 名，"
                        f"但其警情量在 ±{pct} 内最多只容 {hi[z]} 名民警",
                        f"zone {z}: keeping at least {minimum} officers per station needs "
                        f"{keep[z]}, but its load allows at most {hi[z]} within ±{pct}",
                    ),
                }
            )
    if out:
        return out
    need = sum(max(lo[z], keep[z]) for z in counted)
    if need > total:
        by_min = sum(lo[z] for z in counted) <= total
        out.append(
            {
                "constraint": "total_officers_with_minimum" if by_min else "total_officers",
                "zones": list(counted),
                "message": tr(
                    f"警力总数不足：各防区进入 ±{pct} 区间"
                    + (f"且各所不少于 {minimum} 名" if by_min else "")
                    + f"至少需要 {need} 名民警，现有 {total} 名",
                    f"too few officers in total: bringing every zone within ±{pct}"
                    + (f" with at least {minimum} per station" if by_min else "")
                    + f" needs at least {need}, there are {total}",
                ),
            }
        )
    room = sum(hi[z] for z in counted)
    if room < total:
        out.append(
            {
                "constraint": "total_officers_excess",
                "zones": list(counted),
                "message": tr(
                    f"警力总数过多：各防区在 ±{pct} 区间内最多容纳 {room} 名民警，现有 {total} 名",
                    f"too many officers in total: within ±{pct} the zones hold at most "
                    f"{room}, there are {total}",
                ),
            }
        )
    return out


def _solve(
    ids: list[str],
    members: Mapping[int, list[str]],
    off: Mapping[str, int],
    lod: Mapping[str, Fraction],
    rho: Fraction,
    lo: Mapping[int, int],
    hi: Mapping[int, int],
    minimum: int,
    time_limit: float,
) -> tuple[dict[str, int], dict[str, Any]]:
    """Lexicographic CP-SAT: officers moved, stations involved, distance from fair shares."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    total = sum(off.values())
    model = cp_model.CpModel()
    out = {s: model.new_int_var(0, off[s] - min(off[s], minimum), f"out_{s}") for s in ids}
    inn = {s: model.new_int_var(0, total, f"in_{s}") for s in ids}
    new = {s: off[s] - out[s] + inn[s] for s in ids}
    touched = {s: model.new_bool_var(f"t_{s}") for s in ids}
    for s in ids:
        model.add(out[s] + inn[s] <= 2 * total * touched[s])
    for z, group in members.items():
        model.add_linear_constraint(sum(new[s] for s in group), lo[z], hi[z])
    model.add(sum(out.values()) == sum(inn.values()))
    dev = {}
    for s in ids:
        fair = round(lod[s] / rho * _SCALE)
        d = model.new_int_var(0, (total + off[s]) * _SCALE + abs(fair), f"d_{s}")
        model.add(d >= _SCALE * new[s] - fair)
        model.add(d >= fair - _SCALE * new[s])
        dev[s] = d
    objectives = [
        ("officers_moved", sum(out.values())),
        ("stations_involved", sum(touched.values())),
        ("fair_share_deviation", sum(dev.values())),
    ]
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = 1
    prm.random_seed = 0
    status_names = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "invalid",
        cp_model.UNKNOWN: "unknown",
    }
    phases = []
    proven = True
    for name, expr in objectives:
        model.minimize(expr)
        prm.max_deterministic_time = float(time_limit)
        prm.max_time_in_seconds = 10.0 * float(time_limit) + 10.0  # safety stop only
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover
            raise AssertionError(f"staffing model {status_names.get(status)} after the check")
        value = round(solver.objective_value)
        proven = proven and status == cp_model.OPTIMAL
        phases.append({"objective": name, "value": value, "status": status_names[status]})
        model.clear_hints()
        for s in ids:
            model.add_hint(out[s], solver.value(out[s]))
            model.add_hint(inn[s], solver.value(inn[s]))
        model.add(expr <= value)  # keep this level while improving the next
    result = {s: int(off[s] - solver.value(out[s]) + solver.value(inn[s])) for s in ids}
    info = {
        "name": "cp-sat",
        "status": "optimal" if proven else "feasible",
        "phases": phases,
        "workers": 1,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return result, info


def _pairs(
    moved: Mapping[str, int], zone_of: Mapping[str, int], names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Station-to-station transfers: largest donor to largest recipient, in turn."""
    give = sorted(((v, s) for s, v in moved.items() if v > 0), key=lambda t: (-t[0], str(t[1])))
    take = sorted(((-v, s) for s, v in moved.items() if v < 0), key=lambda t: (-t[0], str(t[1])))
    left = {s: v for v, s in give} | {s: v for v, s in take}
    out = []
    i = j = 0
    while i < len(give) and j < len(take):
        a, b = give[i][1], take[j][1]
        n = min(left[a], left[b])
        out.append(
            {
                "from_station": a,
                "from_name": names.get(a, a),
                "from_zone": zone_of[a],
                "to_station": b,
                "to_name": names.get(b, b),
                "to_zone": zone_of[b],
                "officers": n,
            }
        )
        left[a] -= n
        left[b] -= n
        i += left[a] == 0
        j += left[b] == 0
    return out


def _zone_rows(
    counted: Sequence[int],
    before: Mapping[int, int],
    after: Mapping[int, int],
    zone_load: Mapping[int, Fraction],
    rho: Fraction | None,
) -> list[dict[str, Any]]:
    rows = []
    for z in counted:
        row: dict[str, Any] = {"zone": z, "load": float(zone_load[z])}
        for when, officers in (("before", before[z]), ("after", after[z])):
            per = float(zone_load[z] / officers) if officers > 0 else None
            row[f"officers_{when}"] = officers
            row[f"load_per_officer_{when}"] = per
            row[f"deviation_{when}"] = per / float(rho) - 1.0 if per is not None and rho else None
        rows.append(row)
    return rows
