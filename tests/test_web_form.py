"""The web checklist against crafted forms, over real HTTP (no browser): the server
re-derives every step from the answers the form carries, so skipping the red-flag page or
the groups page leads back to it, never to a result; "No" is shown only for a question
answered no; and a hidden field the pages could not have written (bad JSON, a repeated
field, an unknown or repeated code, an oversize value) is a 422 page with one line."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from strategies import RULES
from web_server import serving

from screener.answers.questions import GROUPS, asked_conditions

FORM = {"content-type": "application/x-www-form-urlencoded"}
RED_FLAGS = [c.code for c in asked_conditions(RULES, red_flags=True)]
GATES = [c.code for g in GROUPS for c in asked_conditions(RULES, group=g)]
SESSION = {"goal": "relaxation", "preferred_pressure": "moderate", "minutes": 15}
RED_FLAGS_PAGE = "<h1>Signs that need a doctor first"
GROUPS_PAGE = "<h1>What applies to the legs and health"


@pytest.fixture(scope="module")
def base():
    with serving() as (url, _):
        yield url


def post(base: str, fields: list[tuple[str, str]]):
    import httpx

    return httpx.post(f"{base}/checklist", content=urlencode(fields), headers=FORM, timeout=30)


def draft(conditions: list[dict[str, Any]] | None = None, no: list[str] | None = None,
          **extra: Any) -> str:
    return json.dumps({"conditions": conditions or [], "conditions_no": no or [], **SESSION, **extra})


def answers_of(page: str) -> str:
    return html.unescape(re.search(r'name="answers" value="([^"]*)"', page).group(1))


def is_result(page: str) -> bool:
    return 'id="decision"' in page


def test_the_whole_walk_over_http_shows_no_only_for_answers_of_no(base):
    page = post(base, [("answers", draft()), ("step", "red_flags"), *((c, "no") for c in RED_FLAGS)])
    assert page.status_code == 200 and GROUPS_PAGE in page.text
    page = post(base, [("answers", answers_of(page.text)), ("step", "groups")])
    page = post(base, [("answers", answers_of(page.text)), ("step", "details"),
                       *((k, str(v)) for k, v in SESSION.items())])
    assert page.status_code == 200 and "Check your answers" in page.text
    assert page.text.count("<dd>No</dd>") == len(RED_FLAGS) and "Not asked" not in page.text
    result = post(base, [("answers", answers_of(page.text)), ("step", "confirm")])
    assert result.status_code == 200 and is_result(result.text)
    assert result.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("step", ["confirm", "details", "groups", "change_details", "change_groups"])
def test_no_step_skips_an_unanswered_red_flag(base, step):
    answered_no = RED_FLAGS[1:] + GATES  # every question but the first red flag
    page = post(base, [("answers", draft(no=answered_no)), ("step", step)])
    assert page.status_code == 400 and RED_FLAGS_PAGE in page.text and not is_result(page.text)
    summary = page.text.split('id="error-summary"')[1].split("</div>")[0]
    assert re.findall(r'href="#([^"]+)"', summary) == [f"{RED_FLAGS[0]}-yes"]


@pytest.mark.parametrize("step", ["confirm", "details", "change_details"])
def test_no_step_skips_the_groups_page(base, step):
    page = post(base, [("answers", draft(no=RED_FLAGS)), ("step", step)])
    assert page.status_code == 200 and GROUPS_PAGE in page.text and not is_result(page.text)


def test_a_red_flag_of_yes_in_a_skipping_form_still_stops_at_urgent(base):
    page = post(base, [("answers", draft([{"code": RED_FLAGS[0]}], RED_FLAGS[1:])), ("step", "confirm")])
    assert is_result(page.text) and 'class="decision urgent' in page.text.replace("'", '"')


@pytest.mark.parametrize("fields,words", [
    ([("answers", "not json"), ("step", "confirm")], "answers"),
    ([("step", "confirm")], "missing or repeated"),
    ([("answers", draft()), ("answers", draft()), ("step", "red_flags")], "missing or repeated"),
    ([("answers", draft()), ("step", "confirm"), ("step", "red_flags")], "step"),
    ([("answers", draft()), ("step", "show_me_a_routine")], "step"),
    ([("answers", draft()), ("step", "x" * 5000)], "step"),
    ([("answers", draft([{"code": "no_such"}])), ("step", "confirm")], "no_such"),
    ([("answers", draft(no=["no_such"])), ("step", "confirm")], "no_such"),
    ([("answers", draft([{"code": RED_FLAGS[0]}], [RED_FLAGS[0]])), ("step", "confirm")], "more than once"),
    ([("answers", draft([{"code": GATES[0]}, {"code": GATES[0]}])), ("step", "confirm")], "more than once"),
    ([("answers", draft(no=RED_FLAGS, extra=1)), ("step", "confirm")], "changed"),
    ([("answers", draft(no=RED_FLAGS + GATES, minutes=10 ** 6)), ("step", "confirm")], "minutes"),
    ([("answers", draft(no=RED_FLAGS + GATES, goal="x" * 70000)), ("step", "confirm")], "longer"),
    ([("answers", draft([{"code": GATES[0], "days_ago": -1}])), ("step", "confirm")], "days_ago"),
    ([("answers", draft()), ("step", "red_flags"), (RED_FLAGS[0], "yes"), (RED_FLAGS[0], "no")],
     "more than once"),
    ([("answers", draft()), ("step", "red_flags"), (RED_FLAGS[0], "y" * 500)], "longer"),
    ([("answers", draft(no=RED_FLAGS)), ("step", "groups"), ("tick", "no_such")], "no_such"),
    ([("answers", draft(no=RED_FLAGS)), ("step", "groups"), ("tick", RED_FLAGS[0])], RED_FLAGS[0]),
    ([("answers", draft([{"code": "open_wound"}], [c for c in RED_FLAGS + GATES if c != "open_wound"])),
      ("step", "details"), ("open_wound--sites", "middle:calf"), *SESSION.items()], "middle:calf"),
])
def test_a_crafted_form_is_a_422_page_of_one_line(base, fields, words):
    page = post(base, [(k, str(v)) for k, v in fields])
    assert page.status_code == 422, page.text[:300]
    assert page.headers["content-type"].startswith("text/html")
    assert not is_result(page.text) and "Traceback" not in page.text
    detail = re.search(r'<p class="error-message">(.*?)</p>', page.text, re.S).group(1)
    assert "\n" not in detail and words in html.unescape(detail)


@pytest.mark.parametrize("body", [b"answers=%FF%FE&step=confirm", b"&".join([b"tick=x"] * 2001)])
def test_a_form_that_cannot_be_read_is_a_422_page(base, body):
    import httpx

    page = httpx.post(f"{base}/checklist", content=body, headers=FORM, timeout=30)
    assert page.status_code == 422 and not is_result(page.text)
    assert "start again" in page.text and "Traceback" not in page.text
