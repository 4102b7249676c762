"""The API over real HTTP: the same bytes as the CLI, problem+json for every error with
the CLI's one-line message, the contract's headers, a token where one is configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir_cases import answering_red_flags
from test_cli import ROOT, run
from web_server import serving

EXAMPLE = (ROOT / "examples" / "intake.json").read_bytes()
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def base():
    with serving() as (url, _):
        yield url


@pytest.fixture(scope="module")
def http():
    import httpx

    with httpx.Client(timeout=30) as client:
        yield client


@pytest.mark.parametrize("fmt", ["json", "text", "markdown", "svg", "cds", "fhir"])
def test_screen_gives_the_cli_bytes(base, http, fmt):
    response = http.post(f"{base}/api/screen", params={"format": fmt}, content=EXAMPLE, headers=JSON)
    cli = run("screen", "--answers", str(ROOT / "examples" / "intake.json"), "--format", fmt)
    assert response.status_code == 200
    assert response.text == cli.stdout
    assert response.headers["cache-control"] == "no-store"


def test_a_questionnaire_response_is_accepted_and_refer_is_a_result(base, http, tmp_path):
    intake = tmp_path / "refer.json"
    intake.write_text(json.dumps(answering_red_flags({"conditions": [{"code": "dvt"}]})))
    response_json = run("response", "--answers", str(intake)).stdout
    answer = http.post(f"{base}/api/screen", content=response_json, headers=JSON)
    assert answer.status_code == 200
    assert answer.json()["decision"] == "refer" and answer.json()["routine"] is None


@pytest.mark.parametrize("body,headers,status,words", [
    (b'{"conditions": [], "conditions": []}', JSON, 400, "duplicate key"),
    (b"not json", JSON, 400, "request"),
    (b"[" * 40 + b"]" * 40, JSON, 400, "nest"),
    (b'{"minutes": 1' + b"0" * 30 + b"}", JSON, 400, "digits"),
    (b'{"conditions": [{"code": "no_such"}]}', JSON, 422, "no_such"),
    (b'{"conditions": [], "extra": 1}', JSON, 422, "extra"),
    (EXAMPLE, {"content-type": "text/plain"}, 415, "application/json"),
    (b" " * ((1 << 20) + 1), JSON, 413, "limit"),
])
def test_errors_are_problems_with_the_cli_message(base, http, body, headers, status, words):
    response = http.post(f"{base}/api/screen", content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"]
    assert words.lower() in problem["detail"].lower()
    assert "\n" not in problem["detail"] and "Traceback" not in response.text


def test_an_unknown_format_is_a_problem(base, http):
    response = http.post(f"{base}/api/screen", params={"format": "exe"}, content=EXAMPLE, headers=JSON)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_schema_health_questionnaire_and_openapi(base, http):
    assert http.get(f"{base}/api/schema").json() == json.loads(run("schema").stdout)
    health = http.get(f"{base}/healthz").json()
    assert health["status"] == "ok" and health["ruleset"]["digest"].startswith("sha256:")
    questionnaire = http.get(f"{base}/fhir/Questionnaire")
    assert questionnaire.json() == json.loads(run("questionnaire").stdout)
    document = http.get(f"{base}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/screen", "/api/schema", "/healthz", "/cds-services"} <= set(document["paths"])
    body = document["paths"]["/api/screen"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Intake"}


def test_every_response_carries_the_contract_headers(base, http):
    for response in (http.get(f"{base}/"), http.get(f"{base}/healthz"),
                     http.post(f"{base}/api/screen", content=b"x", headers=JSON)):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_a_token_guards_the_api_but_not_the_checklist(tmp_path):
    import httpx

    token = tmp_path / "token"
    token.write_text("s3cret-token-of-some-length\n")
    with serving("--token-file", str(token)) as (base, _):
        assert httpx.get(f"{base}/").status_code == 200
        refused = httpx.post(f"{base}/api/screen", content=EXAMPLE, headers=JSON)
        assert refused.status_code == 401 and refused.json()["status"] == 401
        wrong = httpx.post(f"{base}/api/screen", content=EXAMPLE,
                           headers={**JSON, "authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = httpx.post(f"{base}/api/screen", content=EXAMPLE,
                        headers={**JSON, "authorization": "Bearer s3cret-token-of-some-length"})
        assert ok.status_code == 200
        assert httpx.post(f"{base}/cds-services/leg-massage-order", json={}).status_code == 401


@pytest.mark.parametrize("path,query,words", [
    ("/api/screen", "format=json&format=html", "'format': given more than once"),
    ("/api/screen", "format=json&verbose=1", "'verbose': unknown"),
    ("/api/screen", "=1", "'': unknown"),
    ("/healthz", "format=json", "'format': unknown"),
    ("/cds-services", "x=1", "'x': unknown"),
])
def test_repeated_or_unknown_query_parameters_are_refused_by_name(base, http, path, query, words):
    call = http.post if path == "/api/screen" else http.get
    response = call(f"{base}{path}?{query}", **({"content": EXAMPLE, "headers": JSON}
                                                if path == "/api/screen" else {}))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]
    assert response.json()["title"] == "Not a valid query parameter"


@pytest.mark.parametrize("method,path,status", [
    ("GET", "/api/screen", 405), ("PUT", "/api/screen", 405), ("DELETE", "/cds-services", 405),
    ("GET", "/api/nothing-here", 404), ("POST", "/cds-services/no-such-service", 404),
])
def test_every_error_on_the_api_is_a_problem_with_the_headers(base, http, method, path, status):
    response = http.request(method, f"{base}{path}", content=b"{}", headers=JSON)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status and "Traceback" not in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    if status == 405:
        assert "POST" in response.headers["allow"] or "GET" in response.headers["allow"]


def test_an_unexpected_crash_is_a_500_problem_with_the_headers():
    """Starlette answers a crash outside every middleware; the headers middleware answers
    it first (here the real app with one route added that fails, in-process: no route of
    the server can be made to)."""
    import asyncio

    import httpx

    from screener import default_rules
    from screener.web.app import build_app

    async def broken():
        raise RuntimeError("secret detail")

    app = build_app(default_rules(), public_url="http://x")
    app.add_api_route("/broken", broken)

    async def get():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://x") as client:
            return await client.get("/broken")

    response = asyncio.run(get())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "failed, no result given: RuntimeError"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("headers,status", [
    ([("content-type", "application/json")], 200),
    ([("content-type", "application/json; charset=utf-8")], 200),
    ([("content-type", "Application/JSON; Charset=UTF-8")], 200),
    ([("content-type", "application/json-patch+json")], 415),
    ([("content-type", "application/fhir+json")], 415),
    ([("content-type", "application/json; charset=latin-1")], 415),
    ([("content-type", "application/json; charset=utf-8; x=1")], 415),
    ([("content-type", "application/json"), ("content-type", "text/plain")], 415),
    ([("content-type", "application/json"), ("content-type", "application/json")], 415),
])
def test_only_plain_json_is_taken(base, http, headers, status):
    response = http.post(f"{base}/api/screen", content=EXAMPLE, headers=headers)
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Unsupported media type"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.2", "localhost"])
def test_a_host_header_naming_another_server_is_refused(base, http, host):
    for response in (http.get(f"{base}/healthz", headers={"host": host}),
                     http.post(f"{base}/api/screen", content=EXAMPLE, headers={**JSON, "host": host})):
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["title"] == "Not this server's host"
        assert response.headers["x-content-type-options"] == "nosniff"
