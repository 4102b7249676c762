"""QuestionnaireResponse in and out: the round trip is exact, and a response that does not
fit the Questionnaire is a one-line error naming the item (exit 2), never a guess."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FHIR_MISSING, has_module, need
from fhir_cases import answering_red_flags, asked_intake_st, first, full_entry
from hypothesis import given
from strategies import RULES
from test_cli import EXAMPLE, ROOT, run

from screener import Intake, screen
from screener.errors import InputError
from screener.cli.main import main
from screener.fhir import intake_to_response, response_to_intake
from screener.fhir.questionnaire import CONDITION_FIELDS, coding, walk
from screener.fhir.response import MAPPED_REPORT_FIELDS
from screener.answers.intake import ConditionReport

need(has_module("fhir.resources"), FHIR_MISSING)


def intake(data: dict) -> Intake:
    return Intake.model_validate(data, context={"rules": RULES})


@given(asked_intake_st())
def test_round_trip_gives_the_same_intake_and_assessment(data):
    before = intake(data)
    response = intake_to_response(before, RULES)
    after = response_to_intake(json.loads(json.dumps(response)), RULES)
    assert after.model_dump() == before.model_dump()
    assert screen(after, RULES).to_json() == screen(before, RULES).to_json()
    assert intake_to_response(after, RULES) == response  # and the response is canonical


@given(asked_intake_st())
def test_a_response_carries_only_what_was_answered(data):
    """No made-up "no": a follow-up answered neither way has no item, and every "no"
    the intake states is an explicit answer."""
    before = intake(data)
    items = {i["linkId"]: i.get("answer") for i in walk(intake_to_response(before, RULES)["item"])}
    for report in before.conditions:
        for flag in RULES.conditions[report.code].flags:
            link = f"{report.code}.flag.{flag}"
            if flag in report.flags or flag in report.flags_no:
                assert items[link] == [{"valueBoolean": flag in report.flags}]
            else:
                assert link not in items
    for code in before.conditions_no:
        c = RULES.conditions[code]
        if c.red_flag:
            assert items[code] == [{"valueBoolean": False}]
        else:
            assert code in [a["valueCoding"]["code"] for a in items[f"gate.{c.group}.no"]]


def test_an_unanswered_red_flag_cannot_be_exported():
    """A response answers every red flag; an intake that leaves one unanswered is refused
    rather than given a made-up "no"."""
    with pytest.raises(InputError, match=rf"conditions_no: the red flag {RED}"):
        intake_to_response(intake({"conditions": []}), RULES)


def test_an_unanswered_follow_up_is_read_back_as_unanswered():
    flag = next(iter(RULES.conditions[FLAGGED].flags))
    response = copy.deepcopy(BASE)
    drop(response["item"], f"{FLAGGED}.flag.{flag}")
    after = response_to_intake(response, RULES)
    report = next(r for r in after.conditions if r.code == FLAGGED)
    assert flag not in report.flags and flag not in report.flags_no


def test_every_field_of_the_intake_is_mapped():
    """A new field of the intake model must be mapped before FHIR can carry it."""
    unmapped = set(ConditionReport.model_fields) - MAPPED_REPORT_FIELDS
    assert not unmapped, f"ConditionReport fields the FHIR mapping does not carry: {unmapped}"
    from screener.fhir import questionnaire

    links = {i["linkId"] for i in walk(questionnaire(RULES)["item"])}
    missing = [name for name in Intake.model_fields
               if name not in CONDITION_FIELDS and name not in links]
    assert not missing, f"Intake fields without a Questionnaire item: {missing}"


def test_an_answer_the_checklist_never_asks_cannot_be_exported():
    code = first(lambda c: "days_ago" not in c.asks)
    assert code
    with pytest.raises(InputError, match=rf"conditions\.{code}\.days_ago"):
        intake_to_response(intake({"conditions": [{"code": code, "days_ago": 1}]}), RULES)


# -- bad responses ----------------------------------------------------------------------
SITES = first(lambda c: not c.red_flag and "sites" in c.asks)
FLAGGED = first(lambda c: not c.red_flag and c.flags)
DAYS = first(lambda c: not c.red_flag and "days_ago" in c.asks)
RED = first(lambda c: c.red_flag)
CLEARED = first(lambda c: not c.red_flag and "cleared" in c.asks)
OTHER = first(lambda c: not c.red_flag and not (c.asks or c.flags) and c.code not in (SITES, FLAGGED, DAYS)) \
    or first(lambda c: not c.red_flag and c.code not in (SITES, FLAGGED, DAYS))
BASE = intake_to_response(intake(answering_red_flags({"conditions": [
    full_entry(code) for code in dict.fromkeys(filter(None, (SITES, FLAGGED, DAYS, CLEARED)))]})),
    RULES)


def find(items: list, link: str) -> dict:
    return next(i for i in walk(items) if i["linkId"] == link)


def parent_of(items: list, link: str) -> list:
    for item in [{"item": items}, *walk(items)]:
        if any(child["linkId"] == link for child in item.get("item", [])):
            return item["item"]
    raise KeyError(link)


def drop(items: list, link: str) -> None:
    siblings = parent_of(items, link)
    siblings.remove(find(items, link))


def details_group(code: str) -> str:
    return f"group.{RULES.conditions[code].group}"


def _ungated(r: dict) -> None:
    """Follow-ups of a condition whose gate is not ticked: move its details to a group
    whose gate does not name it."""
    gate = find(r["item"], f"gate.{RULES.conditions[SITES].group}")
    gate["answer"] = [a for a in gate["answer"] if a["valueCoding"]["code"] != SITES]
    if not gate["answer"]:
        drop(r["item"], gate["linkId"])


# A modifier the screener cannot know: it may reverse the answer it sits on.
NOT_ASKED = {"url": "http://example.org/not-asked", "valueBoolean": True}

BAD: dict[str, tuple[Callable[[dict], None], str]] = {
    "structure": (lambda r: r.update(item="not a list"), "not a valid FHIR QuestionnaireResponse"),
    "unknown field": (lambda r: r.update(colour="blue"), "colour"),
    "no questionnaire": (lambda r: r.pop("questionnaire"), "questionnaire"),
    "another questionnaire": (lambda r: r.update(questionnaire="http://example.org/Q|1"),
                              "not this rule set's Questionnaire"),
    "another version": (lambda r: r.update(questionnaire=r["questionnaire"].split("|")[0] + "|0.0.1"),
                        "answers another version"),
    "in progress": (lambda r: r.update(status="in-progress"), "status"),
    "number as text": (lambda r: find(r["item"], "minutes")["answer"][0].update(
        valueInteger="15"), "'minutes': valueInteger must be a JSON int, not str"),
    "unknown linkId": (lambda r: r["item"].append({"linkId": "tattoo", "answer": [{"valueBoolean": True}]}),
                       "'tattoo': unknown linkId"),
    "item out of place": (lambda r: find(r["item"], "session")["item"].append(
        {"linkId": RED, "answer": [{"valueBoolean": False}]}), f"'{RED}': is not in its place"),
    "item twice": (lambda r: r["item"].append(copy.deepcopy(find(r["item"], "session"))),
                   "'session': given twice"),
    "wrong type": (lambda r: find(r["item"], RED).update(answer=[{"valueString": "no"}]),
                   f"'{RED}': expected valueBoolean, found valueString"),
    "unknown code": (lambda r: find(r["item"], "goal").update(answer=[{"valueCoding": {
        "system": find(r["item"], "goal")["answer"][0]["valueCoding"]["system"], "code": "sleep"}}]),
        "'goal': 'sleep'"),
    "code of another system": (lambda r: find(r["item"], "goal")["answer"][0]["valueCoding"].update(
        system="http://snomed.info/sct"), "'goal'"),
    "out of range": (lambda r: find(r["item"], "minutes").update(answer=[{"valueInteger": 3}]),
                     "'minutes': 3 is out of range"),
    "negative days": (lambda r: find(r["item"], f"{DAYS}.days_ago").update(answer=[{"valueInteger": -1}]),
                      f"'{DAYS}.days_ago': -1 is out of range"),
    "answer under a disabled item": (_ungated, f"'{SITES}.details': answered, but the item is disabled"),
    "red flag unanswered": (lambda r: drop(r["item"], RED), f"'{RED}': required, but not answered"),
    "clearance date without a clearance": (
        lambda r: find(r["item"], f"{CLEARED}.details")["item"].append(
            {"linkId": f"{CLEARED}.cleared_days_ago", "answer": [{"valueInteger": 3}]}),
        f"'{CLEARED}.cleared_days_ago': answered, but the item is disabled"),
    "a condition both ticked and answered no": (
        lambda r: find(r["item"], f"group.{RULES.conditions[SITES].group}")["item"].append(
            {"linkId": f"gate.{RULES.conditions[SITES].group}.no",
             "answer": [{"valueCoding": coding("condition", SITES)}]}),
        SITES),
    "two answers": (lambda r: find(r["item"], "minutes").update(
        answer=[{"valueInteger": 10}, {"valueInteger": 20}]), "'minutes': more than one answer"),
    "group with an answer": (lambda r: find(r["item"], "session").update(answer=[{"valueBoolean": True}]),
                             "'session': a group has no answer"),
    "answer with items": (lambda r: find(r["item"], "minutes")["answer"][0].update(
        item=[{"linkId": "x"}]), "'minutes': answers here have no follow-up items"),
    "answer without value": (lambda r: find(r["item"], RED).update(answer=[{}]),
                             f"'{RED}': expected valueBoolean, found no value"),
    "modifier on the response": (lambda r: r.update(modifierExtension=[NOT_ASKED]),
                                 "modifierExtension: http://example.org/not-asked"),
    "modifier on an item": (lambda r: find(r["item"], RED).update(modifierExtension=[NOT_ASKED]),
                            f"'{RED}': the item has a modifierExtension"),
    "modifier on a group": (lambda r: find(r["item"], "session").update(
        modifierExtension=[NOT_ASKED]), "'session': the item has a modifierExtension"),
    "modifier on an answer": (lambda r: find(r["item"], RED)["answer"][0].update(
        modifierExtension=[NOT_ASKED]), f"'{RED}': an answer has a modifierExtension"),
    "implicit rules (a modifier element)": (lambda r: r.update(implicitRules="http://x.test/r"),
                                            "implicitRules: http://x.test/r is a modifier"),
}


def test_the_base_response_screens():
    assert response_to_intake(copy.deepcopy(BASE), RULES).codes()


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_response_is_one_line_exit_2(kind, tmp_path, capsys):
    mutate, expected = BAD[kind]
    response = copy.deepcopy(BASE)
    mutate(response)
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response))
    assert main(["screen", "--answers", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"screener: {path}: ")
    assert expected in err, err


def test_bad_kinds_are_at_least_fifteen():
    assert len(BAD) >= 15


def answered_example(tmp_path: Path) -> Path:
    """The example intake with every red flag answered, as a response must carry them."""
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(answering_red_flags(json.loads(EXAMPLE.read_text()))))
    return path


def test_cli_response_then_screen_as_subprocesses(tmp_path):
    example = answered_example(tmp_path)
    made = run("response", "--answers", str(example))
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["resourceType"] == "QuestionnaireResponse"
    path = tmp_path / "response.json"
    path.write_text(made.stdout)
    via_fhir = run("screen", "--answers", str(path), "--format", "json")
    direct = run("screen", "--answers", str(example), "--format", "json")
    assert via_fhir.returncode == direct.returncode
    assert via_fhir.stdout == direct.stdout


def test_batch_reads_one_response_a_line():
    good = json.dumps(BASE)
    bad = copy.deepcopy(BASE)
    bad["status"] = "in-progress"
    result = run("batch", "--answers", "-", stdin=f"{good}\n{json.dumps(bad)}\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["ok"] for line in lines] == [True, False]
    assert "status" in lines[1]["error"]
    assert result.returncode == 2


def test_bad_response_as_a_subprocess(tmp_path):
    bad = copy.deepcopy(BASE)
    bad["questionnaire"] += "0"
    result = run("screen", "--answers", "-", stdin=json.dumps(bad))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "another version" in result.stderr


def test_plain_screening_never_imports_fhir():
    code = ("import sys; from screener.cli.main import main; "
            f"main(['screen', '--answers', {str(EXAMPLE)!r}]); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'fhir' "
            "or m.startswith('screener.fhir')], 'fhir imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr


def test_without_the_extra_fhir_paths_name_it(monkeypatch, capsys, tmp_path):
    for name in [m for m in sys.modules if m == "fhir" or m.startswith("fhir.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "fhir", None)
    path = tmp_path / "response.json"
    path.write_text(json.dumps(BASE))
    for argv in (["questionnaire"], ["response", "--answers", str(answered_example(tmp_path))],
                 ["screen", "--answers", str(EXAMPLE), "--format", "fhir"],
                 ["screen", "--answers", str(path)]):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1
        assert "pip install 'screener[fhir]'" in err
    assert main(["screen", "--answers", str(EXAMPLE), "--format", "cds"]) == 0
    assert json.loads(capsys.readouterr().out)["cards"]


def test_a_response_to_a_checklist_from_before_unanswered_items_were_left_out_is_refused():
    """Such a response wrote "no" for questions it never asked: its answers cannot be
    trusted, so the person is asked to answer again rather than misread."""
    old = copy.deepcopy(BASE)
    old["questionnaire"] = old["questionnaire"].split("|")[0] + "|1.0.0+sha256.613de63b7649a8fa"
    result = run("screen", "--answers", "-", stdin=json.dumps(old))
    assert (result.returncode, result.stdout) == (2, "")
    assert "answer the checklist again" in result.stderr and result.stderr.count("\n") == 1
