"""Words agree with the routine: a step never keeps instructions that describe a technique
avoided on any site it touches (the words are read, not only the technique field). A
mention after "instead of" names what is no longer done and is allowed."""

from __future__ import annotations

import re

from hypothesis import given
from strategies import RULES, intake_st

from screener import Intake, screen

# Words in the routine book that describe a technique being done.
DESCRIBES = {
    "thumb_circles": ("thumb",),
    "petrissage": ("knead", "squeezing and releasing", "wring"),
    "tapotement": ("tap", "percuss"),
    "compression": ("press the flat", "hold a moment and release"),
    "trigger_point": ("press points",),
    "stretch": ("pull each toe", "tug", "turn the ankle", "turn the foot", "bend the toes"),
}
_NAMED = re.compile(r"instead of [^.;]*", re.IGNORECASE)


def _contradictions(data: dict) -> list[str]:
    a = screen(Intake.model_validate(data, context={"rules": RULES}), RULES)
    if a.routine is None:
        return []
    everywhere = {x.technique for x in a.avoid if x.area is None}
    bad = []
    for step in a.routine.steps:
        places = {(s.area, s.side) for s in step.sites}
        avoided = everywhere | {x.technique for x in a.avoid if (x.area, x.side) in places}
        words = _NAMED.sub("", step.instructions.lower())
        bad += [f"{step.name}: {t} avoided but the words say {w!r}"
                for t in avoided for w in DESCRIBES.get(t, ()) if w in words]
    return bad


@given(intake_st())
def test_no_step_describes_a_technique_avoided_where_it_works(data):
    assert _contradictions(data) == []


def test_a_varicose_calf_gets_only_light_gliding_strokes():
    data = {"conditions": [{"code": "varicose_veins", "severity": "mild",
                            "sites": [{"area": "calf", "side": "right"}],
                            "flags_no": ["hot_hard_tender"]}]}
    a = screen(Intake.model_validate(data, context={"rules": RULES}), RULES)
    on_calf = [s for s in a.routine.steps if any(
        (x.area, x.side) == ("calf", "right") for x in s.sites)]
    assert on_calf and all(s.technique == "effleurage" and s.pressure == "light"
                           for s in on_calf)
    assert not any("thumb" in _NAMED.sub("", s.instructions.lower()) for s in on_calf)
    assert _contradictions(data) == []
