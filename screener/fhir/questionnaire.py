"""The checklist as an HL7 FHIR R4 Questionnaire, generated from a rule set and nothing else.

The order is the interactive checklist's (``screener/checklist.py``): the red flags
first, one yes/no each; then one gate per group (tick what applies, and beside it the
conditions asked and answered no) with each ticked condition's follow-ups enabled by its
gate (``enableWhen``); then the session. Only the red flags are required: any other
item left out of a response is unanswered, and read cautiously (contract v1.2). Codes
(conditions, sides, areas, severities, goals, pressures) are coded answer options, days
and minutes are integers with their bounds, yes/no follow-ups are booleans. The canonical
url names the rule set and the version is a digest of the questions it asks, so a
response is read only against the very questions it answered, and a rule change that
asks nothing new keeps stored responses readable.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types
from pydantic.fields import FieldInfo

from screener.answers.intake import MAX_DAYS_AGO, Intake
from screener.answers.questions import (
    CLEARED_DAYS_QUESTION,
    CLEARED_QUESTION,
    GOAL_TITLES,
    GROUPS,
    PRESSURE_TITLES,
    SEVERITY_QUESTION,
    SIDE_QUESTION,
    SITES_QUESTION,
)
from screener.rules import Condition, RuleSet
from screener.vocabulary import AREAS, SEVERITIES

BASE = "https://screener.invalid/fhir"  # no public address yet: '.invalid' says so honestly
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
RED_FLAGS = "red_flags"
SESSION = "session"
SIDE_OPTIONS = {"left": "Left leg", "right": "Right leg", "both": "Both legs"}
SITE_HELP = "Add one entry per leg; tick no area for the whole leg."
GATE_HELP = "Tick every one that applies; tick nothing if none apply."
NO_HELP = ("Tick each one that was asked and does not apply (a checklist ticks every one "
           "it showed and was not ticked above); one ticked in neither was not asked.")
# The top-level intake fields that are answers about conditions, not the session.
CONDITION_FIELDS = ("conditions", "conditions_no")

Item = dict[str, Any]


def canonical_url(rules: RuleSet) -> str:
    return f"{BASE}/Questionnaire/{rules.name}"


# Versions before unanswered items were left out of responses (contract v1.2) named the
# whole rule set: "<rule set version>+sha256.<digest start>".
BEFORE_UNANSWERED_LEFT_OUT = re.compile(r"\+sha256\.[0-9a-f]{16}$")


def questionnaire_version(rules: RuleSet) -> str:
    """What the checklist asks, as a digest of its items (``q.`` and 16 hex digits): a
    rule change that leaves every question, option and condition as it was keeps the
    version, so stored responses stay readable; any change to what is asked is a new one."""
    return "q." + _items_digest(rules)


@functools.cache
def _items_digest_of(items: str) -> str:
    return hashlib.sha256(items.encode("utf-8")).hexdigest()[:16]


def _items_digest(rules: RuleSet) -> str:
    items = [i for i in [_red_flags(rules)] if i]
    items += [_group(rules, g) for g in ordered_groups(rules)]
    items.append(_session())
    return _items_digest_of(json.dumps(items, sort_keys=True, separators=(",", ":")))


def canonical(rules: RuleSet) -> str:
    """``url|version``: what a QuestionnaireResponse's ``questionnaire`` must say."""
    return f"{canonical_url(rules)}|{questionnaire_version(rules)}"


def ruleset_url(rules: RuleSet) -> str:
    return f"{BASE}/ruleset/{rules.name}/{rules.version}"


def system(kind: str) -> str:
    """The code system of one kind of code (condition, side, area, ...)."""
    return f"{BASE}/CodeSystem/{kind}"


def coding(kind: str, code: str, display: str | None = None) -> dict[str, str]:
    out = {"system": system(kind), "code": code}
    if display:
        out["display"] = display
    return out


def ordered_groups(rules: RuleSet) -> list[str]:
    """Groups in the checklist's order, then any group only the rule files know of."""
    seen = [c.group for c in rules.conditions.values() if not c.red_flag]
    return [g for g in GROUPS if g in seen] + sorted(set(seen) - set(GROUPS))


def group_title(group: str) -> str:
    return GROUPS.get(group, group.replace("_", " ").capitalize())


def gate_id(group: str) -> str:
    return f"gate.{group}"


def no_gate_id(group: str) -> str:
    """The item listing a group's conditions asked and answered no."""
    return f"gate.{group}.no"


def _control(code: str) -> dict[str, Any]:
    return {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [
        {"system": "http://hl7.org/fhir/questionnaire-item-control", "code": code}]}}


def _help(link_id: str, text: str) -> Item:
    return {"linkId": f"{link_id}.help", "type": "display", "text": text,
            "extension": [_control("help")]}


def _choice(link_id: str, text: str, kind: str, options: dict[str, str], *,
            repeats: bool = False) -> Item:
    item: Item = {"linkId": link_id, "text": text, "type": "choice",
                  "extension": [_control("check-box" if repeats else "radio-button")],
                  "answerOption": [{"valueCoding": coding(kind, c, d)} for c, d in options.items()]}
    if repeats:
        item["repeats"] = True
    return item


def _integer(link_id: str, text: str, low: int | None, high: int | None) -> Item:
    item: Item = {"linkId": link_id, "text": text, "type": "integer"}
    bounds = [(MIN_VALUE, low), (MAX_VALUE, high)]
    extensions = [{"url": url, "valueInteger": v} for url, v in bounds if v is not None]
    if extensions:
        item["extension"] = extensions
    return item


def follow_up_items(c: Condition) -> list[Item]:
    """A condition's follow-ups, as the checklist asks them (``asks`` then ``flags``)."""
    items: list[Item] = []
    if "sites" in c.asks:
        items.append({
            "linkId": f"{c.code}.sites", "text": SITES_QUESTION, "type": "group", "repeats": True,
            "item": [_choice(f"{c.code}.sites.side", SIDE_QUESTION, "side", SIDE_OPTIONS),
                     _choice(f"{c.code}.sites.area", "Where on the leg?", "area",
                             {a: a.capitalize() for a in AREAS}, repeats=True),
                     _help(f"{c.code}.sites", SITE_HELP)]})
    elif "sides" in c.asks:
        items.append(_choice(f"{c.code}.side", SIDE_QUESTION, "side", SIDE_OPTIONS))
    if "days_ago" in c.asks:
        items.append(_integer(f"{c.code}.days_ago", c.days_question, 0, MAX_DAYS_AGO))
    if "severity" in c.asks:
        items.append(_choice(f"{c.code}.severity", SEVERITY_QUESTION, "severity",
                             {s: s.capitalize() for s in SEVERITIES}))
    if "cleared" in c.asks:
        items.append({"linkId": f"{c.code}.cleared", "type": "boolean",
                      "text": CLEARED_QUESTION})
        when = _integer(f"{c.code}.cleared_days_ago", CLEARED_DAYS_QUESTION, 0, MAX_DAYS_AGO)
        when["enableWhen"] = [{"question": f"{c.code}.cleared", "operator": "=",
                               "answerBoolean": True}]
        items.append(when)
    for flag, question in c.flags.items():
        items.append({"linkId": f"{c.code}.flag.{flag}", "text": question, "type": "boolean"})
    return items


def _details(c: Condition, when: dict[str, Any]) -> list[Item]:
    items = follow_up_items(c)
    if not items:
        return []
    return [{"linkId": f"{c.code}.details", "text": c.title, "type": "group",
             "enableWhen": [when], "item": items}]


def _red_flags(rules: RuleSet) -> Item | None:
    items: list[Item] = []
    for c in rules.conditions.values():
        if c.red_flag:
            items.append({"linkId": c.code, "text": c.question, "type": "boolean",
                          "required": True})
            items += _details(c, {"question": c.code, "operator": "=", "answerBoolean": True})
    if not items:
        return None
    return {"linkId": RED_FLAGS, "text": "First, the warning signs", "type": "group",
            "item": items}


def _group(rules: RuleSet, group: str) -> Item:
    members = [c for c in rules.conditions.values() if not c.red_flag and c.group == group]
    title = group_title(group)
    gate = _choice(gate_id(group), f"{title}: does any of these apply?", "condition",
                   {c.code: c.question for c in members}, repeats=True)
    gate["item"] = [_help(gate_id(group), GATE_HELP)]
    no = _choice(no_gate_id(group), f"{title}: which of these were asked and do not apply?",
                 "condition", {c.code: c.question for c in members}, repeats=True)
    no["item"] = [_help(no_gate_id(group), NO_HELP)]
    items = [gate, no]
    for c in members:
        items += _details(c, {"question": gate_id(group), "operator": "=",
                              "answerCoding": coding("condition", c.code)})
    return {"linkId": f"group.{group}", "text": title, "type": "group", "item": items}


def session_fields() -> Iterator[tuple[str, FieldInfo]]:
    """The intake's fields other than the conditions: the wished-for session. New fields
    of the intake appear here (and in the Questionnaire) with no change to this module."""
    for name, field in Intake.model_fields.items():
        if name not in CONDITION_FIELDS:  # both are answers about conditions
            yield name, field


# The checklist's own words for the session questions (checklist.py asks them inline).
SESSION_TEXT = {"goal": "What is the massage for?",
                "preferred_pressure": "How much pressure is wanted at most?",
                "minutes": "How many minutes? (5 to 60)"}


def _session_item(name: str, field: FieldInfo) -> Item:
    """An item for one session field, by its type: a new field needs no code here."""
    text = SESSION_TEXT.get(name) or field.description or name.replace("_", " ").capitalize()
    annotation = field.annotation
    if annotation is bool:
        return {"linkId": name, "text": text, "type": "boolean"}
    if annotation is int:
        low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), None)
        high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), None)
        return _integer(name, text, low, high)
    if typing.get_origin(annotation) is typing.Literal:
        titles = {**GOAL_TITLES, **PRESSURE_TITLES}
        options = {v: titles.get(v, v.replace("_", " ").capitalize())
                   for v in typing.get_args(annotation)}
        return _choice(name, text, name, options)
    raise TypeError(f"intake field {name!r}: no FHIR item type for {annotation!r}")


def _session() -> Item:
    return {"linkId": SESSION, "text": "The massage", "type": "group",
            "item": [_session_item(name, field) for name, field in session_fields()]}


def build_questionnaire(rules: RuleSet) -> dict[str, Any]:
    """The Questionnaire as a plain JSON-ready dict (validated by ``questionnaire``)."""
    items = [i for i in [_red_flags(rules)] if i]
    items += [_group(rules, g) for g in ordered_groups(rules)]
    items.append(_session())
    return {
        "resourceType": "Questionnaire",
        "url": canonical_url(rules),
        "identifier": [{"system": f"{BASE}/ruleset-digest", "value": rules.digest}],
        "version": questionnaire_version(rules),
        "name": "LegMassageSafetyChecklist",
        "title": f"Leg massage safety checklist ({rules.name} {rules.version})",
        "status": "active",
        "description": (f"{rules.description} It supports, and never replaces, the "
                        "judgement of a healthcare professional.").strip(),
        "item": items,
    }


def walk(items: list[Item]) -> Iterator[Item]:
    """Every item of a Questionnaire tree, depth first."""
    for item in items:
        yield item
        yield from walk(item.get("item", []))
