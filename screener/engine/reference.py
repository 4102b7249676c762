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

from screener.engine.session import Match, MatchKey, match_key
from screener.engine.facts import (
    Fact,
    FactsKey,
    area_field,
    at_field,
    build_facts,
    keyed_facts,
    flag_field,
    group_fact,
    side_field,
)
from screener.answers.intake import Intake
from screener.rules import Rule, RuleSet, Test
from screener.vocabulary import SEVERITIES, SEVERITY_RANK, SIDES


# Work kept per set of condition facts: an intake reporting every condition keeps some
# tens of kB, so fewer of these than of the smaller kinds (``MEMO_SIZE``)
PER_FACTS_MEMO = 1024

Check = tuple[Callable[[Fact], bool], Callable[[Fact], str]]  # holds?, and if not, why


def _checks(test: Test, side: str | None) -> list[Check]:
    """A rule test as its parts, each a test of a fact and the words for when it fails.
    With ``side``, the fact must be on that leg and its areas are tested there."""
    out: list[Check] = []
    if test.cleared is not None:
        cleared = int(test.cleared)
        out.append((lambda f: f["cleared"] == cleared,
                    lambda f: "needs cleared by a professional" if cleared else "was cleared"))
    if test.severity_at_least:
        least = SEVERITY_RANK[test.severity_at_least]
        out.append((lambda f: f["severity"] >= least,
                    lambda f: f"severity is {SEVERITIES[f['severity'] - 1]}, "
                              f"needs {test.severity_at_least} or worse"))
    if test.days_ago_at_most is not None:
        most = test.days_ago_at_most
        out.append((lambda f: f["days_ago"] <= most,
                    lambda f: f"{f['days_ago']} days ago, needs {most} or fewer"))
    if test.days_ago_more_than is not None:
        more = test.days_ago_more_than
        out.append((lambda f: f["days_ago"] > more,
                    lambda f: f"{f['days_ago']} days ago, needs more than {more}"))
    for flag in test.flags:
        out.append((lambda f, name=flag_field(flag): bool(f.get(name)),
                    lambda f, flag=flag: f"'{flag}' not answered yes"))
    for flag in test.flags_not:
        out.append((lambda f, name=flag_field(flag): not f.get(name),
                    lambda f, flag=flag: f"'{flag}' answered yes"))
    if test.both_legs:
        both = [side_field(s) for s in SIDES]
        out.append((lambda f: all(f.get(name) for name in both), lambda f: "not on both legs"))
    if test.sited:
        out.append((lambda f: bool(f.get("sited")), lambda f: "no sites named (the whole legs)"))
    if side:
        leg = side_field(side)
        out.append((lambda f: bool(f.get(leg)), lambda f: f"not on the {side} leg"))
    if test.areas:
        fields = [at_field(side, a) if side else area_field(a) for a in test.areas]
        words = "not reported on " + " or ".join(test.areas) + (
            f" of the {side} leg" if side else "")
        out.append((lambda f: any(f.get(name) for name in fields), lambda f: words))
    return out


class Reading:
    """The rule set compiled for the plain reading, once per rule set (kept on it, like
    the engine): each test as its checks, and the rules indexed by the condition or group
    whose fact they belong to, so a screening reads only the rules of what was reported."""

    def __init__(self, rules: RuleSet):
        self._checks: dict[tuple[int, str | None], tuple[Test, list[Check]]] = {}
        # group -> (member code, its test's checks, the areas it counts on)
        self.members = {group: [(member.code, self.checks(m.when), m.when.areas)
                                for member, m in rules.members[group]]
                        for group in rules.derivation_order}
        self.member_codes = {group: frozenset(code for code, _, _ in members)
                             for group, members in self.members.items()}
        self.by_owner: dict[str, list[Rule]] = {}
        for owner, rule in rules.rules:
            self.by_owner.setdefault(owner.code, []).append(rule)

    def checks(self, test: Test, side: str | None = None) -> list[Check]:
        key = (id(test), side)
        found = self._checks.get(key)
        if found is None:  # the test is kept beside its checks, so its id stays its own
            found = self._checks[key] = (test, _checks(test, side))
        return found[1]


def reading_for(rules: RuleSet) -> Reading:
    """The plain reading of this very rule set object, built once on first use."""
    return rules.built("reading", lambda: Reading(rules))


def holds(checks: list[Check], fact: Fact) -> bool:
    return all(ok(fact) for ok, _ in checks)


def unmet(reading: Reading, test: Test, fact: Fact, side: str | None = None) -> list[str]:
    """The parts of a test that the fact does not meet, in words (empty: it holds)."""
    return [words(fact) for ok, words in reading.checks(test, side) if not ok(fact)]


class Facts:
    """An intake's condition facts by code, and the group facts its members derive."""

    def __init__(self, rules: RuleSet, intake: Intake, facts: list[Fact] | None = None):
        reading = reading_for(rules)
        self.by_code: dict[str, Fact] = {
            f["code"]: f for f in facts or build_facts(intake, rules) if f["t"] == "condition"}
        self.groups: dict[str, list[Fact]] = {}
        present = set(self.by_code)
        for group, members in reading.members.items():  # a group after those counting in it
            if present.isdisjoint(reading.member_codes[group]):
                continue
            derived = [group_fact(group, fact, areas) for code, checks, areas in members
                       for fact in self.of(code) if holds(checks, fact)]
            if derived:
                self.groups[group] = derived
                present.add(group)

    def of(self, code: str) -> list[Fact]:
        """The facts a rule on ``code`` (a condition or a group) can match."""
        fact = self.by_code.get(code)
        return [fact] if fact else self.groups.get(code, [])

    def derived(self) -> set[tuple[str, int]]:
        """Every group fact, as (group, the index of the condition it comes from)."""
        return {(group, f["n"]) for group, found in self.groups.items() for f in found}


def _parts(owner_code: str, rule: Rule) -> list[tuple[str, Test, Callable[[str | None], str | None]]]:
    """(code, test, the leg it must be on given the rule's own leg) for the rule's own
    fact and each joined one."""
    return [(owner_code, rule.when, lambda side: side),
            *((j.target, j, j.leg) for j in rule.with_)]


def rule_matches(reading: Reading, owner_code: str, rule: Rule, facts: Facts) -> list[Match]:
    """Every way one rule fires on these facts (one per combination of matched facts)."""
    if not rule.with_:  # most rules: each of its own facts that holds is one match
        checks = reading.checks(rule.when)
        return [Match(rule.id, {f.get("src", f["code"]): f["n"]})
                for f in facts.of(owner_code) if holds(checks, f)]
    parts = _parts(owner_code, rule)
    sides: list[str | None] = list(SIDES) if any(j.by_leg for j in rule.with_) else [None]
    found: dict[tuple, Match] = {}
    for side in sides:
        options = []
        for code, test, leg in parts:
            checks = reading.checks(test, leg(side))
            options.append([f for f in facts.of(code) if holds(checks, f)])
            if not options[-1]:
                break
        else:
            for combo in product(*options):
                match = Match(rule.id, {f.get("src", f["code"]): f["n"] for f in combo})
                found.setdefault((match.rule_id, tuple(sorted(match.facts.items()))), match)
    return list(found.values())


def reference_matches(rules: RuleSet, intake: Intake) -> list[Match]:
    """The rules that should fire on this intake, read without the engine."""
    return list(_read(rules, intake, keyed_facts(intake, rules)[0])[0])


# what the cross-check compares: each match as its key, and each derived group fact
Reference = tuple[frozenset[MatchKey], frozenset[tuple[str, int]]]


def reference_reading(rules: RuleSet, intake: Intake,
                      keyed: tuple[list[Fact], FactsKey] | None = None) -> Reference:
    """The matches the rules should give (as keys), and the group facts they should
    derive. Read once per distinct set of condition facts (the reading depends on nothing
    else) and kept on the rule set: the engine still runs for every screening, and is
    checked. (``keyed``: the intake's facts and their key, ``keyed_facts``, when the
    caller has them.)"""
    facts, key = keyed or keyed_facts(intake, rules)

    def read() -> Reference:
        matches, groups = _read(rules, intake, facts)
        return frozenset(map(match_key, matches)), groups

    return rules.memo("reference", PER_FACTS_MEMO).get(key, read)


def _read(rules: RuleSet, intake: Intake, built: list[Fact]
          ) -> tuple[tuple[Match, ...], frozenset[tuple[str, int]]]:
    reading = reading_for(rules)
    facts = Facts(rules, intake, built)
    matches = tuple(m for code in [*facts.by_code, *facts.groups]
                    for rule in reading.by_owner.get(code, ())
                    for m in rule_matches(reading, code, rule, facts))
    return matches, frozenset(facts.derived())


@dataclass(frozen=True)
class Explanation:
    rule: str
    condition: str  # the condition or group the rule belongs to
    fired: bool
    why: str


def explain(rules: RuleSet, intake: Intake, fired_ids: set[str]) -> list[Explanation]:
    """For every rule of a reported condition, or of a group a reported condition counts
    in: fired (by the engine) or not, and why not."""
    reading = reading_for(rules)
    facts = Facts(rules, intake)
    out = []
    for owner, rule in rules.rules:
        if not facts.of(owner.code):
            continue
        if rule.id in fired_ids:
            out.append(Explanation(rule.id, owner.code, True, "fired"))
            continue
        reasons = []
        for code, test, _ in _parts(owner.code, rule):
            candidates = facts.of(code)
            if not candidates:
                reasons.append(f"needs {code} reported too")
            elif all(unmet(reading, test, f) for f in candidates):
                reasons += [f"{code}: {r}" for r in unmet(reading, test, candidates[0])]
        if not reasons and any(j.by_leg for j in rule.with_):
            reasons.append("not on the legs it needs (the same leg, or the other)")
        out.append(Explanation(rule.id, owner.code, False, "; ".join(reasons) or "-"))
    return out
