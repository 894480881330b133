"""Tiny hand-made wheels for the bundle tests: a fake package index in a folder."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Sequence
from pathlib import Path


def make_wheel(
    folder: Path,
    name: str,
    version: str = "1.0",
    *,
    tag: str = "py3-none-any",
    requires: Sequence[str] = (),
    extras: Sequence[str] = (),
    modules: dict[str, str] | None = None,
    scripts: dict[str, str] | None = None,
) -> Path:
    """Write a minimal valid wheel ``name-version-tag.whl`` into ``folder``.

    Parameters
    ----------
    requires
        ``Requires-Dist`` lines (markers allowed).
    extras
        ``Provides-Extra`` names.
    modules
        Module file name → source, installed at the top level.
    scripts
        Console script name → ``module:function``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    metadata += [f"Provides-Extra: {extra}" for extra in extras]
    metadata += [f"Requires-Dist: {line}" for line in requires]
    files = {f"{info}/METADATA": "\n".join(metadata) + "\n\n"}
    files[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        + "".join(f"Tag: {t}\n" for t in _expand(tag))
    )
    if scripts:
        lines = [f"{script} = {target}" for script, target in scripts.items()]
        files[f"{info}/entry_points.txt"] = "[console_scripts]\n" + "\n".join(lines) + "\n"
    for module, source in (modules or {}).items():
        files[module] = source
    record = []
    for path, text in files.items():
        data = text.encode()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def _expand(tag: str) -> list[str]:
    python, abi, platform = tag.split("-")
    return [
        f"{p}-{a}-{q}"
        for p in python.split(".")
        for a in abi.split(".")
        for q in platform.split(".")
    ]
