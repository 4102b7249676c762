"""The record a clinic keeps (contract v1.2 'The record'): screened_at with its offset,
the client only where asked, every question with yes / no / not asked, grouped as the
checklist asks them; the assessment itself stays the same bytes (invariant 6)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from strategies import RULES
from test_cli import EXAMPLE, run

from screener import Intake, screen
from screener.answers.questions import GROUPS
from screener.render.html import render as render_html
from screener.render.record import NO, NOT_ANSWERED, NOT_ASKED, RED_FLAGS, YES, Record, answered

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def _intake(data: dict) -> Intake:
    return Intake.model_validate(data, context={"rules": RULES})


def test_saved_record_has_time_client_answers_and_the_same_assessment(tmp_path):
    target = tmp_path / "r.json"
    out = run("screen", "--answers", str(EXAMPLE), "--save", str(target),
              "--client", "Ada <b>Lovelace</b>")
    assert out.returncode == 0, out.stderr
    record = json.loads(target.read_text())
    assert RFC3339.match(record["screened_at"]), record["screened_at"]
    stamp = datetime.fromisoformat(record["screened_at"])
    assert abs(stamp - datetime.now(timezone.utc)) < timedelta(minutes=5)
    assert record["client"] == "Ada <b>Lovelace</b>"
    assert record["ruleset"] == record["assessment"]["ruleset"]
    pure = json.loads(run("screen", "--answers", str(EXAMPLE), "--format", "json").stdout)
    assert record["assessment"] == pure and "client" not in json.dumps(pure)
    titles = [g["group"] for g in record["answers"]]
    assert titles == [RED_FLAGS, *GROUPS.values()]
    asked = {q["code"]: q for g in record["answers"] for q in g["questions"]}
    assert set(asked) == set(RULES.conditions)
    reported = {c["code"] for c in record["intake"]["conditions"]}
    assert all((q["answer"] == YES) == (code in reported) for code, q in asked.items())


def test_a_saved_record_reads_back_as_answers(tmp_path):
    target = tmp_path / "r.json"
    assert run("screen", "--answers", str(EXAMPLE), "--save", str(target)).returncode == 0
    again = run("screen", "--answers", str(target), "--format", "json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == run("screen", "--answers", str(EXAMPLE), "--format", "json").stdout


def test_no_is_only_what_was_answered_no():
    intake = _intake({"conditions": [{"code": "recent_injury", "flags": ["fracture"]}]})
    groups = answered(intake, RULES)
    asked = {a.code: a for g in groups for a in g.answers}
    assert asked["recent_injury"].answer == YES
    follow = {f.code: f.answer for f in asked["recent_injury"].follow_ups}
    assert follow["fracture"] == YES
    assert set(follow.values()) <= {YES, NOT_ANSWERED} and NOT_ANSWERED in follow.values()
    assert {a.answer for code, a in asked.items() if code != "recent_injury"} == {NOT_ASKED}


def test_conditions_no_and_flags_no_read_as_no():
    intake = _intake({"conditions": [{"code": "recent_injury", "flags_no": ["fracture"]}],
                      "conditions_no": ["dvt"]})
    asked = {a.code: a for g in answered(intake, RULES) for a in g.answers}
    assert asked["dvt"].answer == NO
    assert {f.code: f.answer for f in asked["recent_injury"].follow_ups}["fracture"] == NO


def test_screened_at_needs_an_offset():
    intake = _intake({"conditions": []})
    with pytest.raises(ValueError, match="offset"):
        Record(intake, screen(intake), screened_at=datetime(2026, 1, 2, 3, 4, 5))


def test_the_page_shows_time_client_and_answers_escaped():
    intake = _intake({"conditions": [{"code": "varicose_veins"}]})
    when = datetime(2026, 1, 2, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    record = Record(intake, screen(intake), screened_at=when, client="<script>x</script>")
    page = render_html(record.assessment, RULES, record=record)
    assert "2026-01-02T09:30:00+01:00" in page
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert page.index('id="signature-screened"') < page.index('id="answers"') < page.index(
        "<h2>Why</h2>")
    assert RULES.conditions["varicose_veins"].question.replace("'", "&#39;") in page
    assert "not asked" in page


def test_client_is_one_printable_line():
    out = run("screen", "--answers", str(EXAMPLE), "--client", "a\nb")
    assert out.returncode == 2 and "--client" in out.stderr and not out.stdout
