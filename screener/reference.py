"""A plain-Python reading of the rule files, beside the engine, never instead of it.

Decisions always come from durable_rules (``engine``). This module reads the same rule
tests over the same facts for two other jobs: telling a person *why* a rule did not
fire (``screener explain``), and serving as the floor that the engine's speed and
results are compared with (the benchmark, and a test that both agree on every intake).
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Match
from .facts import Fact, build_facts
from .intake import Intake
from .ruleset import RuleSet, Test
from .vocabulary import SEVERITIES, SEVERITY_RANK


def unmet(test: Test, fact: Fact) -> list[str]:
    """The parts of a test that the fact does not meet, in words (empty: it holds)."""
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
    out += [f"'{flag}' not answered yes" for flag in test.flags if not fact.get(f"flag_{flag}")]
    if test.areas and not any(fact.get(f"area_{a}") for a in test.areas):
        out.append("not reported on " + " or ".join(test.areas))
    return out


def reference_matches(rules: RuleSet, intake: Intake) -> list[Match]:
    """The rules that should fire on this intake, read without the engine."""
    facts = {f["code"]: f for f in build_facts(intake) if f["t"] == "condition"}
    matches = []
    for condition, rule in rules.rules:
        parts = [(condition.code, rule.when), *((j.code, j) for j in rule.with_)]
        if all(code in facts and not unmet(test, facts[code]) for code, test in parts):
            matches.append(Match(rule.id, {code: facts[code]["n"] for code, _ in parts}))
    return matches


@dataclass(frozen=True)
class Explanation:
    rule: str
    condition: str
    fired: bool
    why: str


def explain(rules: RuleSet, intake: Intake, fired_ids: set[str]) -> list[Explanation]:
    """For every rule of a reported condition: fired (by the engine) or not, and why not."""
    facts = {f["code"]: f for f in build_facts(intake) if f["t"] == "condition"}
    out = []
    for condition, rule in rules.rules:
        if condition.code not in facts:
            continue
        if rule.id in fired_ids:
            out.append(Explanation(rule.id, condition.code, True, "fired"))
            continue
        reasons = []
        for code, test in [(condition.code, rule.when), *((j.code, j) for j in rule.with_)]:
            if code not in facts:
                reasons.append(f"needs {code} reported too")
            else:
                reasons += [f"{code}: {r}" for r in unmet(test, facts[code])]
        out.append(Explanation(rule.id, condition.code, False, "; ".join(reasons) or "-"))
    return out

