"""Decision → adjusted routine: the base routine with every restriction applied.

Applied per step and per leg, so that each invariant holds by construction:
- excluded sites are removed from a step, and a step that passed over one is split into
  the runs on either side (an ankle-to-thigh stroke over an excluded calf becomes
  ankle-shin and knee-thigh); a site capped at ``none`` counts as excluded;
- pressure is lowered to the lowest cap of any site the step touches and to the
  preferred pressure;
- a technique forbidden on any touched site, or capped below the pressure it needs
  (deep tissue at light pressure is not deep tissue), becomes a gentle stroke, or the
  step is dropped when even that is forbidden;
- a step done with a tool (roller, ball, bottle) cannot become a hand stroke and is
  dropped instead; a machine step is offered only when the intake asks for machines, and
  is dropped whole when any area it covers is excluded, capped below the machine's one
  pressure or has its technique avoided: a machine cannot skip an area or press lighter;
- time is shared out again over what remains, in quarter minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .assessment import Routine, Step, site_ref
from .findings import Combined, Place
from .intake import Intake
from .routines import BaseStep, routine_book
from .vocabulary import (
    GENTLE_TECHNIQUE,
    PRESSURE_RANK,
    SIDES,
    TECHNIQUE_MIN_PRESSURE,
    Pressure,
    Side,
    Technique,
    min_pressure,
)

QUARTER = 0.25


class _Limits:
    """The combined restrictions, indexed for per-site look-ups."""

    def __init__(self, combined: Combined, preferred: Pressure):
        self.caps: dict[Place, Pressure] = {(c.area, c.side): c.max for c in combined.pressure_caps}
        self.excluded: set[Place] = {(e.area, e.side) for e in combined.exclusions}
        self.excluded |= {p for p, cap in self.caps.items() if cap == "none"}
        self.everywhere = {a.technique for a in combined.avoid if a.area is None}
        self.avoided = {(a.technique, a.area, a.side) for a in combined.avoid if a.area}
        self.preferred = preferred

    def forbids(self, technique: Technique, piece: list[Place]) -> bool:
        return technique in self.everywhere or any(
            (technique, area, side) in self.avoided for area, side in piece
        )

    def pressure(self, step: BaseStep, piece: list[Place]) -> Pressure:
        return min_pressure(step.pressure, self.preferred,
                            *(self.caps.get(p, "deep") for p in piece))


def _runs(step: BaseStep, side: Side, excluded: set[Place]) -> Iterator[list[Place]]:
    """The runs of a step's areas on one leg that are left once excluded sites are cut out."""
    run: list[Place] = []
    for area in step.areas:
        if (area, side) in excluded:
            if run:
                yield run
            run = []
        else:
            run.append((area, side))
    if run:
        yield run


def _adjusted(step: BaseStep, side: Side, limits: _Limits) -> Iterator[tuple[dict[str, Any], float]]:
    """The pieces of one base step on one leg that are safe to do (a step's fields but its
    minutes), each with its share of the time."""
    pieces = list(_runs(step, side, limits.excluded))
    cut = len(pieces) != 1 or len(pieces[0]) != len(step.areas)
    if cut and step.machine:
        return
    for piece in pieces:
        pressure = limits.pressure(step, piece)
        technique: Technique = step.technique
        changes: list[str] = []
        needs = TECHNIQUE_MIN_PRESSURE.get(technique)
        if limits.forbids(technique, piece) or (
            needs and PRESSURE_RANK[pressure] < PRESSURE_RANK[needs]
        ):
            if step.tool or limits.forbids(GENTLE_TECHNIQUE, piece):
                continue
            technique = GENTLE_TECHNIQUE
            changes.append(f"use gentle gliding strokes instead of {step.technique.replace('_', ' ')}")
        if pressure == "none":
            continue
        if pressure != step.pressure:
            changes.append(f"keep the pressure {pressure}")
        if cut:
            changes.append(f"work only on the {_words([a for a, _ in piece])}, "
                           "skipping the excluded area")
        instructions = step.instructions
        if changes:
            instructions += " Adjusted: " + "; ".join(changes) + "."
        weight = step.weight * len(piece) / len(step.areas)
        fields: dict[str, Any] = {
            "name": f"{step.name} ({side} leg)",
            "technique": technique,
            "pressure": pressure,
            "sites": [site_ref(area=a, side=s) for a, s in piece],
            "instructions": instructions,
        }
        if step.tool:
            fields["tool"] = step.tool
        yield fields, weight


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _share_time(weights: list[float], minutes: int) -> list[float]:
    """Split ``minutes`` over the steps by weight, in quarter minutes, at least one each;
    the parts add up to exactly ``minutes`` (largest remainder)."""
    if not weights:
        return []
    units = round(minutes / QUARTER)
    free = max(units - len(weights), 0)
    total = sum(weights)
    raw = [free * w / total for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: free - sum(parts)]:
        parts[i] += 1
    return [(p + 1) * QUARTER for p in parts]


def adjust_routine(intake: Intake, combined: Combined) -> Routine:
    """The base routine for the intake's goal, made safe under the combined restrictions."""
    book = routine_book()
    limits = _Limits(combined, intake.preferred_pressure)
    pieces = [piece for side in SIDES for step in book.routines[intake.goal].steps
              if intake.machines or not step.machine
              for piece in _adjusted(step, side, limits)]
    minutes = _share_time([w for _, w in pieces], intake.minutes)
    steps = [Step(**fields, minutes=m) for (fields, _), m in zip(pieces, minutes)]
    precautions = list(book.precautions) + [n for n in combined.notes if n not in book.precautions]
    if not steps:
        precautions.insert(0, "No massage steps are left with these answers: every area is "
                              "left out, or no pressure at all was chosen.")
    return Routine(goal=intake.goal, minutes=intake.minutes, steps=steps, precautions=precautions)
