"""Outputs never overwrite inputs; output folders are checked before any work.

A planner often keeps the station file, the 110 export and the scenario in one
folder and may point ``--out`` (or ``--save-scenario``) at it. Before anything is
written, :func:`refuse_overwriting_inputs` compares the files a run will write
with the files it read and refuses, naming both, unless the caller passes
``force``; :func:`check_writable` turns an unwritable folder into one clear
message instead of a failure halfway through the outputs.

Light on purpose (only the standard library): the CLI checks
``--save-scenario`` before importing anything heavy.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from zoning._i18n import tr
from zoning.errors import InputError

if TYPE_CHECKING:
    from zoning.scenario import Scenario

__all__ = ["check_writable", "input_files", "refuse_overwriting_inputs", "scenario_inputs"]

#: Files that belong to a shapefile (written and read together).
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def input_files(paths: Iterable[str | Path | None]) -> list[Path]:
    """The files behind the given inputs (a shapefile with its parts), resolved.

    ``None``, ``"download"`` and missing files are skipped.
    """
    out: list[Path] = []
    for path in paths:
        if path is None or str(path) == "download":
            continue
        path = Path(path)
        parts = (
            [path.with_suffix(s) for s in _SHAPEFILE_PARTS]
            if path.suffix.lower() == ".shp"
            else [path]
        )
        out.extend(p.resolve() for p in parts if p.is_file())
    return out


def scenario_inputs(stations: Path, scenario: Scenario) -> list[Path | None]:
    """Every file a run of ``scenario`` on ``stations`` reads (unset ones as None)."""
    roads = scenario.roads if isinstance(scenario.roads, Path) else None
    return [
        stations,
        scenario.incidents,
        scenario.loads,
        scenario.baseline,
        scenario.river,
        scenario.features,
        roads,
    ]


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_inputs(
    targets: Iterable[str | Path], inputs: Iterable[str | Path | None], *, force: bool = False
) -> None:
    """Raise when a file about to be written is one of the inputs.

    Parameters
    ----------
    targets
        Every file the run will write.
    inputs
        Every file the run reads (see :func:`input_files`).
    force
        Allow it (``--force``): the inputs are already in memory.

    Raises
    ------
    InputError
        Naming each input that would be overwritten and the way out.
    """
    if force:
        return
    read = input_files(inputs)
    clashes = sorted(
        {str(t) for t in (Path(t).resolve() for t in targets) if any(_same(t, r) for r in read)}
    )
    if clashes:
        shown = "、".join(clashes)
        raise InputError(
            tr(
                f"不会覆盖输入文件：{shown} 既是本次读取的输入，又是要写出的输出。"
                "请用 --out（或 --save-scenario）换一个位置，或确认后加 --force。",
                f"refusing to overwrite input files: {', '.join(clashes)} would be both read "
                "and written by this run. Choose another --out (or --save-scenario), or add "
                "--force if you mean it.",
            )
        )


def check_writable(folder: str | Path) -> Path:
    """Create ``folder`` if needed and make sure files can be written into it.

    Raises
    ------
    InputError
        The folder is a file, cannot be created, or is not writable.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(
            tr(
                f"{folder}：输出目录无法写入（{reason}）。请用 --out 指定一个可写的目录。",
                f"{folder}: cannot write to the output folder ({reason}). Pass --out with a "
                "folder you can write to.",
            )
        ) from None
    return folder
