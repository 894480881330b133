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
    """
    xs, ys = _as_arrays(x, y)
    ok = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[ok], ys[ok]
    if xs.size == 0:
        return CrsGuess(None, "empty")
    if np.all(np.abs(xs) <= 180.0) and np.all(np.abs(ys) <= 90.0):
        return CrsGuess("EPSG:4326", "degrees")
    north_ok = bool(np.all((ys > 0) & (ys < 10_000_000)))
    zones = np.unique(np.floor(xs / 1_000_000).astype(np.int64))
    if north_ok and zones.size == 1:
        code = gk_epsg_for_zone(int(zones[0]))
        if code is not None:
            return CrsGuess(f"EPSG:{code}", "gk-zone")
    if north_ok and np.all((xs >= 100_000) & (xs < 1_000_000)):
        return CrsGuess(None, "gk-no-zone")
    return CrsGuess(None, "unknown")


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


def station_crs(
    raw: gpd.GeoDataFrame,
    crs: str | None,
    seats: tuple[pd.Series, pd.Series] | None,
    file: str,
    problems: ProblemList,
    notes: list[str],
) -> CRS | None:
    """Decide the CRS of station geometries: given, declared by the file, or guessed.

    A declared geographic CRS whose values are clearly projected is treated as
    missing. Guesses are appended to ``notes`` (warned later); failures to
    ``problems``. See :func:`guess_crs` and :func:`_infer_cm` for the rules.
    """
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
            return None
        return CRS.from_user_input("EPSG:4326" if code == "wgs84" else code)
    valid = raw.geometry[~(raw.geometry.isna() | raw.geometry.is_empty)]
    if len(valid) == 0:
        return None
    minx, miny, maxx, maxy = (float(v) for v in valid.total_bounds)
    declared = raw.crs
    degrees = max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90
    if declared is not None and not (declared.is_geographic and not degrees):
        return CRS.from_user_input(declared)
    guess = guess_crs([minx, maxx], [miny, maxy])
    why = (
        tr("未声明坐标系", "has no CRS")
        if declared is None
        else tr(
            f"声明为地理坐标系 {declared.name}，但坐标值是投影坐标",
            f"declares the geographic CRS {declared.name} but holds projected values",
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
        return None
    notes.append(
        tr(
            f"{file}：{why}，根据坐标值推断为 {found}。如不正确，请提供 .prj 文件或指定 crs。",
            f"{file}: {why}; guessed {found} from the coordinate values. If wrong, add a "
            ".prj file or pass crs.",
        )
    )
    return CRS.from_user_input(found)


def incident_crs(
    lon: np.ndarray, lat: np.ndarray, crs: str | None, declared: CRS | None, file: str
) -> tuple[str, str]:
    """The incidents' coordinate system and where it came from."""
    if crs is not None:
        return canonical_crs(crs, source=file), "argument"
    if declared is not None:
        epsg = declared.to_epsg()
        if declared.equals(CRS.from_epsg(4326), ignore_axis_order=True) or epsg == 4326:
            return "wgs84", "file"
        return (f"EPSG:{epsg}" if epsg else declared.to_wkt()), "file"
    guess = guess_crs(lon, lat)
    if guess.kind in ("degrees", "empty"):
        return "wgs84", "assumed"
    if guess.crs is not None:
        warnings.warn(
            tr(
                f"{file}：坐标不是经纬度，根据坐标值推断为 {guess.crs}（高斯-克吕格带号）。"
                "如不正确，请指定 incidents_crs。",
                f"{file}: coordinates are not degrees; guessed {guess.crs} (Gauss-Krüger zone "
                "prefix) from the values. If wrong, set incidents_crs.",
            ),
            ZoningWarning,
            stacklevel=3,
        )
        return guess.crs, "guessed"
    raise InputError(
        tr(
            f"{file}：经纬度列的数值不是经纬度，也无法推断坐标系。请指定 incidents_crs，"
            "例如 EPSG:4548（CGCS2000 CM 117E）。",
            f"{file}: the coordinate columns are not degrees and their CRS cannot be "
            "inferred. Set incidents_crs, e.g. EPSG:4548 (CGCS2000 CM 117E).",
        )
    )
