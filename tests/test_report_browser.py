"""The printable page in a real headless browser (Chromium from the system packages,
driven by Playwright; no browser is downloaded): nothing is requested from a network,
and the printed page on A4 and Letter carries the decision, the body map and the
signature lines."""

from __future__ import annotations

import io
import os
import shutil
from datetime import date

import pytest
from samples import sample

from screener.render.html import render as render_html
from screener.vocabulary import AREAS, SIDES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("data:", "file:", "about:")


def _available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.path.exists(CHROMIUM)


pytestmark = pytest.mark.skipif(
    not _available() and not os.environ.get("CI"),
    reason="Chromium or playwright missing (CI installs both and runs these)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def open_page(browser, html: str, tmp_path):
    """The page loaded from a file, with every request recorded (and non-local ones refused)."""
    page = browser.new_page()
    requests: list[str] = []

    def record(route):
        requests.append(route.request.url)
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", record)
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("networkidle")
    return page, requests


@pytest.mark.parametrize("name", ["example", "refer"])
def test_printed_page_on_a4_and_letter(browser, tmp_path, name):
    from pypdf import PdfReader

    a = sample(name)
    page, requests = open_page(browser, render_html(a, today=date(2026, 1, 2)), tmp_path)
    assert [u for u in requests if not u.startswith(LOCAL)] == []
    page.emulate_media(media="print")
    assert page.locator("#decision").inner_text().startswith(a.decision.upper())
    box = page.locator(".bodymap svg").bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200  # the map is drawn, not collapsed
    excluded = {(e.area, e.side) for e in a.exclusions}
    shown = {(el.get_attribute("data-area"), el.get_attribute("data-side"))
             for el in page.locator("svg [data-state='excluded']").all()}
    every = {(x, y) for x in AREAS for y in SIDES}
    assert shown == (excluded if a.routine else every)  # a referral leaves every area out
    for paper in ("A4", "Letter"):
        pdf = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        pages = [p.extract_text() for p in pdf.pages]
        text = " ".join(" ".join(pages).split())
        assert 1 <= len(pages) <= 6, (paper, len(pages))
        assert a.decision.upper() + ":" in text
        assert "Legend" in text and "Front" in text and "Back" in text  # the body map
        assert "Person screened" in text and "Person massaging" in text
        assert "Signature and date" in text and a.ruleset.digest[:20] in text
        width = float(pdf.pages[0].mediabox.width)
        assert abs(width - (595 if paper == "A4" else 612)) < 2, (paper, width)
    page.close()


def test_nothing_is_requested_when_the_page_is_set_as_content(browser):
    page = browser.new_page()
    requests: list[str] = []
    page.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    page.set_content(render_html(sample("example")), wait_until="load")
    assert requests == []
    assert page.locator("svg [data-area]").count() == 24
    page.close()


def test_a_returning_clients_changes_come_first_on_the_page(browser, tmp_path):
    """--since: the changes are drawn above the decision, on screen and in print."""
    import json

    from test_since import INJURY, previous, since

    prev = previous(tmp_path, {"conditions": [INJURY]}, 20)
    out = since({"conditions": []}, prev, "--format", "html")
    assert out.returncode == 0, out.stderr
    page, requests = open_page(browser, out.stdout, tmp_path)
    assert [u for u in requests if not u.startswith(LOCAL)] == []
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        changes, decision = page.locator("#changes-since"), page.locator("#decision")
        assert changes.is_visible() and "No longer reported: Recent leg or foot injury" in (
            changes.inner_text())
        assert changes.bounding_box()["y"] < decision.bounding_box()["y"], media
    assert json.loads(prev.read_text())["screened_at"] in page.locator("#changes-since").inner_text()
    page.close()
