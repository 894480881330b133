"""report.docx read back with python-docx: written from report.json, every number traced."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.conftest import LAT0, LON0, STEP, grid_stations, page_data
from zoning._i18n import set_language
from zoning.cli import cli
from zoning.outputs.document import document_from_report

TITLE = "测试县 <b>{{ title }}</b> & =1+1"


def grid_incidents(path: Path, n: int = 900, seed: int = 3) -> Path:
    """Random incidents with times and categories inside the 3×3 grid."""
    rng = np.random.default_rng(seed)
    cats = ["刑事", "治安", "交通", "纠纷", "求助", "其他"]
    start = pd.Timestamp("2025-01-01")
    frame = pd.DataFrame(
        {
            "警情编号": [f"J{i:05d}" for i in range(n)],
            "报警时间": [
                (start + pd.Timedelta(minutes=int(m))).strftime("%Y-%m-%d %H:%M:%S")
                for m in rng.integers(0, 60 * 24 * 90, n)
            ],
            "警情类别": rng.choice(cats, n, p=[0.05, 0.25, 0.2, 0.25, 0.15, 0.1]),
            "经度": LON0 + rng.random(n) ** 0.7 * 3 * STEP,
            "纬度": LAT0 + rng.random(n) * 3 * STEP,
        }
    )
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("doc")
    stations = base / "grid.geojson"
    grid_stations().to_file(stations, driver="GeoJSON")
    grid_incidents(base / "incidents.csv")
    (base / "today.csv").write_text(
        "所代码,防区\n"
        + "".join(f"r{r}c{c},{1 + (r * 3 + c) % 3}\n" for r in range(3) for c in range(3)),
        encoding="utf-8",
    )
    out = base / "out"
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(stations),
            "--incidents",
            str(base / "incidents.csv"),
            "--zones",
            "3",
            "--baseline",
            str(base / "today.csv"),
            "--title",
            TITLE,
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    set_language("zh")
    return out


def text_of(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(v)]
    return [value]


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def allowed_numbers(report: dict[str, Any]) -> set[str]:
    """Every way the document may print a number of the report (and digits in its text)."""
    out: set[str] = set()
    for v in leaves(report):
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float):
            for x in (v, abs(v)):
                out |= {f"{x:,.0f}", f"{x:.0f}", f"{x:,.1f}", f"{x:.1%}", f"{x:g}"}
        elif isinstance(v, str):
            out |= set(_NUMBER.findall(v))
    return out


def test_the_files_and_the_title(planned: Path) -> None:
    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    assert report["files"]["docx"] == "report.docx"
    d = docx.Document(str(planned / "report.docx"))
    assert d.paragraphs[0].text == TITLE  # user text verbatim, never interpreted
    assert d.core_properties.title == TITLE
    section = d.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert len(d.inline_shapes) == 1  # the print map
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 1")]
    for needle in (
        "背景与原则",
        "方案总表",
        "各防区情况",
        "方案前后对比",
        "警力调配测算",
        "警情时段与派出所类型",
        "方案示意图",
        "数据来源与警情台账",
    ):
        assert any(needle in h for h in headings), needle
    # the trade-off ladder (frontier) of the travel objective gets its own section
    assert any("备选方案" in h for h in headings) == bool(report["frontier"])


def test_every_number_comes_from_the_report(planned: Path) -> None:
    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    text = text_of(planned / "report.docx")
    allowed = allowed_numbers(report)
    stray = sorted({n for n in _NUMBER.findall(text) if n not in allowed})
    assert stray == []
    # and the key figures are there
    ba = report["before_after"]
    assert f"{ba['after']['mean_minutes']:,.1f}" in text
    assert f"{ba['before']['spread']:.1%}" in text
    st = report["staffing"]
    assert st["status"] in ("optimal", "balanced", "infeasible")
    for t in st["transfers"]:
        assert t["from_name"] in text and t["to_name"] in text
    for z in report["zones"]:
        assert z["zone_name"] in text and z["center_reason"] in text


def test_the_document_follows_the_report(planned: Path, tmp_path: Path) -> None:
    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    changed = copy.deepcopy(report)
    changed["before_after"]["after"]["mean_minutes"] = 12.345
    changed["staffing"] = {
        "status": "infeasible",
        "band": 0.1,
        "minimum": 3,
        "zones_counted": [2, 3],
        "total_officers": 17,
        "average": 40.0,
        "lower": 36.0,
        "upper": 44.0,
        "binding": [{"constraint": "total_officers", "message": "警力总数不足：测试"}],
        "transfers": [],
        "zones": [],
        "solver": {},
    }
    changed["frontier"] = [
        {
            "band": 0.05,
            "spread": 0.04,
            "mean_minutes": 17.25,
            "max_minutes": 46.0,
            "share_within_15": 0.61,
            "share_within_30": 0.93,
            "cut_edges": 24,
        },
    ]
    out = document_from_report(changed, tmp_path / "x.docx")
    text = text_of(out)
    assert "12.3" in text and "无法实现" in text and "警力总数不足：测试" in text
    assert ("备选方案" in text and "17.2" in text) or "17.3" in text
    assert allowed_numbers(changed) >= set(_NUMBER.findall(text))
    # absent parts are said to be absent, not invented
    bare = {k: v for k, v in report.items() if k not in ("before_after", "staffing", "profiles")}
    text = text_of(document_from_report(bare, tmp_path / "bare.docx"))
    assert "报告中没有前后对比数据" in text and "报告中没有警力调配数据" in text


def test_english(planned: Path, tmp_path: Path) -> None:
    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    set_language("en")
    try:
        text = text_of(document_from_report(report, tmp_path / "en.docx"))
    finally:
        set_language("zh")
    assert "Background and principles" in text and "Staffing what-if" in text
    assert "背景与原则" not in text
    # lists of stations separated as English writes them
    stations = report["zones"][1]["stations"]
    assert "、" in stations and stations.replace("、", ", ") in text and stations not in text
    # the station types' features: periods of the day in English (categories are data)
    features = [f["feature"] for t in report["profiles"]["types"]["types"] for f in t["dominant"]]
    assert {"上午", "下午"} & set(features)  # the report keys them in Chinese
    for zh, en in (
        ("凌晨", "night"),
        ("上午", "morning"),
        ("下午", "afternoon"),
        ("晚间", "evening"),
    ):
        assert zh not in text
        assert (f"{en} " in text) == (zh in features), en


@pytest.mark.parametrize(
    ("moved", "sentence"),
    [(["s1"], "1 station changes zone: "), (["s1", "s2"], "2 stations change zone: ")],
)
def test_the_english_before_after_sentence_agrees_in_number(
    planned: Path, tmp_path: Path, moved: list[str], sentence: str
) -> None:
    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    report["before_after"]["stations_moved"] = len(moved)
    report["before_after"]["moved"] = moved
    set_language("en")
    try:
        text = text_of(document_from_report(report, tmp_path / "en.docx"))
    finally:
        set_language("zh")
    assert f"Compared with today, {sentence}" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_it_as_a4(planned: Path, tmp_path: Path) -> None:
    """Open the document as a person would: LibreOffice converts it to PDF."""
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(planned / "report.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.stat().st_size > 10_000
    head = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", head))
    assert 3 <= pages <= 20
    assert b"/MediaBox [0 0 595" in head or b"/MediaBox[0 0 595" in head


def test_excel_map_and_print_carry_the_decision(planned: Path) -> None:
    import openpyxl

    report = json.loads((planned / "report.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(planned / "zones.xlsx")
    for sheet in ("前后对比", "警力调配", "警情时段", "派出所类型"):
        assert sheet in wb.sheetnames, sheet
    rows = list(wb["前后对比"].iter_rows(values_only=True))
    mean = next(r for r in rows if r[0] == "到中心所平均通行（分钟，全县）")
    assert mean[1:] == pytest.approx(
        (
            report["before_after"]["before"]["mean_minutes"],
            report["before_after"]["after"]["mean_minutes"],
        )
    )
    staffing = [r for r in wb["警力调配"].iter_rows(values_only=True) if any(r)]
    for t in report["staffing"]["transfers"]:
        assert (
            t["from_name"],
            t["from_zone_name"],
            t["to_name"],
            t["to_zone_name"],
            t["officers"],
        ) in [tuple(r[:5]) for r in staffing]
    page = (planned / "map.html").read_text(encoding="utf-8")
    (data,) = page_data(page)  # the panel, in the page's JSON data block
    assert "方案前后对比" in data["panels"]["before_after"]
    assert "zp-chart" in page and json.dumps("派出所类型")[1:-1] in page
    assert "<b>{{ title }}</b>" not in page  # the title is escaped on the map too
    plan = json.loads((planned / "plan.geojson").read_text(encoding="utf-8"))
    types = {f["properties"].get("station_type") for f in plan["features"]}
    assert types <= set(report["profiles"]["types"]["stations"].values())
