"""Shared tiny hand-drawn fixtures (GerryChain style)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from shapely.geometry import box

from zoning._i18n import set_language

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

# 1 km ≈ 0.009 degrees of latitude near 27°N; cells are ~1 km squares
STEP = 0.01
LON0, LAT0 = 115.20, 27.20


def grid_stations(rows: int = 3, cols: int = 3, *, island: bool = False) -> gpd.GeoDataFrame:
    """A rows×cols grid of square jurisdictions near 115.2°E 27.2°N.

    Ids are ``r{row}c{col}``, names ``{id}派出所``, load column ``警情量`` = 10 + index,
    the centre cell (or the first) is flagged as the urban core. With
    ``island=True`` one extra square lies 5 cells east, touching nobody.
    """
    records = []
    for r in range(rows):
        for c in range(cols):
            index = r * cols + c
            records.append(
                {
                    "所代码": f"r{r}c{c}",
                    "派出所": f"r{r}c{c}派出所",
                    "警情量": 10 + index,
                    "户籍人口": 10000 + 1000 * index,
                    "警力": 5 + index % 3,
                    "办案区": "是" if index % 4 == 0 else "否",
                    "社区村居数": 5 + index,
                    "城关": "是" if (r, c) == (rows // 2, cols // 2) else "否",
                    "geometry": box(
                        LON0 + c * STEP,
                        LAT0 + r * STEP,
                        LON0 + (c + 1) * STEP,
                        LAT0 + (r + 1) * STEP,
                    ),
                }
            )
    if island:
        records.append(
            {
                "所代码": "island",
                "派出所": "海岛派出所",
                "警情量": 7,
                "户籍人口": 3000,
                "警力": 3,
                "办案区": "否",
                "社区村居数": 2,
                "城关": "否",
                "geometry": box(
                    LON0 + (cols + 5) * STEP,
                    LAT0,
                    LON0 + (cols + 6) * STEP,
                    LAT0 + STEP,
                ),
            }
        )
    return gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="session")
def grid_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 3×3 grid written once per session as GeoJSON (read it, never write to it)."""
    path = tmp_path_factory.mktemp("grid") / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    return path


def grid_incidents(n: int = 60, *, seed: int = 0) -> pd.DataFrame:
    """``n`` incidents of a 110 export spread over the 3×3 grid (inside, off the edges).

    Columns 警情编号, 报警时间 (six hours apart from 2024-01-01), 警情类别, 经度, 纬度
    and 管辖单位 (the name of the cell the point lies in).
    """
    rng = np.random.default_rng(seed)
    col = rng.integers(0, 3, n)
    row = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "警情编号": [f"J{i:05d}" for i in range(n)],
            "报警时间": pd.date_range("2024-01-01", periods=n, freq="6h").strftime(
                "%Y-%m-%d %H:%M"
            ),
            "警情类别": rng.choice(["刑事", "治安", "交通", "纠纷"], n),
            "经度": (LON0 + (col + rng.uniform(0.1, 0.9, n)) * STEP).round(6),
            "纬度": (LAT0 + (row + rng.uniform(0.1, 0.9, n)) * STEP).round(6),
            "管辖单位": [f"r{r}c{c}派出所" for r, c in zip(row, col, strict=True)],
        }
    )


def run_cli(*args: str) -> Result:
    """Run ``zoning ARGS`` in-process with click's CliRunner."""
    from zoning.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def failed_cleanly(result: Result, *needles: str, code: int = 1) -> str:
    """Assert a CLI run failed with ``code``, one non-empty error naming ``needles``, no traceback.

    Returns the error text (stderr).
    """
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith(("错误：", "Error"))]
    assert len(errors) == 1, result.stderr  # one message, not one per problem or a cascade
    assert errors[0].split("：", 1)[-1].split(":", 1)[-1].strip(), "empty error message"
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    return result.stderr


@pytest.fixture
def grid_file(tmp_path: Path) -> Path:
    """The 3×3 grid written as GeoJSON."""
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(autouse=True)
def _chinese_by_default() -> None:
    """Each test starts in the default language (Chinese)."""
    set_language("zh")
