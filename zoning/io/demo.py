"""Where the demo county 示例县 lives (installed package data or the checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from zoning._i18n import tr
from zoning.errors import ZoningError


def demo_folder() -> Path:
    """Folder holding the demo county files.

    Installed, they are the package ``zoning._demo_data`` (see pyproject.toml);
    run from a source checkout, they are ``data/demo/`` beside ``zoning/``.
    """
    try:
        return Path(str(resources.files("zoning._demo_data")))
    except ModuleNotFoundError:
        checkout = Path(__file__).resolve().parents[2] / "data" / "demo"
        if (checkout / "stations.geojson").is_file():
            return checkout
        raise ZoningError(
            tr(
                "找不到示例县数据（zoning._demo_data）；请重新安装 zoning",
                "demo county data (zoning._demo_data) not found; reinstall zoning",
            )
        ) from None
