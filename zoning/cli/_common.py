"""What every command shares: error handling, warnings, progress and zone lines."""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from zoning._i18n import set_language, tr
from zoning.errors import ZoningError

FILE = click.Path(dir_okay=False, path_type=Path)

LANG = click.Choice(["zh", "en"])


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


@contextmanager
def errors_to_exit(lang: str | None) -> Iterator[None]:
    if lang:
        set_language(lang)  # type: ignore[arg-type]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except ZoningError as exc:
            echo_warnings(caught)
            lines = str(exc).splitlines() or [type(exc).__name__]
            click.echo(tr("错误：", "Error: ") + lines[0], err=True)
            for line in lines[1:]:
                click.echo("  " + line, err=True)
            sys.exit(1)
        except (OSError, MemoryError) as exc:
            echo_warnings(caught)
            click.echo(tr("错误：", "Error: ") + str(exc), err=True)
            sys.exit(1)
    echo_warnings(caught)


def echo_warnings(caught: list[warnings.WarningMessage]) -> None:
    seen: set[str] = set()
    for w in caught:
        text = str(w.message)
        if text in seen or issubclass(w.category, DeprecationWarning | PendingDeprecationWarning):
            continue
        seen.add(text)
        click.echo(tr("警告：", "Warning: ") + text, err=True)
