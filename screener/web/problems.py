"""Errors over HTTP as RFC 9457 problem details: ``status``, ``title`` and ``detail``,
the detail being the CLI's own one-line message (control characters escaped, cut), never
a traceback."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from screener.errors import LINE_LIMIT, shown

TITLES = {400: "Not valid JSON", 401: "Not authorised", 404: "Not found",
          405: "Method not allowed", 408: "Request too slow", 413: "Too large",
          415: "Unsupported media type", 422: "Not a valid request", 500: "Screening failed"}
PROBLEM_MEDIA = "application/problem+json"
QUERY_TITLE, HOST_TITLE, HEADER_TITLE = ("Not a valid query parameter", "Not this server's host",
                                         "Not a valid request header")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    status: int
    title: str
    detail: str


class Failure(Exception):
    """A request that ends in a problem response (raised anywhere a route runs)."""

    def __init__(self, status: int, detail: str, title: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title


def problem(status: int, detail: str, headers: dict[str, str] | None = None,
            title: str | None = None) -> JSONResponse:
    """The problem response; ``title`` when the status's usual one would mislead (a 400
    that is about a query parameter or a header, not JSON)."""
    body = Problem(status=status, title=title or TITLES.get(status, "Error"),
                   detail=shown(detail, LINE_LIMIT))
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM_MEDIA,
                        headers=headers)


PROBLEM_RESPONSES = {
    status: {"model": Problem, "description": TITLES[status],
             "content": {PROBLEM_MEDIA: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for status in (400, 401, 413, 415, 422, 500)
}


async def on_failure(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Failure)
    return problem(exc.status, exc.detail, title=exc.title)


async def on_invalid(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own validation (a query parameter): the first error, in one line."""
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return problem(422, f"{where}: {first.get('msg', 'invalid')}")


async def on_http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, str(exc.detail), exc.headers)  # 405 keeps its Allow
