"""What every command shares: input options, error handling, warnings, progress, zone lines.

Errors
    :func:`errors_to_exit` turns a :class:`~zoning.errors.ZoningError` into one
    message on stderr and exit code 1, and anything else into one line that
    points to ``--debug`` (which prints the traceback): never a traceback by
    default, never an empty message.

Shared options
    :func:`input_options` is the one definition of the options that say how to
    read the inputs (stations columns and layer, incidents, CRS, date window,
    K, urban core, scenario file …); ``plan`` and ``evaluate`` both use it, and
    :func:`scenario_from_options` applies them to the scenario file's choices
    through the same validation as the file.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import click

from zoning._i18n import set_language, tr
from zoning._text import strip_controls
from zoning.errors import ZoningError
from zoning.scenario import LOAD_SOURCES, Scenario, scenario_from_toml

FILE = click.Path(dir_okay=False, path_type=Path)

LANG = click.Choice(["zh", "en"])

F = TypeVar("F", bound=Callable[..., Any])

_DEBUG: ContextVar[bool] = ContextVar("zoning_cli_debug", default=False)

#: Scenario field -> the option that sets it, where the names differ.
OPTION_NAMES = {"date_from": "--from", "date_to": "--to", "zones": "--zones"}


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        token = _DEBUG.set(True)
        ctx.call_on_close(lambda: _DEBUG.reset(token))
    return value


#: ``--debug``: print the full traceback of an unexpected error (group and every command).
debug_option = click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_debug,
    help="出错时显示完整的 Python 调用栈 / show the traceback of an unexpected error",
)


def input_options(command: F) -> F:
    """The input options ``plan`` and ``evaluate`` share (one definition, applied to both).

    Adds the optional ``STATIONS`` argument (else ``[input].stations`` of
    ``--config``) and the options that read and score the inputs; values reach
    the command as keyword arguments named like :class:`~zoning.scenario.Scenario`
    fields, plus ``stations``, ``config``, ``lang`` and ``force``.
    """
    decorators = [
        click.argument("stations", type=FILE, required=False),
        click.option(
            "--incidents", type=FILE, help="警情文件 / incidents file (CSV, Excel, GeoJSON)"
        ),
        click.option(
            "--loads",
            type=FILE,
            help="警情统计表：每所一行，合计或分类别（CSV、Excel）/ incident counts per station",
        ),
        click.option("--load-column", help="直接使用的警情量列 / use this column as the load"),
        click.option("--zones", "-k", type=int, help="防区数 K（默认 5）/ number of zones"),
        click.option(
            "--urban-core",
            multiple=True,
            help="城关所编号或名称，可重复或用逗号分隔（多个城关所共同成区）"
            " / county-seat station id or name; repeat or comma-separate for several",
        ),
        click.option("--id-column", help="站点编号列 / station id column"),
        click.option("--name-column", help="站点名称列 / station name column"),
        click.option(
            "--layer", help="站点文件的图层（GeoPackage 等多图层文件）/ layer of the stations file"
        ),
        click.option(
            "--incidents-crs", help="警情坐标系 / incident coordinates: wgs84, gcj02, bd09, EPSG:n"
        ),
        click.option("--from", "date_from", help="起始日期 / first day, YYYY-MM-DD"),
        click.option("--to", "date_to", help="截止日期 / last day, YYYY-MM-DD"),
        click.option(
            "--config", type=FILE, help="场景文件 scenario.toml（含权重等）/ scenario file"
        ),
        click.option("--lang", type=LANG, help="界面语言 / language (zh, en)"),
        click.option(
            "--force",
            is_flag=True,
            help="允许输出覆盖同名的输入文件 / let outputs replace input files of the same name",
        ),
        debug_option,
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def scenario_from_options(
    stations: Path | None, config: Path | None, lang: str | None, **options: Any
) -> tuple[Path, Scenario]:
    """The scenario of ``--config`` with the command-line values applied, and the stations file.

    Every value is checked as the scenario file would check it (``--seed -1``
    fails like ``seed = -1``); a load source given here (``--incidents``,
    ``--loads``, ``--load-column``) replaces the file's; the language is set
    before anything is read.

    Raises
    ------
    click.UsageError
        Neither ``STATIONS`` nor ``[input].stations`` in ``--config``.
    InputError
        A value breaks a rule of the scenario file.
    """
    scenario = scenario_from_toml(config) if config else Scenario()
    set_language(lang or scenario.lang)  # type: ignore[arg-type]
    cores = options.pop("urban_core", None)
    options["urban_core"] = ",".join(cores) if cores else None
    sources = {name: options.pop(name, None) for name in LOAD_SOURCES}
    Scenario().with_checked_overrides(OPTION_NAMES, **sources)  # checked like the rest
    scenario = scenario.with_load_source(**sources).with_checked_overrides(
        OPTION_NAMES, stations=stations, lang=lang, **options
    )
    if scenario.stations is None:
        raise click.UsageError(
            tr(
                "缺少派出所辖区文件 STATIONS：请在命令行给出，或在 --config 场景文件的 "
                '[input] 中写 stations = "…"',
                "Missing argument 'STATIONS': give it on the command line, or set "
                'stations = "…" in [input] of the --config scenario file.',
            )
        )
    return Path(scenario.stations), scenario


def echo_zone_lines(rows: list[dict[str, Any]], *, travel: bool) -> None:
    """One line per zone of a report (``zoning plan`` and ``zoning evaluate``).

    With ``travel``, zones of several stations also show the farthest station's
    minutes and the share of incidents within T minutes of the 中心所.
    """
    for row in rows:
        line = tr(
            f"  {row['zone']}. {row['zone_name']}：中心所 {row['center_name']}，"
            f"{row['n_stations']} 个所，警情 {row['load']:,.0f}（{row['share']:.0%}）",
            f"  {row['zone']}. {row['zone_name']}: centre {row['center_name']}, "
            f"{row['n_stations']} station{'s' if row['n_stations'] != 1 else ''}, "
            f"load {row['load']:,.0f} ({row['share']:.0%})",
        )
        if travel and row.get("max_minutes") is not None and row["n_stations"] > 1:
            line += tr(
                f"，最远 {row['max_minutes']:.0f} 分钟，{row['within_minutes']:g} 分钟内"
                f"可达警情 {row['share_within_t']:.0%}",
                f", farthest {row['max_minutes']:.0f} min, {row['share_within_t']:.0%} of "
                f"incidents within {row['within_minutes']:g} min",
            )
        click.echo(line)


def progress_printer() -> Callable[[dict[str, Any]], None]:
    started = time.perf_counter()
    last = [0.0]

    def show(event: dict[str, Any]) -> None:
        now = time.perf_counter() - started
        if now < 1.0 or now - last[0] < 1.0:
            return
        last[0] = now
        objective = short(event.get("objective"))
        bound = short(event.get("bound"))
        click.echo(
            tr(
                f"求解中… {now:.0f} 秒，阶段 {event.get('phase', '')}，"
                f"当前目标 {objective}，下界 {bound}",
                f"solving… {now:.0f} s, phase {event.get('phase', '')}, "
                f"objective {objective}, bound {bound}",
            ),
            err=True,
        )

    return show


def short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else "—"


def _message(exc: BaseException) -> list[str]:
    """The lines of an error's message; never empty."""
    lines = [line for line in str(exc).splitlines() if line.strip()]
    if lines:
        return lines
    if isinstance(exc, MemoryError):
        return [tr("内存不足：输入文件可能太大。", "out of memory: an input may be too large.")]
    return [type(exc).__name__]


def _fail(lines: list[str], caught: list[warnings.WarningMessage]) -> None:
    echo_warnings(caught)
    click.echo(tr("错误：", "Error: ") + strip_controls(lines[0]), err=True)
    for line in lines[1:]:
        click.echo("  " + strip_controls(line), err=True)
    sys.exit(1)


#: Exit status of a command whose output pipe closed (128 + SIGPIPE, as the shell reports).
SIGPIPE_EXIT = 141


def _stdout_gone() -> bool:
    """Whether standard output is a pipe whose reader has gone; if so, later
    writes go to /dev/null (Python would report the pipe again at exit)."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    if hasattr(select, "poll"):  # the write end of a pipe without readers reports an error
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        if not any(event & select.POLLERR for _, event in poller.poll(0)):
            return False
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    return True


@contextmanager
def errors_to_exit(lang: str | None) -> Iterator[None]:
    """Run a command body: warnings shown once each, every error as one clear message, exit 1.

    ZoningError and OS errors print their message; anything else (a bug)
    prints one line naming it and ``--debug``, which prints the traceback.
    Click's own exceptions (usage errors, exit 2) pass through.
    """
    if lang:
        set_language(lang)  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            echo_warnings(caught)
            raise
        except BrokenPipeError as exc:
            if not _stdout_gone():
                _fail(_message(exc), caught)
            sys.exit(SIGPIPE_EXIT)  # the reader went away (``| head``): stop quietly
        except (ZoningError, OSError, MemoryError) as exc:
            if _DEBUG.get():
                traceback.print_exc()
            _fail(_message(exc), caught)
        except Exception as exc:  # the last resort: a bug, but never a traceback by default
            if _DEBUG.get():
                traceback.print_exc()
            detail = "; ".join(_message(exc))
            _fail(
                [
                    tr(
                        f"内部错误（{type(exc).__name__}：{detail}）。"
                        "加 --debug 重新运行可显示详细信息，请把它连同命令一起报告给开发者。",
                        f"internal error ({type(exc).__name__}: {detail}). Run again with "
                        "--debug to see the details, and report them with the command.",
                    )
                ],
                caught,
            )
    echo_warnings(caught)


def echo_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for w in caught:
        text = str(w.message)
        if text in seen or issubclass(w.category, DeprecationWarning | PendingDeprecationWarning):
            continue
        seen.add(text)
        click.echo(tr("警告：", "Warning: ") + strip_controls(text, keep_newlines=True), err=True)
