"""Scenario files: the TOML writer (``scenario_to_toml``), the reader's mirror image."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from zoning._i18n import tr
from zoning.scenario import _PATH_FIELDS, _SPEC, TEMPLATE, Scenario, _from_raw

#: Examples for unset options the template does not show.
_EXAMPLES = {"river": "river.geojson", "id_column": "所代码", "name_column": "派出所"}
_HINT = re.compile(r"^(?P<off>#\s*)?(?P<key>[a-z_]+) = (?P<value>.*?)\s*(?:#\s*(?P<note>.*))?$")
_HEADER = re.compile(r"^\[(?P<section>[a-z_]+)\]\s*(?:#\s*(?P<note>.*))?$")


def _template_hints() -> dict[tuple[str, str], tuple[str, str]]:
    """``(section, key) -> (example value, comment)`` from :data:`TEMPLATE`.

    The section header itself is stored under key ``""``. The template is the
    one place where options are explained, so written scenarios reuse its words.
    """
    hints: dict[tuple[str, str], tuple[str, str]] = {}
    section = ""
    for line in TEMPLATE.splitlines():
        if header := _HEADER.match(line):
            section = header["section"]
            hints[(section, "")] = ("", header["note"] or "")
        elif (hint := _HINT.match(line)) and (section, hint["key"]) not in hints:
            hints[(section, hint["key"])] = (hint["value"], hint["note"] or "")
    return hints


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_str(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, tuple | list):
        if value and all(isinstance(v, tuple | list) for v in value):
            rows = "".join(f"    {_toml_value(v)},\n" for v in value)
            return "[\n" + rows + "]"
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _path_text(value: Path, base: Path) -> str:
    """``value`` relative to ``base`` when they share more than the filesystem root."""
    target = Path(value).resolve()
    try:
        common = Path(os.path.commonpath([target, base]))
        if common == Path(common.anchor):
            return str(target)
        return Path(os.path.relpath(target, base)).as_posix()
    except ValueError:  # different drives (Windows)
        return str(target)


def _key(text: str) -> str:
    """A TOML key: bare when it is plain ASCII, quoted otherwise (e.g. Chinese)."""
    return text if _BARE_KEY.fullmatch(text) else _toml_str(text)


def _line(key: str, value: str, hint: tuple[str, str] | None, *, unset: bool = False) -> str:
    text = f"{'# ' if unset else ''}{key} = {value}".rstrip()
    if not hint or not hint[1]:
        return text
    if "\n" in value:
        return f"# {hint[1]}\n{text}"
    return f"{text:<38} # {hint[1]}"


def scenario_to_text(scenario: Scenario, *, base: str | Path | None = None) -> str:
    """Render a scenario in the TOML layout that :func:`scenario_from_toml` reads.

    Parameters
    ----------
    scenario
        The scenario to write; every field is written (unset optional ones as
        commented-out examples).
    base
        Folder the file will live in (default: the current folder). Paths are
        written relative to it when they share more than the filesystem root
        with it, otherwise absolute. Relative paths in ``scenario`` are taken
        relative to the current folder, as on the command line.

    Returns
    -------
    str
        The TOML text. It is not validated; :func:`scenario_to_toml` is.
    """
    folder = Path(base if base is not None else Path.cwd()).resolve()
    hints = _template_hints()
    where = {name: (sec, key) for sec, spec in _SPEC.items() for key, (name, _) in spec.items()}
    where |= {"category_weights": ("weights", ""), "zone_names": ("zone_names", "")}
    sections: dict[str, list[str]] = {section: [] for section in _SPEC}
    tables: dict[str, list[str]] = {section: [] for section in _SPEC}
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        section, key = where[f.name]
        hint = hints.get((section, key))
        if not key:  # the free tables [weights] and [zone_names]
            numbers = f.name == "category_weights"
            sections[section] += [
                _line(_key(str(k)), _toml_value(float(v) if numbers else v), None)
                for k, v in value.items()
            ]
        elif value is None:
            example = hint[0] if hint else _toml_str(_EXAMPLES.get(key, ""))
            sections[section].append(_line(key, example, hint, unset=True))
        elif f.name in _PATH_FIELDS and value != "download":
            sections[section].append(_line(key, _toml_str(_path_text(value, folder)), hint))
        elif isinstance(value, Mapping) and value:
            body = [_line(_key(str(k)), _toml_value(v), None) for k, v in value.items()]
            tables[section].append("\n".join([f"[{section}.{key}]", *body]))
        else:
            sections[section].append(_line(key, _toml_value(value), hint))
    parts = [
        tr(
            "# zoning 场景文件：一次规划的全部选择。用法：zoning plan STATIONS --config 本文件\n"
            "# 相对路径以本文件所在目录为准；命令行选项优先于本文件。",
            "# zoning scenario: every choice of one planning run. Use: zoning plan STATIONS "
            "--config this file\n# Relative paths are relative to this file; options win.",
        )
    ]
    for section in _SPEC:
        note = hints.get((section, ""), ("", ""))[1]
        header = f"{f'[{section}]':<38} # {note}" if note else f"[{section}]"
        parts.append("\n".join([header, *sections[section]]))
        parts.extend(tables[section])
    return "\n\n".join(parts) + "\n"


def scenario_to_toml(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario file that :func:`scenario_from_toml` reads back unchanged.

    ``scenario_from_toml(scenario_to_toml(s, path)) == s`` for every valid
    scenario whose paths are absolute (relative paths are taken relative to
    the current folder and come back absolute). Paths are written relative to
    the file's folder when possible, so a folder holding the scenario and its
    data can be moved or shared as a whole. An existing file is replaced.

    Parameters
    ----------
    scenario
        The scenario to save (e.g. the one a ``zoning plan`` run used).
    path
        The ``.toml`` file to write; missing parent folders are created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    InputError
        If the scenario holds a value a scenario file cannot hold (the same
        checks as :func:`scenario_from_toml`, e.g. ``zones = 0``); nothing is
        written then.
    """
    path = Path(path)
    folder = path.parent.resolve()
    text = scenario_to_text(scenario, base=folder)
    back = _from_raw(tomllib.loads(text), folder / path.name)
    resolved: dict[str, Any] = {
        name: Path(getattr(scenario, name)).resolve()
        for name in _PATH_FIELDS
        if getattr(scenario, name) not in (None, "download")
    }
    expected = replace(scenario, **resolved)
    if back != expected:  # pragma: no cover - a writer bug, caught by the property test
        raise AssertionError(f"scenario file does not round-trip: {back} != {expected}")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
