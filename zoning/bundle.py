"""Offline install bundle: zoning and every dependency as wheels, for machines with no internet.

The people who draft 防区 plans work on the public-security network, which is
cut off from PyPI. :func:`make_bundle` runs on a connected machine and writes a
folder (and a .zip of it) that installs zoning on Windows or Linux (x86-64 and
ARM64) with one command and no network:

- ``wheels/`` — the zoning wheel and, for each platform × Python pair, every
  dependency as a wheel (``pip download --only-binary=:all:``: never a source
  build on the receiving machine), each file stored once;
- ``requirements/<platform>-cp<XY>.txt`` — the exact set per pair with SHA-256
  hashes, installed with ``pip install --no-index --require-hashes``;
- ``install.bat`` / ``install.sh`` (run ``install.py``, standard library only:
  verify, create ``venv/``, install), ``zoning.bat`` / ``zoning.sh`` launchers,
  ``demo/`` (the demo county), ``安装说明.txt``, ``bundle.json`` and
  ``SHA256SUMS.txt`` (every file's SHA-256; :func:`verify_bundle` or
  ``install.py --verify-only`` check it).

A pair for which some dependency has no wheel is left out and named, with the
requirement that failed (:attr:`TargetResult.missing`). Environment markers are
evaluated for the target machine, not for the one building the bundle (see
:mod:`zoning._pip`), and every set is re-checked against its wheels' own
metadata (:func:`closure_problems`).

Examples
--------
>>> result = make_bundle("zoning-offline")  # doctest: +SKIP
>>> [(r.target.key, r.complete, r.size) for r in result.targets]  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.metadata
import json
import platform as _platform_module
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from zoning import _bundle_files, _bundle_install
from zoning._bundle_files import extract_demo, write_manifest, write_text, zip_folder
from zoning._i18n import tr
from zoning._pip import (
    GLIBC,
    PLATFORMS,
    closure_problems,
    markers_for,
    missing_from_output,
    platform_tags,
    run_pip,
    unknown_platform,
    wheel_glibc,
    wheel_requirements,
)
from zoning.errors import ZoningError

__all__ = [
    "GLIBC",
    "PLATFORMS",
    "PYTHONS",
    "BundleResult",
    "Target",
    "TargetResult",
    "WheelFile",
    "build_zoning_wheel",
    "bundle_from_requirements",
    "closure_problems",
    "copy_source",
    "find_source",
    "host_target",
    "make_bundle",
    "marker_environment",
    "platform_tags",
    "resolve_targets",
    "targets_from",
    "verify_bundle",
]

#: Python versions served by default.
PYTHONS = ("3.11", "3.12")

MANIFEST = _bundle_install.MANIFEST
INFO = _bundle_install.INFO
NOTES = "安装说明.txt"

Progress = Callable[[str], None]


@dataclass(frozen=True, order=True)
class Target:
    """One platform × Python pair a bundle serves.

    Parameters
    ----------
    platform
        One of :data:`PLATFORMS`.
    python
        ``"3.11"``, ``"3.12"`` …
    """

    platform: str
    python: str

    @property
    def key(self) -> str:
        """``"win_amd64-cp311"``: names the lock file of this pair."""
        return f"{self.platform}-cp{self.python.replace('.', '')}"

    @property
    def label(self) -> str:
        """``"win_amd64 · Python 3.11"``."""
        return f"{self.platform} · Python {self.python}"

    def pip_options(self) -> list[str]:
        """pip's target options: binary only, the platform tags, Python version, CPython."""
        options = ["--only-binary=:all:"]
        for tag in platform_tags(self.platform):
            options += ["--platform", tag]
        return [*options, "--python-version", self.python, "--implementation", "cp"]


@dataclass(frozen=True)
class WheelFile:
    """One wheel of a bundle.

    Parameters
    ----------
    filename
        The file's name in ``wheels/``.
    name, version
        Canonical project name and version, from the file name.
    sha256
        Hex digest of the file.
    size
        Bytes.
    """

    filename: str
    name: str
    version: str
    sha256: str
    size: int

    @classmethod
    def from_path(cls, path: Path) -> WheelFile:
        """Describe the wheel at ``path``."""
        name, version, _, _ = parse_wheel_filename(path.name)
        return cls(
            path.name, str(name), str(version), _bundle_install.sha256_of(path), _file_size(path)
        )


@dataclass
class TargetResult:
    """What resolving (and downloading) one target gave.

    Parameters
    ----------
    target
        The platform × Python pair.
    wheels
        Every wheel of the pair, sorted by name; empty when incomplete.
    missing
        Requirements with no usable wheel for the pair (pip's words,
        e.g. ``"pyarrow>=7.0"``).
    problem
        Why the pair is incomplete, in one paragraph; ``None`` when complete.
    seconds
        Time spent on the pair.
    """

    target: Target
    wheels: list[WheelFile] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        """Whether every requirement of the pair resolved to a wheel."""
        return self.problem is None and bool(self.wheels)

    @property
    def size(self) -> int:
        """Total bytes of the pair's wheels."""
        return sum(wheel.size for wheel in self.wheels)

    def glibc(self) -> str | None:
        """Oldest glibc all the pair's wheels accept (Linux pairs), e.g. ``"2.28"``."""
        if not self.target.platform.startswith("manylinux"):
            return None
        needed = max((wheel_glibc(w.filename) for w in self.wheels), default=(2, 5))
        return f"{needed[0]}.{needed[1]}"


@dataclass
class BundleResult:
    """A written bundle.

    Parameters
    ----------
    folder
        The bundle folder.
    zip_path
        The .zip of the folder, if written.
    targets
        One result per requested pair, complete or not.
    seconds
        Total build time.
    """

    folder: Path
    zip_path: Path | None
    targets: list[TargetResult]
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        """Whether every requested pair made it into the bundle."""
        return all(result.complete for result in self.targets)

    @property
    def size(self) -> int:
        """Bytes of the folder."""
        return sum(_file_size(path) for path in self.folder.rglob("*") if path.is_file())


def marker_environment(target: Target) -> dict[str, str]:
    """PEP 508 environment markers of a machine of the target's platform and Python.

    Examples
    --------
    >>> marker_environment(Target("win_amd64", "3.12"))["sys_platform"]
    'win32'
    """
    return markers_for(target.platform, target.python)


def targets_from(
    platforms: Iterable[str] = PLATFORMS, pythons: Iterable[str] = PYTHONS
) -> list[Target]:
    """Every platform × Python pair, checked and in a stable order.

    Raises
    ------
    ZoningError
        For an unknown platform or a Python version not written ``3.N`` (N ≥ 11).
    """
    platforms = list(dict.fromkeys(platforms))
    pythons = list(dict.fromkeys(pythons))
    problems = [unknown_platform(p) for p in platforms if p not in PLATFORMS]
    for python in pythons:
        major, _, minor = python.partition(".")
        if major != "3" or not minor.isdigit() or int(minor) < 11:
            problems.append(
                tr(
                    f"不支持的 Python 版本 {python!r}：zoning 需要 3.11 或更新（写作 3.11、3.12）",
                    f"unsupported Python version {python!r}: zoning needs 3.11 or newer "
                    "(write 3.11, 3.12)",
                )
            )
    if not platforms or not pythons:
        problems.append(tr("至少需要一个平台和一个 Python 版本", "need a platform and a Python"))
    if problems:
        raise ZoningError("\n".join(problems))
    return [Target(p, v) for p in platforms for v in pythons]


def host_target() -> Target:
    """The pair of the machine running this code (for a bundle to test here).

    Raises
    ------
    ZoningError
        When this machine is not one of :data:`PLATFORMS`.
    """
    platform = _bundle_install.this_platform()
    if platform is None:
        raise ZoningError(
            tr(
                f"本机平台（{sys.platform} {_platform_module.machine()}）不在 "
                f"{', '.join(PLATFORMS)} 之中",
                f"this machine ({sys.platform} {_platform_module.machine()}) is none of "
                f"{', '.join(PLATFORMS)}",
            )
        )
    return Target(platform, "{}.{}".format(*sys.version_info[:2]))


def resolve_targets(
    requirements: Sequence[str],
    *,
    targets: Sequence[Target],
    pip_args: Sequence[str] = (),
    progress: Progress | None = None,
) -> list[TargetResult]:
    """Resolve each target without keeping files: is every requirement a wheel?

    Runs ``pip install --dry-run --report`` for each pair (with the target's
    markers) and checks every resolved item is a wheel and the set is closed
    under the target's markers. Where the index serves metadata separately
    (PEP 658) pip fetches no wheel; otherwise it downloads them to a temporary
    folder, which costs as much as :func:`bundle_from_requirements`.

    Parameters
    ----------
    requirements
        Top-level requirements (zoning as ``"zoning[app] @ file:///…whl"``);
        ``pip`` is added, as in a bundle.
    targets
        Pairs to check.
    pip_args
        Extra pip options (e.g. ``["--no-index", "--find-links", DIR]``).
    progress
        Called with one line of text per pair.

    Returns
    -------
    list of TargetResult
        One per pair; ``wheels`` carry names, versions and hashes when the
        index gives them (``size`` is 0: nothing is kept).
    """
    requirements = _with_pip(requirements)
    results = []
    for target in targets:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="zoning-resolve-") as tmp:
            report_path = Path(tmp) / "report.json"
            result = run_pip(
                [
                    "install",
                    "--dry-run",
                    "--ignore-installed",
                    "--quiet",
                    "--target",
                    str(Path(tmp) / "target"),
                    "--report",
                    str(report_path),
                    *target.pip_options(),
                    *pip_args,
                    *requirements,
                ],
                environment=marker_environment(target),
            )
            outcome = TargetResult(target)
            if not result.ok:
                _record_pip_failure(outcome, result.stderr or result.stdout, result.tail())
            else:
                report = json.loads(report_path.read_text(encoding="utf-8"))
                _check_report(outcome, requirements, report)
        outcome.seconds = time.perf_counter() - started
        if progress:
            progress(_describe(outcome, kept=False))
        results.append(outcome)
    return results


def _check_report(outcome: TargetResult, requirements: Sequence[str], report: dict) -> None:
    dists: dict[str, tuple[str, Sequence[str]]] = {}
    not_wheels = []
    for item in report.get("install", []):
        meta = item["metadata"]
        name = str(canonicalize_name(meta["name"]))
        dists[name] = (meta["version"], meta.get("requires_dist") or [])
        url = item["download_info"]["url"]
        filename = url.rsplit("/", 1)[-1].split("#", 1)[0]
        if not filename.endswith(".whl"):
            not_wheels.append(f"{name} ({filename})")
            continue
        hashes = item["download_info"].get("archive_info", {}).get("hashes", {})
        outcome.wheels.append(
            WheelFile(filename, name, meta["version"], hashes.get("sha256", ""), 0)
        )
    outcome.wheels.sort(key=lambda w: w.name)
    environment = marker_environment(outcome.target)
    missing, _ = closure_problems(requirements, dists, environment)
    if not_wheels or missing:
        outcome.missing = not_wheels + missing
        outcome.problem = tr(
            "不是 wheel 或未解析：" + "；".join(outcome.missing),
            "not wheels or unresolved: " + "; ".join(outcome.missing),
        )


def bundle_from_requirements(
    requirements: Sequence[str],
    out: str | Path,
    *,
    targets: Sequence[Target],
    demo: Path | None = None,
    make_zip: bool = True,
    pip_args: Sequence[str] = (),
    progress: Progress | None = None,
) -> BundleResult:
    """Write an offline bundle for the given requirements and targets.

    Parameters
    ----------
    requirements
        Top-level requirements, zoning first (e.g. ``"zoning[app] @ file:///…whl"``);
        ``pip`` is added so the receiving side needs no pip of its own.
    out
        The bundle folder. Replaced if it holds an earlier bundle; refused if it
        holds anything else.
    targets
        Platform × Python pairs (:func:`targets_from`).
    demo
        A folder whose files are copied to ``demo/`` (the demo county).
    make_zip
        Also write ``<out>.zip`` holding the folder.
    pip_args
        Extra pip options for the downloads.
    progress
        Called with one line of text per step.

    Returns
    -------
    BundleResult
        The folder, the zip and one result per pair. Pairs with a missing wheel
        are named there and left out of the folder.

    Raises
    ------
    ZoningError
        When no pair is complete, or ``out`` is not free for a bundle.
    """
    started = time.perf_counter()
    out = Path(out).resolve()
    old_zip = out.with_name(out.name + ".zip")
    _check_out(out, old_zip)
    zip_path = old_zip if make_zip else None
    roots = _with_pip(requirements)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "wheels").mkdir(parents=True)
    try:
        results = []
        for number, target in enumerate(targets, 1):
            if progress:
                progress(
                    tr(
                        f"[{number}/{len(targets)}] {target.label}：解析并下载 wheel……",
                        f"[{number}/{len(targets)}] {target.label}: resolving and downloading…",
                    )
                )
            result = _download_target(roots, target, staging / "wheels", pip_args)
            if progress:
                progress("  " + _describe(result, kept=True))
            results.append(result)
        complete = [r for r in results if r.complete]
        if not complete:
            raise ZoningError(
                tr("没有任何平台的 wheel 齐全，未生成安装包：", "no pair is complete, no bundle:")
                + "\n"
                + "\n".join(f"{r.target.label}: {r.problem}" for r in results)
            )
        _write_texts(staging, out.name, zip_path, roots, results, demo)
        write_manifest(staging)
        shutil.rmtree(out, ignore_errors=True)
        old_zip.unlink(missing_ok=True)  # checked above: an earlier zip of this bundle
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if zip_path is not None:
        if progress:
            progress(tr(f"写出压缩包 {zip_path.name}……", f"Writing {zip_path.name}…"))
        zip_folder(out, zip_path)
    return BundleResult(out, zip_path, results, time.perf_counter() - started)


def make_bundle(
    out: str | Path = "zoning-offline",
    *,
    source: str | Path | None = None,
    platforms: Iterable[str] = PLATFORMS,
    pythons: Iterable[str] = PYTHONS,
    app: bool = True,
    make_zip: bool = True,
    pip_args: Sequence[str] = (),
    progress: Progress | None = None,
) -> BundleResult:
    """Build the zoning wheel and write the offline bundle for the chosen platforms.

    Parameters
    ----------
    out
        The bundle folder (default ``zoning-offline``).
    source
        The zoning source folder (with ``pyproject.toml``) or a ready zoning
        wheel; default: the current folder, else the checkout this code runs from.
    platforms, pythons
        The pairs to serve (:data:`PLATFORMS` × :data:`PYTHONS` by default).
    app
        Include the ``app`` extra (the Streamlit web app).
    make_zip
        Also write ``<out>.zip``.
    pip_args
        Extra pip options for the downloads.
    progress
        Called with one line of text per step.

    Returns
    -------
    BundleResult
        See :func:`bundle_from_requirements`.

    Raises
    ------
    ZoningError
        No zoning source found, the wheel does not build, no pair is complete.
    """
    started = time.perf_counter()
    targets = targets_from(platforms, pythons)
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="zoning-bundle-") as tmp:
        source_path = Path(source).resolve() if source else find_source()
        if source_path.suffix == ".whl":
            wheel = source_path
        else:
            if progress:
                progress(tr("构建 zoning 的 wheel……", "Building the zoning wheel…"))
            wheel = build_zoning_wheel(
                source_path, Path(tmp), exclude=(out, out.with_suffix(".zip"))
            )
        demo = extract_demo(wheel, Path(tmp) / "demo")
        extra = "[app]" if app else ""
        requirement = f"zoning{extra} @ {wheel.as_uri()}"
        result = bundle_from_requirements(
            [requirement],
            out,
            targets=targets,
            demo=demo,
            make_zip=make_zip,
            pip_args=pip_args,
            progress=progress,
        )
    result.seconds = time.perf_counter() - started
    return result


def find_source() -> Path:
    """The zoning source folder: the current folder, else the checkout of this code.

    Raises
    ------
    ZoningError
        When neither holds zoning's ``pyproject.toml``.
    """
    for candidate in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if _is_zoning_source(candidate):
            return candidate
    raise ZoningError(
        tr(
            "找不到 zoning 源码目录（含 pyproject.toml）：请在源码目录中运行，"
            "或用 --source 指定源码目录或 zoning 的 wheel 文件",
            "zoning's source folder (with pyproject.toml) not found: run in the source "
            "folder or pass --source with the folder or a zoning wheel",
        )
    )


def _is_zoning_source(folder: Path) -> bool:
    try:
        with open(folder / "pyproject.toml", "rb") as handle:
            return bool(tomllib.load(handle).get("project", {}).get("name") == "zoning")
    except (OSError, tomllib.TOMLDecodeError):
        return False


_SOURCE_JUNK = (
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "maps",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
)


def copy_source(source: Path, dest: Path, *, exclude: Iterable[Path] = ()) -> Path:
    """Copy zoning's source tree without what must not reach a wheel.

    In a git checkout the copy holds the files git tracks or would track (its
    ignore rules leave out virtual environments, ``build/`` — setuptools would
    package stale files from there —, ``*.egg-info``, outputs and caches);
    elsewhere everything but those folders. Bundle folders, their zips and the
    ``exclude`` paths are always left out.

    Parameters
    ----------
    source
        The folder holding zoning's ``pyproject.toml``.
    dest
        The copy (must not exist).
    exclude
        More paths to leave out (the bundle being written).

    Returns
    -------
    Path
        ``dest``.
    """
    source = source.resolve()
    skipped = {Path(p).resolve() for p in exclude}

    def left_out(path: Path) -> bool:
        if path.suffix in (".zip", ".partial") and path.with_suffix("") in skipped:
            return True
        if path.suffix == ".zip" and (path.with_suffix("") / INFO).is_file():
            return True
        for folder in (path, *path.parents):
            if folder == source:
                return False
            if folder in skipped or (folder.is_dir() and (folder / INFO).is_file()):
                return True
        return False

    listed = _git_files(source)
    if listed is None:

        def ignore(folder: str, names: list[str]) -> set[str]:
            here = Path(folder)
            return {
                name
                for name in names
                if name in _SOURCE_JUNK or name.endswith(".egg-info") or left_out(here / name)
            }

        shutil.copytree(source, dest, ignore=ignore)
        return dest
    dest.mkdir(parents=True)
    for relative in listed:
        path = source / relative
        if path.is_file() and not left_out(path):
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / relative)
    return dest


def _git_files(folder: Path) -> list[str] | None:
    """Files git tracks or would track below ``folder``; ``None`` outside a checkout."""
    try:
        done = subprocess.run(
            [
                "git",
                "-C",
                str(folder),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return sorted({name for name in done.stdout.decode("utf-8").split("\0") if name})


def build_zoning_wheel(source: Path, dest: Path, *, exclude: Iterable[Path] = ()) -> Path:
    """Build zoning's wheel (``pip wheel --no-deps``) from a clean copy of ``source``.

    Parameters
    ----------
    source
        The folder holding zoning's ``pyproject.toml``.
    dest
        Where the wheel is written.
    exclude
        More paths to leave out of the copy (see :func:`copy_source`).

    Returns
    -------
    Path
        The wheel file.
    """
    if not _is_zoning_source(source):
        raise ZoningError(
            tr(
                f"{source} 不是 zoning 的源码目录（缺少 pyproject.toml）",
                f"{source} is not zoning's source folder (no pyproject.toml)",
            )
        )
    copy = copy_source(source, dest / "source", exclude=exclude)
    result = run_pip(["wheel", "--no-deps", "--quiet", "--wheel-dir", str(dest), str(copy)])
    wheels = sorted(dest.glob("zoning-*.whl"))
    if not result.ok or not wheels:
        raise ZoningError(
            tr("无法构建 zoning 的 wheel：", "cannot build the zoning wheel: ") + result.tail()
        )
    return wheels[-1]


def verify_bundle(folder: str | Path) -> tuple[list[str], list[str]]:
    """Check every file of a bundle against ``SHA256SUMS.txt``.

    The same check ``install.py`` runs on the receiving machine.

    Returns
    -------
    tuple of (list of str, list of str)
        Problems (missing or altered files) and files not in the manifest.
    """
    return _bundle_install.verify(Path(folder))


def _file_size(path: Path) -> int:
    """Bytes of a file."""
    return path.stat().st_size


def _requirement(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise ZoningError(
            tr(f"无效的依赖写法 {text!r}：{exc}", f"invalid requirement {text!r}: {exc}")
        ) from None


def _with_pip(requirements: Sequence[str]) -> list[str]:
    """The requirements plus ``pip``: the receiving side installs with the bundle's own pip."""
    roots = list(requirements)
    if not any(canonicalize_name(_requirement(r).name) == "pip" for r in roots):
        roots.append("pip")
    return roots


def _check_out(out: Path, zip_path: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / INFO).is_file())):
        raise ZoningError(
            tr(
                f"{out} 已存在且不是 zoning 安装包，不会覆盖；请换一个 --out",
                f"{out} exists and is not a zoning bundle; it is not overwritten: "
                "choose another --out",
            )
        )
    if zip_path.exists():
        try:
            with zipfile.ZipFile(zip_path) as archive:
                ours = f"{out.name}/{INFO}" in archive.namelist()
        except (OSError, zipfile.BadZipFile):
            ours = False
        if not ours:
            raise ZoningError(
                tr(
                    f"{zip_path} 已存在且不是本安装包的压缩包，不会覆盖",
                    f"{zip_path} exists and is not this bundle's zip; it is not overwritten",
                )
            )


def _download_target(
    roots: Sequence[str], target: Target, wheels_dir: Path, pip_args: Sequence[str]
) -> TargetResult:
    started = time.perf_counter()
    outcome = TargetResult(target)
    with tempfile.TemporaryDirectory(prefix="zoning-download-") as tmp:
        result = run_pip(
            [
                "download",
                "--progress-bar",
                "off",
                "--dest",
                tmp,
                *target.pip_options(),
                *pip_args,
                *roots,
            ],
            environment=marker_environment(target),
        )
        if not result.ok:
            _record_pip_failure(outcome, result.stderr or result.stdout, result.tail())
        else:
            _collect(outcome, roots, sorted(Path(tmp).iterdir()), wheels_dir)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _collect(
    outcome: TargetResult, roots: Sequence[str], files: list[Path], wheels_dir: Path
) -> None:
    others = [f.name for f in files if f.suffix != ".whl"]
    if others:  # cannot happen with --only-binary=:all:, but never ship a source build
        outcome.missing = others
        outcome.problem = tr("不是 wheel：", "not wheels: ") + ", ".join(others)
        return
    dists = {}
    wheels = []
    for path in files:
        wheel = WheelFile.from_path(path)
        dists[wheel.name] = (wheel.version, wheel_requirements(path))
        wheels.append(wheel)
    missing, unused = closure_problems(roots, dists, marker_environment(outcome.target))
    if missing:
        outcome.missing = missing
        outcome.problem = tr(
            "下载的 wheel 不满足以下依赖：", "the downloaded wheels do not satisfy: "
        ) + "; ".join(missing)
        return
    for path, wheel in zip(files, wheels, strict=True):
        if wheel.name in unused:
            continue
        kept = wheels_dir / path.name
        if kept.exists() and _bundle_install.sha256_of(kept) != wheel.sha256:
            outcome.problem = tr(
                f"两个来源给出同名但内容不同的 {path.name}；请检查 pip 的索引设置",
                f"two sources gave different files named {path.name}; check pip's index settings",
            )
            outcome.wheels = []
            return
        if not kept.exists():
            shutil.move(path, kept)
        outcome.wheels.append(wheel)
    outcome.wheels.sort(key=lambda w: w.name)


def _record_pip_failure(outcome: TargetResult, output: str, tail: str) -> None:
    outcome.missing = missing_from_output(output)
    if outcome.missing:
        outcome.problem = tr(
            f"以下依赖没有适用于 {outcome.target.label} 的 wheel（不会在目标机上从源码编译）："
            + ", ".join(outcome.missing),
            f"no wheel for {outcome.target.label} (never built from source on the target): "
            + ", ".join(outcome.missing),
        )
    else:
        outcome.problem = tr("pip 失败：", "pip failed: ") + tail


def _describe(result: TargetResult, *, kept: bool) -> str:
    label = result.target.label
    if not result.complete:
        return tr(
            f"{label}：不完整{'，已跳过' if kept else ''} — {result.problem}",
            f"{label}: incomplete{', left out' if kept else ''} — {result.problem}",
        )
    size_mb = f"{result.size / 1e6:.1f} MB, " if kept else ""
    return tr(
        f"{label}：齐全，{len(result.wheels)} 个 wheel，{size_mb.replace(', ', '，')}"
        f"用时 {result.seconds:.0f} 秒",
        f"{label}: complete, {len(result.wheels)} wheels, {size_mb}{result.seconds:.0f} s",
    )


def _lock_text(target: Target, roots: Sequence[str], wheels: Sequence[WheelFile]) -> str:
    extras = {}
    for root in roots:
        requirement = _requirement(root)
        extras[str(canonicalize_name(requirement.name))] = sorted(requirement.extras)
    lines = [
        f"# zoning offline bundle: {target.label}. Installed by install.py with",
        "# pip install --no-index --find-links wheels --require-hashes -r <this file>",
    ]
    for wheel in wheels:
        name = wheel.name + (f"[{','.join(extras[wheel.name])}]" if extras.get(wheel.name) else "")
        lines.append(f"{name}=={wheel.version} --hash=sha256:{wheel.sha256}")
    return "\n".join(lines) + "\n"


def _write_texts(
    folder: Path,
    name: str,
    zip_path: Path | None,
    roots: Sequence[str],
    results: Sequence[TargetResult],
    demo: Path | None,
) -> None:
    complete = [r for r in results if r.complete]
    (folder / "requirements").mkdir()
    for result in complete:
        lock = folder / "requirements" / f"{result.target.key}.txt"
        lock.write_text(_lock_text(result.target, roots, result.wheels), encoding="utf-8")
    zoning = next((w for r in complete for w in r.wheels if w.name == "zoning"), None)
    info = {
        "format": 1,
        "zoning": zoning.version if zoning else None,
        "requirements": [_display_requirement(r) for r in roots],
        "built_with_pip": _pip_version(),
        "targets": [
            {
                "platform": r.target.platform,
                "python": r.target.python,
                "complete": r.complete,
                "lock": f"requirements/{r.target.key}.txt" if r.complete else None,
                "glibc": r.glibc() if r.complete else None,
                "wheels": [w.filename for w in r.wheels],
                "bytes": r.size,
                "missing": r.missing,
                "problem": r.problem,
            }
            for r in results
        ],
    }
    (folder / INFO).write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", "utf-8")
    pythons = sorted({r.target.python for r in complete})
    platforms = {r.target.platform for r in complete}
    shutil.copyfile(_bundle_install.__file__, folder / "install.py")
    if platforms & {"manylinux_x86_64", "manylinux_aarch64"}:
        write_text(folder / "install.sh", _bundle_files.install_sh(pythons), executable=True)
        write_text(folder / "zoning.sh", _bundle_files.launcher_sh(), executable=True)
    if "win_amd64" in platforms:
        write_text(folder / "install.bat", _bundle_files.install_bat(pythons))
        write_text(folder / "zoning.bat", _bundle_files.launcher_bat())
    notes = _bundle_files.notes_zh(
        folder=name,
        zip_name=zip_path.name if zip_path else None,
        targets=[(r.target.platform, r.target.python) for r in complete],
        glibc="{}.{}".format(*GLIBC),
    )
    (folder / NOTES).write_text(notes, encoding="utf-8-sig", newline="")
    if demo is not None:
        shutil.copytree(demo, folder / "demo")


def _pip_version() -> str:
    try:
        return importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _display_requirement(text: str) -> str:
    requirement = _requirement(text)
    requirement.url = None
    return str(requirement)
