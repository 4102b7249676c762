"""The result as a FHIR R4 GuidanceResponse (why this resource: see docs/fhir.md).

A GuidanceResponse is what a decision-support module returns: ``moduleUri`` names the
rule set (by url and version), ``status`` says it ran, and the decision, findings,
combined actions and the rule set's identity travel in a contained ``Parameters``
resource it points to through ``outputParameters``. It needs no subject: the screener
keeps no identity of the person. No timestamp, so the same intake and rules give the
same bytes (invariant 6).
"""

from __future__ import annotations

from typing import Any

from screener.decision.assessment import Assessment
from screener.rules import RuleSet
from screener.fhir.questionnaire import BASE, ruleset_url
from screener.render.escape import markdown_text

OUTPUT_ID = "output"
Part = dict[str, Any]


def _code(name: str, value: str) -> Part:
    return {"name": name, "valueCode": value}


def _string(name: str, value: str) -> Part:
    return {"name": name, "valueString": value}


def _fields(name: str, data: dict[str, Any]) -> Part:
    """One JSON object of the assessment (a site, a cap, an action) as a parameter."""
    return {"name": name, "part": [_string(k, str(v)) if k == "message" else _code(k, str(v))
                                   for k, v in data.items()]}


def _finding(finding: Any) -> Part:
    parts = [_code("rule", finding.rule), _code("decision", finding.decision),
             _string("reason", finding.reason)]
    parts += [_string("source", s) for s in finding.sources]
    parts += [_fields("action", a.model_dump()) for a in finding.actions]
    return {"name": "finding", "part": parts}


def parameters(assessment: Assessment) -> dict[str, Any]:
    """Everything the assessment JSON says but the routine: decision, findings, the
    combined actions, referral and rule set."""
    params: list[Part] = [_code("decision", assessment.decision)]
    params += [_finding(f) for f in assessment.findings]
    params += [_fields("exclusion", e.model_dump()) for e in assessment.exclusions]
    params += [_fields("pressure_cap", c.model_dump()) for c in assessment.pressure_caps]
    params += [_fields("avoid", a.model_dump()) for a in assessment.avoid]
    if assessment.referral:
        params.append(_fields("referral", assessment.referral.model_dump()))
    if assessment.routine and assessment.routine.notice:
        params.append(_string("notice", assessment.routine.notice))
    params += [_fields("assumption", a.model_dump()) for a in assessment.assumptions]
    params.append({"name": "ruleset", "part": [
        _string(k, v) for k, v in assessment.ruleset.model_dump().items()]})
    return {"resourceType": "Parameters", "id": OUTPUT_ID, "parameter": params}


def guidance_response(assessment: Assessment, rules: RuleSet) -> dict[str, Any]:
    return {
        "resourceType": "GuidanceResponse",
        "contained": [parameters(assessment)],
        "identifier": [{"system": f"{BASE}/ruleset-digest", "value": rules.digest}],
        "moduleUri": ruleset_url(rules),
        "status": "success",
        "outputParameters": {"reference": f"#{OUTPUT_ID}"},
        # Annotation.text is FHIR markdown: rule text in it is escaped as such
        "note": [{"text": markdown_text(assessment.referral.message) if assessment.referral
                  else f"Decision: {assessment.decision}."}],
    }
