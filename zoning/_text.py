"""User text as data: control characters out (stdlib only, cheap to import)."""

from __future__ import annotations

import re

#: Control characters (C0, DEL, C1): never part of a name, and in a terminal an
#: escape sequence (``\x1b[2J``) would act instead of being shown.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control characters; tabs and line breaks become spaces.

    With ``keep_newlines`` line breaks stay (for multi-line messages).
    """

    def repl(match: re.Match[str]) -> str:
        char = match.group()
        if char == "\n" and keep_newlines:
            return char
        return " " if char in "\t\n\r" else ""

    return CONTROLS.sub(repl, text)


def has_controls(text: object) -> bool:
    """Whether ``text`` holds a control character other than tab and line break."""
    return isinstance(text, str) and bool(CONTROLS.search(text.translate(_LAYOUT)))


_LAYOUT = str.maketrans("", "", "\t\n\r")
