"""The intake's JSON Schema, as true to the model as JSON Schema can be.

Integrators build forms and validators from it, so it must accept what the model
accepts and refuse what it refuses. Each condition's own flags differ, so a condition
report is a union on ``code`` (one variant per condition of the rule set, each with its
flags). The one rule JSON Schema cannot state, one entry per code, is said in the
description of ``conditions``.
"""

from __future__ import annotations

import copy
from typing import Any

from .intake import Intake
from .ruleset import Condition, RuleSet

ONCE = ("Each condition code may appear at most once: a list naming a code twice is "
        "refused (JSON Schema cannot say this of a property of the items).")


def _variant(base: dict[str, Any], condition: Condition) -> dict[str, Any]:
    """The report schema for one condition: its code as a constant, its flags only."""
    variant = copy.deepcopy(base)
    variant["title"] = condition.title
    variant["description"] = condition.question
    props = variant["properties"]
    props["code"] = {**props["code"], "const": condition.code}
    flags = props["flags"]
    if condition.flags:
        flags["items"] = {"type": "string", "enum": list(condition.flags)}
        flags["description"] = "Yes answers among: " + "; ".join(
            f"{code}: {question}" for code, question in condition.flags.items())
    else:
        flags["maxItems"] = 0
        flags["description"] = "This condition has no yes/no follow-ups."
    return variant


def intake_schema(rules: RuleSet) -> dict[str, Any]:
    schema = Intake.model_json_schema()
    defs = schema["$defs"]
    base = defs.pop("ConditionReport")
    variants = []
    for code, condition in rules.conditions.items():
        name = f"ConditionReport_{code}"
        defs[name] = _variant(base, condition)
        variants.append({"$ref": f"#/$defs/{name}"})
    conditions = schema["properties"]["conditions"]
    conditions["items"] = {"oneOf": variants, "description": base["description"]}
    conditions["description"] = ONCE
    schema["title"] = f"Intake ({rules.name} {rules.version})"
    return schema
