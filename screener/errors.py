"""The screener's exceptions: one family, each naming what was wrong and where, and
``shown()``, which makes anything a user typed safe to put in a message.

Invalid intakes raise pydantic's ``ValidationError`` (the library's users already know
it); everything the screener raises itself derives from ``ScreenerError``.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic is imported by whoever has a ValidationError to describe
    from pydantic import ValidationError

NAME_LIMIT = 60  # a field name, a code, a key: enough to recognise it
MESSAGE_LIMIT = 200  # one problem, including the values it quotes
LINE_LIMIT = 400  # one whole error line at the command line boundary
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class ScreenerError(Exception):
    """Base class for every error the screener raises itself."""


class InputError(ScreenerError):
    """Bad input from the user: reported in one line (the CLI exits with status 2)."""


class SaveError(ScreenerError):
    """Saving failed for a reason other than the path given (a full disk, a size limit):
    the old file is untouched, and the CLI exits with status 1."""


class RulesError(ScreenerError):
    """A rule file, or the rule set as a whole, is invalid.

    ``file`` and ``rule`` name the culprit so the message reads as one line:
    ``rules/dvt.yaml: rule 'dvt.refer': unknown area 'knees'``.
    """

    def __init__(self, message: str, *, file: str | None = None, rule: str | None = None):
        self.file = file
        self.rule = rule
        self.detail = message
        where = ": ".join(p for p in (file, f"rule {rule!r}" if rule else None) if p)
        super().__init__(f"{where}: {message}" if where else message)


class EngineError(ScreenerError):
    """The rules engine failed while screening; the screening fails closed."""


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    # Cc: C0, DEL and C1 controls (ESC among them); Cf: bidi overrides, zero-width
    # characters; Zl, Zp: line and paragraph separators. None may reach a terminal raw.
    if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else (
            f"\\U{code:08x}")
    return char


def shown(value: object, limit: int = NAME_LIMIT) -> str:
    """``value`` as text that is safe to print: every control, format or separator
    character escaped (so a name cannot add lines, move the cursor, clear the screen or
    reorder the text), and cut to ``limit`` characters with an ellipsis (so a 200 kB
    code is not echoed whole)."""
    text = value if isinstance(value, str) else str(value)
    head = text[:limit + 1]
    escaped = "".join(c if " " <= c < "\x7f" else _escape(c) for c in head)
    if len(text) <= limit and len(escaped) <= limit:
        return escaped
    return escaped[:limit - 1] + "…"


def describe_invalid(exc: ValidationError, skip: int = 0) -> str:
    """The first problem of a pydantic error as one line naming the field, e.g.
    ``conditions.0.code: unknown condition code 'gout'``; ``skip`` drops leading parts
    of the field's path that the caller names itself. Field names (which may be keys
    the user typed) and the message (which may quote a value) are made safe to print."""
    error = exc.errors()[0]
    field = ".".join(shown(p) for p in error["loc"][skip:])
    message = {"extra_forbidden": "unknown field", "missing": "required field is missing"}.get(
        error["type"], error["msg"].removeprefix("Value error, "))
    message = shown(message, MESSAGE_LIMIT)
    return f"{field}: {message}" if field else message
