"""Property test: the incident ledger is conserved on random incident tables.

Whatever the rows (inside, near or far from the jurisdictions, with or without
coordinates and unit names, any categories and weights), every row read is
either attributed to exactly one station or listed as unassigned with a
reason, and the weighted loads sum exactly to the ledger's weighted total.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import category_weights
from zoning import _schema as S
from zoning.errors import InputError
from zoning.io.incidents import IncidentTable
from zoning.load import loads_from_incidents

UNITS = ("r0c0派出所", "r1c2", "r2c2派出所", "别处派出所", None)


@st.composite
def incident_tables(draw: st.DrawFn, bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    west, south, east, north = bounds
    n = draw(st.integers(min_value=1, max_value=60))
    pad = 0.02
    lon = draw(st.lists(st.floats(west - pad, east + pad), min_size=n, max_size=n))
    lat = draw(st.lists(st.floats(south - pad, north + pad), min_size=n, max_size=n))
    located = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    cats = draw(st.lists(st.sampled_from([*S.CATEGORIES, "盗窃", None]), min_size=n, max_size=n))
    units = draw(st.lists(st.sampled_from(UNITS), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            S.INCIDENT_ID: [f"J{i:04d}" for i in range(n)],
            S.TIME: pd.Timestamp("2024-01-01"),
            S.CATEGORY: cats,
            S.LON: [x if ok else np.nan for x, ok in zip(lon, located, strict=True)],
            S.LAT: [y if ok else np.nan for y, ok in zip(lat, located, strict=True)],
            S.UNIT: units,
        }
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_row_is_accounted_for_and_the_loads_sum_exactly(
    grid_frame: gpd.GeoDataFrame, data: st.DataObject
) -> None:
    rows = data.draw(incident_tables(tuple(grid_frame.total_bounds)))
    weights = data.draw(category_weights())
    table = IncidentTable(frame=rows, ledger={"rows_read": len(rows), "source": "random.csv"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unknown categories, low attribution: warned, not wrong
        try:
            result = loads_from_incidents(grid_frame, table, weights=weights)
        except InputError:
            # refusing is allowed only when no row could be attributed (or all weigh 0)
            return
    ledger = result.ledger
    assert set(result.load.index) == set(grid_frame.index)
    assert result.load.sum() == ledger["weighted_total"]
    assert math_sum(result.load) == ledger["weighted_total"]
    assert ledger["assigned"] + ledger["unassigned"]["total"] == len(rows)
    assert sum(ledger["unassigned"]["reasons"].values()) == ledger["unassigned"]["total"]
    assert sum(ledger["by"].values()) == ledger["assigned"] == len(result.incidents)
    assert result.by_category.to_numpy().sum() == ledger["assigned"]
    assert (result.load >= 0).all()


def math_sum(values: pd.Series) -> float:
    """The loads summed in reverse order: exact sums do not depend on the order."""
    return float(np.sum(values.to_numpy()[::-1]))
