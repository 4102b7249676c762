"""A screening at the command line ends within a bounded time, and Ctrl-C always works.

The command line screens in a forked worker (``screener.worker``): on a timeout it is
killed and the screening fails closed (``EngineError``, exit 1); on a Ctrl-C or SIGTERM
(held back by ``interrupts.deferred()``, seen by the wait) it is killed and the command
exits 130. The worker lives as long as the command, so a batch forks once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from screener.cli import interrupts
from screener.worker import SCREENING_TIMEOUT, Worker

if TYPE_CHECKING:
    from collections.abc import Callable

    from screener.answers.intake import Intake
    from screener.decision.assessment import Assessment
    from screener.rules import RuleSet


def screen_bounded(intake: Intake, rules: RuleSet, timeout: float = SCREENING_TIMEOUT,
                   meanwhile: Callable[[], object] | None = None,
                   finish: Callable[[Assessment], Any] | None = None) -> Any:
    """``screen(intake, rules)`` in a worker process, killed after ``timeout`` seconds;
    ``meanwhile()`` runs here while the worker screens; with ``finish`` (a module-level
    function), what it makes of the assessment there."""
    worker = _workers.get(id(rules))
    if worker is None or worker.rules is not rules:
        worker = _workers[id(rules)] = Worker(rules, interrupts.caused_by_interrupt)
    try:
        kind, value = worker.ask(intake, timeout, interrupts.pending, meanwhile, finish)
    except BaseException:  # a timeout, a Ctrl-C: the worker must not outlive the wait
        worker.stop()
        del _workers[id(rules)]
        raise
    if kind == "interrupt":
        raise KeyboardInterrupt
    if kind == "error":
        raise value  # type: ignore[misc]
    return value


_workers: dict[int, Worker] = {}


def stop_all() -> None:
    """End every worker (the command is over: none outlives it, none is reused by the
    next command run in the same process)."""
    while _workers:
        _workers.popitem()[1].stop()
