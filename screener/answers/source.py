"""Answers as bytes (a JSON file, stdin, one line of a batch) → a validated ``Intake``,
with one-line messages that name the source and the field.

Everything here assumes the input may be hostile or clumsy: reads are bounded (a size
limit, only regular files and pipes), and JSON is parsed strictly (no repeated keys, a
nesting limit checked before the parser recurses, no huge numbers, no NaN), so that bad
input is always a one-line ``InputError`` and never a traceback or a swallowed answer.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn

from screener.errors import InputError, shown

__all__ = ["InputError", "decode", "input_limit", "load_json", "opened", "read_answers"]

DEFAULT_MAX_INPUT_BYTES = 1 << 20  # 1 MiB: an intake is a few hundred bytes
LIMIT_VARIABLE = "SCREENER_MAX_INPUT_BYTES"
MAX_DEPTH = 32  # an intake nests four levels deep; a saved record a few more
MAX_DIGITS = 20  # more than any real answer (minutes, days) could need
_CHUNK = 1 << 16
# A JSON string (skipped whole) or a bracket: enough to measure nesting without recursing.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)


def parse_size(text: str, what: str) -> int:
    """A byte count given by the user (a flag or the environment), at least 1."""
    try:
        value = int(text.strip(), 10)
    except ValueError:
        value = 0
    if not 1 <= value <= 1 << 40:
        raise InputError(f"{what}: expected a number of bytes from 1, got '{shown(text)}'")
    return value


def input_limit(given: int | None = None) -> int:
    """The size limit for one input: the flag if given, else the environment, else 1 MiB."""
    if given is not None:
        return given
    env = os.environ.get(LIMIT_VARIABLE)
    return DEFAULT_MAX_INPUT_BYTES if env is None else parse_size(env, LIMIT_VARIABLE)


def check_readable(mode: int, name: str) -> None:
    """Only regular files and pipes (and a terminal on stdin) hold answers: a device such
    as /dev/zero never ends, a folder or a socket is a mistake."""
    if stat.S_ISDIR(mode):
        raise InputError(f"{name}: is a folder, not a file of answers")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise InputError(f"{name}: not a regular file or a pipe")


def read_bounded(stream: IO[bytes], limit: int, name: str) -> bytes:
    """At most ``limit`` bytes from ``stream``; more is an error, found by reading only
    one byte past the limit, never the whole of a huge input."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:  # in chunks: read(n) would set aside n bytes at once
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:  # end of input (None: a non-blocking stream with nothing ready)
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(f"{name}: larger than the limit of {limit} bytes "
                         f"(see --max-input-bytes or {LIMIT_VARIABLE})")
    return data


def _stdin_stream() -> IO[bytes]:
    stdin = sys.stdin
    if stdin is None:  # Python sets it to None when file descriptor 0 is closed
        raise InputError("stdin: closed; give the answers in a file or a pipe")
    try:
        fd = stdin.fileno()
    except (OSError, ValueError, AttributeError):
        fd = None  # an in-memory stream (tests, embedding): nothing to check
    if fd is not None:
        try:
            mode = os.fstat(fd).st_mode
        except OSError:
            raise InputError("stdin: closed; give the answers in a file or a pipe") from None
        if not os.isatty(fd):
            check_readable(mode, "stdin")
    return getattr(stdin, "buffer", stdin)


def source_name(source: str) -> str:
    """How messages name an answers source: 'stdin', or the path made safe to print."""
    return "stdin" if source == "-" else shown(source, 200)


@contextmanager
def opened(source: str) -> Iterator[IO[bytes]]:
    """A binary stream of answers: stdin for '-' (left open), else the file, which must be
    a regular file or a pipe (checked before opening, so /dev/zero is never read)."""
    name = source_name(source)
    if source == "-":
        yield _stdin_stream()
        return
    try:  # errors of the body (such as writing output) are not errors of reading
        check_readable(os.stat(source).st_mode, name)
        stream = open(source, "rb")  # noqa: SIM115 - closed below
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}"
                         ) from None
    with stream:
        check_readable(os.fstat(stream.fileno()).st_mode, name)  # swapped since?
        yield stream


def read_answers(source: str, limit: int) -> bytes:
    """The bytes of one answers file, or of stdin for '-', within ``limit``."""
    name = source_name(source)
    with opened(source) as stream:
        try:
            return read_bounded(stream, limit, name)
        except OSError as exc:  # EISDIR, EIO, a stdin that cannot be read
            raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8 (byte {exc.start + 1})") from None


class _Refused(ValueError):
    """Raised from inside ``json.loads`` hooks; becomes an ``InputError``."""


class _Repeated(dict):  # type: ignore[type-arg]
    """An object in which a key was repeated: marked while parsing, refused after, when
    the path to it is known."""

    def __init__(self, pairs: list[tuple[str, Any]]):
        super().__init__(pairs)
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                self.key = key
                break
            seen.add(key)


def _find_repeated(value: Any, path: tuple[str, ...] = ()) -> str | None:
    """A "conditions.0: duplicate key 'cleared'" message for the first object with a
    repeated key, or None. Nesting is already bounded, so recursing is safe."""
    if isinstance(value, _Repeated):
        where = ".".join(shown(p) for p in path)
        return f"{where + ': ' if where else ''}duplicate key '{shown(value.key)}'"
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
        value, list) else ()
    for key, child in children:
        found = _find_repeated(child, (*path, str(key)))
        if found:
            return found
    return None


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"number too long ({len(text)} characters; at most {MAX_DIGITS} digits)")
    return int(text)


def _real(text: str) -> float:
    if len(text) > 2 * MAX_DIGITS:
        raise _Refused(f"number too long ({len(text)} characters)")
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as infinity
        raise _Refused(f"number out of range ({text})")
    return value


def _constant(text: str) -> NoReturn:
    raise _Refused(f"{text} is not a valid JSON number")


def _check_depth(text: str, name: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # too few brackets to nest too deep: skip the scan (most intakes)
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(f"{name}: nested more than {MAX_DEPTH} levels deep")
        elif token in "]}":
            depth -= 1


def load_json(text: str, name: str) -> Any:
    """Parse JSON strictly; every problem an ``InputError`` naming ``name``."""
    _check_depth(text, name)
    repeated: list[bool] = []  # per call, not global: screening is used from threads

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        data = dict(pairs)  # silently keeping the last would let a second key hide the first
        if len(data) == len(pairs):
            return data
        repeated.append(True)
        return _Repeated(pairs)

    try:
        data = json.loads(text, object_pairs_hook=unique, parse_int=_integer,
                          parse_float=_real, parse_constant=_constant)
    except _Refused as exc:
        raise InputError(f"{name}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON: {exc.msg} (line {exc.lineno} "
                         f"column {exc.colno})") from None
    except (RecursionError, ValueError) as exc:  # a belt to the depth check's braces
        raise InputError(f"{name}: not valid JSON ({type(exc).__name__})") from None
    if repeated:
        raise InputError(f"{name}: {_find_repeated(data)}")
    return data
