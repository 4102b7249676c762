"""docs/interactions.md: every pair of reported conditions and the decision the pair gives,
generated from the rule set, for a clinician to audit as a drug-interaction table is
audited.

Each condition appears once as plainly reported (every follow-up answered no) and once
per follow-up answered yes (the signs it can carry). Every other answer takes its
cautious reading (whole legs, today, severe), except a clearance: a condition that asks
for one is shown cleared 30 days ago, since what a clearance does *not* cover is the
point of the audit. A pair's decision stricter than both conditions alone is an
interaction; the rules only the pair fires are listed under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from screener.answers.intake import Intake
from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.screening import screen
from screener.vocabulary import DECISION_RANK

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "interactions.md"
LETTER = {"proceed": "P", "adjust": "A", "nothing": "N", "refer": "R", "urgent": "U"}


@dataclass(frozen=True, eq=False)  # compared by identity: each is made once
class Variant:
    """One way of reporting a condition: plainly, or with one follow-up answered yes."""

    code: str
    flag: str | None
    entry: dict[str, Any]

    @property
    def name(self) -> str:
        return self.code + (f" ({self.flag})" if self.flag else "")


def variants(rules: RuleSet) -> list[Variant]:
    out = []
    for code in sorted(rules.conditions, key=rules.order.__getitem__):
        condition = rules.conditions[code]
        base: dict[str, Any] = {"code": code}
        if "cleared" in condition.asks:
            base |= {"cleared": True, "cleared_days_ago": 30}
        for flag in [None, *condition.flags]:
            entry = {**base, "flags": [flag] if flag else [],
                     "flags_no": [f for f in condition.flags if f != flag]}
            out.append(Variant(code, flag, entry))
    return out


def _outcome(assessment: Assessment) -> str:
    """The decision, with an adjust that leaves nothing to massage told apart."""
    if assessment.routine is not None and not assessment.routine.steps:
        return "nothing"
    return assessment.decision


def _rank(outcome: str) -> int:
    return DECISION_RANK["adjust"] if outcome == "nothing" else DECISION_RANK[outcome]


def generate(rules: RuleSet) -> str:
    found = variants(rules)

    def run(*vs: Variant) -> Assessment:
        data = {"conditions": [v.entry for v in vs]}
        return screen(Intake.model_validate(data, context={"rules": rules}), rules)

    alone = {v: run(v) for v in found}
    lines = [f"# Interactions of {rules.name} {rules.version}", "",
             "<!-- Generated from rules/ by `python -m screener.docs`; do not edit. -->", "",
             (__doc__ or "").split("\n\n", 1)[1].strip(), "",
             "Letters: P proceed, A adjust, N adjust that leaves nothing to massage, R refer, "
             "U urgent; `!` marks a pair stricter than both conditions alone.", "",
             "## Each condition alone", "", "| # | reported | decision | rules |",
             "|---|---|---|---|"]
    for i, v in enumerate(found, 1):
        ids = ", ".join(f"`{f.rule}`" for f in alone[v].findings) or "-"
        lines.append(f"| {i} | {v.name} | {LETTER[_outcome(alone[v])]} | {ids} |")
    pairs = [(a, b) for a, b in combinations(found, 2) if a.code != b.code]
    together = {(a, b): run(a, b) for a, b in pairs}
    lines += ["", "## Every pair", "",
              "Row and column numbers are those of the first table.", "",
              "| # | " + " | ".join(str(i) for i in range(1, len(found) + 1)) + " |",
              "|---" * (len(found) + 1) + "|"]
    index = {v: i for i, v in enumerate(found)}
    for a in found:
        cells = []
        for b in found:
            pair = (a, b) if index[a] < index[b] else (b, a)
            if pair not in together:
                cells.append("·")
                continue
            outcome = _outcome(together[pair])
            stricter = _rank(outcome) > max(_rank(_outcome(alone[a])), _rank(_outcome(alone[b])))
            cells.append(LETTER[outcome] + ("!" if stricter else ""))
        lines.append(f"| {index[a] + 1} {a.name} | " + " | ".join(cells) + " |")
    lines += ["", "## What each pair adds", "",
              "Pairs that fire a rule neither condition fires alone, and what the pair decides.",
              "", "| pair | decision | rules only the pair fires |", "|---|---|---|"]
    for (a, b), assessment in together.items():
        own = {f.rule for f in alone[a].findings} | {f.rule for f in alone[b].findings}
        added = [f.rule for f in assessment.findings if f.rule not in own]
        if added:
            lines.append(f"| {a.name} + {b.name} | {LETTER[_outcome(assessment)]} | "
                         + ", ".join(f"`{r}`" for r in added) + " |")
    return "\n".join(lines) + "\n"
