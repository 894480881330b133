"""Incident profiles: 忙闲不均 (when the work comes) and 警情相似 (what kind of work).

When incidents carry times (报警时间):

- :func:`zone_time_profiles` — each zone's weighted incidents per hour of day
  (0–23) and per weekday (Monday first), its peak hour, the load in that hour
  over the whole period and per day, and the peak-to-mean ratio of its hours;
- :func:`station_profiles` — each station's profile: the shares of its incidents
  per category (:data:`zoning._schema.CATEGORIES`) and per period of the day
  (:data:`PERIODS`, four six-hour periods, so that time and category weigh alike
  when there are only a few dozen stations);
- :func:`station_types` — the profiles standardised (z-scores per feature) and
  clustered with k-means (scikit-learn, fixed ``random_state``: the same input
  gives the same types); each cluster is named from the features its stations
  have most above the county (e.g. 交通型, 夜间治安型, 纠纷·求助型);
- :func:`profile_mix` — the vector whose total-variation distance the solver
  uses as its dissimilarity: half category shares, half period shares, so the
  distance of two stations is the mean of their category and period distances
  (in [0, 1], like the category-only distance it replaces).

Without times the category shares alone are the profile.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from zoning import _schema as S
from zoning._i18n import tr

__all__ = [
    "PERIODS",
    "WEEKDAYS",
    "feature_label",
    "has_times",
    "profile_mix",
    "station_profiles",
    "station_types",
    "zone_time_profiles",
]

#: Periods of the day: (first hour, last hour + 1, Chinese, English).
PERIODS: tuple[tuple[int, int, str, str], ...] = (
    (0, 6, "凌晨", "night"),
    (6, 12, "上午", "morning"),
    (12, 18, "下午", "afternoon"),
    (18, 24, "晚间", "evening"),
)
#: Weekday labels, Monday first.
WEEKDAYS: tuple[tuple[str, str], ...] = (
    ("周一", "Mon"),
    ("周二", "Tue"),
    ("周三", "Wed"),
    ("周四", "Thu"),
    ("周五", "Fri"),
    ("周六", "Sat"),
    ("周日", "Sun"),
)


def feature_label(feature: str) -> str:
    """A profile feature as shown: a period of the day in the current language
    (the profile keys them by their Chinese name), a category as written."""
    for _, _, zh, en in PERIODS:
        if feature == zh:
            return tr(zh, en)
    return feature


#: Category → the word a station type is named with.
_TYPE_WORD = {
    "刑事": ("刑事", "crime"),
    "治安": ("治安", "public-order"),
    "交通": ("交通", "traffic"),
    "纠纷": ("纠纷", "dispute"),
    "求助": ("求助", "assistance"),
    "其他": ("综合", "mixed"),
}
#: A period feature this many standard deviations above the county names the type too.
_PERIOD_NOTABLE = 0.5


def _times(incidents: pd.DataFrame | None) -> pd.Series | None:
    if incidents is None or len(incidents) == 0 or S.TIME not in incidents.columns:
        return None
    times = pd.to_datetime(incidents[S.TIME], errors="coerce")
    return times if times.notna().any() else None


def has_times(incidents: pd.DataFrame | None) -> bool:
    """Whether any counted incident has a time (报警时间)."""
    return _times(incidents) is not None


def zone_time_profiles(
    incidents: pd.DataFrame | None, assignment: Mapping[str, int]
) -> dict[str, Any] | None:
    """Each zone's hour-of-day and weekday profile and its peak hour.

    Parameters
    ----------
    incidents
        Counted incidents (``LoadResult.incidents``: station_id, weight, time).
    assignment
        Station id → zone.

    Returns
    -------
    dict or None
        ``None`` without times; else ``with_time`` / ``without_time`` (weighted
        incidents), ``days`` (calendar days from the first to the last time),
        ``first`` / ``last`` (dates) and ``zones``: per zone ``hours`` (24
        weighted counts), ``weekdays`` (7), ``peak_hour``, ``peak_hour_load``,
        ``peak_hour_per_day``, ``quiet_hour``, ``peak_to_mean``.
    """
    times = _times(incidents)
    if times is None or incidents is None:
        return None
    weight = (
        incidents["weight"].fillna(0).to_numpy(dtype=float)
        if "weight" in incidents
        else np.ones(len(incidents))
    )
    zone = incidents[S.STATION_ID].astype(str).map(assignment)
    ok = times.notna().to_numpy() & zone.notna().to_numpy()
    frame = pd.DataFrame(
        {
            "zone": zone[ok].astype(int).to_numpy(),
            "hour": times[ok].dt.hour.to_numpy(),
            "weekday": times[ok].dt.day_of_week.to_numpy(),
            "w": weight[ok],
        }
    )
    first, last = times[ok].min(), times[ok].max()
    days = int((last.normalize() - first.normalize()).days) + 1
    rows = []
    for z in sorted(set(assignment.values())):
        sub = frame[frame["zone"] == z]
        hours = sub.groupby("hour")["w"].sum().reindex(range(24), fill_value=0.0)
        weekdays = sub.groupby("weekday")["w"].sum().reindex(range(7), fill_value=0.0)
        total = float(hours.sum())
        peak = int(hours.to_numpy().argmax())
        quiet = int(hours.to_numpy().argmin())
        rows.append(
            {
                "zone": int(z),
                "hours": [float(v) for v in hours],
                "weekdays": [float(v) for v in weekdays],
                "total": total,
                "peak_hour": peak,
                "peak_hour_load": float(hours[peak]),
                "peak_hour_per_day": float(hours[peak]) / days,
                "quiet_hour": quiet,
                "peak_to_mean": float(hours[peak]) / (total / 24) if total > 0 else None,
                "busiest_weekday": int(weekdays.to_numpy().argmax()),
            }
        )
    return {
        "with_time": float(weight[ok].sum()),
        "without_time": float(weight[~ok].sum()),
        "days": days,
        "first": first.date().isoformat(),
        "last": last.date().isoformat(),
        "zones": rows,
    }


def _period_counts(incidents: pd.DataFrame, index: pd.Index) -> pd.DataFrame | None:
    times = _times(incidents)
    if times is None:
        return None
    ok = times.notna()
    hours = times[ok].dt.hour.to_numpy()
    period = np.searchsorted([p[1] for p in PERIODS], hours, side="right")
    sid = incidents.loc[ok, S.STATION_ID].astype(str).to_numpy()
    counts = pd.crosstab(sid, period).reindex(
        index=index, columns=range(len(PERIODS)), fill_value=0
    )
    counts.columns = [p[2] for p in PERIODS]
    return counts.astype(float)


def _shares(counts: pd.DataFrame) -> pd.DataFrame:
    totals = counts.sum(axis=1)
    return counts.div(totals.where(totals > 0), axis=0).fillna(0.0)


def station_profiles(
    by_category: pd.DataFrame | None, incidents: pd.DataFrame | None, index: Iterable[Hashable]
) -> pd.DataFrame | None:
    """Each station's category shares and period-of-day shares (rows: station ids).

    Columns are the categories (``刑事`` …) and, with times, the periods
    (``凌晨`` …); each group sums to 1 for a station with incidents, 0 without.
    A station none of whose incidents has a time takes the county's period
    shares (neutral). ``None`` when there are no incident counts at all.
    """
    ids = pd.Index([str(i) for i in index])
    if by_category is None or by_category.empty or by_category.to_numpy().sum() == 0:
        return None
    cats = by_category.set_axis([str(i) for i in by_category.index]).reindex(ids).fillna(0.0)
    profile = _shares(cats.astype(float))
    periods = _period_counts(incidents, ids) if incidents is not None else None
    if periods is not None:
        shares = _shares(periods)
        county = periods.sum() / periods.to_numpy().sum()
        empty = periods.sum(axis=1) == 0
        shares.loc[empty] = county.to_numpy()
        shares.loc[cats.sum(axis=1) == 0] = 0.0
        profile = pd.concat([profile, shares], axis=1)
    return profile


def profile_mix(
    by_category: pd.DataFrame | None, incidents: pd.DataFrame | None, index: Iterable[Hashable]
) -> dict[Hashable, list[float]] | None:
    """Station id → profile vector for the solver's similarity term.

    Half category shares and half period shares (category shares only without
    times), so the total-variation distance of two vectors is the mean of the
    category and the period distances.
    """
    profile = station_profiles(by_category, incidents, index)
    if profile is None:
        return None
    n_cat = len(by_category.columns) if by_category is not None else 0
    if profile.shape[1] > n_cat:
        profile = profile * 0.5
    return {
        str(sid): [float(v) for v in row]
        for sid, row in zip(profile.index, profile.to_numpy(), strict=True)
    }


def station_types(
    profiles: pd.DataFrame,
    *,
    k: int = 3,
    names: Mapping[str, str] | None = None,
    random_state: int = 0,
) -> dict[str, Any] | None:
    """Cluster standardised station profiles into ``k`` named types.

    Parameters
    ----------
    profiles
        :func:`station_profiles` (stations without incidents are left out and
        typed ``无警情``).
    k
        Number of types (fewer when there are fewer distinct profiles; none
        below three stations).
    names
        Station id → display name.
    random_state
        k-means seed (fixed: deterministic types).

    Returns
    -------
    dict or None
        ``features`` (column names), ``k``, ``types`` (per type: ``type``
        number, ``name``, ``stations`` ids, ``station_names``, ``dominant``
        features with the type's mean share and the county's), and
        ``stations`` (id → type name). ``None`` when there are too few stations.
    """
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    names = dict(names or {})
    active = profiles[profiles.sum(axis=1) > 0]
    distinct = len(active.drop_duplicates())
    k = min(int(k), distinct)
    if len(active) < 3 or k < 2:
        return None
    z = StandardScaler().fit_transform(active.to_numpy(dtype=float))
    model = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(z)
    raw = model.labels_
    # number types by their first station (in id order) so labels do not depend on k-means
    order = {lab: rank for rank, lab in enumerate(dict.fromkeys(raw[np.argsort(active.index)]))}
    labels = np.array([order[lab] for lab in raw])
    county = active.mean()
    features = [str(c) for c in active.columns]
    categories = [c for c in features if c in _TYPE_WORD]
    periods = [c for c in features if c not in _TYPE_WORD]
    types = []
    used: set[str] = set()
    for t in range(k):
        mask = labels == t
        centre = pd.Series(z[mask].mean(axis=0), index=features)
        cat_rank = centre[categories].sort_values(ascending=False, kind="stable")
        word = _TYPE_WORD[str(cat_rank.index[0])]
        name = _type_name(word, centre, periods)
        if name in used and len(cat_rank) > 1:
            second = _TYPE_WORD[str(cat_rank.index[1])]
            name = _type_name((f"{word[0]}·{second[0]}", f"{word[1]}/{second[1]}"), centre, periods)
        while name in used:
            name += "'"
        used.add(name)
        members = sorted(active.index[mask].astype(str))
        top = centre.sort_values(ascending=False, kind="stable").index[:3]
        types.append(
            {
                "type": t + 1,
                "name": name,
                "stations": members,
                "station_names": [names.get(s, s) for s in members],
                "dominant": [
                    {
                        "feature": str(f),
                        "z": round(float(centre[f]), 3),
                        "share": float(active.loc[mask, f].mean()),
                        "county_share": float(county[f]),
                    }
                    for f in top
                ],
            }
        )
    by_station = {
        str(s): types[int(lab)]["name"] for s, lab in zip(active.index, labels, strict=True)
    }
    none = tr("无警情", "no incidents")
    by_station |= {str(s): none for s in profiles.index if str(s) not in by_station}
    return {"features": features, "k": k, "types": types, "stations": by_station}


def _type_name(word: tuple[str, str], centre: pd.Series, periods: list[str]) -> str:
    prefix = ("", "")
    if periods:
        best = centre[periods].sort_values(ascending=False, kind="stable")
        if float(best.iloc[0]) >= _PERIOD_NOTABLE:
            night = str(best.index[0]) in (PERIODS[0][2], PERIODS[3][2])
            prefix = ("夜间", "night-time ") if night else ("日间", "daytime ")
    return tr(f"{prefix[0]}{word[0]}型", f"{prefix[1]}{word[1]}")
