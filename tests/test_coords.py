"""GCJ-02 / BD-09 conversions and CRS guessing (zoning.io.crs)."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

from zoning.errors import InputError
from zoning.io.crs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    canonical_crs,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gk_epsg_for_cm,
    gk_epsg_for_zone,
    guess_crs,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

# Reference values printed by wandergis/coordtransform (test/app.js) for (116.404, 39.915)
WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
ONE_STEP_GCJ_TO_WGS = (116.39775550083061, 39.91359571849836)


def metres(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Haversine distance in metres."""
    r = 6_371_008.8
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(h))


def china_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(74.0, 134.0, 25), np.linspace(18.5, 53.0, 25))
    return lon.ravel(), lat.ravel()


def test_forward_reference_pairs() -> None:
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon[0] == pytest.approx(WGS_TO_GCJ[0], abs=1e-12)
    assert lat[0] == pytest.approx(WGS_TO_GCJ[1], abs=1e-12)
    lon, lat = gcj02_to_bd09(116.404, 39.915)
    assert lon[0] == pytest.approx(GCJ_TO_BD[0], abs=1e-12)
    assert lat[0] == pytest.approx(GCJ_TO_BD[1], abs=1e-12)


def test_gcj02_inverse_of_reference_pair_is_exact_to_a_millimetre() -> None:
    lon, lat = gcj02_to_wgs84(*WGS_TO_GCJ)
    assert metres(lon, lat, np.array([116.404]), np.array([39.915]))[0] < 0.001
    # the one-step shortcut is measurably worse than the iterative inverse
    one_step = metres(np.array([ONE_STEP_GCJ_TO_WGS[0]]), np.array([ONE_STEP_GCJ_TO_WGS[1]]),
                      *gcj02_to_wgs84(116.404, 39.915))[0]  # fmt: skip
    assert one_step > 0.01


def test_gcj02_round_trip_within_a_metre_across_china() -> None:
    lon, lat = china_grid()
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert metres(lon, lat, back_lon, back_lat).max() < 0.01
    # and the forward of the inverse reproduces the GCJ-02 input
    g_lon, g_lat = wgs84_to_gcj02(lon, lat)
    f_lon, f_lat = wgs84_to_gcj02(*gcj02_to_wgs84(g_lon, g_lat))
    assert metres(g_lon, g_lat, f_lon, f_lat).max() < 0.01


def test_bd09_round_trips_within_a_metre() -> None:
    lon, lat = china_grid()
    back_lon, back_lat = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    assert metres(lon, lat, back_lon, back_lat).max() < 0.01
    g_lon, g_lat = bd09_to_gcj02(*GCJ_TO_BD)
    assert metres(g_lon, g_lat, np.array([116.404]), np.array([39.915]))[0] < 0.001
    # the offsets are real: hundreds of metres
    b_lon, b_lat = wgs84_to_bd09(lon, lat)
    assert metres(lon, lat, b_lon, b_lat).min() > 100


def test_outside_china_unchanged_and_nan_passes_through() -> None:
    lon = np.array([-122.42, 2.35, 116.404, np.nan])
    lat = np.array([37.77, 48.85, 39.915, 30.0])
    for func in (wgs84_to_gcj02, gcj02_to_wgs84, wgs84_to_bd09, bd09_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        assert out_lon[:2].tolist() == lon[:2].tolist()
        assert out_lat[:2].tolist() == lat[:2].tolist()
        assert out_lon[2] != lon[2]
        assert np.isnan(out_lon[3])


def test_to_wgs84_dispatch() -> None:
    lon, lat = to_wgs84([116.404], [39.915], "wgs84")
    assert (lon[0], lat[0]) == (116.404, 39.915)
    lon, lat = to_wgs84([WGS_TO_GCJ[0]], [WGS_TO_GCJ[1]], "GCJ-02")
    assert lon[0] == pytest.approx(116.404, abs=1e-8)
    forward = Transformer.from_crs("EPSG:4326", "EPSG:4527", always_xy=True)
    x, y = forward.transform(117.2, 31.8)
    lon, lat = to_wgs84([x], [y], "EPSG:4527")
    assert lon[0] == pytest.approx(117.2, abs=1e-9)
    assert lat[0] == pytest.approx(31.8, abs=1e-9)


def test_canonical_crs_names() -> None:
    assert canonical_crs("BD-09") == "bd09"
    assert canonical_crs("epsg:4326") == "wgs84"
    assert canonical_crs("EPSG:4490") == "EPSG:4490"
    with pytest.raises(InputError, match="EPSG"):
        canonical_crs("mars-xyz", source="scenario.toml")


def test_guess_crs_rules() -> None:
    assert guess_crs([115.2, 115.3], [27.2, 27.3]).crs == "EPSG:4326"
    # 3° zone 39 (CM 117E) with zone prefix -> EPSG:4527
    assert guess_crs([39_500_000.0, 39_520_000.0], [3_500_000.0, 3_510_000.0]).crs == "EPSG:4527"
    # 6° zone 20 with prefix -> EPSG:4498
    assert guess_crs([20_400_000.0], [3_000_000.0]).crs == "EPSG:4498"
    no_zone = guess_crs([480_000.0, 520_000.0], [3_500_000.0, 3_510_000.0])
    assert no_zone.crs is None and no_zone.kind == "gk-no-zone"
    assert guess_crs([1e9], [1e9]).kind == "unknown"
    assert guess_crs([np.nan], [np.nan]).kind == "empty"
    assert gk_epsg_for_zone(25) == 4513 and gk_epsg_for_zone(45) == 4533
    assert gk_epsg_for_zone(13) == 4491 and gk_epsg_for_zone(24) is None
    assert gk_epsg_for_cm(75) == 4534 and gk_epsg_for_cm(135) == 4554
