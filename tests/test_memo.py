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
