"""Answers in any accepted form become one ``Intake``: a JSON intake, a saved record, or a
FHIR QuestionnaireResponse (read by ``screener.fhir``, whose extra loads only then).
The one place the faces (command line, batch, web) turn bytes into an intake."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from screener.answers.intake import Intake
from screener.answers.source import decode, load_json
from screener.errors import InputError, describe_invalid
from screener.rules import RuleSet


# What a saved record (``screener.render.record``) may hold beside its intake.
RECORD_KEYS = frozenset({"screened_at", "client", "intake", "answers", "assessment", "ruleset"})


def unwrap_saved(data: dict[str, Any]) -> dict[str, Any]:
    """Accept a saved record (``{"intake": ..., "assessment": ...}``) as answers too."""
    if ({"intake", "assessment"} <= set(data) <= RECORD_KEYS
            and isinstance(data["intake"], dict)):
        return data["intake"]
    return data


def parse_intake(text: str | bytes, name: str, rules: RuleSet) -> Intake:
    """Parse and validate one intake; ``name`` says where it came from in messages."""
    data = load_json(decode(text, name) if isinstance(text, bytes) else text, name)
    return intake_from_data(data, name, rules)


def intake_from_data(data: Any, name: str, rules: RuleSet) -> Intake:
    """Validate already-read JSON as an intake, a saved record or a QuestionnaireResponse
    (the web face tells bad JSON, 400, from a bad intake, 422, by calling the two apart)."""
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a JSON object with 'conditions'")
    if data.get("resourceType") == "QuestionnaireResponse":  # FHIR: see screener/fhir
        from screener.fhir import response_to_intake  # the optional extra, only when needed

        return response_to_intake(data, rules, name)
    try:
        return Intake.model_validate(unwrap_saved(data), context={"rules": rules})
    except ValidationError as exc:
        raise InputError(f"{name}: {describe_invalid(exc)}") from None
