"""Ctrl-C and SIGTERM at the command line: both become ``KeyboardInterrupt`` (the CLI
exits 130 with one line), and a block that must not be cut in half can hold them back.

Why hold them: durable_rules catches exceptions inside a screening, so a Ctrl-C landing
there would come out as a failed screening, and one landing in a write could leave half
a line. Inside ``deferred()`` a signal is only noted, and raised when the block ends.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _State:
    depth = 0  # how many deferred() blocks are open
    pending = False  # a signal arrived inside one


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state.depth:
        _state.pending = True
        return
    raise KeyboardInterrupt


def install() -> Callable[[], None]:
    """Route SIGINT and SIGTERM to ``KeyboardInterrupt``; return what restores the old
    handlers (the CLI may run inside another program, such as a test)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    _state.depth, _state.pending = 0, False
    old = {number: signal.signal(number, _handler) for number in SIGNALS}

    def restore() -> None:
        for number, handler in old.items():
            signal.signal(number, handler)

    return restore


def hold() -> None:
    """Ignore further signals while an interruption is being reported."""
    if threading.current_thread() is threading.main_thread():
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)


@contextmanager
def deferred() -> Iterator[None]:
    """Run the block whole: a signal arriving inside it is raised when it ends."""
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if not _state.depth and _state.pending:
            _state.pending = False
            raise KeyboardInterrupt
