"""``screener schema`` tells the truth: what it accepts, the model accepts, and back.

Documents are generated from the schema itself (hypothesis-jsonschema), the way an
integrator's form builder or fuzzer would use it; the one rule the schema cannot state
(a code listed twice) is the only refusal allowed, and the schema says so in words.
"""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic import ValidationError
from strategies import RULES, intake_st
from test_cli import run

from screener import Intake
from screener.answers.schema import ONCE, intake_schema

SCHEMA = intake_schema(RULES)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _schema_documents() -> st.SearchStrategy[dict]:
    """Documents drawn from the schema, one condition branch at a time.

    hypothesis-jsonschema re-merges the whole 32-way ``oneOf`` on every draw, which took
    minutes a document once ``flags_no`` joined every branch. Each branch is the schema's
    own subschema (the shared ConditionReport and the condition's own), and the rest of the
    document comes from the schema without ``conditions``; the assembled document is
    checked against the full schema, so nothing the schema refuses is tried.
    """
    defs = SCHEMA["$defs"]
    branches = [from_schema({"$defs": copy.deepcopy(defs), "allOf": [
                    {"$ref": "#/$defs/ConditionReport"}, {"$ref": f"#/$defs/{name}"}]})
                for name in sorted(defs) if name.startswith("ConditionReport_")]
    rest = copy.deepcopy(SCHEMA)
    del rest["properties"]["conditions"]
    limit = SCHEMA["properties"]["conditions"]["maxItems"]

    @st.composite
    def documents(draw) -> dict:
        doc = draw(from_schema(rest))
        reports = draw(st.lists(st.one_of(branches), max_size=min(limit, 4)))
        if reports or draw(st.booleans()):
            doc["conditions"] = reports
        assume(VALIDATOR.is_valid(doc))
        return doc

    return documents()


DOCUMENTS = _schema_documents()


def _codes_twice(doc: dict) -> bool:
    """The refusals the schema states only in words: a code twice, or a code or flag
    answered both yes and no."""
    reports = doc.get("conditions", [])
    codes = [c["code"] for c in reports]
    yes_and_no = any(set(c.get("flags", [])) & set(c.get("flags_no", [])) for c in reports)
    return len(codes) != len(set(codes)) or bool(set(codes) & set(doc.get("conditions_no", []))) or yes_and_no


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(DOCUMENTS)
def test_what_the_schema_accepts_the_model_accepts(doc):
    try:
        Intake.model_validate(doc, context={"rules": RULES})
    except ValidationError as exc:
        assert _codes_twice(doc), f"schema accepts, model refuses: {exc}"
        assert "listed twice" in str(exc) or "in both" in str(exc)


@given(intake_st())
def test_what_the_model_accepts_the_schema_accepts(doc):
    Intake.model_validate(doc, context={"rules": RULES})
    VALIDATOR.validate(doc)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_each_condition_takes_only_its_own_flags():
    all_flags = {f for c in RULES.conditions.values() for f in c.flags}
    checked = 0
    for code, condition in RULES.conditions.items():
        for flag in sorted(all_flags - set(condition.flags))[:2]:
            doc = {"conditions": [{"code": code, "flags": [flag]}]}
            assert not VALIDATOR.is_valid(doc), (code, flag)
            with pytest.raises(ValidationError):
                Intake.model_validate(doc, context={"rules": RULES})
            checked += 1
        for flag in condition.flags:
            assert VALIDATOR.is_valid({"conditions": [{"code": code, "flags": [flag]}]})
    assert checked


def test_unknown_code_is_refused_and_twice_is_documented():
    assert not VALIDATOR.is_valid({"conditions": [{"code": "no_such_condition"}]})
    assert SCHEMA["properties"]["conditions"]["description"] == ONCE


def test_cli_prints_the_same_schema():
    result = run("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(SCHEMA))


def _through_the_screener(doc: dict) -> Intake:
    """The document as the command line reads it: JSON text, strictly parsed."""
    from screener.answers.source import load_json

    return Intake.model_validate(load_json(json.dumps(doc), "doc"), context={"rules": RULES})


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(DOCUMENTS)
def test_what_the_schema_accepts_the_screener_reads(doc):
    try:
        _through_the_screener(doc)
    except ValidationError as exc:
        assert _codes_twice(doc), f"schema accepts, screener refuses: {exc}"
        assert "listed twice" in str(exc) or "in both" in str(exc)


@pytest.mark.parametrize("field, value", [("days_ago", 10 ** 38), ("days_ago", 60_001),
                                          ("sites", [{"side": "left"}] * 65),
                                          ("flags", ["fracture"] * 2)])
def test_a_value_past_a_bound_is_refused_by_schema_and_model(field, value):
    """A 39-digit days_ago passed the schema and was refused by the screener only."""
    doc = {"conditions": [{"code": "recent_injury", field: value}]}
    assert not VALIDATOR.is_valid(doc)
    with pytest.raises(ValidationError):
        Intake.model_validate(doc, context={"rules": RULES})


def test_the_largest_values_within_the_bounds_are_read():
    from screener.answers.intake import MAX_DAYS_AGO, MAX_SITES

    doc = {"conditions": [{"code": "recent_injury", "days_ago": MAX_DAYS_AGO,
                           "sites": [{"side": "both"}] * MAX_SITES}]}
    assert VALIDATOR.is_valid(doc)
    assert _through_the_screener(doc).conditions[0].days_ago == MAX_DAYS_AGO
