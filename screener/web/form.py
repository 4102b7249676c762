"""The web checklist's answers between pages: a draft intake carried in one hidden form
field (never a cookie, never the server's memory), and the reading of each page's fields
into it, with an error per field for the error summary.

The steps copy the terminal checklist (``screener.answers.questions``): red flags first,
then a gate question per group, then the follow-ups of what was ticked with the session,
then "check your answers". Every question a page showed is recorded: ticked or "yes" in
``conditions`` (or ``flags``), "no" in ``conditions_no`` (or ``flags_no``), so an
unanswered question is never mistaken for a "no".
"""

from __future__ import annotations

from typing import Any

from screener.answers.intake import ConditionReport, Intake
from screener.answers.questions import GROUPS, SIDE_TITLES, asked_conditions
from screener.answers.source import load_json
from screener.errors import InputError
from screener.rules import Condition, RuleSet
from screener.vocabulary import AREAS, GOALS, PRESSURES, SEVERITIES, SIDES

Form = dict[str, list[str]]
Errors = dict[str, str]  # field id -> message, in page order
SESSION_DEFAULTS = {"goal": "relaxation", "preferred_pressure": "moderate", "minutes": 15}
MAX_DAYS = 36500  # a hundred years: anything larger is a typing slip
# The intake fields of answers given as "no" (contract v1.2); filled only when the
# intake model has them, so the web form never sends what the model would refuse.
HAS_NO_LISTS = "conditions_no" in Intake.model_fields
HAS_FLAGS_NO = "flags_no" in ConditionReport.model_fields
HAS_CLEARED_DATE = "cleared_days_ago" in ConditionReport.model_fields


def field(code: str, part: str) -> str:
    """The form name and element id of one follow-up of one condition."""
    return f"{code}--{part}"


def new_draft() -> dict[str, Any]:
    return {"conditions": [], "conditions_no": [], **SESSION_DEFAULTS}


def load_draft(text: str) -> dict[str, Any]:
    """The hidden field back from the browser: strict JSON of the draft's shape (it is
    user input like any other: the intake it becomes is validated in full at the end)."""
    draft = load_json(text or "{}", "answers")
    if not isinstance(draft, dict) or not isinstance(draft.get("conditions", []), list) \
            or not isinstance(draft.get("conditions_no", []), list) \
            or not all(isinstance(e, dict) and isinstance(e.get("code"), str)
                       for e in draft.get("conditions", [])):
        raise InputError("answers: the form's answers were changed or cut; please start again")
    return {**new_draft(), **draft}


def entries(draft: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["code"]: e for e in draft["conditions"]}


def _one(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[-1].strip()


def _set_answer(draft: dict[str, Any], code: str, yes: bool) -> None:
    """Record a gate answer: keep an existing entry's follow-ups when still ticked."""
    kept = entries(draft)
    draft["conditions_no"] = [c for c in draft["conditions_no"] if c != code]
    if yes:
        kept.setdefault(code, {"code": code})
    else:
        kept.pop(code, None)
        draft["conditions_no"].append(code)
    draft["conditions"] = list(kept.values())


def read_red_flags(rules: RuleSet, form: Form, draft: dict[str, Any]) -> Errors:
    errors: Errors = {}
    for c in asked_conditions(rules, red_flags=True):
        answer = _one(form, c.code)
        if answer not in ("yes", "no"):
            errors[f"{c.code}-yes"] = f"Answer yes or no: {c.question}"
        else:
            _set_answer(draft, c.code, answer == "yes")
    return errors


def read_groups(rules: RuleSet, form: Form, draft: dict[str, Any]) -> Errors:
    ticked = set(form.get("tick", []))
    for group in GROUPS:
        for c in asked_conditions(rules, group=group):
            _set_answer(draft, c.code, c.code in ticked)
    return {}


def _number(form: Form, name: str, low: int, high: int, what: str, errors: Errors) -> int | None:
    text = _one(form, name)
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = f"{what}: type a whole number from {low} to {high}"
        return None
    return int(text)


def _choice(form: Form, name: str, options: tuple[str, ...] | list[str], what: str,
            errors: Errors) -> str | None:
    value = _one(form, name)
    if value not in options:
        errors[f"{name}-{options[0]}"] = what
        return None
    return value


def follow_ups(c: Condition) -> bool:
    return bool(c.asks or c.flags)


def _read_condition(c: Condition, form: Form, errors: Errors) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": c.code}
    if "sites" in c.asks:
        picked = form.get(field(c.code, "sites"), [])
        sites = []
        for value in picked:
            side, _, area = value.partition(":")
            if side in SIDES and (area in AREAS or area == ""):
                sites.append({"side": side, **({"area": area} if area else {})})
        whole = {s["side"] for s in sites if "area" not in s}
        entry["sites"] = [s for s in sites if "area" not in s or s["side"] not in whole]
        if not sites:
            errors[field(c.code, "sites") + "-left"] = f"{c.title}: tick where on the legs"
    elif "sides" in c.asks:
        side = _choice(form, field(c.code, "side"), tuple(SIDE_TITLES), f"{c.title}: choose which leg", errors)
        if side:
            entry["sites"] = [{"side": side}]
    if "days_ago" in c.asks:
        days = _number(form, field(c.code, "days_ago"), 0, MAX_DAYS, f"{c.title}: how many days ago",
                       errors)
        if days is not None:
            entry["days_ago"] = days
    if "severity" in c.asks:
        severity = _choice(form, field(c.code, "severity"), SEVERITIES,
                           f"{c.title}: choose how bad it is", errors)
        if severity:
            entry["severity"] = severity
    if "cleared" in c.asks:
        cleared = _choice(form, field(c.code, "cleared"), ("yes", "no"),
                          f"{c.title}: answer yes or no about a professional's go-ahead", errors)
        if cleared:
            entry["cleared"] = cleared == "yes"
        if cleared == "yes" and HAS_CLEARED_DATE:
            when = _number(form, field(c.code, "cleared_days_ago"), 0, MAX_DAYS,
                           f"{c.title}: how many days ago the go-ahead was given", errors)
            if when is not None:
                entry["cleared_days_ago"] = when
    yes, no = [], []
    for flag, question in c.flags.items():
        answer = _choice(form, field(c.code, f"flag-{flag}"), ("yes", "no"),
                         f"{c.title}: answer yes or no: {question}", errors)
        (yes if answer == "yes" else no if answer == "no" else []).append(flag)
    if yes:
        entry["flags"] = yes
    if no and HAS_FLAGS_NO:
        entry["flags_no"] = no
    return entry


def read_details(rules: RuleSet, form: Form, draft: dict[str, Any]) -> Errors:
    errors: Errors = {}
    kept = entries(draft)
    for code in list(kept):
        c = rules.conditions.get(code)
        if c is not None and follow_ups(c):
            kept[code] = _read_condition(c, form, errors)
    draft["conditions"] = list(kept.values())
    goal = _choice(form, "goal", GOALS, "Choose what the massage is for", errors)
    pressure = _choice(form, "preferred_pressure", PRESSURES[1:], "Choose the most pressure wanted",
                       errors)
    minutes = _number(form, "minutes", 5, 60, "Minutes", errors)
    draft.update({k: v for k, v in (("goal", goal), ("preferred_pressure", pressure),
                                    ("minutes", minutes)) if v is not None})
    return errors


def to_intake(rules: RuleSet, draft: dict[str, Any]) -> Intake:
    """The draft as a fully validated intake, in rule-set order (InputError when the
    browser sent something the model refuses)."""
    from screener.parse import intake_from_data

    order = {code: i for i, code in enumerate(rules.conditions)}
    data = {"conditions": sorted(draft["conditions"], key=lambda e: order.get(e["code"], -1)),
            **{k: draft[k] for k in SESSION_DEFAULTS if k in draft}}
    if HAS_NO_LISTS:
        data["conditions_no"] = sorted(set(draft["conditions_no"]), key=lambda c: order.get(c, -1))
    return intake_from_data(data, "answers", rules)
