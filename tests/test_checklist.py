"""The interactive checklist, driven through a real pseudo-terminal with keystrokes."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from pty_session import PtySession

from screener import default_rules
from screener.cli.checklist import GROUPS
from screener.vocabulary import AREAS

ROOT = Path(__file__).resolve().parent.parent
SCREENER = str(Path(sys.executable).parent / "screener")
RULES = default_rules()
RED_FLAGS = [c for c in RULES.conditions.values() if c.red_flag]


def position(code: str) -> int:
    """Where a condition sits in its group's checkbox (the order the checklist uses)."""
    group = RULES.conditions[code].group
    return [c.code for c in RULES.conditions.values()
            if not c.red_flag and c.group == group].index(code)


def start(*args: str, tmp_path: Path) -> PtySession:
    # the pty's own size, not a COLUMNS/LINES the test runner (an xdist worker) inherited
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"TERM": "xterm-256color", "NO_COLOR": "1"}
    return PtySession([SCREENER, *args], cwd=str(tmp_path), env=env)


def no_red_flags(s: PtySession) -> None:
    s.expect("Leg massage safety checklist")
    for flag in RED_FLAGS:
        s.expect(flag.question[:40])
        s.send("n")


def tick(s: PtySession, code: str) -> None:
    """In the group checkbox now shown, tick one condition and go on."""
    s.send(*["down"] * position(code), "space", "enter")


def groups_until(s: PtySession, group: str) -> None:
    """Pass (tick nothing) every group checkbox before ``group``."""
    for name, title in GROUPS.items():
        if name == group:
            s.expect(f"{title}: does any of these apply?")
            return
        s.expect(f"{title}: does any of these apply?")
        s.send("enter")


def rest_of_groups(s: PtySession, after: str) -> None:
    names = list(GROUPS)
    for name in names[names.index(after) + 1:]:
        s.expect(f"{GROUPS[name]}: does any of these apply?")
        s.send("enter")


def left_leg_site(s: PtySession, area: str) -> None:
    """Answer the 'where' follow-ups: the left leg, one area, nowhere else."""
    s.expect("Which leg?")
    s.send("enter")
    s.expect("Where on the leg?")
    s.send(*["down"] * AREAS.index(area), "space", "enter")
    s.expect("Anywhere else?")
    s.send("n")


def no_flags(s: PtySession, code: str) -> None:
    """Answer 'no' to every yes/no follow-up of a condition."""
    for question in RULES.conditions[code].flags.values():
        s.expect(question[:40])
        s.send("n")


def default_session(s: PtySession) -> None:
    for question in ("What is the massage for?", "How much pressure", "How many minutes?"):
        s.expect(question)
        s.send("enter")


def default_session_and_confirm(s: PtySession) -> None:
    default_session(s)
    s.expect("Anything to change?")
    s.send("enter")


def test_no_conditions_proceeds(tmp_path):
    s = start(tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "health")
    s.send("enter")
    default_session_and_confirm(s)
    s.expect("PROCEED: massage as planned")
    assert s.wait() == 0  # all the output read: the routine may arrive after the headline
    assert "Routine: relaxation, 15 minutes" in s.text and "Warm-up strokes (left leg)" in s.text
    assert list(tmp_path.iterdir()) == []  # nothing written without --save


def test_a_wound_on_one_calf_is_left_out(tmp_path):
    s = start(tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "skin")
    tick(s, "open_wound")
    left_leg_site(s, "calf")
    no_flags(s, "open_wound")
    rest_of_groups(s, "skin")
    default_session(s)
    s.expect("Open wound (left calf")
    s.send("enter")
    s.expect("ADJUST: massage only with the changes below.")
    s.expect("leave out left calf")
    assert s.wait() == 0


def test_cleared_pregnancy_is_light(tmp_path):
    saved = tmp_path / "answers.json"
    s = start("--save", str(saved), tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "health")
    tick(s, "pregnancy")
    s.expect("said leg massage is fine with this?")
    s.send("y")
    s.expect("How many days ago did they say so?")  # a clearance counts from its date
    s.send("1", "0", "enter")
    for question in RULES.conditions["pregnancy"].flags.values():
        s.expect(question[:30])
        s.send("n")
    default_session_and_confirm(s)
    s.expect("ADJUST")
    s.expect("pregnancy.light-when-cleared")
    assert s.wait() == 0
    assert saved.exists() and (saved.stat().st_mode & 0o777) == 0o600
    intake = json.loads(saved.read_text())["intake"]
    (entry,) = intake["conditions"]
    assert (entry["code"], entry["cleared"], entry["cleared_days_ago"]) == ("pregnancy", True, 10)
    assert entry["flags"] == [] and entry["flags_no"] == list(RULES.conditions["pregnancy"].flags)
    # every question shown and answered no: the red flags and every unticked condition
    assert intake["conditions_no"] == [c for c in RULES.conditions if c != "pregnancy"]
    assert json.loads(saved.read_text())["assessment"]["assumptions"] == []


def test_enter_alone_is_never_a_made_up_no(tmp_path):
    """Enter without y or n: a red flag is asked again; a follow-up is left unanswered and
    read cautiously (listed under assumptions), never recorded as "no"."""
    saved = tmp_path / "answers.json"
    s = start("--save", str(saved), tmp_path=tmp_path)
    s.expect("Leg massage safety checklist")
    first, *rest = [c for c in RULES.conditions.values() if c.red_flag]
    s.expect(first.question[:40])
    s.send("enter")
    s.expect("cannot be left out")
    s.expect(first.question[:40])
    s.send("n")
    for flag in rest:
        s.expect(flag.question[:40])
        s.send("n")
    groups_until(s, "skin")
    tick(s, "open_wound")
    left_leg_site(s, "shin")
    s.expect(RULES.conditions["open_wound"].flags["infected"][:30])
    s.send("enter")
    rest_of_groups(s, "skin")
    default_session_and_confirm(s)
    s.expect("Read cautiously")
    s.wait()
    record = json.loads(saved.read_text())
    (entry,) = record["intake"]["conditions"]
    assert "infected" not in entry.get("flags_no", []) + entry.get("flags", [])
    assert {"code": "open_wound", "follow_up": "infected", "read_as": "yes"} in (
        record["assessment"]["assumptions"])


def test_nothing_left_to_massage_is_no_go_ahead_and_exits_5(tmp_path):
    s = start(tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "skin")
    tick(s, "open_wound")
    s.expect("Which leg?")
    s.send("down", "down", "enter")  # both legs
    s.expect("Where on the leg?")
    s.send("enter")  # no area ticked: the whole legs
    s.expect("Anywhere else?")
    s.send("n")
    no_flags(s, "open_wound")
    rest_of_groups(s, "skin")
    default_session_and_confirm(s)
    s.expect("NO MASSAGE: no massage can be given with these answers.")
    assert s.wait() == 5
    assert "ADJUST: massage only" not in s.text and "Guided routine" not in s.text


def test_a_red_flag_stops_at_once(tmp_path):
    s = start(tmp_path=tmp_path)
    s.expect(RED_FLAGS[0].question[:40])
    s.send("y")
    s.expect("the checklist stops here")
    s.expect("URGENT: do not massage. Seek medical care now.")
    assert s.wait() == 4
    assert "does any of these apply" not in s.text


def test_changing_an_answer_at_the_review(tmp_path):
    s = start(tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "skin")
    tick(s, "bruise")
    left_leg_site(s, "foot")
    rest_of_groups(s, "skin")
    default_session(s)
    s.expect("Bruise (left foot)")
    s.send("down", "enter")  # Change: Bruise
    s.expect("Answer its questions again")
    s.send("down", "enter")  # Remove it
    s.expect("none of the conditions apply")
    s.send("enter")
    s.expect("PROCEED")
    assert s.wait() == 0


def test_ctrl_c_midway_leaves_cleanly_and_writes_nothing(tmp_path):
    saved = tmp_path / "answers.json"
    s = start("--save", str(saved), tmp_path=tmp_path)
    no_red_flags(s)
    s.expect("does any of these apply?")
    s.send("ctrl-c")
    s.expect("cancelled; nothing was saved")
    assert s.wait() == 130
    assert not saved.exists() and "Traceback" not in s.text


def test_escape_leaves_too(tmp_path):
    s = start(tmp_path=tmp_path)
    s.expect(RED_FLAGS[0].question[:40])
    s.send("esc", pause=0.8)
    s.expect("cancelled")
    assert s.wait() == 130


def test_days_ago_must_be_a_number(tmp_path):
    s = start(tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "injury_and_pain")
    tick(s, "recent_injury")
    left_leg_site(s, "ankle")
    s.expect("How many days ago")
    s.send("a", "b", "enter")
    s.expect("Please type a whole number of days")
    s.send("\x7f", "\x7f", "2", "enter")
    s.expect("How bad is it?")
    s.send("enter")  # mild
    s.expect("said leg massage is fine with this?")
    s.send("n")
    no_flags(s, "recent_injury")
    rest_of_groups(s, "injury_and_pain")
    default_session_and_confirm(s)
    s.expect("ADJUST")
    s.expect("leave out left ankle")
    assert s.wait() == 0


@pytest.mark.parametrize("env_extra", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_result_decision_line_is_readable_with_or_without_colour(tmp_path, env_extra):
    env = {**os.environ, "TERM": "xterm-256color", **env_extra}
    env.pop("NO_COLOR", None) if not env_extra else None
    example = ROOT / "examples" / "intake.json"
    s = PtySession([SCREENER, "screen", "--answers", str(example)], cwd=str(tmp_path), env=env)
    s.expect("ADJUST: massage only with the changes below.")
    assert s.wait() == 0
    yellow = re.search(r"\x1b\[[0-9;]*33m", s.raw)  # the decision's colour, bold or not
    assert bool(yellow) == (not env_extra)


def screen_lines(s: PtySession, cols: int, rows: int) -> list[str]:
    """What a person sees now: the output so far played on a terminal emulator."""
    import pyte

    import time

    end = time.monotonic() + 0.5  # let the prompt finish drawing (a countdown never stops)
    while time.monotonic() < end:
        s._read(0.1)
    screen = pyte.Screen(cols, rows)
    pyte.Stream(screen).feed(s.raw)
    return [line.rstrip() for line in screen.display]


def assert_whole_words(lines: list[str], texts: list[str], cols: int) -> None:
    """Every word of each text is on the screen whole, and no line reaches the edge (where
    the terminal would cut a word: "especiall|y")."""
    shown = {w for line in lines for w in line.split()}
    for text in texts:
        cut = [w for w in text.split() if w not in shown]
        assert not cut, (text, cut, "\n".join(lines))
    assert [line for line in lines if len(line) >= cols] == [], "\n".join(lines)


def test_at_80_columns_every_question_and_option_keeps_its_words_whole(tmp_path):
    cols, rows = 80, 50
    s = PtySession([SCREENER], cwd=str(tmp_path), cols=cols, rows=rows,
                   env={**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1"})
    s.expect("Leg massage safety checklist")
    for flag in RED_FLAGS:
        s.expect(flag.question.split()[-1])
        assert_whole_words(screen_lines(s, cols, rows), [flag.question], cols)
        s.send("n")
    for group, title in GROUPS.items():
        options = [c.question for c in RULES.conditions.values()
                   if not c.red_flag and c.group == group]
        s.expect(options[-1].split()[-1])
        assert_whole_words(screen_lines(s, cols, rows),
                           [f"{title}: does any of these apply?", *options], cols)
        s.send("enter")
    s.expect("What is the massage for?")
    s.send("ctrl-c")
    assert s.wait() == 130
