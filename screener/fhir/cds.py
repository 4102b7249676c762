"""The result as CDS Hooks cards (https://cds-hooks.hl7.org/): plain JSON, no extra needed.

One card for the decision: its indicator (info for proceed and adjust, warning for
refer and for an adjust that leaves nothing to massage, critical for urgent), a summary under 140 characters, and a Markdown detail with
what to do, each rule's reason and its sources; the source is the rule set by name,
version and url, so a clinician sees which rules spoke.
"""

from __future__ import annotations

from typing import Any

from screener.answers.questions import asked
from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.vocabulary import AREAS, SIDES
from screener.fhir.questionnaire import ruleset_url
from screener.render.escape import markdown_text as md

INDICATOR = {"proceed": "info", "adjust": "info", "refer": "warning", "urgent": "critical"}
SUMMARY = {
    "proceed": "Leg massage: proceed as planned, with the usual care.",
    "adjust": "Leg massage: only with changes (areas left out, lighter pressure, techniques avoided).",
    "refer": "Leg massage: not until a healthcare professional says it is fine.",
    "urgent": "Do not massage the legs: seek medical care now.",
}
NOTHING_LEFT = "Leg massage: none can be given with these answers; see the card for why."
SUMMARY_LIMIT = 140  # CDS Hooks: "<140 characters"
DISCLAIMER = ("*This screener supports, and never replaces, the judgement of a healthcare "
              "professional.*")


def _places(items: list[Any]) -> str:
    """'whole left leg; right calf, knee': whole legs named as such."""
    parts = []
    for side in SIDES:
        areas = [a for a in AREAS if any(i.side == side and i.area == a for i in items)]
        if areas:
            parts.append(f"whole {side} leg" if len(areas) == len(AREAS)
                         else f"{side} {', '.join(areas)}")
    return "; ".join(parts)


def detail(assessment: Assessment, rules: RuleSet) -> str:
    """What to do, then why: one bullet per fired rule with its reason and sources."""
    lines = [f"**Decision: {assessment.decision}**", ""]
    if assessment.referral:
        lines += [md(assessment.referral.message), ""]
    if assessment.routine and assessment.routine.notice:
        lines += [md(assessment.routine.notice), ""]
    if assessment.assumptions:
        lines += ["**Read cautiously** (not answered; answering may change the result)", ""]
        lines += [f"- {md(asked(rules, a.code, a.follow_up))} Read as {md(a.read_as)}."
                  for a in assessment.assumptions] + [""]
    if assessment.exclusions:
        lines.append(f"- Leave out: {_places(assessment.exclusions)}")
    levels = sorted({c.max for c in assessment.pressure_caps})
    for level in levels:
        lines.append(f"- At most {level} pressure: "
                     f"{_places([c for c in assessment.pressure_caps if c.max == level])}")
    if assessment.avoid:
        avoided = sorted({a.technique for a in assessment.avoid})
        lines.append(f"- Avoid: {', '.join(t.replace('_', ' ') for t in avoided)}")
    if lines[-1]:
        lines.append("")
    if assessment.findings:
        lines += ["**Why**", ""]
    for finding in assessment.findings:
        lines.append(f"- `{finding.rule}` ({finding.decision}): {md(finding.reason)} "
                     f"Sources: {'; '.join(md(s) for s in finding.sources)}.")
    return "\n".join([*lines, "", DISCLAIMER])


def cards(assessment: Assessment, rules: RuleSet) -> dict[str, Any]:
    # an adjust with no step left (render.words.nothing_left, a layer above this one)
    empty = assessment.routine is not None and not assessment.routine.steps
    return {"cards": [{
        "summary": NOTHING_LEFT if empty else SUMMARY[assessment.decision],
        "indicator": "warning" if empty else INDICATOR[assessment.decision],
        "detail": detail(assessment, rules),
        "source": {"label": f"Leg massage screener, rules {rules.name} {rules.version}",
                   "url": ruleset_url(rules)},
    }]}
