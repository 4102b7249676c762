"""Screenings inside ``screener serve`` under the command line's time bound: each server
process keeps forked workers (``screener.worker``), one screening at a time each; one
that overruns ``SCREENING_TIMEOUT`` is killed, its request ends as a 500 problem, and a
fresh worker takes its place. The server's threads only wait on a pipe, so a spinning
engine can hold neither a thread nor the event loop for good.

Workers are forked at start-up (``start``, before the server's threads exist) and again
only to replace one that was killed or failed."""

from __future__ import annotations

import queue
from typing import TYPE_CHECKING

from screener import worker as workers
from screener.errors import EngineError

if TYPE_CHECKING:
    from screener.answers.intake import Intake
    from screener.decision.assessment import Assessment
    from screener.rules import RuleSet

SIZE = 1  # workers per server process: the engine holds Python's lock, so one keeps up


class Pool:
    def __init__(self, rules: RuleSet, size: int = SIZE):
        self.rules = rules
        self._idle: queue.Queue[workers.Worker | None] = queue.Queue()
        for _ in range(size):
            self._idle.put(None)  # forked when first needed, or by start()

    def start(self) -> None:
        """Fork every worker now (the server is starting: no other thread runs yet)."""
        taken = [self._idle.get() for _ in range(self._idle.qsize())]
        for w in taken:
            self._idle.put(w or workers.Worker(self.rules))

    def screen(self, intake: Intake) -> Assessment:
        """``screen(intake, rules)`` in a worker; blocks (call it from a thread).
        ``EngineError`` if it overran (the worker is killed and replaced)."""
        worker = self._idle.get()
        try:
            if worker is None:
                worker = workers.Worker(self.rules)
            kind, value = worker.ask(intake, workers.SCREENING_TIMEOUT)
        except BaseException:
            if worker is not None:
                worker.stop()
            self._idle.put(None)
            raise
        self._idle.put(worker)
        if kind != "ok":
            raise value if isinstance(value, BaseException) else EngineError(
                "the screening was interrupted: no result is given")
        return value  # type: ignore[return-value]

    def close(self) -> None:
        while not self._idle.empty():
            w = self._idle.get_nowait()
            if w is not None:
                w.stop()


_pools: dict[int, Pool] = {}


def pool_for(rules: RuleSet) -> Pool:
    """The pool of this rule set in this process (one per app)."""
    found = _pools.get(id(rules))
    if found is None or found.rules is not rules:
        found = _pools[id(rules)] = Pool(rules)
    return found
