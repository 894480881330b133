"""Coordinate systems used by Chinese police data, and guessing a missing CRS.

GCJ-02 ("Mars coordinates", AMap/Tencent) and BD-09 (Baidu) are obfuscated
variants of WGS84 with no EPSG code. Their forward transforms (WGS84 -> GCJ-02
-> BD-09) are public; the inverses are computed here by fixed-point iteration
on the forward transform (the one-step "subtract the offset" shortcut is off by
up to ~5 m), vectorised with numpy and converged to < 1e-9° (< 0.1 mm). Points
outside China's bounding box are left unchanged, as the forward transforms do.

CGCS2000 (EPSG:4490) differs from WGS84 by centimetres; CGCS2000 Gauss-Krüger
zones (EPSG:4491–4554) are ordinary projected CRSs handled by pyproj.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from zoning._i18n import tr
from zoning.errors import InputError, ProblemList, ZoningWarning

Array = npt.NDArray[np.float64]

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: Accepted spellings of the obfuscated systems.
_NAMES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "wgs 84": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "gps": "wgs84",
    "cgcs2000": "EPSG:4490",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "mars": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "高德": "gcj02",
    "火星": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "bd09ll": "bd09",
    "baidu": "bd09",
    "百度": "bd09",
}


def out_of_china(lon: Array, lat: Array) -> npt.NDArray[np.bool_]:
    """True where a point lies outside the box in which GCJ-02 offsets apply."""
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: Array, lat: Array) -> tuple[Array, Array]:
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += common
    dlon += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def _as_arrays(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    return np.array(lon, dtype=float, ndmin=1), np.array(lat, dtype=float, ndmin=1)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """WGS84 -> GCJ-02 (the published forward transform)."""
    x, y = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        dlon, dlat = _delta(x, y)
        outside = out_of_china(x, y)
    return np.where(outside, x, x + dlon), np.where(outside, y, y + dlat)


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 -> BD-09 (Baidu's published forward transform)."""
    x, y = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
        theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
        outside = out_of_china(x, y)
    return (
        np.where(outside, x, z * np.cos(theta) + 0.0065),
        np.where(outside, y, z * np.sin(theta) + 0.006),
    )


def wgs84_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """WGS84 -> BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(
    forward: Callable[[Array, Array], tuple[Array, Array]],
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> tuple[Array, Array]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration (Jacobian ≈ I)."""
    tx, ty = _as_arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        outside = out_of_china(tx, ty)
    x, y = tx.copy(), ty.copy()
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        dx, dy = tx - fx, ty - fy
        x += dx
        y += dy
        step = np.abs(np.concatenate([dx, dy]))
        if not np.any(step[np.isfinite(step)] > tol):
            break
    return np.where(outside, tx, x), np.where(outside, ty, y)


def gcj02_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 -> WGS84 by iterative inversion (error < 1e-9°)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """BD-09 -> WGS84 by iterative inversion of the composed forward transform."""
    return _invert(wgs84_to_bd09, lon, lat)


def bd09_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[Array, Array]:
    """BD-09 -> GCJ-02 by iterative inversion."""
    return _invert(gcj02_to_bd09, lon, lat)


def canonical_crs(name: str, *, source: str = "crs") -> str:
    """Normalise a user CRS name to ``"wgs84"``, ``"gcj02"``, ``"bd09"`` or ``"EPSG:n"``.

    Raises
    ------
    InputError
        If the name is neither an obfuscated system nor a CRS pyproj knows.
    """
    key = str(name).strip().lower()
    if key in _NAMES:
        return _NAMES[key]
    try:
        crs = CRS.from_user_input(str(name).strip())
    except Exception as exc:  # pyproj raises CRSError; keep the message
        raise InputError(
            tr(
                f"{source}：无法识别的坐标系“{name}”（{exc}）。"
                "请使用 wgs84、gcj02、bd09 或 EPSG:编号，例如 EPSG:4490。",
                f"{source}: unknown coordinate system '{name}' ({exc}). "
                "Use wgs84, gcj02, bd09 or EPSG:n, e.g. EPSG:4490.",
            )
        ) from None
    epsg = crs.to_epsg()
    if epsg == 4326:
        return "wgs84"
    return f"EPSG:{epsg}" if epsg is not None else crs.to_string()


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, crs: str) -> tuple[Array, Array]:
    """Convert coordinates in ``crs`` (see :func:`canonical_crs`) to WGS84 lon/lat."""
    x, y = _as_arrays(lon, lat)
    system = canonical_crs(crs)
    if system == "wgs84":
        return x, y
    if system == "gcj02":
        return gcj02_to_wgs84(x, y)
    if system == "bd09":
        return bd09_to_wgs84(x, y)
    transformer = Transformer.from_crs(system, "EPSG:4326", always_xy=True)
    with np.errstate(invalid="ignore"):
        ox, oy = transformer.transform(x, y, errcheck=False)
    return np.asarray(ox, dtype=float), np.asarray(oy, dtype=float)


@dataclass(frozen=True)
class CrsGuess:
    """Result of :func:`guess_crs`.

    Attributes
    ----------
    crs
        ``"EPSG:n"`` or None when no safe guess exists.
    kind
        ``"degrees"``, ``"gk-zone"`` (easting with zone prefix),
        ``"gk-no-zone"`` (6-digit easting: central meridian unknown),
        ``"empty"`` or ``"unknown"``.
    """

    crs: str | None
    kind: str


def gk_epsg_for_zone(zone: int) -> int | None:
    """EPSG code of the CGCS2000 Gauss-Krüger CRS whose easting carries ``zone`` as prefix.

    6° zones 13–23 are EPSG:4491–4501; 3° zones 25–45 are EPSG:4513–4533.
    The two ranges do not overlap, so the prefix alone identifies the system.
    """
    if 13 <= zone <= 23:
        return 4491 + zone - 13
    if 25 <= zone <= 45:
        return 4513 + zone - 25
    return None


def gk_epsg_for_cm(central_meridian: int) -> int | None:
    """EPSG code of CGCS2000 3° Gauss-Krüger "CM xxxE" (no zone prefix), 75°–135°E.

    A 6° zone without prefix has a central meridian that is also a multiple of
    3°, and the same parameters, so it maps to the same code.
    """
    if central_meridian % 3 == 0 and 75 <= central_meridian <= 135:
        return 4534 + (central_meridian - 75) // 3
    return None


def guess_crs(x: npt.ArrayLike, y: npt.ArrayLike) -> CrsGuess:
    """Guess the CRS of coordinates from their value ranges.

    Rules: every value within ±180/±90 -> EPSG:4326; eastings of 8 digits whose
    millions are one CGCS2000 Gauss-Krüger zone number (13–23 for 6°, 25–45 for
    3°) with northings 0–10,000 km -> that zone's EPSG code; 6-digit eastings
    (100–900 km) -> ``gk-no-zone`` (the central meridian is not in the numbers).

    Swapped axes are recognised when the swap is the only reading that makes
    sense: "longitudes" within ±90 with "latitudes" beyond ±90
    (``degrees-swapped``), and the surveyor's order X = northing, Y =
    zone-prefixed easting (``gk-zone-swapped``). The caller swaps and warns.
    """
    xs, ys = _as_arrays(x, y)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return CrsGuess(None, "empty")
    if np.all(np.abs(xs) <= 180.0) and np.all(np.abs(ys) <= 90.0):
        return CrsGuess("EPSG:4326", "degrees")
    if np.all(np.abs(xs) <= 90.0) and np.all(np.abs(ys) <= 180.0):
        return CrsGuess("EPSG:4326", "degrees-swapped")
    for east, north, kind in ((xs, ys, "gk-zone"), (ys, xs, "gk-zone-swapped")):
        north_ok = bool(np.all((north > 0) & (north < 10_000_000)))
        zones = np.unique(np.floor(east / 1_000_000).astype(np.int64))
        if north_ok and zones.size == 1:
            code = gk_epsg_for_zone(int(zones[0]))
            if code is not None:
                return CrsGuess(f"EPSG:{code}", kind)
    north_ok = bool(np.all((ys > 0) & (ys < 10_000_000)))
    if north_ok and np.all((xs >= 100_000) & (xs < 1_000_000)):
        return CrsGuess(None, "gk-no-zone")
    return CrsGuess(None, "unknown")


def false_easting(crs: CRS) -> float | None:
    """The false easting of a projected CRS (e.g. 39,500,000 for EPSG:4527), else None."""
    operation = crs.coordinate_operation if crs.is_projected else None
    if operation is None:
        return None
    for param in operation.params:
        if param.name.casefold() == "false easting":
            return float(param.value)
    return None


def crs_mismatch(crs: CRS, x: npt.ArrayLike, y: npt.ArrayLike) -> str | None:
    """Why coordinates with these values cannot be in ``crs``; None when they can.

    Caught: degrees declared as a projected CRS (e.g. EPSG:3857 — the county
    would sit within 180 m of the false origin, off West Africa); projected
    values declared geographic; Gauss-Krüger eastings whose zone prefix is not
    the declared zone's (a zone off by one puts the county 3° or 6° away), or
    that carry a prefix the CRS does not have, or lack one it expects.
    """
    xs, ys = _as_arrays(x, y)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return None
    degrees = bool(np.all(np.abs(xs) <= 180.0) and np.all(np.abs(ys) <= 90.0))
    if crs.is_geographic:
        if degrees:
            return None
        return tr(
            "坐标值是投影坐标（米），不是经纬度",
            "the values are projected (metres), not degrees",
        )
    if degrees:
        return tr(
            "坐标值看起来是经纬度（度），不是投影坐标（米）",
            "the values look like degrees (longitude/latitude), not projected metres",
        )
    offset = false_easting(crs)
    if offset is None:
        return None
    prefixes = np.unique(np.floor(xs / 1_000_000).astype(np.int64))
    data_zone = int(prefixes[0]) if prefixes.size == 1 else None
    has_prefix = data_zone is not None and gk_epsg_for_zone(data_zone) is not None
    crs_zone = int(offset // 1_000_000)
    if crs_zone >= 1:  # a zone-prefixed Gauss-Krüger CRS
        if has_prefix and data_zone != crs_zone:
            return tr(
                f"横坐标的带号是 {data_zone}，而坐标系是第 {crs_zone} 带",
                f"the eastings carry zone {data_zone}, the CRS is zone {crs_zone}",
            )
        if bool(np.all(xs < 1_000_000)):
            return tr(
                f"横坐标没有带号（6 位数），而坐标系要求带号 {crs_zone}",
                f"the eastings have no zone prefix (6 digits); the CRS expects zone {crs_zone}",
            )
        return None
    if has_prefix and offset == 500_000.0:
        return tr(
            f"横坐标带有带号 {data_zone}（8 位数），而坐标系不带带号",
            f"the eastings carry zone prefix {data_zone} (8 digits); the CRS has none",
        )
    return None


def cm_candidates(mean_lon: float) -> list[int]:
    """EPSG codes of the GK "CM" systems a place at ``mean_lon`` most likely uses."""
    out: list[int] = []
    for cm in (3 * round(mean_lon / 3), 75 + 6 * round((mean_lon - 75) / 6)):
        code = gk_epsg_for_cm(int(cm))
        if code is not None and code not in out:
            out.append(code)
    return out


def _infer_cm(valid: gpd.GeoSeries, seats: tuple[pd.Series, pd.Series]) -> str | None:
    """Infer a GK central meridian from seat lon/lat in degrees.

    The seats' mean longitude gives the nearest 3° and 6° central meridians; a
    candidate is accepted when ≥ 80 % of the seats, projected with it, lie
    within 1 km of their own polygon.
    """
    lon = seats[0].reindex(valid.index).to_numpy(dtype=float)
    lat = seats[1].reindex(valid.index).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    if not ok.any():
        return None
    best: tuple[float, str | None] = (0.0, None)
    for code in cm_candidates(float(np.mean(lon[ok]))):
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs=4326).to_crs(code)
        own = np.asarray(valid.values)[ok]
        share = float(np.mean(shapely.dwithin(own, np.asarray(pts.values), 1000.0)))
        if share > best[0]:
            best = (share, f"EPSG:{code}")
    return best[1] if best[0] >= 0.8 else None


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}（{crs.name}）" if epsg else crs.name


def station_crs(
    raw: gpd.GeoDataFrame,
    crs: str | None,
    seats: tuple[pd.Series, pd.Series] | None,
    file: str,
    problems: ProblemList,
    notes: list[str],
) -> tuple[CRS | None, bool]:
    """Decide the CRS of station geometries: given, declared by the file, or guessed.

    A declared CRS the values contradict (see :func:`crs_mismatch`: degrees
    declared as EPSG:3857, a Gauss-Krüger zone off by one, projected values
    declared geographic) is treated as missing and the CRS guessed from the
    values, with a warning naming both; a CRS given as argument that the values
    contradict is a problem. Guesses are appended to ``notes`` (warned later);
    failures to ``problems``. See :func:`guess_crs` and :func:`_infer_cm`.

    Returns
    -------
    crs, swapped
        The CRS (None after a problem), and whether x and y are swapped in the
        file (surveyor order or latitude first); the caller swaps them.
    """
    valid = raw.geometry[~(raw.geometry.isna() | raw.geometry.is_empty)]
    bounds = [float(v) for v in valid.total_bounds] if len(valid) else []
    xs, ys = (bounds[0::2], bounds[1::2]) if bounds else ([], [])
    if crs is not None:
        code = canonical_crs(crs, source=file)
        if code in ("gcj02", "bd09"):
            problems.add(
                tr(
                    f"{file}：辖区面不支持 {code} 坐标系。请先转换为 WGS84 或 CGCS2000。",
                    f"{file}: jurisdiction polygons in {code} are not supported. "
                    "Convert them to WGS84 or CGCS2000 first.",
                )
            )
            return None, False
        given = CRS.from_user_input("EPSG:4326" if code == "wgs84" else code)
        why_not = crs_mismatch(given, xs, ys)
        if why_not is not None:
            problems.add(
                tr(
                    f"{file}：指定的坐标系 {_crs_name(given)} 与坐标值不符：{why_not}。"
                    "请改正指定的坐标系。",
                    f"{file}: the given CRS {_crs_name(given)} does not fit the coordinates: "
                    f"{why_not}. Correct the CRS.",
                )
            )
            return None, False
        return given, False
    if len(valid) == 0:
        return None, False
    minx, maxx = xs
    declared = raw.crs
    why_not = None if declared is None else crs_mismatch(declared, xs, ys)
    if declared is not None and why_not is None:
        return CRS.from_user_input(declared), False
    guess = guess_crs(xs, ys)
    why = (
        tr("未声明坐标系", "has no CRS")
        if declared is None
        else tr(
            f"声明的坐标系 {_crs_name(declared)} 与坐标值不符（{why_not}）",
            f"declares the CRS {_crs_name(declared)}, which does not fit the values ({why_not})",
        )
    )
    found = guess.crs
    if found is None and guess.kind == "gk-no-zone" and seats is not None:
        found = _infer_cm(valid, seats)
    if found is None:
        problems.add(
            tr(
                f"{file}：{why}，且无法从坐标值推断（x 范围 {minx:.0f}–{maxx:.0f}）。"
                "不带带号的高斯-克吕格坐标需要中央经线：请提供 .prj 文件，或指定 crs，"
                "例如 EPSG:4527（CGCS2000 3° 带 39）或 EPSG:4548（CGCS2000 CM 117E）。",
                f"{file}: {why}, and it cannot be inferred from the values (x from {minx:.0f} "
                f"to {maxx:.0f}). Gauss-Krüger eastings without zone prefix need the central "
                "meridian: add a .prj file or pass crs, e.g. EPSG:4527 (CGCS2000 3° zone 39) "
                "or EPSG:4548 (CGCS2000 CM 117E).",
            )
        )
        return None, False
    swapped = guess.kind.endswith("-swapped")
    order = (
        tr(
            "，且 x/y 顺序颠倒（纵坐标在前），已对调",
            "; x and y are in the reverse order (northing/latitude first) and were swapped",
        )
        if swapped
        else ""
    )
    notes.append(
        tr(
            f"{file}：{why}，根据坐标值推断为 {found}{order}。"
            "如不正确，请修正 .prj 文件或指定 crs。",
            f"{file}: {why}; guessed {found} from the coordinate values{order}. If wrong, fix "
            "the .prj file or pass crs.",
        )
    )
    return CRS.from_user_input(found), swapped


def incident_crs(
    lon: np.ndarray, lat: np.ndarray, crs: str | None, declared: CRS | None, file: str
) -> tuple[str, str, bool]:
    """The incidents' coordinate system, where it came from, and whether x/y are swapped.

    A CRS given as argument that the values contradict (:func:`crs_mismatch`)
    is an error naming the file, the CRS and what the values look like; a CRS
    declared by the file that they contradict is replaced by a guess from the
    values, with a warning. Swapped axes (latitude first, surveyor X = northing)
    are recognised when unambiguous and reported with a warning.

    Returns
    -------
    system, source, swapped
        ``"wgs84"``, ``"gcj02"``, ``"bd09"`` or ``"EPSG:n"``; ``"argument"``,
        ``"file"``, ``"assumed"`` or ``"guessed"``; True when the caller must
        swap x and y.
    """
    if crs is not None:
        system = canonical_crs(crs, source=file)
        check = CRS.from_epsg(4326) if system in ("wgs84", "gcj02", "bd09") else CRS(system)
        why_not = crs_mismatch(check, lon, lat)
        if why_not is not None:
            hint = (
                tr("；经纬度两列似乎互换了", "; the longitude and latitude columns look swapped")
                if guess_crs(lon, lat).kind.endswith("-swapped")
                else ""
            )
            raise InputError(
                tr(
                    f"{file}：指定的警情坐标系 {crs} 与坐标值不符：{why_not}{hint}。"
                    "请改正 --incidents-crs（场景文件 incidents_crs）或坐标列。",
                    f"{file}: the incident CRS {crs} does not fit the coordinates: "
                    f"{why_not}{hint}. Correct --incidents-crs (incidents_crs in the scenario "
                    "file) or the coordinate columns.",
                )
            )
        return system, "argument", False
    why = ""
    if declared is not None:
        why_not = crs_mismatch(declared, lon, lat)
        epsg = declared.to_epsg()
        if why_not is None:
            if declared.equals(CRS.from_epsg(4326), ignore_axis_order=True) or epsg == 4326:
                return "wgs84", "file", False
            return (f"EPSG:{epsg}" if epsg else declared.to_wkt()), "file", False
        why = tr(
            f"文件声明的坐标系 {_crs_name(declared)} 与坐标值不符（{why_not}），",
            f"the file's CRS {_crs_name(declared)} does not fit the values ({why_not}); ",
        )
    guess = guess_crs(lon, lat)
    swapped = guess.kind.endswith("-swapped")
    if guess.kind in ("degrees", "empty") and not why:
        return "wgs84", "assumed", False
    if guess.crs is not None:
        system = "wgs84" if guess.crs == "EPSG:4326" else guess.crs
        what = {
            "degrees": tr("经纬度", "degrees"),
            "degrees-swapped": tr("经纬度，但经度、纬度两列互换了", "degrees with lon/lat swapped"),
            "gk-zone": tr(
                f"{guess.crs}（高斯-克吕格带号）", f"{guess.crs} (Gauss-Krüger zone prefix)"
            ),
            "gk-zone-swapped": tr(
                f"{guess.crs}（高斯-克吕格带号），但 X/Y 为测量坐标顺序（X 为纵坐标），已对调",
                f"{guess.crs} (Gauss-Krüger zone prefix) in surveyor order (X = northing); swapped",
            ),
        }[guess.kind]
        warnings.warn(
            tr(
                f"{file}：{why}根据坐标值推断为 {what}。如不正确，请指定 incidents_crs"
                "（--incidents-crs）或改正坐标列。",
                f"{file}: {why}guessed {what} from the values. If wrong, set incidents_crs "
                "(--incidents-crs) or fix the coordinate columns.",
            ),
            ZoningWarning,
            stacklevel=3,
        )
        return system, "guessed", swapped
    raise InputError(
        tr(
            f"{file}：{why}经纬度列的数值不是经纬度，也无法推断坐标系。请指定 incidents_crs，"
            "例如 EPSG:4548（CGCS2000 CM 117E）。",
            f"{file}: {why}the coordinate columns are not degrees and their CRS cannot be "
            "inferred. Set incidents_crs, e.g. EPSG:4548 (CGCS2000 CM 117E).",
        )
    )
