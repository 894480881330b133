"""pip for another machine: target tags and markers, the pip run, error parsing, closure.

``pip download --platform P --python-version V`` picks wheels by the *target's*
tags but evaluates environment markers (``tzdata; sys_platform == "win32"``)
against the machine pip runs on, so a Windows set built on Linux silently lacks
Windows-only dependencies (pypa/pip#11664). :func:`run_pip` therefore runs pip
in a child interpreter whose marker environment is the target's: it replaces
``pip._vendor.packaging.markers.default_environment`` before pip starts. The
result is still checked independently (:func:`zoning.bundle.closure_problems`).

Everything else is pip's own: the user's index, find-links and constraints
(pip config, ``PIP_*`` variables) are honoured on the connected machine.
"""

from __future__ import annotations

import email.parser
import json
import re
import subprocess
import sys
import zipfile
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from zoning._i18n import tr
from zoning.errors import ZoningError

__all__ = [
    "GLIBC",
    "PLATFORMS",
    "PipResult",
    "closure_problems",
    "markers_for",
    "missing_from_output",
    "platform_tags",
    "run_pip",
    "unknown_platform",
    "wheel_glibc",
    "wheel_requirements",
]

#: Platforms a bundle can serve, by the short names ``zoning bundle --platform`` takes.
PLATFORMS = ("win_amd64", "manylinux_x86_64", "manylinux_aarch64")
#: Oldest glibc the Linux wheels may need: 麒麟 Kylin V10 and 统信 UOS 20 ship 2.28.
GLIBC = (2, 28)

_MARKERS = {
    "win_amd64": {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_version": "10.0.19045",
    },
    "manylinux_x86_64": {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_version": "",
    },
    "manylinux_aarch64": {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "aarch64",
        "platform_release": "",
        "platform_version": "",
    },
}


# Runs in the child interpreter: argv[1] is the marker environment (JSON),
# the rest are pip's arguments.
_SHIM = """\
import json, sys
try:
    import pip._vendor.packaging.markers as markers
    from pip._internal.cli.main import main
except ImportError as exc:
    sys.stderr.write("zoning: this pip cannot be driven for another platform: %s\\n" % exc)
    sys.exit(3)
environment = json.loads(sys.argv[1])
markers.default_environment = lambda: dict(environment)
sys.exit(main(sys.argv[2:]))
"""

_NO_MATCH = re.compile(r"No matching distribution found for ([^\s;]+)")
_NO_VERSION = re.compile(r"Could not find a version that satisfies the requirement ([^\s;]+)")
_CONFLICT = re.compile(r"Cannot install (.+?) because these package versions have conflicting")


class PipResult:
    """Exit code and output of one pip run.

    Parameters
    ----------
    returncode, stdout, stderr
        As returned by :func:`subprocess.run`.
    """

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    @property
    def ok(self) -> bool:
        """Whether pip exited with code 0."""
        return self.returncode == 0

    def tail(self, lines: int = 6) -> str:
        """The last ``lines`` non-empty lines pip wrote to stderr (or stdout)."""
        text = self.stderr.strip() or self.stdout.strip()
        kept = [line for line in text.splitlines() if line.strip()]
        return "\n".join(kept[-lines:])


def run_pip(
    args: Sequence[str],
    *,
    environment: Mapping[str, str] | None = None,
    python: str | None = None,
) -> PipResult:
    """Run ``python -m pip ARGS``, with environment markers of another machine.

    Parameters
    ----------
    args
        pip's arguments, e.g. ``["download", "--only-binary=:all:", ...]``.
    environment
        The PEP 508 marker environment of the target machine; ``None`` runs pip
        unchanged.
    python
        The interpreter whose pip runs (default: this one).

    Returns
    -------
    PipResult
        Exit code and captured output; pip's failure is the caller's to report.
    """
    python = python or sys.executable
    if environment is None:
        command = [python, "-m", "pip", *args]
    else:
        command = [python, "-c", _SHIM, json.dumps(dict(environment)), *args]
    done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    return PipResult(done.returncode, done.stdout, done.stderr)


def missing_from_output(text: str) -> list[str]:
    """Requirements pip found no usable distribution for, named in its output.

    Parameters
    ----------
    text
        pip's stderr.

    Returns
    -------
    list of str
        Each requirement once, in order, e.g. ``["pyarrow>=7.0"]``; packages in
        conflict when pip reports a conflict instead.

    Examples
    --------
    >>> missing_from_output("ERROR: No matching distribution found for pyarrow>=7.0")
    ['pyarrow>=7.0']
    """
    found: list[str] = []
    for pattern in (_NO_MATCH, _NO_VERSION, _CONFLICT):
        for match in pattern.finditer(text):
            for item in re.split(r",\s*|\s+and\s+", match.group(1)):
                if item and item not in found:
                    found.append(item)
        if found:
            break
    return found


def platform_tags(platform: str) -> list[str]:
    """pip ``--platform`` values for a short platform name, most preferred first.

    pip does not widen ``manylinux_2_28_x86_64`` to older manylinux tags, so all
    of them are listed, from glibc :data:`GLIBC` down to the oldest.

    Examples
    --------
    >>> platform_tags("manylinux_aarch64")[:2]
    ['manylinux_2_28_aarch64', 'manylinux_2_27_aarch64']
    """
    if platform == "win_amd64":
        return ["win_amd64"]
    arch = platform.removeprefix("manylinux_")
    if platform not in PLATFORMS:
        raise ZoningError(unknown_platform(platform))
    oldest = 5 if arch == "x86_64" else 17
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(GLIBC[1], oldest - 1, -1)]
    legacy = ["manylinux2014", "manylinux2010", "manylinux1"] if arch == "x86_64" else []
    return tags + [f"{name}_{arch}" for name in legacy or ["manylinux2014"]]


def markers_for(platform: str, python: str) -> dict[str, str]:
    """PEP 508 environment markers of a machine of that platform running CPython ``python``.

    Examples
    --------
    >>> markers_for("win_amd64", "3.12")["sys_platform"]
    'win32'
    """
    if platform not in _MARKERS:
        raise ZoningError(unknown_platform(platform))
    full = f"{python}.0"
    return {
        **_MARKERS[platform],
        "implementation_name": "cpython",
        "implementation_version": full,
        "platform_python_implementation": "CPython",
        "python_version": python,
        "python_full_version": full,
    }


def unknown_platform(platform: str) -> str:
    """The message for a platform name not in :data:`PLATFORMS`."""
    return tr(
        f"未知平台 {platform!r}：可选 {', '.join(PLATFORMS)}",
        f"unknown platform {platform!r}: choose from {', '.join(PLATFORMS)}",
    )


def closure_problems(
    requirements: Sequence[str],
    dists: Mapping[str, tuple[str, Sequence[str]]],
    environment: Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """Check that a set of distributions holds everything the requirements need on a target.

    Parameters
    ----------
    requirements
        The top-level requirements, e.g. ``["zoning[app] @ file:///…", "pip"]``.
    dists
        Canonical name → (version, its ``Requires-Dist`` lines).
    environment
        The target's marker environment (:func:`markers_for`).

    Returns
    -------
    tuple of (list of str, list of str)
        Unmet requirements, each as ``"requirement (needed by X)"``, and names
        in ``dists`` nothing needs on the target.

    Examples
    --------
    >>> dists = {"a": ("1.0", ['b; sys_platform == "win32"']), "b": ("2.0", [])}
    >>> closure_problems(["a"], dists, {"sys_platform": "linux"})
    ([], ['b'])
    >>> closure_problems(["a"], {"a": dists["a"]}, {"sys_platform": "win32"})
    (['b; sys_platform == "win32" (needed by a 1.0)'], [])
    """
    missing: list[str] = []
    needed: set[str] = set()
    queue = deque((Requirement(text), "", frozenset[str]()) for text in requirements)
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        requirement, parent, parent_extras = queue.popleft()
        marker = requirement.marker
        if marker is not None and not _marker_true(marker, environment, parent_extras):
            continue
        name = str(canonicalize_name(requirement.name))
        dist = dists.get(name)
        if dist is None or not requirement.specifier.contains(dist[0], prereleases=True):
            missing.append(f"{requirement} (needed by {parent or 'the bundle'})")
            continue
        needed.add(name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        for line in dist[1]:
            queue.append((Requirement(line), f"{name} {dist[0]}", key[1]))
    return missing, sorted(set(dists) - needed)


def _marker_true(marker: Marker, environment: Mapping[str, str], extras: frozenset[str]) -> bool:
    """A dependency applies if its marker holds with no extra or with a requested one."""
    return any(marker.evaluate({**environment, "extra": extra}) for extra in ("", *sorted(extras)))


def wheel_requirements(path: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel's METADATA."""
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if n.count("/") == 1]
        meta = [n for n in names if n.endswith(".dist-info/METADATA")]
        if not meta:
            raise ZoningError(tr(f"{path.name} 不是有效的 wheel", f"{path.name} is not a wheel"))
        text = archive.read(meta[0]).decode("utf-8")
    return email.parser.HeaderParser().parsestr(text).get_all("Requires-Dist") or []


def wheel_glibc(filename: str) -> tuple[int, int]:
    """Oldest glibc a wheel accepts, from its most permissive manylinux tag."""
    legacy = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
    best: tuple[int, int] | None = None
    for tag in parse_wheel_filename(filename)[3]:
        plat = tag.platform
        version: tuple[int, int] | None = None
        if plat.startswith("manylinux_"):
            parts = plat.split("_")
            version = (int(parts[1]), int(parts[2]))
        else:
            version = legacy.get(plat.split("_", 1)[0])
        if version is not None and (best is None or version < best):
            best = version
    return best or (2, 5)
