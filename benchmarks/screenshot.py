"""Take a PNG screenshot of a local HTML file in headless Chromium, with no network.

Uses Chromium's own ``--headless --screenshot`` mode (no Python packages needed).
DNS is disabled with ``--host-resolver-rules`` so a page that tries to load
anything from the internet renders as it would on an isolated network.

Examples
--------
::

    python benchmarks/screenshot.py maps/plan.html maps/plan.png --size 1600x1000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Chromium flags for a quiet, reproducible, offline headless run.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium() -> str:
    """Return the Chromium executable (``$CHROMIUM``, /usr/bin/chromium or on PATH)."""
    for cand in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"):
        if cand and (found := shutil.which(cand)):
            return found
    raise SystemExit("chromium not found: apt-get install -y chromium fonts-noto-cjk")


def screenshot(
    html: Path, png: Path, *, width: int = 1400, height: int = 900, wait_ms: int = 3000
) -> Path:
    """Render ``html`` and save a ``width`` × ``height`` PNG to ``png``.

    Parameters
    ----------
    html
        Local HTML file.
    png
        Output PNG file.
    width, height
        Viewport size in CSS pixels.
    wait_ms
        Virtual time the page may run scripts before the shot.

    Returns
    -------
    Path
        ``png``.
    """
    png = png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="zoning-chromium-") as profile:
        cmd = [
            find_chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={wait_ms}",
            f"--screenshot={png}",
            html.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0 or not png.is_file():
        raise SystemExit(f"chromium failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="HTML file to render")
    parser.add_argument("png", type=Path, nargs="?", help="output PNG (default: beside the HTML)")
    parser.add_argument("--size", default="1400x900", help="viewport WIDTHxHEIGHT (1400x900)")
    parser.add_argument("--wait-ms", type=int, default=3000, help="script time budget (3000)")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))
    out = screenshot(
        args.html,
        args.png or args.html.with_suffix(".png"),
        width=width,
        height=height,
        wait_ms=args.wait_ms,
    )
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
