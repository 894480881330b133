"""zoning: draft cross-station police defence zones (多所连片防区) for a county.

The public API (see the README's "Python API")::

    plan_from_files   files in → plan, zones, report, maps and tables out
    plan_stations     the same on a station frame and loads already in memory
    partition         the engine alone: a graph and loads → contiguous zones
    evaluate_plan     score a hand-made plan with the same rules and measures
    compare_plans     two plans side by side: matched zones, moved stations
    Scenario          every planning choice of a run (TOML scenario files)

The package by stage: :mod:`zoning.io` (reading files) → :mod:`zoning.load`
(incidents to station loads) → :mod:`zoning.graph` (adjacency) →
:mod:`zoning.solve` (zones) → :mod:`zoning.centers` (中心所, travel, names) →
:mod:`zoning.maps` / :mod:`zoning.outputs` → :mod:`zoning.workflow` (runs) →
:mod:`zoning.cli` and :mod:`zoning.app` on top. Heavy libraries load only when
a function that needs them is first used, so ``import zoning`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from zoning.errors import (
    InfeasibleError,
    InputError,
    NetworkUnavailableError,
    NoPlanFoundError,
    ZoningError,
    ZoningWarning,
)
from zoning.scenario import Scenario, scenario_from_toml, scenario_to_toml

if TYPE_CHECKING:
    from zoning.solve.partition import Plan, partition
    from zoning.workflow.compare import compare_plans
    from zoning.workflow.evaluate import evaluate_plan
    from zoning.workflow.plan import plan_from_files
    from zoning.workflow.run import PlanResult, plan_stations

__all__ = [
    "InfeasibleError",
    "InputError",
    "NetworkUnavailableError",
    "NoPlanFoundError",
    "Plan",
    "PlanResult",
    "Scenario",
    "ZoningError",
    "ZoningWarning",
    "compare_plans",
    "evaluate_plan",
    "partition",
    "plan_from_files",
    "plan_stations",
    "scenario_from_toml",
    "scenario_to_toml",
]

#: Public names imported on first use (PEP 562), so ``import zoning`` does not
#: pay for geopandas, OR-Tools and folium until they are needed.
_LAZY = {
    "Plan": "zoning.solve.partition",
    "partition": "zoning.solve.partition",
    "PlanResult": "zoning.workflow.run",
    "plan_stations": "zoning.workflow.run",
    "plan_from_files": "zoning.workflow.plan",
    "evaluate_plan": "zoning.workflow.evaluate",
    "compare_plans": "zoning.workflow.compare",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'zoning' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
