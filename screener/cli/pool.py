"""Batch and diff on every core: chunks of numbered lines screened by a pool of worker
processes, each loading the rule sets once when it starts, results given back in input
order. Workers ignore Ctrl-C and SIGTERM: the parent alone decides what is written, so
an interruption is handled exactly as with one process (``screener.cli.interrupts``)."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
import queue
import threading
from typing import Any, NamedTuple, TypeVar

from screener.errors import RulesError
from screener.rules import RuleSet

R = TypeVar("R")

CHUNK = 64  # lines a task: enough to hide the cost of sending it, small enough to stream
_rules: tuple[RuleSet, ...] = ()  # this worker's rule sets, loaded once by _start


def _start(paths: tuple[str | None, ...], digests: tuple[str, ...]) -> None:
    from screener.loading import default_rules, load_rules

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    global _rules
    _rules = tuple(default_rules() if path is None else load_rules(path) for path in paths)
    if tuple(r.digest for r in _rules) != digests:  # changed on disk since the parent read it
        raise RulesError("the rule set changed while the batch was starting")


def _call(task: Callable[..., R], chunk: list[Any]) -> R:
    return task(chunk, *_rules)


def _source(rules: RuleSet) -> str | None:
    from screener.loading import default_rules

    return None if rules is default_rules() else str(rules.path)


class _Feed:
    """Items read ahead by a thread, so that chunks hold what has arrived: a full chunk
    from a file, one line from a slow pipe (its result is not held back waiting for
    more). At most ``limit`` items wait, so memory does not grow with the input."""

    _END = object()

    def __init__(self, items: Iterable[Any], limit: int):
        self._queue: queue.Queue[Any] = queue.Queue(limit)
        self.ended = False
        threading.Thread(target=self._read, args=(items,), daemon=True).start()

    def _read(self, items: Iterable[Any]) -> None:
        try:
            for item in items:
                self._queue.put(item)
        except BaseException as exc:  # noqa: BLE001 - raised again where it is taken
            self._queue.put(_Failed(exc))
        self._queue.put(self._END)

    def take(self, size: int, wait: float) -> list[Any]:
        """Up to ``size`` items: what is there, after waiting ``wait`` s for the first."""
        chunk: list[Any] = []
        try:
            item = self._queue.get(timeout=wait)
            while True:
                if item is self._END:
                    self.ended = True
                    break
                if isinstance(item, _Failed):
                    raise item.error
                chunk.append(item)
                if len(chunk) == size:
                    break
                item = self._queue.get_nowait()
        except queue.Empty:
            pass
        return chunk


class _Failed(NamedTuple):
    error: BaseException


def parallel(task: Callable[..., list[R]], items: Iterable[Any], rules: Sequence[RuleSet],
             jobs: int) -> Iterator[R]:
    """``task(chunk, *rules)`` on chunks of ``items`` on ``jobs`` processes; each result in
    input order, as soon as it and every one before it are ready.

    At most ``4 * jobs`` chunks are in flight, so memory does not grow with the input.
    A worker that cannot start (its rule set unreadable or changed) fails the run.
    """
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                               initargs=(tuple(_source(r) for r in rules),
                                         tuple(r.digest for r in rules)))
    # every worker is forked now, before the reading thread starts: a fork while it held
    # the lock of stdin would leave a worker stuck in closing its copy of stdin
    pool.submit(int).result()
    feed = _Feed(items, CHUNK * 4 * jobs)
    pending: deque[Future[list[R]]] = deque()
    try:
        while not feed.ended or pending:
            if pending and (pending[0].done() or feed.ended or len(pending) >= 4 * jobs):
                yield from pending.popleft().result()
                continue
            chunk = feed.take(CHUNK, wait=0.02 if pending else 1.0)
            if chunk:
                pending.append(pool.submit(_call, task, chunk))
    finally:  # on Ctrl-C the chunks under way finish (a fraction of a second), the rest
        # are dropped; waiting also spares Python's exit a wake-up of a pool half gone
        pool.shutdown(wait=True, cancel_futures=True)
