"""The terminal result (rich) and markdown: plain without colour, referral-only for refer
and urgent, and the heavy libraries loaded only by the format that needs them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from samples import sample

from screener.render import FORMATS, render

ANSI = re.compile(r"\x1b\[")
BOX = re.compile("[\u2500-\u257f]")


@pytest.mark.parametrize("name", ["nothing", "example", "refer", "urgent"])
def test_plain_text_has_no_escapes_or_box_lines_and_leads_with_the_decision(name):
    a = sample(name)
    text = render(a, "text")
    assert not ANSI.search(text) and not BOX.search(text)
    assert text.startswith(a.decision.upper() + ":")
    assert all(len(line) <= 88 for line in text.splitlines())


def test_colour_text_puts_the_decision_in_a_panel_and_changes_in_a_table():
    text = render(sample("example"), "text", colour=True, width=100)
    assert ANSI.search(text) and "┃" in text
    assert "Change" in text and "Where" in text and "Leave out" in text


@pytest.mark.parametrize("name", ["refer", "urgent"])
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_referral_shows_the_referral_and_why_but_no_instructions(name, fmt):
    a = sample(name)
    out = render(a, fmt)
    assert a.referral and a.referral.message[:40] in out
    assert "Changes" not in out and "->" not in out and "leave out" not in out.lower()
    assert "light pressure at most" not in out
    for f in a.findings:  # the deciding findings explained; the others only named
        if f.decision == a.decision:
            assert f.reason[:40] in out and f.sources[0][:30] in out
        else:
            assert f.reason[:40] not in out and "Also reported" in out


def test_adjusted_text_keeps_its_changes_and_per_finding_lines():
    text = render(sample("example"), "text")
    assert "Changes:" in text and "-> leave out left calf" in text
    md = render(sample("example"), "markdown")
    assert "## Changes" in md and "- leave out left calf" in md


def test_tool_steps_name_their_tool():
    from screener import Intake, screen

    a = screen(Intake.model_validate({"goal": "foot_relief"}))
    assert "with a foot roller" in render(a, "text", width=200)
    assert "(foot roller)" in render(a, "markdown")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format"):
        render(sample("nothing"), "docx")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
def test_each_format_loads_only_the_libraries_it_needs(fmt):
    code = (
        "import sys, json\n"
        "from screener import Intake, screen\n"
        "from screener.render import render\n"
        "render(screen(Intake.model_validate({'conditions': []})), sys.argv[1])\n"
        "heavy = ('rich', 'drawsvg', 'weasyprint')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", code, fmt], capture_output=True, text=True,
                         timeout=60, check=True)
    wanted = {"text": ["rich"], "svg": ["drawsvg"], "html": ["drawsvg"]}.get(fmt, [])
    assert out.stdout.strip() == str(wanted).replace("'", '"')


def test_durations_read_as_people_say_them():
    from screener.render.words import duration

    assert [duration(m) for m in (0.75, 1, 1.5, 2.25, 0.5, 15)] == [
        "45 s", "1 min", "1 min 30 s", "2 min 15 s", "30 s", "15 min"]
    text = render(sample("example"), "text")
    assert "0.75" not in text and re.search(r"\b45 s\b", text)
