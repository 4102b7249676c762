"""Guided mode through a real pseudo-terminal: countdown, pause, skip, back, stop, Ctrl-C,
and never a step the assessment did not produce."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pty_session import PtySession

from screener import Intake, screen

ROOT = Path(__file__).resolve().parent.parent
SCREENER = str(Path(sys.executable).parent / "screener")
EXAMPLE = ROOT / "examples" / "intake.json"


def start(path: Path, *extra: str) -> PtySession:
    return PtySession([SCREENER, "guide", "--answers", str(path), *extra], cwd=str(ROOT),
                      env={**os.environ, "TERM": "xterm-256color"})


def intake_file(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(data))
    return path


def begin(s: PtySession) -> None:
    """The guide waits for Enter before the first step (no clock runs before that)."""
    s.expect("Press Enter to start the guided routine")
    assert "Step 1 of" not in s.text
    s.send("enter")


def headers(text: str) -> list[str]:
    return re.findall(r"Step (\d+) of \d+: (.+)", text)


def test_pause_skip_back_and_ctrl_c(tmp_path):
    steps = screen(Intake.model_validate(json.loads(EXAMPLE.read_text()))).routine.steps
    s = start(EXAMPLE)
    begin(s)
    s.expect(f"Step 1 of {len(steps)}: {steps[0].name}")
    s.expect(" left ")
    time.sleep(1.3)
    s.send("space")
    s.expect("PAUSED")
    paused = s.text[s.seen:]
    time.sleep(1.5)  # the clock stands still while paused
    s._read(0.3)
    clocks = set(re.findall(r"(\d+:\d\d) PAUSED", s.text[s.seen - 20:]))
    assert len(clocks) == 1, (clocks, paused)
    s.send("p")
    s.expect(" left ")
    s.send("n")
    s.expect(f"Step 2 of {len(steps)}: {steps[1].name}")
    s.send("b")
    s.expect(f"Step 1 of {len(steps)}: {steps[0].name}")
    s.send("\x1b[C")  # the right arrow skips too
    s.expect(f"Step 2 of {len(steps)}")
    s.send("ctrl-c")
    s.expect("cancelled")
    assert s.wait() == 130
    shown = headers(s.text)
    assert [int(n) for n, _ in shown] == [1, 2, 1, 2]


def test_back_on_the_first_step_stays_there_and_q_stops(tmp_path):
    s = start(EXAMPLE)
    begin(s)
    s.expect("Step 1 of")
    s.send("b")
    s.expect("Step 1 of")
    s.send("q")
    s.expect("Stopped at step 1")
    assert s.wait() == 0


def test_countdown_runs_every_step_of_the_assessment_and_nothing_else(tmp_path):
    data = {"conditions": [{"code": "open_wound", "sites": [{"area": "foot", "side": "left"}]}],
            "goal": "foot_relief", "minutes": 5, "machines": True}
    routine = screen(Intake.model_validate(data)).routine
    s = start(intake_file(tmp_path, data), "--speed", "200")
    begin(s)
    s.expect("Routine finished.", timeout=60)
    assert s.wait() == 0
    shown = headers(s.text)
    assert [name.strip() for _, name in shown] == [step.name for step in routine.steps]
    assert "\a" in s.raw  # a bell when a step's time is up
    assert not any("left leg" in name for _, name in shown if "Foot" in name)  # wound left foot


@pytest.mark.parametrize(("data", "code", "words"), [
    ({"conditions": [{"code": "dvt"}]}, 3, "REFER"),
    ({"conditions": [{"code": "varicose_veins", "flags": ["hot_hard_tender"]}]}, 4, "URGENT"),
])
def test_referral_is_shown_not_a_routine(tmp_path, data, code, words):
    path = intake_file(tmp_path, data)
    s = start(path)
    s.expect(words)
    assert s.wait() == code
    assert "Step 1" not in s.text and "Changes" not in s.text
    piped = subprocess.run([SCREENER, "guide", "--answers", str(path)], capture_output=True,
                           text=True, timeout=60)
    assert piped.returncode == code and piped.stdout.startswith(words)


def test_without_a_terminal_a_routine_is_refused_in_one_line():
    out = subprocess.run([SCREENER, "guide", "--answers", str(EXAMPLE)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
    assert "needs a terminal" in out.stderr


def test_the_checklist_ends_with_a_choice_to_be_guided(tmp_path):
    from test_checklist import default_session, groups_until, no_red_flags

    s = PtySession([SCREENER], cwd=str(tmp_path), env={**os.environ, "TERM": "xterm-256color"})
    no_red_flags(s)
    groups_until(s, "health")
    s.send("enter")
    default_session(s)
    s.expect("Anything to change?")
    s.send("down", "down", "down", "enter")  # the last choice: the result, then guide me
    s.expect("PROCEED: massage as planned")
    s.expect("Press Enter to start the guided routine")
    s.send("enter")
    s.expect("Step 1 of")
    s.send("q")
    s.expect("Stopped at step 1")
    assert s.wait() == 0


class ScriptedKeys:
    """Keys (as ``Keys.read`` names them) pressed one per read; then Ctrl-C, so a test
    can never wait out a step's clock."""

    def __init__(self, *keys: str):
        self.keys = list(keys)

    def read(self, timeout: float) -> str | None:
        if not self.keys:
            raise KeyboardInterrupt
        return self.keys.pop(0)


def test_a_notice_is_shown_before_any_step_and_an_empty_routine_guides_nothing():
    import io

    from screener.cli.guide import guide

    a = screen(Intake.model_validate({"conditions": []}))
    noticed = a.routine.model_copy(update={"notice": "Only a little is left to do."})
    out = io.StringIO()
    assert guide(noticed, ScriptedKeys("start", "next", "back", "stop"), out) == "stopped"
    text = out.getvalue()
    assert text.index("PLEASE NOTE: Only a little is left to do.") < text.index("Step 1 of")
    assert [n for n, _ in headers(text)] == ["1", "2", "1"] and "Stopped at step 1" in text
    empty = a.routine.model_copy(update={"steps": []})
    out = io.StringIO()
    assert guide(empty, ScriptedKeys(), out) == "finished"
    assert "There are no steps to guide." in out.getvalue() and "Step 1" not in out.getvalue()


def test_the_guide_wraps_whole_words_and_says_what_is_left_out():
    import io

    from screener.cli.guide import guide
    from screener.render.words import changes

    data = json.loads(EXAMPLE.read_text())
    a = screen(Intake.model_validate(data))
    out = io.StringIO()
    steps = len(a.routine.steps)
    guide(a.routine, ScriptedKeys("start", *["next"] * steps), out, limits=changes(a), width=41)
    text = out.getvalue()
    assert text.index("Leave out: left calf; right ankle") < text.index("Press Enter to start")
    assert text.index("Press Enter to start") < text.index("Step 1 of")
    lines = [part for line in text.split("\n") for part in line.split("\r")
             if "Ctrl-C quit" not in part]  # the countdown line is rewritten in place
    assert [line for line in lines if len(line) > 40] == []
    words_out = set(text.split())
    for step in a.routine.steps:  # every word of the instructions arrives whole
        assert set(step.instructions.split()) <= words_out, step.name


def test_at_80_columns_the_guide_says_what_is_left_out_then_waits_for_enter():
    """Through a pty, as a terminal shows it (pyte): the restrictions and precautions in
    whole words, no step and no clock until Enter, then the first step in whole words."""
    from test_checklist import assert_whole_words, screen_lines

    from screener.render.words import changes

    a = screen(Intake.model_validate(json.loads(EXAMPLE.read_text())))
    cols, rows = 80, 60
    s = PtySession([SCREENER, "guide", "--answers", str(EXAMPLE)], cwd=str(ROOT), cols=cols,
                   rows=rows, env={**os.environ, "TERM": "xterm-256color"})
    s.expect("Press Enter to start the guided routine")
    lines = screen_lines(s, cols, rows)
    assert_whole_words(lines, [f"{what}: {where}" for what, where in changes(a)]
                       + a.routine.precautions, cols)
    assert any("Leave out: left calf; right ankle" in line for line in lines)
    assert any("At most light pressure: both legs" in line for line in lines)
    time.sleep(1)
    assert "Step 1 of" not in s.text and " left " not in s.text.split("Press Enter")[-1]
    s.send("enter")
    s.expect(f"Step 1 of {len(a.routine.steps)}")
    s.expect(" left ")
    step = a.routine.steps[0]
    assert_whole_words([line for line in screen_lines(s, cols, rows) if "Ctrl-C quit" not in line],
                       [step.name, step.instructions], cols)
    s.send("q")
    s.expect("Stopped at step 1")
    assert s.wait() == 0
