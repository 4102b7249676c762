"""The durable_rules engine: rule files compiled to rulesets, and one session per screening.

This is the only module that imports ``durable``. What it guards against, from reading
durable_rules' source and issue threads:

- ``Host()`` starts two background timer threads that dispatch pending actions of *any*
  session. A screening whose actions ran on such a thread would finish without its
  findings. ``_QuietHost`` starts none, so every action runs inside ``assert_facts`` on
  the caller's thread, before it returns.
- Exceptions raised in actions are caught by durable_rules and stored in the session
  state under ``exception`` (issues #58, #305). We check that state, and also record
  errors ourselves, and raise ``EngineError``: a screening never completes on a
  swallowed error.
- A ruleset name can be registered only once per host (#262), so each rule set gets its
  own host; a user's custom rules never clash with the default set.
- A fact identical to one already asserted raises ``MessageObservedException``
  (#250, #376): facts carry their index ``n``, and each screening has a fresh session id.
- A fact that no rule's pattern accepts makes the whole batch fail with
  ``MessageNotHandledException``, and deleting that half-made session then crashes the
  process (seen here: ``free(): invalid pointer``). A sink rule accepts every fact and
  never fires (it joins a fact type that is never asserted), so no fact goes unhandled.
- Deleting a session in which no action ever ran can crash the process too: the C
  engine's ``createStateNode`` leaves ``context.messages`` and ``context.stateFact``
  uninitialised and ``deleteStateNode`` frees them (read in durable_rules 2.0.28's
  src/rules/state.c; seen here as ``double free or corruption``). A session rule fires
  once on the session fact of every screening, so every session has run an action
  (which sets and then clears those pointers) before it is deleted.
- State lives per session id until deleted: every session is deleted when it ends, so
  memory stays flat over any number of screenings.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, NamedTuple

from durable.engine import Host, MessageNotHandledException

from .errors import EngineError
from .facts import Fact
from .ruleset import Condition, JoinTest, Rule, RuleSet, Test
from .vocabulary import SEVERITY_RANK

RULESET_NAME = "screener"
PRIMARY = "m"  # the alias of a rule's own condition in durable_rules' match
SINK = "$sink"  # accepts every fact, never fires: see the module docstring
NEVER = "$never"  # a fact type that is never asserted
SESSION = "$session"  # fires once per screening: see the module docstring


class Match(NamedTuple):
    """A rule that fired, and the reported conditions (by intake index) it fired on."""

    rule_id: str
    facts: dict[str, int]  # condition code -> index in intake.conditions


class _QuietHost(Host):
    """A Host without the background dispatch threads (see the module docstring)."""

    def _run(self) -> None:
        return None


def compile_test(code: str, test: Test) -> dict[str, Any]:
    """A rule test as a durable_rules pattern over one condition fact."""
    terms: list[dict[str, Any]] = [{"t": "condition"}, {"code": code}]
    if test.cleared is not None:
        terms.append({"cleared": int(test.cleared)})
    if test.severity_at_least is not None:
        terms.append({"$gte": {"severity": SEVERITY_RANK[test.severity_at_least]}})
    if test.days_ago_at_most is not None:
        terms.append({"$lte": {"days_ago": test.days_ago_at_most}})
    if test.days_ago_more_than is not None:
        terms.append({"$gt": {"days_ago": test.days_ago_more_than}})
    terms.extend({f"flag_{flag}": 1} for flag in test.flags)
    if test.areas:
        areas = [{f"area_{area}": 1} for area in test.areas]
        terms.append(areas[0] if len(areas) == 1 else {"$or": areas})
    return {"$and": terms}


def compile_rule(condition: Condition, rule: Rule) -> dict[str, Any]:
    """A rule as a durable_rules rule: ``all`` of its own condition and each joined one."""
    patterns = [{PRIMARY: compile_test(condition.code, rule.when)}]
    patterns += [{_alias(i): compile_test(j.code, j)} for i, j in enumerate(rule.with_)]
    return {"all": patterns}


def _alias(index: int) -> str:
    return f"w{index}"


class Engine:
    """A compiled rule set on its own host. Thread-safe: sessions run one at a time."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self._codes: dict[str, dict[str, str]] = {}  # rule id -> alias -> condition code
        definition: dict[str, Any] = {
            SINK: {"all": [{"a": {"$ex": {"t": 1}}}, {"b": {"t": NEVER}}],
                   "run": self._sink_fired},
            SESSION: {"all": [{"s": {"t": "session"}}], "run": self._session_started},
        }
        for condition, rule in rules.rules:
            compiled = compile_rule(condition, rule)
            compiled["run"] = self._action(rule.id)
            definition[rule.id] = compiled
            self._codes[rule.id] = {PRIMARY: condition.code} | {
                _alias(i): j.code for i, j in enumerate(rule.with_)
            }
        self._host = _QuietHost()
        try:
            self._host.register_rulesets({RULESET_NAME: definition})
        except Exception as exc:  # durable_rules raises bare Exception on bad definitions
            raise EngineError(f"the rules engine rejected rule set {rules.name!r}: {exc}") from exc
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._matches: list[Match] = []
        self._errors: list[str] = []
        self._session_seen = False
        self.last_session = ""

    def _session_started(self, c: Any) -> None:
        self._session_seen = True

    def _sink_fired(self, c: Any) -> None:
        self._errors.append("the sink rule fired: a fact of an unknown type was asserted")

    def _action(self, rule_id: str) -> Any:
        def record(c: Any) -> None:
            try:
                message: dict[str, Fact] = c._m  # alias -> the fact it matched
                codes = self._codes[rule_id]
                self._matches.append(Match(rule_id, {codes[a]: f["n"] for a, f in message.items()}))
            except BaseException as exc:  # durable_rules would swallow it: keep it (#305)
                self._errors.append(f"rule {rule_id!r}: {type(exc).__name__}: {exc}")
                raise

        return record

    def run(self, facts: list[Fact]) -> list[Match]:
        """Assert the facts in a fresh session and return every rule that fired.

        Raises ``EngineError`` on any failure: the caller must not produce a routine.
        """
        with self._lock:
            sid = self.last_session = str(next(self._ids))
            self._matches, self._errors, self._session_seen = [], [], False
            try:
                state = self._host.assert_facts(RULESET_NAME, [{**f, "sid": sid} for f in facts])
            except MessageNotHandledException as exc:  # the session is half-made: leave it
                raise EngineError(f"the rules engine did not accept the facts: {exc.message}") from exc
            except Exception as exc:
                if self._session_seen:
                    self._delete(sid)
                raise EngineError(f"the rules engine failed: {type(exc).__name__}: {exc}") from exc
            if not self._session_seen:  # deleting it now could crash: see the docstring
                raise EngineError("the rules engine did not start the session")
            self._delete(sid)
            if self._errors:
                raise EngineError(f"a rule action failed: {self._errors[0]}")
            if isinstance(state, dict) and "exception" in state:
                raise EngineError(f"a rule action failed: {str(state['exception'])[:200]}")
            return self._matches

    def _delete(self, sid: str) -> None:
        try:
            self._host.delete_state(RULESET_NAME, sid)
        except Exception as exc:
            raise EngineError(f"could not clear engine session {sid}: {exc}") from exc

    def holds_state(self, sid: str) -> bool:
        """Whether the engine still keeps state for a session (never, once ``run`` ends)."""
        try:
            self._host.get_state(RULESET_NAME, sid)
        except Exception:  # durable_rules raises for a session it does not hold
            return False
        return True


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(rules: RuleSet) -> Engine:
    """The compiled engine of a rule set, built once per distinct rule set (by digest)."""
    with _engines_lock:
        engine = _engines.get(rules.digest)
        if engine is None:
            engine = _engines[rules.digest] = Engine(rules)
        return engine
