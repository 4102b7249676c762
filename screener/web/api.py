"""The API for clinic software: ``POST /api/screen`` answers with the same bytes as
``screener screen --format F``; refer, urgent and nothing-left are 200 (they are results);
``/api/schema`` and ``/healthz``; ``/fhir/Questionnaire`` (extra ``fhir``)."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from screener.answers.intake import Intake
from screener.answers.schema import intake_schema
from screener.decision.assessment import Assessment
from screener.errors import InputError, shown
from screener.parse import intake_from_data
from screener.rules import RuleSet
from screener.web.body import read_json
from screener.web.pool import pool_for
from screener.web.problems import PROBLEM_RESPONSES, QUERY_TITLE, Failure
from screener.web.security import guarded

Format = Literal["text", "json", "markdown", "svg", "html", "pdf", "cds", "fhir"]
MEDIA = {"text": "text/plain; charset=utf-8", "json": "application/json",
         "markdown": "text/markdown; charset=utf-8", "svg": "image/svg+xml",
         "html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "cds": "application/json", "fhir": "application/fhir+json"}
INTAKE_REF = {"$ref": "#/components/schemas/Intake"}

async def known_query(request: Request) -> None:
    """Each query parameter the route declares, at most once, and no other: 400 naming
    the parameter (a repeated ``format`` must not quietly mean its last value). A route
    dependency of every API and CDS route, after ``guarded`` where that applies (a caller
    without credentials learns nothing, not even which parameters exist)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    known = {p.alias for p in dependant.query_params} if dependant is not None else set()
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name not in known:
            raise Failure(400, f"query parameter '{shown(name)}': unknown here (known: "
                               f"{', '.join(sorted(known)) or 'none'})", QUERY_TITLE)
        if name in seen:
            raise Failure(400, f"query parameter '{shown(name)}': given more than once", QUERY_TITLE)
        seen.add(name)


router = APIRouter()


def rules_of(request: Request) -> RuleSet:
    return request.app.state.rules


def rendered(assessment: Assessment, fmt: str, rules: RuleSet) -> str | bytes:
    """The output of ``screener screen --format fmt`` for this assessment."""
    if fmt in ("cds", "fhir"):
        from screener.fhir import render as render_fhir

        return render_fhir(assessment, fmt, rules)
    from screener.render import render

    return render(assessment, fmt, rules, width=87)


def screened(intake: Intake, rules: RuleSet) -> Assessment:
    """Screen in this process's bounded workers (``web.pool``; call from a thread),
    failing closed: any error inside, an overrun among them, is a 500 without a routine."""
    try:
        return pool_for(rules).screen(intake)
    except Exception as exc:
        raise Failure(500, f"failed, no result given: {type(exc).__name__}: {exc}") from None


@router.post(
    "/api/screen", dependencies=[Depends(guarded), Depends(known_query)],
    summary="Screen an intake or a FHIR QuestionnaireResponse",
    responses={200: {"description": "The assessment (any decision), in the format asked for",
                     "content": {
                         "application/json": {"schema": {"anyOf": [
                             {"$ref": "#/components/schemas/Assessment"},
                             {"type": "object", "required": ["cards"],
                              "properties": {"cards": {"type": "array"}}},
                             {"type": "object", "required": ["resourceType"]}]}},
                         "application/fhir+json": {"schema": {"type": "object",
                                                              "required": ["resourceType"]}},
                         **{m: {"schema": {"type": "string"}} for m in sorted(
                             set(MEDIA.values()) - {"application/json", "application/fhir+json"})}}},
               **PROBLEM_RESPONSES},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": INTAKE_REF}}}})
async def api_screen(request: Request, format: Format = "json") -> Response:
    rules = rules_of(request)
    data = await read_json(request, "request")
    try:
        intake = intake_from_data(data, "request", rules)
    except InputError as exc:
        raise Failure(422, str(exc)) from None
    assessment = await run_in_threadpool(screened, intake, rules)
    try:
        output = await run_in_threadpool(rendered, assessment, format, rules)
    except InputError as exc:  # a format whose extra is not installed
        raise Failure(422, str(exc)) from None
    return Response(output, media_type=MEDIA[format])


@router.get("/api/schema", dependencies=[Depends(known_query)], summary="The intake JSON Schema",
            responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}})
async def api_schema(request: Request) -> JSONResponse:
    return JSONResponse(request.app.state.schema)


@router.get("/healthz", dependencies=[Depends(known_query)],
            summary="Liveness, with the rule set's identity")
async def healthz(request: Request) -> dict[str, Any]:
    r = rules_of(request)
    return {"status": "ok", "ruleset": {"name": r.name, "version": r.version, "digest": r.digest}}


@router.get("/fhir/Questionnaire", dependencies=[Depends(known_query)],
            summary="The checklist as a FHIR R4 Questionnaire",
            responses={200: {"content": {"application/fhir+json": {"schema": {"type": "object"}}}},
                       **{k: v for k, v in PROBLEM_RESPONSES.items() if k == 422}})
async def fhir_questionnaire(request: Request) -> Response:
    try:
        from screener.fhir import questionnaire
    except ImportError:  # pragma: no cover - the extra is part of 'web' installs in CI
        raise Failure(422, "the FHIR Questionnaire needs the 'fhir' extra: "
                           "pip install 'screener[fhir]'") from None
    body = json.dumps(questionnaire(rules_of(request)), indent=2, ensure_ascii=False) + "\n"
    return Response(body, media_type="application/fhir+json")


def _lifted(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema as OpenAPI components: its ``$defs`` lifted to the document's
    ``components/schemas`` under ``name_``, its refs rewritten to point there."""
    defs = schema.pop("$defs", {})
    text = json.dumps({name: schema, **{f"{name}_{k}": v for k, v in defs.items()}})
    return json.loads(text.replace('"#/$defs/', f'"#/components/schemas/{name}_'))


def openapi_components(rules: RuleSet) -> dict[str, Any]:
    """The request and response bodies, documented from the same models (and rule set)
    the server validates against and answers with."""
    return {**_lifted("Intake", intake_schema(rules)),
            **_lifted("Assessment", Assessment.model_json_schema(mode="serialization"))}
