"""A returning client: what changed since a saved record (contract v1.2 'The record').

The previous record's answers are moved forward to today (its ``days_ago`` and
``cleared_days_ago`` grow by the whole days since its ``screened_at``, counted as
calendar days in its own offset, as a person counts "3 days ago") and compared with the
new answers: conditions new, gone or changed, the decision then and now, and the
clearances that counted then but are past their 365 days now. The assessment itself is
untouched (invariant 6): this is the record's, shown first by every human format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screener.answers.intake import MAX_DAYS_AGO, ConditionReport, Intake
from screener.decision.assessment import Assessment
from screener.engine.facts import CLEARANCE_DAYS, clearance_counts
from screener.render.words import describe_places, words
from screener.rules import RuleSet
from screener.vocabulary import Decision

# The answers of a condition a change can be in, in the order they are reported.
FIELDS = ("sites", "days_ago", "severity", "cleared", "cleared_days_ago", "flags", "flags_no")
TITLE = "Since the last screening"
FIELD_WORDS = {"sites": "where", "days_ago": "began", "severity": "how bad",
               "cleared": "cleared", "cleared_days_ago": "cleared", "flags": "yes to",
               "flags_no": "no to"}


def now() -> datetime:
    """The moment "now" (tests pass their own ``now`` to ``changes_since`` instead)."""
    return datetime.now().astimezone()


@dataclass(frozen=True)
class Previous:
    """A saved record as read back: when, the answers (strictly validated) and the
    decision it gave."""

    screened_at: datetime
    intake: Intake
    decision: Decision


def whole_days(then: datetime, at: datetime) -> int:
    """Calendar days from ``then`` to ``at``, both read in ``then``'s offset; negative
    when ``at`` is earlier (a record from the future)."""
    return (at.astimezone(then.tzinfo).date() - then.date()).days


def moved_forward(intake: Intake, days: int, rules: RuleSet) -> Intake:
    """The intake as it reads ``days`` later: every ``days_ago`` and ``cleared_days_ago``
    grown by ``days`` (capped at the intake's bound), validated again."""
    data = intake.model_dump(mode="json")
    for report in data["conditions"]:
        for key in ("days_ago", "cleared_days_ago"):
            if report.get(key) is not None:
                report[key] = min(report[key] + days, MAX_DAYS_AGO)
    return Intake.model_validate(data, context={"rules": rules})


def _value(report: ConditionReport, name: str) -> Any:
    value = getattr(report, name)
    if name == "sites":
        return [{"side": side, "area": area} for area, side in report.covered()]
    if name in ("flags", "flags_no"):
        return sorted(value)
    return value


def _changed_fields(then: ConditionReport, now_: ConditionReport) -> list[dict[str, Any]]:
    return [{"field": name, "then": _value(then, name), "now": _value(now_, name)}
            for name in FIELDS if _value(then, name) != _value(now_, name)]


def changes_since(previous: Previous, intake: Intake, assessment: Assessment, rules: RuleSet,
                  at: datetime | None = None) -> dict[str, Any]:
    """``changes_since`` as the JSON output carries it; ``at`` is "now" (default: the
    clock). Conditions in rule-set order, so the same inputs give the same bytes."""
    days = whole_days(previous.screened_at, at or now())
    if days < 0:
        raise ValueError("screened_at is later than now")
    before = {c.code: c for c in previous.intake.conditions}
    moved = {c.code: c for c in moved_forward(previous.intake, days, rules).conditions}
    current = {c.code: c for c in intake.conditions}
    conditions: list[dict[str, Any]] = []
    expired: list[dict[str, Any]] = []
    for code in rules.conditions:
        if code in current and code not in moved:
            conditions.append({"code": code, "change": "new"})
        elif code in moved and code not in current:
            conditions.append({"code": code, "change": "gone"})
        elif code in moved:
            fields = _changed_fields(moved[code], current[code])
            if fields:
                conditions.append({"code": code, "change": "changed", "fields": fields})
        condition = rules.conditions[code]
        if (code in moved and clearance_counts(before[code], condition)
                and not clearance_counts(moved[code], condition)):
            expired.append({"code": code, "cleared_days_ago": moved[code].cleared_days_ago})
    return {
        "screened_at": previous.screened_at.isoformat(timespec="seconds"),
        "days": days,
        "decision": {"then": previous.decision, "now": assessment.decision},
        "conditions": conditions,
        "expired_clearances": expired,
    }


def _shown(field: str, value: Any) -> str:
    if value is None or value == []:
        return "not given"
    if field == "sites":
        return describe_places((s["area"], s["side"]) for s in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(words(v) for v in value)
    if field.endswith("days_ago"):
        return "today" if value == 0 else f"{value} day{'s' * (value != 1)} ago"
    return words(str(value))


def since_lines(changes: dict[str, Any], rules: RuleSet | None) -> tuple[str, list[str]]:
    """``changes_since`` in words: a heading and one line a change, the decision first
    (plain text: each format escapes the lines as it escapes everything else)."""
    def name(code: str) -> str:
        condition = rules.conditions.get(code) if rules else None
        return condition.title if condition else words(code)

    n = changes["days"]
    head = f"{TITLE} ({changes['screened_at']}, {n} day{'s' * (n != 1)} ago)"
    then, current = changes["decision"]["then"], changes["decision"]["now"]
    lines = [f"Decision then: {then.upper()}; now: {current.upper()}." if then != current
             else f"Decision: {current.upper()}, as then."]
    for c in changes["conditions"]:
        if c["change"] == "new":
            lines.append(f"New: {name(c['code'])}.")
        elif c["change"] == "gone":
            lines.append(f"No longer reported: {name(c['code'])}.")
        else:
            lines.append(f"Changed: {name(c['code'])}: " + "; ".join(
                f"{FIELD_WORDS[f['field']]}: {_shown(f['field'], f['then'])} then, "
                f"{_shown(f['field'], f['now'])} now" for f in c["fields"]) + ".")
    if not changes["conditions"]:
        lines.append("No condition is new, gone or changed.")
    for e in changes["expired_clearances"]:
        lines.append(f"Clearance expired: {name(e['code'])} was cleared "
                     f"{e['cleared_days_ago']} days ago by now; a clearance for it counts "
                     f"for {_window(e['code'], rules)} days: ask the professional again.")
    return head, lines


def _window(code: str, rules: RuleSet | None) -> int:
    """How long a clearance for this condition counts (its own window, at most a year)."""
    if rules is None or code not in rules.conditions:
        return CLEARANCE_DAYS
    return min(CLEARANCE_DAYS, rules.conditions[code].clearance_days)
