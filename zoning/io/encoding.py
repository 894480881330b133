"""Text-encoding detection for Chinese input files.

Chinese GIS and 110 exports are often GBK/GB18030 rather than UTF-8, and
shapefiles frequently carry no ``.cpg``. The rules, in order:

Shapefile ``.dbf``
    1. an explicit ``encoding`` argument;
    2. a ``.cpg`` file (``UTF-8``, ``GBK``, ``936``, ``ANSI 936``, …);
    3. the dBase language-driver byte (byte 29 of the header, e.g. ``0x4D``/
       ``0x7A`` = GBK/CP936);
    4. otherwise (byte 0, ``0x57`` "ANSI" = the writer's system code page, or an
       unknown value): pure ASCII needs no decision; else strict UTF-8, then
       GB18030, with a :class:`~zoning.errors.ZoningWarning` naming the choice.

    A declared encoding (2 or 3) that cannot decode the table also falls back
    to step 4 with a warning.

Text files (CSV, GeoJSON)
    strict UTF-8 (a BOM is accepted and removed), then GB18030 with a warning.

:func:`read_vector` and :func:`read_table` read files with these rules; reader
(GDAL, openpyxl) warnings are sent to the log instead of the user.
"""

from __future__ import annotations

import codecs
import struct
import warnings
from io import BytesIO, StringIO
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning._i18n import tr
from zoning.errors import InputError, ZoningWarning
from zoning.settings import get_logger

#: dBase language-driver id -> code page. ``0x57`` ("ANSI") is deliberately
#: absent: it means "the writer's Windows code page", which for Chinese data is
#: usually CP936 but is not stated, so it is detected instead.
LDID_CODEPAGES: dict[int, str] = {
    0x01: "CP437",
    0x02: "CP850",
    0x03: "CP1252",
    0x04: "MAC_ROMAN",
    0x08: "CP865",
    0x09: "CP437",
    0x0A: "CP850",
    0x0B: "CP437",
    0x0D: "CP437",
    0x0E: "CP850",
    0x0F: "CP437",
    0x10: "CP850",
    0x11: "CP437",
    0x12: "CP850",
    0x13: "CP932",
    0x14: "CP850",
    0x15: "CP437",
    0x16: "CP850",
    0x17: "CP865",
    0x18: "CP437",
    0x19: "CP437",
    0x1A: "CP850",
    0x1B: "CP437",
    0x1C: "CP863",
    0x1D: "CP850",
    0x1F: "CP852",
    0x22: "CP852",
    0x23: "CP852",
    0x24: "CP860",
    0x25: "CP850",
    0x26: "CP866",
    0x37: "CP850",
    0x40: "CP852",
    0x4D: "CP936",
    0x4E: "CP949",
    0x4F: "CP950",
    0x50: "CP874",
    0x58: "CP1252",
    0x59: "CP1252",
    0x64: "CP852",
    0x65: "CP866",
    0x66: "CP865",
    0x67: "CP861",
    0x6A: "CP737",
    0x6B: "CP857",
    0x78: "CP950",
    0x79: "CP949",
    0x7A: "CP936",
    0x7B: "CP932",
    0x7C: "CP874",
    0x86: "CP737",
    0x87: "CP852",
    0x88: "CP857",
    0xC8: "CP1250",
    0xC9: "CP1251",
    0xCA: "CP1254",
    0xCB: "CP1253",
    0xCC: "CP1257",
}

_CPG_NAMES: dict[str, str] = {
    "UTF8": "UTF-8",
    "UTF-8": "UTF-8",
    "65001": "UTF-8",
    "GBK": "CP936",
    "GB2312": "CP936",
    "936": "CP936",
    "CP936": "CP936",
    "GB18030": "GB18030",
    "54936": "GB18030",
    "BIG5": "CP950",
    "950": "CP950",
    "88591": "ISO-8859-1",
    "8859-1": "ISO-8859-1",
    "ISO-8859-1": "ISO-8859-1",
    "LATIN1": "ISO-8859-1",
}


def _warn(message: str) -> None:
    warnings.warn(message, ZoningWarning, stacklevel=4)


def codec_from_cpg(text: str) -> str | None:
    """Map the contents of a ``.cpg`` file to a codec name, or None if unknown."""
    key = text.strip().upper().replace("ANSI ", "").replace("CP ", "CP")
    if not key:
        return None
    name = _CPG_NAMES.get(key)
    if name is None and key.isdigit():
        name = f"CP{key}"
    if name is None:
        name = key
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def read_dbf_strings(dbf: Path) -> tuple[int, list[bytes]]:
    """Return the language-driver byte and the raw bytes of every text cell and field name.

    Parameters
    ----------
    dbf
        Path of the ``.dbf`` file.

    Returns
    -------
    ldid
        Byte 29 of the header.
    items
        Field names and character-field values, trailing blanks removed.
    """
    data = dbf.read_bytes()
    if len(data) < 32:
        return 0, []
    n_records, header_len, record_len = struct.unpack("<IHH", data[4:12])
    ldid = data[29]
    fields: list[tuple[int, int, bool]] = []  # offset, length, is_text
    items: list[bytes] = []
    offset = 1  # deletion flag
    pos = 32
    while pos + 32 <= min(header_len, len(data)) and data[pos] != 0x0D:
        desc = data[pos : pos + 32]
        items.append(desc[:11].split(b"\x00", 1)[0])
        ftype = chr(desc[11])
        length = desc[16] + (256 * desc[17] if ftype == "C" else 0)
        fields.append((offset, length, ftype == "C"))
        offset += length
        pos += 32
    for r in range(n_records):
        start = header_len + r * record_len
        record = data[start : start + record_len]
        if len(record) < record_len:
            break
        for off, length, is_text in fields:
            if is_text:
                cell = record[off : off + length].rstrip(b" \x00")
                if cell:
                    items.append(cell)
    return ldid, items


def _decodes(items: list[bytes], codec: str) -> bool:
    """True if every item decodes strictly (a multi-byte character cut at the end is allowed)."""
    try:
        for item in items:
            codecs.getincrementaldecoder(codec)("strict").decode(item, final=False)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess(items: list[bytes], what: str, declared: str | None) -> str:
    if all(item.isascii() for item in items):
        return "UTF-8"
    for codec in ("UTF-8", "GB18030"):
        if _decodes(items, codec):
            if declared:
                _warn(
                    tr(
                        f"{what}：声明的编码 {declared} 无法解码文本，已改用 {codec}。"
                        "请检查中文名称是否正确，或修正 .cpg 文件。",
                        f"{what}: the declared encoding {declared} cannot decode the text; "
                        f"used {codec} instead. Check the Chinese names, or fix the .cpg file.",
                    )
                )
            else:
                _warn(
                    tr(
                        f"{what}：未声明文本编码（无 .cpg，dBase 语言标识未指明），"
                        f"按 {codec} 读取。如名称乱码，请添加 .cpg 文件或指定 encoding。",
                        f"{what}: no text encoding declared (no .cpg, no usable dBase "
                        f"language driver); read as {codec}. If names look garbled, add a "
                        ".cpg file or pass encoding.",
                    )
                )
            return codec
    _warn(
        tr(
            f"{what}：文本既不是 UTF-8 也不是 GB18030，按 Latin-1 读取，中文可能乱码。"
            "请指定 encoding。",
            f"{what}: the text is neither UTF-8 nor GB18030; read as Latin-1, Chinese "
            "text may be garbled. Pass encoding.",
        )
    )
    return "ISO-8859-1"


def shapefile_encoding(shp: Path) -> tuple[str, str]:
    """Decide how to decode a shapefile's ``.dbf``.

    Parameters
    ----------
    shp
        Path of the ``.shp`` file (the ``.dbf`` and ``.cpg`` are found beside it).

    Returns
    -------
    encoding
        Codec name understood by both Python and GDAL.
    how
        ``"cpg"``, ``"language-driver"``, ``"ascii"`` or ``"detected"``.
    """
    dbf = _sibling(shp, ".dbf")
    if dbf is None:
        return "UTF-8", "ascii"
    ldid, items = read_dbf_strings(dbf)
    what = str(dbf.name)
    cpg = _sibling(shp, ".cpg")
    declared: str | None = None
    how = ""
    if cpg is not None:
        declared = codec_from_cpg(cpg.read_text(encoding="ascii", errors="ignore"))
        how = "cpg"
    if declared is None and ldid in LDID_CODEPAGES:
        declared = LDID_CODEPAGES[ldid]
        how = "language-driver"
    if declared is not None and _decodes(items, declared):
        return declared, how
    if all(item.isascii() for item in items):
        return "UTF-8", "ascii"
    return _guess(items, what, declared), "detected"


def _sibling(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.exists():
            return candidate
    return None


def decode_text(data: bytes, *, source: str) -> tuple[str, str]:
    """Decode a text file: strict UTF-8 (BOM removed), else GB18030 with a warning.

    Parameters
    ----------
    data
        The raw file contents.
    source
        File name used in the warning.

    Returns
    -------
    text, encoding
        The decoded text and ``"UTF-8"``, ``"UTF-8-BOM"`` or ``"GB18030"``.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, "UTF-8-BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        _warn(
            tr(
                f"{source}：文本既不是 UTF-8 也不是 GB18030，按 Latin-1 读取，中文可能乱码。"
                "请另存为 UTF-8 或指定 encoding。",
                f"{source}: the text is neither UTF-8 nor GB18030; read as Latin-1, Chinese "
                "text may be garbled. Save it as UTF-8 or pass encoding.",
            )
        )
        return text, "ISO-8859-1"
    _warn(
        tr(
            f"{source}：不是 UTF-8 编码，已按 GB18030（GBK）读取。",
            f"{source}: not UTF-8; read as GB18030 (GBK).",
        )
    )
    return text, "GB18030"


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")


def unreadable(path: Path, exc: BaseException | str) -> InputError:
    """The InputError for a file that exists but cannot be read."""
    return InputError(
        tr(
            f"{path}：无法读取文件（{exc}）。请确认文件完整且格式受支持"
            "（GeoJSON、Shapefile、GeoPackage、CSV、Excel）。",
            f"{path}: cannot read the file ({exc}). Check that the file is complete and its "
            "format is supported (GeoJSON, Shapefile, GeoPackage, CSV, Excel).",
        )
    )


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise InputError(
            tr(f"{path}：文件不存在。请检查路径。", f"{path}: file not found. Check the path.")
        )


def _log_caught(path: Path, caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        get_logger().warning("%s: %s", path.name, w.message)


def read_vector(path: Path, encoding: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """Read a GeoJSON / Shapefile / GeoPackage with the right text encoding.

    Returns
    -------
    frame, encoding
        The GeoDataFrame as read, and the encoding used for its text.
    """
    _must_exist(path)
    source: Any = path
    used = encoding or "UTF-8"
    suffix = path.suffix.lower()
    gdal_encoding = encoding
    if suffix == ".shp" and encoding is None:
        used, how = shapefile_encoding(path)
        gdal_encoding = used
        get_logger().info("%s: dbf encoding %s (%s)", path.name, used, how)
    elif suffix in (".geojson", ".json"):
        data = path.read_bytes()
        try:
            text, used = (
                (data.decode(encoding), encoding)
                if encoding
                else decode_text(data, source=path.name)
            )
        except (UnicodeDecodeError, LookupError) as exc:
            raise unreadable(path, exc) from None
        if used != "UTF-8":
            source = BytesIO(text.encode("utf-8"))
        gdal_encoding = None
    elif suffix != ".shp":
        gdal_encoding = None  # GeoPackage and friends are UTF-8 by definition
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(source, encoding=gdal_encoding)
        except Exception as exc:  # pyogrio/GDAL errors of every kind
            raise unreadable(path, exc) from None
    _log_caught(path, caught)
    return frame, used


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV (encoding detected, delimiter sniffed) or Excel sheet (first sheet).

    CSV cells are read as text so that ids keep their leading zeros.

    Returns
    -------
    frame, encoding
        The table and the encoding used (``"xlsx"``/``"xls"`` for Excel).
    """
    _must_exist(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _read_xls(path), "xls"
    if suffix in (".xlsx", ".xlsm"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                frame = pd.read_excel(path, engine="openpyxl", dtype=object)
            except Exception as exc:  # corrupt workbook, wrong format …
                raise unreadable(path, exc) from None
        _log_caught(path, caught)
        return frame, suffix.lstrip(".")
    text, used = read_text(path, encoding)
    if not text.strip():
        return pd.DataFrame(), used
    header = text.lstrip().split("\n", 1)[0]
    sep = max(",\t;|", key=header.count) if any(c in header for c in ",\t;|") else ","
    try:
        frame = pd.read_csv(
            StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise unreadable(path, exc) from None
    return frame, used


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """A text file's contents, decoded as :func:`decode_text` does unless ``encoding`` is given.

    Returns
    -------
    text, encoding

    Raises
    ------
    InputError
        The file cannot be decoded with the given encoding.
    """
    data = path.read_bytes()
    try:
        return (
            (data.decode(encoding), encoding) if encoding else decode_text(data, source=path.name)
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise unreadable(path, exc) from None


def _read_xls(path: Path) -> pd.DataFrame:
    """First sheet of a legacy .xls workbook via xlrd (dates become datetimes)."""
    rows, _ = xls_grid(path)
    if not rows:
        return pd.DataFrame()
    header = [str(h) if h not in (None, "") else f"column{i + 1}" for i, h in enumerate(rows[0])]
    return pd.DataFrame(rows[1:], columns=header, dtype=object)


def xls_grid(path: Path) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """Every cell of a legacy .xls workbook's first sheet, and its merged ranges.

    Returns
    -------
    rows
        Cell values row by row (dates as datetimes, empty cells None).
    merged
        ``(first row, last row + 1, first column, last column + 1)`` of each
        merged range (0-based, xlrd's convention).
    """
    try:
        import xlrd
    except ImportError:
        raise InputError(
            tr(
                f"{path}：读取 .xls 需要安装 xlrd（pip install xlrd），"
                "或在 Excel 中另存为 .xlsx / .csv。",
                f"{path}: reading .xls needs xlrd (pip install xlrd), or save the "
                "sheet as .xlsx / .csv in Excel.",
            )
        ) from None
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=True)
        sheet = book.sheet_by_index(0)
        rows: list[list[Any]] = []
        for r in range(sheet.nrows):
            row: list[Any] = []
            for cell in sheet.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append(None)
                else:
                    row.append(cell.value)
            rows.append(row)
        merged = [(int(a), int(b), int(c), int(d)) for a, b, c, d in sheet.merged_cells]
        book.release_resources()
    except Exception as exc:  # xlrd raises XLRDError and friends
        raise unreadable(path, exc) from None
    return rows, merged
