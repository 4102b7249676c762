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

# The follow-up questions every face asks in the same words, and the words a result uses
# to name a follow-up that was not answered.
SITES_QUESTION = "Where?"
SIDE_QUESTION = "Which leg?"
SEVERITY_QUESTION = "How bad is it?"
CLEARED_QUESTION = ("Has a doctor or other healthcare professional said leg massage is fine "
                    "with this?")
CLEARED_DAYS_QUESTION = "How many days ago did they say so? (0 for today)"


def follow_up_question(condition: Condition, follow_up: str) -> str:
    """The question a follow-up (a flag name, or ``sites``, ``severity``, ``days_ago``,
    ``cleared_days_ago`` as in the contract's ``assumptions``) is asked with."""
    fixed = {"sites": SITES_QUESTION if "sites" in condition.asks else SIDE_QUESTION,
             "severity": SEVERITY_QUESTION, "days_ago": condition.days_question,
             "cleared": CLEARED_QUESTION, "cleared_days_ago": CLEARED_DAYS_QUESTION}
    return condition.flags.get(follow_up) or fixed.get(follow_up) or follow_up.replace("_", " ")


def asked(rules: RuleSet | None, code: str, follow_up: str) -> str:
    """'Recent injury: Can they stand on it?': a condition's follow-up as a person reads
    it (codes in plain words when the rule set is not known)."""
    condition = rules.conditions.get(code) if rules else None
    if condition is None:
        return f"{code.replace('_', ' ')}: {follow_up.replace('_', ' ')}"
    return f"{condition.title}: {follow_up_question(condition, follow_up)}"

SIDE_TITLES = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
AREAS_QUESTION = "Where on the leg?"


def asked_conditions(rules: RuleSet, red_flags: bool = False,
                     group: str | None = None) -> list[Condition]:
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
        if not entry["cleared"]:
            parts.append("not cleared")
        elif "cleared_days_ago" in entry:
            parts.append(f"cleared by a professional {entry['cleared_days_ago']} days ago")
        else:
            parts.append("cleared by a professional")
    parts += [f.replace("_", " ") for f in entry.get("flags", [])]
    parts += [f"{f.replace('_', ' ')}: no" for f in entry.get("flags_no", [])]
    return f" ({'; '.join(parts)})" if parts else ""
