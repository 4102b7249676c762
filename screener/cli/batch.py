"""Many intakes at once: ``screener batch`` (JSON Lines in, JSON Lines out) and
``screener diff`` (what a new rule set would change). Both stream, so memory does not
grow with the input: on one process a line is read, screened and written before the
next; with ``jobs`` above one, chunks of lines go to a process pool (``pool``) and come
back in input order, the same bytes as on one process."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from screener.errors import InputError
from screener.parse import parse_intake
from screener.decision.assessment import Assessment
from screener.errors import ScreenerError
from screener.cli.interrupts import deferred
from screener.cli.pool import parallel
from screener.render.words import nothing_left
from screener.rules import RuleSet
from screener.cli.watchdog import screen_bounded as screen
from screener.vocabulary import DECISIONS

if TYPE_CHECKING:
    from screener.answers.intake import Intake

_CHUNK = 1 << 16
# The results a summary counts, least restrictive first: an adjust that leaves no step
# is counted apart (``screen`` exits 5 for it, not 0).
NOTHING_LEFT = "nothing_left"
RESULTS = (*DECISIONS[:2], NOTHING_LEFT, *DECISIONS[2:])
RESULT_WORDS = {NOTHING_LEFT: "no massage"}


@dataclass
class Tally:
    """Counts for the summary line on stderr."""

    decisions: Counter[str] = field(default_factory=Counter)
    invalid: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return sum(self.decisions.values()) + self.invalid + self.failed

    def summary(self) -> str:
        counts = ", ".join(f"{RESULT_WORDS.get(d, d)} {self.decisions[d]}" for d in RESULTS)
        return (f"screened {self.total} lines: {counts}; invalid {self.invalid}, "
                f"failed {self.failed}")


@dataclass(frozen=True)
class LongLine:
    """A line over the size limit: read past and counted, never held in memory."""

    size: int
    limit: int


def split_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | LongLine]:
    """The lines of a binary stream, split on ``\n`` only (a lone ``\r`` stays inside
    its line, so line numbers match what an editor shows), each at most ``limit`` bytes
    without its line ending, read one at a time."""
    while True:
        raw = stream.readline(limit + 2)  # the content, and '\r\n'
        if not raw:
            return
        content = raw.removesuffix(b"\n").removesuffix(b"\r")
        if len(content) <= limit:
            yield raw
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = stream.readline(_CHUNK)
            if not raw:
                break
            size += len(raw)
        yield LongLine(size, limit)


def numbered(lines: Iterable[str | bytes | LongLine]) -> Iterator[tuple[int, str | InputError]]:
    """Every line with its 1-based number: its text without the line ending, or the
    error that makes it unreadable. A blank line is an error of its own ('blank line'),
    so every input line gets exactly one output line and nothing is skipped silently."""
    for number, line in enumerate(lines, 1):
        name = f"line {number}"
        if isinstance(line, LongLine):
            yield number, InputError(f"{name}: longer than the limit of {line.limit} bytes "
                                     f"(see --max-input-bytes)")
            continue
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, InputError(f"{name}: not valid UTF-8 (byte {exc.start + 1})")
                continue
        text = line.removesuffix("\n").removesuffix("\r")
        yield number, text if text.strip() else InputError(f"{name}: blank line, no intake")


def result_parts(assessment: Assessment) -> tuple[str, str]:
    """What batch writes of an assessment: what it gave (a decision, or no massage) and its
    JSON. Made where the screening ran, so only two strings come back from the worker."""
    return (NOTHING_LEFT if nothing_left(assessment) else assessment.decision,
            assessment.model_dump_json())


def _bounded(intake: Intake, rules: RuleSet) -> tuple[str, str]:
    return screen(intake, rules, finish=result_parts)  # type: ignore[no-any-return]


def screen_one(number: int, line: str | InputError, rules: RuleSet,
               screener: Callable[[Intake, RuleSet], tuple[str, str]] = _bounded
               ) -> tuple[str, str]:
    """What one line gave (a decision, 'invalid' or 'failed') and its result line;
    ``screener`` gives ``result_parts`` of a screening: the watchdog's bounded one, or
    ``screen()``'s on a cluster."""
    try:
        if isinstance(line, InputError):
            raise line
        kind, body = screener(parse_intake(line, f"line {number}", rules), rules)
    except InputError as exc:
        return "invalid", json.dumps({"line": number, "ok": False, "error": str(exc)})
    except ScreenerError as exc:
        return "failed", json.dumps({"line": number, "ok": False, "error": f"line {number}: {exc}"})
    except Exception as exc:  # noqa: BLE001 - one line failing never stops the batch
        return "failed", json.dumps({"line": number, "ok": False,
                                     "error": f"line {number}: failed: {type(exc).__name__}"})
    return kind, f'{{"line": {number}, "ok": true, "assessment": {body}}}'


def _screen_chunk(chunk: list[tuple[int, str | InputError]], rules: RuleSet
                  ) -> list[tuple[str, str]]:
    """What a pool worker does with a chunk of numbered lines."""
    return [screen_one(number, line, rules) for number, line in chunk]


def _screened(lines: Iterable[str | bytes | LongLine], rules: RuleSet,
              jobs: int) -> Iterator[tuple[str, str]]:
    if jobs > 1:
        yield from parallel(_screen_chunk, numbered(lines), [rules], jobs)
        return
    for number, line in numbered(lines):
        with deferred():
            kind_and_result = screen_one(number, line, rules)
        yield kind_and_result


def screen_lines(lines: Iterable[str | bytes | LongLine], rules: RuleSet,
                 tally: Tally, jobs: int = 1) -> Iterator[str]:
    """One JSON result line per input line, in input order. A bad line gives
    ``{"line": N, "ok": false, "error": ...}`` and the batch goes on. A Ctrl-C while a
    line is screened drops that line (it is neither written nor counted), since the
    engine would otherwise report it as a failed screening; pool workers ignore Ctrl-C,
    and what they had not given back is dropped the same way."""
    for kind, result in _screened(lines, rules, jobs):
        if kind == "invalid":
            tally.invalid += 1
        elif kind == "failed":
            tally.failed += 1
        else:
            tally.decisions[kind] += 1
        yield result


def run_batch(lines: Iterable[str | bytes | LongLine], rules: RuleSet, out: IO[str],
              err: IO[str], jobs: int = 1) -> Tally:
    """Screen every line to ``out``; the summary goes to ``err`` however the run ends
    (an interruption still tells how many lines were written)."""
    tally = Tally()
    from screener.render.progress import Progress  # rich, and only on a terminal

    progress = Progress(err)
    try:
        for n, result in enumerate(screen_lines(lines, rules, tally, jobs), 1):
            with deferred():  # a result line is written whole or not at all
                out.write(result + "\n")
            progress.tick(n)
    finally:
        progress.close()
        err.write(tally.summary() + "\n")
    return tally


# -- diff -----------------------------------------------------------------------------


# What a person sees change, in the order a record reports it: key -> words in the summary.
COMPARED = {"decision": "decision", "exclusions": "exclusions", "pressure_caps": "caps",
            "avoid": "avoided techniques", "referral": "referral", "routine": "routine"}


def _places(items: Iterable[object]) -> set[str]:
    return {" ".join(str(v) for v in i.model_dump().values() if v is not None)  # type: ignore[attr-defined]
            for i in items}


def _steps(assessment: Assessment) -> list[str]:
    """Each step as a person reads it: name, technique, pressure, sites, minutes, words."""
    if assessment.routine is None:
        return []
    return [f"{s.name} ({s.technique}, {s.pressure}, "
            f"{', '.join(f'{p.side} {p.area}' for p in s.sites)}, {s.minutes:g} min): "
            f"{s.instructions}" for s in assessment.routine.steps]


def compare(old: Assessment, new: Assessment) -> dict[str, object]:
    """What changed between two assessments of one intake (empty: nothing a person would
    see): decision, exclusions, caps, avoided techniques, referral message, routine steps."""
    change: dict[str, object] = {}
    if old.decision != new.decision:
        change["decision"] = [old.decision, new.decision]
    for key in ("exclusions", "pressure_caps", "avoid"):
        before, after = _places(getattr(old, key)), _places(getattr(new, key))
        if before != after:
            change[key] = {"added": sorted(after - before), "removed": sorted(before - after)}
    messages = [a.referral.message if a.referral else None for a in (old, new)]
    if messages[0] != messages[1]:
        change["referral"] = messages
    steps = _steps(old), _steps(new)
    if steps[0] != steps[1]:
        change["routine"] = {"added": [s for s in steps[1] if s not in steps[0]],
                             "removed": [s for s in steps[0] if s not in steps[1]]}
        if not change["routine"]["added"] and not change["routine"]["removed"]:  # type: ignore[index]
            change["routine"] = {"reordered": True}
    return change


def _diff_one(number: int, line: str | InputError, old: RuleSet, new: RuleSet
              ) -> dict[str, object] | None:
    """The record of one line: what changed, its error, or None when nothing did."""
    try:
        if isinstance(line, InputError):
            raise line
        before = screen(parse_intake(line, f"line {number}", old), old)
        after = screen(parse_intake(line, f"line {number}", new), new)
    except (InputError, ScreenerError) as exc:
        return {"line": number, "error": str(exc)}
    change = compare(before, after)
    if not change:
        return None
    if "decision" in change and DECISIONS.index(after.decision) < DECISIONS.index(
            before.decision):
        change["less restrictive"] = True
    return {"line": number, **change}


def _diff_chunk(chunk: list[tuple[int, str | InputError]], old: RuleSet, new: RuleSet
                ) -> list[dict[str, object] | None]:
    """What a pool worker does with a chunk of numbered lines."""
    return [_diff_one(number, line, old, new) for number, line in chunk]


def _diffed(lines: Iterable[str | bytes | LongLine], old: RuleSet, new: RuleSet,
            jobs: int) -> Iterator[dict[str, object] | None]:
    if jobs > 1:
        yield from parallel(_diff_chunk, numbered(lines), [old, new], jobs)
        return
    for number, line in numbered(lines):
        with deferred():  # see screen_lines: a Ctrl-C drops the line, never fails it
            record = _diff_one(number, line, old, new)
        yield record


def diff_lines(lines: Iterable[str | bytes | LongLine], old: RuleSet, new: RuleSet,
               counts: Counter[str], jobs: int = 1) -> Iterator[dict[str, object]]:
    """One record per intake where anything in ``COMPARED`` differs, or that is invalid."""
    for record in _diffed(lines, old, new, jobs):
        counts["intakes"] += 1
        if record is None:
            continue
        if "error" in record:
            counts["invalid"] += 1
        else:
            counts["changed"] += 1
            counts.update(f"changed {key}" for key in record if key not in (
                "line", "less restrictive"))
            counts["less restrictive"] += bool(record.pop("less restrictive", False))
        yield record


def describe_change(record: dict[str, object]) -> str:
    if "error" in record:
        return f"line {record['line']}: invalid: {record['error']}"
    parts = []
    if "decision" in record:
        old, new = record["decision"]  # type: ignore[misc]
        parts.append(f"decision {old} -> {new}")
    for key in ("exclusions", "pressure_caps", "avoid"):
        if key in record:
            delta = record[key]
            parts += [f"{key} +{x}" for x in delta["added"]]  # type: ignore[index]
            parts += [f"{key} -{x}" for x in delta["removed"]]  # type: ignore[index]
    if "referral" in record:
        old, new = record["referral"]  # type: ignore[misc]
        parts.append(f"referral {old or 'none'!r} -> {new or 'none'!r}")
    if "routine" in record:
        delta = record["routine"]
        added, removed = delta.get("added", []), delta.get("removed", [])  # type: ignore[union-attr]
        parts.append(f"routine steps +{len(added)} -{len(removed)}" if added or removed
                     else "routine steps reordered")
    return f"line {record['line']}: " + "; ".join(parts)


def diff_summary(counts: Counter[str]) -> str:
    which = ", ".join(f"{words} {counts[f'changed {key}']}" for key, words in COMPARED.items())
    return (f"{counts['intakes']} intakes: {counts['changed']} changed ({which}; "
            f"{counts['less restrictive']} less restrictive); {counts['invalid']} invalid")
