"""Statistics sheets as bureaus make them: title rows, two header rows, merged cells.

A 派出所 statistics table (警情统计表, 乡镇对照表) rarely starts with a clean
header in row 1. :func:`sheet_from_file` reads the raw grid of a CSV (UTF-8,
GBK/GB18030, delimiter sniffed) or the first sheet of an Excel workbook
(``.xlsx``/``.xlsm`` with openpyxl, ``.xls`` with xlrd), fills every merged cell
range with its top-left value, then finds the header:

- the header row is the first row (within the first :data:`MAX_SCAN` rows)
  holding a cell the caller recognises as a key column (e.g. ``派出所``);
- non-empty rows above it are the title (kept for the ledger);
- up to two following rows with text but no numbers are further header rows
  (e.g. ``警情类别`` merged over ``刑事 | 治安 | …``). In a CSV, where merges are
  lost, a group label is carried right over the empty cells of its span.

Each column is then known by the header cells above it, top to bottom
(:class:`Column`, e.g. ``("警情类别", "刑事")``); every data row keeps its row
number in the file, so messages can name it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd

from zoning._i18n import tr
from zoning._text import strip_controls
from zoning.errors import InputError
from zoning.io.columns import norm_key, parse_number
from zoning.io.encoding import check_input, read_text, unreadable, xls_grid

__all__ = [
    "MAX_SCAN",
    "Column",
    "Sheet",
    "cell_text",
    "header_key",
    "read_grid",
    "sheet_from_file",
]

#: How many leading rows may hold a title and the header.
MAX_SCAN = 15
#: At most this many header rows below the first one.
MAX_EXTRA_HEADER_ROWS = 2

_DELIMITERS = ",\t;|"


@dataclass(frozen=True)
class Column:
    """One column of a sheet, named by the header cells above it.

    Attributes
    ----------
    position
        0-based column index in the grid.
    parts
        Non-empty header cells from top to bottom, repeats removed
        (``("警情类别", "刑事")``).
    """

    position: int
    parts: tuple[str, ...]

    @property
    def label(self) -> str:
        """The header cells joined with ``/`` (``警情类别/刑事``), for messages."""
        return "/".join(self.parts) if self.parts else f"#{self.position + 1}"

    @property
    def leaf(self) -> str:
        """The lowest header cell (``刑事``)."""
        return self.parts[-1] if self.parts else ""


@dataclass
class Sheet:
    """A table below its header.

    Attributes
    ----------
    source
        The file, for messages.
    columns
        Every column that has a header or at least one value.
    rows
        ``(row number in the file, 1-based; cells)`` for every row below the
        header, empty ones included; cells are aligned with the grid, so
        ``cells[column.position]`` is a column's value.
    header_rows
        Row numbers (1-based) of the header rows.
    title
        Text of the rows above the header (joined with a space), or None.
    encoding
        Text encoding of a CSV, or ``"xlsx"`` / ``"xls"``.
    merged_ranges
        Number of merged cell ranges filled (Excel).
    """

    source: str
    columns: list[Column]
    rows: list[tuple[int, list[Any]]]
    header_rows: list[int]
    title: str | None = None
    encoding: str = ""
    merged_ranges: int = 0

    def values(self, column: Column) -> pd.Series:
        """The cells of one column below the header, indexed by row number."""
        return pd.Series(
            [cells[column.position] for _, cells in self.rows],
            index=[number for number, _ in self.rows],
            dtype=object,
        )


def cell_text(value: Any) -> str:
    """A cell as trimmed NFKC text, control characters removed; empty for None/NaN; 3.0 → "3"."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            value = int(value)
    return strip_controls(unicodedata.normalize("NFKC", str(value))).strip()


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def header_key(text: str) -> str:
    """A header cell for matching: NFKC, casefolded, bracketed parts and spaces removed.

    Examples
    --------
    >>> header_key("警情数（起）")
    '警情数'
    >>> header_key(" 管辖乡镇 (街道) ")
    '管辖乡镇'
    """
    return "".join(_BRACKETS.sub("", norm_key(text)).split())


def _is_number(value: Any) -> bool:
    text = cell_text(value)
    if not text:
        return False
    parsed, bad = parse_number(pd.Series([text], dtype=object))
    return not bad and bool(parsed.notna().all())


def read_grid(path: str | Path, *, encoding: str | None = None) -> tuple[list[list[Any]], str, int]:
    """Read every cell of a CSV or of an Excel workbook's first sheet.

    Parameters
    ----------
    path
        ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or ``.xls``.
    encoding
        Text encoding of a CSV; detected when omitted (UTF-8, else GB18030
        with a :class:`~zoning.errors.ZoningWarning`).

    Returns
    -------
    grid
        Rows of equal length; merged Excel ranges filled with their top-left value.
    encoding
        The CSV encoding used, or ``"xlsx"`` / ``"xls"``.
    merged
        Number of merged ranges filled.

    Raises
    ------
    InputError
        Missing or unreadable file.
    """
    path = Path(path)
    check_input(path)  # exists, and not too large to read
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid, merged = _xlsx_grid(path)
        used = suffix.lstrip(".")
    elif suffix == ".xls":
        grid, merged = _xls_grid(path)
        used = "xls"
    else:
        grid, used = _csv_grid(path, encoding)
        merged = 0
    width = max((len(r) for r in grid), default=0)
    return [list(r) + [None] * (width - len(r)) for r in grid], used, merged


def _csv_grid(path: Path, encoding: str | None) -> tuple[list[list[Any]], str]:
    text, used = read_text(path, encoding)
    lines = text.splitlines()[: MAX_SCAN + 20]
    counts = {d: sum(line.count(d) for line in lines) for d in _DELIMITERS}
    delimiter = max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        rows = list(csv.reader(StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise unreadable(path, exc) from None
    return [[c if c.strip() else None for c in row] for row in rows], used


def _xlsx_grid(path: Path) -> tuple[list[list[Any]], int]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's style/extension chatter
        try:
            book = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:  # corrupt workbook, wrong format …
            raise unreadable(path, exc) from None
    sheet = book.worksheets[0]
    grid = [list(row) for row in sheet.iter_rows(values_only=True)]
    ranges = list(sheet.merged_cells.ranges)
    for rng in ranges:
        value = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                grid[r][c] = value
    book.close()
    return grid, len(ranges)


def _xls_grid(path: Path) -> tuple[list[list[Any]], int]:
    grid, merged = xls_grid(path)
    for r0, r1, c0, c1 in merged:
        value = grid[r0][c0]
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = value
    return grid, len(merged)


def sheet_from_file(
    path: str | Path,
    *,
    is_key: Callable[[str], bool],
    expected: str,
    encoding: str | None = None,
) -> Sheet:
    """Read a statistics sheet and find its title, header rows and columns.

    Parameters
    ----------
    path
        CSV or Excel file (see :func:`read_grid`).
    is_key
        True for a (normalised) header cell that names a key column, e.g.
        ``派出所``; the first row holding one is the header row.
    expected
        Examples of such names, for the error when no header row is found.
    encoding
        Text encoding of a CSV; detected when omitted.

    Returns
    -------
    Sheet

    Raises
    ------
    InputError
        Unreadable or empty file, or no header row in the first
        :data:`MAX_SCAN` rows.
    """
    path = Path(path)
    grid, used, merged = read_grid(path, encoding=encoding)
    texts = [[cell_text(v) for v in row] for row in grid]
    nonempty = [i for i, row in enumerate(texts) if any(row)]
    if not nonempty:
        raise InputError(
            tr(
                f"{path}：文件是空的。请检查是否选错了文件或工作表。",
                f"{path}: the file is empty. Check the file or sheet.",
            )
        )
    header = next(
        (i for i in nonempty[:MAX_SCAN] if any(is_key(norm_key(t)) for t in texts[i] if t)),
        None,
    )
    if header is None:
        first = "、".join(t for t in texts[nonempty[0]] if t)
        raise InputError(
            tr(
                f"{path}：前 {MAX_SCAN} 行中找不到表头（需要 {expected} 之类的列名）。"
                f"第 {nonempty[0] + 1} 行是：{first}。请修改列名，或用选项指定列。",
                f"{path}: no header row in the first {MAX_SCAN} rows (a column such as "
                f"{expected} is needed). Row {nonempty[0] + 1} reads: {first}. Rename the "
                "column or name it with an option.",
            )
        )
    key_cols = [j for j, t in enumerate(texts[header]) if t and is_key(norm_key(t))]
    rows_h = [header]
    for i in range(header + 1, min(header + 1 + MAX_EXTRA_HEADER_ROWS, len(texts))):
        row = texts[i]
        if not any(row) or any(_is_number(grid[i][j]) for j in range(len(row)) if row[j]):
            break
        if any(row[j] and row[j] != texts[header][j] for j in key_cols):
            break  # a station name under the key column: data, not header
        rows_h.append(i)
    header_cells = [list(texts[i]) for i in rows_h]
    if len(header_cells) > 1:  # carry a group label right over its (unmerged) span
        for level in range(len(header_cells) - 1):
            cells, below = header_cells[level], header_cells[-1]
            for j in range(1, len(cells)):
                if not cells[j] and cells[j - 1] and below[j] and below[j - 1]:
                    cells[j] = cells[j - 1]
    title_rows = [i for i in nonempty if i < header]
    title = " ".join(dict.fromkeys(t for i in title_rows for t in texts[i] if t)) or None
    data = [(i + 1, grid[i]) for i in range(rows_h[-1] + 1, len(grid))]
    columns: list[Column] = []
    for j in range(len(texts[header])):
        parts = tuple(dict.fromkeys(cells[j] for cells in header_cells if cells[j]))
        if parts or any(cell_text(cells[j]) for _, cells in data):
            columns.append(Column(position=j, parts=parts))
    return Sheet(
        source=str(path),
        columns=columns,
        rows=data,
        header_rows=[i + 1 for i in rows_h],
        title=title,
        encoding=used,
        merged_ranges=merged,
    )
