"""Assessment → something to read, look at or print: one module a format.

``render(assessment, "html")`` imports only the module of that format, so heavy or
optional libraries (rich, drawsvg, weasyprint) load only when their format is asked for
and a new format is one new file here with a ``render`` function.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from screener.decision.assessment import Assessment
from screener.rules import RuleSet

if TYPE_CHECKING:
    from screener.render.record import Record

FORMATS = ("text", "json", "markdown", "svg", "html", "pdf")
BINARY_FORMATS = frozenset({"pdf"})


def render(assessment: Assessment, fmt: str, rules: RuleSet | None = None, *,
           colour: bool = False, width: int = 88, record: Record | None = None) -> str | bytes:
    """The assessment in ``fmt`` (one of ``FORMATS``); bytes for ``pdf``, text otherwise.

    ``rules`` gives condition titles; ``colour`` and ``width`` only matter for text;
    ``record`` (the moment, the person and the answers) is printed by html and pdf.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    module = import_module(f".{fmt}", __name__)
    return module.render(assessment, rules, colour=colour, width=width, record=record)


def body_map(assessment: Assessment) -> str:
    """The body map of an assessment as an SVG document (see ``render.svg``)."""
    from screener.render.svg import body_map as draw

    return draw(assessment)
