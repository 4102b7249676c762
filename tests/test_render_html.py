"""The printable page and its PDF: content, self-containment, the referral-only form."""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pty_session import PtySession
from samples import SAMPLES, sample
from test_render_svg import check_map

from screener.render import render
from screener.render.html import render as render_html
from screener.render.words import HEADLINES

ROOT = Path(__file__).resolve().parent.parent
SCREENER = Path(sys.executable).parent / "screener"
EXAMPLE = ROOT / "examples" / "intake.json"


class Links(HTMLParser):
    """Every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key in ("src", "href", "xlink:href", "action", "data") and value \
                    and not value.startswith("#"):
                self.fetches.append(f"{tag} {key}={value}")


def page(name: str) -> str:
    return render_html(sample(name), today=date(2026, 1, 2))


@pytest.mark.parametrize("name", SAMPLES)
def test_page_is_self_contained_and_complete(name):
    a = sample(name)
    html = page(name)
    links = Links()
    links.feed(html)
    assert links.fetches == []
    assert "link" not in links.tags and "script" not in links.tags
    assert not re.search(r"url\((?!#)", html) and "@import" not in html
    assert HEADLINES[a.decision] in html
    assert "Date: 2026-01-02" in html and a.ruleset.digest in html
    assert 'id="signature-screened"' in html and 'id="signature-massaging"' in html
    assert "@media print" in html and "Legend" in html
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    check_map(a, svg)
    for f in a.findings:  # a referral explains the findings that decided it
        if a.decision not in ("refer", "urgent") or f.decision == a.decision:
            assert f.reason.replace("'", "&#39;") in html
            assert f.sources[0].replace("'", "&#39;") in html


def test_adjusted_page_shows_changes_and_routine():
    html = page("example")
    assert "<h2>Changes</h2>" in html and "Leave out" in html
    assert "<h2>Routine: relaxation, 15 minutes</h2>" in html and "Precautions" in html


@pytest.mark.parametrize("name", ["refer", "urgent"])
def test_referral_page_shows_only_the_referral_and_why(name):
    a = sample(name)
    html = page(name)
    assert a.referral and a.referral.message.replace("'", "&#39;") in html
    assert "<h2>Changes</h2>" not in html and "leave out" not in html.lower().split("<svg")[0]
    assert "<li>" not in html.split("<h2>Why</h2>")[1].split("<h2>Signatures")[0]
    assert "No massage routine is given." in html


def test_notice_is_shown_prominently():
    a = sample("nothing")
    noticed = a.model_copy(update={"routine": a.routine.model_copy(
        update={"notice": "Only one step is left: ask a professional."})})
    assert 'id="notice"' in render_html(noticed)
    assert "PLEASE NOTE: Only one step is left" in render(noticed, "text")
    assert "**Please note:** Only one step is left" in render(noticed, "markdown")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCREENER), *args], capture_output=True, timeout=120,
                          env=env or dict(os.environ))


def test_cli_html_exit_status_follows_the_decision(tmp_path):
    out = run("screen", "--answers", str(EXAMPLE), "--format", "html")
    assert out.returncode == 0 and out.stdout.startswith(b"<!DOCTYPE html>")
    dvt = tmp_path / "dvt.json"
    dvt.write_text('{"conditions": [{"code": "dvt"}]}')
    out = run("screen", "--answers", str(dvt), "--format", "svg")
    assert out.returncode == 3 and b'data-state="excluded"' in out.stdout


def test_pdf_without_the_extra_is_one_line_naming_it(tmp_path):
    blocker = tmp_path / "weasyprint"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = run("screen", "--answers", str(EXAMPLE), "--format", "pdf", env=env)
    assert out.returncode == 2 and out.stdout == b""
    err = out.stderr.decode()
    assert "screener[pdf]" in err and err.count("\n") == 1 and "Traceback" not in err


HAS_WEASYPRINT = importlib.util.find_spec("weasyprint") is not None


@pytest.mark.skipif(not HAS_WEASYPRINT and not os.environ.get("CI"),
                    reason="the pdf extra is not installed (CI installs it and runs this)")
def test_pdf_has_the_decision_and_the_signature_lines():
    from pypdf import PdfReader  # a test dependency

    out = run("screen", "--answers", str(EXAMPLE), "--format", "pdf")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.stdout)).pages)
    text = " ".join(text.split())
    assert "ADJUST: massage only with the changes below." in text
    assert "Person screened" in text and "Person massaging" in text and "Legend" in text


def test_pdf_is_not_written_to_a_terminal():
    s = PtySession([str(SCREENER), "screen", "--answers", str(EXAMPLE), "--format", "pdf"],
                   cwd=str(ROOT), env=dict(os.environ))
    s.expect("redirect it to a file")
    assert s.wait() == 2 and "%PDF" not in s.text
