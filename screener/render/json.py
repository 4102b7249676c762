"""The assessment as the contract's JSON (byte-stable: see ``Assessment.to_json``)."""

from __future__ import annotations

from screener.decision.assessment import Assessment
from screener.rules import RuleSet


def render(assessment: Assessment, rules: RuleSet | None = None, **_: object) -> str:
    return assessment.to_json() + "\n"
