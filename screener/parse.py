"""Answers in any accepted form become one ``Intake``: a JSON intake, a saved record, or a
FHIR QuestionnaireResponse (read by ``screener.fhir``, whose extra loads only then).
The one place the faces (command line, batch, web) turn bytes into an intake, and a
saved record into the previous screening a returning client is compared with."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from screener.answers.intake import Intake
from screener.answers.source import decode, load_json
from screener.errors import InputError, describe_invalid, shown
from screener.rules import RuleSet
from screener.vocabulary import DECISIONS

if TYPE_CHECKING:
    from screener.render.since import Previous


# What a saved record (``screener.render.record``) may hold beside its intake.
RECORD_KEYS = frozenset({"screened_at", "client", "intake", "answers", "changes_since",
                         "assessment", "ruleset"})

RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")


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


def previous_record(text: str | bytes, name: str, rules: RuleSet) -> Previous:
    """A saved record (what ``--save`` writes) read back for ``--since``: its
    ``screened_at`` (RFC 3339 with an offset), its intake read exactly as ``--answers``
    reads one, and the decision it gave. Anything else is an input error naming ``name``."""
    from screener.render.since import Previous  # only a returning client needs it

    data = load_json(decode(text, name) if isinstance(text, bytes) else text, name)
    if not isinstance(data, dict) or unwrap_saved(data) is data:
        raise InputError(f"{name}: not a saved record (the file --save writes, with "
                         "'screened_at', 'intake' and 'assessment')")
    stamp = data.get("screened_at")
    if stamp is None:
        raise InputError(f"{name}: screened_at: missing, so the days since cannot be "
                         "counted (a record saved before records were dated)")
    try:
        screened_at = (datetime.fromisoformat(stamp)
                       if isinstance(stamp, str) and RFC3339.fullmatch(stamp) else None)
    except ValueError:  # the right shape, an impossible date (2026-02-30)
        screened_at = None
    if screened_at is None:
        raise InputError(f"{name}: screened_at: '{shown(stamp)}' is not an RFC 3339 time "
                         "with its offset")
    assessment = data["assessment"]
    decision = assessment.get("decision") if isinstance(assessment, dict) else None
    if decision not in DECISIONS:
        raise InputError(f"{name}: assessment.decision: '{shown(decision)}' is not one "
                         f"of {', '.join(DECISIONS)}")
    return Previous(screened_at, intake_from_data(data, name, rules), decision)
