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
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

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
                if key_node.tag == "tag:yaml.org,2002:merge":  # '<<' silently overrides keys
                    mark = key_node.start_mark
                    raise yaml.constructor.ConstructorError(
                        None, None, f"merge keys ('<<') are not allowed (line {mark.line + 1})",
                        mark)
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

    def answers(self) -> set[str]:
        """The follow-ups this test reads beyond areas (a group fact carries none of them)."""
        return {name for name in ("cleared", "severity_at_least", "days_ago_at_most",
                                  "days_ago_more_than", "flags", "flags_not", "both_legs")
                if getattr(self, name) not in (None, [], False)}


class JoinTest(Test):
    """Another reported condition, or any member of a group, that must be present beside
    the rule's own (a durable_rules join). ``same_leg``: on a leg the rule's own
    condition is on."""

    code: str | None = None
    group: str | None = None
    same_leg: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> JoinTest:
        if (self.code is None) == (self.group is None):
            raise ValueError("a 'with' entry names exactly one of 'code' or 'group'")
        return self

    @property
    def target(self) -> str:
        return self.code or self.group  # type: ignore[return-value]


class Membership(BaseModel):
    """A condition counts as a member of a group when its test holds; the group's fact
    covers only the member's sites on ``when.areas`` (when given)."""

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
        if self.decision == "adjust" and not kinds & {"exclude", "cap", "avoid", "limit"}:
            raise ValueError("an adjust rule needs an exclude, cap, avoid or limit action")
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
    member_of: list[Membership] = Field(
        default_factory=list, description="Groups this condition counts in (groups/*.yaml)."
    )
    days_question: str = Field(
        default="How many days ago did it start or happen? (0 = today)",
        description="The 'days ago' follow-up in words, with the time window that matters.",
    )
    rules: list[Rule] = Field(min_length=1)

    is_group: ClassVar[bool] = False

    @field_validator("flags")
    @classmethod
    def _flag_codes(cls, flags: dict[str, str]) -> dict[str, str]:
        for flag in flags:
            if not re.fullmatch(CODE, flag):
                raise ValueError(f"flag {flag[:40]!r} is not a lower_snake_case code")
        return flags


class Group(BaseModel):
    """A named group of answers (``groups/<code>.yaml``): conditions join it through their
    own ``member_of``, and rules fire on any member (forward chaining in the engine)."""

    model_config = _STRICT

    code: str = Field(pattern=CODE)
    title: str
    description: str
    sources: list[str] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)

    is_group: ClassVar[bool] = True
    red_flag: ClassVar[bool] = False
    flags: ClassVar[dict[str, str]] = {}
    asks: ClassVar[list[str]] = []


class Manifest(BaseModel):
    model_config = _STRICT

    name: str
    version: str
    description: str = ""


Owner = Condition | Group  # what a rule belongs to: its primary fact


class RuleSet:
    """A loaded, validated rule set. Immutable once built; safe to share across threads.

    Its compiled engine is kept on the object itself (``engine.engine_for``), so an
    engine is only ever used with the rule set it was built from.
    """

    def __init__(self, manifest: Manifest, conditions: dict[str, Condition],
                 groups: dict[str, Group], files: dict[str, str], digest: str, path: Path):
        self.name = manifest.name
        self.version = manifest.version
        self.description = manifest.description
        self.conditions = conditions
        self.groups = groups
        self.files = files  # condition or group code -> file (relative), for messages and docs
        self.digest = digest
        self.path = path
        # condition code -> its place in the rule set (files order): lists of conditions in
        # an assessment follow it, never the order the answers came in
        self.order = {c: i for i, c in enumerate(sorted(conditions, key=files.__getitem__))}
        # group -> its member conditions with the test that makes them count
        self.members: dict[str, list[tuple[Condition, Membership]]] = {g: [] for g in groups}
        for condition in sorted(conditions.values(), key=lambda c: files[c.code]):
            for membership in condition.member_of:
                self.members.setdefault(membership.group, []).append((condition, membership))
        # Stable rule order: red flags first, then reasoning across answers (groups),
        # then by file name, then as written.
        owners: list[Owner] = [*conditions.values(), *groups.values()]
        ordered = sorted(owners, key=lambda o: (not o.red_flag, not o.is_group, files[o.code]))
        self.rules: list[tuple[Owner, Rule]] = [(o, r) for o in ordered for r in o.rules]
        self.rule_index = {r.id: (o, r) for o, r in self.rules}
        self.rule_position = {r.id: i for i, (_, r) in enumerate(self.rules)}
        self.definition: Any = None  # the compiled durable_rules rules (patterns.py)
        self.engine: Any = None  # built once, on first use, by engine.engine_for
        self.engine_lock = threading.Lock()

    def owner(self, code: str) -> Owner:
        return self.conditions.get(code) or self.groups[code]

    def file(self, code: str) -> str:
        return str(self.path / self.files[code])

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

    files: dict[str, str] = {}
    conditions: dict[str, Condition] = {}
    for file in sorted(root.glob("*.yaml")):
        if file.name != MANIFEST:
            condition = _owner(Condition, file, digest, files)
            conditions[condition.code] = condition
    groups: dict[str, Group] = {}
    for file in sorted((root / GROUPS).glob("*.yaml")):
        group = _owner(Group, file, digest, files)
        groups[group.code] = group
    if not conditions:
        raise RulesError("no condition files (*.yaml) in the rule set", file=str(root))
    clash = set(conditions) & set(groups)
    if clash:
        code = sorted(clash)[0]
        raise RulesError(f"{code!r} names both a condition and a group", file=str(root / GROUPS))

    rules = RuleSet(manifest, conditions, groups, files, f"sha256:{digest.hexdigest()}", root)
    _check_references(rules)
    from .patterns import check_engine_bounds  # late: patterns reads the models above

    rules.definition = check_engine_bounds(rules)
    _check_cases(rules)
    return rules


def _owner(model: type[O], file: Path, digest: Any, files: dict[str, str]) -> O:
    """Read one condition or group file; its code must be its file name."""
    owner = _model(model, _read(file, digest), file)
    code = owner.code  # type: ignore[attr-defined]
    if code != file.stem:
        raise RulesError(f"code {code!r} must match the file name", file=str(file))
    files[code] = f"{GROUPS}/{file.name}" if model is Group else file.name
    return owner


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
    bad = _control_character(parsed)
    if bad:
        raise RulesError(f"a control character ({bad}) in the text: rule text is printed to "
                         "terminals and pages", file=str(file))
    name = f"{GROUPS}/{file.name}" if file.parent.name == GROUPS else file.name
    digest.update(name.encode() + b"\0" + data + b"\0")
    return parsed


# Printed text may hold line breaks and tabs, nothing that steers a terminal or the
# reading direction: C0 and C1 controls, DEL, bidi overrides and isolates, separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                      "\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _control_character(value: Any) -> str | None:
    """The first forbidden character in any string of a parsed file, as U+XXXX."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return f"U+{ord(found.group()):04X}" if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            bad = _control_character(item)
            if bad:
                return bad
    return None


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
    able to fire, and group rules may act only on sites they can name."""
    for condition in rules.conditions.values():
        seen_groups: set[str] = set()
        for membership in condition.member_of:
            where = dict(file=rules.file(condition.code))
            if membership.group not in rules.groups:
                raise RulesError(f"member_of: unknown group {membership.group!r}", **where)
            if membership.group in seen_groups:
                raise RulesError(f"member_of: group {membership.group!r} listed twice", **where)
            seen_groups.add(membership.group)
            for flag in [*membership.when.flags, *membership.when.flags_not]:
                if flag not in condition.flags:
                    raise RulesError(f"member_of {membership.group}: unknown flag {flag!r}: it "
                                     "can never count", **where)
            never = _never(condition, membership.when)
            if never:
                raise RulesError(f"member_of {membership.group}: {never}: it can never count",
                                 **where)
    for group in rules.groups.values():
        if not rules.members[group.code]:
            raise RulesError("no condition is a member of this group (member_of)",
                             file=rules.file(group.code))
    seen: dict[str, str] = {}
    for owner, rule in rules.rules:
        file = rules.file(owner.code)

        def fail(message: str) -> None:
            raise RulesError(message, file=file, rule=rule.id)  # noqa: B023 - raised at once

        if rule.id in seen:
            fail(f"duplicate rule id (also in {seen[rule.id]})")
        seen[rule.id] = rules.files[owner.code]
        tests: list[tuple[Owner, Test]] = [(owner, rule.when)]
        for join in rule.with_:
            target = join.target
            if join.code is not None and join.code not in rules.conditions:
                fail(f"with: unknown condition {join.code!r}")
            if join.group is not None and join.group not in rules.groups:
                fail(f"with: unknown group {join.group!r}")
            if target == owner.code:
                fail("with: a rule cannot join its own condition or group")
            tests.append((rules.owner(target), join))
        for target, test in tests:
            if target.is_group and test.answers():
                fail(f"a test on group {target.code!r} can only name areas "
                     f"(not {', '.join(sorted(test.answers()))})")
            for flag in [*test.flags, *test.flags_not]:
                if flag not in target.flags:
                    fail(f"unknown flag {flag!r} for {target.code}: the rule can never fire")
            never = _never(target, test)
            if never:
                fail(f"{never}: the rule can never fire")
        codes = {owner.code} | {j.code for j in rule.with_ if j.code}
        for action in rule.actions:
            if action.of and action.of not in codes:
                fail(f"action 'of: {action.of}' names no condition the rule matches")
            sited = action.kind in ("exclude", "cap", "avoid") and action.where != "everywhere"
            if owner.is_group and sited and not action.of:
                fail("a group rule acts on sites only with 'of: <condition>' or "
                     "'where: everywhere'")


def _never(owner: Owner, test: Test) -> str | None:
    """Why a test can never hold for this condition or group, or None."""
    low, high = test.days_ago_more_than, test.days_ago_at_most
    if low is not None and high is not None and low >= high:
        return f"days_ago more than {low} and at most {high}"
    if test.cleared is True and "cleared" not in owner.asks:
        return "tests 'cleared' but the checklist never asks it"
    both = set(test.flags) & set(test.flags_not)
    if both:
        return f"flag {sorted(both)[0]!r} both required and refused"
    return None


def _check_cases(rules: RuleSet) -> None:
    """Each case must be a valid intake for this rule set (the cases are run by the tests)."""
    from .intake import Intake  # late: intakes validate their codes against a rule set

    for owner, rule in rules.rules:
        for label, cases in (("fires", rule.cases.fires),
                             ("does_not_fire", rule.cases.does_not_fire)):
            for n, case in enumerate(cases, 1):
                try:
                    Intake.model_validate(case.intake, context={"rules": rules})
                except ValidationError as exc:
                    raise RulesError(
                        f"cases.{label} #{n}: {describe_invalid(exc)}",
                        file=rules.file(owner.code), rule=rule.id,
                    ) from None
