"""The trade-off, shown (issue 13 item 4): frontier plans written like alternatives, the
ladder's status per band, its chart in the map and the print PDF, its table in the
document, and why a station is far from its 中心所.

One plan of the 3×3 grid (four zones: the smallest spread is 10.7 %, so a 5 % band has
no plan) with hostile station names is written once for the module; the far-station
limit is lowered to 1 minute so that the grid's short distances count as far.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.figure import Figure

from tests.conftest import DATA_BLOCK, grid_stations, page_data
from zoning import settings
from zoning._i18n import set_language
from zoning.cli import cli
from zoning.decision.farstations import far_stations
from zoning.decision.tradeoff import status_text, summary_lines
from zoning.maps.style import esc

HOSTILE = "<b>{{ 7*191 }}</b>&"
BANDS = "0.05,0.2,0.6"


def _axes_of(fig: Figure) -> Iterator[Any]:
    stack = list(fig.axes)
    while stack:
        ax = stack.pop()
        yield ax
        stack.extend(ax.child_axes)


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("frontier")
    stations = grid_stations()
    stations["派出所"] = [f"{HOSTILE}{i}所" for i in range(len(stations))]
    path = base / "grid.geojson"
    stations.to_file(path, driver="GeoJSON")
    out = base / "out"
    drawn: list[list[tuple[str, list[float]]]] = []
    original = Figure.savefig

    def spy(fig: Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
        if str(fname).endswith(".pdf"):  # every labelled line of the page's axes
            drawn.append(
                [
                    (str(line.get_label()), [float(y) for y in line.get_ydata()])
                    for ax in _axes_of(fig)
                    for line in ax.get_lines()
                    if not str(line.get_label()).startswith("_")
                ]
            )
        return original(fig, fname, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "far_station_minutes", 1.0)
        mp.setattr(Figure, "savefig", spy)
        result = CliRunner().invoke(
            cli,
            ["plan", str(path), "--load-column", "警情量", "-k", "4", "--band", "0.2",
             "--frontier", BANDS, "--out", str(out)],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {"out": out, "output": result.output, "report": report, "pdf_lines": drawn}


def test_each_solved_band_is_written_like_an_alternative_and_compares(
    planned: dict[str, Any],
) -> None:
    out, report = planned["out"], planned["report"]
    solved = [r for r in report["frontier"] if r["status"] == "solved"]
    assert [r["band"] for r in solved] == [0.2, 0.6]
    assert [r["folder"] for r in solved] == ["frontier/20", "frontier/60"]
    assert not (out / "frontier" / "5").exists()  # no plan fits 5 %
    for row in solved:
        folder = out / row["folder"]
        rung = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert rung["frontier_band"] == row["band"]
        assert rung["band"]["used"] == row["band"] and rung["band"]["reason"] == "frontier"
        assert rung["spread"] == pytest.approx(row["spread"])
        assert rung["travel_figures"]["mean_minutes"] == pytest.approx(row["mean_minutes"])
        assert (folder / "map.html").stat().st_size > 0
        plan = gpd.read_file(folder / "plan.geojson")
        assert len(plan) == 9 and plan["zone"].nunique() == 4
    assert solved[0]["same_as"] == "plan"  # the plan at 20 % is the main plan
    # zoning compare works on any two of them, and on a rung against the main plan
    for a, b in (
        (out, out / "frontier" / "60"),
        (out / "frontier" / "20", out / "frontier" / "60"),
    ):
        result = CliRunner().invoke(cli, ["compare", str(a), str(b), "--out", str(a / "cmp")])
        assert result.exit_code == 0, result.output
        assert (a / "cmp" / "compare.html").is_file()
    # the main plan against its own rung at 20 %: the same plan, nothing moved
    result = CliRunner().invoke(
        cli, ["compare", str(out), str(out / "frontier/20"), "--out", str(out / "cmp20")]
    )
    assert result.exit_code == 0, result.output
    assert "调整的派出所" not in result.output
    # a rung is named by its plan and band, not by its folder's bare number
    assert f"B：{out.name} · 负荷带宽 20%" in result.output


def test_a_band_below_the_smallest_spread_says_so(planned: dict[str, Any]) -> None:
    row = planned["report"]["frontier"][0]
    assert row["band"] == 0.05 and row["status"] == "below_min_spread"
    assert row["min_spread_status"] == "optimal" and row["min_spread"] > 0.05
    assert f"5%：低于最小可达极差 {row['min_spread']:.1%}" in planned["output"]
    assert "frontier/20、frontier/60" in planned["output"]


def test_status_words_for_every_rung() -> None:
    assert status_text({"status": "out_of_budget"}) == "时限用尽，未找到方案"
    set_language("en")
    assert status_text({"status": "out_of_budget"}) == "budget used up without a plan"
    assert "not proven" in status_text(
        {"status": "solved", "solver_status": "feasible", "gap": None}
    )
    assert status_text({"status": "below_min_spread", "min_spread": 0.05}).endswith("5.0%")


def test_the_map_shows_the_chart_with_names_escaped(planned: dict[str, Any]) -> None:
    page = (planned["out"] / "map.html").read_text(encoding="utf-8")
    (data,) = page_data(page)
    panel = data["panels"]["tradeoff"]
    assert panel.count("<polyline") == 2 and "<svg" in panel  # mean and farthest lines
    assert "5%" in panel and "低于最小可达极差" in panel
    names = [f"{HOSTILE}{i}所" for i in range(9)]
    far = planned["report"]["far_stations"]["stations"]
    assert far
    for entry in far:
        assert esc(entry["station_name"]) in panel
    # user text only in the data block, escaped: no markup of a name reaches the page
    outside = DATA_BLOCK.sub("", page)
    assert not any(name in outside or esc(name) in outside for name in names)
    assert "1337" not in html.unescape(panel) and "<b>" not in panel
    assert "ZoningTradeoff" in outside or "zoning-tradeoff" in outside


def test_the_print_pdf_has_the_chart(planned: dict[str, Any]) -> None:
    (lines,) = planned["pdf_lines"]
    solved = [r for r in planned["report"]["frontier"] if r["status"] == "solved"]
    series = dict(lines)
    assert series["平均（按警情加权）"] == pytest.approx([r["mean_minutes"] for r in solved])
    assert series["最远"] == pytest.approx([r["max_minutes"] for r in solved])
    assert (planned["out"] / "map.pdf").read_bytes().startswith(b"%PDF")


def test_the_document_has_the_frontier_table_and_the_far_stations(
    planned: dict[str, Any],
) -> None:
    document = docx.Document(str(planned["out"] / "report.docx"))
    table = next(t for t in document.tables if "状态" in [c.text for c in t.rows[0].cells])
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == ["5.0%", "20.0%", "60.0%"]
    assert rows[0][1].startswith("低于最小可达极差")
    assert rows[1][1] == "已求解（即本方案）" and rows[2][1] == "已求解"
    assert rows[2][-1] == "frontier/60"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "远离中心所" in text
    far = planned["report"]["far_stations"]
    assert far["stations"][0]["station_name"] in text  # the name, shown as written
    assert f"{far['stations'][0]['minutes']:.1f} 分钟" in text


def test_far_stations_are_explained_in_the_report_and_summary(planned: dict[str, Any]) -> None:
    far = planned["report"]["far_stations"]
    assert far["limit"] == 1.0
    minutes = [s["minutes"] for s in far["stations"]]
    assert minutes == sorted(minutes, reverse=True) and min(minutes) > 1.0
    assert {s["cause"] for s in far["stations"]} <= {
        "remote",
        "not_adjacent",
        "only_link",
        "band",
        "rules",
    }
    assert "远离中心所：" in planned["output"]
    assert far["stations"][0]["station_name"] in planned["output"]


# --- the reasons, one by one, on tiny graphs ---------------------------------------------------


def _explain(
    edges: list[tuple[str, str]],
    minutes: dict[tuple[str, str], float],
    assignment: dict[str, int],
    centers: dict[int, str],
    **options: Any,
) -> dict[str, Any] | None:
    """far_stations on a graph of ``edges``; unlisted minutes are 100, limit 15 min."""
    g = nx.Graph(edges)
    ids = sorted(g)
    table = pd.DataFrame(100.0, index=ids, columns=ids)
    for (i, j), m in minutes.items():
        table.loc[i, j] = table.loc[j, i] = m
    for i in ids:
        table.loc[i, i] = 0.0
    return far_stations(
        assignment,
        centers,
        table,
        g,
        options.pop("loads", dict.fromkeys(g, 1.0)),
        names={v: f"{v.upper()}所" for v in g},
        limit=15.0,
        **options,
    )


def _only(out: dict[str, Any] | None) -> dict[str, Any]:
    assert out is not None
    (station,) = out["stations"]
    return station


def test_a_station_with_no_nearer_centre_is_far_by_distance() -> None:
    edges = [("a", "b"), ("b", "c")]
    minutes = {("a", "b"): 40, ("b", "c"): 50}
    b = _only(_explain(edges, minutes, {"a": 1, "b": 1, "c": 2}, {1: "a", 2: "c"}))
    assert (b["station_id"], b["minutes"], b["cause"], b["nearer"]) == ("b", 40.0, "remote", None)
    assert "没有更近的中心所" in b["text"] and "C所也要 50.0 分钟" in b["text"]
    # a nearer centre in the urban-core zone does not count: nobody may join that zone
    b = _only(
        _explain(edges, {**minutes, ("b", "c"): 5}, {"a": 1, "b": 1, "c": 2}, {1: "a", 2: "c"},
                 core_zones=(2,))
    )  # fmt: skip
    assert b["cause"] == "remote" and "没有其他中心所" in b["text"]


def test_a_nearer_centre_across_a_zone_it_does_not_border() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    minutes = {("a", "b"): 40, ("b", "c"): 10, ("c", "d"): 10, ("a", "d"): 30, ("b", "d"): 5}
    a = _only(_explain(edges, minutes, {"a": 1, "b": 1, "c": 2, "d": 2}, {1: "b", 2: "d"}))
    assert (a["station_id"], a["cause"]) == ("a", "not_adjacent")
    assert a["nearer"]["center_id"] == "d" and a["nearer"]["minutes"] == 30.0
    assert "不相邻" in a["text"]


def test_the_only_link_of_its_zone_stays() -> None:
    edges = [("a", "b"), ("b", "c"), ("b", "x")]
    minutes = {("a", "b"): 40, ("a", "c"): 10, ("b", "x"): 10}
    b = _only(_explain(edges, minutes, {"a": 1, "b": 1, "c": 1, "x": 2}, {1: "a", 2: "x"}))
    assert (b["station_id"], b["cause"]) == ("b", "only_link")
    assert "唯一的连接" in b["text"]


def test_the_band_or_other_rules_keep_it_and_the_ladder_says_what_a_wider_band_gives() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "d")]
    minutes = {("a", "b"): 10, ("a", "c"): 40, ("c", "d"): 10}
    loads = {"a": 1.0, "b": 1.0, "c": 5.0, "d": 5.0}
    case = ({"a": 1, "b": 1, "c": 1, "d": 2}, {1: "a", 2: "d"})
    c = _only(_explain(edges, minutes, *case, loads=dict(loads), band=0.5))
    assert c["cause"] == "band"  # 7 : 5 (33 %) would become 2 : 10 (133 %)
    assert "由 33.3% 升至 133.3%，超出负荷带 50%" in c["text"]
    ladder = [
        {"band": 0.2, "status": "below_min_spread", "min_spread": 0.3},
        {"band": 1.0, "status": "solved", "max_minutes": 12.0, "mean_minutes": 6.0,
         "spread": 0.9},
    ]  # fmt: skip
    assert _only(_explain(edges, minutes, *case, loads=dict(loads), band=5.0))["cause"] == "rules"
    set_language("en")
    out = _explain(edges, minutes, *case, loads=dict(loads), band=0.5, frontier=ladder)
    assert out is not None and out["stations"][0]["cause"] == "band"
    assert "would raise the load spread from 33.3% to 133.3%" in out["text"]
    assert out["wider"]["band"] == 1.0
    assert out["text"].startswith("1 station(s) more than 15 min from their 中心所: C所")
    assert "a 100% load band brings the farthest to 12.0 min" in out["text"]
    balance = _only(_explain(edges, minutes, *case, objective="balance"))
    assert balance["cause"] == "objective" and "--objective travel" in balance["text"]


def test_no_far_station_no_note() -> None:
    edges = [("a", "b")]
    assert _explain(edges, {("a", "b"): 15.0}, {"a": 1, "b": 1}, {1: "a"}) is None


def test_a_ladder_of_zero_minutes_still_draws() -> None:
    from zoning.maps.tradeoff import frontier_panel_html

    row = {"band": 0.05, "status": "solved", "mean_minutes": 0.0, "max_minutes": 0.0}
    report = {"frontier": [row], "band": {"used": 0.05}, "travel_figures": row}
    assert "<polyline" in frontier_panel_html(report)


def test_a_rerun_with_other_bands_leaves_no_stale_ladder_plan(tmp_path: Path) -> None:
    path = tmp_path / "grid.geojson"
    grid_stations().to_file(path, driver="GeoJSON")
    out = tmp_path / "out"
    for bands in ("0.2,0.6", "0.6"):
        result = CliRunner().invoke(
            cli,
            ["plan", str(path), "--load-column", "警情量", "-k", "4", "--band", "0.2",
             "--frontier", bands, "--out", str(out), "--no-print", "-q"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "frontier").iterdir()) == ["60"]


def test_stale_ladder_folders_lose_only_what_zoning_wrote(tmp_path: Path) -> None:
    from zoning.workflow.plan import remove_stale_rungs

    out = tmp_path / "out"
    ours = json.dumps({"frontier_of": "frontier/x"})
    for name, files in {
        "5": {"report.json": ours, "map.html": "<html>"},  # kept: written by this run
        "10": {"report.json": ours, "map.html": "<html>"},  # stale: removed
        "20": {"report.json": ours, "notes.txt": "the planner's"},  # stale, holds a note
        "30": {"report.json": ours, "plan.geojson": "{}"},  # stale, but plan.geojson is an input
        "40": {"report.json": json.dumps({"tool": "x"}), "map.html": "<html>"},  # not a rung
    }.items():
        folder = out / "frontier" / name
        folder.mkdir(parents=True)
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
    baseline = out / "frontier" / "30" / "plan.geojson"
    removed = remove_stale_rungs(out, {out / "frontier" / "5"}, [baseline])
    assert removed == [out / "frontier" / "10"]
    left = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert left == {
        "frontier/5/report.json",
        "frontier/5/map.html",
        "frontier/20/notes.txt",
        "frontier/30/plan.geojson",
        "frontier/40/report.json",
        "frontier/40/map.html",
    }


def _report_with(**solver: Any) -> dict[str, Any]:
    return {"solver": solver, "objective": "travel", "travel_figures": {}}


@pytest.mark.parametrize(
    ("solver", "hint"),
    [
        ({"name": "cp-sat", "status": "feasible", "gap": 0.029, "time_limit": 2.0}, "10"),
        ({"name": "cp-sat", "status": "feasible", "gap": 0.05, "time_limit": 10.0}, "50"),
        ({"name": "cp-sat", "status": "feasible", "gap": 0.004, "time_limit": 2.0}, None),
        ({"name": "cp-sat", "status": "optimal", "gap": 0.0, "time_limit": 2.0}, None),
        ({"name": "heuristic", "status": "heuristic", "gap": 0.02, "time_limit": 20.0}, None),
    ],
)
def test_an_unproven_exact_plan_suggests_a_longer_budget(
    solver: dict[str, Any], hint: str | None
) -> None:
    """More than 1 % from the bound on the exact path: the summary says how to prove it."""
    zh = [line for line in summary_lines(_report_with(**solver)) if "--time-limit" in line]
    set_language("en")
    en = [line for line in summary_lines(_report_with(**solver)) if "--time-limit" in line]
    if hint is None:
        assert zh == en == []
        return
    assert zh == [
        f"  求解时限 {solver['time_limit']:g} 秒内未证明最优；可加大时限再试（如 {hint} 秒："
        f"命令行 --time-limit {hint}、场景文件 time_limit 或界面的“求解时限”），"
        "多数情况可证明最优或缩小差距"
    ]
    assert len(en) == 1 and f"--time-limit {hint}" in en[0] and "not proven" in en[0]
