"""Rule files: their schema, loading, validation and identity (name, version, digest).

A rule set is a folder: ``ruleset.yaml`` names it, and every other ``*.yaml`` file holds
one condition (its question, follow-ups, rules and each rule's cases). Files are read
with YAML's safe loader and checked here, before the engine ever sees them; nothing in a
rule file is executed. Every problem is a ``RulesError`` naming the file and the rule.
"""

from __future__ import annotations

import hashlib
import re
import stat
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import RulesError, describe_invalid, shown
from .vocabulary import (
    Area,
    Decision,
    Pressure,
    Severity,
    Technique,
)

MANIFEST = "ruleset.yaml"
RULE_FILE_LIMIT = 1 << 20  # a rule file is a few kB
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where built


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    """YAML's safe loader (the C parser where available), refusing a key repeated in one
    mapping: plain YAML keeps the last silently, so a second ``decision:`` would hide
    the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # '<<' merges are resolved, and may override, by the base loader
                key = self.construct_object(key_node, deep=True)
                try:
                    repeated = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: the base loader reports it
                if repeated:
                    mark = key_node.start_mark
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"duplicate key {shown(key)!r} (line {mark.line + 1}, column "
                        f"{mark.column + 1})", mark)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]

    def construct_document(self, node: yaml.Node) -> Any:
        _refuse_aliases(node)
        return super().construct_document(node)


def _refuse_aliases(root: yaml.Node) -> None:
    """Rule files have no use for anchors and aliases, and nested aliases expand to
    billions of items when the rules are validated ('billion laughs'): refuse any node
    reached twice."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"anchors and aliases are not allowed (line {mark.line + 1})", mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

Ask = Literal["sites", "sides", "days_ago", "severity", "cleared"]
Group = Literal["red_flags", "skin", "blood_and_circulation", "injury_and_pain", "health"]
Kind = Literal["systemic", "local", "caution"]
CODE = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$"
M = TypeVar("M", bound=BaseModel)


class Test(BaseModel):
    """What a reported condition must look like for a rule to fire. All parts must hold;
    an absent part always holds."""

    model_config = _STRICT

    cleared: bool | None = None
    severity_at_least: Severity | None = None
    days_ago_at_most: int | None = Field(default=None, ge=0)
    days_ago_more_than: int | None = Field(default=None, ge=0)
    flags: list[str] = Field(default_factory=list, description="Every one answered yes.")
    areas: list[Area] = Field(default_factory=list, description="Any of them reported.")


class JoinTest(Test):
    """Another condition that must be reported beside the rule's own (a durable_rules join)."""

    code: str


class Action(BaseModel):
    """What a fired rule does, before it is applied to the reported sites."""

    model_config = _STRICT

    kind: Literal["exclude", "cap", "avoid", "note"]
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

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Action:
        needs = {"cap": "max", "avoid": "techniques", "note": "message"}.get(self.kind)
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
    sources: list[str] = Field(min_length=1)
    cases: Cases

    @model_validator(mode="after")
    def _decision_fits_actions(self) -> Rule:
        kinds = {a.kind for a in self.actions}
        if self.decision in ("refer", "urgent") and not self.referral:
            raise ValueError(f"a {self.decision} rule needs 'referral' (what to do next)")
        if self.decision not in ("refer", "urgent") and self.referral:
            raise ValueError("'referral' goes with refer and urgent rules only")
        if self.decision == "adjust" and not kinds & {"exclude", "cap", "avoid"}:
            raise ValueError("an adjust rule needs an exclude, cap or avoid action")
        if self.decision == "proceed" and kinds - {"note"}:
            raise ValueError("a proceed rule may only add notes")
        return self


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
    rules: list[Rule] = Field(min_length=1)


class Manifest(BaseModel):
    model_config = _STRICT

    name: str
    version: str
    description: str = ""


class RuleSet:
    """A loaded, validated rule set. Immutable once built; safe to share across threads."""

    def __init__(self, manifest: Manifest, conditions: dict[str, Condition],
                 files: dict[str, str], digest: str, path: Path):
        self.name = manifest.name
        self.version = manifest.version
        self.description = manifest.description
        self.conditions = conditions
        self.files = files  # condition code -> file name, for messages and docs
        self.digest = digest
        self.path = path
        # Stable rule order: red flags first, then by file name, then as written.
        ordered = sorted(conditions.values(), key=lambda c: (not c.red_flag, files[c.code]))
        self.rules: list[tuple[Condition, Rule]] = [(c, r) for c in ordered for r in c.rules]
        self.rule_index = {r.id: (c, r) for c, r in self.rules}
        self.rule_position = {r.id: i for i, (_, r) in enumerate(self.rules)}

    def __repr__(self) -> str:
        return f"<RuleSet {self.name} {self.version} {self.digest[:19]}…>"


def default_rules_path() -> Path:
    """Where the shipped rules are: inside the installed wheel, or ``rules/`` of a checkout."""
    packaged = resources.files("screener") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise RulesError("the default rule set is missing (no screener/_rules, no rules/)")


@cache
def default_rules() -> RuleSet:
    """The shipped rule set, loaded once per process."""
    return load_rules(default_rules_path())


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a rule set folder; raise ``RulesError`` naming file and rule."""
    root = Path(path)
    if not root.is_dir():
        raise RulesError("not a folder of rule files", file=str(root))
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise RulesError(f"missing {MANIFEST} (the rule set's name and version)", file=str(root))
    digest = hashlib.sha256()
    raw_manifest = _read(manifest_path, digest)
    manifest = _model(Manifest, raw_manifest, manifest_path)

    conditions: dict[str, Condition] = {}
    files: dict[str, str] = {}
    for file in sorted(root.glob("*.yaml")):
        if file.name == MANIFEST:
            continue
        condition = _model(Condition, _read(file, digest), file)
        if condition.code != file.stem:
            raise RulesError(f"code {condition.code!r} must match the file name", file=str(file))
        conditions[condition.code] = condition
        files[condition.code] = file.name
    if not conditions:
        raise RulesError("no condition files (*.yaml) in the rule set", file=str(root))

    rules = RuleSet(manifest, conditions, files, f"sha256:{digest.hexdigest()}", root)
    _check_references(rules)
    _check_cases(rules)
    return rules


def _read(file: Path, digest: Any) -> Any:
    try:
        if not stat.S_ISREG(file.stat().st_mode):  # a FIFO would block, a device never end
            raise RulesError("not a regular file", file=str(file))
        with file.open("rb") as stream:
            data = stream.read(RULE_FILE_LIMIT + 1)
        if len(data) > RULE_FILE_LIMIT:
            raise RulesError(f"larger than {RULE_FILE_LIMIT} bytes", file=str(file))
        text = data.decode("utf-8")
        parsed = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RulesError(f"cannot read: {first}", file=str(file)) from None
    if not isinstance(parsed, dict):
        raise RulesError("expected a mapping at the top of the file", file=str(file))
    digest.update(file.name.encode() + b"\0" + data + b"\0")
    return parsed


def _model(model: type[M], data: dict[str, Any], file: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        rule, skip = None, 0
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            raw_rules = data.get("rules")
            if isinstance(raw_rules, list) and loc[1] < len(raw_rules):
                raw = raw_rules[loc[1]]
                rule = raw.get("id") if isinstance(raw, dict) else None
                rule = rule if isinstance(rule, str) else f"#{loc[1] + 1}"
            skip = 2
        raise RulesError(describe_invalid(exc, skip), file=str(file), rule=rule) from None


def _check_references(rules: RuleSet) -> None:
    """Names that point elsewhere must exist, rule ids must be unique, every rule must be
    able to fire."""
    seen: dict[str, str] = {}
    for condition, rule in rules.rules:
        file = str(rules.path / rules.files[condition.code])

        def fail(message: str) -> None:
            raise RulesError(message, file=file, rule=rule.id)  # noqa: B023 - raised at once

        if rule.id in seen:
            fail(f"duplicate rule id (also in {seen[rule.id]})")
        seen[rule.id] = rules.files[condition.code]
        tests: list[tuple[Condition, Test]] = [(condition, rule.when)]
        for join in rule.with_:
            if join.code not in rules.conditions:
                fail(f"with: unknown condition {join.code!r}")
            if join.code == condition.code:
                fail("with: a rule cannot join its own condition")
            tests.append((rules.conditions[join.code], join))
        for target, test in tests:
            for flag in test.flags:
                if flag not in target.flags:
                    fail(f"unknown flag {flag!r} for {target.code}: the rule can never fire")
            never = _never(target, test)
            if never:
                fail(f"{never}: the rule can never fire")
        joined = {condition.code} | {j.code for j in rule.with_}
        for action in rule.actions:
            if action.of and action.of not in joined:
                fail(f"action 'of: {action.of}' names a condition the rule does not match")


def _never(condition: Condition, test: Test) -> str | None:
    """Why a test can never hold for this condition, or None."""
    low, high = test.days_ago_more_than, test.days_ago_at_most
    if low is not None and high is not None and low >= high:
        return f"days_ago more than {low} and at most {high}"
    if test.cleared is True and "cleared" not in condition.asks:
        return "tests 'cleared' but the checklist never asks it"
    return None


def _check_cases(rules: RuleSet) -> None:
    """Each case must be a valid intake for this rule set (the cases are run by the tests)."""
    from .intake import Intake  # late: intakes validate their codes against a rule set

    for condition, rule in rules.rules:
        for label, cases in (("fires", rule.cases.fires),
                             ("does_not_fire", rule.cases.does_not_fire)):
            for n, case in enumerate(cases, 1):
                try:
                    Intake.model_validate(case.intake, context={"rules": rules})
                except ValidationError as exc:
                    raise RulesError(
                        f"cases.{label} #{n}: {describe_invalid(exc)}",
                        file=str(rules.path / rules.files[condition.code]), rule=rule.id,
                    ) from None
