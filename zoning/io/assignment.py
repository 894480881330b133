"""Read a plan table: station → zone (CSV, Excel, GeoJSON, GeoPackage).

A hand-drawn plan, today's arrangement (``--baseline``) or a ``plan.geojson``
written by ``zoning plan`` / ``zoning evaluate``: :func:`read_assignment`
recognises the station and zone columns and returns an :class:`Assignment`.
Scoring such a plan is :mod:`zoning.workflow.evaluate`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr
from zoning.errors import InputError
from zoning.io.columns import STATION_ALIASES, as_text, format_rows, resolve_columns
from zoning.io.encoding import read_table, read_vector
from zoning.io.stations import find_station

__all__ = ["ZONE_ALIASES", "ZONE_NAME_ALIASES", "Assignment", "read_assignment", "zone_number"]

#: Zone-number column aliases of an assignment table (earlier aliases win).
ZONE_ALIASES = ("防区号", "防区编号", "zone", "zone_id", "防区", "所属防区", "片区", "分区")
#: Zone-name column aliases (a second, textual zone column).
ZONE_NAME_ALIASES = ("防区名称", "防区名", "zone_name", "防区", "所属防区")
_VECTOR = {".geojson", ".json", ".gpkg", ".shp"}
_CN = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}
_ZONE_TEXT = re.compile(
    r"(?:第|zone|z)?\s*([0-9]+|[零一二三四五六七八九十]+)\s*(?:号)?\s*(?:防区|片区|区|片)?"
)


@dataclass
class Assignment:
    """A plan as read from a file: station id → zone number."""

    zones: dict[str, int]
    labels: dict[int, str] = field(default_factory=dict)  # zone → name given in the file
    unknown: list[str] = field(default_factory=list)  # keys matching no station
    source: str = ""


def zone_number(value: Any) -> int | None:
    """``3``, ``"3"``, ``"3.0"``, ``"第3防区"``, ``"三"``, ``"Zone 3"`` → 3; else None."""
    text = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if re.fullmatch(r"[0-9]+(\.0*)?", text):
        return int(float(text))
    match = _ZONE_TEXT.fullmatch(text)
    if not match:
        return None
    digits = match[1]
    if digits.isdigit():
        return int(digits)
    tens, _, ones = digits.partition("十")
    if "十" not in digits:
        return _CN[digits] if len(digits) == 1 else None
    return (_CN.get(tens, 1) if tens else 1) * 10 + (_CN.get(ones, 0) if ones else 0)


def read_assignment(
    path: str | Path,
    stations: gpd.GeoDataFrame,
    *,
    station_column: str | None = None,
    zone_column: str | None = None,
) -> Assignment:
    """Read a plan table: station id or name → zone (CSV, Excel, GeoJSON, GeoPackage).

    Parameters
    ----------
    path
        The plan. Columns are recognised by name: station ``所代码``/``station_id``
        /``派出所``/``station_name`` …, zone ``防区``/``防区号``/``zone`` …; zones
        may be numbers (``3``, ``第三防区``) or names (numbered in order of
        appearance, the name kept). A plan.geojson written by ``zoning plan`` works.
    stations
        Canonical stations (:func:`zoning.io.stations.stations_from_file`).
    station_column, zone_column
        Columns to use instead of the recognised ones.

    Returns
    -------
    Assignment
        Rows whose station is unknown are listed in ``unknown``, not raised.

    Raises
    ------
    InputError
        Unreadable file, no station or zone column, a station given two
        different zones, or no row naming a known station.
    """
    path = Path(path)
    if path.suffix.lower() in _VECTOR:
        raw: pd.DataFrame = pd.DataFrame(read_vector(path)[0])
        raw = raw.drop(columns=[c for c in raw.columns if c == "geometry"])
    else:
        raw = read_table(path)[0]
    raw = raw.dropna(how="all").reset_index(drop=True)
    available = [str(c) for c in raw.columns]
    aliases = {
        S.STATION_ID: STATION_ALIASES[S.STATION_ID],
        S.STATION_NAME: STATION_ALIASES[S.STATION_NAME],
        S.ZONE: ZONE_ALIASES,
        S.ZONE_NAME: ZONE_NAME_ALIASES,
    }
    explicit = {S.ZONE: zone_column} if zone_column else {}
    if station_column:
        explicit[S.STATION_ID] = station_column
    found, missing = resolve_columns(available, aliases, explicit)
    shown = "、".join(available) or tr("（无）", "(none)")
    problems = [
        tr(
            f"{path}：找不到列“{col}”；现有的列：{shown}",
            f"{path}: column '{col}' does not exist; columns: {shown}",
        )
        for _, col in missing
    ]
    if S.ZONE not in found and not zone_column:
        problems.append(
            tr(
                f"{path}：找不到防区列（如 防区、防区号、zone）；现有的列：{shown}。"
                "请用 --zone-column 指定",
                f"{path}: no zone column (防区, zone …); columns: {shown}. Pass --zone-column",
            )
        )
    keys = [found[c] for c in (S.STATION_ID, S.STATION_NAME) if c in found]
    if not keys and not station_column:
        problems.append(
            tr(
                f"{path}：找不到派出所编号或名称列（如 所代码、派出所、station_id）；"
                f"现有的列：{shown}。请用 --station-column 指定",
                f"{path}: no station id or name column (所代码, 派出所, station_id …); "
                f"columns: {shown}. Pass --station-column",
            )
        )
    if problems or raw.empty:
        raise InputError(problems or tr(f"{path}：文件中没有数据", f"{path}: the file is empty"))
    zone_text = as_text(raw[found[S.ZONE]])
    numbers = [zone_number(v) for v in zone_text.dropna()]
    numeric = all(n is not None and n >= 1 for n in numbers)
    names = as_text(raw[found[S.ZONE_NAME]]) if S.ZONE_NAME in found else None
    key_columns = [as_text(raw[k]) for k in keys]
    labels: dict[int, str] = {}
    by_label: dict[str, int] = {}
    zones: dict[str, int] = {}
    unknown: list[str] = []
    for row in range(len(raw)):
        label = zone_text.iloc[row]
        key_values = [v for c in key_columns if isinstance(v := c.iloc[row], str)]
        if not isinstance(label, str) or not key_values:
            continue  # no zone (the station counts as missing) or no station
        if numeric:
            zone = int(zone_number(label) or 0)
            if names is not None and isinstance(names.iloc[row], str):
                labels.setdefault(zone, str(names.iloc[row]))
        else:  # zones given by name: number them in order of appearance
            zone = by_label.setdefault(label, len(by_label) + 1)
            if zone_number(label) is None:
                labels.setdefault(zone, label)
        sid = next((s for k in key_values if (s := find_station(stations, k)) is not None), None)
        if sid is None:
            unknown.append(key_values[0])
        elif zones.setdefault(sid, zone) != zone:
            raise InputError(
                tr(
                    f"{path}：派出所 {sid}（{stations.at[sid, S.STATION_NAME]}）"
                    f"同时分在第 {zones[sid]} 和第 {zone} 防区；每个所只能属于一个防区",
                    f"{path}: station {sid} ({stations.at[sid, S.STATION_NAME]}) is given zones "
                    f"{zones[sid]} and {zone}; each station belongs to one zone",
                )
            )
    if not zones:
        raise InputError(
            tr(
                f"{path}：没有一行对应站点文件中的派出所（如 {format_rows(unknown, 5)}）。"
                "请检查编号/名称列，或用 --station-column 指定",
                f"{path}: no row names a station of the stations file (e.g. "
                f"{format_rows(unknown, 5)}). Check the id/name column or pass --station-column",
            )
        )
    return Assignment(zones=zones, labels=labels, unknown=unknown, source=str(path))
