"""Rule files → durable_rules definitions (plain JSON), and the bounds the engine needs.

Kept apart from ``engine`` (which registers and runs them) so that a rule set can be
checked against what durable_rules can hold when it loads, before any engine exists.
durable_rules fails silently or late past these bounds (read in its 2.0.28 C source and
seen here):

- a fact keeps at most about 250 properties; past that, a fact is matched as if some
  fields were missing, and a rule that needs them never fires;
- property names are told apart by their 32-bit FNV-1a hash only, so two names with the
  same hash cross-fire (seen here: a rule on one flag fires on a fact with the other);
- about 255 rules can share one identical pattern; past that, rules fire twice and
  then the ruleset is refused (the bound below is far lower);
- at most 64 rules can fire on one fact in a session: past that, the assert fails
  (error 303), and with several hundred rules on one condition it never returns at all,
  deaf to signals (seen here with 800).

Measured by ``benchmarks/engine_bounds.py`` (durable_rules 2.0.28, the rule language as
it stands; ``tests/test_engine_bounds.py`` holds the bounds below):

- engine size: 570 durable_rules rules (the shipped set plus 450 generated conditions)
  screen in half a second; at 620 the first screening spins in the C engine for good,
  deaf to signals, even when one condition is reported;
- joins: a rule joining 8 other conditions screens; with 16 every assert fails (error
  304), whatever the intake.

Each bound is about half of the last size that worked.

Re-measured with one long-lived session per engine (issue #19; ``--unbounded``): 625
durable_rules rules screen (the first screening 0.5 s, the next 0.36 s), 96 rules firing
on one fact screen, 8 joins screen and 16 still fail every assert (error 304, an
``EngineError``). So the bounds below still hold, with more margin than before.

Each bound is checked here with a margin, and a rule set past one is a ``RulesError``
naming the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from screener.errors import RulesError
from screener.engine.facts import (
    BASE_FIELDS,
    GROUP_FIELDS,
    PLACE_FIELDS,
    area_field,
    at_field,
    flag_field,
    side_field,
)
from screener.rules import Membership, Owner, Rule, RuleSet, Test
from screener.vocabulary import SEVERITY_RANK, SIDES

PRIMARY = "m"  # the alias of a rule's own fact in a match
MAX_FACT_PROPERTIES = 200
MAX_RULES_PER_FACT = 48  # rules that read one condition or group: all may fire on its fact
MAX_ENGINE_RULES = 300  # durable_rules rules in all (members, same-leg copies counted)
MAX_JOINS = 4  # other facts one rule joins ('with:' entries)
SESSION_FIELDS = ("goal", "pressure", "minutes")
Pattern = dict[str, Any]


def property_hash(name: str) -> int:
    """durable_rules' hash of a property name: 32-bit FNV-1a (its ``fnv1Hash32``)."""
    h = 0x811C9DC5
    for byte in name.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def compile_test(kind: str, code: str, test: Test, side: str | None = None) -> Pattern:
    """A rule test as a durable_rules pattern over one fact (``kind``: condition or group);
    with ``side``, the fact must be on that leg and its areas tested on that leg."""
    terms: list[Pattern] = [{"t": kind}, {"code": code}]
    if test.cleared is not None:
        terms.append({"cleared": int(test.cleared)})
    if test.severity_at_least is not None:
        terms.append({"$gte": {"severity": SEVERITY_RANK[test.severity_at_least]}})
    if test.days_ago_at_most is not None:
        terms.append({"$lte": {"days_ago": test.days_ago_at_most}})
    if test.days_ago_more_than is not None:
        terms.append({"$gt": {"days_ago": test.days_ago_more_than}})
    terms.extend({flag_field(flag): 1} for flag in test.flags)
    terms.extend({"$nex": {flag_field(flag): 1}} for flag in test.flags_not)
    if test.both_legs:
        terms += [{side_field(s): 1} for s in SIDES]
    if test.sited:
        terms.append({"sited": 1})
    if side:
        terms.append({side_field(side): 1})
    if test.areas:
        areas = [{at_field(side, a) if side else area_field(a): 1} for a in test.areas]
        terms.append(areas[0] if len(areas) == 1 else {"$or": areas})
    return {"$and": terms}


def pattern_code(pattern: Pattern) -> str:
    """The condition or group a pattern from ``compile_test`` reads (its second term)."""
    return pattern["$and"][1]["code"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Compiled:
    """One durable_rules rule: its patterns by alias, the file it comes from, and what
    firing means.

    ``rule_id`` for a rule of the files (a same-leg rule compiles to one per leg);
    ``member`` (group, areas) for the rule that derives a group fact from a condition's
    fact, or from the fact of a group that counts in it.
    """

    name: str
    patterns: dict[str, Pattern]
    file: str
    rule_id: str | None = None
    member: tuple[str, list[str]] | None = None


@dataclass
class Definition:
    """The compiled rule set: every durable_rules rule, by name, and the fact fields its
    patterns read (the engine is sent only those: every other field costs time and can
    change nothing)."""

    rules: dict[str, Compiled] = field(default_factory=dict)
    fields: set[str] = field(default_factory=lambda: {"t", "n", "code", "src"})

    def add(self, compiled: Compiled) -> None:
        self.rules[compiled.name] = compiled
        for pattern in compiled.patterns.values():
            self.fields |= _names(pattern)


def _names(pattern: Any) -> set[str]:
    """The fact fields a pattern reads."""
    if isinstance(pattern, list):
        return set().union(*map(_names, pattern)) if pattern else set()
    if not isinstance(pattern, dict):
        return set()
    return {k for k in pattern if not k.startswith("$")} | set().union(
        *(_names(v) for v in pattern.values()))


def _kind(owner: Owner) -> str:
    return "group" if owner.is_group else "condition"


def compile_rule(rules: RuleSet, owner: Owner, rule: Rule) -> list[Compiled]:
    """A rule as durable_rules rules: ``all`` of its own fact and each joined one; a rule
    with a same-leg join becomes one rule per leg."""
    file = rules.file(owner.code)
    sides: list[str | None] = list(SIDES) if any(j.by_leg for j in rule.with_) else [None]
    out = []
    for side in sides:
        patterns = {PRIMARY: compile_test(_kind(owner), owner.code, rule.when, side)}
        for i, join in enumerate(rule.with_):
            kind = "group" if join.group else "condition"
            patterns[f"w{i}"] = compile_test(kind, join.target, join,
                                             join.leg(side))
        name = rule.id if side is None else f"{rule.id}@{side}"
        out.append(Compiled(name, patterns, file, rule_id=rule.id))
    return out


def compile_member(rules: RuleSet, group: str, member: Owner,
                   membership: Membership) -> Compiled:
    return Compiled(
        f"$member:{group}:{member.code}",
        {PRIMARY: compile_test(_kind(member), member.code, membership.when)},
        rules.file(member.code),
        member=(group, list(membership.when.areas)),
    )


def compile_rules(rules: RuleSet) -> Definition:
    definition = Definition()
    for group, members in rules.members.items():
        for member, membership in members:
            definition.add(compile_member(rules, group, member, membership))
    for owner, rule in rules.rules:
        for compiled in compile_rule(rules, owner, rule):
            definition.add(compiled)
    return definition


def check_engine_bounds(rules: RuleSet) -> Definition:
    """Compile the rule set and refuse what durable_rules cannot hold (see the module
    docstring); return the compiled definition."""
    for condition in rules.conditions.values():
        count = len(BASE_FIELDS) + len(PLACE_FIELDS) + len(condition.flags)
        if count > MAX_FACT_PROPERTIES:
            limit = MAX_FACT_PROPERTIES - len(BASE_FIELDS) - len(PLACE_FIELDS)
            raise RulesError(f"{len(condition.flags)} flags: the engine holds at most "
                             f"{limit} flags a condition", file=rules.file(condition.code))
    _check_hashes(rules)
    for owner, rule in rules.rules:
        if len(rule.with_) > MAX_JOINS:
            raise RulesError(f"{len(rule.with_)} joins ('with:'): the engine holds at most "
                             f"{MAX_JOINS} in one rule", file=rules.file(owner.code),
                             rule=rule.id)
    definition = compile_rules(rules)
    readers: Counter[str] = Counter()  # condition or group code -> rules reading its fact
    for compiled in definition.rules.values():
        for code in {pattern_code(p) for p in compiled.patterns.values()}:
            readers[code] += 1
    for code, count in readers.items():
        if count > MAX_RULES_PER_FACT:
            raise RulesError(f"{count} rules read {code!r}: the engine can fire at most "
                             f"{MAX_RULES_PER_FACT} on one fact", file=rules.file(code))
    if len(definition.rules) > MAX_ENGINE_RULES:
        raise RulesError(f"{len(definition.rules)} engine rules (rules, same-leg copies and "
                         f"group memberships): the engine holds at most {MAX_ENGINE_RULES}",
                         file=str(rules.path))
    return definition


def _check_hashes(rules: RuleSet) -> None:
    """No two property names, and no two codes, may share a hash."""
    names: dict[str, str] = {n: "" for n in (*BASE_FIELDS, *GROUP_FIELDS, *PLACE_FIELDS,
                                             *SESSION_FIELDS)}
    for condition in rules.conditions.values():
        for flag in condition.flags:
            names.setdefault(flag_field(flag), rules.file(condition.code))
    codes = {c: rules.file(c) for c in [*rules.conditions, *rules.groups]}
    codes.update({t: "" for t in ("condition", "group", "session")})
    for what, table in (("field", names), ("code", codes)):
        seen: dict[int, str] = {}
        for name in sorted(table):
            other = seen.setdefault(property_hash(name), name)
            if other != name:
                file = table[name] or table[other] or str(rules.path)
                raise RulesError(f"{what}s {other!r} and {name!r} look the same to the engine "
                                 "(their hashes collide): rename one", file=file)
