"""The exported Questionnaire: valid FHIR (fhir.resources' R4B models), generated from the
rule set alone, in the checklist's order, tied to the rule set's version and digest."""

from __future__ import annotations

import json
import re
import shutil

from conftest import FHIR_MISSING, has_module, need
from strategies import RULES
from test_cli import ROOT, run

from screener import load_rules
from screener.fhir import questionnaire
from screener.fhir.questionnaire import canonical, gate_id, walk
from screener.fhir.validate import problem

need(has_module("fhir.resources"), FHIR_MISSING)

Q = questionnaire(RULES)
ITEMS = {i["linkId"]: i for i in walk(Q["item"])}


def test_it_is_valid_fhir_r4b():
    assert problem("Questionnaire", Q) is None


def test_link_ids_are_unique():
    links = [i["linkId"] for i in walk(Q["item"])]
    assert len(links) == len(set(links))


def test_every_condition_is_asked_once_red_flags_first():
    order = []
    for item in walk(Q["item"]):
        if item["type"] == "boolean" and item["linkId"] in RULES.conditions:
            order.append(item["linkId"])
        if item["linkId"].endswith(".no"):  # the gate's "asked and answered no" twin
            assert [o["valueCoding"]["code"] for o in item["answerOption"]] == [
                o["valueCoding"]["code"] for o in ITEMS[item["linkId"][:-3]]["answerOption"]]
            continue
        for option in item.get("answerOption", []):
            if option["valueCoding"]["system"].endswith("/condition"):
                order.append(option["valueCoding"]["code"])
    assert sorted(order) == sorted(RULES.conditions)
    red = [c for c in order if RULES.conditions[c].red_flag]
    assert order[:len(red)] == red and red


def test_follow_ups_are_enabled_by_their_gate_and_typed():
    for code, c in RULES.conditions.items():
        asked = bool(c.asks or c.flags)
        assert (f"{code}.details" in ITEMS) == asked, code
        if not asked:
            continue
        when = ITEMS[f"{code}.details"]["enableWhen"]
        if c.red_flag:
            assert when == [{"question": code, "operator": "=", "answerBoolean": True}]
        else:
            assert when[0]["question"] == gate_id(c.group)
            assert when[0]["answerCoding"]["code"] == code
        for flag in c.flags:
            assert ITEMS[f"{code}.flag.{flag}"]["type"] == "boolean"
        if "days_ago" in c.asks:
            assert ITEMS[f"{code}.days_ago"]["type"] == "integer"
        if "severity" in c.asks:
            assert [o["valueCoding"]["code"] for o in ITEMS[f"{code}.severity"]["answerOption"]] \
                == ["mild", "moderate", "severe"]
        if "sites" in c.asks:
            assert ITEMS[f"{code}.sites"]["repeats"] is True
            assert ITEMS[f"{code}.sites.area"]["repeats"] is True


def test_gates_carry_help_text_and_minutes_their_bounds():
    gates = [i for i in walk(Q["item"]) if i["linkId"].startswith("gate.") and i["type"] == "choice"]
    assert gates
    for gate in gates:
        assert gate["item"][0]["type"] == "display"
    bounds = {e["url"].rsplit("/", 1)[1]: e["valueInteger"] for e in ITEMS["minutes"]["extension"]}
    assert bounds == {"minValue": 5, "maxValue": 60}


def test_version_follows_the_rule_files(tmp_path):
    """The version is what the checklist asks: a rule change that asks nothing new keeps
    it (stored responses stay readable); a changed question is a new version."""
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    file = next(copy.glob("recent_injury.yaml"))
    text = file.read_text()
    file.write_text(text.replace("reason: >-", "reason: >-\n      A reworded reason.", 1)
                    + "\n# a comment changes the digest\n")
    reworded = load_rules(copy)
    assert reworded.digest != RULES.digest
    assert questionnaire(reworded)["version"] == Q["version"]
    assert canonical(reworded) == canonical(RULES)
    first_flag = next(iter(RULES.conditions["recent_injury"].flags.values()))
    file.write_text(text.replace(first_flag, first_flag.rstrip("?") + " now?", 1))
    asked_anew = load_rules(copy)
    assert questionnaire(asked_anew)["url"] == Q["url"]
    assert questionnaire(asked_anew)["version"] != Q["version"]
    assert re.fullmatch(r"q\.[0-9a-f]{16}", Q["version"])


def test_a_new_condition_file_is_asked_with_no_code_change(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    text = (copy / "recent_injury.yaml").read_text().replace("recent_injury", "new_injury")
    (copy / "new_injury.yaml").write_text(text.replace("id: injury.", "id: new-injury."))
    q = questionnaire(load_rules(copy))
    links = {i["linkId"] for i in walk(q["item"])}
    assert {"new_injury.details", "new_injury.flag.fracture"} <= links
    assert problem("Questionnaire", q) is None


def test_cli_prints_it():
    result = run("questionnaire")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == Q
