"""Install zoning from an offline bundle: verify every file, then install with ``--no-index``.

This file is copied verbatim into each bundle as ``install.py`` (``install.bat``
and ``install.sh`` run it). It needs only the Python standard library, never
the network, and ignores the machine's pip configuration: the bundle's lock
file for this platform and Python names every wheel with its SHA-256, and pip
installs exactly those from ``wheels/``.

Usage::

    python install.py [--verify-only] [--venv DIR] [--lang en]

Steps: check ``SHA256SUMS.txt``; pick ``requirements/<platform>-cp<XY>.txt``
for this machine; create the virtual environment ``venv/`` (without ensurepip,
which some Linux distributions leave out) and run the bundled pip wheel into
it with ``--no-index --require-hashes``; check ``zoning --version``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import venv
from pathlib import Path

MANIFEST = "SHA256SUMS.txt"
INFO = "bundle.json"
#: Folders install and use create inside the bundle; not part of the manifest.
LOCAL_FOLDERS = ("venv", "maps")

_LANG = ["zh"]


def _t(zh: str, en: str) -> str:
    return en if _LANG[0] == "en" else zh


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 from the bundle's ``SHA256SUMS.txt`` (``sha256sum`` format)."""
    entries: dict[str, str] = {}
    text = (folder / MANIFEST).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep:
            digest, sep, name = line.partition(" *")
        if not sep or len(digest) != 64:
            raise ValueError(
                _t(f"{MANIFEST} 第 {number} 行格式不对", f"{MANIFEST} line {number} is malformed")
            )
        entries[name] = digest.lower()
    return entries


def verify(folder: Path) -> tuple[list[str], list[str]]:
    """Check every file of the bundle against its manifest.

    Parameters
    ----------
    folder
        The bundle folder (holding ``SHA256SUMS.txt``).

    Returns
    -------
    tuple of (list of str, list of str)
        Problems (missing or altered files, an unreadable manifest: the bundle
        must not be installed) and extra files not in the manifest (reported
        only; the install uses hashes, so they cannot slip in).
    """
    try:
        expected = read_manifest(folder)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return [_t(f"无法读取校验清单 {MANIFEST}：{exc}", f"cannot read {MANIFEST}: {exc}")], []
    problems = []
    for name in sorted(expected):
        path = folder / name
        if not path.is_file():
            problems.append(_t(f"缺少文件：{name}", f"missing file: {name}"))
        elif sha256_of(path) != expected[name]:
            problems.append(_t(f"文件已损坏或被改动：{name}", f"file altered or damaged: {name}"))
    extras = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        local = relative.split("/")[0] in LOCAL_FOLDERS or "__pycache__" in relative
        if path.is_file() and not local and relative != MANIFEST and relative not in expected:
            extras.append(relative)
    return problems, extras


def this_platform() -> str | None:
    """This machine's bundle platform name, or ``None`` when bundles have none for it."""
    machine = platform.machine().lower()
    if struct.calcsize("P") != 8:
        return None
    if sys.platform == "win32" and machine in ("amd64", "x86_64"):
        return "win_amd64"
    if sys.platform.startswith("linux") and machine in ("x86_64", "amd64"):
        return "manylinux_x86_64"
    if sys.platform.startswith("linux") and machine in ("aarch64", "arm64"):
        return "manylinux_aarch64"
    return None


def choose_target(info: dict, platform_name: str | None, python: str) -> tuple[dict | None, str]:
    """The bundle target for this machine, or ``None`` and the reason in one sentence."""
    targets = info.get("targets", [])
    for target in targets:
        if target["platform"] == platform_name and target["python"] == python:
            if target.get("complete"):
                return target, ""
            missing = ", ".join(target.get("missing") or []) or target.get("problem") or "?"
            return None, _t(
                f"本安装包在生成时缺少 {platform_name} / Python {python} 的 wheel：{missing}",
                f"this bundle lacks wheels for {platform_name} / Python {python}: {missing}",
            )
    available = ", ".join(
        f"{t['platform']} / Python {t['python']}" for t in targets if t.get("complete")
    )
    here = platform_name or f"{sys.platform} {platform.machine()} ({struct.calcsize('P') * 8} bit)"
    return None, _t(
        f"本安装包不含本机平台（{here} / Python {python}）；包含：{available}。"
        "请安装其中一种 64 位 Python，"
        "或在联网电脑上用 zoning bundle --platform … --python … 重新生成",
        f"this bundle has nothing for this machine ({here} / Python {python}); it holds: "
        f"{available}. Install one of those 64-bit Pythons or rebuild the bundle with "
        "zoning bundle --platform … --python …",
    )


def glibc_problem(required: str | None) -> str | None:
    """Why this Linux's C library is too old for the bundle's wheels, or ``None``."""
    if not required or not sys.platform.startswith("linux"):
        return None
    name, version = platform.libc_ver()
    if name != "glibc" or not version:
        return None  # cannot tell (musl would fail in pip with its own message)
    have = tuple(int(part) for part in version.split(".")[:2])
    need = tuple(int(part) for part in required.split(".")[:2])
    if have >= need:
        return None
    return _t(
        f"本机 glibc 版本 {version} 低于所需的 {required}（麒麟 V10、统信 UOS 20 及更新版本满足）",
        f"this machine's glibc {version} is older than the required {required}",
    )


def venv_python(venv_dir: Path) -> Path:
    """The interpreter inside a virtual environment."""
    if sys.platform == "win32":
        return venv_dir / "Scripts" / "python.exe"
    return venv_dir / "bin" / "python"


def make_venv(venv_dir: Path) -> None:
    """Create (or recreate) ``venv_dir`` without pip; refuse to clear a non-venv folder."""
    if venv_dir.exists() and any(venv_dir.iterdir()):
        if not (venv_dir / "pyvenv.cfg").is_file():
            raise OSError(
                _t(
                    f"{venv_dir} 已存在且不是虚拟环境，不会覆盖；请用 --venv 指定别的目录",
                    f"{venv_dir} exists and is not a virtual environment; choose another --venv",
                )
            )
        shutil.rmtree(venv_dir)
    venv.EnvBuilder(with_pip=False, clear=False).create(venv_dir)


def pip_command(folder: Path, venv_dir: Path, lock: str) -> list[str]:
    """The offline pip command: bundled pip wheel, only the bundle's wheels, hashes required.

    The pip that runs is the wheel the lock file names (``pip==X``), run
    straight from ``wheels/``; it installs every locked wheel, itself included.
    """
    version = None
    for line in (folder / lock).read_text(encoding="utf-8").splitlines():
        if line.startswith("pip=="):
            version = line.split("==", 1)[1].split()[0]
    wheels = sorted((folder / "wheels").glob(f"pip-{version}-*.whl")) if version else []
    if not wheels:
        raise OSError(_t(f"{lock} 中没有 pip 的 wheel", f"{lock} names no pip wheel"))
    return [
        str(venv_python(venv_dir)),
        str(wheels[0] / "pip"),
        "--isolated",
        "--disable-pip-version-check",
        "install",
        "--no-index",
        "--find-links",
        str(folder / "wheels"),
        "--only-binary=:all:",
        "--require-hashes",
        "--no-warn-script-location",
        "-r",
        str(folder / lock),
    ]


def clean_environment() -> dict[str, str]:
    """This process's environment without pip settings: no config file, no ``PIP_*``."""
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env.pop("PYTHONPATH", None)
    return env


def zoning_command(venv_dir: Path) -> Path:
    """The ``zoning`` console script inside the virtual environment."""
    if sys.platform == "win32":
        return venv_dir / "Scripts" / "zoning.exe"
    return venv_dir / "bin" / "zoning"


def main(argv: list[str] | None = None) -> int:
    """Verify the bundle and install zoning; return the exit code."""
    parser = argparse.ArgumentParser(description="zoning offline install / 离线安装")
    parser.add_argument("--verify-only", action="store_true", help="只校验文件 / only verify")
    parser.add_argument("--venv", type=Path, help="虚拟环境目录（默认 venv）/ target venv")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args(argv)
    _LANG[0] = args.lang
    folder = Path(__file__).resolve().parent

    print(_t("校验文件（SHA-256）……", "Verifying files (SHA-256)…"), flush=True)
    problems, extras = verify(folder)
    for extra in extras:
        print(_t(f"注意：清单外的文件 {extra}", f"note: file not in the manifest: {extra}"))
    if problems:
        for problem in problems:
            print(_t("错误：", "Error: ") + problem, file=sys.stderr)
        print(
            _t(
                "安装包不完整，请从原始介质重新拷贝上面列出的文件。",
                "The bundle is incomplete; copy the files listed above again.",
            ),
            file=sys.stderr,
        )
        return 1
    print(_t("校验通过：全部文件完好。", "Verified: every file is intact."))
    if args.verify_only:
        return 0

    info = json.loads((folder / INFO).read_text(encoding="utf-8"))
    python = "{}.{}".format(*sys.version_info[:2])
    target, reason = choose_target(info, this_platform(), python)
    refusal = reason if target is None else glibc_problem(target.get("glibc"))
    if target is None or refusal:
        print(_t("错误：", "Error: ") + (refusal or ""), file=sys.stderr)
        return 1

    venv_dir = (args.venv or folder / "venv").resolve()
    print(_t(f"创建虚拟环境：{venv_dir}", f"Creating the virtual environment: {venv_dir}"))
    try:
        make_venv(venv_dir)
        command = pip_command(folder, venv_dir, target["lock"])
    except OSError as exc:
        print(_t("错误：", "Error: ") + str(exc), file=sys.stderr)
        return 1
    print(_t("离线安装（不访问网络）……", "Installing offline (no network)…"), flush=True)
    env = clean_environment()
    if subprocess.call(command, env=env) != 0:
        print(
            _t("错误：pip 安装失败（见上方信息）", "Error: pip failed (see above)"), file=sys.stderr
        )
        return 1
    zoning = zoning_command(venv_dir)
    if subprocess.call([str(zoning), "--version"], env=env) != 0:
        print(_t("错误：zoning 无法启动", "Error: zoning does not start"), file=sys.stderr)
        return 1
    launcher = "zoning.bat" if sys.platform == "win32" else "sh zoning.sh"
    print(
        _t(
            f"安装完成。试运行：在本文件夹中执行 {launcher} demo，"
            "然后用浏览器打开 maps/demo/map.html。",
            f"Installed. Try it: run {launcher} demo in this folder, "
            "then open maps/demo/map.html in a browser.",
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
