"""Benchmark: incident intake and attribution on real San Francisco data.

1. Agreement of our point-in-polygon attribution with the police district
   recorded on each of the 13,472 SFPD incidents (Jul–Dec 2012), using the 10
   approximate district polygons, and the ledger balance.
2. Time to attribute 200,000 incidents (resampled from the real ones with
   ~30 m jitter) to the 579 census block groups, median of 3 runs; and, for
   reference, the time to read the same 200,000 rows from a CSV.

Data: ``benchmarks/data/`` (CC0, see ATTRIBUTION.md). Run from the repo root::

    python benchmarks/attribution.py

Prints a Markdown table and writes it to ``benchmarks/results.md`` under
"## Intake and attribution" (other sections of that file are left intact).
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zoning import _schema as S  # noqa: E402
from zoning._i18n import set_language  # noqa: E402
from zoning.io.incidents import IncidentTable, incidents_from_file  # noqa: E402
from zoning.io.stations import stations_from_file  # noqa: E402
from zoning.load import loads_from_incidents  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
from _results import machine, write_section  # noqa: E402

HEADING = "## Intake and attribution"
N_SAMPLE = 200_000
JITTER_M = 30.0
RUNS = 3
T = TypeVar("T")
SF_WEIGHTS = {"VEHICLE THEFT": 1.0, "ROBBERY": 1.0, "DRUG/NARCOTIC": 1.0, "VANDALISM": 1.0}


def _quiet(func: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, list[str]]:
    """Call ``func`` and return (result, list of warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = func(*args, **kwargs)
    return result, [str(w.message) for w in caught]


def _summary(messages: list[str]) -> str:
    """Count warnings and, inside them, the coverage findings (gaps, overlaps)."""
    lines = [line for m in messages for line in m.splitlines()]
    gaps = sum(line.startswith("Gap") for line in lines)
    overlaps = sum(line.startswith("Overlapping") for line in lines)
    return f"{len(messages)} ({gaps} gaps, {overlaps} overlaps between the approximate districts)"


def agreement() -> list[tuple[str, str]]:
    """Attribution of the real incidents vs their recorded PdDistrict."""
    districts, notes = _quiet(
        stations_from_file,
        DATA / "sf_pd_districts_approx_2012.geojson",
        id_column="PdDistrict_majority",
    )
    table, more = _quiet(
        incidents_from_file,
        DATA / "sf_incidents_jul_dec_2012.geojson",
        columns={"category": "Category", "time": "Date", "unit": "PdDistrict"},
    )
    result, rest = _quiet(loads_from_incidents, districts, table, weights=SF_WEIGHTS)
    ledger = result.ledger
    counted = result.incidents
    by_xy = counted[counted["attributed_by"] == "point_in_polygon"]
    agree = float((by_xy[S.STATION_ID] == by_xy[S.UNIT]).mean())
    with_unit = counted[counted[S.UNIT].notna()]
    agree_all = float((with_unit[S.STATION_ID] == with_unit[S.UNIT]).mean())
    balanced = result.load.sum() == ledger["weighted_total"]
    reasons = ", ".join(f"{k} {v}" for k, v in ledger["unassigned"]["reasons"].items() if v)
    top = "; ".join(f"{u}→{s} {n}" for u, s, n in ledger["disagreements"]["top_pairs"][:3])
    return [
        ("Incidents read (SFPD, Jul–Dec 2012)", f"{ledger['rows_read']:,}"),
        (
            "Attributed: point in polygon / nearest ≤ 500 m / by unit",
            f"{ledger['by']['point_in_polygon']:,} / {ledger['by']['nearest_within_tolerance']:,}"
            f" / {ledger['by']['unit_name']:,}",
        ),
        ("Unassigned", f"{ledger['unassigned']['total']:,} ({reasons or 'none'})"),
        ("Agreement with recorded PdDistrict, point in polygon", f"{agree:.2%}"),
        ("Agreement with recorded PdDistrict, all attributed", f"{agree_all:.2%}"),
        ("Largest disagreements (recorded → ours)", top or "none"),
        (
            "Ledger balance Σload == weighted_total",
            f"{'exact' if balanced else 'MISMATCH'} ({ledger['weighted_total']:,.0f})",
        ),
        ("ZoningWarnings raised (intake + attribution)", _summary(notes + more + rest)),
    ]


def resampled(n: int, seed: int = 2012) -> pd.DataFrame:
    """``n`` incidents drawn from the real ones, each moved by ~``JITTER_M`` m."""
    table, _ = _quiet(
        incidents_from_file,
        DATA / "sf_incidents_jul_dec_2012.geojson",
        columns={"category": "Category", "time": "Date", "unit": "PdDistrict"},
    )
    base = table.frame
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), n)
    frame = base.iloc[pick].reset_index(drop=True)
    lat0 = math.radians(float(base[S.LAT].mean()))
    frame[S.LAT] = frame[S.LAT] + rng.normal(0, JITTER_M / 111_320, n)
    frame[S.LON] = frame[S.LON] + rng.normal(0, JITTER_M / (111_320 * math.cos(lat0)), n)
    frame[S.INCIDENT_ID] = [f"S{i:07d}" for i in range(n)]
    return frame


def timing() -> list[tuple[str, str]]:
    """Median time to attribute N_SAMPLE incidents to the 579 block groups."""
    blocks, _ = _quiet(
        stations_from_file,
        DATA / "sf_blockgroups_crime_2012.geojson",
        id_column="GEO_ID",
        name_column="GEO_ID",
    )
    frame = resampled(N_SAMPLE)
    table = IncidentTable(frame=frame, ledger={"rows_read": len(frame), "source": "resampled"})
    times = []
    result = None
    for _ in range(RUNS):
        start = time.perf_counter()
        result, _ = _quiet(loads_from_incidents, blocks, table, weights=SF_WEIGHTS)
        times.append(time.perf_counter() - start)
    assert result is not None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        frame.rename(
            columns={
                S.INCIDENT_ID: "警情编号",
                S.TIME: "报警时间",
                S.CATEGORY: "警情类别",
                S.LON: "经度",
                S.LAT: "纬度",
                S.UNIT: "管辖单位",
            }
        ).to_csv(csv, index=False)
        read_times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            _quiet(incidents_from_file, csv)
            read_times.append(time.perf_counter() - start)
    ledger = result.ledger
    return [
        (
            f"Attribute {N_SAMPLE:,} incidents to {len(blocks)} block groups "
            f"(median of {RUNS}, target < 5 s)",
            f"{statistics.median(times):.2f} s",
        ),
        (
            "… of which point in polygon / nearest / unassigned",
            f"{ledger['by']['point_in_polygon']:,} / {ledger['by']['nearest_within_tolerance']:,}"
            f" / {ledger['unassigned']['total']:,}",
        ),
        ("… ledger balance", "exact" if result.load.sum() == ledger["weighted_total"] else "NO"),
        (
            f"Read the same {N_SAMPLE:,} rows from CSV (median of {RUNS})",
            f"{statistics.median(read_times):.2f} s",
        ),
    ]


def main() -> None:
    set_language("en")
    rows = agreement() + timing()
    table = [HEADING, "", "| Measure | Result |", "| --- | --- |"]
    table += [f"| {name} | {value} |" for name, value in rows]
    table += [
        "",
        f"Machine: {machine()}; "
        f"`python benchmarks/attribution.py`. Data: benchmarks/data (CC0, see ATTRIBUTION.md); "
        "district polygons are approximate (block groups dissolved by majority district).",
    ]
    markdown = "\n".join(table) + "\n"
    print(markdown)
    write_section(markdown)


if __name__ == "__main__":
    main()
