"""zoning: draft cross-station police defence zones (多所连片防区) for a county.

The pipeline, one module per stage::

    intake      station polygons and 110 incident exports in, cleaned
    load        incidents attributed to stations, weighted load + ledger
    graph       adjacency of jurisdictions (shared boundary)
    partition   contiguous zones balanced by load (exact CP-SAT or heuristic)
    constraints small pure checks used by the solver and the tests
    centers     中心所 and the two teams per zone, with reasons
    maps        offline folium map
    export      plan.geojson, zones.geojson, report.json
    pipeline    all of the above from files; cli is a thin layer over it
"""

from zoning.errors import InfeasibleError, InputError, ZoningError, ZoningWarning
from zoning.scenario import Scenario, scenario_from_toml

__all__ = [
    "InfeasibleError",
    "InputError",
    "Scenario",
    "ZoningError",
    "ZoningWarning",
    "scenario_from_toml",
]
