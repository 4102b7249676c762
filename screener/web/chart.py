"""A patient's chart (prefetched FHIR Conditions and MedicationRequests) read through the
rule files' ``chart_codes``: which condition codes it names, and which entries it holds
that map to nothing (named in a card, never dropped).

Conditions count when active, recurring or relapsed (or with no clinical status: the
cautious reading), and when resolved only where the rule file says the history matters
(a past clot, cancer); refuted and entered-in-error ones never count. One that maps to
nothing is named whatever its clinical status. MedicationRequests count when active, on
hold or of unknown status (the cautious reading). ICD-10 and ATC
codes cover their sub-codes; SNOMED CT and RxNorm codes match exactly, since reading a
hierarchy needs a terminology server and this service fetches nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from screener.errors import InputError, shown
from screener.rules import RuleSet

SYSTEMS = {"http://snomed.info/sct": "snomed", "http://hl7.org/fhir/sid/icd-10": "icd10",
           "http://hl7.org/fhir/sid/icd-10-cm": "icd10", "http://www.whocc.no/atc": "atc",
           "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm"}
PREFIX_SYSTEMS = {"icd10", "atc"}
COUNTING = {"active", "recurrence", "relapse"}
NEVER = {"refuted", "entered-in-error"}
# on hold or of unknown status still counts: a blood thinner paused is still in the blood
ACTIVE_ORDERS = {"active", "on-hold", "unknown"}


@dataclass
class Chart:
    codes: list[str] = field(default_factory=list)  # condition codes, rule-set order
    unmapped: list[str] = field(default_factory=list)  # how the chart names each entry

    def __bool__(self) -> bool:
        return bool(self.codes or self.unmapped)


def _what(value: Any) -> str:
    return f"'{shown(value)}'" if isinstance(value, str) else "missing" if value is None \
        else f"a JSON {type(value).__name__}"


def resources(prefetched: Any, kind: str, key: str) -> list[tuple[str, dict[str, Any]]]:
    """The resources of ``kind`` in prefetch entry ``key`` (a Bundle's entries or one
    resource; ``None``, not prefetched, is none), each with its path for messages.
    Anything else is an InputError naming the key and the field: a chart that cannot be
    read is refused, never read as an empty one."""
    where = f"prefetch.{key}"
    if prefetched is None:
        return []
    if not isinstance(prefetched, dict):
        raise InputError(f"{where}: not a FHIR resource but {_what(prefetched)}")
    if prefetched.get("resourceType") == kind:
        return [(where, prefetched)]
    if prefetched.get("resourceType") != "Bundle":
        raise InputError(f"{where}.resourceType: {_what(prefetched.get('resourceType'))}, "
                         f"expected Bundle or {kind}")
    entry = prefetched.get("entry", [])
    if not isinstance(entry, list):
        raise InputError(f"{where}.entry: not a list but {_what(entry)}")
    found = []
    for i, item in enumerate(entry):
        at = f"{where}.entry[{i}].resource"
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            raise InputError(f"{at}: not a FHIR resource but {_what(resource)}")
        if resource.get("resourceType") != kind:
            raise InputError(f"{at}.resourceType: {_what(resource.get('resourceType'))}, expected {kind}")
        found.append((at, resource))
    return found


def _status_concept(resource: dict[str, Any], key: str, at: str) -> dict[str, Any] | None:
    """An optional CodeableConcept (clinicalStatus, verificationStatus), shape checked."""
    return None if resource.get(key) is None else _concept(resource, key, at, coded=False)


def _concept(resource: dict[str, Any], key: str, at: str, coded: bool = True) -> dict[str, Any]:
    """A CodeableConcept of the resource, its shape checked (``coding`` a list of objects
    with string ``system`` and ``code``; when ``coded``, a code or a ``text``); an
    InputError naming the field otherwise."""
    concept = resource.get(key)
    where = f"{at}.{key}"
    if not isinstance(concept, dict):
        raise InputError(f"{where}: not a CodeableConcept but {_what(concept)}")
    codings = concept.get("coding", [])
    if not isinstance(codings, list):
        raise InputError(f"{where}.coding: not a list but {_what(codings)}")
    for i, c in enumerate(codings):
        if not isinstance(c, dict) or not all(isinstance(c.get(k, ""), str)
                                               for k in ("system", "code", "display")):
            raise InputError(f"{where}.coding[{i}]: not a Coding with string system and code")
    if coded and not any(c.get("code") for c in codings) and not concept.get("text"):
        raise InputError(f"{where}: no code and no text")
    return concept


def _codes(concept: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(SYSTEMS.get(c.get("system", ""), ""), c.get("code", "").upper())
            for c in (concept or {}).get("coding", [])]


def _status(concept: dict[str, Any] | None) -> set[str]:
    """The codes of a status CodeableConcept (clinicalStatus, verificationStatus)."""
    return {c.get("code", "") for c in (concept or {}).get("coding", [])}


def _name(concept: dict[str, Any]) -> str:
    """How the chart names an entry (its text, a display, or its system and code)."""
    if isinstance(concept.get("text"), str) and concept["text"]:
        return shown(concept["text"])
    for c in concept.get("coding", []):
        return shown(c.get("display") or f"{c.get('system', '')} {c.get('code', '')}".strip())
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


def _match(index: list[tuple[str, str, str, bool]], concept: dict[str, Any]
           ) -> list[tuple[str, bool]]:
    found = []
    for system, code in _codes(concept):
        for s, c, condition, history in index:
            if s == system and (code == c or (system in PREFIX_SYSTEMS and code.startswith(c))):
                found.append((condition, history))
    return found


def _medicine(resource: dict[str, Any], at: str) -> dict[str, Any] | str:
    """A MedicationRequest's medicine: its CodeableConcept (R4 ``medicationCodeableConcept``
    or R5 ``medication.concept``), or, for a reference this service cannot follow (it
    fetches nothing), the name the reference gives."""
    if "medicationCodeableConcept" in resource:
        return _concept(resource, "medicationCodeableConcept", at)
    medication = resource.get("medication")
    if isinstance(medication, dict) and "concept" in medication:
        return _concept(medication, "concept", f"{at}.medication")
    reference = resource.get("medicationReference") or (
        medication.get("reference") if isinstance(medication, dict) else None)
    named = (reference.get("display") or reference.get("reference")
             if isinstance(reference, dict) else None)
    if isinstance(named, str) and named:
        return shown(f"a medicine given by reference: {named}")
    raise InputError(f"{at}.medicationCodeableConcept: missing (nor a medication concept or "
                     "a reference)")


def read_chart(rules: RuleSet, conditions: Any, medications: Any) -> Chart:
    chart = Chart()
    codes: set[str] = set()
    diagnoses = _index(rules, "diagnoses")
    for at, resource in resources(conditions, "Condition", "conditions"):
        code = _concept(resource, "code", at)
        clinical = _status(_status_concept(resource, "clinicalStatus", at))
        if _status(_status_concept(resource, "verificationStatus", at)) & NEVER:
            continue
        current = not clinical or bool(clinical & COUNTING)
        matches = _match(diagnoses, code)
        if not matches:  # named whatever its status: only the clinician can say it is past
            chart.unmapped.append(_name(code) + ("" if current else
                                                 f" ({shown(', '.join(sorted(clinical)))})"))
            continue
        codes.update(c for c, history in matches if current or history)
    medicines = _index(rules, "medicines")
    for at, resource in resources(medications, "MedicationRequest", "medications"):
        if not isinstance(resource.get("status"), str):
            raise InputError(f"{at}.status: not a status code but {_what(resource.get('status'))}")
        if resource["status"] not in ACTIVE_ORDERS:
            continue
        medicine = _medicine(resource, at)
        matches = [] if isinstance(medicine, str) else _match(medicines, medicine)
        if matches:
            codes.update(c for c, _ in matches)
        else:
            chart.unmapped.append(medicine if isinstance(medicine, str) else _name(medicine))
    chart.codes = [code for code in rules.conditions if code in codes]
    return chart
