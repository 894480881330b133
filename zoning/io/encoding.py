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
    A UTF-8 BOM followed by a GBK body (saved by a tool that prepends a BOM to
    any text) is decoded as GB18030 after the BOM, with a warning.

:func:`read_vector` and :func:`read_table` read files with these rules; reader
(GDAL, openpyxl) warnings are sent to the log instead of the user. Both refuse
a file larger than :data:`zoning.settings.max_input_mb` before reading it, read
a ``.zip`` holding one table (or one vector dataset), and :func:`read_vector`
picks a layer of a multi-layer file only when told which or when the caller's
``choose`` rule finds exactly one (see :func:`vector_layers`).
"""

from __future__ import annotations

import codecs
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning import settings
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
        The decoded text and ``"UTF-8"``, ``"UTF-8-BOM"``, ``"GB18030"`` or
        ``"BOM+GB18030"`` (a BOM followed by a GBK body).
    """
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return text, "UTF-8-BOM" if bom else "UTF-8"
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
        _warn(
            tr(
                f"{source}：文本既不是 UTF-8 也不是 GB18030，按 Latin-1 读取，中文可能乱码。"
                "请另存为 UTF-8 或指定 encoding。",
                f"{source}: the text is neither UTF-8 nor GB18030; read as Latin-1, Chinese "
                "text may be garbled. Save it as UTF-8 or pass encoding.",
            )
        )
        return text, "ISO-8859-1"
    if bom:
        _warn(
            tr(
                f"{source}：文件以 UTF-8 标记（BOM）开头，但正文是 GBK 编码，已按 GB18030 读取。"
                "请核对中文，最好另存为 UTF-8。",
                f"{source}: the file starts with a UTF-8 byte-order mark but its body is GBK; "
                "read as GB18030. Check the Chinese text; better save it as UTF-8.",
            )
        )
        return text, "BOM+GB18030"
    _warn(
        tr(
            f"{source}：不是 UTF-8 编码，已按 GB18030（GBK）读取。",
            f"{source}: not UTF-8; read as GB18030 (GBK).",
        )
    )
    return text, "GB18030"


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
VECTOR_SUFFIXES = (".geojson", ".json", ".shp", ".gpkg", ".gml", ".kml", ".fgb")
#: Files next to a ``.shp`` that belong to it (counted in its size).
_SHAPEFILE_PARTS = (".dbf", ".shx", ".prj", ".cpg")


def unreadable(path: Path, exc: BaseException | str) -> InputError:
    """The InputError for a file that exists but cannot be read."""
    detail = str(exc).strip() or type(exc).__name__
    return InputError(
        tr(
            f"{path}：无法读取文件（{detail}）。请确认文件完整且格式受支持"
            "（GeoJSON、Shapefile、GeoPackage、CSV、Excel）。",
            f"{path}: cannot read the file ({detail}). Check that the file is complete and its "
            "format is supported (GeoJSON, Shapefile, GeoPackage, CSV, Excel).",
        )
    )


def human_size(n_bytes: float) -> str:
    """``1536`` → ``"1.5 KB"``; ``2**30`` → ``"1.0 GB"`` (binary units)."""
    size = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover - the loop always returns


def input_size(path: Path) -> int:
    """Bytes a reader will load: a shapefile with its parts, a zip uncompressed."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                return sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise unreadable(path, exc) from None
    total = path.stat().st_size
    if path.suffix.lower() == ".shp":
        total += sum(p.stat().st_size for s in _SHAPEFILE_PARTS if (p := _sibling(path, s)))
    return total


def check_input(path: Path) -> None:
    """Refuse a missing path, a folder, or a file too large to read safely.

    The limit is :data:`zoning.settings.max_input_mb`; the check runs before
    anything is read, so a huge file fails at once with its size instead of
    exhausting memory.
    """
    if not path.exists():
        raise InputError(
            tr(f"{path}：文件不存在。请检查路径。", f"{path}: file not found. Check the path.")
        )
    if path.is_dir():
        raise InputError(
            tr(
                f"{path}：这是一个文件夹，不是文件。请指定其中的数据文件。",
                f"{path}: this is a folder, not a file. Name the data file inside it.",
            )
        )
    size = input_size(path)
    limit = settings.max_input_mb * 1024 * 1024
    if size > limit:
        raise InputError(
            tr(
                f"{path}：文件大小 {human_size(size)}，超过读取上限 "
                f"{human_size(limit)}（zoning.settings.max_input_mb）。"
                "请只导出本县、所需时段的数据，或拆分文件。",
                f"{path}: the file is {human_size(size)}, above the reading limit of "
                f"{human_size(limit)} (zoning.settings.max_input_mb). Export only this county "
                "and the period you need, or split the file.",
            )
        )


def zip_member(path: Path) -> str:
    """The one data file inside a ``.zip`` (a table, or a vector dataset).

    Raises
    ------
    InputError
        The archive is unreadable, empty, or holds several candidate files.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and not PurePosixPath(info.filename).name.startswith(".")
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise unreadable(path, exc) from None
    data = [n for n in names if PurePosixPath(n).suffix.lower() in TABLE_SUFFIXES + VECTOR_SUFFIXES]
    if len(data) == 1:
        return data[0]
    shown = "、".join(data or names) or tr("（空）", "(empty)")
    raise InputError(
        tr(
            f"{path}：压缩包中应正好有一个数据文件（CSV、Excel、GeoJSON、Shapefile、"
            f"GeoPackage），实际有：{shown}。请解压后指定要读取的文件。",
            f"{path}: the archive should hold exactly one data file (CSV, Excel, GeoJSON, "
            f"Shapefile, GeoPackage); it holds: {shown}. Unzip it and name the file to read.",
        )
    )


def is_table(path: Path) -> bool:
    """True for CSV/Excel files, and for a ``.zip`` holding one."""
    suffix = path.suffix.lower()
    if suffix == ".zip" and path.is_file():
        suffix = PurePosixPath(zip_member(path)).suffix.lower()
    return suffix in TABLE_SUFFIXES


def _log_caught(path: Path, caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        get_logger().warning("%s: %s", path.name, w.message)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of a vector file: name, geometry type (e.g. ``"MultiPolygon"``), features."""

    name: str
    geometry_type: str
    features: int

    def describe(self) -> str:
        """``"辖区（MultiPolygon，21 个要素）"`` / ``"stations (MultiPolygon, 21 features)"``."""
        return tr(
            f"“{self.name}”（{self.geometry_type}，{self.features} 个要素）",
            f"'{self.name}' ({self.geometry_type}, {self.features} features)",
        )


#: Picks the layer to read among several, or returns None when it cannot tell.
LayerChooser = Callable[[list[LayerInfo]], str | None]


def vector_layers(path: Path | str) -> list[LayerInfo]:
    """The layers of a vector file with their geometry types and feature counts."""
    out = []
    for name, geometry_type in pyogrio.list_layers(path):
        try:
            features = int(pyogrio.read_info(path, layer=name).get("features", -1))
        except Exception:  # a layer GDAL cannot describe: count unknown
            features = -1
        out.append(LayerInfo(str(name), str(geometry_type or "None"), features))
    return out


def _pick_layer(
    path: Path, source: Any, layer: str | None, choose: LayerChooser | None
) -> str | None:
    """The layer to read (None: the file's only/first one); see :func:`read_vector`."""
    if isinstance(source, BytesIO):
        return None
    try:
        layers = vector_layers(source)
    except Exception as exc:  # not a dataset GDAL can open
        raise unreadable(path, exc) from None
    listed = "、".join(info.describe() for info in layers)
    if layer is not None:
        if layer not in [info.name for info in layers]:
            raise InputError(
                tr(
                    f"{path}：没有名为“{layer}”的图层。文件中的图层：{listed}。",
                    f"{path}: there is no layer '{layer}'. Layers in the file: {listed}.",
                )
            )
        return layer
    if len(layers) <= 1:
        return None
    if choose is None:
        get_logger().info("%s: %d layers, reading the first", path.name, len(layers))
        return None
    chosen = choose(layers)
    if chosen is None:
        raise InputError(
            tr(
                f"{path}：文件有 {len(layers)} 个图层：{listed}，无法确定读取哪一个。"
                "请用 --layer（或场景文件 [input].layer）指定。",
                f"{path}: the file has {len(layers)} layers: {listed}; cannot tell which one "
                "to read. Pass --layer (or [input].layer in the scenario file).",
            )
        )
    _warn(
        tr(
            f"{path.name}：文件有 {len(layers)} 个图层（{listed}），已读取“{chosen}”。"
            "如不对，请用 --layer 指定。",
            f"{path.name}: the file has {len(layers)} layers ({listed}); read '{chosen}'. "
            "If that is wrong, pass --layer.",
        )
    )
    return chosen


def read_vector(
    path: Path,
    encoding: str | None = None,
    *,
    layer: str | None = None,
    choose: LayerChooser | None = None,
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a GeoJSON / Shapefile / GeoPackage with the right text encoding.

    Parameters
    ----------
    path
        The file; a ``.zip`` holding one vector dataset is unpacked first.
    encoding
        Text encoding of the attributes; detected when omitted.
    layer
        Layer to read from a multi-layer file (GeoPackage …).
    choose
        How to pick a layer when the file has several and ``layer`` is not
        given: returns a layer name, or None to refuse (the error lists the
        layers). Without it the first layer is read.

    Returns
    -------
    frame, encoding
        The frame as read (a plain DataFrame when the source has no geometry),
        and the encoding used for its text.
    """
    check_input(path)
    if path.suffix.lower() == ".zip":
        member = zip_member(path)
        with tempfile.TemporaryDirectory(prefix="zoning-") as folder:
            try:
                with zipfile.ZipFile(path) as archive:
                    archive.extractall(folder)
            except (zipfile.BadZipFile, OSError) as exc:
                raise unreadable(path, exc) from None
            inner = Path(folder) / member
            try:
                return read_vector(inner, encoding, layer=layer, choose=choose)
            except InputError as exc:  # name the archive, not the temporary folder
                raise InputError(
                    [p.replace(str(inner), f"{path}:{member}") for p in exc.problems]
                ) from None
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
    chosen = _pick_layer(path, source, layer, choose)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pyogrio.read_dataframe(source, encoding=gdal_encoding, layer=chosen)
        except MemoryError:
            raise _too_big(path) from None
        except Exception as exc:  # pyogrio/GDAL errors of every kind
            raise unreadable(path, exc) from None
    _log_caught(path, caught)
    return frame, used


def _too_big(path: Path) -> InputError:
    return InputError(
        tr(
            f"{path}：内存不足，无法读入这个文件（{human_size(input_size(path))}）。"
            "请只导出所需时段/区域的数据，或拆分文件。",
            f"{path}: not enough memory to read this file ({human_size(input_size(path))}). "
            "Export only the period/area you need, or split the file.",
        )
    )


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a CSV (encoding detected, delimiter sniffed) or Excel sheet (first sheet).

    CSV cells are read as text so that ids keep their leading zeros. A ``.zip``
    holding one CSV or Excel file is read without unpacking it to disk.

    Returns
    -------
    frame, encoding
        The table and the encoding used (``"xlsx"``/``"xls"`` for Excel).
    """
    data, name = file_bytes(path)
    try:
        return _table_from_bytes(data, name, path, encoding)
    except MemoryError:
        raise _too_big(path) from None


def _table_from_bytes(
    data: bytes, name: PurePosixPath, path: Path, encoding: str | None
) -> tuple[pd.DataFrame, str]:
    """Parse the bytes of a table file called ``name`` (``path`` is named in messages)."""
    suffix = name.suffix.lower()
    if suffix == ".xls":
        return _read_xls(path, data), "xls"
    if suffix in (".xlsx", ".xlsm"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                frame = pd.read_excel(BytesIO(data), engine="openpyxl", dtype=object)
            except Exception as exc:  # corrupt workbook, wrong format …
                raise unreadable(path, exc) from None
        _log_caught(path, caught)
        return frame, suffix.lstrip(".")
    try:
        text, used = (
            (data.decode(encoding), encoding) if encoding else decode_text(data, source=name.name)
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise unreadable(path, exc) from None
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

    The file is checked first (:func:`check_input`: exists, not too large); a
    ``.zip`` holding one text file is read from the archive.

    Returns
    -------
    text, encoding

    Raises
    ------
    InputError
        Missing, too large, or not decodable with the given encoding.
    """
    data, name = file_bytes(path)
    try:
        return (
            (data.decode(encoding), encoding) if encoding else decode_text(data, source=name.name)
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise unreadable(path, exc) from None


def file_bytes(path: Path) -> tuple[bytes, PurePosixPath]:
    """The bytes of a checked input file (or of the one data file of a ``.zip``) and its name."""
    check_input(path)
    if path.suffix.lower() != ".zip":
        return path.read_bytes(), PurePosixPath(path.name)
    name = zip_member(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.read(name), PurePosixPath(name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise unreadable(path, exc) from None


def _read_xls(path: Path, data: bytes) -> pd.DataFrame:
    """First sheet of a legacy .xls workbook via xlrd (dates become datetimes)."""
    rows, _ = xls_grid(path, data)
    if not rows:
        return pd.DataFrame()
    header = [str(h) if h not in (None, "") else f"column{i + 1}" for i, h in enumerate(rows[0])]
    return pd.DataFrame(rows[1:], columns=header, dtype=object)


def xls_grid(
    path: Path, data: bytes | None = None
) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    """Every cell of a legacy .xls workbook's first sheet, and its merged ranges.

    ``data`` are the workbook's bytes when already read (from a ``.zip``);
    otherwise the file is checked (:func:`check_input`) and read.

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
    if data is None:
        data, _ = file_bytes(path)
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=True)
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
