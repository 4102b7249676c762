"""Intake validation: strict, with messages that name the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from screener import Intake


def _error(data) -> str:
    with pytest.raises(ValidationError) as raised:
        Intake.model_validate(data)
    e = raised.value.errors()[0]
    return ".".join(map(str, e["loc"])) + ": " + e["msg"]


def test_defaults():
    intake = Intake.model_validate({})
    assert (intake.conditions, intake.goal, intake.preferred_pressure, intake.minutes) == (
        [], "relaxation", "moderate", 15)


def test_both_is_expanded_to_explicit_sides():
    intake = Intake.model_validate(
        {"conditions": [{"code": "open_wound", "sites": [{"area": "calf", "side": "both"}]}]})
    assert [(s.area, s.side) for s in intake.conditions[0].sites] == [
        ("calf", "left"), ("calf", "right")]


def test_no_sites_means_both_whole_legs():
    report = Intake.model_validate({"conditions": [{"code": "dvt"}]}).conditions[0]
    assert len(report.covered()) == 14


@pytest.mark.parametrize(("data", "expected"), [
    ({"conditions": [{"code": "gout"}]}, "conditions.0.code: Value error, unknown condition code 'gout'"),
    ({"conditions": [{"code": "dvt"}, {"code": "dvt"}]}, "listed twice"),
    ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ({"minutes": 4}, "minutes: Input should be greater than or equal to 5"),
    ({"minutes": 61}, "minutes: Input should be less than or equal to 60"),
    ({"minutes": "15"}, "minutes: Input should be a valid integer"),
    ({"goal": "sleep"}, "goal: Input should be"),
    ({"preferred_pressure": "hard"}, "preferred_pressure: Input should be"),
    ({"conditions": [{"code": "dvt", "cleared": "yes"}]}, "conditions.0.cleared: Input should be a valid boolean"),
    ({"conditions": [{"code": "dvt", "days_ago": -1}]}, "conditions.0.days_ago: Input should be greater"),
    ({"conditions": [{"code": "open_wound", "sites": [{"area": "toe"}]}]}, "conditions.0.sites.0.area"),
    ({"conditions": [{"code": "open_wound", "sites": [{"side": "middle"}]}]}, "conditions.0.sites.0.side"),
    ({"conditions": [{"code": "open_wound", "flags": ["fracture"]}]}, "unknown flag 'fracture' for open_wound"),
    ({"conditions": [{"sites": []}]}, "conditions.0.code: Field required"),
    ({"conditions": "dvt"}, "conditions: Input should be a valid list"),
])
def test_invalid_input_names_the_field(data, expected):
    assert expected in _error(data)
