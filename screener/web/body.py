"""Request bodies read as the CLI reads its input: bounded (1 MiB, or
``SCREENER_MAX_INPUT_BYTES``; only the limit plus one byte is ever read), within a time
limit (a slow client cannot hold a worker), of exactly ``application/json``, then strict JSON
(``screener.answers.source``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import Request

from screener.answers.source import decode, input_limit, load_json
from screener.errors import InputError, shown
from screener.web.problems import HEADER_TITLE, Failure

BODY_SECONDS = 10.0  # the whole body must arrive within this


async def read_body(request: Request, name: str = "request") -> bytes:
    limit = input_limit()
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Failure(413, f"{name}: larger than the limit of {limit} bytes") if declared.isdigit() \
            else Failure(400, f"{name}: Content-Length is not a number", HEADER_TITLE)
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + BODY_SECONDS
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), deadline - time.monotonic())
        except StopAsyncIteration:
            break
        except (TimeoutError, ValueError):
            raise Failure(408, f"{name}: the body did not arrive within {BODY_SECONDS:g} s") from None
        size += len(chunk)
        if size > limit:
            raise Failure(413, f"{name}: larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request, name: str) -> None:
    """Exactly one Content-Type, ``application/json`` with at most ``charset=utf-8``: any
    other type (``json-patch+json`` is not an intake), charset or parameter, or two
    headers (no first-wins), is a 415."""
    declared = request.headers.getlist("content-type")
    if len(declared) != 1:
        raise Failure(415, f"{name}: send one Content-Type: application/json, not "
                           f"{len(declared) or 'none'}")
    media, *params = [part.strip().lower() for part in declared[0].split(";")]
    if media != "application/json" or params not in ([], ["charset=utf-8"], ['charset="utf-8"']):
        raise Failure(415, f"{name}: send Content-Type: application/json (optionally "
                           f"; charset=utf-8), not '{shown(declared[0])}'")


async def read_json(request: Request, name: str = "request") -> Any:
    """Strict JSON of ``application/json``: 415 for another type, 413 over the limit, 400
    for anything the CLI refuses as JSON."""
    _media_type(request, name)
    raw = await read_body(request, name)
    try:
        return load_json(decode(raw, name), name)
    except InputError as exc:
        raise Failure(400, str(exc)) from None
