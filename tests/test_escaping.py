"""Hostile rule text never reaches an output as live markup: every field of a rule file
that reaches an output is filled with script tags, javascript: links, network images,
raw HTML, autolinks and rich markup, and each format is read back with a real parser."""

from __future__ import annotations

import re

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from screener import Intake, RulesError, default_rules, load_rules, screen
from screener.decision.assessment import Assessment, Finding, Referral
from screener.fhir.assessment import guidance_response
from screener.fhir.cds import cards
from screener.render import render
from screener.render.escape import markdown_text, terminal_text

HOSTILE = ("<script>alert(1)</script> [x](javascript:alert(1)) ![i](http://evil.test/i.png) "
           "<img src=x onerror=alert(1)> <http://evil.test> <a href=\"javascript:x\">a</a> "
           "[bold]rich[/bold] *em* `code` &lt;b&gt; | cell | # head")
# Fields of a rule file whose text reaches an output (or the Questionnaire and schema).
# Citations' sections and the bibliography's titles, authors, publishers and references
# reach every output that names a source.
TEXT_KEYS = {"title", "question", "reason", "referral", "message", "description",
             "days_question", "section", "author", "publisher", "reference"}
# (a seed's publisher stays "unknown": the bibliography refuses any other)
LIVE_MARKDOWN = {"html_block", "html_inline", "image", "link_open"}


def _poison(value: Any, key: str | None = None) -> Any:
    """Every text of a parsed rule file, hostile text first (codes and ids untouched)."""
    if key in TEXT_KEYS and isinstance(value, str) and value != "unknown":
        return f"{HOSTILE} {value}"
    if key == "flags" and isinstance(value, dict):  # flag code -> its question
        return {flag: f"{HOSTILE} {question}" for flag, question in value.items()}
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v) for v in value]
    return value


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("hostile") / "rules"
    shutil.copytree(default_rules().path, folder)
    for file in [*folder.glob("*.yaml"), *folder.glob("groups/*.yaml")]:
        data = _poison(yaml.safe_load(file.read_text()))
        if file.name == "ruleset.yaml":
            data["name"] = f"{HOSTILE} {data['name']}"
        file.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_rules(folder)


def _intakes(rules) -> list[Intake]:
    """One intake per rule that must fire: every rule's text gets into some result."""
    return [Intake.model_validate(case.intake, context={"rules": rules})
            for _, rule in rules.rules for case in rule.cases.fires[:1]]


def _markdown_tokens(text: str) -> set[str]:
    found: set[str] = set()
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        found.add(token.type)
        found.update(child.type for child in token.children or [])
    return found


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("script", "img", "iframe", "object", "embed", "a"):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or "javascript:" in (value or "").lower():
                self.bad.append(f"{tag} {name}={value}")


def _html_problems(text: str) -> list[str]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.bad


# What GFM links in plain text without any markup (its extended autolinks): outside a
# code span, an address in rule text would become a live link on GitHub or in an EHR.
GFM_AUTOLINK = re.compile(r"(?i)(?:https?|ftp)://|www\.|mailto:|xmpp:|[\w.+-]@[\w-]+\.\w")


def _check_markdown(text: str) -> None:
    assert not _markdown_tokens(text) & LIVE_MARKDOWN, text
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        for child in token.children or []:
            assert child.type != "text" or not GFM_AUTOLINK.search(child.content), text


def test_a_bare_address_in_rule_text_is_never_a_gfm_autolink():
    for text in ("see http://evil.example/x.png", "www.evil.test/a", "write to a@evil.test",
                 "mailto:a@evil.test", "x `y` http://a`b"):
        _check_markdown(markdown_text(text))


def test_hostile_text_reaches_every_format_and_stays_words(hostile):
    intakes = _intakes(hostile)
    assert len(intakes) >= 30
    decisions = set()
    for intake in intakes:
        a = screen(intake, hostile)
        decisions.add(a.decision)
        markdown = render(a, "markdown", hostile)
        assert "<script>" not in markdown and "\\<script\\>" in markdown  # there, as words
        assert markdown.count("\\<script\\>") >= 3  # the title, reason and sources at least
        _check_markdown(markdown)
        detail = cards(a, hostile)["cards"][0]["detail"]
        _check_markdown(detail)
        if a.referral:
            _check_markdown(guidance_response(a, hostile)["note"][0]["text"])
        for fmt in ("html", "svg"):
            page = render(a, fmt, hostile)
            assert not _html_problems(page), fmt
        text = render(a, "text", hostile)
        assert "\x1b" not in text and "[bold]rich[/bold]" in text
        coloured = render(a, "text", hostile, colour=True)
        assert "[bold]rich[/bold]" in coloured  # rich markup printed, not obeyed
        json.loads(render(a, "json", hostile))
    assert {"adjust", "refer", "urgent"} <= decisions


def test_the_markdown_checks_would_see_live_markup():
    """The parsers do find what the escaping prevents (the test can fail)."""
    assert _markdown_tokens(HOSTILE) & LIVE_MARKDOWN
    assert _html_problems(HOSTILE)


def test_an_escape_character_in_a_rule_file_is_refused(tmp_path: Path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().path, folder)
    wound = folder / "open_wound.yaml"
    data = yaml.safe_load(wound.read_text())
    data["title"] = "Open \x1b[31mwound"
    wound.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=False))
    with pytest.raises(RulesError, match="control character"):
        load_rules(folder)


def test_terminal_text_shows_control_characters_as_escapes():
    assert terminal_text("a\x1b[2Jb\u202ec\n\td") == "a\\x1b[2Jb\\u202ec\n\td"


def _assessment(text: str) -> Assessment:
    base = screen(Intake.model_validate({"conditions": [{"code": "dvt"}]}))
    finding = base.findings[0].model_copy(update={"reason": text, "sources": [text]})
    return base.model_copy(update={
        "findings": [finding], "referral": Referral(urgency=base.decision, message=text)})


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=80)
       | st.lists(st.sampled_from(["<", ">", "[", "]", "(", ")", "!", "`", "*", "_", "&",
                                   "javascript:", "http://x.test", "script", " ", "\n", "#",
                                   "-", "1.", "|", "\\", "img", "=", "\"", "on"]),
                  max_size=30).map("".join))
def test_any_rule_text_through_any_format_is_never_live_markup(text: str):
    _check_markdown(markdown_text(text))
    assert "\x1b" not in terminal_text(text)
    a = _assessment(text)
    _check_markdown(render(a, "markdown"))
    _check_markdown(cards(a, default_rules())["cards"][0]["detail"])
    _check_markdown(guidance_response(a, default_rules())["note"][0]["text"])
    assert not _html_problems(render(a, "html"))
    assert "\x1b" not in render(a, "text")
