"""``zoning compare``: no self-moves, and plans of different counties are refused."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import grid_stations
from zoning.cli import cli
from zoning.errors import InputError, ZoningWarning
from zoning.workflow.compare import compare_assignments, compare_plans, read_plan_output


def _plan_file(folder: Path, zones: dict[str, int], *, prefix: str = "") -> Path:
    """A plan.geojson of the 3×3 grid with the given zone per station id."""
    grid = grid_stations()
    plan = gpd.GeoDataFrame(
        {
            "station_id": [prefix + s for s in grid["所代码"]],
            "station_name": grid["派出所"],
            "zone": [zones[s] for s in grid["所代码"]],
            "load": grid["警情量"].astype(float),
        },
        geometry=grid.geometry,
        crs=grid.crs,
    )
    folder.mkdir(parents=True, exist_ok=True)
    plan.to_file(folder / "plan.geojson", driver="GeoJSON")
    return folder


def _by_column(numbers: tuple[int, int, int]) -> dict[str, int]:
    return {f"r{r}c{c}": numbers[c] for r in range(3) for c in range(3)}


def test_a_move_names_the_zone_it_joins_and_is_never_a_self_move(tmp_path: Path) -> None:
    """Zones 2 and 3 swap numbers in B and r0c1 joins the zone that continues A's 3,
    numbered 2 in B: the move says so instead of reading "2 → 2"."""
    a = _plan_file(tmp_path / "a", _by_column((1, 2, 3)))
    zones_b = _by_column((1, 3, 2)) | {"r0c1": 2}
    b = _plan_file(tmp_path / "b", zones_b)
    result = compare_plans(a, b)
    assert result.matching == {1: 1, 2: 3, 3: 2}
    (move,) = result.moves
    assert (move.station_id, move.zone_a, move.zone_b, move.continues_a) == ("r0c1", 2, 2, 3)
    out = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(tmp_path / "c")])
    assert out.exit_code == 0, out.output
    line = "r0c1派出所：A 第 2 防区（第2防区）→ B 第 2 防区（第2防区，接续 A 第 3 防区）"
    assert line in out.output
    saved = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    assert saved["moves"][0]["continues_a"] == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=25))
def test_no_station_moves_into_the_zone_that_continues_its_own(pairs) -> None:
    a = {f"s{i}": za for i, (za, _) in enumerate(pairs)}
    b = {f"s{i}": zb for i, (_, zb) in enumerate(pairs)}
    matching, moved = compare_assignments(a, b)
    continues = {zb: za for za, zb in matching.items()}
    for s in moved:
        assert continues.get(b[s]) != a[s]
    for s in set(a) - set(moved):
        assert matching[a[s]] == b[s]


def test_plans_with_no_station_in_common_are_refused(tmp_path: Path) -> None:
    a = _plan_file(tmp_path / "a", _by_column((1, 2, 3)))
    b = _plan_file(tmp_path / "b", _by_column((1, 2, 3)), prefix="other-")
    with pytest.raises(InputError, match="没有共同的派出所"):
        compare_plans(a, b)
    out = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(tmp_path / "c")])
    assert out.exit_code == 1
    assert "没有共同的派出所" in out.output and "other-r0c0" in out.output
    assert "Traceback" not in out.output
    assert not (tmp_path / "c" / "compare.html").exists()


def test_a_small_overlap_warns(tmp_path: Path) -> None:
    a = _plan_file(tmp_path / "a", _by_column((1, 2, 3)))
    b_plan = gpd.read_file(a / "plan.geojson")
    keep = b_plan["station_id"].isin(["r0c0", "r1c0", "r2c0", "r0c1"])
    b_plan.loc[~keep, "station_id"] = "x-" + b_plan.loc[~keep, "station_id"]
    (tmp_path / "b").mkdir()
    b_plan.to_file(tmp_path / "b" / "plan.geojson", driver="GeoJSON")
    with pytest.warns(ZoningWarning, match="只有 4 个派出所相同"):
        result = compare_plans(read_plan_output(a), read_plan_output(tmp_path / "b"))
    assert len(result.only_a) == 5 and len(result.only_b) == 5
