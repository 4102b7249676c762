"""Tools and machines (seed 002): tool steps where the routines use them, machine steps
only when asked for, and never a machine run lighter, split, or on an avoided site."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from strategies import as_v11, intake_st

from screener import Intake, screen
from screener.routine.adjust import adjust_routine
from screener.decision.assessment import Finding, FindingAction
from screener.decision.findings import combine
from screener.vocabulary import AREAS, MACHINES, TECHNIQUE_MIN_PRESSURE


def routine(**data):
    """The routine for these answers, written as v1.1 meant them (unlisted follow-ups: no)."""
    a = screen(Intake.model_validate(as_v11({"goal": "foot_relief", "conditions": [], **data})))
    assert a.routine is not None
    return a.routine


def machine_steps(r):
    return [s for s in r.steps if s.tool in MACHINES]


def test_foot_relief_uses_the_seed_tools_and_no_machine_unless_asked():
    r = routine()
    assert {s.tool for s in r.steps} == {None, "foot_roller", "tennis_ball", "frozen_bottle"}
    assert machine_steps(r) == []


def test_machines_when_asked_work_at_their_one_pressure_on_foot_to_calf():
    r = routine(machines=True, preferred_pressure="firm")
    found = machine_steps(r)
    assert {(s.tool, s.sites[0].side) for s in found} == {
        (t, side) for t in MACHINES for side in ("left", "right")}
    for s in found:
        assert s.pressure == TECHNIQUE_MIN_PRESSURE[s.technique]
        assert [x.area for x in s.sites] == ["foot", "ankle", "shin", "calf"]


def test_a_light_cap_on_the_calves_leaves_no_machine_step():
    r = routine(machines=True, preferred_pressure="firm",
                conditions=[{"code": "anticoagulants"}])  # light on both legs
    assert machine_steps(r) == []
    rollers = [s for s in r.steps if s.tool == "foot_roller"]
    assert rollers and {s.pressure for s in rollers} == {"light"}  # a roller can go lightly


def test_a_machine_is_never_split_around_an_excluded_area():
    r = routine(machines=True, preferred_pressure="firm", conditions=[
        {"code": "open_wound", "sites": [{"area": "ankle", "side": "left"}]}])
    assert {s.sites[0].side for s in machine_steps(r)} == {"right"}


def test_a_light_preference_leaves_out_the_machines_but_rolls_lightly():
    r = routine(machines=True, preferred_pressure="light")
    assert machine_steps(r) == []
    assert {s.pressure for s in r.steps if s.tool} == {"light"}


def test_an_avoided_machine_technique_drops_the_step_not_a_hand_stroke_in_its_place():
    intake = Intake.model_validate({"goal": "foot_relief", "machines": True,
                                    "preferred_pressure": "firm"})
    avoid = [FindingAction(kind="avoid", technique="machine_kneading", area=a, side="left")
             for a in ("calf",)] + [FindingAction(kind="avoid", technique="machine_compression")]
    combined = combine([Finding(rule="test.avoid", decision="adjust", actions=avoid,
                                reason="test", sources=["test"], conditions=["dvt"])])
    r = adjust_routine(intake, combined)
    assert {(s.tool, s.sites[0].side) for s in machine_steps(r)} == {("shiatsu_machine", "right")}
    assert not any(s.name.startswith(("Air-compression", "Shiatsu")) and s.tool is None
                   for s in r.steps)


def test_hand_steps_serialise_without_a_tool_field():
    r = routine()
    steps = json.loads(r.model_dump_json())["steps"]
    assert all(("tool" in s) == (s["name"].split(" (")[0] in
               {"Foot roller", "Tennis ball roll", "Frozen bottle roll"}) for s in steps)


@given(intake_st())
def test_every_machine_step_is_whole_and_at_its_own_pressure(data):
    a = screen(Intake.model_validate({**data, "machines": True}))
    if a.routine is None:
        return
    avoided = {(v.technique, v.area, v.side) for v in a.avoid}
    for s in machine_steps(a.routine):
        assert s.pressure == TECHNIQUE_MIN_PRESSURE[s.technique]
        assert [x.area for x in s.sites] == list(AREAS[:4])
        assert (s.technique, None, None) not in avoided
        assert not any((s.technique, x.area, x.side) in avoided for x in s.sites)


@pytest.mark.parametrize(("conditions", "legs_without"), [
    ([{"code": "varicose_veins", "severity": "mild", "sites": [{"area": "thigh", "side": "left"}]}],
     {"left"}),
    ([{"code": "dvt", "days_ago": 200, "cleared": True}], {"left", "right"}),
    ([{"code": "reduced_sensation", "sites": [{"area": "foot", "side": "right"}]}], {"right"}),
    ([{"code": "diabetes"}], {"left", "right"}),
])
def test_no_machine_on_a_leg_with_veins_a_past_clot_or_numb_feet(conditions, legs_without):
    r = routine(machines=True, preferred_pressure="firm", conditions=conditions)
    assert not {s.sites[0].side for s in machine_steps(r)} & legs_without


def test_no_frozen_bottle_on_numb_feet():
    r = routine(conditions=[{"code": "diabetes"}])
    assert not [s for s in r.steps if s.tool == "frozen_bottle"]
