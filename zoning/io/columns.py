"""Column alias tables and cell parsers used by :mod:`zoning.io.stations`.

Input files come from many systems (110 exports, GIS departments, hand-made
Excel sheets), so every canonical column of :mod:`zoning._schema` is recognised
under several names. Matching is case-insensitive, ignores surrounding spaces
and full-/half-width differences (NFKC). An explicit ``columns`` mapping given
by the caller (the scenario file) always wins over the aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning._text import has_controls, strip_controls
from zoning.errors import InputError, ProblemList

#: Station seat (驻地) longitude / latitude aliases.
SEAT_ALIASES_LON: tuple[str, ...] = (
    "驻地经度",
    "所址经度",
    "驻所经度",
    "办公地经度",
    "seat_lon",
    "seat_lng",
    "seat_x",
)
SEAT_ALIASES_LAT: tuple[str, ...] = (
    "驻地纬度",
    "所址纬度",
    "驻所纬度",
    "办公地纬度",
    "seat_lat",
    "seat_y",
)

#: Station attributes: canonical name -> aliases (earlier aliases win).
STATION_ALIASES: dict[str, tuple[str, ...]] = {
    S.STATION_ID: (
        "所代码",
        "单位代码",
        "代码",
        "编号",
        "id",
        "station_id",
        "code",
        "派出所代码",
        "派出所编号",
        "PCSDM",
        "DWDM",
        "XZDM",
        "乡镇代码",
        "TOWNCODE",
    ),
    S.STATION_NAME: (
        "派出所",
        "名称",
        "所名",
        "单位名称",
        "name",
        "station_name",
        "派出所名称",
        "PCSMC",
        "DWMC",
        "辖区名称",
        "乡镇名称",
        "XZMC",
        "乡镇街道",
        "乡镇",
        "街道",
        "TOWNNAME",
        "TOWN_NAME",
        "NAME_CHN",
        "MC",
    ),
    S.POPULATION: ("人口", "户籍人口", "常住人口", "population", "pop"),
    S.OFFICERS: ("警力", "民警数", "民警", "officers", "police"),
    S.HAS_CASE_AREA: ("办案区", "有办案区", "case_area", "has_case_area"),
    S.COMMUNITIES: ("社区数", "村居数", "社区村居数", "村（社区）数", "communities"),
    S.IS_URBAN_CORE: ("城关", "城关所", "urban_core", "is_urban_core"),
    S.SEAT_LON: SEAT_ALIASES_LON,
    S.SEAT_LAT: SEAT_ALIASES_LAT,
}

#: Incident fields: canonical name -> aliases.
INCIDENT_ALIASES: dict[str, tuple[str, ...]] = {
    S.INCIDENT_ID: ("警情编号", "接警编号", "JJDBH", "jjbh", "incident_id", "id"),
    S.TIME: ("报警时间", "BJSJ", "接警时间", "JJSJ", "time", "datetime", "date"),
    S.CATEGORY: ("警情类别", "类别", "警情类型", "JQLB", "category", "type"),
    S.LON: ("经度", "GIS_X", "lng", "lon", "long", "longitude", "x"),
    S.LAT: ("纬度", "GIS_Y", "lat", "latitude", "y"),
    S.UNIT: ("管辖单位", "GXDWDM", "辖区单位", "管辖单位代码", "GXDW", "unit"),
    S.COUNT: (
        "警情数",
        "警情数量",
        "警情量",
        "警情总数",
        "数量",
        "起数",
        "件数",
        "案件数",
        "次数",
        "合计",
        "count",
        "counts",
        "n_incidents",
    ),
}

#: Exact (normalised) names of personal-data columns of 110 exports.
PERSONAL_EXACT: frozenset[str] = frozenset(
    {
        "bjrxm",
        "lxdh",
        "bjrdh",
        "bjdh",
        "sfzh",
        "zjhm",
        "fadz",
        "xxdz",
        "bjrsfzh",
        "name",
        "tel",
        "mobile",
    }
)
#: Substrings that mark a personal-data column (报警人姓名, 联系电话, 发案地址, …).
PERSONAL_PARTS: tuple[str, ...] = (
    "报警人",
    "姓名",
    "电话",
    "手机",
    "身份证",
    "证件",
    "地址",
    "住址",
    "caller",
    "phone",
    "address",
    "idcard",
    "id_card",
)

_TRUE = frozenset({"是", "有", "y", "yes", "true", "t", "1", "√", "✓"})
_FALSE = frozenset({"否", "无", "n", "no", "false", "f", "0", "×", "✗"})


def norm_key(text: object) -> str:
    """Normalise a column name or cell for comparison: NFKC, trimmed, casefolded."""
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def resolve_columns(
    available: Sequence[str],
    aliases: Mapping[str, Sequence[str]],
    explicit: Mapping[str, str] | None = None,
    *,
    filled: Callable[[str], bool] | None = None,
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Find the file column that holds each canonical field.

    Parameters
    ----------
    available
        Column names as they appear in the file.
    aliases
        Canonical name -> accepted aliases.
    explicit
        Canonical name -> file column, given by the user; wins over aliases.
    filled
        Says whether a column holds any value; alias matches that are empty
        are passed over (an all-empty ``id`` column is never chosen), explicit
        choices are kept.

    Returns
    -------
    found
        Canonical name -> file column, for every field found.
    missing_explicit
        ``(canonical, requested column)`` pairs the user asked for that do not
        exist in the file.
    """
    by_key: dict[str, str] = {}
    for col in available:
        by_key.setdefault(norm_key(col), col)
    found: dict[str, str] = {}
    missing: list[tuple[str, str]] = []
    used: set[str] = set()
    for canon, col in (explicit or {}).items():
        if col is None:
            continue
        actual = col if col in available else by_key.get(norm_key(col))
        if actual is None:
            missing.append((canon, str(col)))
        else:
            found[canon] = actual
            used.add(actual)
    for canon, names in aliases.items():
        if canon in found or any(c == canon for c, _ in missing):
            continue
        for alias in names:
            actual = by_key.get(norm_key(alias))
            if actual is not None and filled is not None and not filled(actual):
                continue
            if actual is not None and actual not in used:
                found[canon] = actual
                used.add(actual)
                break
    return found, missing


def personal_columns(available: Iterable[str], keep: Iterable[str] = ()) -> list[str]:
    """Return the columns that look like personal data (caller, phone, address …).

    Parameters
    ----------
    available
        Column names of the file.
    keep
        Columns the user mapped explicitly; never treated as personal.
    """
    kept = set(keep)
    out = []
    for col in available:
        if col in kept:
            continue
        key = norm_key(col)
        if key in PERSONAL_EXACT or any(part in key for part in PERSONAL_PARTS):
            out.append(col)
    return out


def parse_bool(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Parse a yes/no column (是/否, 有/无, Y/N, yes/no, true/false, 1/0).

    Returns
    -------
    parsed
        Boolean series; empty cells are ``False``.
    bad
        Positions of cells that are not a recognised yes/no value.
    """
    out = np.zeros(len(values), dtype=bool)
    bad: list[int] = []
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        if isinstance(value, bool | np.bool_):
            out[i] = bool(value)
            continue
        if isinstance(value, int | float | np.integer | np.floating):
            value = format(float(value), "g")
        key = norm_key(value)
        if key == "":
            continue
        if key in _TRUE:
            out[i] = True
        elif key not in _FALSE:
            bad.append(i)
    return pd.Series(out, index=values.index), bad


def parse_number(values: pd.Series) -> tuple[pd.Series, list[int]]:
    """Parse a numeric column; thousands separators and full-width digits allowed.

    Returns
    -------
    parsed
        Float series; empty cells are NaN.
    bad
        Positions of non-empty cells that are not numbers.
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), []
    text = values.map(lambda v: v if v is None else unicodedata.normalize("NFKC", str(v)))
    text = text.str.replace(",", "", regex=False).str.strip()
    text = text.where(~text.isin(["", "nan", "NaN", "None", "-"]), None)
    parsed = pd.to_numeric(text, errors="coerce").astype(float)
    bad = np.flatnonzero(parsed.isna().to_numpy() & text.notna().to_numpy()).tolist()
    return parsed, [int(i) for i in bad]


#: Degree-minute-second text: numbers separated by °/度, ′/'/分, ″/"/秒, colons or
#: spaces, with an optional hemisphere (N/S/E/W, 北纬/南纬/东经/西经) before or after.
_DMS = re.compile(
    r"(?P<pre>[NSEW]|北纬|南纬|东经|西经)?\s*(?P<sign>[-+])?"
    r"(?P<d>\d+(?:\.\d+)?)\s*(?:°|º|˚|度|:|\s)\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*(?:′|'|’|分|:|\s)?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:″|′′|''|\"|”|秒)?)?)?\s*"
    r"(?P<post>[NSEW])?",
    re.IGNORECASE,
)
_NEGATIVE = frozenset({"S", "W", "南纬", "西经"})


def parse_dms(text: str) -> float | None:
    """Degrees from degree-minute-second text, or None when it is not DMS.

    Examples
    --------
    >>> round(parse_dms("116°23′45″"), 6)
    116.395833
    >>> [round(parse_dms(t), 6) for t in ("116度23分45秒", "116:23:45", "北纬27°12.5′", "23°S")]
    [116.395833, 116.395833, 27.208333, -23.0]
    >>> parse_dms("116.5") is None  # a decimal number is not DMS
    True
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    match = _DMS.fullmatch(cleaned)
    if match is None or (match["pre"] and match["post"]):
        return None
    if match["m"] is None and not any(mark in cleaned for mark in "°º˚度"):
        return None  # a bare number is not DMS
    degrees, minutes = float(match["d"]), float(match["m"] or 0.0)
    seconds = float(match["s"]) if match["s"] else 0.0
    if minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    hemisphere = (match["pre"] or match["post"] or "").upper()
    return -value if hemisphere in _NEGATIVE or match["sign"] == "-" else value


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, list[int], int]:
    """Parse a longitude or latitude column: decimal degrees/metres or DMS text.

    Returns
    -------
    parsed
        Float series; empty cells are NaN.
    bad
        Positions of non-empty cells that are neither numbers nor DMS.
    n_dms
        How many cells were read as degree-minute-second text.
    """
    parsed, bad = parse_number(values)
    if not bad:
        return parsed, bad, 0
    still_bad = []
    n_dms = 0
    for i in bad:
        degrees = parse_dms(str(values.iloc[i]))
        if degrees is None:
            still_bad.append(i)
        else:
            parsed.iloc[i] = degrees
            n_dms += 1
    return parsed, still_bad, n_dms


def as_text(values: pd.Series) -> pd.Series:
    """Cells as trimmed strings (``1.0`` from Excel becomes ``"1"``); empty -> NaN.

    Control characters are removed (:func:`strip_controls`).
    """

    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return np.nan
        if isinstance(v, float | np.floating) and float(v).is_integer():
            v = int(v)
        s = strip_controls(unicodedata.normalize("NFKC", str(v))).strip()
        return s if s else np.nan

    return values.map(one).astype(object)


def format_rows(rows: Iterable[Any], limit: int = 10) -> str:
    """Join row numbers or ids for a message, eliding after ``limit`` items."""
    items = [str(r) for r in rows]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … (+{len(items) - limit})"
    return ", ".join(items)


_CN_TIME = str.maketrans(
    {"年": "-", "月": "-", "日": " ", "时": ":", "分": ":", "秒": " ", "/": "-"}
)
_COMPACT = {14: "%Y%m%d%H%M%S", 12: "%Y%m%d%H%M", 8: "%Y%m%d"}


def parse_times(values: pd.Series) -> pd.Series:
    """Parse 报警时间 cells into naive datetimes; unparseable cells become NaT.

    Accepted: datetime cells, ISO and ``2023/1/5 8:30`` text, ``2023年1月5日 8时30分``,
    compact ``20230105083000`` / ``202301050830`` / ``20230105``, Excel serial day
    numbers, also saved as text (``"45292.375"``: five digits before an optional
    fraction, 1927–2173). A trailing UTC offset is dropped (the exported wall-clock
    time is kept).
    """
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        return parsed.astype("datetime64[ns]")
    obj = values.astype(object)
    is_dt = obj.map(lambda v: isinstance(v, pd.Timestamp | datetime | date)).astype(bool)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(obj[is_dt].map(pd.Timestamp))
    is_serial = obj.map(
        lambda v: (
            isinstance(v, int | float | np.integer | np.floating)
            and not isinstance(v, bool)
            and 1000 < float(v) < 100000
        )
    ).astype(bool)
    if is_serial.any():
        days = pd.to_numeric(obj[is_serial]).astype(float)
        out[is_serial] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
    rest = ~(is_dt | is_serial)
    text = as_text(obj[rest])
    text = text[text.notna()].astype(str).map(lambda s: " ".join(s.translate(_CN_TIME).split()))
    # a UTC offset is dropped: the wall-clock time as exported is kept
    text = text.str.replace(r"(?<=\d)(?:Z|[+-]\d{2}:?\d{2})$", "", regex=True).str.rstrip(":- ")
    if text.empty:
        return out
    serial = text.str.fullmatch(r"\d{5}(?:\.\d+)?")
    if serial.any():
        days = text[serial].astype(float)
        out[days.index] = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
        text = text[~serial]
        if text.empty:
            return out
    compact = text.str.fullmatch(r"\d{8}|\d{12}|\d{14}")
    for length, fmt in _COMPACT.items():
        sel = compact & (text.str.len() == length)
        if sel.any():
            out[sel[sel].index] = pd.to_datetime(text[sel], format=fmt, errors="coerce")
    other = text[~compact]
    if not other.empty:
        iso = pd.to_datetime(other, format="ISO8601", errors="coerce")
        left = iso.isna()
        if left.any():
            iso[left] = pd.to_datetime(other[left], format="mixed", errors="coerce")
        out[other.index] = iso
    return out


def normalize_station_name(name: str) -> str:
    """Normalise a station name for matching.

    NFKC (full-width letters, digits and brackets become half-width), all
    whitespace removed, and one trailing ``派出所`` or ``所`` dropped.

    Examples
    --------
    >>> normalize_station_name(" 青山派出所 ")
    '青山'
    >>> normalize_station_name("城关所")
    '城关'
    >>> normalize_station_name("Ａ区　派出所")
    'A区'
    """
    text = "".join(unicodedata.normalize("NFKC", str(name)).split())
    for suffix in ("派出所", "所"):
        if text.endswith(suffix):
            return text[: -len(suffix)] if len(text) > len(suffix) else text
    return text


def name_variants(key: str) -> list[str]:
    """Lookup keys for an id or a unit name, most literal first (casefolded).

    A unit written with its county bureau (``某县公安局青山派出所``) also yields
    the part after the last ``公安局`` / ``分局``.
    """
    text = unicodedata.normalize("NFKC", str(key)).strip()
    out = [text.casefold(), normalize_station_name(text).casefold()]
    for marker in ("公安分局", "公安局", "分局"):
        if marker in text:
            tail = text.rsplit(marker, 1)[1]
            if tail:
                out.append(normalize_station_name(tail).casefold())
    return out


def station_ids_and_names(
    raw: pd.DataFrame,
    found: Mapping[str, str],
    missing: Sequence[tuple[str, str]],
    file: str,
    problems: ProblemList,
    notes: list[str],
) -> tuple[pd.Series, pd.Series, str]:
    """Station ids and names from the resolved columns, checking emptiness and duplicates.

    Without an id column the names (if complete and unique) or row numbers become
    the ids (noted for a warning); a missing name is replaced by the id.

    Returns
    -------
    ids, names, id_column
        String series aligned with ``raw`` and the id column's label for messages.
    """
    rows = np.arange(1, len(raw) + 1)
    for canon in (S.STATION_ID, S.STATION_NAME):
        if (
            canon in found
            and (odd := raw[found[canon]].map(has_controls).to_numpy(dtype=bool)).any()
        ):
            notes.append(
                tr(
                    f"{file}：列“{found[canon]}”第 {format_rows(rows[odd])} 行含控制字符"
                    "（如终端转义序列），已删去。",
                    f"{file}: column '{found[canon]}' holds control characters (e.g. terminal "
                    f"escape sequences) in rows {format_rows(rows[odd])}; removed.",
                )
            )
    names = as_text(raw[found[S.STATION_NAME]]) if S.STATION_NAME in found else None
    if S.STATION_ID in found:
        id_col = found[S.STATION_ID]
        ids = as_text(raw[id_col])
        empty = ids.isna().to_numpy()
        if empty.any():
            problems.add(
                tr(
                    f"{file}：列“{id_col}”第 {format_rows(rows[empty])} 行编号为空。"
                    "请为每个派出所填写编号，或用 --id-column 指定另一列"
                    "（也可用 --name-column 指定名称列）。",
                    f"{file}: column '{id_col}' is empty in rows {format_rows(rows[empty])}. "
                    "Give every station an id, or pass --id-column to use another column "
                    "(and --name-column for the names).",
                )
            )
            ids = ids.fillna(pd.Series([f"#{r}" for r in rows], index=ids.index))
    else:
        id_col = tr("（自动编号）", "(derived ids)")
        use_names = names is not None and names.notna().all() and not names.duplicated().any()
        ids = names.copy() if use_names and names is not None else pd.Series(rows.astype(str))
        if not any(c == S.STATION_ID for c, _ in missing):
            notes.append(
                tr(
                    f"{file}：没有派出所编号列（如 所代码、编号、id），已用"
                    f"{'名称' if use_names else '行号'}作为编号。",
                    f"{file}: no station id column (所代码, 编号, id …); used the "
                    f"{'names' if use_names else 'row numbers'} as ids.",
                )
            )
    ids = ids.astype(str)
    if names is None:
        names = ids.copy()
    elif names.isna().any():
        blank = names.isna().to_numpy()
        notes.append(
            tr(
                f"{file}：编号 {format_rows(ids[blank])} 没有名称，已用编号作为名称。",
                f"{file}: stations {format_rows(ids[blank])} have no name; used the id.",
            )
        )
        names = names.fillna(ids)
    names = names.astype(str)
    dup_ids = ids[ids.duplicated(keep=False)]
    if len(dup_ids):
        problems.add(
            tr(
                f"{file}：列“{id_col}”中编号重复：{format_rows(sorted(set(dup_ids)))}"
                f"（第 {format_rows(rows[dup_ids.index])} 行）。请保证每个派出所编号唯一，"
                "或用 --id-column 指定另一列。",
                f"{file}: column '{id_col}' has duplicate ids {format_rows(sorted(set(dup_ids)))}"
                f" (rows {format_rows(rows[dup_ids.index])}). Make every station id unique, or "
                "pass --id-column to use another column.",
            )
        )
    name_keys = names.map(lambda n: normalize_station_name(n).casefold())
    dup_names = name_keys.duplicated(keep=False).to_numpy()
    if dup_names.any():
        name_col = found.get(S.STATION_NAME, id_col)
        problems.add(
            tr(
                f"{file}：列“{name_col}”中名称重复：{format_rows(sorted(set(names[dup_names])))}"
                f"（编号 {format_rows(ids[dup_names])}）。请保证派出所名称唯一，"
                "或用 --name-column 指定另一列。",
                f"{file}: column '{name_col}' has duplicate names "
                f"{format_rows(sorted(set(names[dup_names])))} (ids {format_rows(ids[dup_names])})."
                " Make every station name unique, or pass --name-column to use another column.",
            )
        )
    return ids, names, id_col


def day_bound(value: str | date | None, what: str, file: str) -> tuple[pd.Timestamp | None, bool]:
    """Parse a window bound; the flag says whether it is a whole day (no time part)."""
    if value is None or value == "":
        return None, False
    if isinstance(value, datetime):
        return pd.Timestamp(value).tz_localize(None), False
    if isinstance(value, date):
        return pd.Timestamp(value), True
    parsed = parse_times(pd.Series([value])).iloc[0]
    if pd.isna(parsed):
        raise InputError(
            tr(
                f"{file}：{what}“{value}”不是有效日期。请使用 2025-01-31 这样的格式。",
                f"{file}: {what} '{value}' is not a date. Use a format like 2025-01-31.",
            )
        )
    stamp = pd.Timestamp(parsed)
    return stamp, stamp == stamp.normalize() and ":" not in str(value)


def available_columns(file: str, columns: list[str]) -> str:
    """One clause listing the columns a file has, for error messages."""
    shown = "、".join(map(str, columns)) if columns else tr("（无）", "(none)")
    return tr(f"{file} 中现有的列：{shown}", f"columns in {file}: {shown}")
