"""Intake → facts: the flat records the rules engine matches on.

durable_rules matches on flat JSON values, so every answer a rule may test becomes a
scalar field: ``area_calf: 1`` for an area a condition covers on either leg,
``at_left_calf: 1`` and ``side_left: 1`` for where exactly (same-leg joins),
``flag_fracture: 1`` for a follow-up answered yes. Unanswered follow-ups take their most
cautious value, so a missing answer can only make the outcome stricter: an unanswered
severity counts as severe, an unanswered ``days_ago`` as today, an unanswered flag as the
reading its rule file chose (``unanswered:``; "yes" for a warning sign). ``assumptions``
lists every such reading, for the result to show.

Group facts (``t: group``) are not built here from the intake: the engine derives them
(forward chaining) when a member's test holds, with ``group_fact``; the plain reading in
``reference`` uses the same function, so both derive the same facts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from screener.answers.intake import ConditionReport, Intake
from screener.rules import Condition, RuleSet, bundled_rules
from screener.vocabulary import AREAS, PRESSURE_RANK, SEVERITIES, SEVERITY_RANK, SIDES

Fact = dict[str, Any]
WORST_SEVERITY = max(SEVERITY_RANK.values())
# Every field a condition fact can carry besides its flags (bounded in ``patterns``).
BASE_FIELDS = ("t", "n", "code", "cleared", "severity", "days_ago", "sited", "sid")
GROUP_FIELDS = ("t", "n", "code", "src", "sid")


def area_field(area: str) -> str:
    return f"area_{area}"


def at_field(side: str, area: str) -> str:
    return f"at_{side}_{area}"


def side_field(side: str) -> str:
    return f"side_{side}"


def flag_field(flag: str) -> str:
    return f"flag_{flag}"


PLACE_FIELDS = (*(area_field(a) for a in AREAS), *(side_field(s) for s in SIDES),
                *(at_field(s, a) for s in SIDES for a in AREAS))
# (area, side) -> the three fields that say a fact is there; built once (a hot path)
_PLACE = {(a, s): (area_field(a), side_field(s), at_field(s, a)) for s in SIDES for a in AREAS}
_AT = [((a, s), at_field(s, a)) for s in SIDES for a in AREAS]


@lru_cache(maxsize=4096)
def _place_fields(places: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """The fields that say a fact is at these places (few distinct sets: kept)."""
    return {name: 1 for place in places for name in _PLACE[place]}


@lru_cache(maxsize=4096)
def _shared(places: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """One tuple object for each distinct set of places, however often it is read."""
    return places


def _places(fact: Fact, places: list[tuple[str, str]]) -> None:
    fact.update(_place_fields(tuple(places)))


CLEARANCE_DAYS = 365  # PAR-Q+: a clearance is valid for 12 months


def clearance_counts(report: ConditionReport, condition: Condition) -> bool:
    """A clearance counts for 365 days (less where the condition says, e.g. the 6 weeks
    after birth), not when the condition is dated and began after it (PAR-Q+: void when
    health changes), and not when given before the condition's ``clearance_from_day`` (a
    clot's treatment phase). An undated clearance is read as current."""
    if not report.cleared:
        return False
    given = report.cleared_days_ago
    if given is None:
        return True
    began_after = report.days_ago is not None and report.days_ago < given
    too_early = report.days_ago is not None and report.days_ago - given < condition.clearance_from_day
    return given <= min(CLEARANCE_DAYS, condition.clearance_days) and not began_after and not too_early


def flags_read(report: ConditionReport, cautious_yes: frozenset[str]) -> list[str]:
    """The follow-ups read as "yes": those answered yes, and those left unanswered whose
    cautious reading is yes (``cautious_yes``: the condition's, ``RuleSet.cautious_yes``)."""
    answered = {*report.flags, *report.flags_no}
    return [*report.flags, *sorted(cautious_yes - answered)]


def assumptions(intake: Intake, rules: RuleSet) -> list[dict[str, str]]:
    """Every unanswered follow-up of a reported condition and every default the result
    rests on, in rule-set order (contract v1.2 ``assumptions``)."""
    out = []
    for report in sorted(intake.conditions, key=lambda r: rules.order[r.code]):
        condition = rules.conditions[report.code]
        answered = {*report.flags, *report.flags_no}
        read = [(flag, condition.unanswered[flag].read_as)
                for flag in condition.flags if flag not in answered]
        if "severity" in condition.asks and report.severity is None:
            read.append(("severity", SEVERITIES[WORST_SEVERITY - 1]))
        if "days_ago" in condition.asks and report.days_ago is None:
            read.append(("days_ago", "today"))
        if {"sites", "sides"} & set(condition.asks) and not report.sites:
            read.append(("sites", "both legs"))
        if report.cleared and report.cleared_days_ago is None:
            read.append(("cleared_days_ago", "current"))
        out += [{"code": report.code, "follow_up": f, "read_as": r} for f, r in read]
    return out


class FactParts(NamedTuple):
    """How one reported condition is read: everything its fact says, compact. The fact is
    made from it and nothing else (``fact``), so it is also the fact's key for kept work
    (``keyed_facts``); ``places`` is one shared tuple for all equal sets of places."""

    n: int
    code: str
    cleared: int
    severity: int
    days_ago: int
    sited: bool
    places: tuple[tuple[str, str], ...]
    flags: tuple[str, ...]  # the follow-ups read as yes

    def fact(self) -> Fact:
        fact: Fact = {"t": "condition", "n": self.n, "code": self.code,
                      "cleared": self.cleared, "severity": self.severity,
                      "days_ago": self.days_ago}
        if self.sited:
            fact["sited"] = 1
        fact.update(_place_fields(self.places))
        for flag in self.flags:
            fact[flag_field(flag)] = 1
        return fact


def fact_parts(index: int, report: ConditionReport, condition: Condition,
               cautious_yes: frozenset[str]) -> FactParts:
    """How a reported condition is read, its cautious readings applied. ``n`` (its
    position in the intake) makes every fact distinct: durable_rules refuses a fact
    identical to one it has already seen."""
    return FactParts(
        n=index,
        code=report.code,
        cleared=int(clearance_counts(report, condition)),
        severity=SEVERITY_RANK[report.severity] if report.severity else WORST_SEVERITY,
        days_ago=report.days_ago if report.days_ago is not None else 0,
        sited=bool(report.sites),
        places=_shared(tuple(report.covered())),
        flags=tuple(flags_read(report, cautious_yes)),
    )


def group_fact(group: str, member: Fact, areas: list[str]) -> Fact:
    """The fact that a reported condition counts in a group, directly or through a group
    it counts in (``member`` is then that group's fact): on the member's sites, only
    those on ``areas`` when given. (``code``, ``n``) is unique: a condition reaches a group
    through one chain of memberships at most (checked when the rules load)."""
    fact: Fact = {"t": "group", "n": member["n"], "code": group,
                  "src": member.get("src", member["code"])}
    _places(fact, [place for place, at in _AT
                   if at in member and (not areas or place[0] in areas)])
    return fact


FactsKey = tuple[FactParts, ...]


def build_facts(intake: Intake, rules: RuleSet | None = None) -> list[Fact]:
    """The session's facts: the wished-for session, then one per reported condition
    (read with ``rules``' cautious readings; default: those that validated the intake)."""
    return keyed_facts(intake, rules)[0]


def keyed_facts(intake: Intake, rules: RuleSet | None = None) -> tuple[list[Fact], FactsKey]:
    """The session's facts, and the readings of the conditions they were made from: the
    key of the work kept per set of condition facts (``RuleSet.memo``: the plain reading,
    the findings and their combination read nothing else). The intake is read once, here:
    what is kept under a key always comes from that key, even if the intake's lists are
    changed while it is screened."""
    rules = rules or intake.checked_by() or bundled_rules()
    session: Fact = {
        "t": "session",
        "n": -1,
        "goal": intake.goal,
        "pressure": PRESSURE_RANK[intake.preferred_pressure],
        "minutes": intake.minutes,
    }
    key = tuple(fact_parts(i, r, rules.conditions[r.code], rules.cautious_yes[r.code])
                for i, r in enumerate(intake.conditions))
    return [session, *(reading.fact() for reading in key)], key
