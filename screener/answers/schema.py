"""The intake's JSON Schema, as true to the model as JSON Schema can be.

Integrators build forms and validators from it, so it must accept what the model
accepts and refuse what it refuses. Each condition's own flags differ, so a condition
report is a union on ``code`` (one variant per condition of the rule set, each with its
flags). The one rule JSON Schema cannot state, one entry per code, is said in the
description of ``conditions``.
"""

from __future__ import annotations

from typing import Any

from screener.answers.intake import Intake
from screener.rules import Condition, RuleSet

ONCE = ("Each condition code may appear at most once, and not also in conditions_no; a "
        "follow-up may not be in both flags and flags_no: such lists are refused (JSON "
        "Schema cannot say this of properties of the items).")


def _variant(condition: Condition) -> dict[str, Any]:
    """What one condition adds to the shared report schema: its code, its flags only."""
    asked = "; ".join(f"{code}: {q}" for code, q in condition.flags.items())
    if condition.flags:
        flags = {"items": {"enum": list(condition.flags)}, "maxItems": len(condition.flags),
                 "description": "Yes answers among: " + asked}
        flags_no = {"items": {"enum": list(condition.flags)}, "maxItems": len(condition.flags),
                    "description": "No answers among: " + asked}
    else:
        flags = {"maxItems": 0, "description": "This condition has no yes/no follow-ups."}
        flags_no = dict(flags)
    return {"title": condition.title, "description": condition.question,
            "properties": {"code": {"const": condition.code}, "flags": flags, "flags_no": flags_no}}


def intake_schema(rules: RuleSet) -> dict[str, Any]:
    """The shared ``ConditionReport`` (every code, every flag) as before, and, added to
    it, the union on ``code`` that ties each condition to its own flags."""
    schema = Intake.model_json_schema()
    defs = schema["$defs"]
    report = defs["ConditionReport"]["properties"]
    report["code"]["enum"] = sorted(rules.conditions)
    every_flag = sorted({f for c in rules.conditions.values() for f in c.flags})
    report["flags"]["items"]["enum"] = every_flag
    report["flags_no"]["items"]["enum"] = every_flag
    schema["properties"]["conditions_no"]["items"]["enum"] = sorted(rules.conditions)
    schema["properties"]["conditions_no"]["uniqueItems"] = True
    variants = []
    for code, condition in rules.conditions.items():
        defs[f"ConditionReport_{code}"] = _variant(condition)
        variants.append({"$ref": f"#/$defs/ConditionReport_{code}"})
    conditions = schema["properties"]["conditions"]
    conditions["items"] = {"allOf": [{"$ref": "#/$defs/ConditionReport"}, {"oneOf": variants}]}
    conditions["maxItems"] = len(rules.conditions)  # each code at most once
    conditions["description"] = ONCE
    schema["title"] = f"Intake ({rules.name} {rules.version})"
    return schema
