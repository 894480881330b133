"""Planner-workflow commands: ``zoning evaluate``, ``zoning compare`` and ``zoning app``.

Registered on the main group in :mod:`zoning.cli` with ``cli.add_command``. As
there, the library raises :class:`~zoning.errors.ZoningError`, which becomes
one message on stderr and exit code 1; usage errors exit with code 2. Rule
violations found by ``evaluate`` are findings, printed with exit code 0.
"""

from __future__ import annotations

import socket
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from zoning._i18n import tr
from zoning.cli._common import (
    FILE,
    LANG,
    debug_option,
    echo_zone_lines,
    errors_to_exit,
    input_options,
    scenario_from_options,
)
from zoning.errors import ZoningError

__all__ = ["app_command", "compare_command", "evaluate_command"]


@click.command("evaluate")
@input_options
@click.option(
    "--assignment",
    "-a",
    type=FILE,
    required=True,
    help="待评估的方案：派出所 → 防区（CSV、Excel、GeoJSON、GPKG）/ the plan to score",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出目录（默认 maps/evaluate-<方案文件名>）/ output folder",
)
@click.option("--station-column", help="方案表中的派出所列 / station column of the plan table")
@click.option("--zone-column", help="方案表中的防区列 / zone column of the plan table")
def evaluate_command(
    stations: Path | None,
    assignment: Path,
    config: Path | None,
    out: Path | None,
    station_column: str | None,
    zone_column: str | None,
    lang: str | None,
    force: bool,
    **options: Any,
) -> None:
    """评估已有方案：按 plan 的同样指标打分，并列出违反规则之处。

    Score an existing plan (ASSIGNMENT: station id or name → zone) of the
    stations in STATIONS (or [input].stations of --config) with the measures of
    `zoning plan`, list the rules it breaks, and write plan.geojson,
    zones.geojson, report.json and map.html. The input options are those of
    `zoning plan`.
    """
    from zoning.workflow.evaluate import evaluate_files  # heavy imports after argument parsing

    with errors_to_exit(lang):
        stations, scenario = scenario_from_options(stations, config, lang, **options)
        result = evaluate_files(
            stations,
            assignment,
            scenario=scenario,
            out_dir=out,
            station_column=station_column,
            zone_column=zone_column,
            force=force,
        )
        report = result.report
        click.echo(
            tr(
                f"评估：{assignment.name}，{report['n_stations']} 个派出所 → "
                f"{report['n_zones']} 个防区；均衡防区负荷极差 {report['spread']:.1%}，"
                f"最大偏差 {report['max_dev']:.1%}，切断相邻关系 {report['cut_edges']} 条",
                f"Evaluation of {assignment.name}: {report['n_stations']} stations → "
                f"{report['n_zones']} zones; load spread {report['spread']:.1%}, max deviation "
                f"{report['max_dev']:.1%}, {report['cut_edges']} cut adjacencies",
            )
        )

        echo_zone_lines(report["zones"], travel=False)
        if result.violations:
            click.echo(
                tr(
                    f"发现 {len(result.violations)} 处问题：",
                    f"{len(result.violations)} problems found:",
                )
            )
            for violation in result.violations:
                click.echo(f"  - {violation.message}")
        else:
            click.echo(tr("未发现违反规则之处。", "No rule is broken."))
        map_path = result.files["map"].resolve()
        click.echo(tr(f"地图：{map_path}", f"Map: {map_path}"))
        click.echo(tr(f"输出目录：{map_path.parent}", f"Output folder: {map_path.parent}"))


@click.command("compare")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps/compare"),
    show_default=True,
    help="输出目录（compare.html、compare.json）/ output folder",
)
@click.option("--lang", type=LANG, help="界面语言 / language (zh, en)")
@debug_option
def compare_command(a: Path, b: Path, out: Path, lang: str | None) -> None:
    """对比两个方案：指标并列、调整的派出所、双屏联动地图。

    Compare two plans A and B (output folders of `zoning plan` / `zoning
    evaluate`, or their plan.geojson files): measures side by side, the
    stations that moved (zones matched by largest overlap, so renumbering is
    not a move), and a synchronised two-map page compare.html.
    """
    from zoning.outputs.tables import write_report
    from zoning.workflow.compare import compare_plans, read_plan_output

    with errors_to_exit(lang):
        result = compare_plans(read_plan_output(a), read_plan_output(b))
        out.mkdir(parents=True, exist_ok=True)
        write_report(result.to_dict(base=out), out / "compare.json")
        written = _write_dual_map(result, out / "compare.html")
        _echo_comparison(result)  # after the files: a reader that stops early loses nothing
        click.echo(tr(f"对比地图：{written.resolve()}", f"Comparison map: {written.resolve()}"))
        click.echo(tr(f"输出目录：{out.resolve()}", f"Output folder: {out.resolve()}"))


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value:.1%}"


def _width(text: str) -> int:
    """Columns a text takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _echo_comparison(result: Any) -> None:
    a, b = result.a, result.b
    rows = [
        (
            tr("方案", "plan"),
            tr(f"A：{a.label}", f"A: {a.label}"),
            tr(f"B：{b.label}", f"B: {b.label}"),
        ),
        (tr("防区数", "zones"), a.metrics["n_zones"], b.metrics["n_zones"]),
        (tr("负荷极差", "load spread"), _pct(a.metrics["spread"]), _pct(b.metrics["spread"])),
        (tr("最大偏差", "max deviation"), _pct(a.metrics["max_dev"]), _pct(b.metrics["max_dev"])),
        (tr("切断相邻", "cut adjacencies"), a.metrics["cut_edges"], b.metrics["cut_edges"]),
        (
            tr("总警情量", "total load"),
            f"{a.metrics['total_load']:,.0f}",
            f"{b.metrics['total_load']:,.0f}",
        ),
    ]
    first = max(_width(str(r[0])) for r in rows) + 2
    width = max(_width(str(r[1])) for r in rows) + 3
    for label, left, right in rows:
        click.echo(f"  {_pad(str(label), first)}{_pad(str(left), width)}{right}")
    tables = {"a": a.zone_table.set_index("zone"), "b": b.zone_table.set_index("zone")}

    def zone_text(side: str, zone: int | None) -> str:
        if zone is None:
            return "—"
        row = tables[side].loc[zone]
        return tr(
            f"{zone}. {row['zone_name']}（{row['n_stations']} 所，{row['load']:,.0f}）",
            f"{zone}. {row['zone_name']} ({row['n_stations']} stations, {row['load']:,.0f})",
        )

    click.echo(tr("防区对应（按共有派出所最多配对）：", "Zones matched by shared stations:"))
    pairs = list(result.matching.items())
    pairs += [(z, None) for z in tables["a"].index if z not in result.matching]
    matched_b = set(result.matching.values())
    pairs += [(None, z) for z in tables["b"].index if z not in matched_b]
    for za, zb in pairs:
        click.echo(f"  A {zone_text('a', za)}  ↔  B {zone_text('b', zb)}")
    if result.moves:
        click.echo(
            tr(
                f"调整的派出所（{len(result.moves)} 个）：",
                f"Stations moved ({len(result.moves)}):",
            )
        )
        for m in result.moves:
            if m.continues_a is None:
                where = tr("，新防区", ", a new zone")
            else:
                where = tr(
                    f"，接续 A 第 {m.continues_a} 防区", f", continues zone {m.continues_a} of A"
                )
            click.echo(
                tr(
                    f"  {m.station_name}：A 第 {m.zone_a} 防区（{m.zone_name_a}）→ "
                    f"B 第 {m.zone_b} 防区（{m.zone_name_b}{where}）",
                    f"  {m.station_name}: zone {m.zone_a} of A ({m.zone_name_a}) → "
                    f"zone {m.zone_b} of B ({m.zone_name_b}{where})",
                )
            )
    else:
        click.echo(tr("没有派出所调整防区。", "No station moved."))
    for side, ids in (("A", result.only_a), ("B", result.only_b)):
        if ids:
            click.echo(
                tr(
                    f"只在 {side} 中的派出所：{'、'.join(ids)}",
                    f"Stations only in {side}: {', '.join(ids)}",
                )
            )


def _write_dual_map(result: Any, path: Path) -> Path:
    """Write compare.html with :func:`zoning.maps.dualmap.dual_map`."""
    from zoning.maps.dualmap import dual_map
    from zoning.maps.webmap import save_map

    a, b = result.a, result.b
    view = dual_map(
        a.plan,
        a.zones,
        b.plan,
        b.zones,
        titles=(tr(f"A：{a.label}", f"A: {a.label}"), tr(f"B：{b.label}", f"B: {b.label}")),
        moved=[m.station_id for m in result.moves],
    )
    return save_map(view, path)


@click.command("app")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--lang", type=LANG, default="zh", help="界面语言 / language")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器 / do not open a browser")
@debug_option
def app_command(host: str, port: int, lang: str, no_browser: bool) -> None:
    """启动网页版规划工具（仅本机访问）/ start the planning web app (local only).

    Serves a Streamlit app on HOST:PORT (default 127.0.0.1:8501) that makes no
    request outside this machine. Stop it with Ctrl+C.
    """
    from zoning.app import require_streamlit, serve  # streamlit is imported when serving

    with errors_to_exit(lang):
        require_streamlit()
        _check_port(host, port)
        code = serve(
            host=host, port=port, lang="en" if lang == "en" else "zh", open_browser=not no_browser
        )
    sys.exit(code)


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ZoningError(
                tr(
                    f"无法在 {host}:{port} 上监听（{exc.strerror}）；请用 --port 换一个端口",
                    f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port",
                )
            ) from None
