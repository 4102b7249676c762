"""The assessment: what the screener decided, why, and the routine that is safe to do.

Field names and order are the public contract; JSON output is byte-stable (invariant 6)
because every list here is built in a deterministic order.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, model_serializer

from screener.vocabulary import Area, Decision, Goal, Pressure, Side, Technique, Tool

_OUT = ConfigDict(extra="forbid", frozen=True)
M = TypeVar("M", bound=BaseModel)


class SiteRef(BaseModel):
    model_config = _OUT

    area: Area
    side: Side


class PressureCap(BaseModel):
    model_config = _OUT

    area: Area
    side: Side
    max: Pressure


class Avoid(BaseModel):
    """A technique not to use: on one site, or everywhere when ``area`` is absent."""

    model_config = _OUT

    technique: Technique
    area: Area | None = None
    side: Side | None = None

    @model_serializer(mode="plain")
    def _drop_absent(self) -> dict[str, Any]:
        return {k: v for k in ("technique", "area", "side") if (v := getattr(self, k)) is not None}


class FindingAction(BaseModel):
    """One concrete action of a finding, on explicit sites."""

    model_config = _OUT

    kind: Literal["exclude", "cap", "avoid", "refer", "urgent", "note", "limit"]
    area: Area | None = None
    side: Side | None = None
    max: Pressure | None = None
    technique: Technique | None = None
    message: str | None = None
    minutes: int | None = None  # limit: the session's length at most

    @model_serializer(mode="plain")
    def _drop_absent(self) -> dict[str, Any]:
        return {k: v for k in ("kind", "area", "side", "max", "technique", "message", "minutes")
                if (v := getattr(self, k)) is not None}


class Finding(BaseModel):
    """A rule that fired: its id, decision, concrete actions, reason and sources."""

    model_config = _OUT

    rule: str
    decision: Decision
    actions: list[FindingAction]
    reason: str
    sources: list[str]
    conditions: list[str]  # the reported condition codes the rule fired on


class Referral(BaseModel):
    model_config = _OUT

    urgency: Literal["refer", "urgent"]
    message: str


class Step(BaseModel):
    """One step of a routine. Immutable all through (its sites are a tuple, JSON's array),
    so a kept routine's steps are shared, never copied."""

    model_config = _OUT

    name: str
    technique: Technique
    pressure: Pressure
    sites: tuple[SiteRef, ...]
    minutes: float
    instructions: str
    tool: Tool | None = None  # a roller, ball, bottle or machine; absent for the hands

    @model_serializer(mode="wrap")
    def _drop_no_tool(self, handler: Any) -> dict[str, Any]:
        """Hand steps serialise as before the tools existed (byte-stable JSON)."""
        data = handler(self)
        if data.get("tool") is None:
            data.pop("tool", None)
        return data


class Routine(BaseModel):
    model_config = _OUT

    goal: Goal
    minutes: int
    steps: list[Step]
    precautions: list[str]
    notice: str | None = None  # set when the restrictions leave no step (steps == [])


class Assumption(BaseModel):
    """An answer that was not given and how the result read it (the cautious reading).

    ``follow_up`` is a flag name or ``severity``, ``days_ago``, ``sites``,
    ``cleared_days_ago``; ``read_as`` is ``yes``, ``no``, a severity, ``today``,
    ``both legs`` or ``current``.
    """

    model_config = _OUT

    code: str
    follow_up: str
    read_as: str


class RulesetInfo(BaseModel):
    model_config = _OUT

    name: str
    version: str
    digest: str


class Assessment(BaseModel):
    """The screener's answer for one intake (see the contract for every field)."""

    model_config = _OUT

    decision: Decision
    findings: list[Finding]
    exclusions: list[SiteRef]
    pressure_caps: list[PressureCap]
    avoid: list[Avoid]
    referral: Referral | None
    routine: Routine | None
    assumptions: list[Assumption] = []  # rule-set order; [] when every answer was given
    ruleset: RulesetInfo

    def to_json(self) -> str:
        """Canonical JSON: the same intake and rules always give the same bytes."""
        return self.model_dump_json(indent=2)


def unshared(value: M) -> M:
    """A copy of a kept output value (a finding, a routine) with lists of its own.

    Outputs are worked out once per distinct input and kept (``RuleSet.memo``); a caller
    that changes a list of its assessment in place must never change the next one. The
    values in the lists (steps, sites, actions) are immutable, so they stay shared.
    The copy is made without validating again: its values were validated when made."""
    fields = value.__dict__.copy()
    for name, field in fields.items():
        if type(field) is list:  # noqa: E721 - exactly a list: the lists pydantic made
            fields[name] = list(field)
    copy = object.__new__(value.__class__)
    set_ = object.__setattr__
    set_(copy, "__dict__", fields)
    set_(copy, "__pydantic_fields_set__", set(value.__pydantic_fields_set__))
    set_(copy, "__pydantic_extra__", None)
    set_(copy, "__pydantic_private__", None)
    return copy


# The small output values are frozen and few (14 sites, a few caps and techniques each),
# so each is validated once and then shared: screening builds hundreds of them.
site_ref = cache(SiteRef)
pressure_cap = cache(PressureCap)
avoid_item = cache(Avoid)
finding_action = cache(FindingAction)
