"""The files of an offline bundle besides the wheels: scripts, 安装说明.txt, manifest, zip.

Every value put into these texts comes from zoning itself (platform names,
Python versions, the folder name), never from user data, and is substituted
with plain string formatting.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

from zoning._bundle_install import MANIFEST, sha256_of

__all__ = [
    "extract_demo",
    "install_bat",
    "install_sh",
    "launcher_bat",
    "launcher_sh",
    "notes_zh",
    "write_manifest",
    "write_text",
    "zip_folder",
]

#: Short platform names → how the notes call them.
PLATFORM_LABELS = {
    "win_amd64": "Windows 10/11 64 位（x86-64）",
    "manylinux_x86_64": "Linux x86-64（麒麟 Kylin、统信 UOS 等，glibc ≥ {glibc}）",
    "manylinux_aarch64": "Linux ARM64（飞腾、鲲鹏上的麒麟、统信 UOS 等，glibc ≥ {glibc}）",
}


def install_sh(pythons: Sequence[str]) -> str:
    """``install.sh``: find a supported ``python3.X`` and run ``install.py`` with it."""
    candidates = " ".join(f"python{v}" for v in sorted(pythons, reverse=True))
    versions = " or ".join(pythons)
    checks = " or ".join(
        f"sys.version_info[:2] == {tuple(map(int, v.split('.')))}" for v in pythons
    )
    return f"""#!/bin/sh
# zoning offline install (Linux x86-64 / ARM64): verify the bundle's files, create
# the virtual environment venv/ and install from wheels/ with pip --no-index.
# Usage: sh install.sh [--verify-only] [--venv DIR] [--lang en]
here=$(cd "$(dirname "$0")" && pwd)
for py in "${{PYTHON:-}}" {candidates} python3 python; do
    [ -n "$py" ] || continue
    command -v "$py" >/dev/null 2>&1 || continue
    if "$py" -c "import sys; sys.exit(not ({checks}))" 2>/dev/null; then
        exec "$py" "$here/install.py" "$@"
    fi
done
echo "未找到 Python {versions}（64 位）。请先安装，或用 PYTHON=python路径 sh install.sh 指定。" >&2
echo "Python {versions} (64-bit) not found; install it or set PYTHON=/path/to/python3." >&2
exit 1
"""


def install_bat(pythons: Sequence[str]) -> str:
    """``install.bat``: find a supported 64-bit Python (``py`` launcher first), run install.py.

    ASCII only: cmd.exe reads batch files in the console's code page.
    """
    lines = [
        "@echo off",
        "rem zoning offline install (Windows x86-64): verify the bundle's files, create",
        "rem the virtual environment venv\\ and install from wheels\\ with pip --no-index.",
        "rem Usage: install.bat [--verify-only] [--venv DIR] [--lang en]",
        "setlocal",
        'set "HERE=%~dp0"',
        'set "PY="',
    ]
    for version in sorted(pythons, reverse=True):
        lines.append(
            f'if not defined PY (py -{version}-64 -c "import sys" >nul 2>&1 '
            f'&& set "PY=py -{version}-64")'
        )
    checks = " or ".join(
        f"sys.version_info[:2] == {tuple(map(int, v.split('.')))}" for v in pythons
    )
    lines += [
        f'if not defined PY (python -c "import sys; sys.exit(not ({checks}))" >nul 2>&1 '
        '&& set "PY=python")',
        "if not defined PY (",
        f"    echo Python {' or '.join(pythons)} ^(64-bit^) was not found. Install it first,",
        "    echo see the install notes in this folder.",
        "    set CODE=1",
        "    goto :done",
        ")",
        '%PY% "%HERE%install.py" %*',
        "set CODE=%ERRORLEVEL%",
        ":done",
        'echo %CMDCMDLINE% | find /i "%~nx0" >nul && pause',
        "exit /b %CODE%",
    ]
    return "\r\n".join(lines) + "\r\n"


def _version_check(pythons: Sequence[str]) -> str:
    """A Python expression true when the running interpreter is one of ``pythons``."""
    return " or ".join(f"sys.version_info[:2] == ({v.replace('.', ', ')})" for v in pythons)


def launcher_bat() -> str:
    """``zoning.bat``: run zoning from the bundle's virtual environment."""
    return (
        "@echo off\r\n"
        "rem Run zoning from this bundle's virtual environment (run install.bat first).\r\n"
        'if not exist "%~dp0venv\\Scripts\\zoning.exe" (\r\n'
        "    echo zoning is not installed yet: run install.bat first.\r\n"
        "    exit /b 1\r\n"
        ")\r\n"
        '"%~dp0venv\\Scripts\\zoning.exe" %*\r\n'
    )


def launcher_sh() -> str:
    """``zoning.sh``: run zoning from the bundle's virtual environment."""
    return """#!/bin/sh
# Run zoning from this bundle's virtual environment (run install.sh first).
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/venv/bin/zoning" ]; then
    echo "尚未安装：请先运行 sh install.sh / not installed yet: run sh install.sh first" >&2
    exit 1
fi
exec "$here/venv/bin/zoning" "$@"
"""


def notes_zh(
    *, folder: str, zip_name: str | None, targets: Sequence[tuple[str, str]], glibc: str
) -> str:
    """``安装说明.txt``: what to copy, how to install and run the demo, how to open the map.

    Parameters
    ----------
    folder
        The bundle folder's name.
    zip_name
        The .zip beside it, if one is written.
    targets
        ``(platform, python)`` pairs the bundle can install.
    glibc
        The oldest glibc the Linux wheels accept, e.g. ``"2.28"``.
    """
    by_platform: dict[str, list[str]] = {}
    for platform, python in targets:
        by_platform.setdefault(platform, []).append(python)
    supported = "\n".join(
        f"  · {PLATFORM_LABELS[p].format(glibc=glibc)}：Python {'、'.join(sorted(v))}"
        for p, v in by_platform.items()
    )
    copy = f"把整个 {folder} 文件夹"
    if zip_name:
        copy += f"（或 {zip_name}，拷贝后解压）"
    lines = f"""zoning 离线安装包（多所连片防区规划）

本文件夹用于在不能上网的电脑（如公安网）上安装 zoning，安装过程不访问任何网络。

适用于：
{supported}
前提：本机已安装上面所列版本之一的 64 位 Python（Windows 安装 Python 时勾选
“Add python.exe to PATH”，或使用自带的 py 启动器）。Python 安装程序需另行拷贝。

一、拷贝
  {copy}复制到本机硬盘，例如 D:\\{folder} 或 ~/{folder}。
  请勿直接在 U 盘上安装。

二、安装（先自动校验全部文件的 SHA-256，再离线安装到本文件夹的 venv 子目录）
  Windows：双击 install.bat，或在命令提示符中运行
      D:\\{folder}\\install.bat
  Linux：在终端中运行
      sh ~/{folder}/install.sh
  只校验、不安装：在命令后加 --verify-only；Linux 也可在本文件夹中运行
      sha256sum -c SHA256SUMS.txt

三、试运行示例县
  Windows：cd /d D:\\{folder}    然后运行    zoning.bat demo
  Linux：  cd ~/{folder}         然后运行    sh zoning.sh demo
  完成后用浏览器（Edge、Chrome、Firefox、360 等）打开本文件夹中的
  maps/demo/map.html 即可查看防区地图，地图无需联网。

四、使用自己的数据
  zoning.bat plan 辖区.geojson --incidents 警情.csv（Linux 用 sh zoning.sh …）
  结果写入 maps/辖区/。输入文件的格式可参照 demo 文件夹中的示例县数据；
  zoning.bat --help 列出全部命令，zoning.bat app 启动本机网页版。

常见问题
  · “未找到 Python”：先安装上面所列版本的 64 位 Python。
  · “文件已损坏或被改动”“缺少文件”：拷贝不完整，请从原始介质重新拷贝提示中的文件。
  · “本安装包不含本机平台”：在联网电脑上用
      zoning bundle --platform 平台 --python 版本
    重新生成（平台：win_amd64、manylinux_x86_64、manylinux_aarch64）。
  · Linux 提示 glibc 版本过低：本安装包需要 glibc ≥ {glibc}。
"""
    return lines.replace("\n", "\r\n")


def zip_folder(folder: Path, zip_path: Path) -> Path:
    """Write ``zip_path`` holding ``folder`` as its top-level folder.

    Wheels (already compressed) are stored, text is deflated; shell scripts
    keep their executable bit.
    """
    partial = zip_path.with_name(zip_path.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
            info = zipfile.ZipInfo.from_file(path, name)
            info.compress_type = (
                zipfile.ZIP_STORED if path.suffix == ".whl" else zipfile.ZIP_DEFLATED
            )
            if path.suffix == ".sh":
                info.external_attr = 0o100755 << 16
            with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1 << 20)
    partial.replace(zip_path)
    return zip_path


def write_text(path: Path, text: str, *, executable: bool = False) -> None:
    """Write ``text`` as UTF-8 exactly (no newline translation), optionally executable."""
    path.write_text(text, encoding="utf-8", newline="")
    if executable:
        path.chmod(0o755)


def write_manifest(folder: Path) -> None:
    """Write ``SHA256SUMS.txt``: every file's SHA-256, in ``sha256sum`` format."""
    lines = [
        f"{sha256_of(path)}  {path.relative_to(folder).as_posix()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    ]
    (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def extract_demo(wheel: Path, dest: Path) -> Path | None:
    """The demo county files shipped inside the zoning wheel (``zoning/_demo_data/``)."""
    prefix = "zoning/_demo_data/"
    with zipfile.ZipFile(wheel) as archive:
        members = [
            n for n in archive.namelist() if n.startswith(prefix) and not n.endswith((".py", "/"))
        ]
        if not members:
            return None
        dest.mkdir(parents=True)
        for member in members:
            (dest / member.removeprefix(prefix)).write_bytes(archive.read(member))
    return dest
