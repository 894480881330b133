"""Open the demo's report.docx as a reader would: LibreOffice → PDF → page images.

Plans the demo county (or uses an existing output folder), converts
``report.docx`` to PDF with LibreOffice (``soffice --headless``), renders every
page with ``pdftoppm`` (poppler-utils) and prints the page count, page size and
file sizes. With ``--docs`` it also writes ``docs/report-docx.png`` (pages 4 and 5
side by side), the image in the README.

Needs Debian's ``libreoffice-writer`` and ``poppler-utils``; not part of CI.

Usage::

    python benchmarks/document.py [--out DIR] [--docs]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="an existing zoning output folder")
    parser.add_argument("--docs", action="store_true", help="write docs/report-docx.png")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install libreoffice-writer poppler-utils")
            return 1
    work = Path(tempfile.mkdtemp(prefix="zoning-docx-"))
    out = args.out
    if out is None:
        out = work / "demo"
        subprocess.run(
            [sys.executable, "-m", "zoning", "demo", "--out", str(out), "--quiet"],
            check=True,
            cwd=ROOT,
        )
    docx = out / "report.docx"
    started = time.perf_counter()
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(docx)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    pdf = work / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]
    size = re.search(r"Page size:\s+(.*)", info)[1]  # type: ignore[index]
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(work / "page")], check=True)
    kb = docx.stat().st_size / 1024, pdf.stat().st_size / 1024
    print(f"report.docx: {kb[0]:.0f} KB; PDF {kb[1]:.0f} KB")
    print(f"pages: {pages}, page size: {size}; LibreOffice conversion {seconds:.1f} s")
    print(f"page images: {work}/page-*.png")
    if args.docs:
        from PIL import Image, ImageOps

        a, b = (
            ImageOps.expand(Image.open(p), border=1, fill="#999999")
            for p in sorted(work.glob("page-*.png"))[3:5]
        )
        sheet = Image.new("RGB", (a.width + b.width + 24, max(a.height, b.height) + 16), "#e8e8e8")
        sheet.paste(a, (8, 8))
        sheet.paste(b, (a.width + 16, 8))
        target = ROOT / "docs" / "report-docx.png"
        sheet.save(target, optimize=True)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
