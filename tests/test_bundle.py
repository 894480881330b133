"""Offline bundle (issue 14), without the network: a fake package index of tiny wheels.

pip itself runs (``--no-index --find-links`` the fake index, no pip config):
target markers, missing wheels, lock files, manifest, verify, scripts, zip,
and a real offline install with the bundled pip from ensurepip's wheel.
"""

from __future__ import annotations

import ensurepip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests._wheels import make_wheel
from zoning import _bundle_install, bundle
from zoning._pip import missing_from_output, wheel_glibc
from zoning.bundle import (
    Target,
    bundle_from_requirements,
    closure_problems,
    copy_source,
    host_target,
    marker_environment,
    platform_tags,
    resolve_targets,
    targets_from,
    verify_bundle,
)
from zoning.cli import bundle as cli_bundle
from zoning.cli import cli
from zoning.errors import ZoningError

WIN311 = Target("win_amd64", "3.11")
LINUX311 = Target("manylinux_x86_64", "3.11")


@pytest.fixture(scope="module")
def no_pip_config() -> Iterator[None]:
    """pip in these tests sees no config file and no PIP_* variables of the machine."""
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.upper().startswith("PIP_"):
                patch.delenv(key)
        patch.setenv("PIP_CONFIG_FILE", os.devnull)
        yield


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, no_pip_config: None) -> Path:
    """zoning 0.1.0 needing fakebin (Windows wheels only) and one dependency per OS."""
    folder = tmp_path_factory.mktemp("index")
    make_wheel(
        folder,
        "zoning",
        "0.1.0",
        requires=[
            "fakebin>=1",
            'winonly; sys_platform == "win32"',
            'linuxonly; sys_platform == "linux"',
            'fakeapp; extra == "app"',
        ],
        extras=["app"],
        modules={"zoning_demo_note.py": ""},
    )
    make_wheel(folder, "fakebin", "1.0", tag="cp311-cp311-win_amd64")
    make_wheel(folder, "fakebin", "1.0", tag="cp312-cp312-win_amd64")
    make_wheel(folder, "winonly", "1.0")
    make_wheel(folder, "linuxonly", "1.0")
    make_wheel(folder, "fakeapp", "2.0")
    make_wheel(folder, "pip", "99.0")
    return folder


def offline(folder: Path) -> list[str]:
    return ["--no-index", "--find-links", str(folder)]


# ---------------------------------------------------------------- pure rules


def test_closure_follows_target_markers_and_extras() -> None:
    dists = {
        "zoning": ("0.1.0", ['tzdata; sys_platform == "win32"', 'fakeapp; extra == "app"']),
        "tzdata": ("2026.1", []),
        "fakeapp": ("2.0", ["click>=8"]),
        "click": ("8.5", []),
    }
    win = marker_environment(WIN311)
    linux = marker_environment(LINUX311)
    assert closure_problems(["zoning[app]"], dists, win) == ([], [])
    assert closure_problems(["zoning[app]"], dists, linux) == ([], ["tzdata"])
    assert closure_problems(["zoning"], dists, win) == ([], ["click", "fakeapp"])
    missing, _ = closure_problems(["zoning[app]"], {**dists, "click": ("7.0", [])}, win)
    assert missing == ["click>=8 (needed by fakeapp 2.0)"]
    missing, _ = closure_problems(["zoning"], {"zoning": dists["zoning"]}, win)
    assert missing == ['tzdata; sys_platform == "win32" (needed by zoning 0.1.0)']


def test_marker_environment_per_target() -> None:
    env = marker_environment(Target("manylinux_aarch64", "3.12"))
    assert (env["sys_platform"], env["platform_machine"], env["python_version"]) == (
        "linux",
        "aarch64",
        "3.12",
    )
    assert marker_environment(WIN311)["platform_system"] == "Windows"


def test_platform_tags_list_every_manylinux_level_newest_first() -> None:
    x86 = platform_tags("manylinux_x86_64")
    assert x86[0] == "manylinux_2_28_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(x86)
    arm = platform_tags("manylinux_aarch64")
    assert arm[-1] == "manylinux2014_aarch64" and "manylinux_2_16_aarch64" not in arm
    assert platform_tags("win_amd64") == ["win_amd64"]


def test_targets_from_names_every_bad_choice() -> None:
    assert targets_from(["win_amd64"], ["3.11", "3.12"]) == [WIN311, Target("win_amd64", "3.12")]
    with pytest.raises(ZoningError) as caught:
        targets_from(["macos", "win_amd64"], ["3.8", "3.12"])
    assert "macos" in str(caught.value) and "3.8" in str(caught.value)


def test_cli_choices_match_the_library() -> None:
    assert cli_bundle.PLATFORM_CHOICES == bundle.PLATFORMS


def test_missing_from_pip_output() -> None:
    text = (
        "ERROR: Could not find a version that satisfies the requirement pyarrow>=7 "
        "(from streamlit) (from versions: none)\n"
        "ERROR: No matching distribution found for pyarrow>=7\n"
    )
    assert missing_from_output(text) == ["pyarrow>=7"]
    assert missing_from_output("ERROR: something else") == []


def test_wheel_glibc_is_the_most_permissive_tag() -> None:
    name = "numpy-2.4-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl"
    assert wheel_glibc(name) == (2, 27)
    assert wheel_glibc("a-1-cp311-cp311-manylinux2014_x86_64.whl") == (2, 17)
    assert wheel_glibc("a-1-py3-none-any.whl") == (2, 5)


# ------------------------------------------------------- pip with the fake index


def test_pip_resolves_with_the_targets_markers(index: Path) -> None:
    win, linux = resolve_targets(
        ["zoning[app]"], targets=[WIN311, LINUX311], pip_args=offline(index)
    )
    assert win.complete, win.problem
    assert [w.name for w in win.wheels] == ["fakeapp", "fakebin", "pip", "winonly", "zoning"]
    assert not linux.complete
    assert linux.missing == ["fakebin>=1"]
    assert "fakebin>=1" in (linux.problem or "")


@pytest.fixture(scope="module")
def built(index: Path, tmp_path_factory: pytest.TempPathFactory) -> bundle.BundleResult:
    """One bundle for three pairs; Linux lacks fakebin. Tests must not change it."""
    where = tmp_path_factory.mktemp("built")
    demo = where / "demo-src"
    demo.mkdir()
    (demo / "stations.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    return bundle_from_requirements(
        ["zoning[app]"],
        where / "zoning-offline",
        targets=[WIN311, Target("win_amd64", "3.12"), LINUX311],
        demo=demo,
        pip_args=offline(index),
    )


def test_bundle_names_the_missing_wheel_and_leaves_the_pair_out(
    built: bundle.BundleResult,
) -> None:
    folder = built.folder
    by_key = {r.target.key: r for r in built.targets}
    assert by_key["win_amd64-cp311"].complete and by_key["win_amd64-cp312"].complete
    linux = by_key["manylinux_x86_64-cp311"]
    assert not linux.complete and linux.missing == ["fakebin>=1"]
    assert not built.complete
    info = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    left_out = [t for t in info["targets"] if not t["complete"]]
    assert [(t["platform"], t["missing"]) for t in left_out] == [
        ("manylinux_x86_64", ["fakebin>=1"])
    ]
    assert sorted(p.name for p in (folder / "requirements").iterdir()) == [
        "win_amd64-cp311.txt",
        "win_amd64-cp312.txt",
    ]
    # nothing for the left-out pair: no Linux scripts, no linux-only wheel
    assert not (folder / "install.sh").exists()
    assert not list((folder / "wheels").glob("linuxonly*"))


def test_lock_files_pin_every_wheel_with_its_hash(built: bundle.BundleResult) -> None:
    folder = built.folder
    wheels = {p.name: p for p in (folder / "wheels").iterdir()}
    # each wheel stored once: the pure ones serve both Pythons
    assert sorted(wheels) == [
        "fakeapp-2.0-py3-none-any.whl",
        "fakebin-1.0-cp311-cp311-win_amd64.whl",
        "fakebin-1.0-cp312-cp312-win_amd64.whl",
        "pip-99.0-py3-none-any.whl",
        "winonly-1.0-py3-none-any.whl",
        "zoning-0.1.0-py3-none-any.whl",
    ]
    lock = (folder / "requirements" / "win_amd64-cp312.txt").read_text(encoding="utf-8")
    pins = [line for line in lock.splitlines() if not line.startswith("#")]
    digest = hashlib.sha256(wheels["fakebin-1.0-cp312-cp312-win_amd64.whl"].read_bytes())
    assert f"fakebin==1.0 --hash=sha256:{digest.hexdigest()}" in pins
    assert any(line.startswith("zoning[app]==0.1.0 --hash=sha256:") for line in pins)
    assert len(pins) == 5  # fakeapp, fakebin, pip, winonly, zoning


def test_manifest_covers_every_file_and_verify_catches_damage(
    built: bundle.BundleResult, tmp_path: Path
) -> None:
    folder = shutil.copytree(built.folder, tmp_path / "copy")
    manifest = _bundle_install.read_manifest(folder)
    files = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "SHA256SUMS.txt"
    }
    assert set(manifest) == files
    assert {"install.py", "install.bat", "zoning.bat", "安装说明.txt", "bundle.json"} <= files
    assert "demo/stations.geojson" in files
    assert verify_bundle(folder) == ([], [])
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS.txt"], cwd=folder, check=True)

    (folder / "wheels" / "winonly-1.0-py3-none-any.whl").write_bytes(b"tampered")
    (folder / "demo" / "stations.geojson").unlink()
    (folder / "wheels" / "extra-1.0-py3-none-any.whl").write_bytes(b"")
    (folder / "venv").mkdir()
    (folder / "venv" / "pyvenv.cfg").write_text("")
    problems, extras = verify_bundle(folder)
    assert problems == [
        "缺少文件：demo/stations.geojson",
        "文件已损坏或被改动：wheels/winonly-1.0-py3-none-any.whl",
    ]
    assert extras == ["wheels/extra-1.0-py3-none-any.whl"]

    runner = CliRunner()
    damaged = runner.invoke(cli, ["bundle", "--verify", str(folder)])
    assert damaged.exit_code == 1
    assert "winonly" in damaged.output
    script = subprocess.run(
        [sys.executable, str(folder / "install.py"), "--verify-only", "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 1
    assert "missing file: demo/stations.geojson" in script.stderr


def test_cli_verify_passes_on_an_intact_bundle(built: bundle.BundleResult) -> None:
    result = CliRunner().invoke(cli, ["bundle", "--verify", str(built.folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_scripts_and_notes(built: bundle.BundleResult) -> None:
    folder = built.folder
    assert (folder / "install.py").read_bytes() == Path(_bundle_install.__file__).read_bytes()
    bat = (folder / "install.bat").read_bytes()
    assert bat.isascii() and b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert b"py -3.12-64" in bat and b"py -3.11-64" in bat
    notes = (folder / "安装说明.txt").read_bytes()
    assert notes.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Notepad shows it right
    text = notes.decode("utf-8-sig")
    for needed in ("install.bat", "zoning.bat demo", "map.html", "--verify-only", "Python 3.11"):
        assert needed in text
    assert "Linux x86-64" not in text  # the left-out pair is not promised


def test_install_sh_is_valid_shell(tmp_path: Path) -> None:
    from zoning._bundle_files import install_sh, launcher_sh

    for name, text in (("install.sh", install_sh(["3.11", "3.12"])), ("zoning.sh", launcher_sh())):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        subprocess.run(["sh", "-n", str(path)], check=True)
    assert "python3.12 python3.11" in install_sh(["3.11", "3.12"])


def test_zip_holds_the_folder(built: bundle.BundleResult) -> None:
    assert built.zip_path is not None and built.zip_path.name == "zoning-offline.zip"
    with zipfile.ZipFile(built.zip_path) as archive:
        names = set(archive.namelist())
        assert "zoning-offline/SHA256SUMS.txt" in names
        assert "zoning-offline/安装说明.txt" in names
        assert archive.getinfo("zoning-offline/wheels/pip-99.0-py3-none-any.whl").compress_type == (
            zipfile.ZIP_STORED
        )
        assert archive.testzip() is None
    files = [p for p in built.folder.rglob("*") if p.is_file()]
    assert len(names) == len(files)


def test_cli_check_and_build_name_the_pairs(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command through pip's own settings: PIP_NO_INDEX and PIP_FIND_LINKS."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    wheel = str(index / "zoning-0.1.0-py3-none-any.whl")
    runner = CliRunner()
    both = ["--platform", "win_amd64", "--platform", "manylinux_x86_64", "--python", "3.11"]
    checked = runner.invoke(cli, ["bundle", "--check", "--source", wheel, *both, "--lang", "en"])
    assert checked.exit_code == 1
    assert "win_amd64 · Python 3.11: complete" in checked.output
    assert "manylinux_x86_64 · Python 3.11: incomplete" in checked.output
    assert "fakebin>=1" in checked.output
    assert not list(tmp_path.iterdir())  # --check writes nothing

    out = tmp_path / "offline"
    built = runner.invoke(
        cli, ["bundle", "--out", str(out), "--source", wheel, *both, "--no-zip", "--lang", "en"]
    )
    assert built.exit_code == 1  # one pair left out: not a full success
    assert "manylinux_x86_64 · Python 3.11: left out" in built.output
    assert (out / "requirements" / "win_amd64-cp311.txt").is_file()
    assert not (tmp_path / "offline.zip").exists()

    bad = runner.invoke(cli, ["bundle", "--platform", "macos"])
    assert bad.exit_code == 2


def test_rebuild_replaces_a_bundle_but_never_other_folders(index: Path, tmp_path: Path) -> None:
    out = tmp_path / "zoning-offline"
    first = bundle_from_requirements(["zoning"], out, targets=[WIN311], pip_args=offline(index))
    assert first.complete and first.zip_path is not None and first.zip_path.is_file()
    (out / "wheels" / "stale.whl").write_bytes(b"")
    again = bundle_from_requirements(
        ["zoning"], out, targets=[WIN311], make_zip=False, pip_args=offline(index)
    )
    assert again.complete and not (out / "wheels" / "stale.whl").exists()
    assert not first.zip_path.exists()  # a zip of the old folder would not match it
    assert verify_bundle(out) == ([], [])

    mine = tmp_path / "my-data"
    mine.mkdir()
    (mine / "stations.geojson").write_text("{}")
    with pytest.raises(ZoningError, match="不会覆盖"):
        bundle_from_requirements(["zoning"], mine, targets=[WIN311], pip_args=offline(index))
    assert (mine / "stations.geojson").read_text() == "{}"


def test_no_complete_pair_is_an_error(index: Path, tmp_path: Path) -> None:
    with pytest.raises(ZoningError, match="fakebin"):
        bundle_from_requirements(
            ["zoning"], tmp_path / "b", targets=[LINUX311], pip_args=offline(index)
        )
    assert not (tmp_path / "b").exists() and not (tmp_path / "b.partial").exists()


SOURCE_FILES = (
    "pyproject.toml",
    "zoning/__init__.py",
    "data/demo/stations.geojson",
    "build/lib/zoning/stale.py",
    ".venv/bin/python",
    "zoning.egg-info/PKG-INFO",
    "maps/demo/map.html",
    "zoning/__pycache__/x.pyc",
    "offline/bundle.json",
    "offline.zip",
    "elsewhere/x.txt",
)


def _source_tree(folder: Path) -> Path:
    for path in SOURCE_FILES:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text("x")
    return folder


def _copied(copy: Path) -> list[str]:
    return sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())


def test_copy_source_leaves_out_builds_venvs_and_bundles(tmp_path: Path) -> None:
    source = _source_tree(tmp_path / "src")
    copy = copy_source(source, tmp_path / "copy", exclude=[source / "elsewhere"])
    assert _copied(copy) == ["data/demo/stations.geojson", "pyproject.toml", "zoning/__init__.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_copy_source_in_a_checkout_follows_gitignore(tmp_path: Path) -> None:
    source = _source_tree(tmp_path / "src")
    (source / ".gitignore").write_text("build/\n.venv/\n*.egg-info/\n__pycache__/\nmaps/*\n")
    (source / "notes.txt").write_text("untracked but not ignored: part of the source")
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run(["git", "-C", str(source), "add", "pyproject.toml"], check=True)
    (source / "zoning" / "gone.py").write_text("")
    subprocess.run(["git", "-C", str(source), "add", "zoning/gone.py"], check=True)
    (source / "zoning" / "gone.py").unlink()  # tracked, deleted in the working tree
    copy = copy_source(source, tmp_path / "copy", exclude=[source / "elsewhere"])
    assert _copied(copy) == [
        ".gitignore",
        "data/demo/stations.geojson",
        "notes.txt",
        "pyproject.toml",
        "zoning/__init__.py",
    ]


# ------------------------------------------------------- the receiving side


def test_choose_target_explains_what_is_missing() -> None:
    info = {
        "targets": [
            {"platform": "win_amd64", "python": "3.11", "complete": True, "lock": "a"},
            {
                "platform": "manylinux_aarch64",
                "python": "3.11",
                "complete": False,
                "missing": ["pyarrow>=7"],
            },
        ]
    }
    target, _ = _bundle_install.choose_target(info, "win_amd64", "3.11")
    assert target is not None and target["lock"] == "a"
    target, why = _bundle_install.choose_target(info, "manylinux_aarch64", "3.11")
    assert target is None and "pyarrow>=7" in why
    target, why = _bundle_install.choose_target(info, "win_amd64", "3.13")
    assert target is None and "win_amd64 / Python 3.11" in why


def test_glibc_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bundle_install.sys, "platform", "linux")
    monkeypatch.setattr(_bundle_install.platform, "libc_ver", lambda: ("glibc", "2.27"))
    assert "2.28" in (_bundle_install.glibc_problem("2.28") or "")
    monkeypatch.setattr(_bundle_install.platform, "libc_ver", lambda: ("glibc", "2.36"))
    assert _bundle_install.glibc_problem("2.28") is None
    assert _bundle_install.glibc_problem(None) is None


def _ensurepip_pip_wheel() -> Path | None:
    wheels = sorted((Path(ensurepip.__file__).parent / "_bundled").glob("pip-*.whl"))
    return wheels[-1] if wheels else None


@pytest.mark.skipif(_ensurepip_pip_wheel() is None, reason="this Python ships no pip wheel")
def test_offline_install_ignores_the_machines_pip_settings(
    tmp_path: Path, index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """install.py: venv without ensurepip, the bundled pip, --no-index, hashes, no pip config."""
    del index  # only for its pip settings
    index = tmp_path / "index"
    index.mkdir()
    pip_wheel = _ensurepip_pip_wheel()
    assert pip_wheel is not None
    shutil.copy(pip_wheel, index)
    make_wheel(
        index,
        "zoning",
        "0.1.0",
        requires=["fakeapp"],
        modules={"fake_zoning.py": "def main():\n    print('zoning, version 0.1.0')\n"},
        scripts={"zoning": "fake_zoning:main"},
    )
    make_wheel(index, "fakeapp", "2.0")
    target = host_target()
    built = bundle_from_requirements(
        ["zoning"], tmp_path / "zoning-offline", targets=[target], pip_args=offline(index)
    )
    assert built.complete, built.targets[0].problem

    # a hostile pip setup on the receiving machine: must not matter
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nconstraint = /nonexistent/constraints.txt\nindex-url = x\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))
    monkeypatch.setenv("PIP_CONSTRAINT", "/nonexistent/constraints.txt")
    monkeypatch.setenv("PYTHON", sys.executable)
    folder = built.folder
    if target.platform == "win_amd64":
        command = ["cmd", "/c", str(folder / "install.bat")]
    else:
        command = ["sh", str(folder / "install.sh")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "zoning, version 0.1.0" in done.stdout
    launcher = ["sh", str(folder / "zoning.sh")] if target.platform != "win_amd64" else []
    if launcher:
        ran = subprocess.run(launcher, capture_output=True, text=True, check=True)
        assert ran.stdout.strip() == "zoning, version 0.1.0"
    installed = subprocess.run(
        [str(_bundle_install.venv_python(folder / "venv")), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
        env=_bundle_install.clean_environment(),
    )
    names = {row["name"].lower() for row in json.loads(installed.stdout)}
    assert names == {"fakeapp", "pip", "zoning"}
