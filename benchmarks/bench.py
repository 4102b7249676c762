"""Speed and memory of the screener, on intakes drawn from the whole catalogue.

Run by hand (not a test): ``python benchmarks/bench.py`` prints
- the median and p99 time of one ``screen()`` call, and the same without the cross-check
  of every screening against the plain reading (its cost);
- the same for a plain-Python reading of the same rule files (the floor: no engine);
- the figures of issue #19 side by side (``figures.py``): durable_rules alone on the
  issue's fixed workload, the engine call alone, ``screen()``, and the engine call with
  the rule set copied four times;
- screenings per second through ``screener batch`` with ``--jobs 1`` and ``--jobs 2``
  (with the load average, since the machine may be shared);
- the resident memory after 10,000 and after N screenings (default 100,000): it must
  stay flat, since every engine session is deleted;
- the cold start of ``screener screen`` on the bundled example, per ``--format``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unittest import mock

from screener import Intake, default_rules, screen, screening
from screener.routine.adjust import adjust_routine
from screener.engine.facts import build_facts  # noqa: F401  (the reference path builds the same facts)
from screener.decision.findings import build_findings, combine
from screener.engine.reference import reference_matches
from screener.vocabulary import AREAS, GOALS, PRESSURES, SEVERITIES

ROOT = Path(__file__).resolve().parent.parent
RULES = default_rules()


def random_intake(rng: random.Random) -> dict:
    """Like a real day's intakes: most report none or one or two conditions."""
    k = rng.choices([0, 1, 2, 3, 5], weights=[3, 4, 3, 2, 1])[0]
    conditions = []
    for code in rng.sample(sorted(RULES.conditions), k):
        c = RULES.conditions[code]
        entry: dict = {"code": code}
        if "sites" in c.asks or "sides" in c.asks:
            entry["sites"] = [{"area": rng.choice(AREAS), "side": rng.choice(["left", "right", "both"])}
                              for _ in range(rng.randint(1, 2))]
        if "days_ago" in c.asks:
            entry["days_ago"] = rng.randint(0, 30)
        if "severity" in c.asks:
            entry["severity"] = rng.choice(SEVERITIES)
        if "cleared" in c.asks:
            entry["cleared"] = rng.random() < 0.5
        flags = [f for f in c.flags if rng.random() < 0.1]
        if flags:
            entry["flags"] = flags
        if len(flags) < len(c.flags):  # every follow-up answered: the rest were "no"
            entry["flags_no"] = [f for f in c.flags if f not in flags]
        conditions.append(entry)
    return {"conditions": conditions, "goal": rng.choice(GOALS),
            "preferred_pressure": rng.choice(PRESSURES[1:]), "minutes": rng.randint(5, 60)}


def reference_screen(intake: Intake) -> str:
    """The same decision without the engine: the plain reading of the rule files."""
    combined = combine(build_findings(RULES, intake, reference_matches(RULES, intake)))
    if combined.decision in ("proceed", "adjust"):
        adjust_routine(intake, combined)
    return combined.decision


def timings(fn, intakes: list[Intake], repeat: int) -> list[float]:
    out = []
    for i in range(repeat):
        intake = intakes[i % len(intakes)]
        start = time.perf_counter()
        fn(intake)
        out.append(time.perf_counter() - start)
    return sorted(out)


def pct(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))] * 1e3


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=2000, help="distinct intakes drawn")
    parser.add_argument("--repeat", type=int, default=20000, help="timed screen() calls")
    parser.add_argument("--batch", type=int, default=20000, help="lines through screener batch")
    parser.add_argument("--figures", type=int, default=5000, help="interleaved calls, #19")
    parser.add_argument("--rss-count", type=int, default=100000, help="screenings for memory")
    args = parser.parse_args()

    rng = random.Random(20261124)
    raw = [random_intake(rng) for _ in range(args.intakes)]
    intakes = [Intake.model_validate(d) for d in raw]
    agree = sum(screen(i).decision == reference_screen(i) for i in intakes)
    counts = {d: sum(screen(i).decision == d for i in intakes)
              for d in ("proceed", "adjust", "refer", "urgent")}
    print(f"rule set {RULES.name} {RULES.version}: {len(RULES.conditions)} conditions, "
          f"{len(RULES.rules)} rules; {len(intakes)} intakes {counts}")
    print(f"engine and plain reading agree on {agree}/{len(intakes)} decisions")

    for _ in range(200):  # warm up both paths
        screen(intakes[0])
        reference_screen(intakes[0])
    engine = timings(screen, intakes, args.repeat)
    floor = timings(reference_screen, intakes, args.repeat)
    print(f"screen():        median {pct(engine, 0.5):.3f} ms  p99 {pct(engine, 0.99):.3f} ms")
    if hasattr(screening, "cross_check"):  # older trees screen without it
        with mock.patch.object(screening, "reference_reading", lambda *args: ((), frozenset())), \
                mock.patch.object(screening, "cross_check", lambda engine, reference: None):
            unchecked = timings(screen, intakes, args.repeat)
        print(f"  without the cross-check: median {pct(unchecked, 0.5):.3f} ms  "
              f"p99 {pct(unchecked, 0.99):.3f} ms (the check costs "
              f"{pct(engine, 0.5) / pct(unchecked, 0.5) - 1:+.0%} at the median)")
    print(f"plain reference: median {pct(floor, 0.5):.3f} ms  p99 {pct(floor, 0.99):.3f} ms")
    from figures import figures, report  # figures.py imports this module's generator

    print(report(figures(intakes[:1000], args.figures)))

    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "batch.jsonl"
        with jsonl.open("w") as out:
            for n in range(args.batch):
                out.write(json.dumps(raw[n % len(raw)]) + "\n")
        rates = {}
        for jobs in (1, 2, 1, 2):  # interleaved: a busy machine slows both alike
            start = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "screener"), "batch", "--answers",
                            str(jsonl), "--jobs", str(jobs)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            rates.setdefault(jobs, []).append(args.batch / (time.perf_counter() - start))
    one, two = (max(rates[j]) for j in (1, 2))
    print(f"batch:           {one:,.0f} intakes/s with --jobs 1, {two:,.0f} with --jobs 2 "
          f"({two / one:.2f}x; target >= 1.6 on two idle cores; best of two, start-up "
          f"included; load average {os.getloadavg()[0]:.1f})")

    start_rss = None
    for n in range(1, args.rss_count + 1):
        screen(intakes[n % len(intakes)])
        if n == 10000:
            start_rss = rss_mb()
    end_rss = rss_mb()
    print(f"memory:          RSS {start_rss:.1f} MB after 10,000 screenings, {end_rss:.1f} MB "
          f"after {args.rss_count:,} (growth {end_rss - start_rss:+.1f} MB)")

    example = ROOT / "examples" / "intake.json"
    for fmt in ("text", "json", "markdown", "svg", "html", "pdf", "cds", "fhir"):
        cold = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run([str(Path(sys.executable).parent / "screener"), "screen", "--answers",
                            str(example), "--format", fmt], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            cold.append(time.perf_counter() - start)
        print(f"cold start:      screener screen --format {fmt:<8} median "
              f"{statistics.median(cold):.3f} s")


if __name__ == "__main__":
    main()
