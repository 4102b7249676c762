"""The Questionnaire in a real FHIR client written by others: LHC-Forms (the National
Library of Medicine's form renderer) in headless Chromium, driven by Playwright. The test
fills the form in as a person would, takes LHC-Forms' own QuestionnaireResponse from the
page and screens it with ``screener screen``: the result must be the one the same
answers give as our JSON. Everything is served from 127.0.0.1; any other request fails.

Needs /usr/bin/chromium and the pinned bundle in .cache/lforms (``.ci/run`` installs
both); without them the test is skipped, except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fhir_cases import first
from strategies import RULES
from test_cli import ROOT, run

from screener import Intake, screen
from screener.fhir import questionnaire

CHROMIUM = Path("/usr/bin/chromium")
BUNDLE = ROOT / ".cache" / "lforms" / "package" / "dist"
PAGE = ROOT / "tests" / "lforms_page"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing"
    if not (BUNDLE / "lforms" / "webcomponent" / "main.js").exists():
        return f"the LHC-Forms bundle is missing from {BUNDLE} (run .ci/run)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing"
    return None


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    body = json.dumps(questionnaire(RULES)).encode()

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            path = path.split("?")[0].lstrip("/")
            if path.startswith("lforms/"):
                return str(BUNDLE / path)
            return str(PAGE / (path or "index.html"))

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/questionnaire.json":
                self.send_response(200)
                self.send_header("Content-Type", "application/fhir+json")
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def form(browser: Any, site: str) -> Iterator[Any]:
    page = browser.new_page()
    elsewhere: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(site) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(site)
    page.wait_for_function("() => !!(window.LForms && LForms.Util && LForms.FHIR)",
                           timeout=30_000)
    page.evaluate("showQuestionnaire()")
    page.wait_for_selector('[id^="item-session/"]', timeout=30_000)
    yield page
    page.close()
    assert not elsewhere, f"requests to other hosts: {elsewhere}"


def click(page: Any, link: str, value: str) -> None:
    """Pick an answer: 'true'/'false' for yes/no, a code for a choice."""
    page.locator(f'[id^="{link}/"][id$="|{value}"]').first.click()


def answer_condition(page: Any, code: str, yes: bool) -> dict[str, Any]:
    """Answer a condition's follow-ups on the page (its first flag ``yes``, the rest no);
    the same answers as our JSON."""
    c = RULES.conditions[code]
    entry: dict[str, Any] = {"code": code}
    if "sites" in c.asks:
        click(page, f"{code}.sites.side", "left")
        click(page, f"{code}.sites.area", "calf")
        entry["sites"] = [{"area": "calf", "side": "left"}]
    elif "sides" in c.asks:
        click(page, f"{code}.side", "right")
        entry["sites"] = [{"side": "right"}]
    if "days_ago" in c.asks:
        field = page.locator(f'input[id^="{code}.days_ago/"]').first
        field.fill("2")
        field.press("Tab")
        entry["days_ago"] = 2
    if "severity" in c.asks:
        click(page, f"{code}.severity", "mild")
        entry["severity"] = "mild"
    if "cleared" in c.asks:
        click(page, f"{code}.cleared", "false")
        entry["cleared"] = False
    for n, flag in enumerate(c.flags):
        click(page, f"{code}.flag.{flag}", "true" if yes and n == 0 else "false")
        entry.setdefault("flags" if yes and n == 0 else "flags_no", []).append(flag)
    return entry


def fill(page: Any, red_flag: str | None, ticked: list[str], yes: bool) -> dict[str, Any]:
    """Fill the whole form; return the intake the same answers make as JSON."""
    conditions, conditions_no = [], []
    for c in RULES.conditions.values():
        if c.red_flag:
            click(page, c.code, "true" if c.code == red_flag else "false")
            if c.code == red_flag:
                conditions.append(answer_condition(page, c.code, yes))
            else:
                conditions_no.append(c.code)
    for code in ticked:
        click(page, f"gate.{RULES.conditions[code].group}", code)
        conditions.append(answer_condition(page, code, yes))
    click(page, "goal", "recovery")
    click(page, "preferred_pressure", "light")
    minutes = page.locator('input[id^="minutes/"]').first
    minutes.fill("20")
    minutes.press("Tab")
    return {"conditions": conditions, "conditions_no": conditions_no, "goal": "recovery",
            "preferred_pressure": "light", "minutes": 20}


def screened(page: Any, tmp_path: Path) -> tuple[Any, Any]:
    """LHC-Forms' own QuestionnaireResponse, screened by the command line."""
    response = page.evaluate("takeResponse()")
    assert response["resourceType"] == "QuestionnaireResponse"
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response))
    return response, run("screen", "--answers", str(path), "--format", "json")


def expected(intake: dict[str, Any]) -> Any:
    return screen(Intake.model_validate(intake, context={"rules": RULES}), RULES)


LOCAL = first(lambda c: not c.red_flag and "sites" in c.asks and "days_ago" in c.asks)
CASES = {  # (red flag answered yes, conditions ticked, first flag of each answered yes)
    "one local condition": (None, [LOCAL], False),
    "several conditions": (None, [code for code in dict.fromkeys([
        LOCAL,
        first(lambda c: not c.red_flag and "sides" in c.asks),
        first(lambda c: not c.red_flag and "cleared" in c.asks)]) if code], True),
    "a red flag": (first(lambda c: c.red_flag and bool(c.asks)) or first(lambda c: c.red_flag),
                   [], True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_lforms_fills_in_and_screens_to_the_expected_decision(form, tmp_path, case):
    red_flag, ticked, yes = CASES[case]
    intake = fill(form, red_flag, ticked, yes)
    want = expected(intake)
    response, result = screened(form, tmp_path)
    assert result.stderr == "", result.stderr
    assert json.loads(result.stdout)["decision"] == want.decision
    assert result.stdout.strip() == want.to_json().strip()
    assert result.returncode == {"proceed": 0, "adjust": 5 if want.routine and not want.routine.steps
                                 else 0, "refer": 3, "urgent": 4}[want.decision]


def test_an_empty_form_is_refused_for_its_unanswered_red_flags(form, tmp_path):
    _, result = screened(form, tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "required, but not answered" in result.stderr
