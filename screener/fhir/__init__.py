"""FHIR and CDS Hooks: the checklist as a Questionnaire, intakes as QuestionnaireResponses,
results as a CDS Hooks card or a FHIR GuidanceResponse (see docs/fhir.md).

Beside the core, never inside it: nothing here is imported unless asked for, and
``fhir.resources`` (the optional ``fhir`` extra) only when a FHIR resource is read or
written. CDS Hooks cards are plain JSON and need no extra.

    from screener.fhir import questionnaire, intake_to_response, response_to_intake
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Loaded first, so that the function ``questionnaire`` below, not the submodule of that
# name, is what ``screener.fhir.questionnaire`` means (light: no fhir.resources here).
from screener.fhir.questionnaire import build_questionnaire

if TYPE_CHECKING:
    from screener.decision.assessment import Assessment
    from screener.answers.intake import Intake
    from screener.rules import RuleSet

FORMATS = ("cds", "fhir")


def questionnaire(rules: RuleSet) -> dict[str, Any]:
    """The checklist of a rule set as a FHIR R4 Questionnaire, validated."""
    from screener.fhir.validate import checked

    return checked("Questionnaire", build_questionnaire(rules))


def intake_to_response(intake: Intake, rules: RuleSet) -> dict[str, Any]:
    """The QuestionnaireResponse that answers the Questionnaire as ``intake`` does."""
    from screener.fhir.response import build_response
    from screener.fhir.validate import checked

    return checked("QuestionnaireResponse", build_response(intake, rules))


def response_to_intake(data: dict[str, Any], rules: RuleSet, source: str = "response") -> Intake:
    """Read a QuestionnaireResponse of this rule set's Questionnaire as an ``Intake``;
    anything that does not fit raises ``InputError`` naming ``source`` and the item."""
    from screener.fhir.response import read_response

    return read_response(data, rules, source)


def cds_cards(assessment: Assessment, rules: RuleSet) -> dict[str, Any]:
    """The result as CDS Hooks cards: ``{"cards": [...]}``."""
    from screener.fhir.cds import cards

    return cards(assessment, rules)


def assessment_resource(assessment: Assessment, rules: RuleSet) -> dict[str, Any]:
    """The result as a FHIR R4 GuidanceResponse, validated."""
    from screener.fhir.assessment import guidance_response
    from screener.fhir.validate import checked

    return checked("GuidanceResponse", guidance_response(assessment, rules))


def render(assessment: Assessment, fmt: str, rules: RuleSet) -> str:
    """``--format cds`` or ``--format fhir`` as text for stdout."""
    import json

    data = cds_cards(assessment, rules) if fmt == "cds" else assessment_resource(assessment, rules)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
