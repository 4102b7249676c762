"""Assessment → words: plain text for a terminal, markdown for a printable page, JSON.

The decision line can never be missed: it is in capitals, with colour only as an extra
(no colour when NO_COLOR is set or the output is not a terminal).
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable

from .assessment import Assessment, Finding
from .ruleset import RuleSet
from .vocabulary import AREAS, SIDES

DISCLAIMER = ("This screener supports, and never replaces, the judgement of a healthcare "
              "professional. If in doubt, ask one before massaging.")

HEADLINES = {
    "proceed": "PROCEED: massage as planned, with the usual care.",
    "adjust": "ADJUST: massage only with the changes below.",
    "refer": "REFER: no leg massage until a healthcare professional says it is fine.",
    "urgent": "URGENT: do not massage. Seek medical care now.",
}
_COLOURS = {"proceed": "32", "adjust": "33", "refer": "35", "urgent": "1;31"}


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


def _title(finding: Finding, rules: RuleSet | None) -> str:
    if rules and finding.conditions and finding.conditions[0] in rules.conditions:
        return " + ".join(rules.conditions[c].title for c in finding.conditions)
    return ", ".join(finding.conditions)


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def _changes(assessment: Assessment, width: int) -> list[str]:
    """The combined restrictions in a few lines, before the reasons for each."""
    out = []
    if assessment.exclusions:
        where = describe_places((e.area, e.side) for e in assessment.exclusions)
        out += _wrap(f"Leave out: {where}.", "  ", width)
    caps = by_level((c.max, c.area, c.side) for c in assessment.pressure_caps)
    out += [line for level, places in caps.items()
            for line in _wrap(f"At most {level} pressure: {describe_places(places)}.", "  ", width)]
    return ["Changes:", *out, ""] if out else []


def to_text(assessment: Assessment, rules: RuleSet | None = None, colour: bool = False,
            width: int = 88) -> str:
    lines: list[str] = []
    headline = HEADLINES[assessment.decision]
    if colour:
        headline = f"\x1b[{_COLOURS[assessment.decision]}m{headline}\x1b[0m"
    lines += [headline, ""]
    if assessment.referral:
        lines += _wrap(f"What to do: {assessment.referral.message}", "", width) + [""]
    lines += [*_changes(assessment, width)]
    if assessment.findings:
        lines.append("Why:")
        for f in assessment.findings:
            lines.append(f"  * {_title(f, rules)} [{f.rule}, {f.decision}]")
            lines += _wrap(f.reason, "    ", width)
            for phrase in summarise(f):
                lines += _wrap(f"-> {phrase}", "    ", width)
            lines += _wrap(f"Sources: {'; '.join(f.sources)}", "    ", width)
        lines.append("")
    else:
        lines += ["Nothing in the answers calls for changes.", ""]
    routine = assessment.routine
    if routine is None:
        lines += ["No massage routine is given.", ""]
    else:
        lines.append(f"Routine: {routine.goal.replace('_', ' ')}, {routine.minutes} minutes")
        for n, step in enumerate(routine.steps, 1):
            where = describe_places((s.area, s.side) for s in step.sites)
            lines += textwrap.wrap(f"{step.name}: {step.technique.replace('_', ' ')}, "
                                   f"{step.pressure} pressure, {step.minutes:g} min ({where})",
                                   width, initial_indent=f"  {n:2}. ", subsequent_indent=" " * 6)
            lines += _wrap(step.instructions, "      ", width)
        lines += ["", "Precautions:"]
        for p in routine.precautions:
            lines += textwrap.wrap(p, width, initial_indent="  - ", subsequent_indent="    ")
        lines.append("")
    r = assessment.ruleset
    lines += [f"Rule set: {r.name} {r.version} ({r.digest[:19]})", *_wrap(DISCLAIMER, "", width)]
    return "\n".join(lines) + "\n"


def to_markdown(assessment: Assessment, rules: RuleSet | None = None) -> str:
    lines = ["# Leg massage screening", "", f"**{HEADLINES[assessment.decision]}**", ""]
    if assessment.referral:
        lines += [f"> **What to do:** {assessment.referral.message}", ""]
    lines += ["## Why", ""]
    if not assessment.findings:
        lines += ["Nothing in the answers calls for changes.", ""]
    for f in assessment.findings:
        lines += [f"### {_title(f, rules)}", "", f"`{f.rule}` ({f.decision})", "", f.reason, ""]
        lines += [f"- {phrase}" for phrase in summarise(f)]
        lines += ["", "Sources: " + "; ".join(f.sources), ""]
    routine = assessment.routine
    if routine is None:
        lines += ["## Routine", "", "No massage routine is given.", ""]
    else:
        lines += [f"## Routine: {routine.goal.replace('_', ' ')}, {routine.minutes} minutes", "",
                  "| # | Step | Where | Technique | Pressure | Minutes |",
                  "|---|---|---|---|---|---|"]
        for n, s in enumerate(routine.steps, 1):
            where = describe_places((x.area, x.side) for x in s.sites)
            lines.append(f"| {n} | {s.name} | {where} | {s.technique.replace('_', ' ')} "
                         f"| {s.pressure} | {s.minutes:g} |")
        lines += [""]
        lines += [f"{n}. **{s.name}**: {s.instructions}" for n, s in enumerate(routine.steps, 1)]
        lines += ["", "### Precautions", ""] + [f"- {p}" for p in routine.precautions] + [""]
    r = assessment.ruleset
    lines += ["---", "", f"Rule set {r.name} {r.version}, `{r.digest}`.", "", f"*{DISCLAIMER}*"]
    return "\n".join(lines) + "\n"


def render(assessment: Assessment, fmt: str, rules: RuleSet | None = None,
           colour: bool = False, width: int = 88) -> str:
    if fmt == "json":
        return assessment.to_json() + "\n"
    if fmt == "markdown":
        return to_markdown(assessment, rules)
    return to_text(assessment, rules, colour, width)
