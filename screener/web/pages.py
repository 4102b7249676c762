"""The web checklist's pages: GET ``/`` asks the red flags; every later page posts to
``/checklist`` with the answers so far in a hidden field (``form``), and the last one
shows the result page (the same page as ``--format html``) with print and the record to
download. Nothing is kept between requests, so Back or a reload after a result shows no
earlier person's answers (every response is ``no-store``)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from screener.answers.questions import (AREAS_QUESTION, CLEARED_QUESTION, GOAL_TITLES, GROUPS,
                                        PRESSURE_TITLES, SEVERITY_QUESTION, SIDE_TITLES,
                                        SIDE_QUESTION, asked_conditions, describe_entry)
from screener.errors import InputError
from screener.render import render
from screener.render.record import Record, record_bytes
from screener.rules import RuleSet
from screener.vocabulary import AREAS, GOALS, SEVERITIES
from screener.web import form
from screener.web.api import rules_of, screened
from screener.web.body import read_body
from screener.web.problems import Failure

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(default=True), trim_blocks=True,
                        lstrip_blocks=True)
QUESTIONS = {"areas": AREAS_QUESTION, "sides": SIDE_QUESTION, "severity": SEVERITY_QUESTION,
             "cleared": CLEARED_QUESTION}
MAX_FIELDS = 2000

router = APIRouter(include_in_schema=False)


def _page(template: str, title: str, draft: dict[str, Any] | None = None, status: int = 200,
          **values: Any) -> HTMLResponse:
    values.setdefault("errors", {})
    html = TEMPLATES.get_template(template).render(
        title=title, draft=draft or form.new_draft(),
        answers=json.dumps(draft or form.new_draft(), separators=(",", ":")), **values)
    return HTMLResponse(html, status_code=status)


def red_flags_page(rules: RuleSet, draft: dict[str, Any], errors: form.Errors | None = None):
    given = {c.code: "yes" for c in asked_conditions(rules, red_flags=True) if c.code in form.entries(draft)}
    given |= {code: "no" for code in draft["conditions_no"]}
    return _page("red_flags.html", "Signs that need a doctor first", draft,
                 400 if errors else 200, conditions=asked_conditions(rules, red_flags=True), given=given,
                 errors=errors or {})


def groups_page(rules: RuleSet, draft: dict[str, Any]) -> HTMLResponse:
    groups = [(title, asked_conditions(rules, group=group)) for group, title in GROUPS.items()]
    return _page("groups.html", "What applies to the legs and health", draft,
                 groups=[g for g in groups if g[1]], ticked=set(form.entries(draft)))


def _sites(entry: dict[str, Any]) -> set[str]:
    return {f"{s['side']}:{s.get('area', '')}" for s in entry.get("sites", [])}


def _flag_answer(entry: dict[str, Any], flag: str) -> str | None:
    if flag in entry.get("flags", []):
        return "yes"
    return "no" if flag in entry.get("flags_no", []) else None


def details_page(rules: RuleSet, draft: dict[str, Any],
                 errors: form.Errors | None = None) -> HTMLResponse:
    chosen = form.entries(draft)
    conditions = [(c, chosen[c.code]) for c in rules.conditions.values()
                  if c.code in chosen and form.follow_ups(c)]
    return _page("details.html", "About what applies, and the massage", draft,
                 400 if errors else 200, errors=errors or {}, conditions=conditions,
                 questions=QUESTIONS, areas=AREAS, sites=_sites, flag_answer=_flag_answer,
                 side_options=list(SIDE_TITLES.items()),
                 severities=[(s, s.capitalize()) for s in SEVERITIES],
                 yes_no_of=lambda v: None if v is None else "yes" if v else "no",
                 cleared_date=form.HAS_CLEARED_DATE,
                 goals=[(g, GOAL_TITLES[g]) for g in GOALS],
                 pressures=list(PRESSURE_TITLES.items()))


def check_page(rules: RuleSet, draft: dict[str, Any]) -> HTMLResponse:
    """Every answer as given: "No" only for a question answered no, "Not asked" for one
    the draft holds no answer to (never a made-up "No")."""
    chosen = form.entries(draft)
    said_no = set(draft["conditions_no"])

    def given(code: str) -> str:
        return "Yes" if code in chosen else "No" if code in said_no else "Not asked"

    rows = [(c.title, describe_entry(chosen[c.code]).strip(" ()") or "Yes")
            for c in rules.conditions.values() if c.code in chosen and not c.red_flag]
    rows += [(c.title, "Not asked") for c in form.unasked_gates(rules, draft)]
    return _page("check.html", "Check your answers", draft,
                 red_flags=[(c.question, given(c.code))
                            for c in asked_conditions(rules, red_flags=True)],
                 rows=rows, goal=GOAL_TITLES.get(draft["goal"], draft["goal"]))


def result_page(rules: RuleSet, draft: dict[str, Any]) -> HTMLResponse:
    """The ``--format html`` page with the web's actions at its top (start again, the
    record as a file, print) and the site's stylesheet and script for them."""
    intake = form.to_intake(rules, draft)
    assessment = screened(intake, rules)
    kept = Record(intake, assessment)
    page = render(assessment, "html", rules, record=kept)
    assert isinstance(page, str)
    record = base64.b64encode(record_bytes(kept, rules)).decode("ascii")
    actions = TEMPLATES.get_template("result_actions.html").render(record=record)
    head = '<link rel="stylesheet" href="/static/web.css"><script src="/static/web.js" defer></script>'
    page = page.replace("</head>", head + "</head>", 1).replace(
        "<body>", "<body><main>" + str(Markup(actions)), 1).replace("</body>", "</main></body>", 1)
    return HTMLResponse(page)


def _urgent(rules: RuleSet, draft: dict[str, Any]) -> bool:
    """Whether the answers so far already call for urgent care (then stop asking)."""
    return bool(draft["conditions"]) and screened(form.to_intake(rules, draft), rules).decision == "urgent"


PAGES = {"change_red_flags": red_flags_page, "change_groups": groups_page,
         "change_details": details_page}
STEPS = {"red_flags", "groups", "details", "confirm", *PAGES}
AFTER_GROUPS = {"details", "change_details", "confirm"}


def _step(rules: RuleSet, fields: form.Form) -> HTMLResponse:
    """One step, re-derived from what the answers hold, whatever step the form names: no
    step after the red flags goes on while one is unanswered, none after the groups page
    while a gate question is (a crafted form cannot skip a page)."""
    steps = fields.get("step", [])
    if len(steps) != 1 or steps[0] not in STEPS:
        raise form.Tampered("step: missing, repeated or unknown; please start again")
    step = steps[0]
    draft = form.load_draft(rules, fields.get("answers", []))
    if step == "red_flags":
        errors = form.read_red_flags(rules, fields, draft)
        if errors:
            return red_flags_page(rules, draft, errors)
    elif step != "change_red_flags":
        errors = form.unanswered_red_flags(rules, draft)
        if errors:
            return red_flags_page(rules, draft, errors)
    if step in AFTER_GROUPS and form.unasked_gates(rules, draft):
        return result_page(rules, draft) if _urgent(rules, draft) else groups_page(rules, draft)
    if step in PAGES:
        return PAGES[step](rules, draft)
    if step == "red_flags":
        return result_page(rules, draft) if _urgent(rules, draft) else groups_page(rules, draft)
    if step == "groups":
        form.read_groups(rules, fields, draft)
        return details_page(rules, draft)
    if step == "details":
        errors = form.read_details(rules, fields, draft)
        if errors:
            return details_page(rules, draft, errors)
        return result_page(rules, draft) if _urgent(rules, draft) else check_page(rules, draft)
    return result_page(rules, draft)  # confirm


@router.get("/", response_class=HTMLResponse, name="first_page")
async def first_page(request: Request) -> HTMLResponse:
    return red_flags_page(rules_of(request), form.new_draft())


@router.post("/checklist", response_class=HTMLResponse)
async def checklist_step(request: Request) -> HTMLResponse:
    rules = rules_of(request)
    try:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/x-www-form-urlencoded":
            raise Failure(415, "the checklist takes a form (application/x-www-form-urlencoded)")
        body = (await read_body(request, "form")).decode("utf-8")
        fields: form.Form = {}
        for key, value in parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS,
                                    strict_parsing=False):
            fields.setdefault(key, []).append(value)
        return await run_in_threadpool(_step, rules, fields)
    except (InputError, UnicodeDecodeError, ValueError) as exc:  # a form no page sent
        return problem_page(422, str(exc) if isinstance(exc, InputError)
                            else "the form could not be read; please start again")
    except Failure as exc:
        return problem_page(exc.status, exc.detail)


def problem_page(status: int, detail: str) -> HTMLResponse:
    from screener.errors import LINE_LIMIT, shown

    return _page("problem.html", "Sorry, there is a problem", None, status,
                 detail=shown(detail, LINE_LIMIT))
