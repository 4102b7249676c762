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
    if c.flags and draw(st.booleans()):
        entry["flags"] = draw(st.lists(st.sampled_from(sorted(c.flags)), unique=True))
    return entry


def asked_intake_st(max_conditions: int = 5) -> Any:
    """Intakes that answer only what the checklist asks (what a response can carry)."""
    return intake_st(max_conditions, condition=asked_condition_st)


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
