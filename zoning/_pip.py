"""Run pip for another machine: target tags, target environment markers, error parsing.

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

import json
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

__all__ = ["PipResult", "missing_from_output", "run_pip"]

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
