"""The result as Markdown, for a note, a wiki or a printable page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.render.escape import markdown_text as md
from screener.render.words import (
    CAUTIOUS_NOTE,
    CAUTIOUS_TITLE,
    DISCLAIMER,
    changes,
    duration,
    headline,
    is_referral,
    nothing_left,
    read_cautiously,
    step_places,
    summarise,
    title,
    why,
    words,
)

if TYPE_CHECKING:
    from screener.render.record import Record


def render(assessment: Assessment, rules: RuleSet | None = None, *,
           record: Record | None = None, **_: object) -> str:
    lines = ["# Leg massage screening", ""]
    if record and record.since:  # a returning client: what changed comes first
        from screener.render.since import since_lines

        head, changed = since_lines(record.since, rules)
        lines += [f"## {md(head)}", ""] + [f"- {md(line)}" for line in changed] + [""]
    lines += [f"**{headline(assessment)}**", ""]
    if assessment.referral:
        lines += [f"> **What to do:** {md(assessment.referral.message)}", ""]
    routine = assessment.routine
    if routine and routine.notice:
        lines += [f"> **Please note:** {md(routine.notice)}", ""]
    cautious = read_cautiously(assessment, rules)
    if cautious:
        lines += [f"## {CAUTIOUS_TITLE}", "", CAUTIOUS_NOTE, ""]
        lines += [f"- {md(line)}" for line in cautious] + [""]
    referral = is_referral(assessment)
    rows = [] if referral else changes(assessment)
    if rows:
        lines += ["## Changes", "", "| Change | Where |", "|---|---|"]
        lines += [f"| {md(what)} | {md(where)} |" for what, where in rows] + [""]
    lines += ["## Why", ""]
    if not assessment.findings:
        lines += ["Nothing in the answers calls for changes.", ""]
    shown, also = why(assessment, rules)
    for f in shown:
        lines += [f"### {md(title(f, rules))}", "", f"`{f.rule}` ({f.decision})", "",
                  md(f.reason), ""]
        if not referral:  # a referral's findings must not read like massage instructions
            lines += [f"- {md(phrase)}" for phrase in summarise(f)]
        lines += ["", "Sources: " + "; ".join(md(s) for s in f.sources), ""]
    if also:
        lines += [md(also), ""]
    if routine is None or nothing_left(assessment):
        lines += ["## Routine", "", "No massage routine is given.", ""]
    else:
        lines += [f"## Routine: {words(routine.goal)}, {routine.minutes} minutes", "",
                  "| # | Step | Where | Technique | Pressure | Time |",
                  "|---|---|---|---|---|---|"]
        for n, s in enumerate(routine.steps, 1):
            tool = f" ({md(words(s.tool))})" if s.tool else ""
            lines.append(f"| {n} | {md(s.name)} | {md(step_places(s))} | {md(words(s.technique))}{tool} "
                         f"| {s.pressure} | {duration(s.minutes)} |")
        lines += [""]
        lines += [f"{n}. **{md(s.name)}**: {md(s.instructions)}" for n, s in enumerate(routine.steps, 1)]
        lines += ["", "### Precautions", ""] + [f"- {md(p)}" for p in routine.precautions] + [""]
    r = assessment.ruleset
    lines += ["---", "", f"Rule set {md(r.name)} {md(r.version)}, `{r.digest}`.", "", f"*{DISCLAIMER}*"]
    return "\n".join(lines) + "\n"
