"""The screener's exceptions: one family, each naming what was wrong and where.

Invalid intakes raise pydantic's ``ValidationError`` (the library's users already know
it); everything the screener raises itself derives from ``ScreenerError``.
"""

from __future__ import annotations

from pydantic import ValidationError


class ScreenerError(Exception):
    """Base class for every error the screener raises itself."""


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


def describe_invalid(exc: ValidationError, skip: int = 0) -> str:
    """The first problem of a pydantic error as one line naming the field, e.g.
    ``conditions.0.code: unknown condition code 'gout'``; ``skip`` drops leading parts
    of the field's path that the caller names itself."""
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"][skip:])
    message = {"extra_forbidden": "unknown field", "missing": "required field is missing"}.get(
        error["type"], error["msg"].removeprefix("Value error, "))
    return f"{field}: {message}" if field else message
