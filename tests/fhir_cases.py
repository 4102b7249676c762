"""Intakes the checklist can ask, built from the rule set (no hand list of codes), for the
FHIR tests: what a Questionnaire can carry is exactly what the checklist asks."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from strategies import RULES, intake_st, sites_st

from screener.vocabulary import SEVERITIES


@st.composite
def asked_condition_st(draw: Any, code: str) -> dict[str, Any]:
    c = RULES.conditions[code]
    entry: dict[str, Any] = {"code": code}
    if "sites" in c.asks and draw(st.booleans()):
        entry["sites"] = draw(sites_st)
    elif "sides" in c.asks and draw(st.booleans()):
        entry["sites"] = [{"side": draw(st.sampled_from(["left", "right", "both"]))}]
    if "days_ago" in c.asks and draw(st.booleans()):
        entry["days_ago"] = draw(st.integers(0, 60))
    if "severity" in c.asks and draw(st.booleans()):
        entry["severity"] = draw(st.sampled_from(SEVERITIES))
    if "cleared" in c.asks and draw(st.booleans()):
        entry["cleared"] = draw(st.booleans())
        if entry["cleared"] and draw(st.booleans()):
            entry["cleared_days_ago"] = draw(st.integers(0, 400))
    # each follow-up answered yes, answered no, or not answered; in the rule file's order
    answers = {flag: draw(st.sampled_from(["yes", "no", None])) for flag in c.flags}
    for key, value in (("flags", "yes"), ("flags_no", "no")):
        chosen = [flag for flag, answer in answers.items() if answer == value]
        if chosen or draw(st.booleans()):
            entry[key] = chosen
    return entry


@st.composite
def asked_intake_st(draw: Any, max_conditions: int = 5) -> dict[str, Any]:
    """Intakes that answer only what the checklist asks (what a response can carry):
    every red flag answered (a response must), other conditions answered no or not
    asked, in the rule set's order."""
    data = draw(intake_st(max_conditions, condition=asked_condition_st))
    order = list(RULES.conditions)
    data["conditions"].sort(key=lambda c: order.index(c["code"]))
    reported = {c["code"] for c in data["conditions"]}
    data["conditions_no"] = [
        c.code for c in RULES.conditions.values()
        if c.code not in reported and (c.red_flag or draw(st.booleans()))]
    return data


def answering_red_flags(data: dict[str, Any]) -> dict[str, Any]:
    """An intake with every red flag it does not report answered no (what a
    QuestionnaireResponse must carry)."""
    reported = {c["code"] for c in data.get("conditions", [])}
    return {**data, "conditions_no": [c.code for c in RULES.conditions.values()
                                      if c.red_flag and c.code not in reported]}


def first(predicate: Any) -> str | None:
    """The first condition code (in checklist order) that fits, or None."""
    return next((c.code for c in RULES.conditions.values() if predicate(c)), None)


def full_entry(code: str) -> dict[str, Any]:
    """Every follow-up of a condition answered, flags all yes."""
    c = RULES.conditions[code]
    entry: dict[str, Any] = {"code": code}
    if "sites" in c.asks:
        entry["sites"] = [{"area": "calf", "side": "left"}, {"side": "right"}]
    elif "sides" in c.asks:
        entry["sites"] = [{"side": "left"}]
    if "days_ago" in c.asks:
        entry["days_ago"] = 2
    if "severity" in c.asks:
        entry["severity"] = "mild"
    if "cleared" in c.asks:
        entry["cleared"] = False
    if c.flags:
        entry["flags"] = list(c.flags)
    return entry
