"""The result as a CDS Hooks card (--format cds) and as a FHIR GuidanceResponse
(--format fhir): every decision, from the rule files' own cases."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from conftest import FHIR_MISSING, has_module, need
from strategies import RULES, intake_st
from test_cli import run

from screener import Intake, screen
from screener.fhir import assessment_resource, cds_cards
from screener.fhir.cds import SUMMARY_LIMIT
from screener.fhir.questionnaire import ruleset_url
from screener.render.escape import markdown_text
from screener.fhir.validate import problem

need(has_module("fhir.resources"), FHIR_MISSING)

INDICATOR = {"proceed": "info", "adjust": "info", "refer": "warning", "urgent": "critical"}
EXIT = {"proceed": 0, "adjust": 0, "refer": 3, "urgent": 4}


def by_decision() -> dict[str, dict]:
    """One intake per decision, taken from the rules' cases (and the empty intake)."""
    found = {"proceed": {"conditions": []}}
    for _, rule in RULES.rules:
        for case in rule.cases.fires:
            data = dict(case.intake)
            decision = screen(Intake.model_validate(data, context={"rules": RULES}), RULES).decision
            found.setdefault(decision, data)
    return found


INTAKES = by_decision()


def test_every_decision_has_an_intake():
    assert set(INTAKES) == set(INDICATOR)


@pytest.mark.parametrize("decision", list(INDICATOR))
def test_cds_card_per_decision(decision):
    data = INTAKES[decision]
    assessment = screen(Intake.model_validate(data, context={"rules": RULES}), RULES)
    [card] = cds_cards(assessment, RULES)["cards"]
    assert card["indicator"] == INDICATOR[decision]
    assert 0 < len(card["summary"]) < SUMMARY_LIMIT
    assert card["source"] == {"label": card["source"]["label"], "url": ruleset_url(RULES)}
    assert RULES.name in card["source"]["label"] and RULES.version in card["source"]["label"]
    for finding in assessment.findings:
        assert f"`{finding.rule}`" in card["detail"]
        assert all(source in card["detail"] for source in finding.sources)
    if assessment.referral:
        assert markdown_text(assessment.referral.message) in card["detail"]  # as Markdown

    result = run("screen", "--answers", "-", "--format", "cds", stdin=json.dumps(data))
    assert result.returncode == EXIT[decision]
    assert json.loads(result.stdout) == cds_cards(assessment, RULES)


@given(intake_st())
def test_guidance_response_is_valid_fhir_and_carries_the_result(data):
    assessment = screen(Intake.model_validate(data, context={"rules": RULES}), RULES)
    resource = assessment_resource(assessment, RULES)
    assert problem("GuidanceResponse", resource) is None
    [params] = resource["contained"]
    named = {}
    for p in params["parameter"]:
        named.setdefault(p["name"], []).append(p)
    assert named["decision"] == [{"name": "decision", "valueCode": assessment.decision}]
    rules_of = [part["valueCode"] for f in named.get("finding", []) for part in f["part"]
                if part["name"] == "rule"]
    assert rules_of == [f.rule for f in assessment.findings]
    ruleset = {p["name"]: p["valueString"] for p in named["ruleset"][0]["part"]}
    assert ruleset == assessment.ruleset.model_dump()
    assert len(named.get("exclusion", [])) == len(assessment.exclusions)
    assert len(named.get("pressure_cap", [])) == len(assessment.pressure_caps)
    assert resource["moduleUri"] == ruleset_url(RULES)


def test_cli_fhir_format_exit_status_and_byte_stability():
    data = json.dumps(INTAKES["refer"])
    first = run("screen", "--answers", "-", "--format", "fhir", stdin=data)
    second = run("screen", "--answers", "-", "--format", "fhir", stdin=data)
    assert first.returncode == 3 and first.stderr == ""
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["resourceType"] == "GuidanceResponse"
