"""Write the made-up tables that go with the real 门头沟 township polygons.

Run from the repository root: ``python tests/data/beijing/make_tables.py``.
Deterministic (fixed seed, fixed workbook timestamps). The polygons are real
(see mentougou/SOURCE.txt); everything written here is fictional:

- ``mentougou/stations_table.csv``: a grouping of the 13 townships into 9
  fictional 派出所, with made-up 警力, the 城关 flag, and seats at the label
  point of each station's first township;
- ``mentougou/loads.xlsx``: a synthetic 警情统计表 (title row, two header rows
  with merged cells, a 合计 row, a note row), counts drawn from Poisson
  distributions whose means are proportional to the village/community counts
  (NBS 2023) of each station's townships — a workload proxy, not incident data;
- ``mentougou/seats.csv``: the 13 township label points as station seats,
  for the Voronoi estimate.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
MENTOUGOU = HERE / "mentougou"

#: id, name, townships (as a bureau might write them), officers, urban core.
STATIONS = [
    ("110109A01", "大峪派出所", "大峪街道", 45, "是"),
    ("110109A02", "城子派出所", "城子街道、东辛房街道", 30, ""),
    ("110109A03", "龙泉派出所", "龙泉地区", 40, ""),
    ("110109A04", "永定派出所", "永定", 35, ""),
    ("110109A05", "潭柘寺派出所", "潭柘寺镇", 18, ""),
    ("110109A06", "军庄派出所", "军庄镇；妙峰山镇", 20, ""),
    ("110109A07", "王平派出所", "王平地区、大台街道办事处", 16, ""),
    ("110109A08", "雁翅派出所", "雁翅镇", 14, ""),
    ("110109A09", "斋堂派出所", "斋堂镇\u3000清水镇", 22, ""),  # an ideographic space
]
CATEGORIES = ("刑事", "治安", "交通", "纠纷", "求助", "其他")
SHARES = np.array([0.08, 0.22, 0.15, 0.20, 0.25, 0.10])
PER_VILLAGE = 40.0
SEED = 2024


def _fixed_zip(data: bytes, path: Path) -> None:
    """Rewrite a workbook's zip with fixed entry times, so the file is byte for byte the same."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", body
                )
            dst.writestr(info, body)


def _townships() -> list[dict]:
    data = json.loads((MENTOUGOU / "townships.geojson").read_text(encoding="utf-8"))
    return [f["properties"] for f in data["features"]]


def main(out: Path = MENTOUGOU) -> None:
    """Write the three tables into ``out`` (default: beside the polygons)."""
    out.mkdir(parents=True, exist_ok=True)
    towns = {t["name"]: t for t in _townships()}
    stations = [list(s) for s in STATIONS]
    first_town = {
        "大峪派出所": "大峪街道",
        "城子派出所": "城子街道",
        "龙泉派出所": "龙泉镇",
        "永定派出所": "永定镇",
        "潭柘寺派出所": "潭柘寺镇",
        "军庄派出所": "军庄镇",
        "王平派出所": "王平镇",
        "雁翅派出所": "雁翅镇",
        "斋堂派出所": "斋堂镇",
    }
    members = {
        "大峪派出所": ["大峪街道"],
        "城子派出所": ["城子街道", "东辛房街道"],
        "龙泉派出所": ["龙泉镇"],
        "永定派出所": ["永定镇"],
        "潭柘寺派出所": ["潭柘寺镇"],
        "军庄派出所": ["军庄镇", "妙峰山镇"],
        "王平派出所": ["王平镇", "大台街道"],
        "雁翅派出所": ["雁翅镇"],
        "斋堂派出所": ["斋堂镇", "清水镇"],
    }
    with (out / "stations_table.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["门头沟区派出所与乡镇（街道）对照表（示意：分组与警力均为虚构）"])
        writer.writerow(
            ["所代码", "派出所", "管辖乡镇（街道）", "警力", "城关", "驻地经度", "驻地纬度"]
        )
        for sid, name, text, officers, core in stations:
            seat = towns[first_town[name]]
            writer.writerow([sid, name, text, officers, core, seat["label_lon"], seat["label_lat"]])

    rng = np.random.default_rng(SEED)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "警情统计"
    sheet.append(["门头沟区各派出所警情统计表（合成数据，仅作示意）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    sheet.append(["序号", "派出所", "警情类别（起）", None, None, None, None, None, "合计"])
    sheet.append([None, None, *CATEGORIES, None])
    sheet.merge_cells("C2:H2")
    for col in ("A", "B", "I"):
        sheet.merge_cells(f"{col}2:{col}3")
    totals = np.zeros(len(CATEGORIES), dtype=int)
    for i, (_, name, *_rest) in enumerate(stations, start=1):
        villages = sum(int(towns[t]["n_villages_nbs2023"]) for t in members[name])
        counts = rng.poisson(PER_VILLAGE * villages * SHARES)
        totals += counts
        short = name.replace("派出所", "所") if i % 2 else name
        sheet.append([i, short, *counts.tolist(), int(counts.sum())])
    sheet.append([None, "合计", *totals.tolist(), int(totals.sum())])
    sheet.append(["注：合成数据，按各所村（居）委会数的比例随机生成（种子 2024），不是真实警情。"])
    for cell in sheet[1]:
        cell.font = Font(bold=True, size=14)
        cell.alignment = Alignment(horizontal="center")
    book.properties.created = dt.datetime(2025, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    _fixed_zip(buffer.getvalue(), out / "loads.xlsx")

    with (out / "seats.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["派出所", "驻地经度", "驻地纬度", "驻地地址"])
        for name, town in towns.items():
            station = name.removesuffix("街道").removesuffix("镇") + "派出所"
            writer.writerow([station, town["label_lon"], town["label_lat"], f"门头沟区{name}"])


if __name__ == "__main__":
    main()
