"""Guided mode: the adjusted routine one step at a time, with a countdown, on a terminal.

It only ever shows the steps the assessment produced, in their order, with their sites,
pressure and tool; a refer or urgent result shows the referral instead (the CLI exits 3
or 4, as ``screen`` does). First it says what is left out, capped or avoided and the
precautions, and waits for Enter: no clock runs before the person is ready. Keys: space
or p pauses and resumes, n or → skips to the next step, b or ← goes back one, q or Esc
stops; Ctrl-C leaves at once (exit 130).
"""

from __future__ import annotations

import os
import select
import shutil
import sys
import termios
import textwrap
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from screener.decision.assessment import Assessment, Routine, Step
from screener.render.words import changes, duration, step_places, words

HELP = "space pause  n next  b back  q stop  Ctrl-C quit"
START = "Press Enter to start the guided routine (q to stop, Ctrl-C to leave)."
TICK = 0.2  # seconds between countdown updates (and key checks)


class Keys:
    """Single key presses from a terminal, without echo; Ctrl-C is read as a key and
    raised as KeyboardInterrupt (the guide is always waiting for a key)."""

    def __init__(self, fd: int):
        self.fd = fd

    def read(self, timeout: float | None) -> str | None:
        """The next key ('start', 'next', 'back', 'stop', 'pause', or '' for any other) or
        None after ``timeout`` seconds (None: wait for a key)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        data = os.read(self.fd, 16).decode("utf-8", "replace")
        if "\x03" in data:
            raise KeyboardInterrupt
        if data in ("\x1b[C", "\x1bOC") or data[:1] in ("n", "N", "s", "S"):
            return "next"
        if data in ("\x1b[D", "\x1bOD") or data[:1] in ("b", "B"):
            return "back"
        if data[:1] in (" ", "p", "P"):
            return "pause"
        if data == "\x1b" or data[:1] in ("q", "Q"):
            return "stop"
        if data[:1] in ("\r", "\n"):
            return "start"
        return ""  # any other key: ignored


@contextmanager
def cbreak(fd: int) -> Iterator[Keys]:
    """Keys one at a time without echo, the terminal restored however the guide ends."""
    saved = termios.tcgetattr(fd)
    mode = termios.tcgetattr(fd)
    mode[3] &= ~(termios.ECHO | termios.ICANON | termios.ISIG)  # lflags: Ctrl-C as a key
    mode[6][termios.VMIN], mode[6][termios.VTIME] = 1, 0
    try:
        termios.tcsetattr(fd, termios.TCSAFLUSH, mode)
        yield Keys(fd)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _clock(seconds: float) -> str:
    whole = max(int(seconds + 0.999), 0)
    return f"{whole // 60}:{whole % 60:02d}"


def _wrapped(text: str, width: int, indent: str = "  ") -> str:
    """Whole words to the terminal's width (never "Repe|at"), indented under a heading."""
    return textwrap.fill(text, width=max(width, 30), initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) + "\n"


def _item(text: str, width: int) -> str:
    """One item of a list, in whole words, hanging under its dash."""
    return textwrap.fill(text, width=max(width, 30), initial_indent="  - ",
                         subsequent_indent="    ", break_long_words=False,
                         break_on_hyphens=False) + "\n"


def _show_step(out: IO[str], n: int, total: int, step: Step, width: int) -> None:
    tool = f", with a {words(step.tool)}" if step.tool else ""
    out.write("\n\n" + _wrapped(f"Step {n} of {total}: {step.name}", width, "")
              + _wrapped(f"{words(step.technique)}{tool}, {step.pressure} pressure, "
                         f"{duration(step.minutes)}, on the {step_places(step)}", width)
              + _wrapped(step.instructions, width))
    out.flush()


def _status(out: IO[str], left: float, paused: bool) -> None:
    state = "PAUSED" if paused else "left"
    out.write(f"\r\x1b[K  {_clock(left)} {state}   [{HELP}]")
    out.flush()


def guide(routine: Routine, keys: Keys, out: IO[str], speed: float = 1.0,
          limits: Sequence[tuple[str, str]] = (), width: int | None = None) -> str:
    """Run the routine's steps once Enter is pressed; 'finished' or 'stopped'. Raises
    KeyboardInterrupt on Ctrl-C. ``limits`` are the result's changes (what is left out, capped
    or avoided, and where: ``render.words.changes``); ``width`` is the terminal's."""
    width = (width or shutil.get_terminal_size((80, 24)).columns) - 1
    steps = routine.steps
    out.write(_wrapped(f"Guided routine: {words(routine.goal)}, {routine.minutes} minutes, "
                       f"{len(steps)} steps.", width, ""))
    if limits:
        out.write(_wrapped("Left out or limited (no step goes past these):", width, "") + "".join(
            _item(f"{what}: {where}", width) for what, where in limits))
    if routine.notice:
        out.write(_wrapped(f"PLEASE NOTE: {routine.notice}", width, ""))
    out.write("Before you start:\n" + "".join(_item(p, width) for p in routine.precautions))
    if not steps:
        out.write("There are no steps to guide.\n")
        return "finished"
    out.write(_wrapped(START, width, ""))
    out.flush()
    while (key := keys.read(None)) != "start":
        if key == "stop":
            out.write("Stopped before the first step.\n")
            return "stopped"
    index = 0
    while index < len(steps):
        step = steps[index]
        _show_step(out, index + 1, len(steps), step, width)
        left = step.minutes * 60
        paused = False
        move = 1
        last = time.monotonic()
        while left > 0:
            _status(out, left, paused)
            key = keys.read(TICK)
            now = time.monotonic()
            if not paused:
                left -= (now - last) * speed
            last = now
            if key == "pause":
                paused = not paused
            elif key == "next":
                break
            elif key == "back":
                move = -1 if index > 0 else 0
                break
            elif key == "stop":
                out.write(f"\r\x1b[K\nStopped at step {index + 1} of {len(steps)}.\n")
                return "stopped"
        else:
            out.write("\a")  # the step's time is up
        index += move
    out.write("\r\x1b[K\n" + _wrapped("Routine finished. Rest the hands still on the leg for "
                                    "a moment.", width, ""))
    return "finished"


def run_guide(assessment: Assessment, speed: float = 1.0,
              stdin: IO[str] | None = None, out: IO[str] | None = None) -> str:
    """Guide an assessment's routine on the terminal (stdin/stdout unless given)."""
    routine = assessment.routine
    if routine is None:  # refer and urgent never reach a step
        raise ValueError("no routine to guide: the result is a referral")
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    with cbreak(stdin.fileno()) as keys:
        try:
            return guide(routine, keys, out, speed, limits=changes(assessment))
        except KeyboardInterrupt:
            out.write("\r\x1b[K\n")  # leave the countdown line clean for the message
            out.flush()
            raise
