"""The words every format shares: headlines, place names, what a finding changes.

Kept in one place so the terminal, markdown, HTML and the body map's legend say the
same thing in the same words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from screener.answers.questions import asked
from screener.decision.assessment import Assessment, Finding, Step
from screener.rules import RuleSet
from screener.vocabulary import AREAS, SIDES

DISCLAIMER = ("This screener supports, and never replaces, the judgement of a healthcare "
              "professional. If in doubt, ask one before massaging.")

HEADLINES = {
    "proceed": "PROCEED: massage as planned, with the usual care.",
    "adjust": "ADJUST: massage only with the changes below.",
    "refer": "REFER: no leg massage until a healthcare professional says it is fine.",
    "urgent": "URGENT: do not massage. Seek medical care now.",
}
# An adjust whose restrictions leave no step (contract v1.2): never a go-ahead headline.
NOTHING_LEFT = "NO MASSAGE: no massage can be given with these answers."
CAUTIOUS_TITLE = "Read cautiously"
CAUTIOUS_NOTE = ("These questions were not answered, so the result reads each of them the "
                 "cautious way. Answering them may change the result.")


def nothing_left(assessment: Assessment) -> bool:
    """A routine was produced but nothing is left of it to massage."""
    return assessment.routine is not None and not assessment.routine.steps


def headline(assessment: Assessment) -> str:
    return NOTHING_LEFT if nothing_left(assessment) else HEADLINES[assessment.decision]


def read_cautiously(assessment: Assessment, rules: RuleSet | None) -> list[str]:
    """Each assumption in plain words: the condition, the question, how it was read."""
    return [f"{asked(rules, a.code, a.follow_up)} Not answered; read as {a.read_as}."
            for a in assessment.assumptions]


def describe_places(places: Iterable[tuple[str, str]]) -> str:
    """'left calf, knee; whole right leg' - short, readable names for a set of sites."""
    by_side: dict[str, set[str]] = defaultdict(set)
    for area, side in places:
        by_side[side].add(area)
    if all(by_side.get(s) == set(AREAS) for s in SIDES):
        return "both legs"
    parts = []
    for side in SIDES:
        areas = by_side.get(side)
        if not areas:
            continue
        if areas == set(AREAS):
            parts.append(f"whole {side} leg")
        else:
            parts.append(f"{side} " + ", ".join(a for a in AREAS if a in areas))
    return "; ".join(parts)


def by_level(caps: Iterable[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Caps grouped by their level: {'light': [(area, side), ...]}."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for level, area, side in caps:
        grouped[level].append((area, side))
    return grouped


def summarise(finding: Finding) -> list[str]:
    """What a finding does, in a few short phrases."""
    out = []
    excluded = [(a.area, a.side) for a in finding.actions if a.kind == "exclude"]
    if excluded:
        out.append("leave out " + describe_places(excluded))
    caps = by_level((a.max, a.area, a.side) for a in finding.actions if a.kind == "cap")
    out += [f"{level} pressure at most on {describe_places(p)}" for level, p in caps.items()]
    avoided: dict[str, list[tuple[str, str]]] = defaultdict(list)
    everywhere = []
    for a in finding.actions:
        if a.kind == "avoid":
            if a.area:
                avoided[a.technique].append((a.area, a.side))
            else:
                everywhere.append(a.technique)
    if everywhere:
        out.append("no " + ", ".join(t.replace("_", " ") for t in everywhere))
    by_where: dict[str, list[str]] = defaultdict(list)
    for technique, places in avoided.items():
        by_where[describe_places(places)].append(technique.replace("_", " "))
    out += [f"no {', '.join(ts)} on {where}" for where, ts in by_where.items()]
    return out


def title(finding: Finding, rules: RuleSet | None) -> str:
    """The condition(s) a finding is about, by their titles when the rules are known."""
    if rules and finding.conditions and finding.conditions[0] in rules.conditions:
        return " + ".join(rules.conditions[c].title for c in finding.conditions)
    return ", ".join(finding.conditions)


def changes(assessment: Assessment) -> list[tuple[str, str]]:
    """The combined restrictions as (what, where) rows, strictest first."""
    rows = []
    if assessment.exclusions:
        rows.append(("Leave out", describe_places((e.area, e.side) for e in assessment.exclusions)))
    caps = by_level((c.max, c.area, c.side) for c in assessment.pressure_caps)
    rows += [(f"At most {level} pressure", describe_places(places))
             for level, places in caps.items()]
    everywhere = [a.technique for a in assessment.avoid if a.area is None]
    if everywhere:
        rows.append(("No " + ", ".join(t.replace("_", " ") for t in everywhere), "both legs"))
    places: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a in assessment.avoid:
        if a.area and a.side:
            places[a.technique].append((a.area, a.side))
    # Techniques avoided on the same places share one row: a short table the eye can take in.
    by_where: dict[str, list[str]] = defaultdict(list)
    for technique, where in places.items():
        by_where[describe_places(where)].append(words(technique))
    rows += [("No " + ", ".join(ts), where) for where, ts in by_where.items()]
    return rows


def is_referral(assessment: Assessment) -> bool:
    """Refer and urgent results show the referral and its reasons, never instructions."""
    return is_referral_decision(assessment.decision)


def why(assessment: Assessment, rules: RuleSet | None) -> tuple[list[Finding], str | None]:
    """The findings to explain, and a line naming the others. A referral explains only the
    findings that decided it: the reasons of the rest would read like massage
    instructions ('light pressure only') or, beside an urgent one, like leave to wait."""
    if not is_referral(assessment):
        return assessment.findings, None
    shown = [f for f in assessment.findings if f.decision == assessment.decision]
    others = [title(f, rules) for f in assessment.findings if f not in shown]
    also = None
    if others:
        also = ("Also reported, to tell the professional: "
                + "; ".join(dict.fromkeys(others)) + ".")
    return shown, also


def is_referral_decision(decision: str) -> bool:
    return decision in ("refer", "urgent")


def step_places(step: Step) -> str:
    return describe_places((s.area, s.side) for s in step.sites)


def words(code: str) -> str:
    return code.replace("_", " ")


def duration(minutes: float) -> str:
    """A step's time as people say it: "45 s", "2 min", "1 min 30 s" (never "0.75 min")."""
    seconds = round(minutes * 60)
    whole, rest = divmod(seconds, 60)
    if not whole:
        return f"{rest} s"
    return f"{whole} min" + (f" {rest} s" if rest else "")
