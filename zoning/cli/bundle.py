"""``zoning bundle``: the offline install bundle, a thin layer over :mod:`zoning.bundle`.

Registered on the main group in :mod:`zoning.cli`. The library is imported
only when the command runs (``import zoning.cli`` stays fast).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from zoning._i18n import tr
from zoning.cli._common import LANG, debug_option, errors_to_exit

if TYPE_CHECKING:
    from zoning.bundle import BundleResult

__all__ = ["bundle_command"]

#: Same as :data:`zoning.bundle.PLATFORMS` (a test keeps them equal).
PLATFORM_CHOICES = ("win_amd64", "manylinux_x86_64", "manylinux_aarch64")


@click.command("bundle")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("zoning-offline"),
    show_default=True,
    help="安装包文件夹（另写出同名 .zip）/ bundle folder (and a .zip of it)",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    type=click.Choice(PLATFORM_CHOICES),
    help="目标平台，可重复（默认全部）/ target platform, repeatable (default: all)",
)
@click.option(
    "--python",
    "pythons",
    multiple=True,
    metavar="3.N",
    help="目标 Python 版本，可重复（默认 3.11 和 3.12）/ target Python, repeatable",
)
@click.option("--no-app", is_flag=True, help="不含网页版（Streamlit）/ leave out the web app")
@click.option("--no-zip", is_flag=True, help="不写 .zip / no .zip of the folder")
@click.option(
    "--source",
    type=click.Path(exists=True, path_type=Path),
    help="zoning 源码目录或 wheel（默认当前目录）/ zoning source folder or wheel",
)
@click.option(
    "--check",
    is_flag=True,
    help="只检查各平台的 wheel 是否齐全，不写文件 / only check every pair has all wheels",
)
@click.option(
    "--verify",
    "verify_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="校验已有安装包的 SHA-256 / verify an existing bundle folder",
)
@click.option("--lang", type=LANG, help="界面语言 / language (zh, en)")
@debug_option
def bundle_command(
    out: Path,
    platforms: tuple[str, ...],
    pythons: tuple[str, ...],
    no_app: bool,
    no_zip: bool,
    source: Path | None,
    check: bool,
    verify_dir: Path | None,
    lang: str | None,
) -> None:
    """离线安装包：zoning 与全部依赖的 wheel、安装脚本、示例数据、校验清单。

    Write an offline install bundle for machines with no internet: every wheel
    for the chosen platforms and Pythons, install.bat / install.sh, the demo
    county, 安装说明.txt and a SHA-256 manifest. Needs pip's package index.
    """
    from zoning import bundle  # heavy imports after argument parsing

    with errors_to_exit(lang):
        if verify_dir is not None:
            _verify(verify_dir)
        chosen = {
            "platforms": platforms or bundle.PLATFORMS,
            "pythons": pythons or bundle.PYTHONS,
        }
        if check:
            _check(source, no_app=no_app, **chosen)
        result = bundle.make_bundle(
            out,
            source=source,
            app=not no_app,
            make_zip=not no_zip,
            progress=click.echo,
            **chosen,
        )
        _summary(result)
        if not result.complete:
            sys.exit(1)


def _verify(folder: Path) -> None:
    from zoning.bundle import verify_bundle

    problems, extras = verify_bundle(folder)
    for extra in extras:
        click.echo(tr(f"注意：清单外的文件 {extra}", f"note: file not in the manifest: {extra}"))
    for problem in problems:
        click.echo(tr("错误：", "Error: ") + problem, err=True)
    if problems:
        sys.exit(1)
    click.echo(
        tr(f"校验通过：{folder} 中的文件全部完好", f"Verified: every file in {folder} is intact")
    )
    sys.exit(0)


def _check(
    source: Path | None, *, no_app: bool, platforms: tuple[str, ...], pythons: tuple[str, ...]
) -> None:
    import tempfile

    from zoning import bundle

    targets = bundle.targets_from(platforms, pythons)
    with tempfile.TemporaryDirectory(prefix="zoning-check-") as tmp:
        where = source.resolve() if source else bundle.find_source()
        wheel = where if where.suffix == ".whl" else bundle.build_zoning_wheel(where, Path(tmp))
        extra = "" if no_app else "[app]"
        results = bundle.resolve_targets(
            [f"zoning{extra} @ {wheel.as_uri()}"], targets=targets, progress=click.echo
        )
    sys.exit(0 if all(r.complete for r in results) else 1)


def _summary(result: BundleResult) -> None:
    click.echo(tr("各平台：", "Pairs:"))
    for target in result.targets:
        if target.complete:
            click.echo(
                tr(
                    f"  {target.target.label}：齐全，{len(target.wheels)} 个 wheel，"
                    f"{target.size / 1e6:.1f} MB",
                    f"  {target.target.label}: complete, {len(target.wheels)} wheels, "
                    f"{target.size / 1e6:.1f} MB",
                )
            )
        else:
            click.echo(
                tr(
                    f"  {target.target.label}：未包含 — {target.problem}",
                    f"  {target.target.label}: left out — {target.problem}",
                ),
                err=True,
            )
    click.echo(
        tr(
            f"安装包：{result.folder}（{result.size / 1e6:.0f} MB，用时 {result.seconds:.0f} 秒）",
            f"Bundle: {result.folder} ({result.size / 1e6:.0f} MB, {result.seconds:.0f} s)",
        )
    )
    if result.zip_path is not None:
        mb = result.zip_path.stat().st_size / 1e6
        click.echo(
            tr(f"压缩包：{result.zip_path}（{mb:.0f} MB）", f"Zip: {result.zip_path} ({mb:.0f} MB)")
        )
    click.echo(
        tr(
            "把文件夹拷到隔离网电脑后：Windows 运行 install.bat，Linux 运行 sh install.sh"
            "（见其中的 安装说明.txt）",
            "Copy the folder to the isolated machine, then run install.bat (Windows) or "
            "sh install.sh (Linux); see 安装说明.txt inside.",
        )
    )
