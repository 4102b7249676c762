"""``screen()``: the one-way path intake → facts → engine → findings → decision → routine."""

from __future__ import annotations

from pydantic import ValidationError

from screener.routine.adjust import Wish, routine_for
from screener.decision.assessment import Assessment, Finding, RulesetInfo, unshared
from screener.engine.session import Match, Result, engine_for, match_key
from screener.errors import EngineError, InputError, describe_invalid
from screener.engine.facts import FactsKey, assumptions, keyed_facts
from screener.decision.findings import Combined, FindingKey, combine, keyed_findings
from screener.answers.intake import Intake
from screener.engine.reference import PER_FACTS_MEMO, Reference, reference_reading
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
    facts, key = keyed_facts(intake, rules)  # the only read of the answers' conditions
    result = engine_for(rules).run(facts)
    cross_check(result, reference_reading(rules, intake, (facts, key)))
    # The work after the engine is kept on the rule set, each part per distinct input it
    # reads: the findings and their combination per set of condition facts (the matches
    # follow from them: the cross-check has just said so), a routine per wish and
    # findings. Kept parts are copied out, so no caller shares a list with another.
    keyed, fired, combined = rules.memo("decided", PER_FACTS_MEMO).get(
        key, lambda: _decided(rules, key, result.matches))
    routine = None
    if combined.decision in ("proceed", "adjust"):
        wish = Wish.of(intake)
        routine = unshared(rules.memo("routines").get((wish, fired),
                                                      lambda: routine_for(wish, combined)))
    return Assessment(
        decision=combined.decision,
        findings=[unshared(f) for f in keyed],
        exclusions=list(combined.exclusions),
        pressure_caps=list(combined.pressure_caps),
        avoid=list(combined.avoid),
        referral=combined.referral,
        routine=routine,
        assumptions=assumptions(intake, rules),
        ruleset=rules.memo("identity").get(
            (rules.name, rules.version, rules.digest),
            lambda: RulesetInfo(name=rules.name, version=rules.version, digest=rules.digest)),
    )


def _decided(rules: RuleSet, parts: FactsKey, matches: list[Match]
             ) -> tuple[tuple[Finding, ...], tuple[FindingKey, ...], Combined]:
    """The findings of these matches, their keys, and their combination."""
    keyed = keyed_findings(rules, parts, matches)
    fired = tuple(key for key, _ in keyed)
    combined = rules.memo("combined").get(fired, lambda: combine([f for _, f in keyed]))
    return tuple(f for _, f in keyed), fired, combined


def cross_check(engine: Result, reference: Reference) -> None:
    """The engine's matches and derived group facts must be exactly those of an
    independent reading of the same rules over the same facts: a silent engine (a
    dropped fact, a lost, extra or rebound match, a group fact lost) fails closed."""
    expected, groups = reference
    fired = {match_key(m) for m in engine.matches}
    if engine.groups != groups:
        lost = sorted(f"{g}<-#{n}" for g, n in groups - engine.groups)
        extra = sorted(f"{g}<-#{n}" for g, n in engine.groups - groups)
        raise EngineError("the rules engine and the plain reading of the rules derived "
                          f"different signs (missed: {', '.join(lost) or '-'}; "
                          f"unexpected: {', '.join(extra) or '-'}): no result is given")
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
