"""``screener explain``: the rules that fired for an intake, and those that did not, why."""

from __future__ import annotations

from screener.answers.intake import Intake
from screener.engine.reference import explain
from screener.rules import RuleSet
from screener.cli.watchdog import screen_bounded as screen
from screener.vocabulary import Decision


def explain_text(rules: RuleSet, intake: Intake) -> tuple[str, Decision]:
    assessment = screen(intake, rules)  # the engine decides; explain only says why not
    decision = assessment.decision
    lines = [f"Decision: {decision}"]
    if not intake.conditions:
        lines += ["", "No conditions reported: no rule was considered."]
    current = None
    for e in explain(rules, intake, {f.rule for f in assessment.findings}):
        if e.condition != current:
            current = e.condition
            owner = rules.owner(current)
            kind = "group " if owner.is_group else ""
            lines += ["", f"{owner.title} ({kind}{current}):"]
        lines.append(f"  FIRED  {e.rule}" if e.fired else f"  no     {e.rule}: {e.why}")
    others = len([c for c in rules.conditions if c not in intake.codes()])
    lines += ["", f"{others} other conditions were not reported; their rules were not considered."]
    return "\n".join(lines) + "\n", decision
