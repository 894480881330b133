"""Bilingual user-facing text: Simplified Chinese by default, English on request.

Every message a user can see is written once as a ``tr(zh, en)`` pair at the
place it is produced; the active language is a context variable set by the CLI
(``--lang``) or by :func:`zoning.settings.use_language`.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal

Lang = Literal["zh", "en"]

_LANG: ContextVar[Lang] = ContextVar("zoning_lang", default="zh")


def current_language() -> Lang:
    """Return the active user-facing language (``"zh"`` or ``"en"``)."""
    return _LANG.get()


def set_language(lang: Lang) -> None:
    """Set the active user-facing language for this context."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    _LANG.set(lang)


def tr(zh: str, en: str) -> str:
    """Pick the Chinese or English text for the active language.

    Parameters
    ----------
    zh, en
        The same message in Simplified Chinese and in English.

    Returns
    -------
    str
        ``zh`` unless the active language is English.
    """
    return en if _LANG.get() == "en" else zh
