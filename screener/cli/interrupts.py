"""Ctrl-C and SIGTERM at the command line: both become ``KeyboardInterrupt`` (the CLI
exits 130 with one line), and a block that must not be cut in half can hold them back.

Why hold them: durable_rules catches exceptions inside a screening, so a Ctrl-C landing
there would come out as a failed screening, and one landing in a write could leave half
a line. Inside ``deferred()`` a signal is only noted, and raised when the block ends; a
second one is raised at once (a write blocked on a reader that has stopped reading must
not make the command impossible to stop).

This module is loaded first, before anything else of the screener: it imports only
``signal``, so that the window in which an interrupt would print a traceback is short.
"""

from __future__ import annotations

import signal

TYPE_CHECKING = False  # not typing's: it would cost 10 ms before the handlers are set
if TYPE_CHECKING:
    from collections.abc import Callable

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _State:
    depth = 0  # how many deferred() blocks are open
    pending = False  # a signal arrived inside one


_state = _State()


def _handler(signum: int, frame: object) -> None:
    if _state.depth and not _state.pending:
        _state.pending = True
        return
    raise KeyboardInterrupt  # not deferred, or a second signal: the user insists


def _set(handler: object) -> dict[int, object]:
    """Set ``handler`` for both signals; the old handlers (none outside the main thread,
    where Python does not allow setting them)."""
    old: dict[int, object] = {}
    try:
        for number in SIGNALS:
            old[number] = signal.signal(number, handler)  # type: ignore[arg-type]
    except ValueError:  # not the main thread: signals are not ours to handle
        pass
    return old


def install() -> Callable[[], None]:
    """Route SIGINT and SIGTERM to ``KeyboardInterrupt``; return what restores the old
    handlers (the CLI may run inside another program, such as a test)."""
    _state.depth, _state.pending = 0, False
    old = _set(_handler)

    def restore() -> None:
        for number, handler in old.items():
            signal.signal(number, handler)  # type: ignore[arg-type]

    return restore


def hold() -> None:
    """Ignore further signals while an interruption is being reported."""
    _set(signal.SIG_IGN)


def caused_by_interrupt(exc: BaseException) -> bool:
    """A library that caught a Ctrl-C and raised its own error instead."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def pending() -> bool:
    """Whether a signal is being held back by an open ``deferred()`` block (a wait that
    can be dropped looks at this, and raises ``KeyboardInterrupt`` itself)."""
    return _state.pending


class deferred:  # noqa: N801 - used like a function: ``with deferred():``
    """Run the block whole: a signal arriving inside it is raised when it ends."""

    def __enter__(self) -> None:
        _state.depth += 1

    def __exit__(self, *exc: object) -> None:
        _state.depth -= 1
        if not _state.depth and _state.pending:
            _state.pending = False
            raise KeyboardInterrupt
