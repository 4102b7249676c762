"""Intake → facts: the flat records the rules engine matches on.

durable_rules matches on flat JSON values, so every answer a rule may test becomes a
scalar field: ``area_calf: 1`` for each area a condition covers (on either leg),
``flag_fracture: 1`` for a follow-up answered yes. Unanswered follow-ups take their most
cautious value, so a missing answer can only make the outcome stricter:
an unanswered severity counts as severe, an unanswered ``days_ago`` as today.
"""

from __future__ import annotations

from typing import Any

from .intake import ConditionReport, Intake
from .vocabulary import PRESSURE_RANK, SEVERITY_RANK

Fact = dict[str, Any]
WORST_SEVERITY = max(SEVERITY_RANK.values())


def condition_fact(index: int, report: ConditionReport) -> Fact:
    """One fact per reported condition. ``n`` (its position in the intake) makes every
    fact distinct: durable_rules refuses a fact identical to one it has already seen."""
    fact: Fact = {
        "t": "condition",
        "n": index,
        "code": report.code,
        "cleared": int(report.cleared),
        "severity": SEVERITY_RANK[report.severity] if report.severity else WORST_SEVERITY,
        "days_ago": report.days_ago if report.days_ago is not None else 0,
    }
    for area, _side in report.covered():
        fact[f"area_{area}"] = 1
    for flag in report.flags:
        fact[f"flag_{flag}"] = 1
    return fact


def build_facts(intake: Intake) -> list[Fact]:
    """The session's facts: the wished-for session, then one per reported condition."""
    session: Fact = {
        "t": "session",
        "n": -1,
        "goal": intake.goal,
        "pressure": PRESSURE_RANK[intake.preferred_pressure],
        "minutes": intake.minutes,
    }
    return [session, *(condition_fact(i, r) for i, r in enumerate(intake.conditions))]
