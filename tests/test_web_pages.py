"""The web checklist in the system Chromium (Playwright, never a downloaded browser), at a
phone's size (360 x 740), filled in through its labels as a person would: it must reach
the same result as the same answers given to the API as JSON, leave no answers behind
after the result (Back shows none), have no axe-core violation at WCAG 2.2 AA on any
page, fit the screen, and work with JavaScript off.

Needs /usr/bin/chromium and axe-core in .cache/axe (``.ci/run`` installs both); without
them the tests are skipped, except under CI, where they fail."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest
from strategies import RULES
from test_cli import ROOT
from web_server import need_web, serving

from screener.answers.questions import (AREAS_QUESTION, CLEARED_QUESTION, GOAL_TITLES,
                                        PRESSURE_TITLES, SEVERITY_QUESTION, SIDE_TITLES,
                                        SIDE_QUESTION, asked_conditions)
from screener.web.form import HAS_CLEARED_DATE, HAS_FLAGS_NO, HAS_NO_LISTS

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "axe" / "package" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

SESSION = {"goal": "circulation", "preferred_pressure": "light", "minutes": 20}
INTAKES: dict[str, dict[str, Any]] = {
    "nothing": {"conditions": [], "goal": "relaxation", "preferred_pressure": "moderate",
                "minutes": 15},
    "adjust": {"conditions": [
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]},
        {"code": "varicose_veins", "sites": [{"area": "thigh", "side": "right"}], "severity": "mild"},
        {"code": "recent_injury", "sites": [{"area": "ankle", "side": "right"}], "days_ago": 3,
         "severity": "mild", "cleared": False},
        {"code": "pregnancy", "cleared": True, "flags": ["second_trimester"],
         **({"cleared_days_ago": 30} if HAS_CLEARED_DATE else {})}], **SESSION},
    "refer": {"conditions": [{"code": "dvt", "sites": [{"side": "left"}], "days_ago": 400,
                              "cleared": False}], **SESSION},
    "urgent_at_once": {"conditions": [{"code": "calf_swelling_red_flag"}], **SESSION},
}


def expected(intake: dict[str, Any], red_flags_only: bool = False) -> dict[str, Any]:
    """The intake the web checklist must build: every question it asked is recorded, so
    'no' answers are listed where the intake model has lists for them."""
    out = json.loads(json.dumps(intake))
    reported = {c["code"] for c in out["conditions"]}
    if HAS_FLAGS_NO:
        for entry in out["conditions"]:
            no = [f for f in RULES.conditions[entry["code"]].flags if f not in entry.get("flags", [])]
            if no:
                entry["flags_no"] = no
    if HAS_NO_LISTS:
        pool = asked_conditions(RULES, red_flags=True) if red_flags_only else RULES.conditions.values()
        out["conditions_no"] = [c.code for c in pool if c.code not in reported]
    if red_flags_only:
        for key in SESSION:
            out.pop(key)
    return out


@pytest.fixture(scope="module")
def base():
    need_web()
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing:
        message = f"missing {', '.join(missing)} (run .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with serving() as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser(base):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def new_page(browser, javascript: bool = True):
    # axe is injected as a script: only the test's own context bypasses the page's CSP.
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript,
                                  bypass_csp=javascript)
    page = context.new_page()
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "data:")) or
            pytest.fail(f"a request left the machine: {r.url}"))
    return page


def audited(page) -> None:
    """axe-core at WCAG 2.2 AA: no violation; and nothing wider than the phone."""
    if page.context._impl_obj._options.get("javaScriptEnabled", True) is False:
        return
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: %s}})" % json.dumps(WCAG))
    problems = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{page.title()}: {problems}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.title()


def yes_no(scope, question: str, yes: bool) -> None:
    scope.get_by_role("group", name=question, exact=True).get_by_label(
        "Yes" if yes else "No", exact=True).check()


def fill(page, base: str, intake: dict[str, Any], audit: bool = True) -> None:
    """Answer the checklist for ``intake`` through labels, page by page."""
    page.goto(base + "/")
    reported = {c["code"]: c for c in intake["conditions"]}
    audit and audited(page)
    for c in asked_conditions(RULES, red_flags=True):
        yes_no(page, c.question, c.code in reported)
    page.get_by_role("button", name="Continue").click()
    if page.locator("#decision").count():  # stopped at once on a red flag
        return
    audit and audited(page)
    for code in reported:
        if not RULES.conditions[code].red_flag:
            page.get_by_label(RULES.conditions[code].question, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    audit and audited(page)
    for code, entry in reported.items():
        c = RULES.conditions[code]
        region = page.get_by_role("region", name=c.title, exact=True)
        if "sites" in c.asks:
            where = region.get_by_role("group", name=AREAS_QUESTION)
            for site in entry["sites"]:
                label = (f"{site['side'].capitalize()} {site['area']}" if "area" in site
                         else f"Whole {site['side']} leg")
                where.get_by_label(label, exact=True).check()
        elif "sides" in c.asks:
            region.get_by_role("group", name=SIDE_QUESTION).get_by_label(
                SIDE_TITLES[entry["sites"][0]["side"]], exact=True).check()
        if "days_ago" in c.asks:
            region.get_by_label(c.days_question, exact=True).fill(str(entry["days_ago"]))
        if "severity" in c.asks:
            region.get_by_role("group", name=SEVERITY_QUESTION).get_by_label(
                entry["severity"].capitalize(), exact=True).check()
        if "cleared" in c.asks:
            yes_no(region, CLEARED_QUESTION, entry["cleared"])
            if entry["cleared"] and HAS_CLEARED_DATE:
                region.get_by_label("If yes: how many days ago", exact=False).fill(
                    str(entry["cleared_days_ago"]))
        for flag, question in c.flags.items():
            yes_no(region, question, flag in entry.get("flags", []))
    page.get_by_role("group", name="What is the massage for?").get_by_label(
        GOAL_TITLES[intake["goal"]], exact=True).check()
    page.get_by_role("group", name="How much pressure is wanted at most?").get_by_label(
        PRESSURE_TITLES[intake["preferred_pressure"]], exact=True).check()
    page.get_by_label("How many minutes? (5 to 60)").fill(str(intake["minutes"]))
    page.get_by_role("button", name="Continue").click()
    if page.locator("#decision").count():  # stopped at once: urgent
        return
    assert page.get_by_role("heading", name="Check your answers").count() == 1
    audit and audited(page)
    page.get_by_role("button", name="Show the result").click()


def record_of(page) -> dict[str, Any]:
    href = page.get_by_role("link", name="Download the record (JSON)").get_attribute("href")
    return json.loads(base64.b64decode(href.split(",", 1)[1]))


@pytest.mark.parametrize("name", list(INTAKES))
def test_the_checklist_reaches_the_json_result(browser, base, name):
    import httpx

    page = new_page(browser)
    fill(page, base, INTAKES[name])
    audited(page)
    want = expected(INTAKES[name], red_flags_only=name == "urgent_at_once")
    api = httpx.post(f"{base}/api/screen", json=want).json()
    record = record_of(page)
    assert record["assessment"] == api
    assert record["assessment"]["decision"] == page.locator("#decision").get_attribute("class").split()[1]
    page.context.close()


def _empty_first_page(page) -> None:
    assert page.get_by_role("heading", name="Signs that need a doctor first").count() == 1
    assert page.locator("input:checked").count() == 0
    assert json.loads(page.locator("input[name=answers]").get_attribute("value"))["conditions"] == []


def test_back_and_reload_after_a_result_show_no_answers(browser, base):
    page = new_page(browser)
    fill(page, base, INTAKES["adjust"], audit=False)
    assert page.locator("#decision").count() == 1
    page.go_back()
    _empty_first_page(page)
    fill(page, base, INTAKES["refer"], audit=False)
    page.wait_for_load_state()
    page.reload()
    _empty_first_page(page)
    page.context.close()


def test_errors_are_summarised_with_links_to_their_fields(browser, base):
    page = new_page(browser)
    page.goto(base + "/")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    audited(page)
    first = summary.get_by_role("link").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("document.activeElement.id") == target.lstrip("#")
    page.goto(base + "/")
    for c in asked_conditions(RULES, red_flags=True):
        yes_no(page, c.question, False)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(RULES.conditions["recent_injury"].question, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("How many minutes? (5 to 60)").fill("600")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("#error-summary a[href='#minutes']").count() == 1
    assert page.locator("#error-summary a[href='#recent_injury--days_ago']").count() == 1
    audited(page)
    page.context.close()


@pytest.mark.parametrize("name", ["adjust", "urgent_at_once"])
def test_the_pages_work_without_javascript(browser, base, name):
    page = new_page(browser, javascript=False)
    fill(page, base, INTAKES[name], audit=False)
    record = record_of(page)
    assert record["intake"]["conditions"][0]["code"] == INTAKES[name]["conditions"][0]["code"]
    assert page.locator("#decision").count() == 1
    page.context.close()


def test_a_tampered_form_is_a_problem_page_without_a_result(browser, base):
    page = new_page(browser)
    page.goto(base + "/")
    page.locator("input[name=answers]").evaluate("e => e.value = '{\"a\": 1, \"a\": 2}'")
    page.get_by_role("button", name="Continue").click()
    assert "duplicate key" in page.content()
    assert page.locator("#decision").count() == 0
    audited(page)
    page.context.close()
