"""The intake: one person's answers to the checklist, validated strictly.

Whatever the answers came from (prompts, a JSON file, a dict from another program), they
become an ``Intake`` here, and nothing downstream ever sees unvalidated data. Unknown
fields, unknown codes, wrong types and out-of-range numbers are input errors, never
ignored: a screener that guesses at a typo may miss a condition.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from screener.rules import RuleSet, bundled_rules
from screener.vocabulary import AREAS, SIDES, Area, Goal, Severity, Side, SideInput, WishedPressure

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
# Bounds no real answer comes near, stated in the JSON Schema too: a number or a list
# past them is a typo or an attack, and the engine never sees it.
MAX_DAYS_AGO = 60_000  # over 160 years
MAX_SITES = 64  # entries of one condition's sites, as given (before 'both' is expanded)


class Site(BaseModel):
    """A place on the legs: an area of one leg, or the whole leg when ``area`` is absent."""

    model_config = _STRICT

    area: Area | None = Field(default=None, description="Omitted: the whole leg.")
    side: SideInput = Field(default="both", description="'both' is expanded to left and right.")


class ConditionReport(BaseModel):
    """One reported condition with its follow-up answers."""

    model_config = _STRICT

    code: str = Field(description="A condition code of the rule set.")
    sites: list[Site] = Field(
        default_factory=list, description="Where; empty or missing means both whole legs.",
        json_schema_extra={"maxItems": MAX_SITES},
    )
    cleared: bool = Field(
        default=False,
        description="A healthcare professional has cleared leg massage for this condition.",
    )
    cleared_days_ago: int | None = Field(
        default=None, ge=0, le=MAX_DAYS_AGO,
        description="How many days ago the clearance was given (it counts for 365 days, "
        "and not when the condition began after it). Absent: read as current.",
    )
    days_ago: int | None = Field(default=None, ge=0, le=MAX_DAYS_AGO,
                                 description="When it began or happened, in days.")
    severity: Severity | None = None
    flags: list[str] = Field(
        default_factory=list, json_schema_extra={"uniqueItems": True},
        description="Follow-up answers of this condition that were 'yes' (its rule "
        "file lists them), e.g. 'fracture' for recent_injury.",
    )
    flags_no: list[str] = Field(
        default_factory=list, json_schema_extra={"uniqueItems": True},
        description="Follow-up answers of this condition that were 'no'. A follow-up in "
        "neither list was not answered and is read cautiously (see 'assumptions').",
    )

    @field_validator("sites", mode="before")
    @classmethod
    def _expand_both(cls, value: Any) -> Any:
        """Turn ``side: both`` into one site per leg, so every later step sees explicit sides."""
        if not isinstance(value, list):
            return value
        if len(value) > MAX_SITES:
            raise ValueError(f"at most {MAX_SITES} sites")
        out: list[Any] = []
        for site in value:
            if isinstance(site, dict) and site.get("side", "both") == "both":
                out.extend({**site, "side": side} for side in SIDES)
            else:
                out.append(site)
        return out

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str, info: ValidationInfo) -> str:
        rules = _rules(info)
        if code not in rules.conditions:
            raise ValueError(f"unknown condition code {code!r}")
        return code

    @model_validator(mode="after")
    def _known_flags(self, info: ValidationInfo) -> ConditionReport:
        condition = _rules(info).conditions[self.code]
        for flags in (self.flags, self.flags_no):
            if len(set(flags)) != len(flags):
                raise ValueError(f"a flag is listed twice for {self.code}")
        for flag in (*self.flags, *self.flags_no):
            if flag not in condition.flags:
                known = ", ".join(sorted(condition.flags)) or "none"
                raise ValueError(f"unknown flag {flag!r} for {self.code} (known: {known})")
        both = sorted(set(self.flags) & set(self.flags_no))
        if both:
            raise ValueError(f"flag {both[0]!r} of {self.code} is in both flags and flags_no")
        return self

    def covered(self) -> list[tuple[Area, Side]]:
        """Every (area, side) this report touches, whole legs expanded, in a stable order."""
        if not self.sites:
            return [(a, s) for s in SIDES for a in AREAS]
        found = {
            (area, site.side)  # side is never 'both' here: _expand_both ran first
            for site in self.sites
            for area in ((site.area,) if site.area else AREAS)
        }
        return sorted(found, key=lambda p: (SIDES.index(p[1]), AREAS.index(p[0])))  # type: ignore[arg-type]

    def sides(self) -> list[Side]:
        """The legs this report is on."""
        return sorted({s for _, s in self.covered()}, key=SIDES.index)  # type: ignore[arg-type]


class Intake(BaseModel):
    """The whole checklist: reported conditions and the wished-for session."""

    model_config = _STRICT

    conditions: list[ConditionReport] = Field(default_factory=list)
    conditions_no: list[str] = Field(
        default_factory=list,
        description="Condition codes whose question was asked and answered 'no'.",
    )
    goal: Goal = "relaxation"
    preferred_pressure: WishedPressure = Field(
        default="moderate",
        description="The routine never goes above it ('none' asks for no massage: refused).",
    )
    minutes: int = Field(default=15, ge=5, le=60)
    machines: bool = Field(default=False, description="Offer a foot-and-calf machine step.")
    # The rule set this intake was validated against (None when built without
    # validation): ``screen()`` re-checks any intake whose rule set is not its own.
    _checked_by: RuleSet | None = PrivateAttr(default=None)
    _checked_state: tuple[Any, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _one_entry_per_code(self, info: ValidationInfo) -> Intake:
        seen: set[str] = set()
        for report in self.conditions:
            if report.code in seen:
                raise ValueError(f"condition {report.code!r} is listed twice")
            seen.add(report.code)
        for code in self.conditions_no:
            if code in seen:
                raise ValueError(f"condition {code!r} is in both conditions and conditions_no")
        self._checked_by = _rules(info)
        self._checked_state = self._state()
        return self

    def checked_by(self) -> RuleSet | None:
        """The rule set whose codes and flags this intake was validated against, or None
        when its lists were changed in place since (the models are frozen, their lists
        are not): such an intake is validated again before it is screened."""
        private = self.__pydantic_private__  # read directly: the attribute way is slow
        return private["_checked_by"] if self._state() == private["_checked_state"] else None  # type: ignore[index, no-any-return]

    def vouched_for(self, rules: RuleSet) -> None:
        """Mark this intake as validated against ``rules`` as it stands now: only for a
        copy of an intake that was (a forked worker's, sent without its rule set)."""
        self._checked_by = rules
        self._checked_state = self._state()

    def _state(self) -> tuple[Any, ...]:
        """What changes since validation would alter: the wish (``model_copy(update=...)``
        sets fields without validating them), the reports (by identity), the codes answered
        no, each report's sites (by identity) and follow-up answers."""
        return (self.goal, self.preferred_pressure, self.minutes, self.machines,
                tuple(map(id, self.conditions)), tuple(self.conditions_no),
                tuple((tuple(map(id, c.sites)), tuple(c.flags), tuple(c.flags_no))
                      for c in self.conditions))

    @field_validator("conditions_no")
    @classmethod
    def _known_codes_no(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        known = _rules(info).conditions
        for code in codes:
            if code not in known:
                raise ValueError(f"unknown condition code {code!r} in conditions_no")
        if len(set(codes)) != len(codes):
            raise ValueError("a condition code is listed twice in conditions_no")
        return codes

    def codes(self) -> list[str]:
        return [c.code for c in self.conditions]


def _rules(info: ValidationInfo) -> RuleSet:
    """The rule set codes are checked against: the caller's (``context={"rules": ...}``)
    or the shipped one (the same object ``screener.default_rules()`` returns)."""
    context = info.context or {}
    if "rules" in context:
        return context["rules"]
    return bundled_rules()
