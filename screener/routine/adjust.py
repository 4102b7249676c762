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
- a step that moves joints (stretches, toe pulls, ankle circles) is never split: it
  moves the whole foot and ankle, so it is dropped on a leg where any area it moves is
  left out (an injured ankle is not turned in circles);
- a step done with a tool (roller, ball, bottle) cannot become a hand stroke and is
  dropped instead; a machine step is offered only when the intake asks for machines, and
  is dropped whole when any area it covers is excluded, capped below the machine's one
  pressure or has its technique avoided: a machine cannot skip an area or press lighter;
- time is shared out again over what remains, in quarter minutes, within the shortest
  session any rule allows;
- when only a step or two (or none) is left, the routine says so and names the goal
  that keeps the most.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from screener.decision.assessment import Routine, Step, site_ref
from screener.decision.findings import Combined, Place
from screener.answers.intake import Intake
from screener.routine.book import BaseStep, routine_book
from screener.vocabulary import (
    GENTLE_TECHNIQUE,
    GOALS,
    MOVES_JOINTS,
    PRESSURE_RANK,
    SIDES,
    TECHNIQUE_MIN_PRESSURE,
    Goal,
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
    if cut and (step.technique in MOVES_JOINTS or step.machine):
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
        if technique != step.technique:  # the step's own words describe what is not allowed
            instructions = (f"Instead of this step's usual {step.technique.replace('_', ' ')}, "
                            f"glide the hands slowly and lightly over the "
                            f"{_words([a for a, _ in piece])}, without pressing into any point.")
        if changes:
            instructions += " Adjusted: " + "; ".join(changes) + "."
        weight = step.weight * len(piece) / len(step.areas)
        name = step.name if technique == step.technique else \
            f"Gentle strokes in place of {step.name[0].lower()}{step.name[1:]}"
        fields: dict[str, Any] = {
            "name": f"{name} ({side} leg)",
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


# 'Little left': at most this many of the base routine's steps survive (on either leg),
# or less than this share of its time.
LITTLE_LEFT_STEPS = 2
LITTLE_LEFT_SHARE = 1 / 3


class _Kept:
    """What survives of one goal's base routine under the restrictions."""

    def __init__(self, goal: Goal, limits: _Limits, machines: bool):
        steps = [s for s in routine_book().routines[goal].steps if machines or not s.machine]
        self.pieces: list[tuple[dict[str, Any], float]] = []
        kept: set[int] = set()
        for side in SIDES:
            for i, step in enumerate(steps):
                for piece in _adjusted(step, side, limits):
                    self.pieces.append(piece)
                    kept.add(i)
        self.steps = len(kept)  # base steps with anything left, on either leg
        self.share = sum(w for _, w in self.pieces) / (2 * sum(s.weight for s in steps))

    @property
    def little(self) -> bool:
        return self.steps <= LITTLE_LEFT_STEPS or self.share < LITTLE_LEFT_SHARE


class Wish(NamedTuple):
    """All a routine reads of the intake: with the restrictions, the key of its memo."""

    goal: Goal
    pressure: Pressure
    machines: bool
    minutes: int

    @classmethod
    def of(cls, intake: Intake) -> Wish:
        return cls(intake.goal, intake.preferred_pressure, intake.machines, intake.minutes)


def adjust_routine(intake: Intake, combined: Combined) -> Routine:
    """The base routine for the intake's goal, made safe under the combined restrictions."""
    return routine_for(Wish.of(intake), combined)


def routine_for(wish: Wish, combined: Combined) -> Routine:
    """The base routine for the wished-for goal, made safe under the combined restrictions."""
    book = routine_book()
    limits = _Limits(combined, wish.pressure)
    kept = _Kept(wish.goal, limits, wish.machines)
    pieces = kept.pieces
    minutes = min(wish.minutes, combined.max_minutes or wish.minutes)
    shares = _share_time([w for _, w in pieces], minutes)
    steps = [Step(**fields, minutes=m) for (fields, _), m in zip(pieces, shares)]
    precautions = list(book.precautions) + [n for n in combined.notes if n not in book.precautions]
    notice = _little_left(wish.goal, kept, limits, wish.machines) if kept.little else None
    if minutes < wish.minutes:
        precautions.insert(0, f"Keep the session to {minutes} minutes at most "
                              f"({wish.minutes} were asked for).")
    return Routine(goal=wish.goal, minutes=minutes, steps=steps, precautions=precautions,
                   notice=notice)


def _little_left(goal: Goal, kept: _Kept, limits: _Limits, machines: bool) -> str:
    """Plain words for a routine the restrictions have all but emptied, naming the goal
    whose routine keeps the most under the same restrictions."""
    name = goal.replace("_", " ")
    if not kept.pieces:
        text = (f"Nothing of the {name} routine is left with these answers: every area it "
                "works on is left out or may not be pressed.")
    else:
        text = (f"Little of the {name} routine is left with these answers: only "
                f"{kept.steps} of its steps, {kept.share:.0%} of its time.")
    others = {g: _Kept(g, limits, machines) for g in GOALS if g != goal}
    best = max(others, key=lambda g: (others[g].share, others[g].steps))
    if others[best].share > kept.share and not others[best].little:
        text += (f" The {best.replace('_', ' ')} routine keeps the most "
                 f"({others[best].share:.0%} of its time): choose that goal instead.")
    elif not kept.pieces:
        text += " No other goal leaves enough to massage: leave the massage for now."
    return text
