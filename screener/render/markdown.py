"""The result as Markdown, for a note, a wiki or a printable page."""

from __future__ import annotations

from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.render.words import DISCLAIMER, HEADLINES, changes, duration, is_referral, step_places, summarise, title, why, words


def render(assessment: Assessment, rules: RuleSet | None = None, **_: object) -> str:
    lines = ["# Leg massage screening", "", f"**{HEADLINES[assessment.decision]}**", ""]
    if assessment.referral:
        lines += [f"> **What to do:** {assessment.referral.message}", ""]
    routine = assessment.routine
    if routine and routine.notice:
        lines += [f"> **Please note:** {routine.notice}", ""]
    referral = is_referral(assessment)
    rows = [] if referral else changes(assessment)
    if rows:
        lines += ["## Changes", "", "| Change | Where |", "|---|---|"]
        lines += [f"| {what} | {where} |" for what, where in rows] + [""]
    lines += ["## Why", ""]
    if not assessment.findings:
        lines += ["Nothing in the answers calls for changes.", ""]
    shown, also = why(assessment, rules)
    for f in shown:
        lines += [f"### {title(f, rules)}", "", f"`{f.rule}` ({f.decision})", "", f.reason, ""]
        if not referral:  # a referral's findings must not read like massage instructions
            lines += [f"- {phrase}" for phrase in summarise(f)]
        lines += ["", "Sources: " + "; ".join(f.sources), ""]
    if also:
        lines += [also, ""]
    if routine is None:
        lines += ["## Routine", "", "No massage routine is given.", ""]
    else:
        lines += [f"## Routine: {words(routine.goal)}, {routine.minutes} minutes", "",
                  "| # | Step | Where | Technique | Pressure | Time |",
                  "|---|---|---|---|---|---|"]
        for n, s in enumerate(routine.steps, 1):
            tool = f" ({words(s.tool)})" if s.tool else ""
            lines.append(f"| {n} | {s.name} | {step_places(s)} | {words(s.technique)}{tool} "
                         f"| {s.pressure} | {duration(s.minutes)} |")
        lines += [""]
        lines += [f"{n}. **{s.name}**: {s.instructions}" for n, s in enumerate(routine.steps, 1)]
        lines += ["", "### Precautions", ""] + [f"- {p}" for p in routine.precautions] + [""]
    r = assessment.ruleset
    lines += ["---", "", f"Rule set {r.name} {r.version}, `{r.digest}`.", "", f"*{DISCLAIMER}*"]
    return "\n".join(lines) + "\n"
