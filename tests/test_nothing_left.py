"""An adjust that leaves no step is not a go-ahead (contract v1.2): every face says "no
massage can be given with these answers" with the notice, and exits 5 from ``screen``
and ``guide``; ``batch`` counts it as a result and a CDS card warns."""

from __future__ import annotations

import json

import pytest
from strategies import RULES
from test_cli import run, screen_json

from screener import Intake, screen
from screener.render import render
from screener.render.words import HEADLINES, NOTHING_LEFT

# A wound on both whole legs, every follow-up answered no: everything is left out.
NOTHING = {"conditions": [{"code": "open_wound", "sites": [{"side": "both"}],
                           "flags_no": list(RULES.conditions["open_wound"].flags)}],
           "conditions_no": []}


def assessment():
    return screen(Intake.model_validate(NOTHING))


def test_the_case_is_an_adjust_with_no_step_and_a_notice():
    a = assessment()
    assert a.decision == "adjust" and a.routine is not None
    assert a.routine.steps == [] and a.routine.notice


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "svg"])
def test_every_human_format_says_no_massage_never_adjust(fmt):
    a = assessment()
    out = render(a, fmt, RULES)
    assert NOTHING_LEFT in out
    assert HEADLINES["adjust"] not in out
    if fmt != "svg":
        assert a.routine.notice in " ".join(out.split())  # the terminal wraps it
        assert "No massage routine is given." in out and "Precautions" not in out


def test_screen_exits_5_in_every_format():
    for fmt in ("text", "json", "markdown", "cds"):
        result = run("screen", "--answers", "-", "--format", fmt, stdin=json.dumps(NOTHING))
        assert (result.returncode, result.stderr) == (5, ""), fmt
    assert json.loads(screen_json(NOTHING).stdout)["routine"]["steps"] == []


def test_guide_shows_the_result_and_exits_5_without_a_terminal(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(NOTHING))
    result = run("guide", "--answers", str(path))
    assert result.returncode == 5, result.stderr
    assert NOTHING_LEFT in result.stdout and "Step 1" not in result.stdout


def test_a_routine_with_steps_still_exits_0():
    kept = {"conditions": [{**NOTHING["conditions"][0], "sites": [{"area": "calf", "side": "left"}]}]}
    result = screen_json(kept)
    assert result.returncode == 0 and json.loads(result.stdout)["routine"]["steps"]


def test_batch_counts_it_as_a_result():
    lines = "\n".join(json.dumps(d) for d in (NOTHING, {"conditions": []})) + "\n"
    result = run("batch", "--answers", "-", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["ok"] for line in result.stdout.splitlines()] == [True, True]
    assert ("screened 2 lines: proceed 1, adjust 0, no massage 1, refer 0, urgent 0; "
            "invalid 0, failed 0") in result.stderr


def test_cds_card_warns():
    from screener.fhir import cds_cards

    (card,) = cds_cards(assessment(), RULES)["cards"]
    assert card["indicator"] == "warning" and len(card["summary"]) < 140
    assert "no massage" in card["summary"].lower() or "none can be given" in card["summary"]
    assert assessment().routine.notice in card["detail"]
