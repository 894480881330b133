"""Page plumbing that keeps user text out of every template engine.

folium builds a page with Jinja, and branca's ``MacroElement.render`` then
compiles each element's rendered *output* as a new Jinja template
(``Element(output)``) before placing it in the page. Any user text inside that
output would be evaluated as a template: a station named ``{{ 7*191 }}``
showed as ``1337``, ``{#`` crashed the save, and an expression could reach
``os.popen``.

So user text (station, zone and team names, reasons, the title …) never goes
into a folium element. Each map has one :class:`PageData` block, a
``<script type="application/json">`` element written into the page verbatim
(no Jinja at all), and the page's scripts read their labels, tooltips, popups,
title and legend from it. zoning's own elements subclass :class:`VerbatimMacro`,
whose rendered macros are placed in the page as they are, never compiled again;
their templates only refer to the data block by name. folium elements carry
numbers, colours and zoning's fixed labels only.

The block is JSON with ``<``, ``>``, ``&``, U+2028 and U+2029 written as
``\\uXXXX`` escapes, so no string in it can close the ``<script>`` element or
open a comment, and ``JSON.parse`` returns exactly the strings written. The
strings that the scripts insert as HTML are escaped for HTML by
:func:`zoning.maps.style.esc` when they are built.
"""

from __future__ import annotations

import json
import re
from typing import Any

from branca.element import Element, Figure, MacroElement
from folium.template import Template

__all__ = ["DataPanel", "PageData", "Verbatim", "VerbatimMacro", "script_json", "without_data"]

_BLOCK = re.compile(r'<script type="application/json" id="[^"<>]*">[^<]*</script>')
_TITLE = re.compile(r"<title>[^<]*</title>")


def without_data(page: str) -> str:
    """The page without its data blocks and ``<title>``: the places user text lives,
    never loaded as a resource (a station named ``src=//x`` is not a remote reference)."""
    return _TITLE.sub("", _BLOCK.sub("", page), count=1)


_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any) -> str:
    """JSON text safe inside an HTML ``<script>`` element and a JavaScript string.

    Examples
    --------
    >>> script_json({"name": "</script>{{ 7*191 }}"})
    '{"name":"\\\\u003c/script\\\\u003e{{ 7*191 }}"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for raw, escaped in _SCRIPT_ESCAPES.items():
        text = text.replace(raw, escaped)
    return text


class Verbatim(Element):
    """Text placed in the page as it is: never compiled as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self.text


class VerbatimMacro(MacroElement):
    """A ``MacroElement`` whose rendered macros go into the page verbatim.

    branca compiles a macro's output as a new template; this class does not,
    so a value inserted by a macro is never evaluated a second time.
    """

    def render(self, **kwargs: Any) -> str:
        """Add the rendered ``header``, ``html`` and ``script`` macros to the page."""
        figure = self.get_root()
        if not isinstance(figure, Figure):  # pragma: no cover - folium always has one
            raise TypeError("a zoning map element must be inside a Figure")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                section = getattr(figure, part)
                section.add_child(Verbatim(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class PageData(MacroElement):
    """The JSON data block of one map: every user string the page shows.

    Attributes
    ----------
    title, legend
        HTML of the title box and the legend (escaped when built).
    popups
        Zone number → popup HTML.
    tips
        Station tooltip HTML, indexed by the ``tip`` property of the station features.
    labels
        Groups of label items ``[lat, lon, html, class, size, dx, dy]``.
    panels
        Panel name → HTML of a box of the map (escaped when built), e.g. the
        trade-off chart.

    The block is written by :meth:`render` without any template; scripts read
    it as the JavaScript variable named :meth:`get_name`.
    """

    def __init__(self) -> None:
        super().__init__()
        self._name = "ZoningData"
        self.title = ""
        self.legend = ""
        self.popups: dict[int, str] = {}
        self.tips: list[str] = []
        self.labels: list[list[list[Any]]] = []
        self.panels: dict[str, str] = {}

    @property
    def block_id(self) -> str:
        """The ``id`` of the ``<script type="application/json">`` element."""
        return f"{self.get_name()}-json"

    def payload(self) -> dict[str, Any]:
        """The data as a JSON-ready dict."""
        return {
            "title": self.title,
            "legend": self.legend,
            "popups": {str(z): html for z, html in self.popups.items()},
            "tips": self.tips,
            "labels": self.labels,
            "panels": self.panels,
        }

    def render(self, **kwargs: Any) -> str:
        """Write the block (in the page head) and the script that parses it."""
        figure = self.get_root()
        if not isinstance(figure, Figure):  # pragma: no cover - folium always has one
            raise TypeError("a zoning map element must be inside a Figure")
        block = (
            f'<script type="application/json" id="{self.block_id}">'
            f"{script_json(self.payload())}</script>"
        )
        parse = (
            f"var {self.get_name()} = JSON.parse("
            f'document.getElementById("{self.block_id}").textContent);'
        )
        figure.header.add_child(Verbatim(block), name=self.get_name())
        figure.script.add_child(Verbatim(parse), name=self.get_name())
        return ""


class DataPanel(VerbatimMacro):
    """A Leaflet control (a box on the map) whose HTML is kept in the page data.

    The HTML (escaped when built) goes into ``data.panels[key]``; the script only
    names that entry, so no user text is ever in a template.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var Panel = L.Control.extend({onAdd: function () {
                var div = L.DomUtil.create("div", {{ this.class_name|tojson }});
                div.innerHTML = {{ this.data.get_name() }}.panels[{{ this.key|tojson }}];
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            }});
            new Panel({position: {{ this.position|tojson }}}).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, data: PageData, key: str, html: str, *, css: str, class_name: str, position: str
    ) -> None:
        super().__init__()
        self._name = "ZoningPanel"
        self.data = data
        self.key = key
        self.css = css
        self.class_name = f"zoning-box {class_name}"
        self.position = position
        data.panels[key] = html
