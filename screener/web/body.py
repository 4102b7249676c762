"""Request bodies read as the CLI reads its input: bounded (1 MiB, or
``SCREENER_MAX_INPUT_BYTES``; only the limit plus one byte is ever read), within a time
limit (a slow client cannot hold a worker), of the declared media type, then strict JSON
(``screener.answers.source``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import Request

from screener.answers.source import decode, input_limit, load_json
from screener.errors import InputError
from screener.web.problems import Failure

BODY_SECONDS = 10.0  # the whole body must arrive within this


async def read_body(request: Request, name: str = "request") -> bytes:
    limit = input_limit()
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Failure(413 if declared.isdigit() else 400,
                      f"{name}: larger than the limit of {limit} bytes")
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


async def read_json(request: Request, name: str = "request") -> Any:
    """Strict JSON of ``application/json`` (or ``+json``): 415 for another type, 413 over
    the limit, 400 for anything the CLI refuses as JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise Failure(415, f"{name}: send Content-Type: application/json, not '{media or 'none'}'")
    raw = await read_body(request, name)
    try:
        return load_json(decode(raw, name), name)
    except InputError as exc:
        raise Failure(400, str(exc)) from None
