"""Before/after, incident profiles and station types, on hand-checkable fixtures."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from zoning import _schema as S
from zoning.centers.placement import centers_from_plan
from zoning.centers.travel import travel_times
from zoning.decision.profiles import (
    profile_mix,
    station_profiles,
    station_types,
    zone_time_profiles,
)
from zoning.errors import ZoningWarning
from zoning.io.assignment import read_assignment
from zoning.io.stations import stations_from_file
from zoning.load import loads_from_column
from zoning.workflow.baseline import before_after

# a row of four 0.05° squares (≈ 4.95 km) near 27.2°N: neighbours ≈ 9.7 minutes apart
# by the straight-line estimate (× 1.3 at 40 km/h), two apart ≈ 19.3, three ≈ 29
LON0, LAT0, W = 115.0, 27.2, 0.05


def row_file(tmp_path: Path) -> Path:
    records = [
        {
            "所代码": sid,
            "派出所": f"{sid}派出所",
            "警情量": load,
            "警力": officers,
            "城关": "是" if sid == "a" else "否",
            "geometry": box(LON0 + i * W, LAT0, LON0 + (i + 1) * W, LAT0 + W),
        }
        for i, (sid, load, officers) in enumerate(
            [("a", 400, 10), ("b", 100, 4), ("c", 300, 5), ("d", 100, 5)]
        )
    ]
    path = tmp_path / "row.geojson"
    gpd.GeoDataFrame(records, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def row(tmp_path: Path):
    stations = stations_from_file(row_file(tmp_path))
    load = loads_from_column(stations, "警情量")
    travel = travel_times(stations, None)
    return stations, load, travel


def test_every_station_on_its_own(row) -> None:
    stations, load, travel = row
    after = {"a": 1, "b": 2, "c": 3, "d": 3}
    centers = centers_from_plan(stations, after, load.load, travel=travel)
    ba = before_after(stations, load, travel, after=after, after_centers=centers, core="a")
    before = ba["before"]
    assert ba["baseline"]["kind"] == "separate"
    assert before["zones"] == 4
    # balanced stations b, c, d: loads 100, 300, 100 → (300 − 100) / (500 / 3)
    assert before["spread"] == pytest.approx(200 / (500 / 3))
    # per officer: 25, 60, 20 → (60 − 20) / 35
    assert before["load_per_officer_spread"] == pytest.approx(40 / 35)
    assert before["mean_minutes"] == before["max_minutes"] == 0.0
    assert before["share_within_15"] == before["share_within_30"] == 1.0
    # after: zones {a}, {b}, {c, d}; c (load 300) is the centre of zone 3
    assert centers[3].center_id == "c"
    minutes_cd = travel.frame().at["c", "d"]
    assert 9 < minutes_cd < 10.5
    after_fig = ba["after"]
    assert after_fig["mean_minutes"] == pytest.approx(100 * minutes_cd / 900)
    assert after_fig["max_minutes"] == pytest.approx(minutes_cd)
    assert after_fig["farthest_station"] == "d"
    assert after_fig["share_within_15"] == 1.0
    assert after_fig["spread"] == pytest.approx((400 - 100) / 250)  # zones 100 and 400
    # c and d were apart, now together: matching keeps one of them, the other moved
    assert ba["stations_moved"] == 1


def test_the_before_after_panel_is_punctuated_in_its_language(row) -> None:
    from zoning._i18n import set_language
    from zoning.maps.decision import before_after_html

    stations, load, travel = row
    after = {"a": 1, "b": 2, "c": 3, "d": 3}
    centers = centers_from_plan(stations, after, load.load, travel=travel)
    ba = before_after(stations, load, travel, after=after, after_centers=centers, core="a")
    assert "；1 个所调整防区" in before_after_html(ba)
    set_language("en")
    try:
        english = before_after_html(ba)
    finally:
        set_language("zh")
    assert "; 1 station changes zone" in english
    assert not set("；：，（）、") & set(english)


def test_a_baseline_table_and_a_far_centre(row, tmp_path: Path) -> None:
    stations, load, travel = row
    table = tmp_path / "today.csv"
    table.write_text("派出所,防区\na派出所,1\nb派出所,2\nc派出所,2\nd派出所,2\n", encoding="utf-8")
    baseline = read_assignment(table, stations)
    after = {"a": 1, "b": 2, "c": 2, "d": 3}
    centers = centers_from_plan(stations, after, load.load, travel=travel)
    ba = before_after(
        stations, load, travel, after=after, after_centers=centers, core="a", baseline=baseline
    )
    before = ba["before"]
    t = travel.frame()
    # today's zone 2 = b, c, d with centre c (the largest load, in the middle)
    assert before["centers"]["2"] == "c"
    expected = (100 * t.at["c", "b"] + 100 * t.at["c", "d"]) / 900
    assert before["mean_minutes"] == pytest.approx(expected)
    assert before["spread"] == 0.0  # one balanced zone
    assert ba["stations_moved"] == 1  # d leaves zone 2
    assert ba["moved"] == ["d"]
    assert ba["baseline"]["source"] == str(table)


def test_share_within_counts_far_stations(row) -> None:
    stations, load, travel = row
    after = {"a": 1, "b": 2, "c": 2, "d": 2}
    centers = {1: "a", 2: "b"}  # b at one end: d is two cells (≈ 19 min) away
    from zoning.workflow.baseline import arrangement_figures

    fig = arrangement_figures(stations, load, travel, after, centers, core="a")
    t = travel.frame()
    assert 15 < t.at["b", "d"] < 30
    # d's 100 of 900 incidents are beyond 15 minutes, none beyond 30
    assert fig["share_within_15"] == pytest.approx(800 / 900)
    assert fig["share_within_30"] == 1.0


def test_missing_stations_stand_alone_with_a_warning(row) -> None:
    stations, load, travel = row
    after = {"a": 1, "b": 2, "c": 2, "d": 2}
    centers = centers_from_plan(stations, after, load.load, travel=travel)
    with pytest.warns(ZoningWarning, match="不在现状方案中"):
        ba = before_after(
            stations,
            load,
            travel,
            after=after,
            after_centers=centers,
            core="a",
            baseline={"a": 1, "b": 2, "c": 2},
        )
    assert ba["baseline"]["missing"] == ["d"]
    assert ba["before"]["zones"] == 3


def incidents_frame(rows: list[tuple[str, str, str]], weight: float = 1.0) -> pd.DataFrame:
    """(station, category, time) rows as counted incidents."""
    return pd.DataFrame(
        {
            S.STATION_ID: [r[0] for r in rows],
            S.CATEGORY: [r[1] for r in rows],
            S.TIME: pd.to_datetime([r[2] for r in rows]),
            "weight": weight,
        }
    )


def test_zone_time_profiles_by_hand() -> None:
    inc = incidents_frame(
        [
            ("a", "治安", "2025-03-03 08:10"),  # Monday
            ("a", "治安", "2025-03-03 08:50"),
            ("b", "交通", "2025-03-04 17:00"),  # Tuesday
            ("b", "交通", "2025-03-09 23:30"),  # Sunday
        ]
    )
    prof = zone_time_profiles(inc, {"a": 1, "b": 2})
    assert prof is not None
    assert prof["days"] == 7 and prof["first"] == "2025-03-03"
    z1, z2 = prof["zones"]
    assert z1["hours"][8] == 2.0 and sum(z1["hours"]) == 2.0
    assert z1["peak_hour"] == 8 and z1["peak_hour_load"] == 2.0
    assert z1["peak_hour_per_day"] == pytest.approx(2 / 7)
    assert z1["peak_to_mean"] == pytest.approx(24.0)
    assert z1["weekdays"][0] == 2.0 and z1["busiest_weekday"] == 0
    assert z2["weekdays"][1] == 1.0 and z2["weekdays"][6] == 1.0
    assert zone_time_profiles(inc.assign(**{S.TIME: pd.NaT}), {"a": 1}) is None


def test_profile_distance_is_the_mean_of_category_and_period_distances() -> None:
    cats = pd.DataFrame(0, index=["a", "b"], columns=list(S.CATEGORIES))
    cats.loc["a", "治安"], cats.loc["b", "治安"], cats.loc["b", "交通"] = 4, 2, 2
    inc = incidents_frame(
        [("a", "治安", "2025-01-01 03:00")] * 4
        + [("b", "治安", "2025-01-01 03:00")] * 2
        + [("b", "交通", "2025-01-01 20:00")] * 2
    )
    mix = profile_mix(cats, inc, ["a", "b"])
    assert mix is not None
    a, b = np.array(mix["a"]), np.array(mix["b"])
    tv = 0.5 * np.abs(a / a.sum() - b / b.sum()).sum()
    # categories: a all 治安, b half 交通 → 0.5; periods: a all 凌晨, b half 晚间 → 0.5
    assert tv == pytest.approx(0.5)
    profiles = station_profiles(cats, inc, ["a", "b"])
    assert profiles is not None
    assert list(profiles.columns[-4:]) == ["凌晨", "上午", "下午", "晚间"]
    assert profiles.loc["b", "晚间"] == 0.5


def test_station_types_are_named_from_their_dominant_features() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for i in range(9):
        kind = ["交通", "纠纷", "治安"][i % 3]
        for _ in range(60):
            cat = kind if rng.random() < 0.7 else rng.choice(list(S.CATEGORIES))
            hour = 22 if kind == "治安" and rng.random() < 0.7 else int(rng.integers(8, 18))
            rows.append((f"s{i}", str(cat), f"2025-01-0{1 + i % 5} {hour:02d}:00"))
    inc = incidents_frame(rows)
    cats = pd.crosstab(inc[S.STATION_ID], inc[S.CATEGORY]).reindex(
        columns=list(S.CATEGORIES), fill_value=0
    )
    profiles = station_profiles(cats, inc, [f"s{i}" for i in range(9)])
    assert profiles is not None
    first = station_types(profiles)
    second = station_types(profiles)
    assert first == second  # deterministic
    assert first is not None and first["k"] == 3
    names = {t["name"] for t in first["types"]}
    assert any("交通" in n for n in names) and any("纠纷" in n for n in names)
    assert any(n.startswith("夜间治安") for n in names)
    by_station = first["stations"]
    assert len({by_station[f"s{i}"] for i in (0, 3, 6)}) == 1  # the traffic stations together


def test_the_baseline_and_station_types_are_measured_once_per_run(monkeypatch) -> None:
    """They do not depend on the plan: once for the main plan and every ladder rung."""
    from zoning.io.demo import demo_folder
    from zoning.scenario import Scenario
    from zoning.workflow import decision
    from zoning.workflow.plan import plan_from_files

    calls = {"baseline": 0, "types": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(decision, "baseline_side", counted("baseline", decision.baseline_side))
    monkeypatch.setattr(decision, "station_types", counted("types", decision.station_types))
    demo = demo_folder()
    scenario = Scenario(incidents=demo / "incidents.csv")
    result = plan_from_files(demo / "stations.geojson", scenario=scenario, write=False)
    assert len(result.frontier) >= 2
    assert calls == {"baseline": 1, "types": 1}
    main = result.report
    for rung in result.frontier:
        assert rung.report["before_after"]["before"] == main["before_after"]["before"]
        assert rung.report["profiles"]["types"] == main["profiles"]["types"]
        assert rung.report["profiles"]["types"] is not main["profiles"]["types"]  # own copy
