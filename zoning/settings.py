"""Global, typed settings (osmnx style: module attributes you may assign).

Per-run planning choices live in :class:`zoning.scenario.Scenario`; this module
holds process-wide behaviour only.

Examples
--------
>>> import zoning.settings
>>> zoning.settings.log_console = True  # echo log lines to stderr
"""

from __future__ import annotations

import logging
from pathlib import Path

#: Echo log messages to stderr. Logging is silent by default.
log_console: bool = False
#: Level used when ``log_console`` is on.
log_level: int = logging.INFO
#: Where downloads (``--roads download``) are cached.
cache_folder: Path = Path.home() / ".cache" / "zoning"
#: Seconds before a network request gives up.
requests_timeout: float = 30.0
#: Guideline maximum number of zones per county (Haidong 2023).
guideline_max_zones: int = 5
#: Above this many stations the exact solver is not tried by ``solver="auto"``.
exact_max_stations: int = 50
#: CP-SAT models solved at once (one thread each) for a county of 31 stations or
#: more: 2 runs a second model (separator cuts up front) beside the main one, which
#: proves some plans the main one cannot prove within the budget; 1 runs the main
#: model only. For a given value the plan is the same on every machine.
solver_threads: int = 2
#: Minutes from a station to its 中心所 above which the report says why the plan
#: accepts it (the farthest station, and what a wider load band would give).
far_station_minutes: float = 50.0
#: Input files larger than this (MB; a zip counted uncompressed, a shapefile with
#: its .dbf) are refused before reading, with their size, instead of exhausting
#: memory. A county's year of 110 incidents is a few tens of MB.
max_input_mb: float = 512.0

_logger = logging.getLogger("zoning")
_logger.addHandler(logging.NullHandler())


def get_logger() -> logging.Logger:
    """Return the package logger, attaching a stderr handler if ``log_console``."""
    if log_console and not any(
        isinstance(h, logging.StreamHandler) and not isinstance(h, logging.NullHandler)
        for h in _logger.handlers
    ):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        _logger.addHandler(handler)
        _logger.setLevel(log_level)
    return _logger
