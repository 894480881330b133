"""``zoning jurisdictions``: build the station polygon file that ``zoning plan`` reads."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from zoning._i18n import tr
from zoning.cli._common import FILE, LANG, errors_to_exit
from zoning.errors import InputError

__all__ = ["jurisdictions_command"]


@click.command("jurisdictions")
@click.option("--townships", type=FILE, help="乡镇（街道）边界面 / township polygons")
@click.option(
    "--table",
    type=FILE,
    help="派出所—乡镇对照表（CSV、Excel）/ table station → township(s)",
)
@click.option("--seats", type=FILE, help="派出所驻地表：经纬度（CSV、Excel）/ station seats")
@click.option("--outline", type=FILE, help="县界面 / county outline polygon")
@click.option(
    "--roads",
    type=FILE,
    help="道路网络 .graphml/.osm：按通行时间划分 / road network: split by travel time",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出的派出所辖区文件（.geojson、.gpkg）/ output station file",
)
@click.option("--station-column", help="表中的派出所列 / station column of the table")
@click.option("--township-column", help="表中的乡镇列 / township column of the table")
@click.option(
    "--seat-crs", help="驻地坐标系：wgs84（默认）、gcj02、bd09、EPSG:n / seat coordinates"
)
@click.option("--lang", type=LANG, help="界面语言 / language (zh, en)")
def jurisdictions_command(
    townships: Path | None,
    table: Path | None,
    seats: Path | None,
    outline: Path | None,
    roads: Path | None,
    out: Path,
    station_column: str | None,
    township_column: str | None,
    seat_crs: str | None,
    lang: str | None,
) -> None:
    """生成派出所辖区文件：由乡镇边界+对照表，或由驻地+县界估算。

    Build the station jurisdiction file for `zoning plan`, either from township
    polygons and a station → township table (--townships --table), or estimated
    from station seats and the county outline (--seats --outline [--roads]).
    """
    with errors_to_exit(lang):
        from zoning.io import jurisdictions as J  # heavy imports after argument parsing

        by_townships = townships is not None or table is not None
        by_seats = seats is not None or outline is not None or roads is not None
        if (
            by_townships == by_seats
            or (by_townships and (townships is None or table is None))
            or (by_seats and (seats is None or outline is None))
        ):
            raise InputError(
                tr(
                    "请二选一：--townships 乡镇边界 --table 对照表；"
                    "或 --seats 驻地表 --outline 县界 [--roads 道路网络]。",
                    "Give either --townships FILE --table FILE, or --seats FILE --outline FILE "
                    "[--roads FILE].",
                )
            )
        if by_townships:
            assert townships is not None and table is not None
            if roads is not None:
                raise InputError(tr("--roads 只用于 --seats。", "--roads goes with --seats."))
            frame = J.stations_from_townships(
                townships,
                table,
                station_column=station_column,
                township_column=township_column,
                seat_crs=seat_crs,
            )
            inputs: list[Path] = [townships, table]
        else:
            assert seats is not None and outline is not None
            if township_column:
                raise InputError(
                    tr("--township-column 只用于 --table。", "--township-column goes with --table.")
                )
            frame = J.stations_from_seats(
                seats, outline, roads=roads, seat_crs=seat_crs, station_column=station_column
            )
            inputs = [p for p in (seats, outline, roads) if p is not None]
        written = J.write_stations(frame, out, inputs=inputs)
        _echo_summary(frame, written)


def _number(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    return "—" if not math.isfinite(number) else f"{number:,.0f}"


def _echo_summary(frame: Any, written: Path) -> None:
    info = frame.attrs.get("jurisdictions", {})
    method = info.get("method")
    if method == "townships":
        click.echo(
            tr(
                f"完成：{info['n_townships']} 个乡镇（街道）→ {len(frame)} 个派出所辖区",
                f"Done: {info['n_townships']} townships → {len(frame)} station jurisdictions",
            )
        )
    else:
        how = (
            tr("按道路通行时间", "by road travel time")
            if method == "roads"
            else tr("按直线距离（泰森多边形）", "by straight-line distance (Voronoi)")
        )
        click.echo(
            tr(
                f"完成：{len(frame)} 个派出所辖区，{how}估算。"
                "辖区为估算，须经核实后再用于正式方案。",
                f"Done: {len(frame)} station jurisdictions, estimated {how}. 辖区为估算: "
                "check them before any official use.",
            )
        )
        road = info.get("road_network")
        if road:
            click.echo(
                tr(
                    f"道路网络：县界内 {road['nodes_inside_outline']} 个节点，"
                    f"{road['nodes_assigned']} 个可达并分配。",
                    f"Road network: {road['nodes_inside_outline']} nodes inside the outline, "
                    f"{road['nodes_assigned']} reached and assigned.",
                )
            )
    for _, row in frame.iterrows():
        parts = [f"{row['station_name']}"]
        if "townships" in frame:
            parts.append(str(row["townships"]))
        parts.append(f"{row['area_km2']:,.1f} km²")
        if "population" in frame and _number(row["population"]) != "—":
            parts.append(
                tr(f"人口 {_number(row['population'])}", f"pop. {_number(row['population'])}")
            )
        if "communities" in frame and _number(row["communities"]) != "—":
            parts.append(
                tr(f"村居 {_number(row['communities'])}", f"{_number(row['communities'])} villages")
            )
        if row.get("n_parts", 1) > 1:
            parts.append(tr(f"{row['n_parts']} 块", f"{row['n_parts']} parts"))
        click.echo("  " + tr("：", ": ").join([parts[0], tr("，", ", ").join(parts[1:])]))
    seats = info.get("seats", {})
    rep = seats.get("representative_point", [])
    if rep and seats.get("from_table"):
        click.echo(
            tr(
                f"驻地：{len(seats['from_table'])} 个取自表格，{len(rep)} 个没有驻地坐标，"
                f"用辖区内的代表点代替：{'、'.join(map(str, rep))}",
                f"Seats: {len(seats['from_table'])} from the table; {len(rep)} without "
                f"coordinates use a point inside the jurisdiction: {', '.join(map(str, rep))}",
            )
        )
    elif rep:
        click.echo(
            tr(
                "驻地：表中没有驻地坐标，均用辖区内的代表点代替（可加 驻地经度/驻地纬度 两列）。",
                "Seats: the table has no seat coordinates; every seat is a point inside its "
                "jurisdiction (add 驻地经度/驻地纬度 columns).",
            )
        )
    else:
        crs = seats.get("crs")
        note = (
            tr(
                "（按 WGS84；若取自高德/百度，请加 --seat-crs gcj02/bd09）",
                " (read as WGS84; pass --seat-crs gcj02/bd09 for AMap/Baidu coordinates)",
            )
            if seats.get("crs_source") == "assumed"
            else f"（{crs}）"
        )
        click.echo(tr(f"驻地：全部取自表格{note}", f"Seats: all from the table{note}"))
    columns = info.get("columns", {})
    if columns.get("address_not_geocoded"):
        click.echo(
            tr(
                f"地址列“{columns['address_not_geocoded']}”未做地址解析（离线运行），仅使用经纬度。",
                f"Address column '{columns['address_not_geocoded']}' is not geocoded (offline); "
                "only the coordinates are used.",
            )
        )
    click.echo(tr(f"派出所辖区文件：{written.resolve()}", f"Station file: {written.resolve()}"))
    click.echo(
        tr(
            f"下一步：zoning plan {written} --loads 警情统计表.xlsx",
            f"Next: zoning plan {written} --loads counts.xlsx",
        )
    )
