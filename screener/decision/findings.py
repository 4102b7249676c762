"""Fired rules → findings on explicit sites → one combined decision.

The engine says *which* rules fired on *which* reported conditions; a rule's actions are
templates ('exclude the reported sites and everything below'). Here they are applied to
the sites actually reported, then all findings are combined: the most restrictive
decision wins, exclusions are unioned, caps take the minimum per site.
"""

from __future__ import annotations

from dataclasses import dataclass

from screener.decision.assessment import (
    Avoid,
    Finding,
    FindingAction,
    PressureCap,
    Referral,
    SiteRef,
    avoid_item,
    finding_action,
    pressure_cap,
    site_ref,
    unshared,
)
from screener.engine.session import Match
from screener.answers.intake import Intake
from screener.engine.facts import FactsKey, keyed_facts
from screener.rules import Action, RuleSet
from screener.vocabulary import (
    AREA_RANK,
    AREAS,
    DECISION_RANK,
    NEIGHBOURS,
    SIDES,
    TECHNIQUES,
    Area,
    Decision,
    Pressure,
    Side,
    max_decision,
    min_pressure,
)

Place = tuple[Area, Side]


def _order(place: Place) -> tuple[int, int]:
    return SIDES.index(place[1]), AREA_RANK[place[0]]


def target_places(action: Action, covered: tuple[Place, ...] | None) -> list[Place]:
    """The explicit (area, side) pairs an action template applies to, given the places
    its condition was reported on (``covered`` may be None only for ``where:
    everywhere``, as on a group's own rules)."""
    if action.where == "everywhere" or covered is None:
        places = {(a, s) for s in SIDES for a in AREAS}
    elif action.where == "legs":
        places = {(a, s) for s in {side for _, side in covered} for a in AREAS}
    else:
        places = set(covered)
    if action.below:
        places |= {(b, s) for a, s in places for b in AREAS if AREA_RANK[b] < AREA_RANK[a]}
    if action.around:
        places |= {(b, s) for a, s in places for b in NEIGHBOURS[a]}
    if action.areas:
        places = {p for p in places if p[0] in action.areas}
    return sorted(places, key=_order)


def _concrete(action: Action, covered: tuple[Place, ...] | None) -> list[FindingAction]:
    if action.kind == "note":
        return [finding_action(kind="note", message=action.message)]
    if action.kind == "limit":
        return [finding_action(kind="limit", minutes=action.minutes)]
    if action.kind == "avoid" and action.where == "everywhere" and not action.areas:
        return [finding_action(kind="avoid", technique=t) for t in action.techniques]
    places = target_places(action, covered)
    if action.kind == "exclude":
        return [finding_action(kind="exclude", area=a, side=s) for a, s in places]
    if action.kind == "cap":
        return [finding_action(kind="cap", area=a, side=s, max=action.max) for a, s in places]
    return [finding_action(kind="avoid", technique=t, area=a, side=s)
            for t in action.techniques for a, s in places]


FindingKey = tuple[str, tuple[tuple[tuple[str, tuple[Place, ...]], ...], ...]]


def _bound(parts: FactsKey, match: Match) -> tuple[tuple[str, tuple[Place, ...]], ...]:
    """What a rule's finding reads of one match: each condition it fired on and where."""
    return tuple(sorted((code, parts[n].places) for code, n in match.facts.items()))


def keyed_findings(rules: RuleSet, parts: FactsKey, matches: list[Match]
                   ) -> list[tuple[FindingKey, Finding]]:
    """One finding per fired rule, in the rule set's stable order, each with the key it is
    worked out from: the rule and the conditions and places it fired on (read from the
    facts' parts, never the intake again: a key and its finding come from the same
    answers). Worked out once per key and rule set (``rules.memo``); the findings are
    shared, so hand them out through ``unshared``."""
    fired: dict[str, list[Match]] = {}
    for match in matches:
        fired.setdefault(match.rule_id, []).append(match)
    memo = rules.memo("findings")
    out = []
    for rule_id, group in fired.items():
        key = (rule_id, tuple(sorted(_bound(parts, m) for m in group)))
        # kept with its key, and the kept key is the one handed on: every memo keyed by
        # findings then holds one shared copy of each key, not one per screening
        out.append(memo.get(key, lambda: (key, _finding(rules, *key))))
    out.sort(key=lambda pair: rules.rule_position[pair[0][0]])
    return out


def build_findings(rules: RuleSet, intake: Intake, matches: list[Match]) -> list[Finding]:
    """One finding per fired rule, in the rule set's stable order."""
    parts = keyed_facts(intake, rules)[1]
    return [unshared(f) for _, f in keyed_findings(rules, parts, matches)]


def _finding(rules: RuleSet, rule_id: str,
             bound: tuple[tuple[tuple[str, tuple[Place, ...]], ...], ...]) -> Finding:
    """A rule's finding over every match it fired on (``bound``: each match's conditions
    and their places): a rule that fired more than once (on several members of a group)
    is one finding over all they reported."""
    owner, rule = rules.rule_index[rule_id]
    actions: list[FindingAction] = []
    if rule.decision in ("refer", "urgent"):
        actions.append(finding_action(kind=rule.decision, message=rule.referral))
    codes: list[str] = []
    seen: set[int] = set()  # concrete actions are cached values: one object per value

    def in_rule_set_order(codes: list[str]) -> list[str]:
        # the rule's own condition first, then the rule set's order: never the order
        # the answers came in, so equal intakes give equal bytes (invariant 6)
        return sorted(codes, key=lambda c: (c != owner.code, rules.order[c]))

    for match in sorted(bound, key=lambda m: in_rule_set_order([c for c, _ in m])):
        places = dict(match)
        codes += [c for c in in_rule_set_order(list(places)) if c not in codes]
        for action in rule.actions:
            own = action.of or (None if owner.is_group else owner.code)
            for concrete in _concrete(action, places.get(own) if own else None):
                if id(concrete) not in seen:
                    seen.add(id(concrete))
                    actions.append(concrete)
    return Finding(rule=rule.id, decision=rule.decision, actions=actions,
                   reason=rule.reason.strip(), sources=rules.cite(rule.sources),
                   conditions=codes)


@dataclass(frozen=True)
class Combined:
    """All findings folded into one decision and one set of restrictions. Immutable all
    through (tuples of frozen values), so it can be kept and shared."""

    decision: Decision
    exclusions: tuple[SiteRef, ...]
    pressure_caps: tuple[PressureCap, ...]
    avoid: tuple[Avoid, ...]
    referral: Referral | None
    notes: tuple[str, ...]
    max_minutes: int | None = None  # the shortest session any rule allows


def combine(findings: list[Finding]) -> Combined:
    decision = max_decision(*(f.decision for f in findings))
    excluded: set[Place] = set()
    caps: dict[Place, Pressure] = {}
    everywhere: set[str] = set()
    avoided: set[tuple[str, Area, Side]] = set()
    notes: list[str] = []
    limits: list[int] = []
    for finding in findings:
        for a in finding.actions:
            if a.kind == "exclude" and a.area and a.side:
                excluded.add((a.area, a.side))
            elif a.kind == "cap" and a.area and a.side and a.max:
                place = (a.area, a.side)
                caps[place] = min_pressure(caps.get(place, a.max), a.max)
            elif a.kind == "avoid" and a.technique:
                if a.area and a.side:
                    avoided.add((a.technique, a.area, a.side))
                else:
                    everywhere.add(a.technique)
            elif a.kind == "note" and a.message and a.message not in notes:
                notes.append(a.message)
            elif a.kind == "limit" and a.minutes:
                limits.append(a.minutes)
    referral = None
    if DECISION_RANK[decision] >= DECISION_RANK["refer"]:
        messages: list[str] = []
        for f in findings:
            for a in f.actions:
                if a.kind == decision and a.message and a.message not in messages:
                    messages.append(a.message)
        referral = Referral(urgency=decision, message=" ".join(messages))  # type: ignore[arg-type]
    return Combined(
        decision=decision,
        exclusions=tuple(site_ref(area=a, side=s) for a, s in sorted(excluded, key=_order)),
        pressure_caps=tuple(pressure_cap(area=a, side=s, max=caps[(a, s)])
                            for a, s in sorted(caps, key=_order)),
        avoid=tuple([avoid_item(technique=t) for t in TECHNIQUES if t in everywhere] + [
            avoid_item(technique=t, area=a, side=s)
            for t, a, s in sorted(avoided, key=lambda x: (TECHNIQUES.index(x[0]), *_order(x[1:])))
            if t not in everywhere
        ]),
        referral=referral,
        notes=tuple(notes),
        max_minutes=min(limits, default=None),
    )
