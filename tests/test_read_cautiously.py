"""Answers that were not given (contract v1.2): every human output lists the assessment's
``assumptions`` under "Read cautiously" in plain words (the condition, its question, how
it was read) and says that answering them may change the result; nothing when none."""

from __future__ import annotations

import html
import typing

import pytest
from hypothesis import given
from samples import sample
from strategies import RULES, condition_st, intake_st
from test_report_browser import browser, open_page  # noqa: F401 - the fixture
from test_report_browser import pytestmark as browser_mark

from screener import Assessment, Intake, screen
from screener.answers.questions import follow_up_question
from screener.render import render
from screener.render.words import CAUTIOUS_NOTE, CAUTIOUS_TITLE, read_cautiously

HUMAN = ("text", "markdown", "html")
Assumption = typing.get_args(Assessment.model_fields["assumptions"].annotation)[0]
INJURY = RULES.conditions["recent_injury"]


def with_assumptions(*items: tuple[str, str, str]) -> Assessment:
    a = sample("example")
    made = [Assumption(code=c, follow_up=f, read_as=r) for c, f, r in items]
    return a.model_copy(update={"assumptions": made})


def test_each_assumption_is_named_by_condition_question_and_reading():
    flag = next(iter(INJURY.flags))
    a = with_assumptions(("recent_injury", flag, "yes"), ("recent_injury", "severity", "severe"),
                         ("pregnancy", "cleared_days_ago", "current"))
    lines = read_cautiously(a, RULES)
    assert lines[0] == f"{INJURY.title}: {INJURY.flags[flag]} Not answered; read as yes."
    assert lines[1].endswith(f"{follow_up_question(INJURY, 'severity')} Not answered; read as severe.")
    assert "How many days ago did they say so?" in lines[2] and lines[2].endswith("current.")
    for fmt in HUMAN:
        out = flat(render(a, fmt, RULES))
        assert CAUTIOUS_TITLE in out and CAUTIOUS_NOTE in out, fmt
        assert all(line in out for line in lines), fmt


def flat(out: str) -> str:
    """The words of an output, whatever the terminal wrapped or HTML escaped."""
    return " ".join(html.unescape(out).split())


def test_without_a_rule_set_codes_stand_in_for_titles():
    (line,) = read_cautiously(with_assumptions(("recent_injury", "days_ago", "today")), None)
    assert line == "recent injury: days ago Not answered; read as today."


@pytest.mark.parametrize("fmt", HUMAN)
def test_nothing_is_said_when_everything_was_answered(fmt):
    a = with_assumptions()
    assert a.assumptions == []
    assert CAUTIOUS_TITLE not in render(a, fmt, RULES)


@given(intake_st(condition=lambda code: condition_st(code, unanswered=True)))
def test_every_assumption_of_a_screening_has_its_line(data):
    """Over intakes with follow-ups left unanswered, through the real screening."""
    a = screen(Intake.model_validate(data))
    lines = read_cautiously(a, RULES)
    assert len(lines) == len(a.assumptions)
    out = render(a, "markdown", RULES)
    assert (CAUTIOUS_TITLE in out) == bool(lines)
    assert all(f"- {line}" in out for line in lines)


@browser_mark
def test_the_printed_page_shows_read_cautiously(browser, tmp_path):  # noqa: F811
    a = with_assumptions(("recent_injury", next(iter(INJURY.flags)), "yes"))
    page, _ = open_page(browser, render(a, "html", RULES), tmp_path)
    page.emulate_media(media="print")
    section = page.locator("#read-cautiously")
    assert section.is_visible()
    assert CAUTIOUS_NOTE in section.inner_text()
    assert INJURY.title in section.inner_text()
    assert page.locator("#read-cautiously li").count() == 1
