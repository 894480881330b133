"""Context layers (rivers, naming features): read like every other vector input.

Every vector file the tool reads goes through :func:`zoning.io.encoding.read_vector`,
so a GBK shapefile of rivers gets the same encoding detection as the stations.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from zoning._i18n import tr
from zoning.errors import InputError
from zoning.io.encoding import read_vector


def read_layer(path: str | Path | None, *, what: str | None = None) -> gpd.GeoDataFrame | None:
    """Read a context layer in WGS84, or ``None`` when no path is given.

    Parameters
    ----------
    path
        GeoJSON, Shapefile or GeoPackage.
    what
        What the layer is, for messages (default "图层" / "layer").

    Raises
    ------
    InputError
        If the file cannot be read or has no coordinate reference system.
    """
    if path is None:
        return None
    path = Path(path)
    label = what or tr("图层", "layer")
    try:
        frame, _ = read_vector(path)
    except InputError as exc:  # say which layer it was
        raise InputError([f"{label}：{problem}" for problem in exc.problems]) from None
    if frame.crs is None:
        raise InputError(
            tr(
                f"{path}：{label}没有坐标系（.prj 缺失？）；请另存为带坐标系的 GeoJSON",
                f"{path}: the {label} has no coordinate reference system (missing .prj?); "
                "save it as GeoJSON with a CRS",
            )
        )
    return frame.to_crs("EPSG:4326")
