"""What a rule file may say: the schema of condition, group and manifest files.

Every model is strict and frozen: an unknown key, a wrong type or a rule that could never
make sense (a refer rule without a referral, an adjust rule that changes nothing) is
refused when the file is read, naming the file and the rule.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary import SIDES, Area, Decision, Pressure, Severity, Technique

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

Ask = Literal["sites", "sides", "days_ago", "severity", "cleared"]
Group = Literal["red_flags", "skin", "blood_and_circulation", "injury_and_pain", "health"]
Kind = Literal["systemic", "local", "caution"]
CODE = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$"
SOURCE_KEY = r"^[a-z][a-z0-9-]*$"
M = TypeVar("M", bound=BaseModel)
O = TypeVar("O", "Condition", "Group")
GROUPS = "groups"  # the sub-folder of group files


class Test(BaseModel):
    """What a reported condition must look like for a rule to fire. All parts must hold;
    an absent part always holds."""

    model_config = _STRICT

    cleared: bool | None = None
    severity_at_least: Severity | None = None
    days_ago_at_most: int | None = Field(default=None, ge=0)
    days_ago_more_than: int | None = Field(default=None, ge=0)
    flags: list[str] = Field(default_factory=list, description="Every one answered yes.")
    flags_not: list[str] = Field(
        default_factory=list,
        description="None of them answered yes (an unanswered flag counts as not yes, so a "
        "rule on flags_not must be the stricter reading).",
    )
    areas: list[Area] = Field(default_factory=list, description="Any of them reported.")
    both_legs: bool = Field(default=False, description="Reported on both legs (no sites: both).")
    sited: bool = Field(
        default=False,
        description="Reported on named sites, not on the whole legs a report without sites "
        "stands for (a swelling that is expected on both legs, pointed at on a leg). Adding a "
        "site keeps it true, so a result never relaxes when a site is added.")

    def answers(self) -> set[str]:
        """The follow-ups this test reads beyond areas and legs (a group fact carries none
        of them)."""
        return {name for name in ("cleared", "severity_at_least", "days_ago_at_most",
                                  "days_ago_more_than", "flags", "flags_not", "sited")
                if getattr(self, name) not in (None, [], False)}


class JoinTest(Test):
    """Another reported condition, or any member of a group, that must be present beside
    the rule's own (a durable_rules join). ``same_leg``: on a leg the rule's own
    condition is on."""

    code: str | None = None
    group: str | None = None
    same_leg: bool = False
    other_leg: bool = Field(default=False, description="On the leg the rule's own "
                            "condition is not on (with it, both legs are affected).")

    @model_validator(mode="after")
    def _one_target(self) -> JoinTest:
        if (self.code is None) == (self.group is None):
            raise ValueError("a 'with' entry names exactly one of 'code' or 'group'")
        if self.same_leg and self.other_leg:
            raise ValueError("a 'with' entry is on the same leg or the other, not both")
        return self

    @property
    def by_leg(self) -> bool:
        return self.same_leg or self.other_leg

    def leg(self, side: str | None) -> str | None:
        """The leg this joined fact must be on when the rule's own is on ``side``."""
        if side is None or not self.by_leg:
            return None
        return side if self.same_leg else next(s for s in SIDES if s != side)

    @property
    def target(self) -> str:
        return self.code or self.group  # type: ignore[return-value]


class Membership(BaseModel):
    """A condition (or a group) counts as a member of a group when its test holds; the
    group's fact covers only the member's sites on ``when.areas`` (when given). A group's
    own membership (a sign that is also another sign, at some places) may test only
    areas and legs: a group fact carries nothing else."""

    model_config = _STRICT

    group: str = Field(pattern=CODE)
    when: Test = Field(default_factory=Test)


class Action(BaseModel):
    """What a fired rule does, before it is applied to the reported sites."""

    model_config = _STRICT

    kind: Literal["exclude", "cap", "avoid", "note", "limit"]
    of: str | None = Field(default=None, description="Whose sites: default the rule's own.")
    where: Literal["reported", "legs", "everywhere"] = Field(
        default="reported",
        description="The reported sites, the whole reported legs, or both whole legs.",
    )
    areas: list[Area] = Field(default_factory=list, description="Narrow to these areas.")
    below: bool = Field(default=False, description="exclude: also every area below each site.")
    around: bool = Field(default=False, description="Also the areas next to each site.")
    max: Pressure | None = None
    techniques: list[Technique] = Field(default_factory=list)
    message: str | None = None
    minutes: int | None = Field(default=None, ge=5, le=60,
                                description="limit: the session's length at most.")

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Action:
        needs = {"cap": "max", "avoid": "techniques", "note": "message",
                 "limit": "minutes"}.get(self.kind)
        if needs and not getattr(self, needs):
            raise ValueError(f"a {self.kind} action needs '{needs}'")
        if self.below and self.kind != "exclude":
            raise ValueError("'below' goes with exclude actions only")
        return self


class Expect(BaseModel):
    """What a case's assessment must show (each listed item must be present)."""

    model_config = _STRICT

    decision: Decision | None = None
    exclusions: list[dict[str, str]] = Field(default_factory=list)
    pressure_caps: list[dict[str, str]] = Field(default_factory=list)
    avoid: list[dict[str, str]] = Field(default_factory=list)


class Case(BaseModel):
    model_config = _STRICT

    intake: dict[str, Any]
    expect: Expect = Field(default_factory=Expect)
    note: str | None = None


class Cases(BaseModel):
    model_config = _STRICT

    fires: list[Case] = Field(min_length=1)
    does_not_fire: list[Case] = Field(min_length=1)


class Citation(BaseModel):
    """A rule's source: a key of ``bibliography.yaml`` and where in that source."""

    model_config = _STRICT

    cite: str = Field(pattern=SOURCE_KEY)
    section: str | None = Field(default=None, min_length=1)


class Unanswered(BaseModel):
    """How a follow-up left unanswered is read: its cautious answer, chosen by a
    clinician ("yes" for a warning sign, "no" for a reassurance), why, and on whose
    authority. The result lists every such reading under "Read cautiously"."""

    model_config = _STRICT

    read_as: Literal["yes", "no"]
    because: str = Field(min_length=1)
    sources: list[Citation] = Field(min_length=1)


class Rule(BaseModel):
    """One rule: when it fires, what it decides and does, why, and on whose authority."""

    model_config = _STRICT

    id: str = Field(pattern=RULE_ID)
    when: Test = Field(default_factory=Test)
    with_: list[JoinTest] = Field(default_factory=list, alias="with")
    decision: Decision
    actions: list[Action] = Field(default_factory=list)
    referral: str | None = Field(default=None, description="refer/urgent: what to do next.")
    reason: str = Field(min_length=1)
    sources: list[Citation] = Field(min_length=1)
    cases: Cases

    @model_validator(mode="after")
    def _decision_fits_actions(self) -> Rule:
        kinds = {a.kind for a in self.actions}
        if self.decision in ("refer", "urgent") and not self.referral:
            raise ValueError(f"a {self.decision} rule needs 'referral' (what to do next)")
        if self.decision not in ("refer", "urgent") and self.referral:
            raise ValueError("'referral' goes with refer and urgent rules only")
        if self.decision == "adjust" and not kinds & {"exclude", "cap", "avoid", "limit"}:
            raise ValueError("an adjust rule needs an exclude, cap, avoid or limit action")
        if self.decision == "proceed" and kinds - {"note"}:
            raise ValueError("a proceed rule may only add notes")
        return self


class ChartCode(BaseModel):
    """One code a clinical record may carry for a condition, and where a reader checks it.
    ICD-10 and ATC codes cover their sub-codes (``I80.2`` covers ``I80.20``); SNOMED CT
    and RxNorm codes match exactly (no terminology server: a narrower code is named as
    unmapped, never guessed)."""

    model_config = _STRICT

    system: Literal["snomed", "icd10", "atc", "rxnorm"]
    code: str = Field(pattern=r"^[A-Za-z0-9.]+$")
    display: str
    source: str = Field(min_length=1)


class ChartCodes(BaseModel):
    """How a patient's chart (FHIR Conditions, MedicationRequests) names this condition,
    for CDS Hooks. ``history_matters``: a resolved diagnosis still counts (a past clot,
    cancer); otherwise only active, recurring or relapsed ones do."""

    model_config = _STRICT

    history_matters: bool = False
    diagnoses: list[ChartCode] = Field(default_factory=list)
    medicines: list[ChartCode] = Field(default_factory=list)


class Condition(BaseModel):
    """One condition file: the question, its follow-ups, and the rules that handle it."""

    model_config = _STRICT

    code: str = Field(pattern=CODE)
    title: str
    question: str
    kind: Kind = Field(alias="class")
    group: Group
    red_flag: bool = False
    asks: list[Ask] = Field(default_factory=list)
    flags: dict[str, str] = Field(
        default_factory=dict, description="Follow-up yes/no questions, by flag code."
    )
    unanswered: dict[str, Unanswered] = Field(
        default_factory=dict,
        description="Each follow-up's cautious reading when it was not answered (every flag "
        "has one).",
    )
    member_of: list[Membership] = Field(
        default_factory=list, description="Groups this condition counts in (groups/*.yaml)."
    )
    clearance_days: int = Field(
        default=365, ge=1, le=365,
        description="How long a clearance counts, in days (PAR-Q+: 12 months; shorter where "
        "the condition itself is shorter, e.g. the 6 weeks after birth).")
    clearance_from_day: int = Field(
        default=0, ge=0, le=365,
        description="A clearance given before this day of the condition does not count "
        "(no clearance counts in a clot's 90-day treatment phase).")
    days_question: str = Field(
        default="How many days ago did it start or happen? (0 = today)",
        description="The 'days ago' follow-up in words, with the time window that matters.",
    )
    rules: list[Rule] = Field(min_length=1)
    chart_codes: ChartCodes | None = Field(
        default=None, description="The chart's codes for it (CDS Hooks), each with a source.")

    is_group: ClassVar[bool] = False

    @field_validator("flags")
    @classmethod
    def _flag_codes(cls, flags: dict[str, str]) -> dict[str, str]:
        for flag in flags:
            if not re.fullmatch(CODE, flag):
                raise ValueError(f"flag {flag[:40]!r} is not a lower_snake_case code")
        return flags

    @model_validator(mode="after")
    def _every_flag_read_cautiously(self) -> Condition:
        """An unanswered follow-up must never fall back on a silent default: each one
        states its cautious reading, and a reading names a follow-up that exists."""
        missing = sorted(set(self.flags) - set(self.unanswered))
        if missing:
            raise ValueError(f"unanswered: follow-up {missing[0]!r} has no cautious reading")
        extra = sorted(set(self.unanswered) - set(self.flags))
        if extra:
            raise ValueError(f"unanswered: {extra[0]!r} is not a follow-up of this condition")
        return self

    def cautious_yes(self) -> frozenset[str]:
        """The follow-ups an unanswered answer reads as "yes" (warning signs)."""
        return frozenset(f for f, u in self.unanswered.items() if u.read_as == "yes")


class Group(BaseModel):
    """A named group of answers (``groups/<code>.yaml``): conditions join it through their
    own ``member_of``, and rules fire on any member (forward chaining in the engine)."""

    model_config = _STRICT

    code: str = Field(pattern=CODE)
    title: str
    description: str
    sources: list[Citation] = Field(min_length=1)
    member_of: list[Membership] = Field(
        default_factory=list,
        description="Groups every member of this one also counts in, on the given areas "
        "(an inflamed calf is a clot sign): a chain the engine derives forward.")
    rules: list[Rule] = Field(default_factory=list)

    is_group: ClassVar[bool] = True
    red_flag: ClassVar[bool] = False
    flags: ClassVar[dict[str, str]] = {}
    asks: ClassVar[list[str]] = []


class Source(BaseModel):
    """One entry of ``bibliography.yaml``: what a person needs to find the source.
    Exactly one of ``url`` (published online), ``seed`` (a seed article's file, which
    has no known address) or ``reference`` (a book, or a convention with no one
    publication); a seed's publisher is "unknown", never an invented one."""

    model_config = _STRICT

    title: str = Field(min_length=1)
    author: str | None = None
    publisher: str | None = None
    url: str | None = Field(default=None, pattern=r"^https://")
    seed: str | None = Field(default=None, pattern=r"^[0-9]{3}_[0-9a-f]{16}\.txt$")
    reference: str | None = None

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if (self.author is None) == (self.publisher is None):
            raise ValueError("give exactly one of 'author' or 'publisher'")
        if sum(x is not None for x in (self.url, self.seed, self.reference)) != 1:
            raise ValueError("give exactly one of 'url', 'seed' or 'reference'")
        if self.seed and (self.publisher != "unknown" or self.author):
            raise ValueError("a seed's publisher is 'unknown' (its author and address are not known)")
        return self

    def cited(self, section: str | None) -> str:
        """How outputs print a citation: title, who, and where in it."""
        who = self.author or ("publisher unknown" if self.publisher == "unknown" else self.publisher)
        return f"{self.title} ({who})" + (f", {section}" if section else "")


class Bibliography(BaseModel):
    model_config = _STRICT

    sources: dict[str, Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys(self) -> Bibliography:
        for key in self.sources:
            if not re.fullmatch(SOURCE_KEY, key):
                raise ValueError(f"source key {key[:40]!r} is not lower-case-with-dashes")
        return self


class Manifest(BaseModel):
    model_config = _STRICT

    name: str
    version: str
    description: str = ""


Owner = Condition | Group  # what a rule belongs to: its primary fact


