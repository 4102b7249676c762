"""Every case of every rule file: the rule fires where it must and not where it must not.

This is the generic runner (as sqlfluff runs its YAML fixtures): adding a condition is
one rule file with its cases, and it is tested here with no new test code.
"""

from __future__ import annotations

import pytest

from screener import Intake, default_rules, screen

RULES = default_rules()
FIRES = [(r.id, i, c) for _, r in RULES.rules for i, c in enumerate(r.cases.fires, 1)]
QUIET = [(r.id, i, c) for _, r in RULES.rules for i, c in enumerate(r.cases.does_not_fire, 1)]


def _assess(case):
    return screen(Intake.model_validate(case.intake, context={"rules": RULES}), RULES)


@pytest.mark.parametrize(("rule_id", "n", "case"), FIRES, ids=[f"{r}-fires-{n}" for r, n, _ in FIRES])
def test_rule_fires(rule_id, n, case):
    assessment = _assess(case)
    assert rule_id in [f.rule for f in assessment.findings]
    expect = case.expect
    if expect.decision:
        assert assessment.decision == expect.decision
    dump = assessment.model_dump(mode="json")
    for key in ("exclusions", "pressure_caps", "avoid"):
        for item in getattr(expect, key):
            assert item in dump[key], f"{key} lacks {item}"


@pytest.mark.parametrize(("rule_id", "n", "case"), QUIET,
                         ids=[f"{r}-does-not-fire-{n}" for r, n, _ in QUIET])
def test_rule_does_not_fire(rule_id, n, case):
    assert rule_id not in [f.rule for f in _assess(case).findings]


def test_every_condition_has_a_rule_and_every_rule_its_cases():
    for condition in RULES.conditions.values():
        assert condition.rules, condition.code
        for rule in condition.rules:
            assert rule.cases.fires and rule.cases.does_not_fire, rule.id
