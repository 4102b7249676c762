"""One-off long run of the contract's invariants (not a CI test), on every core.

    .venv/bin/python benchmarks/invariants_run.py [N] [--jobs J]

Screens ``N`` seeded random intakes (default 200,000) drawn from the whole catalogue
(sites on one leg, both or none, every severity, days, dated and undated clearances,
follow-ups answered yes, no or left unanswered) and checks on each what
tests/test_invariants.py checks on a sample: 1 a routine exactly when proceed or adjust;
2 no step on or over an excluded site; 3 no step above a cap or the wished pressure; 4 no
avoided technique; 5 one more condition, site or a higher severity is never less
restrictive (one of them, drawn, per intake); 6 the same intake gives the same bytes
(every tenth). Invariant 7 (an error anywhere fails closed) injects faults, which CI's
properties do. Prints the counts, the first violations and the time taken.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import sys
import time
from multiprocessing import Pool
from typing import Any

from screener import Assessment, Intake, default_rules, screen
from screener.routine.book import routine_book
from screener.vocabulary import AREA_RANK, AREAS, DECISION_RANK, GOALS, PRESSURE_RANK, PRESSURES, SEVERITIES

RULES = default_rules()
CODES = sorted(RULES.conditions)
CHUNK = 2000


def random_condition(rng: random.Random, code: str) -> dict[str, Any]:
    c = RULES.conditions[code]
    entry: dict[str, Any] = {"code": code}
    if rng.random() < 0.7:
        entry["sites"] = [{"side": rng.choice(["left", "right", "both"]),
                           **({"area": rng.choice(AREAS)} if rng.random() < 0.8 else {})}
                          for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.5:
        entry["cleared"] = rng.random() < 0.6
        if entry["cleared"] and rng.random() < 0.7:
            entry["cleared_days_ago"] = rng.randint(0, 500)
    if rng.random() < 0.6:
        entry["days_ago"] = rng.randint(0, 400)
    if rng.random() < 0.6:
        entry["severity"] = rng.choice(SEVERITIES)
    answers = {f: rng.choice(["yes", "no", "no", None]) for f in c.flags}
    if any(a == "yes" for a in answers.values()) or rng.random() < 0.5:
        entry["flags"] = [f for f, a in answers.items() if a == "yes"]
    if any(a == "no" for a in answers.values()):
        entry["flags_no"] = [f for f, a in answers.items() if a == "no"]
    return entry


def random_intake(rng: random.Random) -> dict[str, Any]:
    k = rng.choices([0, 1, 2, 3, 4, 5], weights=[2, 4, 4, 3, 2, 1])[0]
    return {"conditions": [random_condition(rng, c) for c in rng.sample(CODES, k)],
            "goal": rng.choice(GOALS), "preferred_pressure": rng.choice(PRESSURES[1:]),
            "minutes": rng.randint(5, 60), "machines": rng.random() < 0.3}


def _screen(data: dict[str, Any]) -> Assessment:
    return screen(Intake.model_validate(data))


def _caps(a: Assessment) -> dict[tuple[str, str], str]:
    return {(c.area, c.side): c.max for c in a.pressure_caps}


def violations(data: dict[str, Any], a: Assessment) -> list[str]:
    """Invariants 1 to 4 on one assessment."""
    out = []
    if (a.routine is None) != (a.decision in ("refer", "urgent")):
        out.append("1: routine and decision disagree")
    if a.routine is None:
        return out
    excluded = {(e.area, e.side) for e in a.exclusions}
    caps = _caps(a)
    everywhere = {x.technique for x in a.avoid if x.area is None}
    local = {(x.technique, x.area, x.side) for x in a.avoid if x.area}
    base = [s.areas for s in routine_book().routines[a.routine.goal].steps]
    for step in a.routine.steps:
        places = [(s.area, s.side) for s in step.sites]
        areas = [area for area, _ in places]
        ranks = [AREA_RANK[x] for x in areas]
        if excluded & set(places) or ranks != list(range(ranks[0], ranks[0] + len(ranks))):
            out.append(f"2: {step.name} on or over an excluded site")
        if not any(areas == b[i:i + len(areas)] for b in base for i in range(len(b))):
            out.append(f"2: {step.name} is not a run of a base step")
        rank = PRESSURE_RANK[step.pressure]
        if rank > PRESSURE_RANK[data["preferred_pressure"]] or any(
                rank > PRESSURE_RANK[caps.get(p, "deep")] for p in places):
            out.append(f"3: {step.name} above a cap")
        if step.technique in everywhere or any((step.technique, *p) in local for p in places):
            out.append(f"4: {step.name} uses an avoided technique")
    return out


def less_restrictive(before: Assessment, after: Assessment) -> bool:
    caps_after = _caps(after)
    return (DECISION_RANK[after.decision] < DECISION_RANK[before.decision]
            or not set(before.exclusions) <= set(after.exclusions)
            or any(p not in caps_after or PRESSURE_RANK[caps_after[p]] > PRESSURE_RANK[cap]
                   for p, cap in _caps(before).items()))


def stricter(rng: random.Random, data: dict[str, Any]) -> dict[str, Any] | None:
    """One more condition, one more site, or a higher severity (drawn)."""
    more = copy.deepcopy(data)
    kind = rng.choice(["condition", "site", "severity"])
    if kind == "condition":
        free = [c for c in CODES if c not in {x["code"] for x in data["conditions"]}]
        more["conditions"].insert(rng.randint(0, len(more["conditions"])),
                                  random_condition(rng, rng.choice(free)))
        return more
    if kind == "site":
        sited = [c for c in more["conditions"] if c.get("sites")]
        if not sited:
            return None
        rng.choice(sited)["sites"].append({"side": rng.choice(["left", "right", "both"]),
                                           "area": rng.choice(AREAS)})
        return more
    rated = [c for c in more["conditions"] if c.get("severity") in ("mild", "moderate")]
    if not rated:
        return None
    target = rng.choice(rated)
    target["severity"] = rng.choice(SEVERITIES[SEVERITIES.index(target["severity"]) + 1:])
    return more


def run_chunk(seed: int) -> tuple[int, int, dict[str, int], list[str]]:
    rng = random.Random(seed)
    screened, counts, found = 0, {d: 0 for d in DECISION_RANK}, []
    for n in range(CHUNK):
        data = random_intake(rng)
        a = _screen(data)
        screened += 1
        counts[a.decision] += 1
        found += [f"seed {seed} #{n}: {v}: {data}" for v in violations(data, a)]
        more = stricter(rng, data)
        if more is not None:
            screened += 1
            if less_restrictive(a, _screen(more)):
                found.append(f"seed {seed} #{n}: 5: {data} -> {more}")
        if n % 10 == 0:
            screened += 1
            if _screen(copy.deepcopy(data)).to_json() != a.to_json():
                found.append(f"seed {seed} #{n}: 6: different bytes")
    return CHUNK, screened, counts, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="to continue a run in parts: chunks of 2,000 seeded from here")
    args = parser.parse_args()
    start = time.monotonic()
    intakes, screened, counts, found = 0, 0, {d: 0 for d in DECISION_RANK}, []
    with Pool(args.jobs) as pool:
        seeds = range(args.first_seed, args.first_seed + -(-args.n // CHUNK))
        for done, s, c, f in pool.imap_unordered(run_chunk, seeds):
            intakes, screened, found = intakes + done, screened + s, found + f
            counts = {d: counts[d] + c[d] for d in counts}
    print(f"seeds {args.first_seed}+: {intakes:,} intakes ({screened:,} screenings) on {args.jobs} processes in "
          f"{time.monotonic() - start:.0f} s; decisions {counts}; violations {len(found)}")
    for line in found[:10]:
        print(line[:400])
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
