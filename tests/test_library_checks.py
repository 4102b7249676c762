"""``screen()`` screens an intake only against the rule set it was validated against:
a code or flag the screening rules do not know is an error, never a condition skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from screener import Intake, ScreenerError, default_rules, load_rules, screen
from screener import screening
from screener.errors import InputError

TATTOO = {
    "code": "fresh_tattoo", "title": "Fresh tattoo",
    "question": "Is there a tattoo on the legs made in the last two weeks?",
    "class": "local", "group": "skin", "asks": ["sites"],
    "flags": {"weeping": "Is it still weeping?"},
    "unanswered": {"weeping": {"read_as": "yes", "because": "A weeping tattoo is an open wound.",
                               "sources": [{"cite": "mayo-massage"}]}},
    "rules": [{
        "id": "tattoo.refer", "decision": "refer",
        "referral": "Ask the tattoo artist or a pharmacist before any massage on the legs.",
        "reason": "A fresh tattoo is an open wound.",
        "sources": [{"cite": "mayo-massage", "section": "test rule"}],
        "cases": {"fires": [{"intake": {"conditions": [{"code": "fresh_tattoo"}]},
                             "expect": {"decision": "refer"}}],
                  "does_not_fire": [{"intake": {"conditions": []}}]}}],
}


@pytest.fixture(scope="module")
def plus(tmp_path_factory: pytest.TempPathFactory):
    """The shipped rules and one more condition, which refers."""
    folder = tmp_path_factory.mktemp("plus") / "rules"
    shutil.copytree(default_rules().path, folder)
    (folder / "fresh_tattoo.yaml").write_text(yaml.safe_dump(TATTOO, sort_keys=False))
    return load_rules(folder)


def test_a_condition_the_screening_rules_do_not_know_is_an_error(plus):
    intake = Intake.model_validate({"conditions": [{"code": "fresh_tattoo"}]},
                                   context={"rules": plus})
    assert screen(intake, plus).decision == "refer"
    with pytest.raises(ScreenerError, match=r"conditions\.0\.code: unknown condition code "
                                            "'fresh_tattoo'"):
        screen(intake)  # before: proceed, with a routine


def test_a_flag_the_screening_rules_do_not_know_is_an_error(tmp_path: Path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().path, folder)
    wound = folder / "open_wound.yaml"
    data = yaml.safe_load(wound.read_text())
    data["flags"]["deep"] = "Is it deep?"
    data["unanswered"]["deep"] = {"read_as": "yes", "because": "test",
                                  "sources": [{"cite": "mayo-massage"}]}
    wound.write_text(yaml.safe_dump(data, sort_keys=False))
    other = load_rules(folder)
    intake = Intake.model_validate({"conditions": [{"code": "open_wound", "flags": ["deep"]}]},
                                   context={"rules": other})
    with pytest.raises(ScreenerError, match=r"conditions\.0: unknown flag 'deep'"):
        screen(intake)


def test_an_intake_built_without_validation_is_validated(plus):
    from screener.answers.intake import ConditionReport

    report = ConditionReport.model_construct(code="fresh_tattoo", sites=[], flags=[],
                                             cleared=False, days_ago=None, severity=None)
    intake = Intake.model_construct(conditions=[report])
    assert intake.checked_by() is None
    with pytest.raises(ScreenerError, match="fresh_tattoo"):
        screen(intake)
    assert screen(intake, plus).decision == "refer"


def test_an_intake_of_the_default_rules_screens_under_a_superset(plus):
    intake = Intake.model_validate({"conditions": [{"code": "open_wound"}]})
    assert screen(intake, plus).to_json() == screen(intake).to_json().replace(
        default_rules().digest, plus.digest)


def test_no_revalidation_when_the_rule_set_is_the_one_that_validated(plus, monkeypatch):
    def revalidated(*_):
        raise AssertionError("re-validated on the hot path")

    monkeypatch.setattr(screening, "_check_against", revalidated)
    screen(Intake.model_validate({"conditions": [{"code": "dvt"}]}))
    screen(Intake.model_validate({"conditions": [{"code": "dvt"}]}, context={"rules": plus}),
           plus)
    with pytest.raises(AssertionError):
        screen(Intake.model_validate({}), plus)


def test_an_intake_changed_in_place_after_validation_is_validated_again():
    """The models are frozen but their lists are not: an appended report built without
    validation ("false" as a clearance) was screened as cleared, with a routine."""
    from screener.answers.intake import ConditionReport

    intake = Intake.model_validate({"conditions": []})
    intake.conditions.append(ConditionReport.model_construct(
        code="dvt", days_ago=400, cleared="false", sites=[], flags=[], flags_no=[],
        severity=None, cleared_days_ago=None))
    assert intake.checked_by() is None
    with pytest.raises(InputError, match="cleared"):
        screen(intake)


def test_an_intake_with_a_report_appended_in_place_screens_that_report():
    intake = Intake.model_validate({"conditions": []})
    intake.conditions.append(Intake.model_validate(
        {"conditions": [{"code": "dvt"}]}).conditions[0])
    assert screen(intake).decision == "refer"
