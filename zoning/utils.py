"""Small helpers shared by several stages (JSON cleaning, name lists)."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import networkx as nx
import numpy as np

from zoning._i18n import tr


def display_names(graph: nx.Graph, names: Mapping[Any, str] | None) -> dict[Hashable, str]:
    """Return a display name for every node (the node id when not given)."""
    given = names or {}
    return {v: str(given.get(v, v)) for v in graph.nodes}


def join_names(items: Sequence[str], limit: int = 8) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    text = "、".join(shown)
    if more > 0:
        text += tr(f" 等 {len(items)} 个", f" and {more} more")
    return text


def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN/inf as ``None``, paths and times as text.

    The one JSON cleaner of zoning (solver reports, ``report.json``, the app).

    >>> jsonable({"a": np.float64("nan"), 2: (np.int64(3), Path("x"))})
    {'a': None, '2': [3, 'x']}
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def split_names(text: str) -> list[str]:
    """Station ids or names written in one field, split at , ， 、 ; ；.

    >>> split_names("城关派出所，城东派出所、 城西")
    ['城关派出所', '城东派出所', '城西']
    """
    return [part.strip() for part in re.split(r"[,，、;；]", text) if part.strip()]
