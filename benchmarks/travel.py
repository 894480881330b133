"""Benchmark the joint zones-and-中心所 engine (issue 13) against bounds and the balance engine.

Maps: the demo county (``data/demo``; loads from its incidents, the 城关 alone),
four real Beijing districts (``../shared/data/cn_counties_beijing``: township
polygons; load = 户籍 population for 密云, else the village count; urban core =
鼓楼街道 for 密云 as in issue 13, the seat's 街道 elsewhere: 延庆 3, 平谷 2,
门头沟 3 — several urban-core stations), and seeded random Voronoi maps of 20,
40, 100 and 300 units (no core). K = 5, travel = straight line × 1.3 at 40 km/h
between seats (the estimate zoning uses without roads), band 5 %, default budgets.

For every map and engine (``travel`` = the joint engine, ``balance`` = the
balance-first engine whose 中心所 is then the cheapest station of each zone):
spread, load-weighted mean and max minutes from the 中心所 (balanced zones),
ratio of Σ load × minutes to the free p-median bound and to the band-constrained
bound without contiguity (both from HiGHS, scipy.optimize.milp, in a separate
process: HiGHS and OR-Tools clash when loaded together; the MIP's dual bound
when it does not finish), the engine's own gap, seconds (imports excluded) and
peak memory of the worker process. Maps ≤ 40 units are also solved by an
independent exact method: every connected zone within the band enumerated,
then an exact cover (and, for reference, a single-commodity flow-contiguity MIP
in HiGHS, which rarely finishes within its time limit).
Then the frontier (bands 2/5/10/20 %) of the demo and 密云, the two CP-SAT
contiguity formulations (rooted tree vs cut loop) at a fixed deterministic budget,
and the engine's CP-SAT sequence on twenty more random maps of 31–50 units at the
2 s default and at 10 s (how often the ≤ 40-station target is met, not one map).

Usage::

    python benchmarks/travel.py            # every table (about 15 min on 2 cores)
    python benchmarks/travel.py --quick    # demo, 密云 and the 20/40 maps only
    python benchmarks/travel.py --sample-only  # the twenty 31–50 unit maps only

Prints the tables and writes them to ``benchmarks/results.md`` and the README (``_results.py``).
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from _random_maps import voronoi_map  # noqa: E402
from _results import machine, write_section  # noqa: E402

DEMO = ROOT / "data" / "demo"
BEIJING = ROOT.parent / "shared" / "data" / "cn_counties_beijing"
#: urban-core townships (codes) per district; 密云 as in issue 13
CORES = {
    "miyun": ["110118001"],
    "yanqing": ["110119001", "110119002", "110119003"],
    "pinggu": ["110117001", "110117002"],
    "mentougou": ["110109001", "110109002", "110109003"],
}
NAMES = {"miyun": "密云", "yanqing": "延庆", "pinggu": "平谷", "mentougou": "门头沟"}
K = 5
BAND = 0.05
FRONTIER = (0.02, 0.05, 0.10, 0.20)
HIGHS_SECONDS = 60.0
#: More random maps (units, seed) where the exact solver runs from 31 stations up to
#: ``settings.exact_max_stations`` (50): one seeded map per size tells little,
#: twenty say how often the 2 s default certifies (the target is ≤ 40 stations).
SAMPLE = tuple((n, 100 + n) for n in range(31, 51))
HEADING = "## Travel objective (joint engine)"


# ----------------------------------------------------------------------------- maps


def _straight(xy: np.ndarray) -> np.ndarray:
    from zoning.centers.travel import DETOUR_FACTOR, STRAIGHT_SPEED_KPH

    metres = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return metres * DETOUR_FACTOR / (STRAIGHT_SPEED_KPH * 1000.0 / 60.0)


def _from_stations(name: str, stations: Any, load: Any, core: list[str]) -> dict[str, Any]:
    from zoning.centers.travel import travel_times
    from zoning.graph import graph_from_stations
    from zoning.workflow.run import category_mix

    graph = graph_from_stations(stations)
    nodes = list(graph.nodes)
    frame = travel_times(stations, None).frame().loc[nodes, nodes]
    mix = None
    if getattr(load, "by_category", None) is not None:
        mix = category_mix(load.by_category, stations.index)
    return {
        "name": name,
        "graph": nx.Graph(graph.edges()) if graph.number_of_edges() else graph,
        "nodes": nodes,
        "loads": {str(k): float(v) for k, v in load.load.items()},
        "minutes": frame.to_numpy(dtype=float),
        "core": core,
        "names": {str(k): str(v) for k, v in stations["station_name"].items()},
        "mix": mix,
    }


def demo_case() -> dict[str, Any]:
    from zoning.io.incidents import incidents_from_file
    from zoning.io.stations import stations_from_file
    from zoning.load import loads_from_incidents

    stations = stations_from_file(DEMO / "stations.geojson")
    load = loads_from_incidents(stations, incidents_from_file(DEMO / "incidents.csv"))
    core = [str(i) for i in stations.index[stations["is_urban_core"].astype(bool)]]
    return _from_stations("demo county", stations, load, core)


def beijing_case(district: str) -> dict[str, Any]:
    from zoning.io.stations import stations_from_file
    from zoning.load import loads_from_column

    path = BEIJING / district / "townships.geojson"
    stations = stations_from_file(path, id_column="code", name_column="name")
    column = "pop_hukou_2022" if district == "miyun" else "n_villages_nbs2023"
    load = loads_from_column(stations, column)
    return _from_stations(f"{NAMES[district]} ({district})", stations, load, CORES[district])


def random_case(n: int, seed: int = 1) -> dict[str, Any]:
    rm = voronoi_map(n, seed=seed)
    nodes = list(rm.graph.nodes)
    xy = np.array([rm.positions[v] for v in nodes], dtype=float)
    return {
        "name": f"voronoi {n}" + ("" if seed == 1 else f" (seed {seed})"),
        "graph": rm.graph,
        "nodes": nodes,
        "loads": rm.loads,
        "minutes": _straight(xy),
        "core": [],
        "names": {v: v for v in nodes},
        "mix": None,
    }


def _graph(case: dict[str, Any]) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(case["nodes"])
    g.add_edges_from(case["graph"].edges())
    return g


# ----------------------------------------------------------------------------- workers


def engine_worker(kind: str, path: str) -> None:
    """Run one engine on one map; print its figures as JSON (imports not timed)."""
    case = pickle.loads(Path(path).read_bytes())
    from zoning.solve import balance_exact
    from zoning.solve.partition import partition

    balance_exact.available()  # import OR-Tools now (≈ 1.4 s once per process)
    frontier = FRONTIER if kind == "frontier" else ()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = partition(
            _graph(case),
            case["loads"],
            k=K,
            urban_core=case["core"] or None,
            minutes=case["minutes"],
            category_mix=case["mix"],
            names=case["names"],
            objective="balance" if kind == "balance" else "travel",
            band=BAND,
            frontier=frontier,
        )
    seconds = time.perf_counter() - t0
    travel = plan.travel or {}
    out = {
        "spread": plan.spread,
        "mean": travel.get("mean_minutes"),
        "max": travel.get("max_minutes"),
        "farthest": case["names"].get(travel.get("farthest"), travel.get("farthest")),
        "share": travel.get("share_within"),
        "objective": travel.get("objective"),
        "status": plan.solver.get("status"),
        "name": plan.solver.get("name"),
        "gap": plan.solver.get("gap") if kind != "balance" else None,
        "bound": plan.solver.get("bound") if kind != "balance" else None,
        "band": plan.band,
        "cut": plan.cut_edges,
        "seconds": seconds,
        "wall_cap_fired": plan.solver.get("stopped_by_wall_clock"),
        "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "frontier": [
            {k: v for k, v in r.items() if k not in ("assignment", "centers", "plan")}
            for r in plan.frontier
        ],
    }
    print(json.dumps(out, ensure_ascii=False, default=float))


def _balanced(
    case: dict[str, Any],
) -> tuple[list[str], np.ndarray, np.ndarray, list[tuple[int, int]]]:
    core = set(case["core"])
    keep = [i for i, v in enumerate(case["nodes"]) if v not in core]
    nodes = [case["nodes"][i] for i in keep]
    index = {v: i for i, v in enumerate(nodes)}
    minutes = case["minutes"][np.ix_(keep, keep)]
    load = np.array([case["loads"][v] for v in nodes], dtype=float)
    edges = [(index[a], index[b]) for a, b in case["graph"].edges() if a in index and b in index]
    return nodes, load, minutes, edges


def _num(value: Any) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def highs_worker(path: str, what: str, band: float) -> None:
    """A HiGHS MIP (scipy.optimize.milp) on the balanced part; print JSON.

    ``what``: ``free`` (p-median), ``band`` (p-median with the zone-load band),
    ``flow`` (band plus single-commodity flow contiguity: an exact joint model).
    """
    from scipy.optimize import LinearConstraint, milp
    from scipy.sparse import coo_matrix

    case = pickle.loads(Path(path).read_bytes())
    nodes, load, minutes, edges = _balanced(case)
    n = len(nodes)
    m = K - (1 if case["core"] else 0)
    cost = (load[:, None] * minutes.T).reshape(-1)  # y[i, j]: i served by centre j
    ny = n * n
    arcs = [*edges, *[(b, a) for a, b in edges]]
    nf = n * len(arcs) if what == "flow" else 0
    nv = ny + 2 + nf  # y, lo, hi, flows
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []

    def row(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(lb)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lb.append(lo)
        ub.append(hi)

    def y(i: int, j: int) -> int:
        return i * n + j

    for i in range(n):
        row([(y(i, j), 1.0) for j in range(n)], 1, 1)
        for j in range(n):
            if i != j:
                row([(y(i, j), 1.0), (y(j, j), -1.0)], -np.inf, 0)
    row([(y(j, j), 1.0) for j in range(n)], m, m)
    total = float(load.sum())
    if what in ("band", "flow"):
        lo_v, hi_v = ny, ny + 1
        b = band * total / m
        row([(hi_v, 1.0), (lo_v, -1.0)], -np.inf, b)
        mean = total / m
        for j in range(n):
            zl = [(y(i, j), float(load[i])) for i in range(n)]
            row([*zl, (hi_v, -1.0), (y(j, j), total)], -np.inf, total)
            row([*zl, (lo_v, -1.0), (y(j, j), -total)], -total, np.inf)
            # implied by hi − lo ≤ b with m zones summing to the total (tightens the LP)
            row([*zl, (y(j, j), -(mean + (m - 1) / m * b))], -np.inf, 0)
            row([*zl, (y(j, j), -(mean - (m - 1) / m * b))], 0, np.inf)
    if what == "flow":
        cap = float(n - m + 1)
        for j in range(n):
            base = ny + 2 + j * len(arcs)
            into: dict[int, list[int]] = {i: [] for i in range(n)}
            out: dict[int, list[int]] = {i: [] for i in range(n)}
            for a, (u, v) in enumerate(arcs):
                into[v].append(base + a)
                out[u].append(base + a)
                row([(base + a, 1.0), (y(v, j), -cap)], -np.inf, 0)  # flow only inside zone j
                row([(base + a, 1.0), (y(u, j), -cap)], -np.inf, 0)
            for i in range(n):
                if i == j:
                    continue
                entries = [(f, 1.0) for f in into[i]] + [(f, -1.0) for f in out[i]]
                row([*entries, (y(i, j), -1.0)], 0, 0)  # each station of zone j absorbs 1
    c = np.concatenate([cost, np.zeros(nv - ny)])
    integrality = np.concatenate([np.ones(ny), np.zeros(nv - ny)])
    upper = np.concatenate([np.ones(ny), [total, total], np.full(nf, n)])
    matrix = coo_matrix((vals, (rows, cols)), shape=(len(lb), nv)).tocsr()
    t0 = time.perf_counter()
    res = milp(
        c,
        constraints=LinearConstraint(matrix, lb, ub),
        integrality=integrality,
        bounds=(np.zeros(nv), upper),
        options={"time_limit": HIGHS_SECONDS, "mip_rel_gap": 1e-7, "disp": False},
    )
    out_json = {
        "status": {0: "optimal", 1: "time limit"}.get(res.status, f"status {res.status}"),
        "objective": _num(res.fun) if res.x is not None else None,
        "bound": _num(getattr(res, "mip_dual_bound", None)),
        "message": str(res.message),
        "seconds": time.perf_counter() - t0,
        "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(out_json))


def enumeration_worker(
    path: str, band: float, incumbent: float = np.inf, cap_seconds: float = 600.0
) -> None:
    """An independent exact method: every connected zone within the band, then exact cover.

    Zones are enumerated once each from their smallest station (ESU extension
    sets, pruned by the band's largest zone load); a zone costs its best
    1-median; a depth-first exact cover over the smallest uncovered station
    with the running load range and the best cost as pruning finds the optimum.
    Prints JSON (``status`` "optimal" or "cap" when ``cap_seconds`` ran out).
    With ``incumbent`` (the joint engine's Σ load × minutes) only strictly better
    covers are sought: finishing without one proves the engine's plan optimal.
    """
    case = pickle.loads(Path(path).read_bytes())
    nodes, load, minutes, edges = _balanced(case)
    n = len(nodes)
    m = K - (1 if case["core"] else 0)
    total = float(load.sum())
    b = band * total / m * (1 + 1e-9)
    lo_lim, hi_lim = total / m - (m - 1) / m * b, total / m + (m - 1) / m * b
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, c in edges:
        adj[a].add(c)
        adj[c].add(a)
    t0 = time.perf_counter()
    zones: list[list[tuple[int, float, float]]] = [
        [] for _ in range(n)
    ]  # root → (mask, load, cost)
    weight = load[None, :] * minutes  # weight[c, i]

    def extend(sub: list[int], ext: list[int], mask: int, root: int, lsum: float) -> None:
        if lo_lim - 1e-9 <= lsum <= hi_lim + 1e-9:
            cost = float(weight[np.ix_(sub, sub)].sum(axis=1).min())
            zones[root].append((mask, lsum, cost))
        ext = list(ext)
        while ext:
            w = ext.pop()
            if lsum + load[w] > hi_lim + 1e-9:
                continue
            near = {u for v in sub for u in adj[v]}
            new = [u for u in adj[w] if u > root and not mask >> u & 1 and u not in near]
            extend(
                [*sub, w],
                ext + [u for u in new if u not in ext],
                mask | 1 << w,
                root,
                lsum + load[w],
            )

    for r in range(n):
        extend([r], [u for u in adj[r] if u > r], 1 << r, r, float(load[r]))
    count = sum(len(z) for z in zones)
    for z in zones:
        z.sort(key=lambda t: t[2])  # cheap zones first: good covers early
    best = [incumbent * (1 - 1e-7)]  # only covers better by more than rounding
    capped = [False]
    full = (1 << n) - 1

    def cover(mask: int, k: int, cost: float, zmin: float, zmax: float) -> None:
        if capped[0] or cost >= best[0] - 1e-9:
            return
        if time.perf_counter() - t0 > cap_seconds:
            capped[0] = True
            return
        if mask == full:
            if k == m:
                best[0] = cost
            return
        if k == m:
            return
        u = (~mask & full & -(~mask & full)).bit_length() - 1  # smallest uncovered station
        for zm, zl, zc in zones[u]:
            if zm & mask:
                continue
            lo_, hi_ = min(zmin, zl), max(zmax, zl)
            if hi_ - lo_ > b:
                continue
            cover(mask | zm, k + 1, cost + zc, lo_, hi_)

    cover(0, 0, 0.0, np.inf, -np.inf)
    print(
        json.dumps(
            {
                "status": "cap" if capped[0] else "optimal",
                "objective": None if best[0] >= incumbent * (1 - 1e-7) else best[0],
                "better_than_incumbent": bool(best[0] < incumbent * (1 - 1e-7)),
                "zones": count,
                "seconds": time.perf_counter() - t0,
            }
        )
    )


def formulation_worker(path: str, spec: str, band: float) -> None:
    """The joint CP-SAT model alone, one strategy, fixed budget; print JSON.

    ``spec`` is ``FORMULATION[-lp2][@WORK]`` (``tree``, ``cutloop``; ``-lp2``: CP-SAT's
    full LP, ``linearization_level`` 2; ``WORK`` deterministic seconds, default 10) or
    ``sequence@WORK``: the engine's own models (``solve_joint_travel``), or
    ``pairs@WORK``: the second model alone (``PAIR_STRATEGY``).
    """
    from dataclasses import replace

    from zoning.solve import balance_heuristic
    from zoning.solve.joint_exact import PAIR_STRATEGY, solve_joint_exact, solve_joint_travel
    from zoning.solve.joint_heuristic import Budget, solve_joint_heuristic
    from zoning.solve.joint_model import JointProblem
    from zoning.solve.problem import make_problem

    case = pickle.loads(Path(path).read_bytes())
    g = _graph(case)
    nodes = [v for v in g if v not in set(case["core"])]
    classes = {v: v for v in nodes}
    options = {
        "balance": "load",
        "tolerance": 0.01,
        "compactness_weight": 1.0,
        "similarity_weight": 0.0,
    }
    problem = make_problem(
        g,
        case["loads"],
        k=K,
        core=case["core"] or None,
        officers=None,
        category_mix=None,
        locks={},
        classes=classes,
        options=options,
        names=case["names"],
    )
    keep = [case["nodes"].index(v) for v in problem.nodes]
    jp = JointProblem(
        problem,
        case["minutes"][np.ix_(keep, keep)],
        band,
        np.ones(problem.n, dtype=bool),
        np.zeros(problem.n, dtype=bool),
    )
    warm = balance_heuristic.solve_heuristic(
        replace(problem, tolerance=band), seed=0, time_limit=60, effort=0.3
    )
    heur = solve_joint_heuristic(
        jp, seed=0, budget=Budget.from_seconds(0.5, jp.n), starts=[warm.zone]
    )
    hint = None if heur is None else (heur.zone, heur.centre)
    name, _, work_text = spec.partition("@")
    work = float(work_text or 10.0)
    if name == "sequence":
        res = solve_joint_travel(jp, seed=0, work=work, wall_cap=600, hint=hint)
    elif name == "pairs":
        res = solve_joint_exact(jp, seed=0, work=work, wall_cap=600, hint=hint, **PAIR_STRATEGY)
    else:
        formulation, _, lp = name.partition("-")
        params = {"linearization_level": 2} if lp == "lp2" else None
        res = solve_joint_exact(
            jp,
            seed=0,
            work=work,
            wall_cap=600,
            hint=hint,
            formulation=formulation,
            params=params,
        )
    total = float(problem.load.sum())
    print(
        json.dumps(
            {
                "status": res.status,
                "det": res.deterministic_time,
                "seconds": res.seconds,
                "mean": None if res.objective is None else res.objective / total,
                "gap": None
                if res.objective is None
                else (res.objective - res.bound) / res.objective,
                "rounds": res.rounds,
            }
        )
    )


# ----------------------------------------------------------------------------- driver


def _run(args: list[str], timeout: float = 900) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, *args]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as err:
        print(f"  {' '.join(args[:2])} failed: {str(err)[-300:]}", file=sys.stderr)
        return None


def _f(value: Any, spec: str = ".2f", scale: float = 1.0) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return format(scale * value, spec)


def _best_bound(res: dict[str, Any] | None) -> float | None:
    """The HiGHS optimum, or its dual bound when it did not finish."""
    if res is None:
        return None
    value = res["objective"] if res["status"] == "optimal" else res["bound"]
    return None if value is None or not np.isfinite(value) else float(value)


def _engine_row(
    name: str, n: int, kind: str, res: dict[str, Any], fb: float | None, bb: float | None
) -> str:
    obj = res["objective"]
    band_used = res["band"]["used"] if res["band"] else None
    status = f"{res['name']} {res['status']}" + (" (wall cap)" if res["wall_cap_fired"] else "")
    cells = [
        name,
        str(n),
        kind,
        _f(band_used, ".1f", 100),
        _f(res["spread"], ".2f", 100),
        _f(res["mean"]),
        _f(res["max"], ".1f"),
        _f(obj / fb if fb else None, ".3f"),
        _f(obj / bb if bb else None, ".3f"),
        _f(res["gap"], ".2f", 100),
        f"{res['seconds']:.2f}",
        f"{res['mb']:.0f}",
        status,
    ]
    return "| " + " | ".join(cells) + " |"


def _check_row(
    name: str,
    n: int,
    joint: dict[str, Any],
    enum: dict[str, Any],
    flow: dict[str, Any],
    total: float,
) -> str:
    fm = None if flow["objective"] is None else flow["objective"] / total
    fb = flow["bound"] / total if flow["bound"] is not None else None
    if enum["status"] != "optimal" and flow["status"] == "optimal" and fm is not None:
        agree = abs(fm - joint["mean"]) <= 1e-4 * max(1.0, fm)
        verdict = (
            "yes (HiGHS proves the same optimum)"
            if agree
            else f"no: HiGHS proves {fm:.4f}; enumeration not finished"
        )
    elif enum["status"] != "optimal":
        verdict = "enumeration not finished"
    elif enum["better_than_incumbent"]:
        verdict = f"no: enumeration found {enum['objective'] / total:.4f}"
    else:
        verdict = "yes (no better plan exists)"
    cells = [
        name,
        str(n),
        f"{joint['mean']:.4f}, {joint['status']}",
        f"{enum['status']}, {enum['zones']} zones, {enum['seconds']:.1f} s",
        f"{_f(fm, '.3f')}, {_f(fb, '.3f')}, {flow['status']}, {flow['seconds']:.0f} s",
        verdict,
    ]
    return "| " + " | ".join(cells) + " |"


def _frontier_rows(name: str, fr: dict[str, Any]) -> list[str]:
    def row(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    share = fr["share"]
    rows = [
        row(
            [
                f"{name} (main plan, band {100 * fr['band']['used']:.1f} %)",
                "-",
                fr["status"],
                f"{100 * fr['spread']:.2f}",
                f"{fr['mean']:.2f}",
                f"{fr['max']:.1f}",
                f"{100 * share['15']:.0f} %",
                f"{100 * share['30']:.0f} %",
                str(fr["cut"]),
            ]
        )
    ]
    for r in fr["frontier"]:
        if r["status"] != "solved":
            rows.append(row([name, f"{100 * r['band']:.0f}", r["status"]] + ["-"] * 6))
            continue
        within = r["share_within"]
        rows.append(
            row(
                [
                    name,
                    f"{100 * r['band']:.0f}",
                    str(r["solver_status"]),
                    f"{100 * r['spread']:.2f}",
                    f"{r['mean_minutes']:.2f}",
                    f"{r['max_minutes']:.1f}",
                    f"{100 * within['15']:.0f} %",
                    f"{100 * within['30']:.0f} %",
                    str(r["cut_edges"]),
                ]
            )
        )
    rows.append(row([f"{name}: whole run incl. frontier", "", f"{fr['seconds']:.2f} s"] + [""] * 6))
    return rows


def _strategy_row(name: str, used: float, results: list[dict[str, Any] | None]) -> str:
    cells = [
        "-" if r is None else f"{r['status']}, {r['det']:.2f}, {_f(r['gap'], '.2f', 100)}"
        for r in results
    ]
    return f"| {name} | {100 * used:.1f} | " + " | ".join(cells) + " |"


def _formulation_row(name: str, used: float, t: dict[str, Any], c: dict[str, Any]) -> str:
    tree = f"{t['status']}, {t['det']:.2f}, {t['seconds']:.2f}, {_f(t['gap'], '.2f', 100)}"
    cut = (
        f"{c['status']}, {c['det']:.2f}, {c['seconds']:.2f}, {c['rounds']}, "
        f"{_f(c['gap'], '.2f', 100)}"
    )
    return f"| {name} | {100 * used:.1f} | {tree} | {cut} |"


def _sample_rows() -> list[str]:
    """The engine's CP-SAT sequence at 2 and 10 deterministic s on :data:`SAMPLE`."""
    rows = [
        "| map | units | 2 s default: status, det s, gap % | 10 s: status, det s, gap % |",
        "| --- | --- | --- | --- |",
    ]
    groups = {"31–40": (31, 40), "41–50": (41, 50)}
    tally = {(g, w): [0, 0, 0] for g in groups for w in ("2", "10")}  # maps, proven, ≤ 1 %
    with tempfile.TemporaryDirectory() as tmp:
        for n, seed in SAMPLE:
            case = random_case(n, seed)
            path = Path(tmp) / f"{n}-{seed}.pkl"
            path.write_bytes(pickle.dumps(case))
            group = next(g for g, (a, b) in groups.items() if a <= n <= b)
            cells = []
            for work in ("2", "10"):
                r = _run(["--formulation-worker", str(path), f"sequence@{work}", str(BAND)])
                t = tally[group, work]
                t[0] += 1
                if r is None:
                    cells.append("-")
                    continue
                t[1] += r["status"] == "optimal"
                t[2] += r["gap"] is not None and r["gap"] <= 0.01
                cells.append(f"{r['status']}, {r['det']:.2f}, {_f(r['gap'], '.2f', 100)}")
            rows.append(f"| {case['name']} | {n} | " + " | ".join(cells) + " |")
            print(rows[-1], flush=True)
    for group in groups:
        a, b = tally[group, "2"], tally[group, "10"]
        rows.append(
            f"| {group} units: proven / gap ≤ 1 % | | {a[1]} / {a[2]} of {a[0]} "
            f"| {b[1]} / {b[2]} of {b[0]} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="demo, 密云, 20 and 40 units only")
    ap.add_argument("--sample-only", action="store_true", help="print the 31–50 unit sample only")
    ap.add_argument("--engine-worker", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--highs-worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--formulation-worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--enumeration-worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.enumeration_worker:
        enumeration_worker(
            args.enumeration_worker[0],
            float(args.enumeration_worker[1]),
            float(args.enumeration_worker[2]),
        )
        return
    if args.engine_worker:
        engine_worker(*args.engine_worker)
        return
    if args.highs_worker:
        highs_worker(args.highs_worker[0], args.highs_worker[1], float(args.highs_worker[2]))
        return
    if args.formulation_worker:
        formulation_worker(
            args.formulation_worker[0],
            args.formulation_worker[1],
            float(args.formulation_worker[2]),
        )
        return
    sample_rows = _sample_rows()
    if args.sample_only:
        print("\n".join(sample_rows))
        return
    cases = [demo_case()]
    districts = ["miyun"] if args.quick else list(CORES)
    cases += [beijing_case(d) for d in districts if (BEIJING / d).is_dir()]
    cases += [random_case(n) for n in ((20, 40) if args.quick else (20, 40, 100, 300))]
    header = (
        "| map | units | engine | band used % | spread % | mean min | max min | × free p-median "
        "| × band bound (no contiguity) | gap % | seconds | peak MB | status |"
    )
    table = [header, "|" + " --- |" * 13]
    check = [
        "| map | units | joint CP-SAT: mean min, status "
        "| enumeration (finds any strictly better plan): status, zones, s "
        "| HiGHS flow MIP: mean min, bound, status, s | agree |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    frontier_rows = [
        "| map | band % | status | spread % | mean min | max min | ≤ 15 min | ≤ 30 min "
        "| cut edges |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    form_rows = [
        "| map | band % | tree: status, det s, s, gap % "
        "| cut loop: status, det s, s, rounds, gap % |",
        "| --- | --- | --- | --- |",
    ]
    strategy_rows = [
        "| map | band % | tree, default LP: status, det s, gap % "
        "| cut loop, full LP: status, det s, gap % "
        "| cut loop, full LP, centres first, pair cuts: status, det s, gap % "
        "| engine (tree; from 31 stations the cut loop, full LP, centres first, and the "
        "pair-cut model beside it): status, det s, gap % |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            path = Path(tmp) / f"{len(table)}.pkl"
            path.write_bytes(pickle.dumps(case))
            n, name = len(case["nodes"]), case["name"]
            joint = _run(["--engine-worker", "travel", str(path)])
            balance = _run(["--engine-worker", "balance", str(path)])
            used = BAND if joint is None or not joint["band"] else joint["band"]["used"]
            free = _run(["--highs-worker", str(path), "free", str(used)])
            banded = _run(["--highs-worker", str(path), "band", str(used)])
            core = set(case["core"])
            total = sum(case["loads"][v] for v in case["nodes"] if v not in core)
            for kind, res in (("travel", joint), ("balance", balance)):
                if res is not None:
                    line = _engine_row(name, n, kind, res, _best_bound(free), _best_bound(banded))
                    table.append(line)
                    print(line, flush=True)
            for label, res in (("free", free), ("band", banded)):
                if res is not None:
                    print(f"  HiGHS {label}: {res['status']} {res['seconds']:.1f} s", flush=True)
            if n <= 40 and joint is not None:
                incumbent = str(joint["objective"])
                enum = _run(["--enumeration-worker", str(path), str(used), incumbent], timeout=1200)
                flow = _run(["--highs-worker", str(path), "flow", str(used)])
                if enum is not None and flow is not None:
                    check.append(_check_row(name, n, joint, enum, flow, total))
            if name.startswith(("demo", "密云")):
                fr = _run(["--engine-worker", "frontier", str(path)])
                if fr is not None:
                    frontier_rows.extend(_frontier_rows(name, fr))
            if n <= 40:
                t = _run(["--formulation-worker", str(path), "tree", str(used)])
                c = _run(["--formulation-worker", str(path), "cutloop", str(used)])
                if t and c:
                    form_rows.append(_formulation_row(name, used, t, c))
                runs = [
                    _run(["--formulation-worker", str(path), spec, str(used)])
                    for spec in ("tree@2", "cutloop-lp2@2", "pairs@2", "sequence@2")
                ]
                strategy_rows.append(_strategy_row(name, used, runs))
    section = "\n".join(
        [
            HEADING,
            "",
            *table,
            "",
            "Independent check of the joint optimum (≤ 40 units):",
            "",
            *check,
            "",
            "Frontier (best plan per band):",
            "",
            *frontier_rows,
            "",
            "Contiguity formulation of the joint CP-SAT model (one worker, 10 deterministic s, "
            "same warm start):",
            "",
            *form_rows,
            "",
            "CP-SAT strategies at the default budget (one worker per model, 2 deterministic s "
            "each, the engine's share for a 2 s run; gap against the strategy's own bound; the "
            "engine's det s add up both models when the first does not prove its plan):",
            "",
            *strategy_rows,
            "",
            "Twenty more random maps of 31–50 units (seed = 100 + units, band 5 %, the engine's "
            "CP-SAT models from the same warm start as above; gap against its own bound):",
            "",
            *sample_rows,
            "",
            f"Machine: {machine()}; `python benchmarks/travel.py`. Seconds exclude imports; "
            "peak MB is the worker's maximum resident set; band 5 % requested (raised to the "
            "certified smallest spread + 1 pp where nothing fits); × bound = Σ load × minutes / "
            f"the HiGHS optimum (or its dual bound after {HIGHS_SECONDS:.0f} s).",
            "",
        ]
    )
    print()
    print(section)
    if not args.quick:
        write_section(section)


if __name__ == "__main__":
    main()
