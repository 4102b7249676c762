"""Who may call the API and CDS services, and the headers every response carries.

The web checklist stays open (it stores nothing and answers only its submitter); the API
and CDS endpoints need a bearer token (``--token-file``, compared in constant time) or a
CDS Hooks JWT signed by a key of ``--cds-jwks`` (PyJWT: signature, ``exp``, ``aud`` the
endpoint called), when either is configured. Nothing a request carries is logged."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screener.errors import InputError, shown
from screener.web.problems import Failure, problem

CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"cache-control", b"no-store"), (b"x-frame-options", b"DENY")]
STATIC_CACHE = b"public, max-age=3600"  # the stylesheet and script hold no answers


@dataclass(frozen=True)
class Guard:
    """The credentials the API and CDS endpoints require (none: loopback use)."""

    token: bytes | None = None
    jwks: Any = None  # a jwt.PyJWKSet
    algorithms: tuple[str, ...] = field(default_factory=tuple)

    @property
    def required(self) -> bool:
        return self.token is not None or self.jwks is not None


def load_guard(token_file: str | None, jwks_file: str | None) -> Guard:
    """Read the token and key files at start-up: a wrong file is a one-line InputError."""
    token = None
    if token_file:
        try:
            token = Path(token_file).read_bytes().strip()
        except OSError as exc:
            raise InputError(f"{shown(token_file)}: cannot read the token: {exc.strerror}") from None
        if len(token) < 16:
            raise InputError(f"{shown(token_file)}: the token must be at least 16 characters")
    jwks = None
    algorithms: tuple[str, ...] = ()
    if jwks_file:
        import jwt

        try:
            jwks = jwt.PyJWKSet.from_dict(json.loads(Path(jwks_file).read_text(encoding="utf-8")))
        except (OSError, ValueError, jwt.PyJWTError) as exc:
            raise InputError(f"{shown(jwks_file)}: not a usable JSON Web Key Set: "
                             f"{shown(str(exc))}") from None
        algorithms = tuple(sorted({k.algorithm_name for k in jwks.keys}))
    return Guard(token, jwks, algorithms)


def _jwt_ok(guard: Guard, credential: str, audience: str) -> bool:
    import jwt

    try:
        kid = jwt.get_unverified_header(credential).get("kid")
        keys = [k for k in guard.jwks.keys if kid is None or k.key_id == kid]
        for key in keys:
            try:
                jwt.decode(credential, key.key, algorithms=list(guard.algorithms),
                           audience=audience, options={"require": ["exp", "iss", "aud"]})
                return True
            except jwt.InvalidSignatureError:
                continue
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):  # any unreadable token: 401
        return False
    return False


async def guarded(request: Request) -> None:
    """A FastAPI dependency: 401 unless the request carries a valid credential."""
    guard: Guard = request.app.state.guard
    if not guard.required:
        return
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer" and credential:
        if guard.token is not None and hmac.compare_digest(credential.encode(), guard.token):
            return
        audience = str(request.url.replace(query=""))
        if guard.jwks is not None and _jwt_ok(guard, credential, audience):
            return
    raise Failure(401, "a valid bearer token or CDS Hooks JWT is required")


class SecurityHeaders:
    """Pure ASGI middleware: the contract's headers on every response, ``no-store`` on
    everything but the static files (answers and results are never cached). It also turns
    an unexpected exception into the 500 problem (fail closed, no traceback): Starlette's
    own handler for those sits outside every middleware, so its answer would go out
    without these headers."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                headers += [h for h in HEADERS if not (static and h[0] == b"cache-control")]
                if static:
                    headers.append((b"cache-control", STATIC_CACHE))
                headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:  # the status line is gone: only dropping the connection is left
                raise
            crash = problem(500, f"failed, no result given: {type(exc).__name__}")
            await crash(scope, receive, send_with_headers)
