"""The ASGI application: one rule set, loaded once, serving the web checklist, the API
and CDS Hooks. ``create_app`` is what uvicorn's workers call (``SCREENER_SERVE_*``
variables carry the command line's choices into each worker process)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from screener.answers.schema import intake_schema
from screener.loading import default_rules, load_rules
from screener.rules import RuleSet
from screener.web import api, hooks, pages, problems
from screener.web.pool import pool_for
from screener.web.security import Guard, HostCheck, SecurityHeaders, load_guard
from screener.web.server import ENV_JWKS, ENV_PUBLIC_URL, ENV_RULES, ENV_TOKEN


def build_app(rules: RuleSet, guard: Guard | None = None,
              public_url: str = "http://127.0.0.1:8000") -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        screenings = pool_for(rules)
        screenings.start()  # forked now, before the server's threads exist
        try:
            yield
        finally:
            screenings.close()

    app = FastAPI(title="Leg massage screener", version=rules.version, docs_url=None,
                  lifespan=lifespan,
                  redoc_url=None, description="Contraindication screening for leg massage: "
                  "the web checklist, the API and CDS Hooks services (contract v1.2).")
    app.state.rules = rules
    app.state.guard = guard or Guard()
    app.state.public_url = public_url
    app.state.schema = intake_schema(rules)
    app.include_router(api.router)
    app.include_router(hooks.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    app.add_exception_handler(problems.Failure, problems.on_failure)
    app.add_exception_handler(RequestValidationError, problems.on_invalid)
    app.add_exception_handler(HTTPException, problems.on_http)
    app.add_middleware(HostCheck, public_url=public_url)
    app.add_middleware(SecurityHeaders)  # outermost: its headers go on the host check's 400 too

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version,
                                   description=app.description, routes=app.routes)
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(api.openapi_components(rules))
            schemas["CDSRequest"] = hooks.CDSRequest.model_json_schema()
            schemas.setdefault("Problem", problems.Problem.model_json_schema())
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def create_app() -> FastAPI:
    """The app of one worker, from the choices ``screener serve`` put in the environment."""
    rules_dir = os.environ.get(ENV_RULES)
    rules = load_rules(rules_dir) if rules_dir else default_rules()
    return build_app(rules, load_guard(os.environ.get(ENV_TOKEN), os.environ.get(ENV_JWKS)),
                     os.environ.get(ENV_PUBLIC_URL, "http://127.0.0.1:8000"))
