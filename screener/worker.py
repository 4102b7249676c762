"""A screening in a forked worker process, killed when it overruns: what the command
line's watchdog (``cli.watchdog``) and the server's pool (``web.pool``) share.

durable_rules' C engine can spin for good on a rule set past its bounds, holding
Python's lock: no signal handler, thread or timer of the process running it runs again.
So a screening that must end runs in a forked child holding the compiled engine; the
parent waits on a pipe, and after ``timeout`` seconds kills the child and fails closed
(``EngineError``). The library's ``screen()`` stays in-process (its bound is the load-time
engine bounds of ``screener.engine.patterns``).

The engine is compiled in the parent before the fork and a worker lives for many
screenings: each costs a pickle each way.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from typing import TYPE_CHECKING

from screener.errors import EngineError, ScreenerError

if TYPE_CHECKING:
    from collections.abc import Callable

    from screener.answers.intake import Intake
    from screener.decision.assessment import Assessment
    from screener.rules import RuleSet

SCREENING_TIMEOUT = 10.0  # seconds; a screening takes milliseconds
_POLL = 0.05  # how often a wait looks whether it should be dropped (``pending``)


def _never() -> bool:
    return False


def _not_an_interrupt(_: BaseException) -> bool:
    return False


class Worker:
    """A forked child holding the compiled engine: intakes in, assessments out, one
    length-prefixed pickle each way (its own bytes only: it is our fork). One caller at a
    time; ``stop()`` it after any exception from ``ask``.

    ``interrupted`` tells the child which of its failures were a Ctrl-C caught by a
    library (reported as ``("interrupt", None)``)."""

    def __init__(self, rules: RuleSet,
                 interrupted: Callable[[BaseException], bool] = _not_an_interrupt):
        from screener.engine.session import engine_for
        from screener.screening import screen

        self.rules = rules
        engine_for(rules)  # compiled once, here: the child inherits it
        to_child, self._send = os.pipe()
        self._receive, from_child = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            _keep_only(to_child, from_child)  # a server's sockets must not live on in here
            _serve(to_child, from_child, rules, screen, interrupted)
        os.close(to_child)
        os.close(from_child)

    def ask(self, intake: Intake, timeout: float = SCREENING_TIMEOUT,
            pending: Callable[[], bool] = _never,
            meanwhile: Callable[[], object] | None = None,
            finish: Callable[[Assessment], object] | None = None) -> tuple[str, object]:
        """``("ok", assessment)`` (or what ``finish``, a module-level function, made of it
        in the worker: less to send back than the assessment), ``("error", exception)``
        or ``("interrupt", None)``; ``EngineError`` after ``timeout`` seconds,
        ``KeyboardInterrupt`` once ``pending()``. ``meanwhile`` is the caller's own work,
        done while the worker screens (on another core); ``timeout`` counts from its end."""
        # The intake goes without the rule set it holds a reference to (an engine does not
        # pickle); the worker knows its rule set, and whether the parent's matched it.
        bare = type(intake).model_construct(intake.model_fields_set, **dict(intake))
        _write(self._send, pickle.dumps((bare, intake.checked_by() is self.rules, finish)))
        if meanwhile is not None:
            meanwhile()
        deadline = time.monotonic() + timeout
        size = int.from_bytes(self._read(8, deadline, timeout, pending), "big")
        return pickle.loads(self._read(size, deadline, timeout, pending))  # noqa: S301

    def _read(self, size: int, deadline: float, timeout: float,
              pending: Callable[[], bool]) -> bytes:
        chunks, left = [], size
        while left:
            if pending():  # a Ctrl-C held back: the screening is dropped
                raise KeyboardInterrupt
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise EngineError(f"the rules engine did not finish within {timeout:g} s: "
                                  "no result is given")
            ready, _, _ = select.select([self._receive], [], [], min(wait, _POLL))
            if ready:
                chunk = os.read(self._receive, min(left, 1 << 20))
                if not chunk:
                    raise EngineError("the screening process ended without a result")
                chunks.append(chunk)
                left -= len(chunk)
        return b"".join(chunks)

    def stop(self) -> None:
        for fd in (self._send, self._receive):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _keep_only(*fds: int) -> None:
    """Close every inherited file but standard input, output and error and ``fds``: a
    forking server's listening socket and client connections (a connection the server
    closes must close, not stay open in a worker that lives on)."""
    low = 3
    for fd in sorted(fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _serve(requests: int, replies: int, rules: RuleSet,
           screen: Callable[[Intake, RuleSet], Assessment],
           interrupted: Callable[[BaseException], bool]) -> None:
    """The worker's loop; it never returns (``os._exit``: no clean-up of the parent's)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it kills us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with os.fdopen(requests, "rb") as stream:
            while True:
                try:
                    intake, checked, finish = pickle.load(stream)  # noqa: S301 - our parent's bytes
                except EOFError:
                    break
                if checked:  # validated against this very rule set in the parent
                    intake.vouched_for(rules)
                try:
                    assessment = screen(intake, rules)
                    payload = pickle.dumps(("ok", finish(assessment) if finish else assessment))
                except ScreenerError as exc:
                    payload = _error(exc)
                except BaseException as exc:  # noqa: BLE001 - anything else fails closed too
                    if interrupted(exc):  # the parent reports it as one
                        payload = pickle.dumps(("interrupt", None))
                    else:
                        payload = pickle.dumps(("error", EngineError(
                            f"the screening failed: {type(exc).__name__}: {exc}"[:300])))
                _write(replies, len(payload).to_bytes(8, "big") + payload)
    finally:
        os._exit(0)


def _error(exc: ScreenerError) -> bytes:
    try:
        return pickle.dumps(("error", exc))
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        return pickle.dumps(("error", EngineError(str(exc))))


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
