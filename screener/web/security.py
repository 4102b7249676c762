"""Who may call the API and CDS services, and the headers every response carries.

The web checklist stays open (it stores nothing and answers only its submitter); the API
and CDS endpoints need a bearer token (``--token-file``, compared in constant time) or a
CDS Hooks JWT signed by a key of ``--cds-jwks`` (PyJWT: signature, ``exp``, ``aud`` the
endpoint called under the server's ``--public-url``, a ``jti`` not seen before), when
either is configured. A request whose Host header names another host than the public URL
is refused (``HostCheck``). Nothing a request carries is logged."""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from screener.errors import InputError, shown
from screener.web.problems import HOST_TITLE, Failure, problem

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

    seen: "Replays" = field(default_factory=lambda: Replays())

    @property
    def required(self) -> bool:
        return self.token is not None or self.jwks is not None


class Replays:
    """The ``jti`` of every JWT accepted and not yet expired (one worker's memory, bounded:
    when full of live tokens, a new one is refused rather than an old one forgotten)."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def first_use(self, jti: str, expires: float) -> bool:
        now = time.time()
        if len(self._until) >= self.LIMIT:
            self._until = {j: t for j, t in self._until.items() if t > now}
        if self._until.get(jti, 0) > now or len(self._until) >= self.LIMIT:
            return False
        self._until[jti] = expires
        return True


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
                claims = jwt.decode(credential, key.key, algorithms=list(guard.algorithms),
                                    audience=audience,
                                    options={"require": ["exp", "iss", "aud", "jti"]})
            except jwt.InvalidSignatureError:
                continue
            jti, expires = claims["jti"], claims["exp"]
            return (isinstance(jti, str) and isinstance(expires, (int, float))
                    and guard.seen.first_use(jti, float(expires)))
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
        audience = request.app.state.public_url + request.url.path  # never the Host header
        if guard.jwks is not None and _jwt_ok(guard, credential, audience):
            return
    raise Failure(401, "a valid bearer token or CDS Hooks JWT is required")


def _authority(url: str) -> set[str]:
    """The Host header values that name ``url``'s host (its default port may be left out)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    default = {"http": 80, "https": 443}[parts.scheme]
    port = parts.port or default
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    bare = host if parts.port is None else host[: -len(f":{parts.port}")]
    return {f"{bare}:{port}"} | ({bare} if port == default else set())


class HostCheck:
    """Pure ASGI middleware: a request whose Host header is not the public URL's host is a
    400 problem (a spoofed Host cannot make a JWT for another service fit, nor put its own
    host in a link)."""

    def __init__(self, app: ASGIApp, public_url: str):
        self.app = app
        self.allowed = _authority(public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [v for k, v in scope["headers"] if k == b"host"]
            if len(hosts) != 1 or hosts[0].decode("latin-1").lower() not in self.allowed:
                await problem(400, "the Host header does not name this server", title=HOST_TITLE)(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
