"""The durable_rules engine: rule files compiled to rulesets, and one long-lived session
per engine that every screening asserts its facts into and retracts them from.

This is the only module that imports ``durable``. What it guards against, from reading
durable_rules' source and issue threads:

- ``Host()`` starts two background timer threads that dispatch pending actions of *any*
  session. A screening whose actions ran on such a thread would finish without its
  findings. ``_QuietHost`` starts none, so every action runs inside ``assert_facts`` on
  the caller's thread, before it returns.
- Exceptions raised in actions are caught by durable_rules and stored in the session
  state under ``exception`` (issues #58, #305), where they stay. We check that state, and
  also record errors ourselves, and raise ``EngineError``: a screening never completes on
  a swallowed error, and the session that saw it is dropped (below).
- A ruleset name can be registered only once per host (#262), so each rule set gets its
  own host; a user's custom rules never clash with the default set.
- A fact identical to one the session holds raises ``MessageObservedException``
  (#250, #376): facts carry their index ``n``, and every fact of a screening is retracted
  before the next one asserts (a retracted fact can be asserted again: tested).
- A fact that no rule's pattern accepts makes the whole batch fail with
  ``MessageNotHandledException``, and deleting that half-made session then crashes the
  process (seen here: ``free(): invalid pointer``). A sink rule accepts every fact and
  never fires (it joins a fact type that is never asserted), so no fact goes unhandled.
- Deleting a session in which no action ever ran can crash the process too: the C
  engine's ``createStateNode`` leaves ``context.messages`` and ``context.stateFact``
  uninitialised and ``deleteStateNode`` frees them (read in durable_rules 2.0.28's
  src/rules/state.c; seen here as ``double free or corruption``). A session rule fires
  once on the session fact of every screening, so a session has run an action before it
  is ever deleted; one in which none ran is left, never deleted.
- Rules over groups of answers are forward chaining: a member rule, when a condition's
  test holds, asserts a group fact inside its action (``c.assert_fact``), and rules on
  the group join that fact. durable_rules evaluates it within the same ``assert_facts``
  call (seen here with the quiet host), so a screening still ends with every finding.
- Bounds that durable_rules does not report (fact width, hash collisions, rules that
  can fire on one fact) are checked when the rule set loads (``patterns``). The bound on
  rules firing on one fact is per fact, not per session: it holds over thousands of
  screenings in one session (tested).
- durable_rules logs action errors through the ``durable`` logger with a traceback; we
  report them ourselves, so that logger is silenced here.

Why one long-lived session: creating a session allocates state for every rule of the
set, so a session per screening cost more with every rule that did not match. Reusing
one, a screening pays only for its own facts. What that asks for:

- Every fact a screening asserts, the group facts its actions derived included, is
  retracted when it ends, and the session is then asked for its facts: any left over is
  an ``EngineError`` (and the session is dropped), so no screening ever sees another's.
- After any failure the session is dropped (deleted, if an action ever ran in it) and the
  next screening starts a new one: a half-made session, or a state holding an
  ``exception``, is never reused.
- Memory stays flat over any number of screenings (the benchmark measures the resident
  size after 10,000 and 100,000).
"""

from __future__ import annotations

import itertools
import logging
import threading
from typing import Any, NamedTuple

from durable.engine import Host, MessageNotHandledException

from screener.errors import EngineError, RulesError
from screener.engine.facts import Fact, group_fact
from screener.engine.patterns import PRIMARY, Compiled
from screener.rules import RuleSet

RULESET_NAME = "screener"
SINK = "$sink"  # accepts every fact, never fires: see the module docstring
NEVER = "$never"  # a fact type that is never asserted
SESSION = "$session"  # fires once per screening: see the module docstring

_durable_log = logging.getLogger("durable")
_durable_log.addHandler(logging.NullHandler())
_durable_log.propagate = False
_durable_log.setLevel(logging.CRITICAL + 1)


class Match(NamedTuple):
    """A rule that fired, and the reported conditions (by intake index) it fired on."""

    rule_id: str
    facts: dict[str, int]  # condition code -> index in intake.conditions


class Result(NamedTuple):
    """What one screening's facts gave in the engine: the rules that fired, and the group
    facts it derived, as (group, index of the condition they come from)."""

    matches: list[Match]
    groups: frozenset[tuple[str, int]]


MatchKey = tuple[str, tuple[tuple[str, int], ...]]


def match_key(match: Match) -> MatchKey:
    """What identifies a match, whichever leg or order it fired in."""
    return match.rule_id, tuple(sorted(match.facts.items()))


class _QuietHost(Host):
    """A Host without the background dispatch threads (see the module docstring)."""

    def _run(self) -> None:
        return None


class Engine:
    """A compiled rule set on its own host, with one live session. Thread-safe:
    screenings run one at a time."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        definition: dict[str, Any] = {
            SINK: {"all": [{"a": {"$ex": {"t": 1}}}, {"b": {"t": NEVER}}],
                   "run": self._sink_fired},
            SESSION: {"all": [{"s": {"t": "session"}}], "run": self._session_started},
        }
        for name, compiled in rules.definition.rules.items():
            run = self._derive(compiled) if compiled.member else self._action(compiled)
            definition[name] = {"all": [{alias: p} for alias, p in compiled.patterns.items()],
                                "run": run}
        self._host = _QuietHost()
        try:
            self._host.register_rulesets({RULESET_NAME: definition})
        except Exception as exc:  # durable_rules raises bare Exception on bad definitions
            raise RulesError(f"the rules engine refused the rule set: {exc}",
                             file=str(rules.path)) from exc
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._matches: list[Match] = []
        self._errors: list[str] = []
        self._session_seen = False
        # group facts asserted this screening, whole, by (group, condition index)
        self._derived: dict[tuple[str, int], Fact] = {}
        self._facts: dict[int, Fact] = {}
        self._fields = rules.definition.fields
        self._sid: str | None = None  # the live session; None: the next screening starts one
        self._ran = False  # whether an action has run in the live session
        self.last_session = ""

    def _session_started(self, c: Any) -> None:
        self._session_seen = True

    def _sink_fired(self, c: Any) -> None:
        self._errors.append("the sink rule fired: a fact of an unknown type was asserted")

    def _guarded(self, name: str, body: Any) -> Any:
        def run(c: Any) -> None:
            try:
                body(c)
            except BaseException as exc:  # durable_rules would swallow it: keep it (#305)
                self._errors.append(f"rule {name!r}: {type(exc).__name__}: {exc}")
                raise

        return run

    def _action(self, compiled: Compiled) -> Any:
        def record(c: Any) -> None:
            message: dict[str, Fact] = c._m  # alias -> the fact it matched
            facts = {f.get("src", f["code"]): f["n"] for f in message.values()}
            self._matches.append(Match(compiled.rule_id, facts))  # type: ignore[arg-type]

        return self._guarded(compiled.name, record)

    def _derive(self, compiled: Compiled) -> Any:
        group, areas = compiled.member  # type: ignore[misc]

        def assert_group(c: Any) -> None:
            source = c._m[PRIMARY]
            n, sid = source["n"], source["sid"]
            if (group, n) not in self._derived:  # an '$or' can fire it twice
                # the whole fact it derives from: the condition's, or the group fact
                # (kept whole here, since the engine is sent only the fields it reads)
                member = self._derived.get((source["code"], n)) if source["t"] == "group" \
                    else self._facts[n]
                derived = self._derived[(group, n)] = group_fact(group, member, areas)
                c.assert_fact({**self._sent(derived), "sid": sid})

        return self._guarded(compiled.name, assert_group)

    def _sent(self, fact: Fact) -> Fact:
        """The part of a fact the engine is given: the fields its patterns read."""
        return {k: v for k, v in fact.items() if k in self._fields}

    def run(self, facts: list[Fact]) -> Result:
        """Assert the facts into the live session, return every rule that fired and every
        group fact derived, and retract them all again.

        Raises ``EngineError`` on any failure: the caller must not produce a routine.
        """
        with self._lock:
            if self._sid is None:
                self._sid, self._ran = f"s{next(self._ids)}", False
            sid = self.last_session = self._sid
            self._matches, self._errors, self._session_seen = [], [], False
            self._derived = {}
            self._facts = {f["n"]: f for f in facts}  # whole facts, for deriving group facts
            sent = [{**self._sent(f), "sid": sid} for f in facts]
            try:
                state = self._host.assert_facts(RULESET_NAME, sent)
            except MessageNotHandledException as exc:  # half-made: deleting it can crash
                self._drop(delete=False)
                raise EngineError(f"the rules engine did not accept the facts: {exc.message}") from exc
            except Exception as exc:
                self._drop()
                raise EngineError(f"the rules engine failed: {type(exc).__name__}: {exc}") from exc
            except BaseException:  # a Ctrl-C mid-assert: the session may hold facts
                self._drop()
                raise
            if not self._session_seen:
                self._drop()
                raise EngineError("the rules engine did not start the session")
            self._ran = True
            failure = self._errors[0] if self._errors else (
                str(state["exception"])[:200] if isinstance(state, dict) and "exception" in state
                else None)
            if failure is not None:
                self._drop()
                raise EngineError(f"a rule action failed: {failure}")
            self._retract(sid, sent)
            # durable_rules fires a rule once per way its pattern holds (each branch of an
            # '$or', each leg of a same-leg rule): one match per distinct binding
            return Result(list({match_key(m): m for m in self._matches}.values()),
                          frozenset(self._derived))

    def _retract(self, sid: str, sent: list[Fact]) -> None:
        """Take back every fact of the screening, derived ones included, and make sure the
        session holds none (see the module docstring)."""
        derived = [{**self._sent(d), "sid": sid} for d in self._derived.values()]
        try:
            self._host.retract_facts(RULESET_NAME, derived + sent)
            left = self._host.get_facts(RULESET_NAME, sid)
        except Exception as exc:
            self._drop()
            raise EngineError(f"could not clear the engine session: {exc}") from exc
        except BaseException:  # a Ctrl-C mid-retract: the session may hold facts
            self._drop()
            raise
        if left:
            self._drop()
            raise EngineError(f"the engine session kept {len(left)} facts after a screening")

    def _drop(self, delete: bool = True) -> None:
        """Give up the live session after a failure: the next screening starts a new one.
        It is deleted only if an action ever ran in it (deleting one where none ran can
        crash the process: see the module docstring)."""
        sid, self._sid = self._sid, None
        if delete and sid is not None and (self._ran or self._session_seen):
            try:
                self._host.delete_state(RULESET_NAME, sid)
            except Exception:  # nothing more to do: it is never used again
                pass

    def holds_facts(self) -> bool:
        """Whether the live session holds any fact (never, between screenings)."""
        with self._lock:
            if self._sid is None:
                return False
            return bool(self._host.get_facts(RULESET_NAME, self._sid))

    def holds_state(self, sid: str) -> bool:
        """Whether the engine keeps a session of this id (a dropped one: never)."""
        try:
            self._host.get_state(RULESET_NAME, sid)
        except Exception:  # durable_rules raises for a session it does not hold
            return False
        return True


def engine_for(rules: RuleSet) -> Engine:
    """The compiled engine of this very rule set object, built once on first use.

    Kept on the rule set itself, never looked up by name or digest: a rule set that
    claims another's digest still runs its own rules.
    """
    return rules.built("engine", lambda: Engine(rules))
