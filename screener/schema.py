"""The intake's JSON Schema, with the condition codes and flags of a rule set filled in."""

from __future__ import annotations

from typing import Any

from .intake import Intake
from .ruleset import RuleSet


def intake_schema(rules: RuleSet) -> dict[str, Any]:
    schema = Intake.model_json_schema()
    report = schema["$defs"]["ConditionReport"]["properties"]
    report["code"]["enum"] = sorted(rules.conditions)
    flags = sorted({f for c in rules.conditions.values() for f in c.flags})
    report["flags"]["items"]["enum"] = flags
    schema["title"] = f"Intake ({rules.name} {rules.version})"
    return schema
