"""Scenario: every planning choice of one run, loadable from a TOML file.

A scenario file makes a plan reproducible and shareable. Command-line options
override the file. Unknown keys and bad values are reported together, each
with its key path and the allowed values.

Example file::

    [input]
    stations = "stations.geojson"
    incidents = "incidents.csv"

    [plan]
    zones = 5
    urban_core = "城关派出所"

    [weights]
    "刑事" = 3
    "治安" = 2
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePath
from typing import Any, Literal

from zoning._i18n import tr
from zoning.errors import InputError

#: The largest seed the solvers accept (CP-SAT takes a 32-bit signed seed).
MAX_SEED = 2**31 - 1

Balance = Literal["load", "per_officer"]
SolverName = Literal["auto", "exact", "heuristic"]
Islands = Literal["link", "error"]
NameAfter = Literal["auto", "center", "river", "peak"]
SimilarityBasis = Literal["profile", "category"]
Objective = Literal["travel", "balance"]
Eligible = Literal["all", "case_area"]
#: Bands of the default trade-off ladder (spread ≤ band), tightest first.
DEFAULT_FRONTIER: tuple[float, ...] = (0.02, 0.05, 0.10, 0.20)

#: Scenario fields that each supply the station loads; at most one may be set.
LOAD_SOURCES: tuple[str, ...] = ("load_column", "loads", "incidents")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """All choices of one planning run (defaults follow the Haidong 2023 guideline)."""

    # input
    stations: Path | None = None
    incidents: Path | None = None
    baseline: Path | None = None  # today's arrangement, for before/after (issue 12)
    incidents_crs: str | None = None
    layer: str | None = None
    river: Path | None = None
    id_column: str | None = None
    name_column: str | None = None
    load_column: str | None = None
    loads: Path | None = None  # statistics table station → counts (--loads)
    station_columns: Mapping[str, str] = field(default_factory=dict)
    incident_columns: Mapping[str, str] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    outside_tolerance_m: float = 500.0
    min_shared_m: float = 50.0
    # plan
    zones: int = 5
    urban_core: str | None = None  # one id or name, or several separated by commas
    objective: Objective = "travel"  # travel: zones and 中心所 together; balance: load first
    band: float = 0.05  # travel objective: spread of the balanced zones' loads ≤ band
    frontier: tuple[float, ...] = DEFAULT_FRONTIER  # bands of the trade-off ladder; () = off
    robust: bool = False  # keep the band in every period (quarter/year) of the incidents
    balance: Balance = "load"
    tolerance: float = 0.01
    solver: SolverName = "auto"
    time_limit: float | None = None  # default: 2 s exact, 20 s heuristic
    seed: int = 0
    islands: Islands = "link"
    alternatives: int = 1
    alternatives_slack: float = 0.02
    category_weights: Mapping[str, float] = field(default_factory=dict)
    compactness_weight: float = 1.0
    similarity_weight: float = 0.5
    similarity_basis: SimilarityBasis = "profile"
    locks: Mapping[str, int] = field(default_factory=dict)
    together: tuple[tuple[str, ...], ...] = ()
    forbidden_links: tuple[tuple[str, str], ...] = ()
    forced_links: tuple[tuple[str, str], ...] = ()
    zone_names: Mapping[int, str] = field(default_factory=dict)
    # centers and roads (issue 5)
    center_criteria: Mapping[str, float] = field(default_factory=dict)
    center_locks: tuple[str, ...] = ()
    center_eligible: Eligible = "all"  # case_area: only stations with a 办案区 may be 中心所
    case_team_locks: tuple[str, ...] = ()
    community_team_locks: tuple[str, ...] = ()
    features: Path | None = None
    name_after: NameAfter = "auto"
    roads: Path | Literal["download"] | None = None
    within_minutes: float = 15.0
    detour_factor: float = 1.3
    straight_speed_kph: float = 40.0
    max_snap_m: float = 2000.0
    hwy_speeds: Mapping[str, float] = field(default_factory=dict)
    # staffing what-if (issue 12): ±band of the average load per officer, minimum per station
    staffing_band: float = 0.10
    staffing_minimum: int = 3
    staffing_include_core: bool = False
    # output
    out: Path | None = None
    title: str | None = None
    lang: Literal["zh", "en"] = "zh"
    online: bool = False
    print_map: bool = True  # map.png / map.pdf (matplotlib); off with --no-print
    basemap: str | None = None
    tianditu_key: str | None = None

    def with_overrides(self, **changes: Any) -> Scenario:
        """Return a copy with every non-``None`` keyword applied."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def with_load_source(self, **given: Any) -> Scenario:
        """Return a copy whose load source is the one given here, if any.

        ``given`` holds the :data:`LOAD_SOURCES` a command line set (``None``
        for those it did not). When any is set, every other load source of
        the scenario file is cleared: options on the command line win, and a
        file's ``incidents`` does not clash with ``--loads``. Two sources given
        together stay, for :func:`zoning.workflow.plan.load_from_scenario` to refuse.
        """
        unknown = set(given) - set(LOAD_SOURCES)
        if unknown:
            raise TypeError(f"not a load source: {', '.join(sorted(unknown))}")
        if all(v is None for v in given.values()):
            return self
        sources: dict[str, Any] = {k: given.get(k) for k in LOAD_SOURCES}
        return replace(self, **sources)

    def with_checked_overrides(
        self, options: Mapping[str, str] | None = None, **changes: Any
    ) -> Scenario:
        """Like :meth:`with_overrides`, after checking each value as the scenario file would.

        Command-line values go through the same rules as ``scenario.toml``
        (``--seed -1``, ``--within-minutes nan`` fail like ``seed = -1`` does).

        Parameters
        ----------
        options
            Field name -> how the user wrote it (``{"date_from": "--from"}``),
            for messages; default ``--field-name``.
        **changes
            New values; ``None`` means "not given".

        Raises
        ------
        InputError
            Listing every value that breaks a rule, with the allowed values.
        """
        given = {k: v for k, v in changes.items() if v is not None}
        problems = []
        for name, value in given.items():
            check = _CHECKS.get(name)
            if check is None:
                continue
            raw = str(value) if isinstance(value, PurePath) else value
            try:
                checked = check(raw)
                if name in _CONVERTED:  # written as text on the command line
                    given[name] = checked
            except ValueError as exc:
                option = (options or {}).get(name, "--" + name.replace("_", "-"))
                problems.append(
                    tr(
                        f"{option} {value!s} 取值无效，应为：{exc}",
                        f"{option} {value!s} is not valid; expected: {exc}",
                    )
                )
        if problems:
            raise InputError(problems)
        return replace(self, **given)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable view (for ``report.json``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, Mapping):
                value = {str(k): v for k, v in value.items()}
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[f.name] = value
        if out.get("tianditu_key"):
            out["tianditu_key"] = "******"  # never write a key into report.json
        return out


def _choice(*allowed: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(", ".join(allowed))
        return value

    return check


def _number(
    *, minimum: float | None = None, maximum: float | None = None, integer: bool = False
) -> Callable[[Any], Any]:
    """A number (or integer) within ``[minimum, maximum]``; NaN never passes."""

    def check(value: Any) -> Any:
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if (
            isinstance(value, bool)
            or not ok
            or math.isnan(value)
            or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
        ):
            kind = "integer" if integer else "number"
            if minimum is not None and maximum is not None:
                raise ValueError(f"{kind} from {minimum} to {maximum}")
            raise ValueError(f"{kind} ≥ {minimum}" if minimum is not None else kind)
        return value

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("text")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true, false")
    return value


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError("a table of text values")
    return {str(k): v for k, v in value.items()}


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value.values()
    ):
        raise ValueError('a table of numbers ≥ 0, e.g. "刑事" = 3')
    return {str(k): float(v) for k, v in value.items()}


def _core(value: Any) -> str:
    """One station id or name, several separated by commas, or a list of them."""
    if isinstance(value, list | tuple):
        if not value or not all(isinstance(s, str) and s.strip() for s in value):
            raise ValueError('a station id or name, or a list, e.g. ["城关派出所", "城东派出所"]')
        return ",".join(s.strip() for s in value)
    return _text(value)


def _bands(value: Any) -> tuple[float, ...]:
    """A list of load bands (fractions of the mean load), e.g. [0.02, 0.05, 0.1, 0.2]."""
    if isinstance(value, str):  # the command line: "0.02,0.05" or "none"
        text = value.strip().lower()
        if text in ("", "none", "off", "无"):
            return ()
        try:
            value = [float(part) for part in text.replace("，", ",").split(",") if part.strip()]
        except ValueError:
            raise ValueError('a list of numbers 0–1, e.g. "0.02,0.05,0.1,0.2", or "none"') from None
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= 1 and v == v
        for v in value
    ):
        raise ValueError("a list of numbers in (0, 1], e.g. [0.02, 0.05, 0.1, 0.2]")
    return tuple(sorted({float(v) for v in value}))


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        raise ValueError('a list of station ids or names, e.g. ["青山派出所"]')
    return tuple(value)


def _roads(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError('"download" or a road network file (.graphml, .osm)')
    return value


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in value
    ):
        raise ValueError('a list of station pairs, e.g. [["青山派出所", "石桥派出所"]]')
    return tuple((p[0], p[1]) for p in value)


def _groups(value: Any) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(g, list) and len(g) >= 2 and all(isinstance(s, str) for s in g) for g in value
    ):
        raise ValueError('a list of station groups, e.g. [["青山派出所", "石桥派出所"]]')
    return tuple(tuple(g) for g in value)


def _zone_map(value: Any) -> dict[str, int]:
    if not isinstance(value, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value.values()
    ):
        raise ValueError('a table station = zone number ≥ 1, e.g. "青山派出所" = 2')
    return {str(k): int(v) for k, v in value.items()}


def _zone_names(value: Any) -> dict[int, str]:
    if not isinstance(value, dict) or not all(
        str(k).isdigit() and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError('a table zone number = name, e.g. "2" = "清溪防区"')
    return {int(k): v for k, v in value.items()}


# section -> key -> (Scenario field, validator)
_SPEC: dict[str, dict[str, tuple[str, Callable[[Any], Any]]]] = {
    "input": {
        "stations": ("stations", _text),
        "incidents": ("incidents", _text),
        "baseline": ("baseline", _text),
        "incidents_crs": ("incidents_crs", _text),
        "layer": ("layer", _text),
        "river": ("river", _text),
        "id_column": ("id_column", _text),
        "name_column": ("name_column", _text),
        "load_column": ("load_column", _text),
        "loads": ("loads", _text),
        "station_columns": ("station_columns", _str_map),
        "incident_columns": ("incident_columns", _str_map),
        "date_from": ("date_from", _text),
        "date_to": ("date_to", _text),
        "outside_tolerance_m": ("outside_tolerance_m", _number(minimum=0)),
        "min_shared_m": ("min_shared_m", _number(minimum=0)),
    },
    "plan": {
        "zones": ("zones", _number(minimum=1, integer=True)),
        "urban_core": ("urban_core", _core),
        "objective": ("objective", _choice("travel", "balance")),
        "band": ("band", _number(minimum=0, maximum=1)),
        "frontier": ("frontier", _bands),
        "robust": ("robust", _bool),
        "balance": ("balance", _choice("load", "per_officer")),
        "tolerance": ("tolerance", _number(minimum=0)),
        "solver": ("solver", _choice("auto", "exact", "heuristic")),
        "time_limit": ("time_limit", _number(minimum=0.1)),
        "seed": ("seed", _number(minimum=0, maximum=MAX_SEED, integer=True)),
        "islands": ("islands", _choice("link", "error")),
        "alternatives": ("alternatives", _number(minimum=1, integer=True)),
        "alternatives_slack": ("alternatives_slack", _number(minimum=0)),
    },
    "weights": {},  # free table: category -> weight
    "objective": {
        "compactness": ("compactness_weight", _number(minimum=0)),
        "similarity": ("similarity_weight", _number(minimum=0)),
        "similarity_basis": ("similarity_basis", _choice("profile", "category")),
    },
    "staffing": {
        "band": ("staffing_band", _number(minimum=0)),
        "minimum": ("staffing_minimum", _number(minimum=0, integer=True)),
        "include_urban_core": ("staffing_include_core", _bool),
    },
    "links": {
        "forbidden": ("forbidden_links", _pairs),
        "forced": ("forced_links", _pairs),
    },
    "locks": {
        "zone": ("locks", _zone_map),
        "together": ("together", _groups),
    },
    "zone_names": {},  # free table: zone number -> name
    "centers": {
        "criteria": ("center_criteria", _weights),
        "center": ("center_locks", _names),
        "eligible": ("center_eligible", _choice("all", "case_area")),
        "case_team": ("case_team_locks", _names),
        "community_team": ("community_team_locks", _names),
        "features": ("features", _text),
        "name_after": ("name_after", _choice("auto", "center", "river", "peak")),
    },
    "roads": {
        "source": ("roads", _roads),
        "within_minutes": ("within_minutes", _number(minimum=0)),
        "detour_factor": ("detour_factor", _number(minimum=1)),
        "speed_kph": ("straight_speed_kph", _number(minimum=1)),
        "max_snap_m": ("max_snap_m", _number(minimum=0)),
        "hwy_speeds": ("hwy_speeds", _weights),
    },
    "output": {
        "out": ("out", _text),
        "title": ("title", _text),
        "lang": ("lang", _choice("zh", "en")),
        "online": ("online", _bool),
        "print": ("print_map", _bool),
        "basemap": ("basemap", _text),
        "tianditu_key": ("tianditu_key", _text),
    },
}
_PATH_FIELDS = {"stations", "incidents", "loads", "baseline", "river", "features", "roads", "out"}
#: Scenario field -> the rule its value must satisfy (the file's and the command line's).
#: Fields whose command-line text the check turns into the field's value.
_CONVERTED = frozenset({"frontier"})
_CHECKS: dict[str, Callable[[Any], Any]] = {
    name: check for spec in _SPEC.values() for name, check in spec.values()
}


def scenario_from_toml(path: str | Path) -> Scenario:
    """Read a scenario file, reporting every unknown key and bad value at once.

    Parameters
    ----------
    path
        A TOML file. Relative input/output paths in it are resolved against
        the file's folder.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        If the file cannot be read or any key or value is wrong.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            tr(f"{path}：场景文件不存在", f"{path}: scenario file not found")
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(
            tr(
                f"{path}：不是有效的 TOML（{exc}）；可用 `zoning init` 生成模板",
                f"{path}: not valid TOML ({exc}); `zoning init` writes a template",
            )
        ) from None
    return _from_raw(raw, path)


def _from_raw(raw: Mapping[str, Any], path: Path) -> Scenario:
    """Validate a parsed TOML document into a Scenario (paths resolved against ``path``)."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for section, body in raw.items():
        if section not in _SPEC:
            problems.append(
                tr(
                    f"{path}：未知的节 [{section}]，可用：{', '.join(_SPEC)}",
                    f"{path}: unknown section [{section}]; allowed: {', '.join(_SPEC)}",
                )
            )
            continue
        if not isinstance(body, dict):
            problems.append(
                tr(f"{path}：[{section}] 应为表", f"{path}: [{section}] must be a table")
            )
            continue
        if section == "weights":
            try:
                values["category_weights"] = _weights(body)
            except ValueError as exc:
                problems.append(_bad(path, "weights", "*", exc))
            continue
        if section == "zone_names":
            try:
                values["zone_names"] = _zone_names(body)
            except ValueError as exc:
                problems.append(_bad(path, "zone_names", "*", exc))
            continue
        spec = _SPEC[section]
        for key, value in body.items():
            if key not in spec:
                problems.append(
                    tr(
                        f"{path}：[{section}] 中未知的键 '{key}'，可用：{', '.join(spec)}",
                        f"{path}: unknown key '{key}' in [{section}]; allowed: {', '.join(spec)}",
                    )
                )
                continue
            name, check = spec[key]
            try:
                checked = check(value)
            except ValueError as exc:
                problems.append(_bad(path, section, key, exc, value))
                continue
            if name in _PATH_FIELDS and checked != "download":
                checked = (path.parent / checked).resolve()
            values[name] = checked
    if problems:
        raise InputError(problems)
    return Scenario(**values)


def _bad(path: Path, section: str, key: str, exc: ValueError, value: Any = None) -> str:
    shown = "" if value is None else f" = {value!r}"
    return tr(
        f"{path}：[{section}].{key}{shown} 取值无效，应为：{exc}",
        f"{path}: [{section}].{key}{shown} is not valid; expected: {exc}",
    )


TEMPLATE = """\
# zoning 场景文件（scenario.toml）：一次规划的全部选择，可保存、共享、复现。
# 用法：zoning plan --config scenario.toml ；命令行选项优先于本文件。
# 相对路径以本文件所在目录为准。中文键名须加引号，例如 "刑事" = 3。

[input]
stations = "stations.geojson"      # 派出所辖区面（GeoJSON / Shapefile / GeoPackage）
incidents = "incidents.csv"        # 110 警情导出（CSV / Excel / GeoJSON）
# baseline = "current.csv"         # 现状防区（所 → 防区表，或 plan.geojson），用于方案前后对比
# incidents_crs = "gcj02"          # 警情坐标系：wgs84、gcj02（高德）、bd09（百度）或 EPSG:n
# layer = "派出所辖区"               # 站点文件有多个图层（GeoPackage）时读取哪一个
# load_column = "警情量"            # 不用警情文件时，直接用站点文件中的这一列作为警情量
# loads = "警情统计表.xlsx"          # 或：警情统计表（每所一行，合计列或按警情类别分列）
# date_from = "2025-01-01"         # 统计时段（含首尾）
# date_to = "2025-12-31"
# outside_tolerance_m = 500        # 辖区外的警情：500 米内归最近的所，否则不计
# min_shared_m = 50                # 共用边界不少于 50 米才算相邻

# [input.station_columns]          # 列名对照（通常可自动识别）
# station_name = "所名"

[plan]
zones = 5                          # 防区数（指导意见：每县不超过 5 个）
# urban_core = "城关派出所"          # 城关所单独成区；多个：["城关派出所", "城东派出所"]
#                                  # 不填则用站点文件的“城关”列
objective = "travel"               # travel：防区与中心所一并选定，警情加权通行时间最短
#                                  # balance：负荷均衡优先（旧方式）
band = 0.05                        # travel：均衡防区负荷极差 ≤ 5%；做不到时取最小极差 + 1 个百分点
frontier = [0.02, 0.05, 0.1, 0.2]  # 权衡曲线：各负荷带下的最优方案（[] 不计算）
robust = false                     # true：各季度（或年度）负荷都在带内，而不只是总量
balance = "load"                   # load：警情量均衡；per_officer：警情与警力相匹配
tolerance = 0.01                   # 均衡容差（平均负荷的 1%），之内再追求紧凑与相似
solver = "auto"                    # auto：≤50 个所用精确求解，否则用启发式
# time_limit = 10                  # 求解时限（秒）；默认精确求解 2 秒、启发式 20 秒
seed = 0                           # 随机种子：相同输入与种子得到相同方案
islands = "link"                   # 无相邻所的“孤岛”：link 连到最近的所；error 报错
alternatives = 1                   # 备选方案数（供会议比选），如 3
alternatives_slack = 0.02          # 备选方案的负荷极差最多比最优方案高 2 个百分点

[weights]                          # 警情类别权重（默认均为 1）
"刑事" = 1
"治安" = 1

[objective]                        # 均衡优先，其次：
compactness = 1.0                  # 紧凑（少切断相邻关系）
similarity = 0.5                   # 区内警情结构相似
similarity_basis = "profile"       # profile：警情类别+时段构成；category：仅警情类别

[staffing]                         # 警力调配测算（警力与警情相匹配）
band = 0.1                         # 各防区每名民警警情在平均值 ±10% 内
minimum = 3                        # 调配后每所至少保留的民警数（执法办案队不少于 3 人）
include_urban_core = false         # 城关防区是否参与调配（默认不参与）

[links]
forbidden = []                     # 禁止相连，如无桥的河：[["青山派出所", "石桥派出所"]]
forced = []                        # 强制相连，如渡口、跨界道路

[locks]
zone = {}                          # 锁定某所在某防区：{ "青山派出所" = 2 }
together = []                      # 必须同区：[["枫林派出所", "柳溪派出所"]]

[zone_names]                       # 防区命名（默认“中心所地名+防区”）
# "2" = "清溪防区"

[centers]                          # 中心所与两队驻地（按人口、面积、警情、复杂度、可达性评分）
# criteria = { population = 1, area_km2 = 1, load = 1, complexity = 1, accessibility = 1 }
center = []                        # 指定中心所：["青山派出所"]（所在防区以该所为中心所）
eligible = "all"                   # all：任何所可为中心所；case_area：仅有办案区的所
case_team = []                     # 指定执法办案队驻地
community_team = []                # 指定社区警务队驻地
# features = "features.geojson"    # 河流、山峰要素（OSM），用于防区命名
name_after = "auto"                # 防区命名：auto、center（中心所地名）、river、peak

[roads]                            # 通行时间
# source = "roads.graphml"         # 道路网络（.graphml / .osm），或 "download"（需联网）
within_minutes = 15                # 中心所通行时限 T（分钟）
detour_factor = 1.3                # 无道路网络时：直线距离 × 绕行系数
speed_kph = 40                     # 无道路网络时的估算车速（公里/小时）
max_snap_m = 2000                  # 驻地距道路超过此距离时改用直线估算

[output]
# out = "maps/my-county"           # 输出目录
# title = "某县多所连片防区规划（草案）"
lang = "zh"                        # zh 或 en
online = false                     # true：地图从 CDN 加载脚本（文件更小，需联网）
print = true                       # 输出 A4 打印图 map.png / map.pdf（false 更快）
# basemap = "osm"                  # 底图：osm、tianditu、gaode 或内网瓦片地址 http://…/{z}/{x}/{y}.png
# tianditu_key = ""                # 天地图密钥（会写入 HTML 文件）
"""


def write_template(path: str | Path) -> Path:
    """Write the commented scenario template (Chinese comments) to ``path``."""
    path = Path(path)
    if path.exists():
        raise InputError(
            tr(
                f"{path} 已存在；请换一个文件名或先删除它",
                f"{path} already exists; choose another name or delete it first",
            )
        )
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


__all__ = [
    "Scenario",
    "scenario_from_toml",
    "scenario_to_text",
    "scenario_to_toml",
    "write_template",
]


# --- writing scenario files (the reader's mirror image) ------------------------

#: Examples for unset options the template does not show.
_EXAMPLES = {"river": "river.geojson", "id_column": "所代码", "name_column": "派出所"}
_HINT = re.compile(r"^(?P<off>#\s*)?(?P<key>[a-z_]+) = (?P<value>.*?)\s*(?:#\s*(?P<note>.*))?$")
_HEADER = re.compile(r"^\[(?P<section>[a-z_]+)\]\s*(?:#\s*(?P<note>.*))?$")


def _template_hints() -> dict[tuple[str, str], tuple[str, str]]:
    """``(section, key) -> (example value, comment)`` from :data:`TEMPLATE`.

    The section header itself is stored under key ``""``. The template is the
    one place where options are explained, so written scenarios reuse its words.
    """
    hints: dict[tuple[str, str], tuple[str, str]] = {}
    section = ""
    for line in TEMPLATE.splitlines():
        if header := _HEADER.match(line):
            section = header["section"]
            hints[(section, "")] = ("", header["note"] or "")
        elif (hint := _HINT.match(line)) and (section, hint["key"]) not in hints:
            hints[(section, hint["key"])] = (hint["value"], hint["note"] or "")
    return hints


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_str(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, tuple | list):
        if value and all(isinstance(v, tuple | list) for v in value):
            rows = "".join(f"    {_toml_value(v)},\n" for v in value)
            return "[\n" + rows + "]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _path_text(value: Path, base: Path) -> str:
    """``value`` relative to ``base`` when they share more than the filesystem root."""
    target = Path(value).resolve()
    try:
        common = Path(os.path.commonpath([target, base]))
        if common == Path(common.anchor):
            return str(target)
        return Path(os.path.relpath(target, base)).as_posix()
    except ValueError:  # different drives (Windows)
        return str(target)


def _key(text: str) -> str:
    """A TOML key: bare when it is plain ASCII, quoted otherwise (e.g. Chinese)."""
    return text if _BARE_KEY.fullmatch(text) else _toml_str(text)


def _line(key: str, value: str, hint: tuple[str, str] | None, *, unset: bool = False) -> str:
    text = f"{'# ' if unset else ''}{key} = {value}".rstrip()
    if not hint or not hint[1]:
        return text
    if "\n" in value:
        return f"# {hint[1]}\n{text}"
    return f"{text:<38} # {hint[1]}"


def scenario_to_text(scenario: Scenario, *, base: str | Path | None = None) -> str:
    """Render a scenario in the TOML layout that :func:`scenario_from_toml` reads.

    Parameters
    ----------
    scenario
        The scenario to write; every field is written (unset optional ones as
        commented-out examples).
    base
        Folder the file will live in (default: the current folder). Paths are
        written relative to it when they share more than the filesystem root
        with it, otherwise absolute. Relative paths in ``scenario`` are taken
        relative to the current folder, as on the command line.

    Returns
    -------
    str
        The TOML text. It is not validated; :func:`scenario_to_toml` is.
    """
    folder = Path(base if base is not None else Path.cwd()).resolve()
    hints = _template_hints()
    where = {name: (sec, key) for sec, spec in _SPEC.items() for key, (name, _) in spec.items()}
    where |= {"category_weights": ("weights", ""), "zone_names": ("zone_names", "")}
    sections: dict[str, list[str]] = {section: [] for section in _SPEC}
    tables: dict[str, list[str]] = {section: [] for section in _SPEC}
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        section, key = where[f.name]
        hint = hints.get((section, key))
        if not key:  # the free tables [weights] and [zone_names]
            numbers = f.name == "category_weights"
            sections[section] += [
                _line(_key(str(k)), _toml_value(float(v) if numbers else v), None)
                for k, v in value.items()
            ]
        elif value is None:
            example = hint[0] if hint else _toml_str(_EXAMPLES.get(key, ""))
            sections[section].append(_line(key, example, hint, unset=True))
        elif f.name in _PATH_FIELDS and value != "download":
            sections[section].append(_line(key, _toml_str(_path_text(value, folder)), hint))
        elif isinstance(value, Mapping) and value:
            body = [_line(_key(str(k)), _toml_value(v), None) for k, v in value.items()]
            tables[section].append("\n".join([f"[{section}.{key}]", *body]))
        else:
            sections[section].append(_line(key, _toml_value(value), hint))
    parts = [
        tr(
            "# zoning 场景文件：一次规划的全部选择。用法：zoning plan STATIONS --config 本文件\n"
            "# 相对路径以本文件所在目录为准；命令行选项优先于本文件。",
            "# zoning scenario: every choice of one planning run. Use: zoning plan STATIONS "
            "--config this file\n# Relative paths are relative to this file; options win.",
        )
    ]
    for section in _SPEC:
        note = hints.get((section, ""), ("", ""))[1]
        header = f"{f'[{section}]':<38} # {note}" if note else f"[{section}]"
        parts.append("\n".join([header, *sections[section]]))
        parts.extend(tables[section])
    return "\n\n".join(parts) + "\n"


def scenario_to_toml(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario file that :func:`scenario_from_toml` reads back unchanged.

    ``scenario_from_toml(scenario_to_toml(s, path)) == s`` for every valid
    scenario whose paths are absolute (relative paths are taken relative to
    the current folder and come back absolute). Paths are written relative to
    the file's folder when possible, so a folder holding the scenario and its
    data can be moved or shared as a whole. An existing file is replaced.

    Parameters
    ----------
    scenario
        The scenario to save (e.g. the one a ``zoning plan`` run used).
    path
        The ``.toml`` file to write; missing parent folders are created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        If the scenario holds a value a scenario file cannot hold (the same
        checks as :func:`scenario_from_toml`, e.g. ``zones = 0``); nothing is
        written then.
    """
    path = Path(path)
    folder = path.parent.resolve()
    text = scenario_to_text(scenario, base=folder)
    back = _from_raw(tomllib.loads(text), folder / path.name)
    resolved: dict[str, Any] = {
        name: Path(getattr(scenario, name)).resolve()
        for name in _PATH_FIELDS
        if getattr(scenario, name) not in (None, "download")
    }
    expected = replace(scenario, **resolved)
    if back != expected:  # pragma: no cover - a writer bug, caught by the property test
        raise AssertionError(f"scenario file does not round-trip: {back} != {expected}")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
