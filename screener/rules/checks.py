"""Checks across the files of a rule set: names that point elsewhere exist, rule ids are
unique, every rule and every group membership can fire, and group rules act only on
sites they can name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import RulesError
from .models import Owner, Test

if TYPE_CHECKING:
    from .ruleset import RuleSet


def check_references(rules: RuleSet) -> None:
    """Names that point elsewhere must exist, rule ids must be unique, every rule must be
    able to fire, and group rules may act only on sites they can name."""
    for owner in [*rules.conditions.values(), *rules.groups.values()]:
        seen_groups: set[str] = set()
        for membership in owner.member_of:
            where = dict(file=rules.file(owner.code))
            if membership.group not in rules.groups:
                raise RulesError(f"member_of: unknown group {membership.group!r}", **where)
            if membership.group in seen_groups:
                raise RulesError(f"member_of: group {membership.group!r} listed twice", **where)
            seen_groups.add(membership.group)
            if owner.is_group and membership.when.answers():
                raise RulesError(f"member_of {membership.group}: a group can count in another "
                                 "only by areas and legs (not "
                                 f"{', '.join(sorted(membership.when.answers()))})", **where)
            for flag in [*membership.when.flags, *membership.when.flags_not]:
                if flag not in owner.flags:
                    raise RulesError(f"member_of {membership.group}: unknown flag {flag!r}: it "
                                     "can never count", **where)
            never = _never(owner, membership.when)
            if never:
                raise RulesError(f"member_of {membership.group}: {never}: it can never count",
                                 **where)
    _check_chains(rules)
    _check_citations(rules)
    for group in rules.groups.values():
        if not rules.members[group.code]:
            raise RulesError("no condition is a member of this group (member_of)",
                             file=rules.file(group.code))
    seen: dict[str, str] = {}
    for owner, rule in rules.rules:
        file = rules.file(owner.code)

        def fail(message: str) -> None:
            raise RulesError(message, file=file, rule=rule.id)  # noqa: B023 - raised at once

        if rule.id in seen:
            fail(f"duplicate rule id (also in {seen[rule.id]})")
        seen[rule.id] = rules.files[owner.code]
        tests: list[tuple[Owner, Test]] = [(owner, rule.when)]
        targets = [join.target for join in rule.with_]
        twice = sorted({t for t in targets if targets.count(t) > 1})
        if twice:  # the engine binds a fact once a rule; the plain reading could twice
            fail(f"with: {twice[0]!r} is joined twice: join it once, with one test")
        for join in rule.with_:
            target = join.target
            if join.code is not None and join.code not in rules.conditions:
                fail(f"with: unknown condition {join.code!r}")
            if join.group is not None and join.group not in rules.groups:
                fail(f"with: unknown group {join.group!r}")
            if target == owner.code:
                fail("with: a rule cannot join its own condition or group")
            tests.append((rules.owner(target), join))
        for target, test in tests:
            if target.is_group and test.answers():
                fail(f"a test on group {target.code!r} can only name areas "
                     f"(not {', '.join(sorted(test.answers()))})")
            for flag in [*test.flags, *test.flags_not]:
                if flag not in target.flags:
                    fail(f"unknown flag {flag!r} for {target.code}: the rule can never fire")
            never = _never(target, test)
            if never:
                fail(f"{never}: the rule can never fire")
        codes = {owner.code} | {j.code for j in rule.with_ if j.code}
        for action in rule.actions:
            if action.of and action.of not in codes:
                fail(f"action 'of: {action.of}' names no condition the rule matches")
            sited = action.kind in ("exclude", "cap", "avoid") and action.where != "everywhere"
            if owner.is_group and sited and not action.of:
                fail("a group rule acts on sites only with 'of: <condition>' or "
                     "'where: everywhere'")


def _check_chains(rules: RuleSet) -> None:
    """Groups that count in groups form no cycle, and a condition reaches a group by one
    path only: its group fact covers the places of exactly one chain of memberships."""
    left = sorted(set(rules.groups) - set(rules.derivation_order))
    if left:
        raise RulesError(f"member_of: groups count in each other in a circle ({', '.join(left)})",
                         file=rules.file(left[0]))
    for condition in rules.conditions.values():
        paths: dict[str, list[str]] = {}
        frontier = [(m.group, [condition.code, m.group]) for m in condition.member_of]
        while frontier:
            group, path = frontier.pop()
            if group in paths:
                raise RulesError(f"reaches group {group!r} twice ({' > '.join(paths[group])}; "
                                 f"{' > '.join(path)}): keep one", file=rules.file(condition.code))
            paths[group] = path
            frontier += [(m.group, [*path, m.group]) for m in rules.groups[group].member_of]


def _never(owner: Owner, test: Test) -> str | None:
    """Why a test can never hold for this condition or group, or None."""
    low, high = test.days_ago_more_than, test.days_ago_at_most
    if low is not None and high is not None and low >= high:
        return f"days_ago more than {low} and at most {high}"
    if test.cleared is True and "cleared" not in owner.asks:
        return "tests 'cleared' but the checklist never asks it"
    both = set(test.flags) & set(test.flags_not)
    if both:
        return f"flag {sorted(both)[0]!r} both required and refused"
    return None


def _check_citations(rules: RuleSet) -> None:
    """Every source a rule or group cites must be an entry of the bibliography."""
    for owner in [*rules.conditions.values(), *rules.groups.values()]:
        cited = [(None, c) for c in getattr(owner, "sources", [])]
        cited += [(None, c) for u in getattr(owner, "unanswered", {}).values() for c in u.sources]
        cited += [(rule.id, c) for rule in owner.rules for c in rule.sources]
        for rule, citation in cited:
            if citation.cite not in rules.bibliography:
                raise RulesError(f"sources: {citation.cite!r} is not in bibliography.yaml",
                                 file=rules.file(owner.code), rule=rule)
