"""The ``RuleSet``: a folder of rule files read and checked, with its identity (name,
version, digest) and the orders every output follows."""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import RulesError
from .memo import Memo
from .models import Citation, Condition, Group, Manifest, Membership, Owner, Rule, Source

T = TypeVar("T")
MEMO_SIZE = 4096  # distinct inputs remembered per kind of work (all kinds: tens of MB at most)


class RuleSet:
    """A loaded, validated rule set. Immutable once built; safe to share across threads.

    Its compiled engine is kept on the object itself (``built``), so an engine is only
    ever used with the rule set it was built from.
    """

    def __init__(self, manifest: Manifest, conditions: dict[str, Condition],
                 groups: dict[str, Group], files: dict[str, str], digest: str, path: Path,
                 bibliography: dict[str, Source]):
        self.name = manifest.name
        self.version = manifest.version
        self.description = manifest.description
        self.conditions = conditions
        self.groups = groups
        self.files = files  # condition or group code -> file (relative), for messages and docs
        # condition code -> the follow-ups an unanswered answer reads as yes (read for
        # every fact of every screening: worked out once)
        self.cautious_yes = {code: c.cautious_yes() for code, c in conditions.items()}
        self.digest = digest
        self.path = path
        self.bibliography = bibliography  # source key -> Source (rules/bibliography.yaml)
        # condition code -> its place in the rule set (files order): lists of conditions in
        # an assessment follow it, never the order the answers came in
        self.order = {c: i for i, c in enumerate(sorted(conditions, key=files.__getitem__))}
        # group -> its members (conditions, and groups whose every member also counts in
        # it) with the test that makes them count
        self.members: dict[str, list[tuple[Owner, Membership]]] = {g: [] for g in groups}
        for owner in sorted([*conditions.values(), *groups.values()],
                            key=lambda o: files[o.code]):
            for membership in owner.member_of:
                self.members.setdefault(membership.group, []).append((owner, membership))
        # groups in the order their facts can be derived: a group after every group that
        # is a member of it (a cycle leaves groups out; the checks refuse it)
        self.derivation_order = _derivation_order(groups, self.members)
        # Stable rule order: red flags first, then reasoning across answers (groups),
        # then by file name, then as written.
        owners: list[Owner] = [*conditions.values(), *groups.values()]
        ordered = sorted(owners, key=lambda o: (not o.red_flag, not o.is_group, files[o.code]))
        self.rules: list[tuple[Owner, Rule]] = [(o, r) for o in ordered for r in o.rules]
        self.rule_index = {r.id: (o, r) for o, r in self.rules}
        self.rule_position = {r.id: i for i, (_, r) in enumerate(self.rules)}
        self.definition: Any = None  # the compiled durable_rules rules (engine/patterns.py)
        self._lock = threading.Lock()
        self._built: dict[str, Any] = {}  # what ``built`` made: the engine, the plain reading
        self._memos: dict[str, Memo] = {}

    def built(self, name: str, make: Callable[[], T]) -> T:
        """What is made from this very rule set object, once, on first use: its compiled
        engine (``engine.session.engine_for``), its plain reading
        (``engine.reference.reading_for``). Kept on the object, never looked up by name
        or digest, so a rule set that claims another's identity still runs its own rules."""
        found = self._built.get(name)
        if found is None:
            with self._lock:
                found = self._built.get(name)
                if found is None:
                    found = self._built[name] = make()
        return found  # type: ignore[no-any-return]

    def memo(self, name: str, size: int = MEMO_SIZE) -> Memo:
        """The memo of one kind of work done with this rule set (findings, combined
        restrictions, routines), made on first use."""
        found = self._memos.get(name)
        if found is None:
            with self._lock:
                found = self._memos.setdefault(name, Memo(size))
        return found

    def clear_memos(self) -> None:
        """Forget the work kept (for a test that a step's failure is never hidden by it)."""
        for memo in self._memos.values():
            memo.clear()

    def owner(self, code: str) -> Owner:
        return self.conditions.get(code) or self.groups[code]

    def cite(self, sources: list[Citation]) -> list[str]:
        """Citations as outputs print them: titles and who published them, never keys or
        file names (every key was checked to resolve when the rules were read)."""
        return [self.bibliography[c.cite].cited(c.section) for c in sources]

    def file(self, code: str) -> str:
        return str(self.path / self.files[code])

    def __repr__(self) -> str:
        return f"<RuleSet {self.name} {self.version} {self.digest[:19]}…>"


def _derivation_order(groups: dict[str, Group],
                      members: dict[str, list[tuple[Owner, Membership]]]) -> list[str]:
    order: list[str] = []
    waiting = sorted(groups)
    while waiting:
        ready = [g for g in waiting
                 if all(not m.is_group or m.code in order for m, _ in members.get(g, []))]
        if not ready:
            break
        order += ready
        waiting = [g for g in waiting if g not in ready]
    return order


def default_rules_path() -> Path:
    """Where the shipped rules are: inside the installed wheel, or ``rules/`` of a checkout."""
    packaged = resources.files("screener") / "_rules"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise RulesError("the default rule set is missing (no screener/_rules, no rules/)")


