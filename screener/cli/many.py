"""``screener batch`` and ``screener diff`` at the command line: their flags and exit
status (the streaming work itself is ``screener.cli.batch``, the process pool
``screener.cli.pool``). Kept apart from ``main`` so that it stays small."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from screener.answers.source import input_limit, opened
from screener.errors import InputError, shown

_OK, _FAILURE, _INVALID = 0, 1, 2  # as screener.cli.main's EXIT_OK, EXIT_FAILURE, EXIT_INVALID


def default_jobs() -> int:
    """The cores this process may run on (taskset and cgroups included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cmd_batch(args: argparse.Namespace) -> int:
    """Exit 0 when every line was screened, 2 when any line was invalid, 1 when any
    failed otherwise. Refer and urgent are results, not failures."""
    from screener.cli.batch import run_batch, split_lines
    from screener.loading import default_rules, load_rules

    rules = load_rules(args.rules) if args.rules else default_rules()
    limit = input_limit(args.max_input_bytes)
    jobs = args.jobs or default_jobs()
    with opened(args.answers) as stream, _own_reader(stream, jobs) as stream:
        tally = run_batch(split_lines(stream, limit), rules, sys.stdout, sys.stderr, jobs)
    return _FAILURE if tally.failed else _INVALID if tally.invalid else _OK


def cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 whether or not decisions changed; 2 when any line was invalid."""
    from collections import Counter

    from screener.cli.batch import describe_change, diff_lines, diff_summary, split_lines
    from screener.loading import load_rules

    if len(args.rules or []) != 2:
        raise InputError("diff needs --rules OLD --rules NEW")
    old, new = (load_rules(path) for path in args.rules)
    limit = input_limit(args.max_input_bytes)
    counts: Counter[str] = Counter()
    jobs = args.jobs or default_jobs()
    with opened(args.answers) as stream, _own_reader(stream, jobs) as stream:
        for record in diff_lines(split_lines(stream, limit), old, new, counts, jobs):
            sys.stdout.write((json.dumps(record) if args.format == "json"
                              else describe_change(record)) + "\n")
    summary = diff_summary(counts)
    if args.format == "json":
        sys.stderr.write(summary + "\n")
    else:
        sys.stdout.write(summary + "\n")
    return _INVALID if counts["invalid"] else _OK


@contextmanager
def _own_reader(stream: IO[bytes], jobs: int) -> Iterator[IO[bytes]]:
    """With a pool, a thread reads ahead (``screener.cli.pool``): on a Ctrl-C it may be
    left blocked in a read holding the lock of the stream, and Python aborts at exit when
    it takes the lock of ``sys.stdin`` (a fatal error, not exit 130). So that thread reads
    stdin through a reader of its own, on a copy of the file descriptor, closed after a
    complete run only (an interrupted one ends the command: closing would wait for that
    lock for good)."""
    if jobs == 1 or stream is not getattr(sys.stdin, "buffer", None):
        yield stream
        return
    own = open(os.dup(stream.fileno()), "rb")  # noqa: SIM115 - see above
    yield own
    own.close()


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"{shown(text, 40)!r} is not a number of processes, 1 or more")
    return int(text)


def _jobs_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=_jobs, metavar="N", help=(
        "screen on N processes (default: this machine's cores); the output is the same "
        "bytes, in input order, whatever N"))


def add_batch(sub: Any, limit_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``batch`` on the command line's sub-parsers."""
    p = sub.add_parser("batch", help="screen JSON Lines, one intake a line, to JSON Lines")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON Lines, '-' for stdin")
    p.add_argument("--rules", metavar="DIR")
    limit_flag(p)
    _jobs_flag(p)
    p.set_defaults(func=cmd_batch)


def add_diff(sub: Any, limit_flag: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``diff`` on the command line's sub-parsers."""
    p = sub.add_parser("diff", help="which intakes a new rule set would decide differently")
    p.add_argument("--rules", action="append", metavar="DIR", help="give twice: OLD then NEW")
    p.add_argument("--answers", required=True, metavar="FILE", help="JSON Lines, '-' for stdin")
    p.add_argument("--format", choices=("text", "json"), default="text")
    limit_flag(p)
    _jobs_flag(p)
    p.set_defaults(func=cmd_diff)
