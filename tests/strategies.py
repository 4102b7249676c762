"""Hypothesis strategies: intakes drawn from the whole catalogue of the default rules."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from screener import default_rules
from screener.vocabulary import AREAS, GOALS, PRESSURES, SEVERITIES

RULES = default_rules()
CODES = sorted(RULES.conditions)

sites_st = st.lists(
    st.fixed_dictionaries({"side": st.sampled_from(["left", "right", "both"])},
                          optional={"area": st.sampled_from(AREAS)}),
    max_size=3,
)


@st.composite
def condition_st(draw: Any, code: str, unanswered: bool = False) -> dict[str, Any]:
    """One condition's entry. Every follow-up is answered, yes or no (v1.1's meaning of an
    unlisted flag), unless ``unanswered``: then some may be in neither list."""
    flags = sorted(RULES.conditions[code].flags)
    entry: dict[str, Any] = {"code": code}
    if draw(st.booleans()):
        entry["sites"] = draw(sites_st)
    if draw(st.booleans()):
        entry["cleared"] = draw(st.booleans())
    if draw(st.booleans()):
        entry["days_ago"] = draw(st.integers(0, 400))
    if draw(st.booleans()):
        entry["severity"] = draw(st.sampled_from(SEVERITIES))
    if entry.get("cleared") and draw(st.booleans()):
        entry["cleared_days_ago"] = draw(st.integers(0, 500))
    if flags:
        answers = draw(st.lists(st.sampled_from(["yes", "no", None] if unanswered else ["yes", "no"]),
                                min_size=len(flags), max_size=len(flags)))
        yes = [f for f, a in zip(flags, answers) if a == "yes"]
        no = [f for f, a in zip(flags, answers) if a == "no"]
        if yes or draw(st.booleans()):
            entry["flags"] = yes
        if no:
            entry["flags_no"] = no
    return entry


@st.composite
def intake_st(draw: Any, max_conditions: int = 5, condition: Any = None) -> dict[str, Any]:
    """A whole intake; ``condition`` draws one condition's entry (default ``condition_st``)."""
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=max_conditions))
    return {
        "conditions": [draw((condition or condition_st)(c)) for c in codes],
        "goal": draw(st.sampled_from(GOALS)),
        "preferred_pressure": draw(st.sampled_from(PRESSURES[1:])),  # 'none' is refused
        "minutes": draw(st.integers(5, 60)),
        "machines": draw(st.booleans()),
    }


def as_v11(data: dict[str, Any]) -> dict[str, Any]:
    """An intake written for v1.1, with its meaning kept (contract v1.2): every follow-up
    of a reported condition not listed as yes was a "no"."""
    out = dict(data)
    out["conditions"] = [
        {**c, "flags_no": [f for f in RULES.conditions[c["code"]].flags
                           if f not in c.get("flags", [])]}
        if "flags_no" not in c and RULES.conditions[c["code"]].flags else c
        for c in data.get("conditions", [])]
    return out


def satisfying(code: str, test: Any, area: str, side: str) -> dict[str, Any]:
    """A report of ``code`` on which ``test`` holds, on that area of that leg."""
    condition = RULES.conditions[code]
    entry: dict[str, Any] = {"code": code}
    if test.flags:
        entry["flags"] = sorted(test.flags)
    if test.cleared is not None:
        entry["cleared"] = test.cleared
    if test.days_ago_at_most is not None:
        entry["days_ago"] = test.days_ago_at_most
    elif test.days_ago_more_than is not None:
        entry["days_ago"] = test.days_ago_more_than + 1
    if test.severity_at_least:
        entry["severity"] = test.severity_at_least
    if "sites" in condition.asks:
        entry["sites"] = [{"area": area, "side": side}]
    elif "sides" in condition.asks or test.sited:
        entry["sites"] = [{"side": side}]
    return entry
