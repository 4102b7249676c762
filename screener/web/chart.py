"""A patient's chart (prefetched FHIR Conditions and MedicationRequests) read through the
rule files' ``chart_codes``: which condition codes it names, and which entries it holds
that map to nothing (named in a card, never dropped).

Conditions count when active, recurring or relapsed (or with no clinical status: the
cautious reading), and when resolved only where the rule file says the history matters
(a past clot, cancer); refuted and entered-in-error ones never count. ICD-10 and ATC
codes cover their sub-codes; SNOMED CT and RxNorm codes match exactly, since reading a
hierarchy needs a terminology server and this service fetches nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screener.errors import shown
from screener.rules import RuleSet

SYSTEMS = {"http://snomed.info/sct": "snomed", "http://hl7.org/fhir/sid/icd-10": "icd10",
           "http://hl7.org/fhir/sid/icd-10-cm": "icd10", "http://www.whocc.no/atc": "atc",
           "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm"}
PREFIX_SYSTEMS = {"icd10", "atc"}
COUNTING = {"active", "recurrence", "relapse"}
NEVER = {"refuted", "entered-in-error"}


@dataclass
class Chart:
    codes: list[str] = field(default_factory=list)  # condition codes, rule-set order
    unmapped: list[str] = field(default_factory=list)  # how the chart names each entry

    def __bool__(self) -> bool:
        return bool(self.codes or self.unmapped)


def resources(prefetched: Any, kind: str) -> list[dict[str, Any]]:
    """The resources of ``kind`` in a prefetch entry: a Bundle's entries, one resource, or
    none."""
    if not isinstance(prefetched, dict):
        return []
    if prefetched.get("resourceType") == "Bundle":
        found = [e.get("resource") for e in prefetched.get("entry") or [] if isinstance(e, dict)]
    else:
        found = [prefetched]
    return [r for r in found if isinstance(r, dict) and r.get("resourceType") == kind]


def _codes(concept: Any) -> list[tuple[str, str]]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [(SYSTEMS.get(str(c.get("system")), ""), str(c.get("code", "")).upper())
            for c in codings or [] if isinstance(c, dict)]


def _status(resource: dict[str, Any], key: str) -> set[str]:
    """The codes of a status CodeableConcept (clinicalStatus, verificationStatus)."""
    concept = resource.get(key)
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return {str(c.get("code")) for c in codings or [] if isinstance(c, dict)}


def _name(concept: Any) -> str:
    if isinstance(concept, dict):
        if concept.get("text"):
            return shown(str(concept["text"]))
        for c in concept.get("coding") or []:
            if isinstance(c, dict):
                return shown(str(c.get("display") or f"{c.get('system')} {c.get('code')}"))
    return "an entry without a code"


def _index(rules: RuleSet, kind: str) -> list[tuple[str, str, str, bool]]:
    """(system, code, condition, history matters) for every chart code of ``kind``."""
    out = []
    for condition in rules.conditions.values():
        chart = condition.chart_codes
        if chart is not None:
            for c in getattr(chart, kind):
                out.append((c.system, c.code.upper(), condition.code, chart.history_matters))
    return out


def _match(index: list[tuple[str, str, str, bool]], concept: Any) -> list[tuple[str, bool]]:
    found = []
    for system, code in _codes(concept):
        for s, c, condition, history in index:
            if s == system and (code == c or (system in PREFIX_SYSTEMS and code.startswith(c))):
                found.append((condition, history))
    return found


def read_chart(rules: RuleSet, conditions: Any, medications: Any) -> Chart:
    chart = Chart()
    codes: set[str] = set()
    diagnoses = _index(rules, "diagnoses")
    for resource in resources(conditions, "Condition"):
        if _status(resource, "verificationStatus") & NEVER:
            continue
        clinical = _status(resource, "clinicalStatus")
        current = not clinical or bool(clinical & COUNTING)
        matches = _match(diagnoses, resource.get("code"))
        if not matches:
            if current:
                chart.unmapped.append(_name(resource.get("code")))
            continue
        codes.update(code for code, history in matches if current or history)
    medicines = _index(rules, "medicines")
    for resource in resources(medications, "MedicationRequest"):
        if resource.get("status") != "active":
            continue
        concept = resource.get("medicationCodeableConcept") or (
            resource.get("medication") or {}).get("concept")
        matches = _match(medicines, concept)
        if matches:
            codes.update(code for code, _ in matches)
        else:
            chart.unmapped.append(_name(concept))
    chart.codes = [code for code in rules.conditions if code in codes]
    return chart
