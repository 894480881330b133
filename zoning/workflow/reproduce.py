"""Same inputs, same plan: what a run needs to be reproduced, and the check that it was.

A bureau approves a plan in one meeting and re-runs the scenario file a week
later on another PC. :func:`reproducibility` records in ``report.json`` what
that needs: the tool and solver versions, the seed and budgets, a SHA-256 of
every input file and of the plan itself (station → zone and each zone's
中心所). :func:`check_reproduces` compares a fresh run with a saved plan
(``zoning plan --config scenario.toml --check maps/county/``) and names every
difference, including inputs that changed since.

Examples
--------
>>> one = plan_sha256({"a": 1, "b": 2}, {1: "a", 2: "b"})
>>> one == plan_sha256({"b": 2, "a": 1}, {2: "b", 1: "a"})
True
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zoning._i18n import tr
from zoning.errors import InputError

if TYPE_CHECKING:
    from zoning.scenario import Scenario
    from zoning.workflow.run import PlanResult

__all__ = [
    "CheckResult",
    "check_reproduces",
    "input_fingerprints",
    "plan_sha256",
    "reproducibility",
]

#: Packages whose versions can change a plan (solver, geometry, numerics).
PACKAGES = ("ortools", "numpy", "scipy", "pandas", "shapely", "geopandas", "pyproj", "networkx")
#: Sidecar files that belong to a Shapefile and are hashed with it.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Figures of report.json compared by the check (exactly: same inputs, same arithmetic).
FIGURES = ("spread", "max_dev", "cut_edges", "total_load")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    parts = (
        [path.with_suffix(s) for s in _SHAPEFILE_PARTS if path.with_suffix(s).is_file()]
        if path.suffix.lower() == ".shp"
        else [path]
    )
    for part in parts:
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def input_fingerprints(scenario: Scenario, stations: str | Path) -> dict[str, dict[str, Any]]:
    """SHA-256, size and file name of every input file of a run.

    Every path-valued choice of the scenario counts (stations, incidents, load
    tables, baselines, rivers, features, road files …), so a new input option
    is covered without changes here. Files are named by their name only, never
    by a local absolute path.
    """
    found: dict[str, Path] = {"stations": Path(stations)}
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        if f.name not in ("out", "stations") and isinstance(value, Path) and value.is_file():
            found[f.name] = value
    return {
        key: {"file": path.name, "bytes": path.stat().st_size, "sha256": _file_sha256(path)}
        for key, path in found.items()
        if path.is_file()
    }


def plan_sha256(assignment: Mapping[Any, int], centers: Mapping[int, Any]) -> str:
    """A fingerprint of the plan itself: station → zone and zone → 中心所, order-free."""
    canonical = {
        "assignment": sorted((str(s), int(z)) for s, z in assignment.items()),
        "centers": sorted((int(z), str(c)) for z, c in centers.items()),
    }
    text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reproducibility(result: PlanResult, scenario: Scenario, stations: str | Path) -> dict[str, Any]:
    """The ``reproduce`` block of ``report.json``."""
    solver = result.partition.solver
    centers = {int(z): c.center_id for z, c in result.centers.items()}
    return {
        "tool_version": _version("zoning") or "unknown",
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "seed": scenario.seed,
        "solver": {
            key: solver.get(key)
            for key in (
                "name",
                "status",
                "budget",
                "deterministic_budget",
                "time_limit",
                "workers",
                "stopped_by_wall_clock",
            )
            if key in solver
        },
        "inputs": input_fingerprints(scenario, stations),
        "plan_sha256": plan_sha256(result.partition.assignment, centers),
    }


@dataclass
class CheckResult:
    """Whether a fresh run reproduced a saved plan, and how it differs if not."""

    reproduced: bool
    saved: str
    differences: list[str] = field(default_factory=list)
    changed_inputs: list[str] = field(default_factory=list)


def _saved_report(path: Path) -> dict[str, Any]:
    report = path / "report.json" if path.is_dir() else path
    if report.suffix.lower() != ".json" and report.with_name("report.json").is_file():
        report = report.with_name("report.json")  # plan.geojson → report.json beside it
    if not report.is_file():
        raise InputError(
            tr(
                f"{path}：找不到要核对的方案（report.json）；请给出输出目录或其中的 report.json",
                f"{path}: no saved plan (report.json) to check against; give the output "
                "folder or its report.json",
            )
        )
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            tr(f"{report}：无法读取（{exc}）", f"{report}: cannot be read ({exc})")
        ) from None
    if not isinstance(data, dict) or "zones" not in data:
        raise InputError(
            tr(
                f"{report}：不是 zoning 的方案报告（缺少 zones）",
                f"{report}: not a zoning plan report (no zones)",
            )
        )
    return data


def _saved_assignment(path: Path) -> dict[str, int] | None:
    folder = path if path.is_dir() else path.parent
    plan = folder / "plan.geojson"
    if not plan.is_file():
        return None
    data = json.loads(plan.read_text(encoding="utf-8"))
    return {
        str(f["properties"]["station_id"]): int(f["properties"]["zone"])
        for f in data.get("features", [])
    }


def check_reproduces(result: PlanResult, saved: str | Path) -> CheckResult:
    """Compare a fresh run with a saved plan (output folder, report.json or plan.geojson).

    Returns
    -------
    CheckResult
        ``reproduced`` when the plan fingerprints agree and so do the figures;
        otherwise every difference in words (stations that changed zone,
        中心所 that changed, figures), and the inputs whose files changed.
    """
    path = Path(saved)
    report = _saved_report(path)
    fresh = result.report
    now = fresh.get("reproduce", {})
    before = report.get("reproduce", {})
    differences: list[str] = []
    old_assignment = _saved_assignment(path)
    if old_assignment is not None:
        moved = [
            s
            for s, z in result.partition.assignment.items()
            if old_assignment.get(str(s)) is not None and old_assignment[str(s)] != z
        ]
        if moved:
            shown = "、".join(str(s) for s in moved[:10]) + ("…" if len(moved) > 10 else "")
            differences.append(
                tr(
                    f"{len(moved)} 个派出所所在防区不同：{shown}",
                    f"{len(moved)} stations are in another zone: {shown}",
                )
            )
    old_centers = {int(z["zone"]): str(z.get("center_id")) for z in report.get("zones", [])}
    new_centers = {int(z): c.center_id for z, c in result.centers.items()}
    for zone in sorted(set(old_centers) | set(new_centers)):
        was, now_id = old_centers.get(zone), new_centers.get(zone)
        if was != now_id:
            differences.append(
                tr(
                    f"第 {zone} 防区中心所不同：原 {was}，现 {now_id}",
                    f"zone {zone}: centre was {was}, now {now_id}",
                )
            )
    for key in FIGURES:
        if key in report and report.get(key) != fresh.get(key):
            differences.append(
                tr(
                    f"{key} 不同：原 {report.get(key)}，现 {fresh.get(key)}",
                    f"{key} differs: was {report.get(key)}, now {fresh.get(key)}",
                )
            )
    old_sha = before.get("plan_sha256")
    if old_sha and old_sha != now.get("plan_sha256") and not differences:
        differences.append(tr("方案指纹不同", "the plan fingerprints differ"))
    old_inputs = before.get("inputs", {})
    new_inputs = now.get("inputs", {})
    changed = [
        key
        for key in sorted(set(old_inputs) | set(new_inputs))
        if (old_inputs.get(key) or {}).get("sha256") != (new_inputs.get(key) or {}).get("sha256")
    ]
    return CheckResult(
        reproduced=not differences, saved=str(path), differences=differences, changed_inputs=changed
    )
