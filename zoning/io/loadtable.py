"""Read a 警情统计表: incident counts per 派出所, total or per 警情类别 (``--loads``).

Bureaus often have their incident figures as a statistics table rather than
point records: one row per station, either a total column (合计, 警情数 …) or
one column per category (刑事, 治安, 交通, 纠纷, 求助, 其他 …), usually with a
title row, a two-row header with merged cells, and 合计/小计 rows.
:func:`loads_table_from_file` reads such a table (CSV in UTF-8 or GBK/GB18030,
Excel ``.xlsx``/``.xls``; see :mod:`zoning.io.sheets`) and matches its rows to
the stations; :func:`zoning.load.loads_from_table` then weights it into station
loads with an exact ledger.

Rows
    合计/总计/小计/全县… rows are dropped and named in the ledger (a 合计 row is
    checked against the sum of the station rows); empty rows are skipped; a row
    of text without numbers (注：…, 制表人 …) is dropped as a note and named;
    a station given twice with the same figures is counted once (warned);
    twice with different figures, a row with numbers but no station, or a
    station that is not in the stations file are errors. Stations of the
    stations file missing from the table get 0 with a warning.

Columns
    The station column: an id (所代码, 编号 …) or name (派出所, 所名, 单位 …)
    column, or ``station_column``. A category column names a category
    (``刑事``, ``刑事案件``, ``刑事/起``, or any name under a ``警情类别``
    group header); a total column is 合计/总计/警情数/警情量 …. With category
    columns the load is their weighted sum (a total column, if present, is
    only checked against them); otherwise the total column is the load.
    Ratios (同比, 占比, …%) and other numbers (警力, 人口) are ignored and listed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import ProblemList, ZoningWarning
from zoning.io import _stationtable as T
from zoning.io.columns import format_rows, name_variants, parse_number
from zoning.io.sheets import Column, Sheet, cell_text, header_key, sheet_from_file
from zoning.io.stations import station_lookup

__all__ = [
    "TOTAL_ALIASES",
    "TOTAL_ROW_LABELS",
    "LoadTable",
    "loads_table_from_file",
]

#: Total column names.
TOTAL_ALIASES: tuple[str, ...] = (
    "合计",
    "总计",
    "总数",
    "总量",
    "警情总数",
    "警情总量",
    "警情合计",
    "警情数",
    "警情量",
    "警情",
    "接警总数",
    "接警数",
    "接警量",
    "起数",
    "数量",
    "total",
    "load",
    "count",
    "incidents",
)
#: Row labels of sum rows (matched after removing spaces).
TOTAL_ROW_LABELS: tuple[str, ...] = (
    "合计",
    "总计",
    "小计",
    "汇总",
    "总数",
    "全县",
    "全区",
    "全市",
    "全旗",
    "全局",
    "全县合计",
    "全区合计",
    "total",
    "subtotal",
)
_SUBTOTAL = ("小计", "subtotal")
#: Leading words of note rows below a table.
_NOTE_PREFIXES = (
    "注",
    "备注",
    "说明",
    "制表",
    "填表",
    "审核",
    "数据来源",
    "来源",
    "统计时间",
    "单位：",
)
#: Words that mark a ratio or rank column, never a count.
_NOT_COUNTS: tuple[str, ...] = ("同比", "环比", "比例", "占比", "比重", "率", "%", "增减", "增幅")
_NOT_COUNTS += ("上升", "下降", "排名", "排序", "序号")
#: Words of a group header whose columns are categories.
_GROUP_WORDS = ("类别", "类型", "分类", "警种")


_TOTAL_KEYS = frozenset(header_key(a) for a in TOTAL_ALIASES)
_TOTAL_ROWS = frozenset(header_key(a) for a in TOTAL_ROW_LABELS)


@dataclass
class LoadTable:
    """A statistics table matched to stations, before weighting.

    Attributes
    ----------
    counts
        Index station id (the stations found in the table, in table order),
        one column per load column label; floats, empty cells 0.
    kind
        ``"categories"`` (columns are categories) or ``"total"`` (one column).
    categories
        Column label → category text as written (``"刑事案件"``, ``"火灾"``), for
        weighting; empty for ``"total"``.
    ledger
        JSON-serialisable account of the table (see :func:`loads_table_from_file`).
    """

    counts: pd.DataFrame
    kind: Literal["categories", "total"]
    categories: dict[str, str] = field(default_factory=dict)
    ledger: dict[str, Any] = field(default_factory=dict)


def _category_of(column: Column, names: Sequence[str]) -> str | None:
    """The category a column counts, or None (see the module docstring)."""
    bare = [header_key(p) for p in column.parts]
    folded = {header_key(n): n for n in names}
    for part in bare:
        if part in folded:
            return folded[part]
    for part, raw in zip(bare, column.parts, strict=True):
        if sum(n in part for n in S.CATEGORIES) == 1:
            return raw
    if len(column.parts) >= 2 and any(w in header_key(column.parts[0]) for w in _GROUP_WORDS):
        return column.leaf
    return None


def _classify_columns(
    sheet: Sheet, keys: Iterable[Column], names: Sequence[str]
) -> tuple[list[Column], dict[str, str], list[str], list[str]]:
    """Split the columns into totals, categories and ignored ones."""
    key_positions = {c.position for c in keys}
    totals: list[Column] = []
    categories: dict[str, str] = {}
    by_category: dict[str, list[str]] = {}
    ignored: list[str] = []
    for column in sheet.columns:
        if column.position in key_positions:
            continue
        bare = [header_key(p) for p in column.parts]
        if any(w in p for p in bare for w in _NOT_COUNTS):
            ignored.append(column.label)
        elif any(p in _TOTAL_KEYS for p in bare[-1:]) or (
            len(bare) == 1 and bare[0] in _TOTAL_KEYS
        ):
            totals.append(column)
        elif (category := _category_of(column, names)) is not None:
            categories[column.label] = category
            inside = [n for n in S.CATEGORIES if n in header_key(category)]
            canonical = inside[0] if len(inside) == 1 else header_key(category)
            by_category.setdefault(canonical, []).append(column.label)
        else:
            ignored.append(column.label)
    clashes = [labels for labels in by_category.values() if len(labels) > 1]
    return totals, categories, ignored, ["、".join(c) for c in clashes]


def loads_table_from_file(
    path: str | Path,
    stations: gpd.GeoDataFrame,
    *,
    categories: Iterable[str] = (),
    station_column: str | None = None,
    encoding: str | None = None,
) -> LoadTable:
    """Read a statistics table of incident counts per station and match it to ``stations``.

    Parameters
    ----------
    path
        CSV (UTF-8, GBK/GB18030) or Excel (``.xlsx``, ``.xls``) file.
    stations
        Canonical stations (:func:`zoning.io.stations.stations_from_file`).
    categories
        Category names besides :data:`zoning._schema.CATEGORIES` that name a
        category column (the keys of the scenario's category weights).
    station_column
        The column holding station ids or names, when not recognised.
    encoding
        Text encoding of a CSV; detected when omitted.

    Returns
    -------
    LoadTable
        Its ledger holds ``source``, ``encoding``, ``title``, ``header_rows``,
        ``merged_ranges``, ``columns`` (station, total, categories, ignored),
        ``rows_read`` (non-empty rows below the header) = ``rows_used`` +
        ``len(rows_dropped)`` + ``duplicates_dropped``, ``rows_dropped`` (each
        ``{row, label, kind}``, kind ``total``/``subtotal``/``note``),
        ``total_rows`` (each 合计 row checked against the station rows),
        ``empty_rows``, ``empty_cells``, ``missing_stations`` and
        ``total_column_check``.

    Raises
    ------
    InputError
        Every problem at once: no header or station column, no load column,
        two columns for one category, several total columns without
        categories, non-numeric or negative counts, numbers without a
        station, stations not in the stations file, a station given twice
        with different figures, or no station matched at all.

    Warns
    -----
    ZoningWarning
        Stations missing from the table (load 0), duplicate identical rows,
        a 合计 row or total column that disagrees with the station figures.
    """
    path = Path(path)
    file = path.name
    names = [*S.CATEGORIES, *categories]

    def is_key(text: str) -> bool:
        bare = header_key(text)
        if station_column:
            return bare == header_key(station_column)
        return T.is_station_key(bare)

    expected = station_column or "派出所、所名、所代码"
    sheet = sheet_from_file(path, is_key=is_key, expected=expected, encoding=encoding)
    problems = ProblemList()
    id_col, name_col = T.key_columns(sheet, station_column)
    keys = [c for c in (id_col, name_col) if c is not None]
    totals, cat_columns, ignored, clashes = _classify_columns(sheet, keys, names)
    for clash in clashes:
        problems.add(
            tr(
                f"{file}：同一警情类别有多列：{clash}。请只保留一列（例如删去往年数据）。",
                f"{file}: several columns count the same category: {clash}. Keep one "
                "(e.g. delete last year's figures).",
            )
        )
    if not cat_columns and len(totals) > 1:
        shown = "、".join(c.label for c in totals)
        problems.add(
            tr(
                f"{file}：有多个合计列：{shown}，不知用哪一列。请只保留一列。",
                f"{file}: several total columns ({shown}); keep only the one to use.",
            )
        )
    if not cat_columns and not totals:
        shown = "、".join(c.label for c in sheet.columns)
        problems.add(
            tr(
                f"{file}：找不到警情数列：需要一个合计列（合计、警情数、警情量）或按类别的列"
                f"（刑事、治安、交通、纠纷、求助、其他）。现有的列：{shown}。",
                f"{file}: no incident count column: a total (合计, 警情数, 警情量) or one column "
                f"per category (刑事, 治安, 交通, 纠纷, 求助, 其他). Columns: {shown}.",
            )
        )
    problems.raise_if_any()

    by_label = {c.label: c for c in sheet.columns}
    load_cols = [by_label[label] for label in cat_columns] or totals[:1]
    total_col = totals[0] if totals else None
    check_cols = load_cols + ([total_col] if cat_columns and total_col is not None else [])
    lookup = station_lookup(stations)
    key_label = " / ".join(c.label for c in keys)
    station_name = dict(zip(stations.index.astype(str), stations[S.STATION_NAME], strict=True))

    def match(cells: list[Any]) -> tuple[str, str | None]:
        texts = [cell_text(cells[c.position]) for c in keys]
        for text in texts:
            for variant in name_variants(text) if text else []:
                if variant in lookup:
                    return text, lookup[variant]
        return next((t for t in texts if t), ""), None

    scan = _scan_rows(sheet, keys, check_cols, load_cols, match)
    for sid, first_row, number in scan.conflicts:
        problems.add(
            tr(
                f"{file}：派出所 {station_name.get(sid, sid)} 出现在第 {first_row} 行和第 "
                f"{number} 行，数字不同。请合并为一行。",
                f"{file}: station {station_name.get(sid, sid)} is on rows {first_row} and "
                f"{number} with different figures. Merge them into one row.",
            )
        )
    for problem in scan.problems(file, key_label, station_name):
        problems.add(problem)
    if not scan.used and not problems:
        problems.add(
            tr(
                f"{file}：没有一行对应派出所辖区文件中的派出所。请检查派出所列“{key_label}”。",
                f"{file}: no row names a station of the stations file. Check the station "
                f"column '{key_label}'.",
            )
        )
    problems.raise_if_any()
    used, first_seen, duplicate_rows = scan.used, scan.first_seen, scan.duplicate_rows
    rows_read, rows_dropped, total_rows = scan.rows_read, scan.rows_dropped, scan.total_rows
    empty_rows, empty_cells = scan.empty_rows, scan.empty_cells

    index = pd.Index([sid for sid, _ in used], name=S.STATION_ID, dtype=object)
    frame = pd.DataFrame([numbers for _, numbers in used], index=index)
    counts = frame[[c.label for c in load_cols]].fillna(0.0).astype(float)
    missing_ids = [str(s) for s in stations.index if str(s) not in first_seen]
    if missing_ids:
        _warn(
            tr(
                f"{file}：表中没有派出所 {format_rows([station_name[s] for s in missing_ids])}，"
                "其警情量按 0 计。如有数据，请补上这些行。",
                f"{file}: stations {format_rows([station_name[s] for s in missing_ids])} are not "
                "in the table; their load is 0. Add their rows if they have figures.",
            )
        )
    if duplicate_rows:
        _warn(
            tr(
                f"{file}：第 {format_rows([d['row'] for d in duplicate_rows])} 行与前面的行重复"
                "（同一派出所、数字相同），只计一次。",
                f"{file}: rows {format_rows([d['row'] for d in duplicate_rows])} repeat an earlier "
                "row (same station, same figures); counted once.",
            )
        )
    checks = _check_total_rows(file, total_rows, frame, check_cols)
    column_check = _check_total_column(file, frame, cat_columns, total_col, station_name)
    ledger: dict[str, Any] = {
        "source": str(path),
        "kind": "load_table",
        "encoding": sheet.encoding,
        "title": sheet.title,
        "header_rows": sheet.header_rows,
        "merged_ranges": sheet.merged_ranges,
        "columns": {
            "station": key_label,
            "total": total_col.label if total_col is not None else None,
            "categories": dict(cat_columns),
            "ignored": ignored,
        },
        "rows_read": rows_read,
        "rows_used": len(used),
        "rows_dropped": rows_dropped,
        "duplicates_dropped": len(duplicate_rows),
        "duplicate_rows": duplicate_rows,
        "empty_rows": empty_rows,
        "empty_cells": empty_cells,
        "total_rows": checks,
        "total_column_check": column_check,
        "missing_stations": missing_ids,
    }
    return LoadTable(
        counts=counts,
        kind="categories" if cat_columns else "total",
        categories=dict(cat_columns),
        ledger=ledger,
    )


@dataclass
class _Scan:
    """What a pass over the table's rows found: station rows, sum rows, notes, problems."""

    used: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    rows_dropped: list[dict[str, Any]] = field(default_factory=list)
    total_rows: list[tuple[int, str, dict[str, float]]] = field(default_factory=list)
    first_seen: dict[str, tuple[int, tuple[float, ...]]] = field(default_factory=dict)
    duplicate_rows: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[tuple[str, int, int]] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)
    no_key: list[int] = field(default_factory=list)
    bad_cells: dict[str, list[str]] = field(default_factory=dict)
    empty_cells: int = 0
    rows_read: int = 0
    empty_rows: int = 0

    def problems(self, file: str, key_label: str, station_name: Mapping[str, str]) -> list[str]:
        """One message per kind of bad row, naming the rows and the fix."""
        out: list[str] = []
        for label, where in self.bad_cells.items():
            out.append(
                tr(
                    f"{file}：列“{label}”第 {format_rows(where)} 行不是非负数。"
                    "请改为数字（警情起数）。",
                    f"{file}: column '{label}' is not a non-negative number in rows "
                    f"{format_rows(where)}. Enter incident counts.",
                )
            )
        if self.no_key:
            out.append(
                tr(
                    f"{file}：第 {format_rows(self.no_key)} 行有数字但派出所列“{key_label}”为空。"
                    "请填写派出所，或删去这些行。",
                    f"{file}: rows {format_rows(self.no_key)} have figures but no station in "
                    f"column '{key_label}'. Name the station or delete the rows.",
                )
            )
        if self.unknown:
            shown = format_rows(f"{n}（{k}）" for n, k in self.unknown)
            examples = format_rows(list(station_name.values())[:5], 5)
            out.append(
                tr(
                    f"{file}：第 {shown} 行的派出所不在派出所辖区文件中。请改为辖区文件中的编号或"
                    f"名称（如 {examples}），或删去这些行。",
                    f"{file}: rows {shown} name stations that are not in the stations file. Use "
                    f"their ids or names there (e.g. {examples}), or delete the rows.",
                )
            )
        return out


def _row_numbers(cells: list[Any], columns: Sequence[Column]) -> tuple[dict[str, float], list[str]]:
    """The counts of a row by column label (NaN when empty or bad) and the bad columns."""
    numbers: dict[str, float] = {}
    bad_columns: list[str] = []
    for column in columns:
        raw = cells[column.position]
        if not cell_text(raw):
            numbers[column.label] = np.nan
            continue
        value, bad = parse_number(pd.Series([cell_text(raw)], dtype=object))
        if bad or not np.isfinite(value.iloc[0]) or value.iloc[0] < 0:
            bad_columns.append(column.label)
            numbers[column.label] = np.nan
        else:
            numbers[column.label] = float(value.iloc[0])
    return numbers, bad_columns


def _scan_rows(
    sheet: Sheet,
    keys: Sequence[Column],
    check_cols: Sequence[Column],
    load_cols: Sequence[Column],
    match: Callable[[list[Any]], tuple[str, str | None]],
) -> _Scan:
    """Sort every row into station rows, sum rows, notes, duplicates and bad rows."""
    scan = _Scan()
    for number, cells in sheet.rows:
        texts = [cell_text(v) for v in cells]
        if not any(texts):
            scan.empty_rows += 1
            continue
        scan.rows_read += 1
        numbers, row_bad = _row_numbers(cells, check_cols)
        has_numbers = any(np.isfinite(v) for v in numbers.values()) or bool(row_bad)
        key_text, sid = match(cells)
        label = _row_label(texts, keys)
        if label is not None:
            kind = "subtotal" if label in _SUBTOTAL else "total"
            scan.rows_dropped.append({"row": number, "label": key_text or label, "kind": kind})
            if kind == "total":
                scan.total_rows.append((number, key_text or label, numbers))
            continue
        if sid is None and not has_numbers:
            note = next((t for t in texts if t), "")
            scan.rows_dropped.append({"row": number, "label": note, "kind": "note"})
            continue
        if not key_text:
            scan.no_key.append(number)
            continue
        if sid is None:
            scan.unknown.append((number, key_text))
            continue
        for bad_label in row_bad:
            scan.bad_cells.setdefault(bad_label, []).append(f"{number}（{key_text}）")
        figures = tuple(numbers[c.label] for c in load_cols)
        if sid in scan.first_seen:
            first_row, first_figures = scan.first_seen[sid]
            if np.array_equal(np.nan_to_num(figures), np.nan_to_num(first_figures)):
                scan.duplicate_rows.append(
                    {"row": number, "station_id": sid, "same_as_row": first_row}
                )
            else:
                scan.conflicts.append((sid, first_row, number))
            continue
        scan.first_seen[sid] = (number, figures)
        scan.empty_cells += sum(1 for c in load_cols if not np.isfinite(numbers[c.label]))
        scan.used.append((sid, numbers))
    return scan


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=3)


def _row_label(texts: list[str], keys: Sequence[Column]) -> str | None:
    """The sum-row label (合计, 小计 …) of a row, looked for in its key and leading cells."""
    positions = [c.position for c in keys]
    first = min(positions) if positions else 0
    candidates = [texts[p] for p in positions] + texts[: first + 1]
    for text in candidates:
        bare = header_key(text)
        if bare in _TOTAL_ROWS or (bare.endswith(("合计", "总计", "小计")) and len(bare) <= 8):
            return "小计" if bare.endswith(("小计", "subtotal")) else bare
    return None


def _check_total_rows(
    file: str,
    rows: list[tuple[int, str, dict[str, float]]],
    frame: pd.DataFrame,
    columns: Sequence[Column],
) -> list[dict[str, Any]]:
    """Compare each 合计 row with the sum of the station rows, column by column."""
    out = []
    for number, label, values in rows:
        differ = []
        for column in columns:
            given = values.get(column.label, np.nan)
            if not np.isfinite(given):
                continue
            total = float(frame[column.label].fillna(0.0).sum()) if column.label in frame else 0.0
            if not np.isclose(given, total, rtol=0, atol=1e-6):
                differ.append({"column": column.label, "row_value": given, "stations_sum": total})
        out.append({"row": number, "label": label, "matches": not differ, "differences": differ})
        if differ:
            shown = "；".join(
                f"{d['column']} {d['row_value']:g} ≠ {d['stations_sum']:g}" for d in differ[:4]
            )
            shown_en = "; ".join(
                f"{d['column']} {d['row_value']:g} ≠ {d['stations_sum']:g}" for d in differ[:4]
            )
            _warn(
                tr(
                    f"{file}：第 {number} 行“{label}”与各派出所之和不符（{shown}）。"
                    "已按各所的数字计算；请核对是否漏了派出所或合计有误。",
                    f"{file}: row {number} '{label}' differs from the sum of the stations "
                    f"({shown_en}). The station figures are used; check for a missing station "
                    "or a wrong total.",
                )
            )
    return out


def _check_total_column(
    file: str,
    frame: pd.DataFrame,
    categories: dict[str, str],
    total: Column | None,
    names: dict[str, str],
) -> dict[str, Any] | None:
    """With categories and a total column: stations whose categories do not add up."""
    if not categories or total is None:
        return None
    parts = frame[list(categories)].fillna(0.0).sum(axis=1)
    given = frame[total.label]
    bad = [
        str(sid)
        for sid in frame.index
        if np.isfinite(given[sid]) and not np.isclose(parts[sid], given[sid], rtol=0, atol=1e-6)
    ]
    if bad:
        shown = format_rows(f"{names.get(s, s)} {parts[s]:g}≠{given[s]:g}" for s in bad)
        _warn(
            tr(
                f"{file}：派出所 {shown} 的各类别之和与“{total.label}”列不符。"
                "已按类别计算；请核对是否漏了类别。",
                f"{file}: for stations {shown} the categories do not add up to column "
                f"'{total.label}'. The categories are used; check for a missing category.",
            )
        )
    return {"column": total.label, "stations_differing": bad}
