"""The web checklist's answers between pages: a draft intake carried in one hidden form
field (never a cookie, never the server's memory), and the reading of each page's fields
into it, with an error per field for the error summary.

The steps copy the terminal checklist (``screener.answers.questions``): red flags first,
then a gate question per group, then the follow-ups of what was ticked with the session,
then "check your answers". Every question a page showed is recorded: ticked or "yes" in
``conditions`` (or ``flags``), "no" in ``conditions_no`` (or ``flags_no``), so an
unanswered question is never mistaken for a "no".

The hidden field comes back from the browser, so it is read as hostile input: anything
the pages could not have written (bad JSON, unknown or repeated codes, a code both "yes"
and "no", an entry the intake model refuses, a repeated field) is ``Tampered``, a 422
page, never a result. What it holds is checked against the questions, not trusted: the
pages re-derive which questions were answered from it (``unanswered_*``).
"""

from __future__ import annotations

from typing import Any

from screener.answers.intake import ConditionReport, Intake
from screener.answers.questions import GROUPS, SIDE_TITLES, asked_conditions
from screener.answers.source import load_json
from screener.errors import InputError, shown
from screener.rules import Condition, RuleSet
from screener.vocabulary import AREAS, GOALS, PRESSURES, SEVERITIES, SIDES

Form = dict[str, list[str]]
Errors = dict[str, str]  # field id -> message, in page order
SESSION_DEFAULTS = {"goal": "relaxation", "preferred_pressure": "moderate", "minutes": 15}
MAX_DAYS = 36500  # a hundred years: anything larger is a typing slip
MAX_ANSWERS_CHARS = 65536  # every condition with every follow-up takes a few kilobytes
MAX_VALUE_CHARS = 64  # a visible field's value: a code, a choice or a number
DRAFT_KEYS = {"conditions", "conditions_no", *SESSION_DEFAULTS}
# The intake fields of answers given as "no" (contract v1.2); filled only when the
# intake model has them, so the web form never sends what the model would refuse.
HAS_NO_LISTS = "conditions_no" in Intake.model_fields
HAS_FLAGS_NO = "flags_no" in ConditionReport.model_fields
HAS_CLEARED_DATE = "cleared_days_ago" in ConditionReport.model_fields


class Tampered(InputError):
    """A form the pages could not have sent (a 422 page: start again)."""


def field(code: str, part: str) -> str:
    """The form name and element id of one follow-up of one condition."""
    return f"{code}--{part}"


def new_draft() -> dict[str, Any]:
    return {"conditions": [], "conditions_no": [], **SESSION_DEFAULTS}


def load_draft(rules: RuleSet, values: list[str]) -> dict[str, Any]:
    """The hidden field back from the browser: strict JSON of the draft's shape, every
    code known and given once, and a valid intake as it stands (``Tampered`` if not)."""
    if len(values) != 1:
        raise Tampered("answers: the form's answers are missing or repeated; please start again")
    if len(values[0]) > MAX_ANSWERS_CHARS:
        raise Tampered(f"answers: longer than {MAX_ANSWERS_CHARS} characters; please start again")
    try:
        draft = load_json(values[0], "answers")
    except InputError as exc:
        raise Tampered(f"{exc}; please start again") from None
    if not isinstance(draft, dict) or not set(draft) <= DRAFT_KEYS \
            or not isinstance(draft.get("conditions", []), list) \
            or not isinstance(draft.get("conditions_no", []), list) \
            or not all(isinstance(e, dict) and isinstance(e.get("code"), str)
                       for e in draft.get("conditions", [])) \
            or not all(isinstance(c, str) for c in draft.get("conditions_no", [])):
        raise Tampered("answers: the form's answers were changed or cut; please start again")
    draft = {**new_draft(), **draft}
    yes = [e["code"] for e in draft["conditions"]]
    codes = yes + draft["conditions_no"]
    unknown = next((c for c in codes if c not in rules.conditions), None)
    if unknown is not None:
        raise Tampered(f"answers: unknown condition '{shown(unknown)}'; please start again")
    if len(set(codes)) != len(codes):
        repeated = next(c for c in codes if codes.count(c) > 1)
        raise Tampered(f"answers: condition '{repeated}' answered more than once; please start again")
    try:
        to_intake(rules, draft)
    except InputError as exc:
        raise Tampered(f"{exc}; please start again") from None
    return draft


def unanswered_red_flags(rules: RuleSet, draft: dict[str, Any]) -> Errors:
    """An error per red-flag question without an explicit yes or no (for the page's
    error summary): no later step may go on while any is left."""
    answered = set(entries(draft)) | set(draft["conditions_no"])
    return {f"{c.code}-yes": f"Answer yes or no: {c.question}"
            for c in asked_conditions(rules, red_flags=True) if c.code not in answered}


def unasked_gates(rules: RuleSet, draft: dict[str, Any]) -> list[Condition]:
    """The gate questions (the groups page) neither ticked nor left as "no"."""
    answered = set(entries(draft)) | set(draft["conditions_no"])
    return [c for group in GROUPS for c in asked_conditions(rules, group=group)
            if c.code not in answered]


def entries(draft: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["code"]: e for e in draft["conditions"]}


def _one(form: Form, name: str) -> str:
    """A single-valued field (a radio or a text box): a browser never repeats one."""
    values = form.get(name) or [""]
    if len(values) > 1:
        raise Tampered(f"{shown(name)}: given more than once; please start again")
    return _bounded(name, values[0]).strip()


def _bounded(name: str, value: str) -> str:
    if len(value) > MAX_VALUE_CHARS:
        raise Tampered(f"{shown(name)}: longer than {MAX_VALUE_CHARS} characters; please start again")
    return value


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
    for c in asked_conditions(rules, red_flags=True):
        answer = _one(form, c.code)
        if answer in ("yes", "no"):
            _set_answer(draft, c.code, answer == "yes")
    return unanswered_red_flags(rules, draft)


def read_groups(rules: RuleSet, form: Form, draft: dict[str, Any]) -> Errors:
    ticked = set(form.get("tick", []))
    gates = [c for group in GROUPS for c in asked_conditions(rules, group=group)]
    stray = ticked - {c.code for c in gates}
    if stray:
        raise Tampered(f"tick: not a question of this page: '{shown(min(stray))}'; please start again")
    for c in gates:
        _set_answer(draft, c.code, c.code in ticked)
    return {}


def _number(form: Form, name: str, low: int, high: int, what: str, errors: Errors) -> int | None:
    text = _one(form, name)
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
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
            side, _, area = _bounded(field(c.code, "sites"), value).partition(":")
            if side not in SIDES or not (area in AREAS or area == ""):
                raise Tampered(f"{field(c.code, 'sites')}: not a place on the legs: "
                               f"'{shown(value)}'; please start again")
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
