"""The fixed words of the public contract and their orderings.

Every other module takes its codes from here, so a misspelt area or pressure is a
single place to fix and an ordering (pressure, decision, severity) is defined once.
Condition codes are not here: they come from the rule files (see ``catalogue``).
"""

from __future__ import annotations

from typing import Literal, get_args

Side = Literal["left", "right"]
SideInput = Literal["left", "right", "both"]
Area = Literal["foot", "ankle", "shin", "calf", "knee", "thigh", "hip"]
Pressure = Literal["none", "light", "moderate", "firm", "deep"]
# A wished-for pressure: 'none' would ask for no massage at all, so it is not one.
WishedPressure = Literal["light", "moderate", "firm", "deep"]
Technique = Literal[
    "effleurage",
    "petrissage",
    "thumb_circles",
    "tapotement",
    "vibration",
    "compression",
    "friction",
    "deep_tissue",
    "trigger_point",
    "lymphatic_drainage",
    "stretch",
    "machine_compression",  # air-compression boots or machine on the feet and calves
    "machine_kneading",  # shiatsu foot-and-calf machine: rotating nodes, deep kneading
]
# Tools and machines of seed 002. A step with a tool applies its technique and pressure
# through the tool; a machine applies its own fixed pressure (see TECHNIQUE_MIN_PRESSURE).
Tool = Literal["foot_roller", "tennis_ball", "frozen_bottle", "compression_machine",
               "shiatsu_machine"]
MACHINES: frozenset[Tool] = frozenset({"compression_machine", "shiatsu_machine"})
Decision = Literal["proceed", "adjust", "refer", "urgent"]
Severity = Literal["mild", "moderate", "severe"]
Goal = Literal["relaxation", "circulation", "recovery", "foot_relief"]

SIDES: tuple[Side, ...] = get_args(Side)
AREAS: tuple[Area, ...] = get_args(Area)  # foot to hip: the order strokes travel in
PRESSURES: tuple[Pressure, ...] = get_args(Pressure)
TECHNIQUES: tuple[Technique, ...] = get_args(Technique)
TOOLS: tuple[Tool, ...] = get_args(Tool)
DECISIONS: tuple[Decision, ...] = get_args(Decision)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
GOALS: tuple[Goal, ...] = get_args(Goal)

AREA_RANK = {a: i for i, a in enumerate(AREAS)}
# The areas next to each area, by anatomy rather than by list order: the shin and the
# calf are the front and back of one segment, so both lie next to the ankle and the knee.
NEIGHBOURS: dict[Area, tuple[Area, ...]] = {
    "foot": ("ankle",),
    "ankle": ("foot", "shin", "calf"),
    "shin": ("ankle", "calf", "knee"),
    "calf": ("ankle", "shin", "knee"),
    "knee": ("shin", "calf", "thigh"),
    "thigh": ("knee", "hip"),
    "hip": ("thigh",),
}
PRESSURE_RANK = {p: i for i, p in enumerate(PRESSURES)}
DECISION_RANK = {d: i for i, d in enumerate(DECISIONS)}
# Severity 0 is never reported: an unanswered severity counts as the worst (see facts).
SEVERITY_RANK = {s: i + 1 for i, s in enumerate(SEVERITIES)}

# The least pressure at which a technique still is that technique: capped below it,
# 'deep tissue' is not deep tissue any more, so the adjuster swaps it for a gentle stroke.
TECHNIQUE_MIN_PRESSURE: dict[Technique, Pressure] = {
    "deep_tissue": "firm",
    "trigger_point": "moderate",
    "friction": "moderate",
    # A machine cannot press lighter than it does: capped below, it is left out.
    "machine_compression": "moderate",
    "machine_kneading": "firm",
}

# Techniques that move joints (stretches, toe pulls, ankle circles): a step using one
# moves every area it lists, so it is never split around a left-out area.
MOVES_JOINTS: frozenset[Technique] = frozenset({"stretch"})

# What replaces a technique that is forbidden or capped out on a site.
GENTLE_TECHNIQUE: Technique = "effleurage"


def min_pressure(*levels: Pressure) -> Pressure:
    """The lowest of the given pressure levels."""
    return min(levels, key=PRESSURE_RANK.__getitem__)


def max_decision(*decisions: Decision) -> Decision:
    """The most restrictive of the given decisions (``proceed`` when none)."""
    return max(decisions, key=DECISION_RANK.__getitem__, default="proceed")
