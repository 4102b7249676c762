"""``screener serve``: its flags, and the check that the 'web' extra is installed before
anything starts (the server itself is ``screener.web.server``)."""

from __future__ import annotations

import argparse
from typing import Any

from screener.errors import InputError


def cmd_serve(args: argparse.Namespace) -> int:
    """The web checklist, the API and CDS Hooks (extra 'web'); see screener/web/server.py."""
    try:
        import fastapi, jinja2, jwt, uvicorn  # noqa: E401, F401 - the extra, checked up front
    except ImportError:
        raise InputError("serve needs the 'web' extra: pip install 'screener[web]'") from None
    from screener.web.server import serve

    return serve(args.host, args.port, args.rules, args.workers, args.token_file, args.cds_jwks,
                 args.tls_cert, args.tls_key, args.behind_tls_proxy, args.public_url)


def add_serve(sub: Any) -> None:
    """Register ``serve`` on the command line's sub-parsers."""
    p = sub.add_parser("serve", help="the web checklist, the API and CDS Hooks (extra 'web')")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    for flag in ("--rules", "--token-file", "--cds-jwks", "--tls-cert", "--tls-key"):
        p.add_argument(flag, metavar="DIR" if flag == "--rules" else "FILE")
    p.add_argument("--behind-tls-proxy", action="store_true", help="a proxy terminates TLS")
    p.add_argument("--public-url", metavar="URL", help="the base URL clients use (JWT audience, "
                   "links); default http(s)://HOST:PORT")
    p.set_defaults(func=cmd_serve)
