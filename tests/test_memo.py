"""The work kept on a rule set (``RuleSet.memo``): the same results as working it out
again, bounded, and never shared with a caller who changes what it was given."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from strategies import RULES, intake_st

from screener import Intake, screen
from screener.rules.memo import Memo

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "intake.json"  # adjust


@given(intake_st())
def test_kept_work_gives_the_same_bytes_as_work_done_again(data):
    intake = Intake.model_validate(data)
    screen(intake)  # kept now, if it was not already
    kept = screen(intake).to_json()
    RULES.clear_memos()
    assert screen(intake).to_json() == kept


def test_changing_an_assessment_in_place_never_changes_the_next():
    intake = Intake.model_validate(json.loads(EXAMPLE.read_text()))
    first = screen(intake)
    pristine = first.to_json()
    assert first.routine and first.routine.steps and first.findings
    first.findings[0].actions.clear()
    first.findings[0].sources.append("made up")
    first.findings.clear()
    first.exclusions.clear()
    first.pressure_caps.append(first.pressure_caps[0] if first.pressure_caps else None)
    first.routine.steps.clear()
    first.routine.precautions.append("made up")
    again = screen(intake)
    assert again.to_json() == pristine
    assert again.routine is not None and again.routine.steps
    step = again.routine.steps[0]
    assert isinstance(step.sites, tuple)  # a step is immutable all through: shared safely


def test_a_memo_keeps_at_most_its_size_dropping_the_least_recently_used():
    made: list[str] = []
    memo = Memo(2)

    def get(key: str) -> str:
        return memo.get(key, lambda: made.append(key) or key.upper())

    assert [get("a"), get("b"), get("a"), get("c")] == ["A", "B", "A", "C"]
    assert len(memo) == 2 and made == ["a", "b", "c"]
    get("a")  # still kept: it was used after "b"
    get("b")  # dropped when "c" came: made again
    assert made == ["a", "b", "c", "b"]


def test_answers_changed_while_screening_never_change_what_is_kept(monkeypatch):
    """The answers are read once: a caller changing its intake's lists while it is being
    screened (another thread) gets what it gets, but the work kept for the answers read
    is never that of the changed ones."""
    from screener.answers.intake import Site
    from screener.engine.session import Engine

    data = json.loads(EXAMPLE.read_text())
    racing = Intake.model_validate(data)
    real = Engine.run

    def moved_mid_screening(self, facts):
        racing.conditions[0].sites[0] = Site(area="thigh", side="right")  # was the left calf
        return real(self, facts)

    RULES.clear_memos()
    monkeypatch.setattr(Engine, "run", moved_mid_screening)
    screen(racing)
    monkeypatch.undo()
    kept = screen(Intake.model_validate(data)).to_json()
    RULES.clear_memos()
    assert screen(Intake.model_validate(data)).to_json() == kept


def test_a_changed_field_set_of_an_assessment_never_changes_the_next():
    intake = Intake.model_validate(json.loads(EXAMPLE.read_text()))
    first = screen(intake)
    pristine = first.model_dump_json(exclude_unset=True)
    first.findings[0].model_fields_set.clear()
    assert first.routine is not None
    first.routine.model_fields_set.clear()
    assert screen(intake).model_dump_json(exclude_unset=True) == pristine


def test_a_copy_with_fields_set_without_validation_is_validated_again():
    """``model_copy(update=...)`` sets fields without validating them: screen() sees the
    change and validates the intake again, so a refused wish is refused."""
    import pytest

    from screener.errors import InputError

    intake = Intake.model_validate(json.loads(EXAMPLE.read_text()))
    for update in ({"preferred_pressure": "none"}, {"minutes": 100000}):
        with pytest.raises(InputError):
            screen(intake.model_copy(update=update))
