"""CDS Hooks 2.0: discovery and two services (``appointment-book``, ``order-select``).

Data comes from prefetch only: the service never fetches from a ``fhirServer`` a request
names. The answers (a QuestionnaireResponse) and the chart (Conditions, active
MedicationRequests, read by ``chart``) are screened together; without answers the chart
is screened with its cautious readings and a card links to the web checklist, and an
empty chart with no answers gives only that card, never a go-ahead. A chart key absent
or null is a chart that could not be read (a warning, never a go-ahead); an unknown
prefetch key is refused."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from screener.errors import InputError, describe_invalid, shown
from screener.fhir.cds import cards as decision_cards
from screener.fhir.questionnaire import canonical_url, ruleset_url
from screener.parse import intake_from_data
from screener.render.escape import markdown_text
from screener.rules import RuleSet
from screener.web.api import known_query, rules_of, screened
from screener.web.body import read_json
from screener.web.chart import Chart, read_chart, resources
from screener.web.problems import PROBLEM_RESPONSES, Failure
from screener.web.security import guarded

SERVICES = {"leg-massage-appointment": ("appointment-book", "Leg massage booking check"),
            "leg-massage-order": ("order-select", "Leg massage order check")}

router = APIRouter()


class CDSRequest(BaseModel):
    """The parts of a CDS Hooks request this service reads (others are allowed)."""

    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str
    context: dict[str, Any]
    prefetch: dict[str, Any | None] = Field(default_factory=dict)


class Link(BaseModel):
    label: str
    url: str
    type: str = "absolute"


class Card(BaseModel):
    uuid: str
    summary: str = Field(max_length=139)
    indicator: str
    detail: str | None = None
    source: dict[str, Any]
    links: list[Link] = Field(default_factory=list)


class Cards(BaseModel):
    cards: list[Card]


def prefetch(rules: RuleSet) -> dict[str, str]:
    return {"questionnaireResponse": "QuestionnaireResponse?subject={{context.patientId}}"
            f"&questionnaire={canonical_url(rules)}&_sort=-authored&_count=1",
            "conditions": "Condition?patient={{context.patientId}}",
            "medications": "MedicationRequest?patient={{context.patientId}}&status=active"}


@router.get("/cds-services", dependencies=[Depends(known_query)], summary="CDS Hooks discovery")
async def discovery(request: Request) -> dict[str, Any]:
    rules = rules_of(request)
    return {"services": [
        {"hook": hook, "id": service, "title": title,
         "description": "Screens a client for leg massage from their checklist answers and "
                        "chart: proceed, adjust, refer or urgent, with the reasons.",
         "prefetch": prefetch(rules)}
        for service, (hook, title) in SERVICES.items()]}


def _source(rules: RuleSet) -> dict[str, Any]:
    return {"label": f"Leg massage screener, rules {rules.name} {rules.version}",
            "url": ruleset_url(rules)}


def _card(rules: RuleSet, summary: str, indicator: str, detail: str,
          links: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"summary": summary, "indicator": indicator, "detail": detail,
            "source": _source(rules), **({"links": links} if links else {})}


def _intake_data(rules: RuleSet, answers: dict[str, Any] | None, chart: Chart) -> dict[str, Any]:
    """The answers (if any) with every chart condition added that they do not report; a
    chart diagnosis outweighs an answer of "no" (the cautious reading)."""
    data: dict[str, Any] = {"conditions": []}
    if answers is not None:
        from screener.fhir import response_to_intake

        data = response_to_intake(answers, rules, "questionnaireResponse").model_dump(
            mode="json", exclude_defaults=True)
        data.setdefault("conditions", [])
    reported = {c["code"] for c in data["conditions"]}
    data["conditions"] += [{"code": code} for code in chart.codes if code not in reported]
    if "conditions_no" in data:
        data["conditions_no"] = [c for c in data["conditions_no"] if c not in chart.codes]
    return data


PREFETCH_KEYS = ("questionnaireResponse", "conditions", "medications")
CHART_KEYS = ("conditions", "medications")


def _known_keys(prefetched: dict[str, Any]) -> None:
    """A prefetch key this service never asked for is refused, naming it: a misspelt chart
    key must not leave the real one absent and so read as an empty chart."""
    for key in prefetched:
        if key not in PREFETCH_KEYS:
            raise Failure(422, f"prefetch.{shown(key)}: not a prefetch key of this service "
                               f"(it asks for {', '.join(PREFETCH_KEYS)})")


def service_cards(rules: RuleSet, request: CDSRequest, checklist_url: str) -> list[dict[str, Any]]:
    _known_keys(request.prefetch)
    # a chart key absent or null: the EHR could not read that part of the chart; it is
    # never taken for an empty one (an empty Bundle is), so no go-ahead is given
    unread = [key for key in CHART_KEYS if request.prefetch.get(key) is None]
    try:
        responses = resources(request.prefetch.get("questionnaireResponse"),
                              "QuestionnaireResponse", "questionnaireResponse")
        if len(responses) > 1:
            raise InputError("prefetch.questionnaireResponse: more than one response; send the "
                             "latest only")
        answers = responses[0][1] if responses else None
        chart = read_chart(rules, request.prefetch.get("conditions"),
                           request.prefetch.get("medications"))
        if answers is not None or chart.codes:
            intake = intake_from_data(_intake_data(rules, answers, chart), "prefetch", rules)
    except InputError as exc:  # a prefetch that cannot be read: never a card that says go
        raise Failure(422, str(exc)) from None
    out: list[dict[str, Any]] = []
    go_ahead_held = False  # a go-ahead is never given beside chart entries it could not read
    decision = None
    if answers is not None or chart.codes:
        assessment = screened(intake, rules)
        decision = assessment.decision
        go_ahead_held = decision == "proceed" and bool(chart.unmapped)
        given = decision_cards(assessment, rules)["cards"]
        if unread:  # a part of the chart unread: only the warnings and the critical stand
            given = [card for card in given if card["indicator"] != "info"]
        if (answers is not None or decision != "proceed") and not go_ahead_held:
            out += given
    if unread:
        told = (f" What was read gave '{decision}', but that is no go-ahead." if decision
                in ("proceed", "adjust") else "")
        out.append(_card(rules, "The chart could not be read: check the client's "
                                f"{' and '.join(unread)} before any leg massage.", "warning",
                         f"The request carried no {' and no '.join(unread)} (prefetch "
                         f"{', '.join(repr(k) for k in unread)} absent or null), so this part "
                         f"of the chart was not screened and no go-ahead is given.{told}"))
    if chart.unmapped:
        names = "\n".join(f"- {markdown_text(name)}" for name in chart.unmapped)  # chart text is input
        held = (" The rest raised nothing, but no go-ahead is given until these are checked."
                if go_ahead_held else "")
        out.append(_card(rules, f"{len(chart.unmapped)} chart entries the leg massage screener "
                                "cannot read: check them yourself.", "warning",
                         "These chart entries map to no condition of the rule set, so they "
                         f"were not screened.{held}\n\n{names}"))
    if answers is None:
        out.append(_card(rules, "No leg massage checklist answers yet: ask the client to fill "
                                "it in before the massage.", "warning",
                         "Without the client's answers only the chart was read, cautiously. "
                         "Red flags (signs of a clot) can only be asked of the client.",
                         [{"label": "Open the leg massage checklist", "url": checklist_url,
                           "type": "absolute"}]))
    return [{"uuid": str(uuid.uuid4()), **card} for card in out]


@router.post("/cds-services/{service}", response_model=Cards,
             dependencies=[Depends(guarded), Depends(known_query)],
             summary="A CDS Hooks service call", responses={
                 **PROBLEM_RESPONSES, 404: PROBLEM_RESPONSES[422] | {"description": "No such service"},
                 200: {"description": "Cards"}},
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"$ref": "#/components/schemas/CDSRequest"}}}}})
async def call_service(service: str, request: Request) -> dict[str, Any]:
    if service not in SERVICES:
        raise Failure(404, f"no CDS service '{service}' (see /cds-services)")
    data = await read_json(request, "request")
    try:
        call = CDSRequest.model_validate(data)
    except ValidationError as exc:
        raise Failure(422, f"not a CDS Hooks request: {describe_invalid(exc)}") from None
    if call.hook != SERVICES[service][0]:
        raise Failure(422, f"not a CDS Hooks request: service '{service}' answers the "
                           f"'{SERVICES[service][0]}' hook")
    rules = rules_of(request)
    checklist = request.app.state.public_url + "/"  # never from the Host header
    return {"cards": await run_in_threadpool(service_cards, rules, call, checklist)}
