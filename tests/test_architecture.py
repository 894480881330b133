"""The package's shape: no import cycles, no private names across modules, a fast start-up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

import zoning

PACKAGE = Path(zoning.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "_assets" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports() -> tuple[nx.DiGraph, list[tuple[str, str]]]:
    """Every import between zoning modules (lazy ones inside functions too)."""
    modules = _modules()
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(modules)
    private = []
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zoning"):
                assert node.module is not None
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.append(full if full in modules else node.module)
                    if alias.name.startswith("_") and full not in modules:
                        private.append((name, full))
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("zoning")]
            graph.add_edges_from((name, t) for t in targets if t != name)
    return graph, private


def test_no_import_cycles() -> None:
    graph, _ = _imports()
    # the package __init__ re-exports from its submodules; that is not a cycle of concerns
    graph.remove_node("zoning")
    assert list(nx.simple_cycles(graph)) == []


def test_no_private_names_cross_modules() -> None:
    _, private = _imports()
    assert private == []


def test_the_stages_are_packages() -> None:
    for stage in ("io", "solve", "centers", "maps", "outputs", "workflow", "cli"):
        assert (PACKAGE / stage / "__init__.py").is_file(), stage


def test_the_cli_starts_without_heavy_libraries() -> None:
    """``zoning --help`` must not pay for osmnx, matplotlib, streamlit or scikit-learn."""
    code = (
        "import sys, zoning.cli\n"
        "heavy = ('osmnx', 'matplotlib', 'streamlit', 'sklearn', 'openpyxl', 'docx',"
        " 'geopandas', 'ortools', 'folium')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent
    )
    assert out.stdout.strip() == ""


def test_a_plan_without_roads_or_printing_never_imports_osmnx_or_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from zoning import Scenario, plan_from_files\n"
        "from zoning.io.demo import demo_folder\n"
        "d = demo_folder()\n"
        "plan_from_files(d / 'stations.geojson',"
        " scenario=Scenario(incidents=d / 'incidents.csv', frontier=()), write=False)\n"
        "print(','.join(m for m in ('osmnx', 'matplotlib', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert out.stdout.strip().splitlines()[-1:] in ([], [""])
