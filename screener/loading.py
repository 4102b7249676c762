"""Loading a rule set for screening: read and checked (``screener.rules``), compiled for
the engine within its bounds (``screener.engine.patterns``), and every rule's cases
validated as intakes (``screener.answers``). It sits above all three, so none of them
needs another's late import."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import ValidationError

from .answers.intake import Intake
from .engine.patterns import check_engine_bounds
from .errors import RulesError, describe_invalid
from .rules import RuleSet, bundled_rules, read_rules


@cache
def default_rules() -> RuleSet:
    """The shipped rule set, loaded once per process (the very object intakes are checked
    against when no rule set is named)."""
    return _ready(bundled_rules())


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a rule set folder; raise ``RulesError`` naming file and rule."""
    return _ready(read_rules(path))


def _ready(rules: RuleSet) -> RuleSet:
    rules.definition = check_engine_bounds(rules)
    _check_cases(rules)
    return rules


def _check_cases(rules: RuleSet) -> None:
    """Each case must be a valid intake for this rule set (the cases are run by the tests)."""
    for owner, rule in rules.rules:
        for label, cases in (("fires", rule.cases.fires),
                             ("does_not_fire", rule.cases.does_not_fire)):
            for n, case in enumerate(cases, 1):
                try:
                    Intake.model_validate(case.intake, context={"rules": rules})
                except ValidationError as exc:
                    raise RulesError(
                        f"cases.{label} #{n}: {describe_invalid(exc)}",
                        file=rules.file(owner.code), rule=rule.id,
                    ) from None
