"""Rebuild the fonts vendored in ``zoning/_assets/fonts`` from Debian's font packages.

The printable map needs every character of the CJK Unified Ideographs block
(U+4E00–U+9FFF) on a machine without any Chinese font:

* ``NotoSansSC-Regular-URO.otf`` — Noto Sans CJK SC Regular (``fonts-noto-cjk``
  1:20220127, noto-cjk 2.004, SIL OFL 1.1) subset to the block, ASCII and the
  symbols of GB 2312, without hinting or OpenType layout features (matplotlib
  does not shape CJK text). Family renamed "Noto Sans CJK SC URO" so it never
  shadows an installed Noto Sans CJK SC. noto-cjk 2.004 stops at U+9FEF.
* ``Unifont-CJK-Tail.otf`` — the 16 ideographs U+9FF0–U+9FFF (Unicode 13 and
  14) from GNU Unifont 15.0.01 (``fonts-unifont``, dual licensed SIL OFL 1.1 /
  GPL 2+ with the font embedding exception; used here under the OFL), family
  renamed "Unifont CJK Tail".

Run ``python data/fonts/make_fonts.py`` (needs ``apt-get install fonts-noto-cjk
fonts-unifont``), then update the table in ``zoning/_assets/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parents[2] / "zoning" / "_assets" / "fonts"
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_SC = 2  # face number of Noto Sans CJK SC in the collection
UNIFONT = Path("/usr/share/fonts/opentype/unifont/unifont.otf")

URO = range(0x4E00, 0xA000)
TAIL = range(0x9FF0, 0xA000)  # not in noto-cjk 2.004
#: Non-ideograph characters of GB 2312 (rows 1–9): punctuation, kana, Greek, Cyrillic,
#: box drawing, full-width forms …, plus ASCII.
GB2312_SYMBOLS = sorted(
    {
        ord(bytes([0xA1 + row, 0xA1 + col]).decode("gb2312", errors="ignore") or "\0")
        for row in range(9)
        for col in range(94)
    }
    - {0}
    | set(range(0x20, 0x7F))
)


def _rename(font: TTFont, family: str) -> None:
    """Set the family, full and PostScript names (the subset is a modified version)."""
    names = font["name"]
    postscript = family.replace(" ", "") + "-Regular"
    for record in list(names.names):
        if record.nameID in (16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, text in ((1, family), (2, "Regular"), (3, postscript), (4, family)):
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    names.setName(postscript, 6, 3, 1, 0x409)
    names.setName(postscript, 6, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName = family
        top.FamilyName = family


def _subset(source: Path, number: int, unicodes: list[int], family: str, out: Path) -> None:
    options = subset.Options()
    options.font_number = number
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 14]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "GSUB", "GPOS", "GDEF"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    _rename(font, family)
    subset.save_font(font, str(out), options)
    covered = set(font.getBestCmap())
    print(f"{out.name}: {len(covered):,} characters, {out.stat().st_size:,} bytes")


def main() -> None:
    noto_chars = sorted(set(URO) | set(GB2312_SYMBOLS))
    _subset(NOTO, NOTO_SC, noto_chars, "Noto Sans CJK SC URO", OUT / "NotoSansSC-Regular-URO.otf")
    _subset(UNIFONT, 0, list(TAIL), "Unifont CJK Tail", OUT / "Unifont-CJK-Tail.otf")


if __name__ == "__main__":
    main()
