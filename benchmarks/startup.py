"""Benchmark: how long a planner waits, end to end, for the commands they run most.

Three commands, each run as a fresh process (imports included) with the
installed console script's interpreter, minimum of ``RUNS`` runs:

* ``zoning --help`` (target ≤ 0.6 s): the CLI must not import geopandas,
  OR-Tools, osmnx, matplotlib or streamlit to print its help;
* ``zoning demo`` with every output (target ≤ 4 s): the demo county, 21
  stations and 11,476 incident rows, map.html, Excel, GeoPackage, the A4
  print map (PNG + PDF) and report.json;
* ``zoning plan`` on a 20-station county with ``--no-print`` (target ≤ 2.5 s):
  a seeded random Voronoi county (benchmarks/_random_maps.py, 50 km square)
  with its load in a column.

Run from the repo root::

    python benchmarks/startup.py

Prints a Markdown table and writes it to ``benchmarks/results.md`` under
"## Start-up" (other sections are left intact).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._random_maps import voronoi_map  # noqa: E402
from benchmarks._results import machine, write_section  # noqa: E402

HEADING = "## Start-up"
RUNS = 3
TARGETS = {"help": 0.6, "demo": 4.0, "plan20": 2.5}


def _county_20(folder: Path) -> Path:
    """A 20-station random county as GeoJSON with a load column (WGS84)."""
    rmap = voronoi_map(20, seed=20, size=50_000.0)
    ids = list(rmap.polygons)
    frame = gpd.GeoDataFrame(
        {
            "所代码": ids,
            "派出所": [f"{i}派出所" for i in ids],
            "警情量": [rmap.loads[i] for i in ids],
        },
        geometry=[rmap.polygons[i] for i in ids],
        crs="EPSG:32650",
    ).to_crs("EPSG:4326")
    path = folder / "county20.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def _time(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout, not an installed copy
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    zoning = [sys.executable, "-m", "zoning"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        county = _county_20(folder)
        seconds = {
            "help": _time([*zoning, "--help"], folder),
            "demo": _time([*zoning, "demo", "--out", str(folder / "demo"), "-q"], folder),
            "plan20": _time(
                [
                    *zoning,
                    "plan",
                    str(county),
                    "--load-column",
                    "警情量",
                    "--no-print",
                    "-q",
                    "--out",
                    str(folder / "plan20"),
                ],
                folder,
            ),
        }
    labels = {
        "help": "`zoning --help`",
        "demo": "`zoning demo`, every output (21 stations, 11,476 incident rows)",
        "plan20": "`zoning plan` on a 20-station county, `--no-print`",
    }
    rows = ["| Command | Seconds (min of 3) | Target | |", "| --- | --- | --- | --- |"]
    for key, label in labels.items():
        met = "met" if seconds[key] <= TARGETS[key] else "MISSED"
        rows.append(f"| {label} | {seconds[key]:.2f} | ≤ {TARGETS[key]:g} s | {met} |")
    section = "\n".join(
        [
            HEADING,
            "",
            *rows,
            "",
            f"Machine: {machine()}; "
            "`python benchmarks/startup.py`. Each command is a fresh process "
            "(`python -m zoning …`, imports included).",
            "",
        ]
    )
    print(section)
    write_section(section)


if __name__ == "__main__":
    main()
