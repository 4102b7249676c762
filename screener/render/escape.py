"""One escaping policy per output format, applied where text enters the format.

Rule folders are data written by someone else: a title, reason, referral, note or source
may hold ``<script>``, ``[x](javascript:...)``, an image that loads from the network, or
rich markup. Every format that gives such characters a meaning gets the text through
its function here, so it always reads as the words that were written:

- Markdown (``--format markdown``, the CDS card ``detail``, FHIR markdown fields):
  ``markdown_text`` - one line, every character CommonMark or GFM could read as markup
  backslash-escaped, so no raw HTML, link, autolink, image, emphasis or block starts;
  a bare address (``http://``, ``www.``, an e-mail), which GFM links without any markup,
  goes into a code span, where nothing is linked.
- Terminal (``--format text``): ``terminal_text`` - control characters (ESC among them)
  shown as ``\\x1b``; rich markup is never parsed (the console runs with ``markup=False``
  and text goes in as ``rich.text.Text``).
- HTML and SVG: ``html.escape`` (and drawsvg's own escaping) where the text is written.
"""

from __future__ import annotations

import re

from screener.errors import shown

# Inline markup anywhere in a line: code spans, emphasis, links and images, raw HTML and
# autolinks, entities, table cells, strikethrough, backslashes themselves.
# An underscore run between letters or digits is never emphasis (a file name stays
# readable); any other is escaped.
_INLINE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])|([\\`*_\[\]<>&|~!])")
# Markup only at the start of a line: headings, quotes, lists, thematic breaks, setext.
_LINE_START = re.compile(r"^([#>+\-=]|\d+[.)])")
_SPACE = re.compile(r"\s+")
# What GFM's extended autolinks would link in plain text.
_BARE_ADDRESS = re.compile(r"(?i)(?:(?:https?|ftp)://|www\.|(?:mailto|xmpp):)\S+"
                           r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown inline content on one line."""
    flat = _SPACE.sub(" ", text).strip()
    parts, last = [], 0
    for bare in _BARE_ADDRESS.finditer(flat):
        parts += [_escaped(flat[last:bare.start()]), _code_span(bare.group())]
        last = bare.end()
    escaped = "".join([*parts, _escaped(flat[last:])])
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def _escaped(text: str) -> str:
    return _INLINE.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(), text)


def _code_span(text: str) -> str:
    """``text`` verbatim in a code span, fenced by more backticks than it holds in a row."""
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def terminal_text(text: str) -> str:
    """``text`` with no character that steers a terminal (line breaks and tabs kept)."""
    return "".join(c if c in "\n\t" or " " <= c < "\x7f" else shown(c, 12) for c in text)
