"""``screen()``: the one-way path intake → facts → engine → findings → decision → routine."""

from __future__ import annotations

from pydantic import ValidationError

from screener.routine.adjust import adjust_routine
from screener.decision.assessment import Assessment, RulesetInfo
from screener.engine.session import Match, engine_for, match_key
from screener.errors import EngineError, InputError, describe_invalid
from screener.engine.facts import assumptions, build_facts
from screener.decision.findings import build_findings, combine
from screener.answers.intake import Intake
from screener.engine.reference import reference_matches
from screener.loading import default_rules
from screener.rules import RuleSet


def screen(intake: Intake, rules: RuleSet | None = None) -> Assessment:
    """Screen one intake. Raises rather than return a routine it cannot vouch for.

    ``rules`` defaults to the shipped rule set. An intake not validated against this very
    rule set (another one, or none: ``model_construct``) is validated again against it,
    so a code or flag these rules do not know is an error, never a condition skipped.
    """
    rules = rules or default_rules()
    if not isinstance(intake, Intake):
        raise TypeError("screen() takes an Intake: use Intake.model_validate(data) first")
    if intake.checked_by() is not rules:
        _check_against(intake, rules)
    facts = build_facts(intake, rules)
    matches = engine_for(rules).run(facts)
    cross_check(matches, reference_matches(rules, intake, facts))
    findings = build_findings(rules, intake, matches)
    combined = combine(findings)
    routine = None
    if combined.decision in ("proceed", "adjust"):
        routine = adjust_routine(intake, combined)
    return Assessment(
        decision=combined.decision,
        findings=findings,
        exclusions=combined.exclusions,
        pressure_caps=combined.pressure_caps,
        avoid=combined.avoid,
        referral=combined.referral,
        routine=routine,
        assumptions=assumptions(intake, rules),
        ruleset=RulesetInfo(name=rules.name, version=rules.version, digest=rules.digest),
    )


def cross_check(engine: list[Match], reference: list[Match]) -> None:
    """The engine's matches must be exactly those of an independent reading of the same
    rules: a silent engine (a dropped fact, a lost or extra match) fails closed."""
    fired, expected = {match_key(m) for m in engine}, {match_key(m) for m in reference}
    if fired != expected:
        missing = sorted(r for r, _ in expected - fired)
        extra = sorted(r for r, _ in fired - expected)
        raise EngineError("the rules engine and the plain reading of the rules disagree "
                          f"(missed: {', '.join(missing) or '-'}; "
                          f"unexpected: {', '.join(extra) or '-'}): no result is given")


def _check_against(intake: Intake, rules: RuleSet) -> None:
    try:
        Intake.model_validate(intake.model_dump(warnings=False), context={"rules": rules})
    except (ValidationError, TypeError, ValueError, AttributeError) as exc:
        detail = describe_invalid(exc) if isinstance(exc, ValidationError) else "not an intake"
        raise InputError(
            f"the intake does not fit rule set {rules.name!r}: {detail}"
        ) from None
