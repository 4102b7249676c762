"""A plain-Python reading of the rule files, beside the engine, never instead of it.

Decisions always come from durable_rules (``engine``). This module reads the same rule
tests over the same facts, derived group facts included, for three other jobs: checking
every screening's matches (``screening``: any disagreement fails closed), telling a
person *why* a rule did not fire (``screener explain``), and serving as the floor that
the engine's speed is compared with (the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from screener.engine.session import Match
from screener.engine.facts import Fact, area_field, at_field, build_facts, flag_field, group_fact, side_field
from screener.answers.intake import Intake
from screener.rules import Owner, Rule, RuleSet, Test
from screener.vocabulary import SEVERITIES, SEVERITY_RANK, SIDES


def unmet(test: Test, fact: Fact, side: str | None = None) -> list[str]:
    """The parts of a test that the fact does not meet, in words (empty: it holds).
    With ``side``, the fact must be on that leg and its areas are tested there."""
    out = []
    if test.cleared is not None and fact["cleared"] != int(test.cleared):
        out.append("needs cleared by a professional" if test.cleared else "was cleared")
    if test.severity_at_least and fact["severity"] < SEVERITY_RANK[test.severity_at_least]:
        out.append(f"severity is {SEVERITIES[fact['severity'] - 1]}, "
                   f"needs {test.severity_at_least} or worse")
    if test.days_ago_at_most is not None and fact["days_ago"] > test.days_ago_at_most:
        out.append(f"{fact['days_ago']} days ago, needs {test.days_ago_at_most} or fewer")
    if test.days_ago_more_than is not None and fact["days_ago"] <= test.days_ago_more_than:
        out.append(f"{fact['days_ago']} days ago, needs more than {test.days_ago_more_than}")
    out += [f"'{flag}' not answered yes" for flag in test.flags if not fact.get(flag_field(flag))]
    out += [f"'{flag}' answered yes" for flag in test.flags_not if fact.get(flag_field(flag))]
    if test.both_legs and not all(fact.get(side_field(s)) for s in SIDES):
        out.append("not on both legs")
    if test.sited and not fact.get("sited"):
        out.append("no sites named (the whole legs)")
    if side and not fact.get(side_field(side)):
        out.append(f"not on the {side} leg")
    if test.areas:
        fields = [at_field(side, a) if side else area_field(a) for a in test.areas]
        if not any(fact.get(f) for f in fields):
            out.append("not reported on " + " or ".join(test.areas)
                       + (f" of the {side} leg" if side else ""))
    return out


class Facts:
    """An intake's condition facts by code, and the group facts its members derive."""

    def __init__(self, rules: RuleSet, intake: Intake, facts: list[Fact] | None = None):
        self.by_code: dict[str, Fact] = {
            f["code"]: f for f in facts or build_facts(intake, rules) if f["t"] == "condition"}
        self.groups: dict[str, list[Fact]] = {}
        for group in rules.derivation_order:  # a group after the groups that count in it
            derived = [group_fact(group, fact, m.when.areas)
                       for member, m in rules.members[group]
                       for fact in self.of(member.code) if not unmet(m.when, fact)]
            if derived:
                self.groups[group] = derived

    def of(self, code: str) -> list[Fact]:
        """The facts a rule on ``code`` (a condition or a group) can match."""
        fact = self.by_code.get(code)
        return [fact] if fact else self.groups.get(code, [])


def _parts(owner: Owner, rule: Rule) -> list[tuple[str, Test, Callable[[str | None], str | None]]]:
    """(code, test, the leg it must be on given the rule's own leg) for the rule's own
    fact and each joined one."""
    return [(owner.code, rule.when, lambda side: side),
            *((j.target, j, j.leg) for j in rule.with_)]


def rule_matches(owner: Owner, rule: Rule, facts: Facts) -> list[Match]:
    """Every way one rule fires on these facts (one per combination of matched facts)."""
    parts = _parts(owner, rule)
    sides: list[str | None] = list(SIDES) if any(j.by_leg for j in rule.with_) else [None]
    found: dict[tuple, Match] = {}
    for side in sides:
        options = [[f for f in facts.of(code) if not unmet(test, f, leg(side))]
                   for code, test, leg in parts]
        for combo in product(*options):
            match = Match(rule.id, {f.get("src", f["code"]): f["n"] for f in combo})
            found.setdefault((match.rule_id, tuple(sorted(match.facts.items()))), match)
    return list(found.values())


def reference_matches(rules: RuleSet, intake: Intake,
                      built: list[Fact] | None = None) -> list[Match]:
    """The rules that should fire on this intake, read without the engine (``built``:
    the intake's facts, when the caller has them already)."""
    facts = Facts(rules, intake, built)
    present = set(facts.by_code) | set(facts.groups)
    return [m for owner, rule in rules.rules if owner.code in present
            for m in rule_matches(owner, rule, facts)]


@dataclass(frozen=True)
class Explanation:
    rule: str
    condition: str  # the condition or group the rule belongs to
    fired: bool
    why: str


def explain(rules: RuleSet, intake: Intake, fired_ids: set[str]) -> list[Explanation]:
    """For every rule of a reported condition, or of a group a reported condition counts
    in: fired (by the engine) or not, and why not."""
    facts = Facts(rules, intake)
    out = []
    for owner, rule in rules.rules:
        if not facts.of(owner.code):
            continue
        if rule.id in fired_ids:
            out.append(Explanation(rule.id, owner.code, True, "fired"))
            continue
        reasons = []
        for code, test, _ in _parts(owner, rule):
            candidates = facts.of(code)
            if not candidates:
                reasons.append(f"needs {code} reported too")
            elif all(unmet(test, f) for f in candidates):
                reasons += [f"{code}: {r}" for r in unmet(test, candidates[0])]
        if not reasons and any(j.by_leg for j in rule.with_):
            reasons.append("not on the legs it needs (the same leg, or the other)")
        out.append(Explanation(rule.id, owner.code, False, "; ".join(reasons) or "-"))
    return out
