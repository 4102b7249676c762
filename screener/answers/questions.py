"""How the checklist groups, orders and words its questions: the titles every face asks
them under (the terminal checklist, the FHIR Questionnaire, the web form), so all of them
ask in the same order and words. PAR-Q+'s order: the red flags first, then a gate
question per group, follow-ups only for what was ticked."""

from __future__ import annotations

from typing import Any

from screener.rules import Condition, RuleSet

GROUPS = {
    "skin": "The skin of the legs and feet",
    "blood_and_circulation": "Blood, veins and circulation",
    "injury_and_pain": "Injuries, pain and operations",
    "health": "General health",
}
GOAL_TITLES = {
    "relaxation": "Relaxation",
    "circulation": "Circulation (feet and calves, self-massage)",
    "recovery": "Recovery after exercise",
    "foot_relief": "Tired, aching feet",
}
PRESSURE_TITLES = {
    "light": "Light: gentle, gliding",
    "moderate": "Moderate: firm but comfortable",
    "firm": "Firm",
    "deep": "Deep",
}
SIDE_TITLES = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
CLEARED_QUESTION = ("Has a doctor or other healthcare professional said leg massage is fine "
                    "with this?")
SEVERITY_QUESTION = "How bad is it?"
SIDES_QUESTION = "Which leg?"
AREAS_QUESTION = "Where on the leg?"


def asked(rules: RuleSet, red_flags: bool = False, group: str | None = None) -> list[Condition]:
    """The conditions asked as red flags (``red_flags``) or under one gate ``group``, in
    rule-set order."""
    return [c for c in rules.conditions.values()
            if c.red_flag == red_flags and (group is None or c.group == group)]


def describe_entry(entry: dict[str, Any]) -> str:
    """An intake entry's follow-up answers in words: ' (left calf; 3 days ago; mild)'."""
    parts = []
    sites = entry.get("sites")
    if sites:
        parts.append(", ".join(f"{s['side']} {s.get('area', 'leg')}" for s in sites))
    if "days_ago" in entry:
        parts.append(f"{entry['days_ago']} days ago")
    if "severity" in entry:
        parts.append(entry["severity"])
    if "cleared" in entry:
        parts.append("cleared by a professional" if entry["cleared"] else "not cleared")
    parts += [f.replace("_", " ") for f in entry.get("flags", [])]
    return f" ({'; '.join(parts)})" if parts else ""
