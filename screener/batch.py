"""Many intakes at once: ``screener batch`` (JSON Lines in, JSON Lines out) and
``screener diff`` (what a new rule set would change). Both stream: one line is read,
screened and written before the next, so memory does not grow with the input."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from .answers import InputError, parse_intake
from .assessment import Assessment
from .errors import ScreenerError
from .intake import Intake
from .ruleset import RuleSet
from .screening import screen
from .vocabulary import DECISIONS


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
        counts = ", ".join(f"{d} {self.decisions[d]}" for d in DECISIONS)
        return (f"screened {self.total} lines: {counts}; invalid {self.invalid}, "
                f"failed {self.failed}")


def numbered(stream: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based line numbers."""
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


def _parse(number: int, line: str, rules: RuleSet) -> Intake:
    return parse_intake(line, f"line {number}", rules)


def screen_lines(lines: Iterable[str], rules: RuleSet, tally: Tally) -> Iterator[str]:
    """One JSON result line per non-blank input line, in input order. A bad line gives
    ``{"line": N, "ok": false, "error": ...}`` and the batch goes on."""
    for number, line in numbered(lines):
        try:
            assessment = screen(_parse(number, line, rules), rules)
        except InputError as exc:
            tally.invalid += 1
            yield json.dumps({"line": number, "ok": False, "error": str(exc)})
            continue
        except ScreenerError as exc:
            tally.failed += 1
            yield json.dumps({"line": number, "ok": False, "error": f"line {number}: {exc}"})
            continue
        tally.decisions[assessment.decision] += 1
        yield f'{{"line": {number}, "ok": true, "assessment": {assessment.model_dump_json()}}}'


class Progress:
    """A one-line progress counter on a terminal's stderr; silent otherwise."""

    def __init__(self, stream: IO[str]):
        self.stream = stream
        self.live = stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0

    def tick(self, done: int) -> None:
        now = time.monotonic()
        if self.live and now - self.last > 0.2:
            self.last = now
            rate = done / max(now - self.start, 1e-9)
            self.stream.write(f"\r{done} screened ({rate:,.0f}/s)")
            self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")


def run_batch(lines: Iterable[str], rules: RuleSet, out: IO[str], err: IO[str]) -> Tally:
    tally = Tally()
    from .render.progress import Progress as BarProgress  # rich, and only on a terminal

    progress = BarProgress(err)
    for n, result in enumerate(screen_lines(lines, rules, tally), 1):
        out.write(result + "\n")
        progress.tick(n)
    progress.close()
    err.write(tally.summary() + "\n")
    return tally


# -- diff -----------------------------------------------------------------------------


def _places(items: Iterable[object]) -> set[str]:
    return {" ".join(str(v) for v in i.model_dump().values()) for i in items}  # type: ignore[attr-defined]


def compare(old: Assessment, new: Assessment) -> dict[str, object]:
    """What changed between two assessments of one intake (empty: nothing that matters)."""
    change: dict[str, object] = {}
    if old.decision != new.decision:
        change["decision"] = [old.decision, new.decision]
    for key in ("exclusions", "pressure_caps"):
        before, after = _places(getattr(old, key)), _places(getattr(new, key))
        if before != after:
            change[key] = {"added": sorted(after - before), "removed": sorted(before - after)}
    return change


def diff_lines(lines: Iterable[str], old: RuleSet, new: RuleSet,
               counts: Counter[str]) -> Iterator[dict[str, object]]:
    """One record per intake whose decision, exclusions or caps differ, or that is invalid."""
    for number, line in numbered(lines):
        counts["intakes"] += 1
        try:
            before = screen(_parse(number, line, old), old)
            after = screen(_parse(number, line, new), new)
        except (InputError, ScreenerError) as exc:
            counts["invalid"] += 1
            yield {"line": number, "error": str(exc)}
            continue
        change = compare(before, after)
        if change:
            counts["changed"] += 1
            counts.update(f"changed {key}" for key in change)
            if "decision" in change and DECISIONS.index(after.decision) < DECISIONS.index(
                    before.decision):
                counts["less restrictive"] += 1
            yield {"line": number, **change}


def describe_change(record: dict[str, object]) -> str:
    if "error" in record:
        return f"line {record['line']}: invalid: {record['error']}"
    parts = []
    if "decision" in record:
        old, new = record["decision"]  # type: ignore[misc]
        parts.append(f"decision {old} -> {new}")
    for key in ("exclusions", "pressure_caps"):
        if key in record:
            delta = record[key]
            parts += [f"{key} +{x}" for x in delta["added"]]  # type: ignore[index]
            parts += [f"{key} -{x}" for x in delta["removed"]]  # type: ignore[index]
    return f"line {record['line']}: " + "; ".join(parts)


def diff_summary(counts: Counter[str]) -> str:
    return (f"{counts['intakes']} intakes: {counts['changed']} changed (decision "
            f"{counts['changed decision']}, exclusions {counts['changed exclusions']}, caps "
            f"{counts['changed pressure_caps']}; {counts['less restrictive']} less restrictive); "
            f"{counts['invalid']} invalid")


def open_lines(source: str) -> IO[str]:
    return sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
