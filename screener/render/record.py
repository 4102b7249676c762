"""The record a clinic keeps: the assessment with the moment around it.

The assessment is a pure function of intake and rule set (invariant 6); the record adds
what only the moment knows: when it was screened (``screened_at``, RFC 3339 with its
offset), whom (``client``, only if given) and every question the checklist asks with its
answer, so the person signing sees what they answered. Saved files (``--save``), the
HTML page and the PDF all hold the same record.
"""

from __future__ import annotations

import json

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from screener.answers.intake import Intake
from screener.answers.questions import GROUPS
from screener.decision.assessment import Assessment
from screener.rules import RuleSet

RED_FLAGS = "Warning signs (asked first)"
YES, NO, NOT_ASKED, NOT_ANSWERED = "yes", "no", "not asked", "not answered"


@dataclass(frozen=True)
class Answer:
    """One question and its answer; a reported condition carries its follow-ups."""

    code: str
    question: str
    answer: str  # yes | no | not asked (follow-ups: yes | no | not answered)
    follow_ups: tuple[Answer, ...] = ()
    title: str = ""  # the condition's short title, which the printed page lists


    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "question": self.question,
                               "answer": self.answer}
        if self.follow_ups:
            out["follow_ups"] = [f.to_json() for f in self.follow_ups]
        return out


@dataclass(frozen=True)
class AnswerGroup:
    title: str
    answers: tuple[Answer, ...]


def answered(intake: Intake, rules: RuleSet) -> list[AnswerGroup]:
    """Every condition question of the rule set, grouped and ordered as the checklist asks
    them (warning signs first), with yes, no or "not asked". A "no" is only what the
    intake says was answered no (``conditions_no``, ``flags_no``): an intake that does not
    say is never read as a made-up "no"."""
    reported = {c.code: c for c in intake.conditions}
    said_no = set(getattr(intake, "conditions_no", None) or ())
    sections = [(RED_FLAGS, [c for c in rules.conditions.values() if c.red_flag])]
    sections += [(title, [c for c in rules.conditions.values()
                          if not c.red_flag and c.group == group])
                 for group, title in GROUPS.items()]
    out = []
    for title, conditions in sections:
        answers = []
        for c in conditions:
            report = reported.get(c.code)
            if report is None:
                answers.append(Answer(c.code, c.question, NO if c.code in said_no else NOT_ASKED,
                                      title=c.title))
                continue
            flags_no = set(getattr(report, "flags_no", None) or ())
            follow_ups = tuple(
                Answer(flag, question, YES if flag in report.flags
                       else NO if flag in flags_no else NOT_ANSWERED)
                for flag, question in c.flags.items())
            answers.append(Answer(c.code, c.question, YES, follow_ups, c.title))
        if answers:
            out.append(AnswerGroup(title, tuple(answers)))
    return out


@dataclass(frozen=True)
class Record:
    """An assessment as kept: the intake, the answers, the moment and the person."""

    intake: Intake
    assessment: Assessment
    screened_at: datetime = field(default_factory=lambda: datetime.now().astimezone())
    client: str | None = None
    # What changed since a previous record (``render.since``), for a returning client.
    since: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.screened_at.utcoffset() is None:
            raise ValueError("screened_at needs its UTC offset (RFC 3339)")

    @property
    def stamp(self) -> str:
        """RFC 3339 with the offset, to the second: 2026-12-03T11:22:40+01:00."""
        return self.screened_at.isoformat(timespec="seconds")

    def to_json(self, rules: RuleSet) -> dict[str, Any]:
        out: dict[str, Any] = {"screened_at": self.stamp}
        if self.client:
            out["client"] = self.client
        out["intake"] = self.intake.model_dump(mode="json")
        out["answers"] = [{"group": g.title, "questions": [a.to_json() for a in g.answers]}
                          for g in answered(self.intake, rules)]
        if self.since is not None:
            out["changes_since"] = self.since
        out["assessment"] = self.assessment.model_dump(mode="json")
        out["ruleset"] = out["assessment"]["ruleset"]
        return out


def record_bytes(record: Record, rules: RuleSet) -> bytes:
    """The record as the file ``--save`` writes and the web result page offers (the same
    bytes, so a clinic keeps one kind of file whichever face was used)."""
    return (json.dumps(record.to_json(rules), indent=2) + "\n").encode("utf-8")
