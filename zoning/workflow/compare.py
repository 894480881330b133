"""Compare two plans: measures side by side and the stations that moved.

Zones of the two plans are matched by the largest overlap of their station
sets (a maximum-weight matching), so renumbering zones alone moves nobody; a
station *moved* when its zone in B is not the match of its zone in A.

Examples
--------
>>> a, b = read_plan_output("maps/k5"), read_plan_output("maps/k4")  # doctest: +SKIP
>>> result = compare_plans(a, b)  # doctest: +SKIP
>>> [(m.station_name, m.zone_a, m.zone_b) for m in result.moves]  # doctest: +SKIP
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError, ZoningWarning
from zoning.graph import graph_from_stations
from zoning.solve import rules as cons
from zoning.workflow.report import portable_path

__all__ = [
    "Comparison",
    "Move",
    "PlanOutput",
    "check_overlap",
    "compare_assignments",
    "compare_plans",
    "match_zones",
    "read_plan_output",
]


@dataclass
class PlanOutput:
    """One plan as written by ``zoning plan`` or ``zoning evaluate``.

    Attributes
    ----------
    path
        The folder (or file) it was read from.
    label
        A short name for tables and map titles: the folder name, or for a
        trade-off rung the plan's folder and the band (``县 · 负荷带宽 20%``).
    plan, zones
        plan.geojson and zones.geojson (zones dissolved from the plan if absent).
    report
        report.json, or ``None`` if the folder has none.
    assignment
        Station id → zone.
    metrics
        ``n_zones``, ``spread``, ``max_dev``, ``cut_edges``, ``total_load`` and
        ``computed`` (``True`` when measured here because report.json is missing).
    """

    path: Path
    label: str
    plan: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    report: dict[str, Any] | None
    assignment: dict[str, int]
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, str]:
        """Station id → station name."""
        column = S.STATION_NAME if S.STATION_NAME in self.plan else S.STATION_ID
        return dict(zip(self.plan[S.STATION_ID], self.plan[column].astype(str), strict=True))

    @property
    def zone_names(self) -> dict[int, str]:
        """Zone → zone name (``第 z 防区`` when the plan has none)."""
        names = {z: tr(f"第{z}防区", f"Zone {z}") for z in set(self.assignment.values())}
        if S.ZONE_NAME in self.zones:
            for z, n in zip(self.zones[S.ZONE], self.zones[S.ZONE_NAME], strict=True):
                if isinstance(n, str) and n:
                    names[int(z)] = n
        return names

    @property
    def zone_table(self) -> pd.DataFrame:
        """One row per zone: zone, zone_name, n_stations, load (from the plan's stations)."""
        loads = self.plan.groupby(S.ZONE)[S.LOAD].sum() if S.LOAD in self.plan else None
        counts = self.plan[S.ZONE].value_counts()
        names = self.zone_names
        rows = [
            {
                S.ZONE: z,
                S.ZONE_NAME: names[z],
                S.N_STATIONS: int(counts[z]),
                S.LOAD: float(loads[z]) if loads is not None else float("nan"),
            }
            for z in sorted(names)
        ]
        return pd.DataFrame(rows)


@dataclass
class Move:
    """A station in zone ``zone_a`` of A whose zone in B, ``zone_b``, is not that zone's match.

    ``continues_a`` is the zone of A that ``zone_b`` is matched with (the zone it
    continues), ``None`` for a zone of B matched with none; it is never ``zone_a``,
    so a station never "moves" from a zone to the zone that continues it.
    """

    station_id: str
    station_name: str
    zone_a: int
    zone_b: int
    zone_name_a: str
    zone_name_b: str
    continues_a: int | None = None


@dataclass
class Comparison:
    """Two plans, their zone matching and the stations that moved."""

    a: PlanOutput
    b: PlanOutput
    matching: dict[int, int]  # zone of A -> zone of B
    moves: list[Move]
    only_a: list[str]  # station ids only in A
    only_b: list[str]

    def to_dict(self, *, base: Path | None = None) -> dict[str, Any]:
        """JSON-serialisable view (``compare.json``); with ``base`` (the folder it is
        written to), the plans' paths are relative to it, never absolute."""

        def side(p: PlanOutput) -> dict[str, Any]:
            table = p.zone_table.to_dict("records")
            path = portable_path(p.path, base) if base is not None else str(p.path)
            return {"path": path, "label": p.label, **p.metrics, "zones": table}

        return {
            "a": side(self.a),
            "b": side(self.b),
            "matching": [{"zone_a": za, "zone_b": zb} for za, zb in self.matching.items()],
            "moves": [vars(m) for m in self.moves],
            "only_a": self.only_a,
            "only_b": self.only_b,
        }


def _read_geojson(path: Path) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path)
    except Exception as exc:  # any reader failure is an input problem
        raise InputError(
            tr(f"{path}：无法读取（{exc}）", f"{path}: cannot be read ({exc})")
        ) from None


def read_plan_output(path: str | Path) -> PlanOutput:
    """Read a plan output: a folder holding plan.geojson (and report.json, zones.geojson),
    or a plan.geojson file (its folder's report.json and zones.geojson are used too).

    Raises
    ------
    InputError
        No plan.geojson, unreadable files, or a plan without ``station_id`` and
        ``zone`` columns or with zones that are not whole numbers.
    """
    path = Path(path)
    file = path / "plan.geojson" if path.is_dir() else path
    if not file.is_file():
        raise InputError(
            tr(
                f"{path}：找不到方案文件 plan.geojson；"
                "请给出 zoning plan 的输出目录或 plan.geojson",
                f"{path}: no plan.geojson; give an output folder of zoning plan or a plan.geojson",
            )
        )
    plan = _read_geojson(file)
    missing = [c for c in (S.STATION_ID, S.ZONE) if c not in plan.columns]
    zone = pd.to_numeric(plan[S.ZONE], errors="coerce") if not missing else None
    if missing or zone is None or zone.isna().any() or (zone % 1 != 0).any():
        raise InputError(
            tr(
                f"{file}：不是 zoning 方案（需要 station_id 列和整数 zone 列）",
                f"{file}: not a zoning plan (needs a station_id column and whole-number zones)",
            )
        )
    plan[S.STATION_ID] = plan[S.STATION_ID].astype(str)
    plan[S.ZONE] = zone.astype(int)
    siblings = file.parent if path.is_dir() or file.name == "plan.geojson" else None
    report = None
    if siblings is not None and (siblings / "report.json").is_file():
        try:
            report = json.loads((siblings / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                tr(
                    f"{siblings / 'report.json'}：无法读取（{exc}）",
                    f"{siblings}: bad report ({exc})",
                )
            ) from None
    if siblings is not None and (siblings / "zones.geojson").is_file():
        zones = _read_geojson(siblings / "zones.geojson")
    else:
        zones = plan.dissolve(by=S.ZONE, as_index=False)[[S.ZONE, "geometry"]]
    assignment = dict(zip(plan[S.STATION_ID], plan[S.ZONE].astype(int), strict=True))
    label = _label(path, file, siblings, report)
    out = PlanOutput(path, label, plan, zones, report, assignment)
    out.metrics = _metrics(out)
    return out


def _label(path: Path, file: Path, folder: Path | None, report: dict[str, Any] | None) -> str:
    """The folder's name; a trade-off rung (``frontier/20``) says whose and which band."""
    label = (file.parent if file.name == "plan.geojson" else file).name or str(path)
    band = (report or {}).get("frontier_band")
    owner = (report or {}).get("frontier_of")
    if folder is None or not isinstance(band, int | float) or not isinstance(owner, str):
        return label
    name = (folder / owner).resolve().name
    return tr(f"{name} · 负荷带宽 {band:.0%}", f"{name} · band {band:.0%}")


def _metrics(p: PlanOutput) -> dict[str, Any]:
    table = p.zone_table
    loads = dict(zip(table[S.ZONE], table[S.LOAD], strict=True))
    report = p.report or {}
    if all(k in report for k in ("spread", "max_dev", "cut_edges")):
        return {
            "n_zones": len(loads),
            "spread": report["spread"],
            "max_dev": report["max_dev"],
            "cut_edges": report["cut_edges"],
            "total_load": float(sum(loads.values())),
            "computed": False,
        }
    core = report.get("urban_core")
    if core is None and S.IS_URBAN_CORE in p.plan:
        flagged = p.plan.loc[p.plan[S.IS_URBAN_CORE].fillna(False).astype(bool), S.STATION_ID]
        core = [str(s) for s in flagged] or None
    urban_zone = cons.core_zone(p.assignment, core)
    exclude = {urban_zone} if urban_zone is not None else set()
    graph = graph_from_stations(p.plan.set_index(S.STATION_ID, drop=False))
    hashed: dict[Any, int] = dict(p.assignment)
    return {
        "n_zones": len(loads),
        "spread": cons.spread(loads, exclude=exclude),
        "max_dev": cons.max_dev(loads, exclude=exclude),
        "cut_edges": cons.cut_edges(graph, hashed),
        "total_load": float(sum(loads.values())),
        "computed": True,
    }


def match_zones(a: Mapping[str, int], b: Mapping[str, int]) -> dict[int, int]:
    """Pair zones of ``a`` with zones of ``b`` maximising the stations they share.

    Each zone is paired at most once; zones sharing no station stay unpaired.
    Among equally good matchings, pairs keeping the same zone number win.

    Examples
    --------
    >>> match_zones({"x": 1, "y": 1, "z": 2}, {"x": 2, "y": 2, "z": 1})
    {1: 2, 2: 1}
    """
    overlap: dict[tuple[int, int], int] = {}
    for sid, za in a.items():
        if sid in b:
            overlap[(za, b[sid])] = overlap.get((za, b[sid]), 0) + 1
    scale = len(set(a.values()) | set(b.values())) + 1  # bonus for same numbers < one station
    graph = nx.Graph()
    for (za, zb), count in overlap.items():
        graph.add_edge(("a", za), ("b", zb), weight=count * scale + (za == zb))
    pairs = nx.max_weight_matching(graph)
    matched = {}
    for u, v in pairs:
        (_, za), (_, zb) = (u, v) if u[0] == "a" else (v, u)
        matched[za] = zb
    return dict(sorted(matched.items()))


def compare_assignments(
    a: Mapping[str, int], b: Mapping[str, int]
) -> tuple[dict[int, int], list[str]]:
    """Zone matching and the ids of the stations in both whose zone changed (beyond renumbering).

    A station moved when its zone in ``b`` is not the match of its zone in ``a``
    (every station of an unmatched zone of ``a`` moved: that zone is gone).
    """
    matching = match_zones(a, b)
    moved = [s for s, za in a.items() if s in b and matching.get(za) != b[s]]
    return matching, moved


#: Below this share of a plan's stations found in the other, the comparison warns.
SMALL_OVERLAP = 0.5


def check_overlap(a: PlanOutput, b: PlanOutput) -> None:
    """Refuse two plans with no station in common; warn when they share few.

    Raises
    ------
    InputError
        When no station id of A is in B: the plans are of different counties, or
        were made with different id columns.

    Warns
    -----
    ZoningWarning
        When fewer than half the stations of either plan are in the other.
    """
    shared = set(a.assignment) & set(b.assignment)

    def sample(p: PlanOutput) -> str:
        ids = sorted(p.assignment)
        return "、".join(ids[:3]) + ("…" if len(ids) > 3 else "")

    if not shared:
        raise InputError(
            tr(
                f"{a.path} 与 {b.path} 没有共同的派出所（A 的编号如 {sample(a)}，"
                f"B 的编号如 {sample(b)}）：两个方案不是同一个县的，"
                "或用了不同的编号列（请用同一站点文件和 --id-column 重新生成）。",
                f"{a.path} and {b.path} have no station in common (ids of A such as "
                f"{sample(a)}; of B such as {sample(b)}): the plans are of different "
                "counties, or were made with different id columns (plan both from the same "
                "stations file and --id-column).",
            )
        )
    share = min(len(shared) / len(a.assignment), len(shared) / len(b.assignment))
    if share < SMALL_OVERLAP:
        warnings.warn(
            tr(
                f"两个方案只有 {len(shared)} 个派出所相同（A {len(a.assignment)} 个，"
                f"B {len(b.assignment)} 个）：对比只涉及共同的派出所。",
                f"The plans share only {len(shared)} stations (A has {len(a.assignment)}, "
                f"B {len(b.assignment)}): the comparison covers the shared ones only.",
            ),
            ZoningWarning,
            stacklevel=3,
        )


def compare_plans(a: PlanOutput | str | Path, b: PlanOutput | str | Path) -> Comparison:
    """Compare two plans: zones matched by overlap, the stations that moved.

    Parameters
    ----------
    a, b
        Plans read with :func:`read_plan_output`, or their output folders /
        ``plan.geojson`` files.

    Returns
    -------
    Comparison
        Matched zones, moves, stations in one plan only, and both plans' metrics.

    Raises
    ------
    InputError
        When the plans have no station in common (see :func:`check_overlap`).
    """
    a = a if isinstance(a, PlanOutput) else read_plan_output(a)
    b = b if isinstance(b, PlanOutput) else read_plan_output(b)
    check_overlap(a, b)
    matching, moved = compare_assignments(a.assignment, b.assignment)
    continues = {zb: za for za, zb in matching.items()}
    names = b.names | a.names
    za_names, zb_names = a.zone_names, b.zone_names
    moves = [
        Move(
            station_id=s,
            station_name=names[s],
            zone_a=a.assignment[s],
            zone_b=b.assignment[s],
            zone_name_a=za_names[a.assignment[s]],
            zone_name_b=zb_names[b.assignment[s]],
            continues_a=continues.get(b.assignment[s]),
        )
        for s in moved
    ]
    return Comparison(
        a=a,
        b=b,
        matching=matching,
        moves=moves,
        only_a=[s for s in a.assignment if s not in b.assignment],
        only_b=[s for s in b.assignment if s not in a.assignment],
    )
