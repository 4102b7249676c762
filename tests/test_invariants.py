"""The seven invariants of the contract, as properties over intakes from the whole catalogue."""

from __future__ import annotations

import copy
from unittest import mock

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import CODES, RULES, condition_st, intake_st

from screener import Assessment, EngineError, Intake, screen
from screener.engine.facts import build_facts
from screener.routine.book import routine_book
from screener.vocabulary import AREA_RANK, DECISION_RANK, PRESSURE_RANK, SEVERITIES


def _screen(data) -> Assessment:
    return screen(Intake.model_validate(data))


def _caps(a: Assessment) -> dict[tuple[str, str], str]:
    return {(c.area, c.side): c.max for c in a.pressure_caps}


@given(intake_st())
def test_1_routine_exactly_when_proceed_or_adjust(data):
    a = _screen(data)
    if a.decision in ("refer", "urgent"):
        assert a.routine is None and a.referral is not None
        assert a.referral.urgency == a.decision
    else:
        assert a.routine is not None and a.referral is None


@given(intake_st())
def test_2_no_step_touches_or_passes_over_an_excluded_site(data):
    a = _screen(data)
    assume(a.routine is not None)
    excluded = {(e.area, e.side) for e in a.exclusions}
    base = [s.areas for s in routine_book().routines[a.routine.goal].steps]
    for step in a.routine.steps:
        places = [(s.area, s.side) for s in step.sites]
        assert not excluded & set(places), step
        assert len({side for _, side in places}) == 1, step
        areas = [area for area, _ in places]
        ranks = [AREA_RANK[x] for x in areas]
        assert ranks == list(range(ranks[0], ranks[0] + len(ranks))), "a gap: passed over"
        # the step is a whole base step or a run cut out of one, never something new
        assert any(areas == b[i:i + len(areas)] for b in base for i in range(len(b))), step


@given(intake_st())
def test_3_no_step_exceeds_a_cap_or_the_preferred_pressure(data):
    a = _screen(data)
    assume(a.routine is not None)
    caps = _caps(a)
    for step in a.routine.steps:
        rank = PRESSURE_RANK[step.pressure]
        assert rank <= PRESSURE_RANK[data["preferred_pressure"]]
        for s in step.sites:
            assert rank <= PRESSURE_RANK[caps.get((s.area, s.side), "deep")], step


@given(intake_st())
def test_4_no_step_uses_an_avoided_technique(data):
    a = _screen(data)
    assume(a.routine is not None)
    everywhere = {x.technique for x in a.avoid if x.area is None}
    local = {(x.technique, x.area, x.side) for x in a.avoid if x.area}
    for step in a.routine.steps:
        assert step.technique not in everywhere
        for s in step.sites:
            assert (step.technique, s.area, s.side) not in local, step


def _no_less_restrictive(before: Assessment, after: Assessment) -> None:
    assert DECISION_RANK[after.decision] >= DECISION_RANK[before.decision]
    assert set(before.exclusions) <= set(after.exclusions)
    caps_after = _caps(after)
    for place, cap in _caps(before).items():
        assert place in caps_after and PRESSURE_RANK[caps_after[place]] <= PRESSURE_RANK[cap]


@given(intake_st(max_conditions=4), st.data())
def test_5_adding_a_condition_is_never_less_restrictive(data, draw):
    free = [c for c in CODES if c not in {x["code"] for x in data["conditions"]}]
    extra = draw.draw(condition_st(draw.draw(st.sampled_from(free))))
    more = copy.deepcopy(data)
    more["conditions"].insert(draw.draw(st.integers(0, len(data["conditions"]))), extra)
    _no_less_restrictive(_screen(data), _screen(more))


@given(intake_st(), st.data())
def test_5_adding_a_site_is_never_less_restrictive(data, draw):
    with_sites = [c for c in data["conditions"] if c.get("sites")]
    assume(with_sites)  # an empty list means both whole legs: adding to it narrows
    more = copy.deepcopy(data)
    target = draw.draw(st.sampled_from([c for c in more["conditions"] if c.get("sites")]))
    target["sites"].append(draw.draw(st.fixed_dictionaries(
        {"side": st.sampled_from(["left", "right", "both"])},
        optional={"area": st.sampled_from(list(AREA_RANK))})))
    _no_less_restrictive(_screen(data), _screen(more))


@given(intake_st(), st.data())
def test_5_a_higher_severity_is_never_less_restrictive(data, draw):
    rated = [c for c in data["conditions"] if c.get("severity") not in (None, "severe")]
    assume(rated)
    more = copy.deepcopy(data)
    target = draw.draw(st.sampled_from(
        [c for c in more["conditions"] if c.get("severity") not in (None, "severe")]))
    worse = SEVERITIES[SEVERITIES.index(target["severity"]) + 1:]
    target["severity"] = draw.draw(st.sampled_from(worse))
    _no_less_restrictive(_screen(data), _screen(more))


@given(intake_st())
def test_6_same_intake_same_bytes(data):
    assert _screen(data).to_json() == _screen(copy.deepcopy(data)).to_json()


# Each stage of the path, and when it is reached for an assessment.
STAGES = {
    "screener.screening.keyed_facts": lambda data, a: True,
    "screener.engine.facts.fact_parts": lambda data, a: bool(data["conditions"]),
    "screener.engine.session.Engine.run": lambda data, a: True,
    "screener.screening.keyed_findings": lambda data, a: True,
    "screener.decision.findings._finding": lambda data, a: bool(a.findings),
    "screener.screening.combine": lambda data, a: True,
    "screener.screening.routine_for": lambda data, a: a.routine is not None,
    "screener.routine.adjust.routine_book": lambda data, a: a.routine is not None,
}


@given(intake_st(), st.sampled_from(sorted(STAGES)))
def test_7_an_error_anywhere_fails_closed(data, stage):
    """With the work kept from the baseline, a stage may not run again: the result is then
    the baseline or the error. With it forgotten, every stage reached fails closed."""
    baseline = _screen(data)
    with mock.patch(stage, side_effect=RuntimeError(f"injected failure in {stage}")):
        try:
            assert _screen(data) == baseline
        except RuntimeError as exc:
            assert "injected" in str(exc)
        RULES.clear_memos()
        if STAGES[stage](data, baseline):
            with pytest.raises(RuntimeError, match="injected"):
                _screen(data)
        else:
            assert _screen(data) == baseline


def test_7_an_error_inside_a_rule_action_fails_closed(monkeypatch):
    from screener.engine.session import Engine

    engine = Engine(RULES)

    def broken(*args):
        raise KeyError("injected")

    monkeypatch.setattr("screener.engine.session.Match", broken)  # every action now raises
    intake = Intake.model_validate({"conditions": [{"code": "open_wound"}]})
    with pytest.raises(EngineError, match="rule action failed"):
        engine.run(build_facts(intake))
