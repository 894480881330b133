"""``zoning plan``, ``zoning demo`` and ``zoning init``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from zoning._i18n import tr
from zoning.cli._common import (
    LANG,
    debug_option,
    echo_zone_lines,
    errors_to_exit,
    input_options,
    progress_printer,
    scenario_from_options,
)
from zoning.decision.tradeoff import summary_lines
from zoning.io.demo import demo_folder
from zoning.io.guard import refuse_overwriting_inputs, scenario_inputs
from zoning.scenario import Scenario, scenario_to_toml, write_template


@click.command("plan")
@input_options
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="输出目录 / output folder"
)
@click.option(
    "--objective",
    type=click.Choice(["travel", "balance"]),
    help="目标：travel 防区与中心所一并选定、通行时间最短（默认）；balance 负荷均衡优先"
    " / travel: zones and 中心所 together, least travel (default); balance: load first",
)
@click.option(
    "--band",
    type=float,
    help="负荷带：均衡防区负荷极差上限（默认 0.05）/ load band: most spread allowed (0.05)",
)
@click.option(
    "--frontier",
    metavar="BANDS|none",
    help="权衡曲线的负荷带，如 0.02,0.05,0.1,0.2；none 不计算"
    " / bands of the trade-off ladder, e.g. 0.02,0.05,0.1,0.2; none to skip",
)
@click.option(
    "--robust",
    is_flag=True,
    default=None,
    help="各季度（或年度）负荷都在带内 / keep the band in every quarter (or year)",
)
@click.option(
    "--center-eligible",
    type=click.Choice(["all", "case_area"]),
    help="可作中心所的所：all 全部；case_area 仅有办案区的所"
    " / stations that may be 中心所: all, or only those with a case-handling area",
)
@click.option(
    "--balance", type=click.Choice(["load", "per_officer"]), help="均衡方式 / balance mode"
)
@click.option("--solver", type=click.Choice(["auto", "exact", "heuristic"]), help="求解器 / solver")
@click.option("--time-limit", type=float, help="求解时限（秒）/ solver time limit, seconds")
@click.option("--seed", type=int, help="随机种子 / random seed")
@click.option(
    "--river",
    type=click.Path(dir_okay=False, path_type=Path),
    help="河流图层（仅用于地图）/ river layer for the map",
)
@click.option(
    "--online", is_flag=True, default=None, help="地图使用在线 CDN / map loads scripts from CDNs"
)
@click.option(
    "--roads",
    metavar="FILE|download",
    help="道路网络 .graphml/.osm，或 download（需联网）/ road network",
)
@click.option(
    "--features",
    type=click.Path(dir_okay=False, path_type=Path),
    help="防区命名要素（河流、山峰）/ rivers and peaks for zone names",
)
@click.option(
    "--within-minutes",
    type=float,
    help="中心所通行时限 T（分钟，默认 15）/ travel-time target, minutes",
)
@click.option(
    "--basemap",
    metavar="none|osm|tianditu|gaode|URL",
    help="底图（默认无）/ basemap (default none)",
)
@click.option(
    "--tianditu-key", envvar="TIANDITU_KEY", help="天地图密钥 / Tianditu key (env TIANDITU_KEY)"
)
@click.option(
    "--save-scenario",
    type=click.Path(dir_okay=False, path_type=Path),
    help="把本次选择写入场景文件 / save this run's choices",
)
@click.option(
    "--alternatives",
    type=click.IntRange(min=1),
    help="备选方案数 N（默认 1）/ number of ranked alternative plans",
)
@click.option(
    "--no-print",
    "print_map",
    flag_value=False,
    default=None,
    help="不输出 A4 打印图（更快）/ skip map.png and map.pdf",
)
@click.option(
    "--check",
    type=click.Path(path_type=Path),
    help="重新运行并核对能否复现已保存的方案（输出目录或 report.json）；不写文件"
    " / re-run and check that a saved plan is reproduced (output folder or report.json)",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="现状防区（所→防区表或 plan.geojson），用于前后对比 / today's arrangement",
)
@click.option("--title", help="标题（含县名），用于地图与方案说明 / title, e.g. the county name")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度 / no progress output")
def plan_command(
    stations: Path | None,
    config: Path | None,
    lang: str | None,
    force: bool,
    quiet: bool,
    save_scenario: Path | None,
    check: Path | None,
    **options: Any,
) -> None:
    """划分防区：读入派出所辖区 STATIONS 与警情，输出方案与地图。

    Partition the stations in STATIONS (or [input].stations of --config) into
    zones and write plan.geojson, zones.geojson, report.json and map.html.
    """
    with errors_to_exit(lang):
        roads = options.pop("roads")
        if roads is not None:
            options["roads"] = "download" if roads == "download" else Path(roads)
        path, scenario = scenario_from_options(stations, config, lang, **options)
        if save_scenario:
            refuse_overwriting_inputs(
                [save_scenario], [config, *scenario_inputs(path, scenario)], force=force
            )
            scenario_to_toml(scenario, save_scenario)
            click.echo(tr(f"场景文件：{save_scenario}", f"Scenario file: {save_scenario}"))
        if check is not None:
            check_plan(path, scenario, check)
        else:
            run_plan(path, scenario, quiet=quiet, force=force)


def check_plan(stations: Path, scenario: Scenario, saved: Path) -> None:
    """Re-run the scenario without writing, compare with ``saved``; exit 1 if it differs."""
    from zoning.workflow.plan import plan_from_files
    from zoning.workflow.reproduce import check_reproduces

    result = plan_from_files(stations, scenario=scenario, write=False)
    outcome = check_reproduces(result, saved)
    if outcome.reproduced:
        click.echo(
            tr(
                f"已复现：{saved} 中的方案与本次运行完全一致（分配、中心所、指标）",
                f"Reproduced: the plan in {saved} matches this run exactly "
                "(assignment, centres, figures)",
            )
        )
        return
    click.echo(tr(f"未能复现 {saved}：", f"Not reproduced: {saved}:"), err=True)
    for line in outcome.differences:
        click.echo("  " + line, err=True)
    if outcome.changed_inputs:
        click.echo(
            tr(
                f"  输入文件自保存以来已改变：{'、'.join(outcome.changed_inputs)}",
                f"  input files changed since the plan was saved: "
                f"{', '.join(outcome.changed_inputs)}",
            ),
            err=True,
        )
    raise SystemExit(1)


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("maps/demo"),
    show_default=True,
    help="输出目录 / output folder",
)
@click.option("--lang", type=LANG, default="zh", help="界面语言 / language")
@click.option(
    "--objective",
    type=click.Choice(["travel", "balance"]),
    default="travel",
    show_default=True,
    help="目标：通行时间最短 / 负荷均衡优先 / least travel or balance first",
)
@click.option("--quiet", "-q", is_flag=True, help="不显示进度 / no progress output")
@debug_option
def demo_command(out: Path, lang: str, objective: str, quiet: bool) -> None:
    """用示例县数据运行一次完整规划 / run the planner on the demo county."""
    with errors_to_exit(lang):
        demo = demo_folder()
        scenario = Scenario(
            incidents=demo / "incidents.csv",
            river=demo / "river.geojson",
            out=out,
            lang=lang,  # type: ignore[arg-type]
            title=tr("示例县 多所连片防区规划（草案）", "Demo county: defence zones (draft)"),
            objective=objective,  # type: ignore[arg-type]
        )
        run_plan(demo / "stations.geojson", scenario, quiet=quiet)


@click.command("init")
@click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path), default=Path("scenario.toml")
)
@click.option("--lang", type=LANG, default="zh", help="界面语言 / language")
@debug_option
def init_command(path: Path, lang: str) -> None:
    """写出带中文注释的场景文件模板 / write a commented scenario template."""
    with errors_to_exit(lang):
        write_template(path)
        click.echo(tr(f"已写出场景模板：{path}", f"Scenario template written: {path}"))


def run_plan(stations: Path, scenario: Scenario, *, quiet: bool, force: bool = False) -> None:
    from zoning.workflow.plan import plan_from_files  # heavy imports after argument parsing

    progress = None if quiet else progress_printer()
    started = time.perf_counter()
    result = plan_from_files(stations, scenario=scenario, progress=progress, force=force)
    report = result.report
    solver = report["solver"]
    map_path = result.files["map"].resolve()
    click.echo(
        tr(
            f"完成：{report['n_stations']} 个派出所 → {report['n_zones']} 个防区；"
            f"均衡防区负荷极差 {report['spread']:.1%}，求解器 {solver.get('name')}"
            f"（{solver.get('status')}，{solver.get('seconds', 0):.1f} 秒）",
            f"Done: {report['n_stations']} stations → {report['n_zones']} zones; "
            f"load spread {report['spread']:.1%} over balanced zones, solver {solver.get('name')} "
            f"({solver.get('status')}, {solver.get('seconds', 0):.1f} s)",
        )
    )
    for line in summary_lines(report):
        click.echo(line)
    echo_zone_lines(report["zones"], travel=True)
    travel = report.get("travel") or {}
    if travel.get("method_text"):
        click.echo(tr("通行时间：", "Travel times: ") + str(travel["method_text"]))
    for island in travel.get("island_links") or []:
        click.echo(tr("  注意：", "  Note: ") + str(island["note"]))
    for alt in result.alternatives:
        info = alt.report["alternative"]
        click.echo(
            tr(
                f"备选方案 {info['rank']}：负荷极差 {alt.partition.spread:.1%}，"
                f"切断相邻 {alt.partition.cut_edges} 处，与最优方案相比调整 "
                f"{len(info['moved'])} 个所；地图：{alt.files['map'].resolve()}",
                f"Alternative {info['rank']}: spread {alt.partition.spread:.1%}, "
                f"{alt.partition.cut_edges} cut edges, {len(info['moved'])} stations differ "
                f"from the best plan; map: {alt.files['map'].resolve()}",
            )
        )
    click.echo(tr(f"地图：{map_path}", f"Map: {map_path}"))
    click.echo(
        tr(
            f"输出目录：{map_path.parent}（用时 {time.perf_counter() - started:.1f} 秒）",
            f"Output folder: {map_path.parent} ({time.perf_counter() - started:.1f} s)",
        )
    )
