"""``screener serve``: checks the choices, then runs uvicorn (``--workers N`` processes).

Loopback by default. Bound to any other address it refuses to start without TLS (its own
certificate, or ``--behind-tls-proxy``) and without ``--token-file`` or ``--cds-jwks``.
Uvicorn's own access log is off (it would hold client addresses and query strings);
Ctrl-C and SIGTERM stop it cleanly (uvicorn finishes the requests under way)."""

from __future__ import annotations

import ipaddress
import os
import socket
import sys

from screener.errors import InputError, shown

# Keep-alive idle limit, longer than clients' own idle expiry (httpx: 5 s), so the
# server never closes a connection a client is reusing at that moment (1 request in
# 100,000 failed so at 5 s); bodies have their own limit (web.body).
SLOW_CLIENT_SECONDS = 15
MAX_CONCURRENCY = 256  # beyond this, 503 rather than an unbounded queue
# The command line's choices, carried into each worker process (read by web.app).
ENV_RULES, ENV_TOKEN, ENV_JWKS = "SCREENER_SERVE_RULES", "SCREENER_SERVE_TOKEN_FILE", "SCREENER_SERVE_JWKS"
ENV_PUBLIC_URL = "SCREENER_SERVE_PUBLIC_URL"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def can_listen(host: str, port: int) -> None:
    """Refuse in one line an address that cannot be listened on (in use, not this
    machine's, a privileged port), before uvicorn would report it with a traceback."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise InputError(f"--host {shown(host)} --port {port}: cannot listen there: "
                         f"{exc.strerror or exc}") from None


def check_choices(host: str, tls: bool, behind_proxy: bool, token_file: str | None,
                  jwks: str | None) -> None:
    if is_loopback(host):
        return
    if not (tls or behind_proxy):
        raise InputError(f"--host {shown(host)}: beyond loopback only with TLS (--tls-cert and "
                         "--tls-key, or --behind-tls-proxy)")
    if not (token_file or jwks):
        raise InputError(f"--host {shown(host)}: beyond loopback the API needs --token-file or "
                         "--cds-jwks")


def public_url(given: str | None, host: str, port: int, tls: bool) -> str:
    """The server's one public base URL (``--public-url``, else from the bind address and
    TLS): JWT audiences and every absolute link are built from it, never from a request's
    Host header, and a request naming another host is refused (web.security.HostCheck)."""
    from urllib.parse import urlsplit

    if given is None:
        return f"{'https' if tls else 'http'}://{f'[{host}]' if ':' in host else host}:{port}"
    try:
        parts = urlsplit(given)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username):
        raise InputError(f"--public-url {shown(given)}: not an http(s) base URL (scheme, host "
                         "and optional port, no path)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def serve(host: str, port: int, rules_dir: str | None, workers: int, token_file: str | None,
          jwks: str | None, tls_cert: str | None, tls_key: str | None,
          behind_proxy: bool, public: str | None = None) -> int:
    if (tls_cert is None) != (tls_key is None):
        raise InputError("--tls-cert and --tls-key go together")
    if not 1 <= workers <= 64:
        raise InputError("--workers: from 1 to 64")
    if not 1 <= port <= 65535:
        raise InputError(f"--port {port}: from 1 to 65535")
    check_choices(host, tls_cert is not None, behind_proxy, token_file, jwks)
    base = public_url(public, host, port, tls_cert is not None)
    can_listen(host, port)
    from screener.web.security import load_guard

    load_guard(token_file, jwks)  # a wrong file is a one-line error before binding
    if rules_dir:
        from screener.loading import load_rules

        load_rules(rules_dir)  # the same: refuse broken rules before starting workers
    for name, value in ((ENV_RULES, rules_dir), (ENV_TOKEN, token_file), (ENV_JWKS, jwks)):
        if value:
            os.environ[name] = os.path.abspath(value)
        else:
            os.environ.pop(name, None)
    os.environ[ENV_PUBLIC_URL] = base
    import uvicorn

    print(f"screener: serving the checklist at {base}/ (Ctrl-C to stop)", flush=True)
    uvicorn.run("screener.web.app:create_app", factory=True, host=host, port=port,
                workers=workers, access_log=False, log_level="warning", server_header=False,
                timeout_keep_alive=SLOW_CLIENT_SECONDS, limit_concurrency=MAX_CONCURRENCY,
                ssl_certfile=tls_cert, ssl_keyfile=tls_key,
                proxy_headers=behind_proxy, forwarded_allow_ips="127.0.0.1" if behind_proxy else None)
    return 0
