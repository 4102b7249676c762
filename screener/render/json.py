"""The assessment as the contract's JSON (byte-stable: see ``Assessment.to_json``)."""

from __future__ import annotations

from ..assessment import Assessment
from ..ruleset import RuleSet


def render(assessment: Assessment, rules: RuleSet | None = None, **_: object) -> str:
    return assessment.to_json() + "\n"
