"""QuestionnaireResponse ⇄ Intake, against the Questionnaire of the same rule set.

FHIR's models (fhir.resources, R4B) check the structure; whether the response fits *this*
Questionnaire is checked here, since no Python validator does it: the canonical and
version, every linkId in its place, one answer unless the item repeats, the answer's type
and code, bounds, no answer under a disabled item, required items answered. Anything
else is an ``InputError`` naming the item: a response that cannot be read exactly is
never guessed at.

A response carries only what was answered (contract v1.2): a "no" is an explicit
``false`` (a follow-up, in ``flags_no``) or a code in a group's "asked and do not apply"
item or a red flag answered no (in ``conditions_no``); an absent item was not answered,
never a made-up "no".
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from screener.errors import InputError
from screener.errors import describe_invalid, shown
from screener.answers.intake import ConditionReport, Intake
from screener.rules import RuleSet
from screener.fhir.questionnaire import (
    BEFORE_UNANSWERED_LEFT_OUT,
    MAX_VALUE,
    MIN_VALUE,
    Item,
    build_questionnaire,
    canonical,
    canonical_url,
    coding,
    gate_id,
    no_gate_id,
    session_fields,
    walk,
)

VALUE_KEY = {"boolean": "valueBoolean", "integer": "valueInteger", "choice": "valueCoding"}
DONE = ("completed", "amended")
# Modifier extensions change the meaning of the element that holds them ("not", "asked
# of someone else"...); FHIR requires a reader that does not know one to refuse the
# element. The screener knows none, so any is refused.
UNDERSTOOD_MODIFIERS: frozenset[str] = frozenset()
# What the Questionnaire maps of a condition report; a new field of the intake model
# must be mapped here before the FHIR round trip can carry it (a test checks this).
MAPPED_REPORT_FIELDS = {"code", "sites", "cleared", "cleared_days_ago", "days_ago", "severity",
                        "flags", "flags_no"}


# -- Intake → QuestionnaireResponse ---------------------------------------------------
def _answers(intake: Intake, rules: RuleSet) -> tuple[dict[str, list[Any]], dict[str, list[Item]]]:
    """Answers by linkId, and the filled-in instances of each repeating sites group."""
    answers: dict[str, list[Any]] = {}
    sites: dict[str, list[Item]] = {}
    reports = {r.code: r for r in intake.conditions}
    for c in rules.conditions.values():
        report = reports.get(c.code)
        said_no = c.code in intake.conditions_no
        if c.red_flag and not (report or said_no):
            raise InputError(f"conditions_no: the red flag {c.code} was not answered, and a "
                             "QuestionnaireResponse answers every red flag (list it in "
                             "conditions or conditions_no)")
        if c.red_flag:
            answers[c.code] = [{"valueBoolean": report is not None}]
        elif report or said_no:
            link = gate_id(c.group) if report else no_gate_id(c.group)
            answers.setdefault(link, []).append(
                {"valueCoding": coding("condition", c.code, c.question)})
        if report:
            _report_answers(report, c.asks, list(c.flags), answers, sites)
    for name, _ in session_fields():
        value = getattr(intake, name)
        if value is None:
            continue
        key = {bool: "valueBoolean", int: "valueInteger"}.get(type(value))
        answers[name] = [{key: value} if key else {"valueCoding": coding(name, value)}]
    return answers, sites


def _report_answers(report: ConditionReport, asks: list[str], flags: list[str],
                    answers: dict[str, list[Any]], sites: dict[str, list[Item]]) -> None:
    code = report.code

    def unasked(field: str) -> InputError:
        return InputError(f"conditions.{code}.{field}: the checklist does not ask this for "
                          f"{code}, so a QuestionnaireResponse cannot carry it")

    extra = set(report.model_fields_set) - MAPPED_REPORT_FIELDS
    if extra:
        raise unasked(sorted(extra)[0])
    if report.sites and "sites" in asks:
        sites[f"{code}.sites"] = [
            {"linkId": f"{code}.sites", "item": [
                {"linkId": f"{code}.sites.side",
                 "answer": [{"valueCoding": coding("side", s.side)}]},
                *([{"linkId": f"{code}.sites.area",
                    "answer": [{"valueCoding": coding("area", s.area)}]}] if s.area else [])]}
            for s in report.sites]
    elif report.sites and "sides" in asks:
        if any(s.area for s in report.sites):
            raise unasked("sites.area")
        sides = {s.side for s in report.sites}
        side = "both" if len(sides) == 2 else sides.pop()
        answers[f"{code}.side"] = [{"valueCoding": coding("side", side)}]
    elif report.sites:
        raise unasked("sites")
    for field, key in (("days_ago", "valueInteger"), ("severity", "valueCoding")):
        value = getattr(report, field)
        if value is None:
            continue
        if field not in asks:
            raise unasked(field)
        answers[f"{code}.{field}"] = [
            {key: coding("severity", value) if field == "severity" else value}]
    if "cleared" not in asks and (report.cleared or report.cleared_days_ago is not None):
        raise unasked("cleared")
    if report.cleared or "cleared" in report.model_fields_set:
        answers[f"{code}.cleared"] = [{"valueBoolean": report.cleared}]
    if report.cleared_days_ago is not None:
        if not report.cleared:  # the Questionnaire asks the date only after a yes
            raise InputError(f"conditions.{code}.cleared_days_ago: a clearance date without "
                             "a clearance (cleared is not true)")
        answers[f"{code}.cleared_days_ago"] = [{"valueInteger": report.cleared_days_ago}]
    for flag in flags:
        if flag in report.flags or flag in report.flags_no:
            answers[f"{code}.flag.{flag}"] = [{"valueBoolean": flag in report.flags}]


def _emit(items: list[Item], answers: dict[str, list[Any]],
          sites: dict[str, list[Item]]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        link = item["linkId"]
        if item["type"] == "display":
            continue
        if item["type"] == "group" and item.get("repeats"):
            out += sites.get(link, [])
        elif item["type"] == "group":
            children = _emit(item.get("item", []), answers, sites)
            if children:
                out.append({"linkId": link, "text": item["text"], "item": children})
        elif link in answers:
            out.append({"linkId": link, "text": item["text"], "answer": answers[link]})
    return out


def build_response(intake: Intake, rules: RuleSet) -> dict[str, Any]:
    """The response as a plain dict; ``InputError`` when the intake holds an answer the
    checklist never asks (it could not come back unchanged)."""
    answers, sites = _answers(intake, rules)
    return {"resourceType": "QuestionnaireResponse", "questionnaire": canonical(rules),
            "status": "completed",
            "item": _emit(build_questionnaire(rules)["item"], answers, sites)}


# -- QuestionnaireResponse → Intake ---------------------------------------------------
class _Reader:
    """One pass over a response: checks each item against the Questionnaire and gathers
    the answers by linkId (instances of repeating groups kept apart)."""

    def __init__(self, questionnaire: dict[str, Any], source: str):
        self.source = source
        self.items = {i["linkId"]: i for i in walk(questionnaire["item"])}
        self.answers: dict[str, list[Any]] = {}
        self.instances: dict[str, list[dict[str, list[Any]]]] = {}
        self.present: set[str] = set()

    def fail(self, link: str | None, message: str) -> InputError:
        where = f"item {shown(link)!r}: " if link else ""
        return InputError(f"{self.source}: {where}{message}")

    def no_modifiers(self, link: str | None, element: dict[str, Any], what: str) -> None:
        """Refuse a modifier extension the screener does not understand."""
        unknown = modifiers(element)
        if unknown:
            raise self.fail(link, f"{what} has a modifierExtension the screener does not "
                                  f"understand ({shown(unknown[0])}): it could change the "
                                  "meaning of the answer, so the response is not read")

    def read(self, given: Any, expected: list[Item], into: dict[str, list[Any]],
             parent: str | None) -> None:
        allowed = {i["linkId"]: i for i in expected if i["type"] != "display"}
        seen: set[str] = set()
        for raw in given:
            link = raw.get("linkId")
            self.no_modifiers(link, raw, "the item")
            item = allowed.get(link)
            if item is None:
                if link in self.items:
                    place = f"under {parent!r}" if parent else "at the top"
                    raise self.fail(link, f"is not in its place ({place})")
                raise self.fail(link, "unknown linkId: not in this Questionnaire")
            if link in seen and not (item["type"] == "group" and item.get("repeats")):
                raise self.fail(link, "given twice")
            seen.add(link)
            self.present.add(link)
            if item["type"] == "group":
                if raw.get("answer"):
                    raise self.fail(link, "a group has no answer")
                if item.get("repeats"):
                    instance: dict[str, list[Any]] = {}
                    self.instances.setdefault(link, []).append(instance)
                    self.read(raw.get("item") or [], item.get("item", []), instance, link)
                else:
                    self.read(raw.get("item") or [], item.get("item", []), into, link)
            else:
                if raw.get("item"):
                    raise self.fail(link, "a question has no items of its own")
                into[link] = [self.value(item, a) for a in raw.get("answer") or []]
                if len(into[link]) > 1 and not item.get("repeats"):
                    raise self.fail(link, "more than one answer to a question that takes one")

    def value(self, item: Item, answer: dict[str, Any]) -> Any:
        link, key = item["linkId"], VALUE_KEY[item["type"]]
        self.no_modifiers(link, answer, "an answer")
        if answer.get("item"):
            raise self.fail(link, "answers here have no follow-up items")
        given = [k for k in answer if k.startswith("value")]
        if given != [key]:
            found = given[0] if given else "no value"
            raise self.fail(link, f"expected {key}, found {found}")
        value = answer[key]
        # FHIR's models coerce ("3" becomes 3); the response must hold the type itself
        expected = {"boolean": bool, "integer": int, "choice": dict}[item["type"]]
        if type(value) is not expected:
            raise self.fail(link, f"{key} must be a JSON {expected.__name__}, "
                                  f"not {type(value).__name__}")
        if item["type"] == "choice":
            return self.code(item, value)
        if item["type"] == "integer":
            for ext in item.get("extension", []):
                low, high = ext["url"] == MIN_VALUE, ext["url"] == MAX_VALUE
                if (low and value < ext["valueInteger"]) or (high and value > ext["valueInteger"]):
                    word = "at least" if low else "at most"
                    raise self.fail(link, f"{value} is out of range ({word} {ext['valueInteger']})")
        return value

    def code(self, item: Item, value: dict[str, Any]) -> str:
        options = {o["valueCoding"]["code"]: o["valueCoding"]["system"]
                   for o in item["answerOption"]}
        code = value.get("code")
        if code not in options or value.get("system", options[code]) != options[code]:
            known = ", ".join(options)
            raise self.fail(item["linkId"], f"{code!r} from {value.get('system')!r} is not "
                            f"one of its answer options ({known})")
        return code

    def enabled(self, item: Item, answers: dict[str, list[Any]]) -> bool:
        """Our Questionnaire only uses '=' on a boolean or a coding (see questionnaire.py)."""
        for when in item.get("enableWhen", []):
            got = answers.get(when["question"], [])
            want = when.get("answerBoolean", when.get("answerCoding", {}).get("code"))
            if want not in got:
                return False
        return True

    def check_enabled(self, items: list[Item], answers: dict[str, list[Any]],
                      live: bool = True) -> None:
        """No answer under a disabled item; every enabled required item answered."""
        for item in items:
            link = item["linkId"]
            on = live and self.enabled(item, answers)
            if not on and link in self.present:
                gate = item.get("enableWhen", [{}])[0].get("question")
                why = f" (its question {gate!r} does not enable it)" if gate else ""
                raise self.fail(link, f"answered, but the item is disabled{why}")
            if on and item.get("required") and not answers.get(link):
                raise self.fail(link, "required, but not answered")
            if not item.get("repeats"):
                self.check_enabled(item.get("item", []), answers, on)


def read_response(data: dict[str, Any], rules: RuleSet, source: str) -> Intake:
    from screener.fhir.validate import problem

    issue = problem("QuestionnaireResponse", data)
    if issue:
        raise InputError(f"{source}: not a valid FHIR QuestionnaireResponse: {issue}")
    unknown = modifiers(data)
    if unknown:
        raise InputError(f"{source}: modifierExtension: {shown(unknown[0])} is not understood "
                         "by the screener: it could change the meaning of the response, so "
                         "it is not read")
    if "implicitRules" in data:  # a modifier element (FHIR R4 Resource): rules we cannot know
        raise InputError(f"{source}: implicitRules: {shown(str(data['implicitRules']), 80)} "
                         "is a modifier the screener does not understand: the response is "
                         "not read")
    expected, given = canonical(rules), data.get("questionnaire")
    if given != expected:
        if isinstance(given, str) and given.split("|")[0] == canonical_url(rules):
            if BEFORE_UNANSWERED_LEFT_OUT.search(given.split("|")[-1]):
                raise InputError(f"{source}: questionnaire: answers a checklist version from "
                                 "before unanswered items were left out, so its 'no' answers "
                                 "cannot be told from questions not asked: please answer the "
                                 "checklist again")
            raise InputError(f"{source}: questionnaire: answers another version ({given!r}); "
                             f"these rules read {expected!r}")
        raise InputError(f"{source}: questionnaire: {given!r} is not this rule set's "
                         f"Questionnaire ({expected!r})")
    if data.get("status") not in DONE:
        raise InputError(f"{source}: status: {data.get('status')!r}; only a completed "
                         "or amended response is screened")
    questionnaire = build_questionnaire(rules)
    reader = _Reader(questionnaire, source)
    reader.read(data.get("item") or [], questionnaire["item"], reader.answers, None)
    reader.check_enabled(questionnaire["item"], reader.answers)
    intake = _intake(reader, rules)
    try:
        return Intake.model_validate(intake, context={"rules": rules})
    except ValidationError as exc:
        raise InputError(f"{source}: {describe_invalid(exc)}") from None


def modifiers(element: dict[str, Any]) -> list[str]:
    """The urls of the element's modifier extensions the screener does not understand
    (an extension without a url counts, as '?')."""
    given = element.get("modifierExtension") or []
    urls = [e.get("url", "?") if isinstance(e, dict) else "?" for e in given]
    return [u for u in urls if u not in UNDERSTOOD_MODIFIERS]


def _intake(reader: _Reader, rules: RuleSet) -> dict[str, Any]:
    answers = reader.answers
    conditions, conditions_no = [], []
    for c in rules.conditions.values():
        reported = answers.get(c.code) == [True] if c.red_flag else (
            c.code in answers.get(gate_id(c.group), []))
        said_no = answers.get(c.code) == [False] if c.red_flag else (
            c.code in answers.get(no_gate_id(c.group), []))
        if said_no and reported:
            raise InputError(f"{reader.source}: item {no_gate_id(c.group)!r}: {c.code} is "
                             "both ticked as applying and answered no")
        if said_no:
            conditions_no.append(c.code)
        if not reported:
            continue
        entry: dict[str, Any] = {"code": c.code}
        sites = [{"side": side, **({"area": a} if a else {})}
                 for inst in reader.instances.get(f"{c.code}.sites", [])
                 for side in [(inst.get(f"{c.code}.sites.side") or ["both"])[0]]
                 for a in inst.get(f"{c.code}.sites.area") or [None]]
        if f"{c.code}.side" in answers and answers[f"{c.code}.side"]:
            sites = [{"side": answers[f"{c.code}.side"][0]}]
        if sites:
            entry["sites"] = sites
        for field in ("days_ago", "severity", "cleared", "cleared_days_ago"):
            if answers.get(f"{c.code}.{field}"):
                entry[field] = answers[f"{c.code}.{field}"][0]
        for key, value in (("flags", True), ("flags_no", False)):
            chosen = [f for f in c.flags if answers.get(f"{c.code}.flag.{f}") == [value]]
            if chosen:
                entry[key] = chosen
        conditions.append(entry)
    intake: dict[str, Any] = {"conditions": conditions}
    if conditions_no:
        intake["conditions_no"] = conditions_no
    intake.update({name: answers[name][0] for name, _ in session_fields() if answers.get(name)})
    return intake

