"""Offline bundle against the real package index (issue 14): needs the registry, takes minutes.

Skipped unless ``ZONING_REGISTRY_TESTS=1``; ``.ci/run`` sets it. The first
test builds the bundle for this machine's platform and Python with the CLI,
installs it into a fresh virtual environment with ``install.sh`` — inside a
network namespace with no network where ``unshare`` allows it — and runs
``zoning demo`` from there. The second checks that the Windows and ARM64 sets
are complete: every requirement resolves to a wheel for each Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import parse_wheel_filename

from zoning.bundle import (
    PYTHONS,
    build_zoning_wheel,
    host_target,
    resolve_targets,
    targets_from,
)

pytestmark = [
    pytest.mark.registry,
    pytest.mark.skipif(
        os.environ.get("ZONING_REGISTRY_TESTS") != "1",
        reason="needs the package registry: set ZONING_REGISTRY_TESTS=1",
    ),
]

ROOT = Path(__file__).resolve().parents[1]


def no_network() -> list[str]:
    """A command prefix that runs its command with no network, if this machine allows it."""
    for prefix in (["unshare", "--net"], ["unshare", "--user", "--map-root-user", "--net"]):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
        except OSError:
            return []
        if probe.returncode == 0:
            return prefix
    return []


def test_host_bundle_installs_offline_and_runs_the_demo(tmp_path: Path) -> None:
    host = host_target()
    out = tmp_path / "zoning-offline"
    options = ["--out", str(out), "--source", str(ROOT), "--no-zip", "--lang", "en"]
    options += ["--platform", host.platform, "--python", host.python]
    built = subprocess.run(
        [sys.executable, "-m", "zoning", "bundle", *options],
        capture_output=True,
        text=True,
        cwd=ROOT,  # this checkout's zoning builds the bundle
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    info = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    (target,) = info["targets"]
    assert target["complete"] and target["lock"] == f"requirements/{host.key}.txt"
    assert not list(out.glob("wheels/*.tar.gz")) and not list(out.glob("wheels/*.zip"))

    offline = no_network()
    env = {**os.environ, "PYTHON": sys.executable}
    install = subprocess.run(
        [*offline, "sh", str(out / "install.sh"), "--lang", "en"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "Verified: every file is intact." in install.stdout
    venv_python = out / "venv" / "bin" / "python"
    check = subprocess.run(
        [*offline, str(venv_python), "-m", "pip", "check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr

    demo = subprocess.run(
        [*offline, "sh", str(out / "zoning.sh"), "demo", "--out", "demo-out", "--quiet"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    result = tmp_path / "demo-out"
    for name in ("map.html", "plan.geojson", "zones.geojson", "report.json", "zones.xlsx"):
        assert (result / name).stat().st_size > 0, name
    report = json.loads((result / "report.json").read_text(encoding="utf-8"))
    assert (report["n_stations"], report["n_zones"]) == (21, 5)
    # the code that ran is the bundle's, not this checkout's
    where = subprocess.run(
        [str(venv_python), "-c", "import zoning; print(zoning.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(out / "venv")


def test_windows_and_arm64_sets_are_complete(tmp_path: Path) -> None:
    wheel = build_zoning_wheel(ROOT, tmp_path)
    targets = targets_from(["win_amd64", "manylinux_aarch64"], PYTHONS)
    results = resolve_targets([f"zoning[app] @ {wheel.as_uri()}"], targets=targets)
    problems = [f"{r.target.label}: {r.problem}" for r in results if not r.complete]
    assert not problems, "\n".join(problems)
    for result in results:
        names = {w.name for w in result.wheels}
        assert {"zoning", "pip", "numpy", "ortools", "pyogrio", "streamlit"} <= names
        cp = "cp" + result.target.python.replace(".", "")
        for wheel_file in result.wheels:
            tags = parse_wheel_filename(wheel_file.filename)[3]
            platforms = {t.platform for t in tags}
            if result.target.platform == "win_amd64":
                fits = bool(platforms & {"any", "win_amd64"})
            else:
                fits = "any" in platforms or any(p.endswith("_aarch64") for p in platforms)
            assert fits, wheel_file.filename
            assert any(t.interpreter in ("py3", "py2", cp) or t.abi == "abi3" for t in tags)
