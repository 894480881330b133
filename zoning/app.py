"""Planning web app (``zoning app``): change a choice, re-plan, see the map at once.

A Streamlit page, served on 127.0.0.1 by default. Streamlit serves its own
scripts, styles and fonts from the local server, and :func:`serve` switches
off everything that could reach outside: usage statistics, the external-IP
lookup, the browser auto-open when asked. The plan map is the same
self-contained offline HTML file ``zoning plan`` writes, embedded in an
iframe, so the page works on an isolated police network.

Run ``zoning app`` (or ``streamlit run zoning/app.py -- --lang en``). The page:

* loads station and incident files (uploads) or the demo county;
* sets K, category weights, the balance mode, the urban core, locks
  (keep a station with its current zone-mates), a group of stations that must share a
  zone, forbidden and forced links (select boxes of station names);
* re-plans on 「重新规划」 and shows the map, the zone table and what changed
  since the previous plan;
* downloads the map (HTML), the tables (Excel), the A4 print map (PNG and PDF)
  and the scenario file (:func:`zoning.scenario.scenario_to_text`), which
  reproduces the plan with ``zoning plan --config``.

Uploaded station files go through a column-mapping step (id, name, urban-core
flag, population, officers … chosen from the file's columns, recognised ones
preselected). Locks follow the stations, not zone numbers, and zones that
continue a zone of the previous plan keep its colour. User text in messages is
escaped for Markdown; the map itself holds it as data only (:mod:`zoning.maps._page`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zoning._i18n import Lang, set_language, tr
from zoning.errors import ZoningError

__all__ = ["require_streamlit", "serve"]

#: Streamlit options: local only, nothing sent anywhere, no developer menus.
SERVER_FLAGS = {
    "browser.gatherUsageStats": "false",
    "server.showEmailPrompt": "false",  # the prompt would send the address to streamlit.io
    "global.developmentMode": "false",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "client.toolbarMode": "minimal",
    "client.showErrorDetails": "false",
    "theme.base": "light",
    "logger.hideWelcomeMessage": "true",  # serve() prints the address itself
}


def require_streamlit() -> None:
    """Raise :class:`ZoningError` with the install command if Streamlit is missing."""
    try:
        import streamlit.web.cli  # noqa: F401
    except ImportError:
        raise ZoningError(
            tr(
                "网页版需要 Streamlit：pip install 'zoning[app]'",
                "the web app needs Streamlit: pip install 'zoning[app]'",
            )
        ) from None


def serve(
    *, host: str = "127.0.0.1", port: int = 8501, lang: Lang = "zh", open_browser: bool = True
) -> int:
    """Serve the app until interrupted (Ctrl+C).

    Parameters
    ----------
    host, port
        Address to listen on; the default accepts connections from this
        machine only.
    lang
        Page language (``"zh"`` or ``"en"``); ``?lang=en`` in the URL also works.
    open_browser
        Open the page in the default browser once the server is up.

    Returns
    -------
    int
        The server's exit code.

    Raises
    ------
    ZoningError
        If Streamlit is not installed.
    """
    require_streamlit()
    from streamlit import net_util
    from streamlit.web import cli as streamlit_cli

    # Streamlit asks checkip.amazonaws.com for the public address in some
    # configurations; an isolated network must see no such request.
    net_util.get_external_ip = lambda: None
    args = ["run", str(Path(__file__).resolve())]
    flags = SERVER_FLAGS | {
        "server.address": host,
        "server.port": str(port),
        "server.headless": "false" if open_browser else "true",
    }
    for key, value in flags.items():
        args += [f"--{key}", value]
    args += ["--", "--lang", lang]
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    print(tr(f"网页版：{url} （按 Ctrl+C 停止）", f"Web app: {url} (Ctrl+C stops it)"), flush=True)
    with warnings.catch_warnings():
        # the browser launcher Streamlit starts may outlive it: not the user's concern
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            streamlit_cli.main.main(args=args, prog_name="streamlit", standalone_mode=False)
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


# --- the page (runs inside Streamlit) ----------------------------------------------------------


@dataclass
class Data:
    """One county's inputs, read once per upload."""

    label: str
    stations_path: Path
    frame: Any  # canonical stations (GeoDataFrame)
    incidents: Any = None  # IncidentTable or None
    incidents_path: Path | None = None
    load_column: str | None = None
    loads_path: Path | None = None  # statistics table (--loads)
    id_column: str | None = None  # the column mapping chosen on upload
    name_column: str | None = None
    station_columns: dict[str, str] = field(default_factory=dict)
    base: Path = Path("/")  # folder the downloaded scenario's paths are relative to
    title: str | None = None
    river: Path | None = None
    names: list[str] = field(default_factory=list)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # "A — B" -> adjacent pair
    near: dict[str, tuple[str, str]] = field(default_factory=dict)  # nearby, not adjacent


def _language(st: Any) -> Lang:
    asked = st.query_params.get("lang")
    if asked in ("zh", "en"):
        return "en" if asked == "en" else "zh"
    argv = sys.argv[1:]
    if "--lang" in argv and argv.index("--lang") + 1 < len(argv):
        return "en" if argv[argv.index("--lang") + 1] == "en" else "zh"
    return "zh"


def _read_data(
    label: str,
    stations: Path,
    incidents: Path | None,
    *,
    load_column: str | None = None,
    loads: Path | None = None,
    id_column: str | None = None,
    name_column: str | None = None,
    columns: dict[str, str] | None = None,
    base: Path,
    title: str | None = None,
    river: Path | None = None,
) -> Data:
    import numpy as np

    from zoning import _schema as S
    from zoning.graph import graph_from_stations
    from zoning.io.incidents import incidents_from_file
    from zoning.io.stations import stations_from_file

    frame = stations_from_file(
        stations, id_column=id_column, name_column=name_column, columns=columns or None
    )
    table = incidents_from_file(incidents) if incidents is not None else None
    if loads is not None:  # read once now, so a bad table is reported on upload
        from zoning.io.loadtable import loads_table_from_file

        loads_table_from_file(loads, frame)
    names = {str(k): str(v) for k, v in frame[S.STATION_NAME].items()}
    graph = graph_from_stations(frame)
    links = {f"{names[u]} — {names[v]}": (names[u], names[v]) for u, v in graph.edges}
    ids = list(names)
    xy = np.array([graph.nodes[i]["pos"] for i in ids])  # metric seats, computed once
    near: dict[str, tuple[str, str]] = {}
    for i, sid in enumerate(ids):
        order = np.argsort(np.hypot(*(xy - xy[i]).T), kind="stable")
        others = [ids[j] for j in order[1:] if not graph.has_edge(sid, ids[j])][:4]
        for other in others:
            a, b = sorted((sid, other), key=ids.index)
            near[f"{names[a]} — {names[b]}"] = (names[a], names[b])
    return Data(
        label=label,
        stations_path=stations,
        frame=frame,
        incidents=table,
        incidents_path=incidents,
        load_column=load_column,
        loads_path=loads,
        id_column=id_column,
        name_column=name_column,
        station_columns=dict(columns or {}),
        base=base,
        title=title,
        river=river,
        names=list(names.values()),
        links=dict(sorted(links.items())),
        near=dict(sorted(near.items())),
    )


#: Station attributes the column-mapping step offers, with their labels.
MAPPABLE = (
    ("station_id", "编号列", "Id column"),
    ("station_name", "名称列", "Name column"),
    ("is_urban_core", "城关标记列", "Urban-core flag column"),
    ("population", "户籍人口列", "Population column"),
    ("officers", "警力列", "Officers column"),
    ("has_case_area", "办案区列", "Case-area column"),
    ("communities", "社区村居数列", "Communities column"),
    ("seat_lon", "驻地经度列", "Seat longitude column"),
    ("seat_lat", "驻地纬度列", "Seat latitude column"),
)


def column_choices(path: Path) -> tuple[list[str], dict[str, str]]:
    """The attribute columns of a station file and the ones recognised automatically.

    Returns
    -------
    columns, detected
        Every column except the geometry, and canonical name → column for the
        recognised ones (what :func:`zoning.io.stations.stations_from_file` would use).
    """
    from zoning.io.columns import STATION_ALIASES, resolve_columns
    from zoning.io.encoding import read_vector

    raw, _ = read_vector(path, None)
    columns = [str(c) for c in raw.columns if c != raw.geometry.name]
    detected, _ = resolve_columns(columns, STATION_ALIASES, {})
    return columns, {str(k): str(v) for k, v in detected.items()}


def locks_that_follow(
    locked: list[str], zone_of: dict[str, int], *, k: int, core: str | None
) -> tuple[dict[str, int], tuple[tuple[str, ...], ...]]:
    """Turn "keep these stations in their current zone" into scenario locks.

    The locks follow the stations, not the zone numbers: locked stations that
    share a zone now get one zone label, those of different zones different
    labels, numbered from the first label free of the urban core (zone 1), so a
    lock never points at a zone that a smaller K no longer has. When the locked
    stations span more zones than K allows, each zone's locked stations are kept
    together instead (their zones may then merge).

    Returns
    -------
    locks, together
        ``Scenario.locks`` (station name → zone) and extra ``Scenario.together`` groups.
    """
    kept = [n for n in locked if n in zone_of and n != core]
    zones = sorted({zone_of[n] for n in kept})
    labels = list(range(2 if core is not None else 1, k + 1))
    if len(zones) <= len(labels):
        label = dict(zip(zones, labels, strict=False))
        return {n: label[zone_of[n]] for n in kept}, ()
    groups = (tuple(n for n in kept if zone_of[n] == z) for z in zones)
    return {}, tuple(g for g in groups if len(g) >= 2)


def stable_colours(zones: Any, previous: Any | None) -> dict[int, str] | None:
    """Zone colours that repeat the previous plan's for the zones that continue it.

    Each zone takes the colour of the previous zone it overlaps most (see
    :func:`zoning.maps.style.matched_colours`); ``None`` without a previous plan.
    """
    if previous is None:
        return None
    from zoning.maps.style import matched_colours

    return matched_colours(zones, previous)


def _md(text: object) -> str:
    """User text for a Streamlit message: Markdown, HTML and LaTeX characters escaped."""
    return "".join("\\" + c if c in _MARKDOWN else c for c in str(text))


_MARKDOWN = set("\\`*_{}[]()<>#+-.!|~$:=&\"'")


def _demo_data() -> Data:
    from zoning.io.demo import demo_folder

    demo = demo_folder()
    return _read_data(
        tr("示例县（合成数据）", "demo county (synthetic)"),
        demo / "stations.geojson",
        demo / "incidents.csv",
        base=Path(demo.anchor),  # the installed demo: absolute paths in the scenario file
        title=tr("示例县 多所连片防区规划（草案）", "Demo county: defence zones (draft)"),
        river=demo / "river.geojson",
    )


def _save_upload(upload: Any, folder: Path) -> Path:
    """Write an uploaded file into ``folder``; a zipped Shapefile is unpacked."""
    path = folder / Path(upload.name).name
    path.write_bytes(upload.getvalue())
    if path.suffix.lower() != ".zip":
        return path
    unpacked = folder / path.stem
    with zipfile.ZipFile(path) as archive:
        archive.extractall(unpacked)
    shapes = sorted(unpacked.rglob("*.shp")) + sorted(unpacked.rglob("*.gpkg"))
    if not shapes:
        raise ZoningError(tr(f"{upload.name}：压缩包中没有 .shp 文件", f"{upload.name}: no .shp"))
    return shapes[0]


def _plan(
    data: Data, scenario: Any, out: Path, *, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Compute loads, partition, write the outputs into ``out``; time it all.

    The report carries the decision blocks the command line writes (before/after,
    staffing, incident profiles), so the downloaded Word report and Excel hold them.
    With the ``previous`` run, zones that continue a previous zone keep its colour
    (the ``colour`` column of the zones frame, used by every map).
    """
    from zoning.workflow.decision import add_decision_blocks
    from zoning.workflow.plan import load_from_scenario, write_outputs
    from zoning.workflow.run import plan_stations

    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load = load_from_scenario(
            data.frame,
            replace(scenario, load_column=None if data.incidents is not None else data.load_column),
            source=data.label,
            incidents=data.incidents,
        )
        result = plan_stations(data.frame, load, scenario=scenario, source=data.stations_path.name)
        add_decision_blocks(result, data.frame, scenario)
        before = previous["result"].zones if previous is not None else None
        colours = stable_colours(result.zones, before)
        if colours is not None:
            result.zones["colour"] = [colours[int(z)] for z in result.zones["zone"]]
        files = write_outputs(result, out, scenario=scenario)
    notes = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, Warning)))
    return {
        "result": result,
        "files": files,
        "scenario": scenario,
        "seconds": time.perf_counter() - started,
        "notes": notes,
    }


def _zone_table(result: Any) -> Any:
    import pandas as pd

    rows = []
    for z in result.report["zones"]:
        per_officer = z.get("load_per_officer")
        rows.append(
            {
                tr("防区", "Zone"): str(z["zone"]),
                tr("名称", "Name"): z["zone_name"],
                tr("中心所", "Centre"): z["center_name"],
                tr("派出所数", "Stations"): str(z["n_stations"]),
                tr("警情量", "Load"): f"{z['load']:,.0f}",
                tr("占比", "Share"): f"{z['share']:.1%}",
                tr("警力", "Officers"): "—"
                if z.get("officers") is None
                else f"{z['officers']:.0f}",
                tr("人均警情", "Load/officer"): "—"
                if per_officer is None
                else f"{per_officer:.0f}",
                tr("所含派出所", "Stations in zone"): z["stations"],
            }
        )
    return pd.DataFrame(rows).set_index(tr("防区", "Zone"))


def _sidebar_data(st: Any, state: Any) -> None:
    st.sidebar.header(tr("数据", "Data"))
    if st.sidebar.button(tr("使用示例县", "Use the demo county"), key="use_demo", type="primary"):
        _set_data(st, state, _demo_data)
    stations = st.sidebar.file_uploader(
        tr("派出所辖区（GeoJSON、GeoPackage 或压缩的 Shapefile）", "Station areas"),
        type=["geojson", "json", "gpkg", "zip"],
        key="stations_upload",
    )
    incidents = st.sidebar.file_uploader(
        tr("110 警情（CSV、Excel 或 GeoJSON）", "110 incidents (CSV, Excel, GeoJSON)"),
        type=["csv", "xlsx", "xls", "geojson", "json"],
        key="incidents_upload",
    )
    loads = st.sidebar.file_uploader(
        tr("或：警情统计表（每所一行，合计或分类别）", "or: incident counts per station (table)"),
        type=["csv", "xlsx", "xls"],
        key="loads_upload",
    )
    mapping = _column_mapping(st, state, stations)
    if mapping is None:
        column = ""
    else:
        none = tr("（不用）", "(none)")
        picked = st.sidebar.selectbox(
            tr("或：站点文件中的警情量列", "or: load column of the stations file"),
            [none, *mapping["columns"]],
            key="load_col",
        )
        column = "" if picked == none else str(picked)
    if st.sidebar.button(tr("载入上传的文件", "Load the uploaded files"), key="load_uploads"):
        sources = (incidents is not None) + (loads is not None) + bool(column.strip())
        if stations is None or mapping is None or sources != 1:
            st.sidebar.error(
                tr(
                    "请上传辖区文件，并给出一种警情来源：警情文件、警情统计表或警情量列",
                    "Upload stations and one load source: incidents, a count table or a column",
                )
            )
            return
        folder = mapping["folder"]

        def read() -> Data:
            i_path = _save_upload(incidents, folder) if incidents is not None else None
            l_path = _save_upload(loads, folder) if loads is not None else None
            extra = incidents if incidents is not None else loads
            label = stations.name + (f" + {extra.name}" if extra is not None else "")
            chosen = dict(mapping["chosen"])
            return _read_data(
                label,
                mapping["path"],
                i_path,
                load_column=column.strip() or None,
                loads=l_path,
                id_column=chosen.pop("station_id", None),
                name_column=chosen.pop("station_name", None),
                columns=chosen,
                base=folder,
            )

        _set_data(st, state, read)


def _column_mapping(st: Any, state: Any, upload: Any) -> dict[str, Any] | None:
    """The column-mapping step of an uploaded station file.

    The file is saved once per upload; every attribute column is offered for each
    station attribute (recognised ones preselected). Returns the saved path, its
    folder, the columns and the columns chosen (canonical name → column), or
    ``None`` before a file is uploaded or when it cannot be read.
    """
    if upload is None:
        return None
    key = (upload.name, getattr(upload, "file_id", None) or len(upload.getvalue()))
    saved = state.get("stations_saved")
    if saved is None or saved["key"] != key:
        folder = Path(tempfile.mkdtemp(prefix="zoning-upload-"))
        try:
            path = _save_upload(upload, folder)
            columns, detected = column_choices(path)
        except ZoningError as exc:
            st.sidebar.error(_md(exc))
            return None
        saved = {"key": key, "folder": folder, "path": path, "columns": columns}
        saved["detected"] = detected
        state["stations_saved"] = saved
    auto = tr("（自动识别）", "(recognised)")
    chosen: dict[str, str] = {}
    with st.sidebar.expander(tr("列对照", "Column mapping"), expanded=False):
        st.caption(
            tr(
                "如自动识别有误，请为每项选择站点文件中的列。",
                "If a column was not recognised, choose it from the station file.",
            )
        )
        for canon, zh, en in MAPPABLE:
            found = saved["detected"].get(canon)
            label = tr(zh, en) + (f"（{_md(found)}）" if found else "")
            value = st.selectbox(label, [auto, *saved["columns"]], key=f"col_{canon}")
            if value != auto:
                chosen[canon] = str(value)
    return {**saved, "chosen": chosen}


def _set_data(st: Any, state: Any, read: Any) -> None:
    try:
        with st.spinner(tr("正在读取数据…", "Reading the data…")):
            state["data"] = read()
    except ZoningError as exc:
        st.sidebar.error(_md(exc))
        return
    for key in ("k", "core", "locks", "together", "forbidden", "forced", "run", "previous"):
        state.pop(key, None)
    state.pop("stations_saved", None)  # the next upload starts a new folder
    state["replan"] = True


def _sidebar_options(st: Any, state: Any, data: Data) -> Any:
    from zoning import _schema as S
    from zoning.scenario import DEFAULT_FRONTIER, Scenario

    auto = tr("（按站点文件的“城关”列）", "(from the urban-core column)")
    pick = tr("选择派出所", "Choose stations")
    modes = {
        "load": tr("警情量均衡", "equal loads"),
        "per_officer": tr("警情与警力相匹配", "load matches officers"),
    }
    objectives = {
        "travel": tr(
            "通行时间最短（防区与中心所一并选定）", "least travel (zones and 中心所 together)"
        ),
        "balance": tr("负荷均衡优先", "balance first"),
    }
    eligibility = {
        "all": tr("全部", "all"),
        "case_area": tr("仅有办案区的所", "only those with a case-handling area"),
    }
    with st.sidebar.form("options"):
        st.header(tr("规划选择", "Choices"))
        k = st.number_input(
            tr("防区数 K", "Number of zones K"),
            min_value=1,
            max_value=max(1, len(data.names)),
            value=min(5, len(data.names)),
            step=1,
            key="k",
        )
        balance = st.radio(
            tr("均衡方式", "Balance"),
            ["load", "per_officer"],
            format_func=modes.__getitem__,
            horizontal=True,
            key="balance",
        )
        objective = st.radio(
            tr("目标", "Objective"),
            ["travel", "balance"],
            format_func=objectives.__getitem__,
            horizontal=True,
            key="objective",
        )
        band = st.number_input(
            tr("负荷带：各防区警情量极差上限（%）", "Load band: largest spread allowed (%)"),
            min_value=0.0,
            max_value=100.0,
            value=5.0,
            step=1.0,
            key="band",
            help=tr(
                "做不到时自动取可证明的最小极差 + 1 个百分点，并说明原因",
                "when no plan fits, the smallest provable spread + 1 point is used, and said so",
            ),
        )
        seconds = st.number_input(
            tr("求解时限（秒；0 = 默认）", "Solver time limit (s; 0 = default)"),
            min_value=0.0,
            max_value=600.0,
            value=0.0,
            step=1.0,
            key="time_limit",
            help=tr(
                "默认精确求解 2 秒、启发式 20 秒；方案未证明最优时加大时限通常可以证明",
                "default 2 s exact, 20 s heuristic; when a plan is not proven optimal a "
                "longer limit usually proves it",
            ),
        )
        st.session_state.setdefault("frontier", True)  # on by default, as on the command line
        ladder = st.checkbox(
            tr(
                "计算权衡曲线（2%、5%、10%、20% 负荷带）", "Trade-off ladder (2, 5, 10, 20 % bands)"
            ),
            key="frontier",
        )
        eligible = st.radio(
            tr("可作中心所的所", "Stations that may be 中心所"),
            ["all", "case_area"],
            format_func=eligibility.__getitem__,
            horizontal=True,
            key="center_eligible",
        )
        core = st.selectbox(tr("城关所", "Urban core"), [auto, *data.names], key="core")
        st.caption(tr("警情类别权重", "Incident category weights"))
        columns = st.columns(3)
        weights = {
            cat: columns[i % 3].number_input(
                cat, min_value=0.0, max_value=100.0, value=1.0, step=0.5, key=f"w_{cat}"
            )
            for i, cat in enumerate(S.CATEGORIES)
        }
        run = state.get("run")
        current = run["result"].plan if run else None
        locks = st.multiselect(
            tr("锁定（与当前防区的其他锁定所保持同区）", "Lock (keep in the current zone)"),
            data.names,
            key="locks",
            placeholder=pick,
        )
        together = st.multiselect(
            tr("必须同区的派出所", "Stations that must share a zone"),
            data.names,
            key="together",
            placeholder=pick,
        )
        forbidden = st.multiselect(
            tr("禁止相连（如无桥的河）", "Forbidden links (a river without a bridge)"),
            list(data.links),
            key="forbidden",
            placeholder=tr("选择相邻的两个所", "Choose adjacent pairs"),
        )
        forced = st.multiselect(
            tr("强制相连（如渡口）", "Forced links (a ferry)"),
            list(data.near),
            key="forced",
            placeholder=tr("选择邻近的两个所", "Choose nearby pairs"),
        )
        submitted = st.form_submit_button(tr("重新规划", "Re-plan"), type="primary")
    zone_of: dict[str, int] = {}
    if current is not None:
        zone_of = dict(zip(current[S.STATION_NAME], current[S.ZONE].astype(int), strict=True))
    core_name = None if core == auto else str(core)
    if core_name is None and S.IS_URBAN_CORE in data.frame:
        flagged = data.frame.loc[data.frame[S.IS_URBAN_CORE].astype(bool), S.STATION_NAME]
        core_name = str(flagged.iloc[0]) if len(flagged) == 1 else None
    lock_zones, lock_groups = locks_that_follow(list(locks), zone_of, k=int(k), core=core_name)
    groups = ((tuple(together),) if len(together) >= 2 else ()) + lock_groups
    scenario = Scenario(
        stations=data.stations_path,
        incidents=data.incidents_path,
        load_column=data.load_column,
        loads=data.loads_path,
        river=data.river,
        zones=int(k),
        objective=objective,
        band=float(band) / 100.0,
        time_limit=float(seconds) if float(seconds) > 0 else None,
        frontier=DEFAULT_FRONTIER if ladder else (),
        center_eligible=eligible,
        balance=balance,
        urban_core=None if core == auto else core,
        category_weights={c: float(w) for c, w in weights.items() if float(w) != 1.0},
        locks=lock_zones,
        together=groups,
        forbidden_links=tuple(data.links[x] for x in forbidden),
        forced_links=tuple(data.near[x] for x in forced),
        title=data.title,
        lang=state["lang"],
        id_column=data.id_column,
        name_column=data.name_column,
        station_columns=dict(data.station_columns),
    )
    return scenario, submitted


def _zones_of(plan: Any) -> dict[str, int]:
    return {str(s): int(z) for s, z in zip(plan["station_id"], plan["zone"], strict=True)}


def _results(st: Any, state: Any, data: Data) -> None:
    from zoning.workflow.compare import compare_assignments

    run, previous = state["run"], state.get("previous")
    result, report = run["result"], run["result"].report
    metrics = {
        "n_zones": report["n_zones"],
        "spread": report["spread"],
        "max_dev": report["max_dev"],
        "cut_edges": report["cut_edges"],
    }
    before = previous["result"].report if previous else None
    cols = st.columns(5)
    for col, key, label, fmt in (
        (cols[0], "n_zones", tr("防区数", "Zones"), "{:d}"),
        (cols[1], "spread", tr("负荷极差", "Load spread"), "{:.1%}"),
        (cols[2], "max_dev", tr("最大偏差", "Max deviation"), "{:.1%}"),
        (cols[3], "cut_edges", tr("切断相邻", "Cut adjacencies"), "{:d}"),
    ):
        delta = None
        if before is not None and before[key] != metrics[key]:
            change = metrics[key] - before[key]
            delta = fmt.format(change) if key in ("n_zones", "cut_edges") else f"{change:+.1%}"
        colour = "off" if key == "n_zones" else "inverse"  # lower is better, except K
        col.metric(label, fmt.format(metrics[key]), delta, delta_color=colour)
    cols[4].metric(tr("用时", "Time"), tr(f"{run['seconds']:.1f} 秒", f"{run['seconds']:.1f} s"))
    if previous is not None:
        ids = dict(zip(result.plan["station_id"], result.plan["station_name"], strict=True))
        _, moved = compare_assignments(_zones_of(previous["result"].plan), _zones_of(result.plan))
        names = _md("、".join(ids[s] for s in moved))
        st.info(
            tr(f"与上一方案相比调整了 {len(moved)} 个派出所：{names}", f"Moved: {len(moved)}")
            if moved
            else tr("与上一方案相比没有派出所调整防区。", "No station moved since the last plan.")
        )
    _travel(st, report)
    map_file = run["files"]["map"]
    if hasattr(st, "iframe"):
        st.iframe(map_file, height=640)
    else:  # Streamlit before st.iframe
        from streamlit.components.v1 import html

        html(map_file.read_text(encoding="utf-8"), height=640)
    st.subheader(tr("防区一览", "Zones"))
    st.table(_zone_table(result))
    before_after = before_after_table(report)
    if before_after is not None:
        st.subheader(tr("与现状对比", "Compared with today"))
        st.table(before_after)
    _downloads(st, run, data)
    for note in run["notes"]:
        st.warning(_md(note))


def before_after_table(report: dict[str, Any]) -> Any:
    """Today against the plan (``None`` without a ``before_after`` block), as the map shows it."""
    import pandas as pd

    from zoning.decision.display import before_after_rows

    ba = report.get("before_after")
    if not ba:
        return None
    rows = before_after_rows(ba)
    return pd.DataFrame(
        [r[1:] for r in rows],
        index=pd.Index([r[0] for r in rows], name=tr("指标", "Measure")),
        columns=[tr("现状", "Today"), tr("方案", "Plan")],
    )


def frontier_table(report: dict[str, Any]) -> Any:
    """The trade-off ladder as a table (``None`` without one): band, status, spread, minutes."""
    import pandas as pd

    from zoning.decision.tradeoff import status_text

    rows = report.get("frontier") or []
    if not rows:
        return None

    def num(value: Any, fmt: str) -> str:
        return "—" if value is None else fmt.format(value)

    return pd.DataFrame(
        [
            {
                tr("负荷带", "Band"): f"{r['band']:.0%}",
                tr("状态", "Status"): status_text(r),
                tr("负荷极差", "Spread"): num(r.get("spread"), "{:.1%}"),
                tr("平均通行（分钟）", "Mean (min)"): num(r.get("mean_minutes"), "{:.1f}"),
                tr("最远（分钟）", "Farthest (min)"): num(r.get("max_minutes"), "{:.1f}"),
                tr("15 分钟内", "Within 15 min"): num(r.get("share_within_15"), "{:.0%}"),
                tr("30 分钟内", "Within 30 min"): num(r.get("share_within_30"), "{:.0%}"),
            }
            for r in rows
        ]
    ).set_index(tr("负荷带", "Band"))


def _travel(st: Any, report: dict[str, Any]) -> None:
    """Travel figures, whether the plan is proven, the band and why, and the trade-off."""
    from zoning.decision.tradeoff import ladder_from_report, summary_lines

    figures = report.get("travel_figures") or {}
    solver = report.get("solver") or {}
    if figures.get("mean_minutes") is not None:
        cols = st.columns(4)
        cols[0].metric(
            tr("到中心所平均（按警情加权）", "Mean to 中心所 (weighted)"),
            tr(f"{figures['mean_minutes']:.1f} 分钟", f"{figures['mean_minutes']:.1f} min"),
        )
        cols[1].metric(
            tr("最远", "Farthest"),
            tr(f"{figures['max_minutes']:.1f} 分钟", f"{figures['max_minutes']:.1f} min"),
        )
        within = figures.get("share_within_15")
        cols[2].metric(
            tr("15 分钟内可达警情", "Incidents within 15 min"),
            "—" if within is None else f"{within:.0%}",
        )
        gap = solver.get("gap")
        cols[3].metric(
            tr("是否已证明最优", "Proven optimal?"),
            tr("已证明", "proven")
            if solver.get("status") == "optimal"
            else tr(f"差距 ≤ {gap:.1%}", f"gap ≤ {gap:.1%}")
            if gap is not None
            else tr("未证明", "not proven"),
        )
    for line in summary_lines(report):
        st.caption(_md(line.strip()))
    table = frontier_table(report)
    if table is not None:
        st.subheader(tr("权衡：负荷带与通行时间", "Trade-off: load band and travel time"))
        ladder = ladder_from_report(report)
        if ladder is not None:
            import pandas as pd

            chart = pd.DataFrame(
                {
                    tr("平均（分钟）", "mean (min)"): [p[1] for p in ladder.points],
                    tr("最远（分钟）", "farthest (min)"): [p[2] for p in ladder.points],
                },
                index=pd.Index([100 * p[0] for p in ladder.points], name=tr("负荷带 %", "band %")),
            )
            st.line_chart(chart, height=220)
        st.dataframe(table)


def _downloads(st: Any, run: dict[str, Any], data: Data) -> None:
    from zoning.scenario import scenario_to_text

    files = run["files"]
    cols = st.columns(6)
    cols[0].download_button(
        tr("下载地图（HTML）", "Download the map (HTML)"),
        files["map"].read_bytes(),
        file_name="map.html",
        mime="text/html",
        on_click="ignore",
        key="dl_map",
    )
    cols[1].download_button(
        tr("下载表格（Excel）", "Download the tables (Excel)"),
        files["xlsx"].read_bytes(),  # written with the other outputs by write_outputs
        file_name="zones.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="dl_excel",
    )
    cols[3].download_button(
        tr("下载方案报告（Word）", "Download the report (Word)"),
        files["docx"].read_bytes(),  # written from report.json by write_outputs
        file_name="report.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
        key="dl_docx",
    )
    for col, kind, label, mime in (
        (cols[4], "png", tr("下载打印地图（PNG）", "Download the print map (PNG)"), "image/png"),
        (
            cols[5],
            "pdf",
            tr("下载打印地图（PDF）", "Download the print map (PDF)"),
            "application/pdf",
        ),
    ):
        if kind in files:  # written unless printing is switched off
            col.download_button(
                label,
                files[kind].read_bytes(),
                file_name=f"map.{kind}",
                mime=mime,
                on_click="ignore",
                key=f"dl_{kind}",
            )
    text = scenario_to_text(replace(run["scenario"], out=None), base=data.base)
    cols[2].download_button(
        tr("下载场景文件（TOML）", "Download the scenario (TOML)"),
        text.encode("utf-8"),
        file_name="scenario.toml",
        mime="application/toml",
        on_click="ignore",
        key="dl_scenario",
    )


def main() -> None:
    """The page; Streamlit runs this on every interaction."""
    import streamlit as st

    # ``streamlit run`` puts this file's folder (zoning/) first on sys.path, where
    # graph.py, maps.py, load.py … would shadow any top-level module of that name.
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if not p or Path(p).resolve() != here]

    state = st.session_state
    state["lang"] = _language(st)
    set_language(state["lang"])
    st.set_page_config(page_title=tr("防区规划", "Defence zones"), layout="wide")
    st.title(tr("多所连片防区规划", "Cross-station defence zones"))
    _sidebar_data(st, state)
    data: Data | None = state.get("data")
    if data is None:
        st.info(
            tr(
                "在左侧上传派出所辖区和警情文件，或点击“使用示例县”。",
                "Upload station areas and incidents on the left, or click “Use the demo county”.",
            )
        )
        return
    st.caption(tr(f"数据：{_md(data.label)}", f"Data: {_md(data.label)}"))
    scenario, submitted = _sidebar_options(st, state, data)
    if submitted or state.pop("replan", False):
        out = Path(tempfile.mkdtemp(prefix="zoning-run-"))
        try:
            with st.spinner(tr("正在规划…", "Planning…")):
                run = _plan(data, scenario, out, previous=state.get("run"))
        except ZoningError as exc:
            st.error(_md(exc))
            shutil.rmtree(out, ignore_errors=True)
        else:
            old = state.get("previous")
            if old is not None:
                shutil.rmtree(old["files"]["map"].parent, ignore_errors=True)
            state["previous"], state["run"] = state.get("run"), run
    if state.get("run") is not None:
        _results(st, state, data)


if __name__ == "__main__":
    main()
