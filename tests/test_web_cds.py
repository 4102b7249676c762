"""CDS Hooks over real HTTP: discovery, cards by the spec's rules (summary under 140
characters, indicator, source label, uuid), clean problems for hostile requests, a red
flag in the prefetched answers gives a critical card, an unmapped chart entry is named,
an empty chart without answers never gives a go-ahead, and a JWT is checked when
``--cds-jwks`` is given."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from fhir_cases import answering_red_flags
from test_cli import run
from web_server import serving

SNOMED, ICD10 = "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SERVICE = "/cds-services/leg-massage-appointment"


@pytest.fixture(scope="module")
def base():
    with serving() as (url, _):
        yield url


def call(base: str, prefetch: dict, hook: str = "appointment-book", chart: bool = True,
         **headers: str):
    """A service call; with ``chart`` the chart keys not given are sent as empty Bundles."""
    import httpx

    if chart:
        prefetch = {"conditions": bundle(), "medications": bundle(), **prefetch}
    body = {"hook": hook, "hookInstance": str(uuid.uuid4()),
            "fhirServer": "http://203.0.113.1/never-fetched",
            "context": {"patientId": "p1", "userId": "Practitioner/1"}, "prefetch": prefetch}
    return httpx.post(base + SERVICE, json=body, headers=headers, timeout=30)


def bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "type": "searchset",
            "entry": [{"resource": r} for r in resources]}


def condition(system: str, code: str, status: str = "active", verification: str = "confirmed",
              text: str | None = None) -> dict:
    return {"resourceType": "Condition",
            "clinicalStatus": {"coding": [{"code": status}]},
            "verificationStatus": {"coding": [{"code": verification}]},
            "code": {"coding": [{"system": system, "code": code}], **({"text": text} if text else {})}}


def response_of(intake: dict, tmp_path) -> dict:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(answering_red_flags(intake)))
    return json.loads(run("response", "--answers", str(path)).stdout)


def check_cards(cards: list[dict]) -> None:
    for card in cards:
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
        uuid.UUID(card["uuid"])


def test_discovery_lists_both_hooks_with_prefetch(base):
    import httpx

    services = httpx.get(f"{base}/cds-services").json()["services"]
    assert {s["hook"] for s in services} == {"appointment-book", "order-select"}
    for service in services:
        assert set(service["prefetch"]) == {"questionnaireResponse", "conditions", "medications"}
        assert service["id"] and service["description"]


def test_an_empty_chart_without_answers_gives_only_the_checklist_card(base):
    cards = call(base, {}).json()["cards"]
    check_cards(cards)
    assert len(cards) == 1
    assert cards[0]["indicator"] == "warning"
    assert cards[0]["links"][0]["url"] == f"{base}/"


def test_a_red_flag_in_the_answers_gives_a_critical_card(base, tmp_path):
    answers = response_of({"conditions": [{"code": "calf_swelling_red_flag"}]}, tmp_path)
    cards = call(base, {"questionnaireResponse": bundle(answers)}).json()["cards"]
    check_cards(cards)
    assert [c["indicator"] for c in cards] == ["critical"]


def test_chart_only_is_screened_cautiously_and_unmapped_entries_are_named(base):
    chart = bundle(condition(SNOMED, "128053003"),  # DVT: refer
                   condition(ICD10, "Q99.9", text="A rare thing the rules do not know"),
                   condition(ICD10, "I83.9", verification="refuted"),
                   condition(ICD10, "I83.9", verification="entered-in-error"))
    cards = call(base, {"conditions": chart}).json()["cards"]
    check_cards(cards)
    summaries = " ".join(c["summary"] + c.get("detail", "") for c in cards)
    assert cards[0]["indicator"] == "warning"  # refer: from the DVT alone
    assert "A rare thing the rules do not know" in summaries
    assert "1 chart entries" in summaries
    assert any(c.get("links") for c in cards)  # the checklist card


def test_resolved_history_counts_only_where_it_matters(base):
    past_clot = call(base, {"conditions": bundle(condition(SNOMED, "128053003", "resolved"))})
    assert any(c["indicator"] == "warning" and "professional" in c["summary"]
               for c in past_clot.json()["cards"])
    past_veins = call(base, {"conditions": bundle(condition(ICD10, "I83.9", "resolved"))})
    assert [c["summary"] for c in past_veins.json()["cards"]][0].startswith("No leg massage checklist")


def test_a_blood_thinner_maps_through_its_rxnorm_ingredient(base, tmp_path):
    answers = response_of({"conditions": []}, tmp_path)
    medicine = {"resourceType": "MedicationRequest", "status": "active",
                "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "11289"}]}}
    cards = call(base, {"questionnaireResponse": answers, "medications": bundle(medicine)}).json()["cards"]
    check_cards(cards)
    assert cards[0]["summary"].startswith("Leg massage: only with changes")
    assert "anticoagulants" in cards[0]["detail"]


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400), (b'{"hook": "appointment-book"}', 422),
    (b'{"hook": "order-select", "hookInstance": "x", "context": {}}', 422), (b"[]", 422)])
def test_hostile_requests_are_clean_problems(base, body, status):
    import httpx

    response = httpx.post(base + SERVICE, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text


def test_a_jwt_is_verified_against_the_jwks(tmp_path):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps(
        {"keys": [{**public, "kid": "ehr-1", "alg": "ES384", "use": "sig"}]}))
    with serving("--cds-jwks", str(tmp_path / "jwks.json")) as (base, _):
        def token(**claims) -> str:
            now = int(time.time())
            payload = {"iss": "https://ehr.example", "aud": base + SERVICE, "exp": now + 60,
                       "iat": now, "jti": str(uuid.uuid4()), **claims}
            return jwt.encode(payload, key, algorithm="ES384", headers={"kid": "ehr-1"})

        assert call(base, {}).status_code == 401
        assert call(base, {}, authorization=f"Bearer {token()}").status_code == 200
        once = token()
        assert call(base, {}, authorization=f"Bearer {once}").status_code == 200
        assert call(base, {}, authorization=f"Bearer {once}").status_code == 401  # replayed
        assert call(base, {}, authorization=f"Bearer {token(jti=None)}").status_code == 401
        # a token for another service, its host put in the Host header: refused at the door
        evil = "evil.example:" + base.rsplit(":", 1)[1]
        spoofed = call(base, {}, authorization=f"Bearer {token(aud=f'http://{evil}{SERVICE}')}",
                       host=evil)
        assert spoofed.status_code == 400 and spoofed.json()["title"] == "Not this server's host"
        assert call(base, {}, authorization=f"Bearer {token(aud='https://other')}").status_code == 401
        assert call(base, {}, authorization=f"Bearer {token(exp=1)}").status_code == 401
        other = ec.generate_private_key(ec.SECP384R1())
        forged = jwt.encode({"iss": "x", "aud": base + SERVICE, "exp": int(time.time()) + 60},
                            other, algorithm="ES384", headers={"kid": "ehr-1"})
        assert call(base, {}, authorization=f"Bearer {forged}").status_code == 401
        odd_header = base64.urlsafe_b64encode(b'{"alg": "ES384", "kid": ["ehr-1"]}').decode().rstrip("=")
        for garbage in ("x.y.z", f"{odd_header}.e30.c2ln"):
            refused = call(base, {}, authorization=f"Bearer {garbage}")
            assert refused.status_code == 401 and refused.json()["status"] == 401


def test_unmapped_chart_text_is_never_live_markdown(base):
    from markdown_it import MarkdownIt

    hostile = "[click](javascript:alert(1)) ![x](http://evil/x.png) <script>alert(1)</script>"
    cards = call(base, {"conditions": bundle(condition(ICD10, "Q99.9", text=hostile))}).json()["cards"]
    unread = [c for c in cards if "cannot read" in c["summary"]]
    assert unread and "alert(1)" in unread[0]["detail"]
    tokens = MarkdownIt("commonmark").parse(unread[0]["detail"])
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"link_open", "image", "html_inline", "html_block"}, kinds


def _medicine(**fields) -> dict:
    return {"resourceType": "MedicationRequest", "status": "active", **fields}


@pytest.mark.parametrize("key,entry,field", [
    ("conditions", [], "prefetch.conditions: not a FHIR resource"),
    ("conditions", "Condition?patient=p1", "prefetch.conditions: not a FHIR resource"),
    ("conditions", {"resourceType": "Patient"}, "prefetch.conditions.resourceType: 'Patient'"),
    ("conditions", {"entry": []}, "prefetch.conditions.resourceType: missing"),
    ("conditions", {"resourceType": "Bundle", "entry": {}}, "prefetch.conditions.entry: not a list"),
    ("conditions", {"resourceType": "Bundle", "entry": [{"fullUrl": "x"}]},
     "prefetch.conditions.entry[0].resource: not a FHIR resource"),
    ("conditions", bundle({"resourceType": "OperationOutcome", "issue": []}),
     "prefetch.conditions.entry[0].resource.resourceType: 'OperationOutcome'"),
    ("conditions", bundle(condition(ICD10, "I83.9"), {"resourceType": "Condition"}),
     "prefetch.conditions.entry[1].resource.code: not a CodeableConcept"),
    ("conditions", bundle({"resourceType": "Condition", "code": {"coding": []}}),
     "prefetch.conditions.entry[0].resource.code: no code and no text"),
    ("conditions", bundle({"resourceType": "Condition", "code": {"coding": {"code": "I80"}}}),
     "prefetch.conditions.entry[0].resource.code.coding: not a list"),
    ("conditions", bundle({"resourceType": "Condition", "code": {"coding": [{"code": 80}]}}),
     "prefetch.conditions.entry[0].resource.code.coding[0]"),
    ("conditions", bundle({**condition(ICD10, "I80.2"), "clinicalStatus": "active"}),
     "prefetch.conditions.entry[0].resource.clinicalStatus"),
    ("medications", bundle(_medicine()), "prefetch.medications.entry[0].resource.medicationCodeableConcept"),
    ("medications", bundle(_medicine(status=None)), "prefetch.medications.entry[0].resource.status"),
    ("questionnaireResponse", {"resourceType": "Questionnaire"},
     "prefetch.questionnaireResponse.resourceType: 'Questionnaire'"),
])
def test_a_malformed_prefetch_entry_is_a_problem_naming_it(base, key, entry, field):
    response = call(base, {key: entry})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"]


def test_two_questionnaire_responses_are_refused_not_one_picked(base, tmp_path):
    answers = response_of({"conditions": []}, tmp_path)
    response = call(base, {"questionnaireResponse": bundle(answers, answers)})
    assert response.status_code == 422 and "more than one" in response.json()["detail"]


def test_no_go_ahead_beside_a_chart_entry_that_maps_to_nothing(base, tmp_path):
    answers = response_of({"conditions": []}, tmp_path)
    alone = call(base, {"questionnaireResponse": answers}).json()["cards"]
    assert [c["indicator"] for c in alone] == ["info"]  # the go-ahead, from the answers
    unread = bundle(condition(ICD10, "Q99.9", text="Something unknown"))
    by_reference = bundle(_medicine(medicationReference={"reference": "Medication/42"}))
    cards = call(base, {"questionnaireResponse": answers, "conditions": unread,
                        "medications": by_reference}).json()["cards"]
    check_cards(cards)
    assert [c["indicator"] for c in cards] == ["warning"]
    assert "Something unknown" in cards[0]["detail"] and "Medication/42" in cards[0]["detail"]
    assert "2 chart entries" in cards[0]["summary"]


@pytest.mark.parametrize("chart", [
    {"medications": {"resourceType": "Bundle", "type": "searchset", "entry": []}},  # no conditions
    {"conditions": None, "medications": {"resourceType": "Bundle", "type": "searchset", "entry": []}},
    {"conditions": {"resourceType": "Bundle", "type": "searchset", "entry": []}, "medications": None},
    {}])
def test_a_chart_key_absent_or_null_is_an_unread_chart_never_a_go_ahead(base, tmp_path, chart):
    answers = response_of({"conditions": []}, tmp_path)
    cards = call(base, {"questionnaireResponse": answers, **chart}, chart=False).json()["cards"]
    check_cards(cards)
    assert [c["indicator"] for c in cards] == ["warning"]
    assert "could not be read" in cards[0]["summary"]
    assert not any("proceed" in c["summary"] for c in cards)
    missing = [k for k in ("conditions", "medications") if chart.get(k) is None]
    assert all(k in cards[0]["summary"] for k in missing)


def test_an_unread_chart_still_shows_a_red_flag_in_the_answers(base, tmp_path):
    answers = response_of({"conditions": [{"code": "calf_swelling_red_flag"}]}, tmp_path)
    cards = call(base, {"questionnaireResponse": answers}, chart=False).json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical", "warning"]


def test_an_empty_bundle_is_an_empty_chart(base, tmp_path):
    answers = response_of({"conditions": []}, tmp_path)
    cards = call(base, {"questionnaireResponse": answers}).json()["cards"]
    assert [c["summary"] for c in cards] == ["Leg massage: proceed as planned, with the usual care."]


@pytest.mark.parametrize("key", ["condition", "medication", "Conditions", "patient"])
def test_an_unknown_prefetch_key_is_a_problem_naming_it(base, tmp_path, key):
    answers = response_of({"conditions": []}, tmp_path)
    response = call(base, {"questionnaireResponse": answers, key: bundle()}, chart=False)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert f"prefetch.{key}: not a prefetch key" in response.json()["detail"]


def _medicine_on(status: str) -> dict:
    return _medicine(status=status, medicationCodeableConcept={"coding": [{"system": RXNORM, "code": "11289"}]})


@pytest.mark.parametrize("status,counted", [("on-hold", True), ("unknown", True), ("active", True),
                                            ("stopped", False), ("completed", False)])
def test_a_blood_thinner_on_hold_or_unknown_still_counts(base, tmp_path, status, counted):
    answers = response_of({"conditions": []}, tmp_path)
    cards = call(base, {"questionnaireResponse": answers,
                        "medications": bundle(_medicine_on(status))}).json()["cards"]
    assert ("anticoagulants" in cards[0]["detail"]) is counted
    assert cards[0]["summary"].startswith("Leg massage: only with changes" if counted else
                                          "Leg massage: proceed")


@pytest.mark.parametrize("status", ["resolved", "inactive", "remission"])
def test_a_past_condition_that_maps_to_nothing_is_still_named(base, tmp_path, status):
    answers = response_of({"conditions": []}, tmp_path)
    chart = bundle(condition(ICD10, "Q99.9", status, text="An old rare thing"))
    cards = call(base, {"questionnaireResponse": answers, "conditions": chart}).json()["cards"]
    assert [c["indicator"] for c in cards] == ["warning"]  # no go-ahead beside it
    assert f"An old rare thing ({status})" in cards[0]["detail"]


def test_the_public_url_is_the_audience_and_the_link_whatever_the_host_header(tmp_path):
    import httpx
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**public, "kid": "k", "alg": "ES384"}]}))
    site = "https://clinic.example:8443"
    with serving("--cds-jwks", str(tmp_path / "jwks.json"), "--public-url", site,
                 host="clinic.example:8443") as (base, _):
        def token(aud: str) -> str:
            claims = {"iss": "https://ehr.example", "aud": aud, "exp": int(time.time()) + 60,
                      "jti": str(uuid.uuid4())}
            return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "k"})

        def post(aud: str, host: str = "clinic.example:8443") -> httpx.Response:
            return call(base, {}, authorization=f"Bearer {token(aud)}", host=host)

        answered = post(site + SERVICE)
        assert answered.status_code == 200, answered.text
        assert answered.json()["cards"][-1]["links"][0]["url"] == site + "/"
        assert post(base + SERVICE).status_code == 401  # the bind address is not the audience
        refused = post(base + SERVICE, host=base.split("//")[1])
        assert refused.status_code == 400 and refused.json()["title"] == "Not this server's host"
