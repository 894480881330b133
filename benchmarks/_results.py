"""Where benchmark tables go: ``benchmarks/results.md`` and the README's benchmark block.

Every benchmark script prints its section and calls :func:`write_section`, which
replaces the section of the same ``## heading`` in ``results.md`` and then copies
all of ``results.md`` (below its title) into README.md between
``<!-- benchmarks -->`` and ``<!-- /benchmarks -->``. Nothing in either file is
typed by hand; ``tests/test_readme.py`` checks that the two agree.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"
README = HERE.parent / "README.md"
BEGIN, END = "<!-- benchmarks -->", "<!-- /benchmarks -->"


def machine() -> str:
    """One line naming the machine, the Python and the load it ran under."""
    return (
        f"{os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}, "
        f"1-min load average {os.getloadavg()[0]:.1f} at the end"
    )


def write_section(markdown: str) -> None:
    """Replace (or append) the ``## `` section that ``markdown`` starts with, then sync README."""
    block = markdown.strip("\n").splitlines()
    heading = block[0].strip()
    if not heading.startswith("## "):
        raise ValueError(f"a section starts with '## ', not {heading!r}")
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == heading), None)
    if start is None:
        lines = [*lines, "", *block]
    else:
        end = next(
            (j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines)
        )
        lines = [*lines[:start], *block, "", *lines[end:]]
    RESULTS.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    sync_readme()


def readme_block(results: str) -> str:
    """The README's benchmark block: results.md without its title, headings one level down."""
    lines = results.splitlines()
    body = lines[1:] if lines and lines[0].startswith("# ") else lines
    shifted = ["#" + line if line.startswith("## ") else line for line in body]
    return "\n".join(shifted).strip("\n")


def sync_readme() -> None:
    """Copy results.md into README.md between the benchmark markers."""
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md needs {BEGIN} and {END} around its benchmark tables")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    block = readme_block(RESULTS.read_text(encoding="utf-8"))
    README.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}", encoding="utf-8")
    print(f"wrote {README} (benchmark block)")


if __name__ == "__main__":
    sync_readme()
