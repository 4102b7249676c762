"""Answers as text (a JSON file, stdin, one line of a batch) → a validated ``Intake``,
with one-line messages that name the source and the field."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from .errors import ScreenerError, describe_invalid
from .intake import Intake
from .ruleset import RuleSet


class InputError(ScreenerError):
    """Bad input from the user: reported in one line (the CLI exits with status 2)."""


def unwrap_saved(data: dict[str, Any]) -> dict[str, Any]:
    """Accept a saved record (``{"intake": ..., "assessment": ...}``) as answers too."""
    if set(data) == {"intake", "assessment"} and isinstance(data["intake"], dict):
        return data["intake"]
    return data


def parse_intake(text: str, name: str, rules: RuleSet) -> Intake:
    """Parse and validate one intake; ``name`` says where it came from in messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc.msg} (line {exc.lineno} "
                         f"column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a JSON object with 'conditions'")
    if data.get("resourceType") == "QuestionnaireResponse":  # FHIR: see screener/fhir
        from .fhir import response_to_intake

        return response_to_intake(data, rules, name)
    try:
        return Intake.model_validate(unwrap_saved(data), context={"rules": rules})
    except ValidationError as exc:
        raise InputError(f"{name}: {describe_invalid(exc)}") from None
