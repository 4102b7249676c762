"""The printable page (``render.html``) as a PDF, through WeasyPrint: the optional
``pdf`` extra, imported only when a PDF is asked for. Nothing is fetched: the page is
self-contained and WeasyPrint is given a fetcher that refuses every URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from screener.errors import InputError
from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.render.html import render as render_html

if TYPE_CHECKING:
    from screener.render.record import Record

MISSING = "pdf output needs the 'pdf' extra: pip install 'screener[pdf]'"


def _no_fetching(url: str, *_: object, **__: object) -> dict[str, object]:
    raise ValueError(f"the report fetches nothing (refused {url})")


def render(assessment: Assessment, rules: RuleSet | None = None, *,
           record: Record | None = None, **_: object) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # not installed, or its Pango libraries are missing
        raise InputError(MISSING) from None
    page = render_html(assessment, rules, record=record)
    return HTML(string=page, url_fetcher=_no_fetching).write_pdf()
