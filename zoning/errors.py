"""Domain errors and warnings.

The library raises these; the CLI turns them into one clear message on stderr
and exit code 1 (never a traceback). Input checks *gather* every problem first
and raise a single :class:`InputError` listing them all.
"""

from __future__ import annotations

from collections.abc import Iterable


class ZoningError(Exception):
    """Base class of every error zoning raises on purpose."""


class InputError(ZoningError):
    """One or more problems with the user's input files or options.

    Parameters
    ----------
    problems
        Each problem as a full sentence naming the file, column, row ids and
        a fix.
    """

    def __init__(self, problems: str | Iterable[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__("\n".join(self.problems))


class InfeasibleError(ZoningError):
    """No plan satisfies the constraints; the message names stations and rules."""


class NoPlanFoundError(InfeasibleError):
    """The search used its budget up without a plan; none is proven not to exist."""


class NetworkUnavailableError(ZoningError):
    """Something needed the internet (a download) and could not reach it."""


class ZoningWarning(UserWarning):
    """A recoverable oddity in the input (a repaired polygon, a guessed CRS, …)."""


class ProblemList:
    """Collect input problems, then raise them all at once.

    Examples
    --------
    >>> problems = ProblemList()
    >>> problems.add("stations.geojson: column 'name' is missing")
    >>> problems.raise_if_any()
    Traceback (most recent call last):
    ...
    zoning.errors.InputError: stations.geojson: column 'name' is missing
    """

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        """Record one problem."""
        self.items.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise :class:`InputError` with every recorded problem, if any."""
        if self.items:
            raise InputError(self.items)
