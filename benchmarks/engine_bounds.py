"""Where durable_rules (2.0.28) fails or hangs, measured on the rule language as it stands.

Each probe writes a rule folder (the shipped rules plus generated conditions), then, in
a child process it kills after ``--timeout`` seconds (a hang inside the C engine ignores
signals), loads it (``load_rules``: the load-time bounds may refuse it) and screens an
intake naming the generated conditions. It prints one line a size: rules compiled,
seconds to load, to screen the first time and the next, or how it ended.

    .venv/bin/python benchmarks/engine_bounds.py conditions 100 200 400 800  # all reported
    .venv/bin/python benchmarks/engine_bounds.py ruleset 400 800     # one of them reported
    .venv/bin/python benchmarks/engine_bounds.py rules 32 48 64 96     # rules on one fact
    .venv/bin/python benchmarks/engine_bounds.py joins 1 2 4 8         # joins in one rule

``--unbounded`` lifts the load-time bounds in the child (its own copy of
``screener.engine.patterns``) so the engine itself is measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
from screener import Intake, load_rules, screen
from screener.engine import patterns
folder, codes, unbounded = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
if unbounded:  # measure the engine itself, past the load-time bounds
    for name in dir(patterns):
        if name.startswith("MAX_") and name != "MAX_FACT_PROPERTIES":
            setattr(patterns, name, 10 ** 9)
t0 = time.perf_counter()
rules = load_rules(folder)
t1 = time.perf_counter()
intake = Intake.model_validate({"conditions": [{"code": c} for c in codes]},
                               context={"rules": rules})
screen(intake, rules)
t2 = time.perf_counter()
screen(intake, rules)
t3 = time.perf_counter()
print(json.dumps({"rules": len(rules.definition.rules), "load": t1 - t0,
                  "first": t2 - t1, "next": t3 - t2}))
"""


def _condition(code: str, rules: int, partners: list[str]) -> dict:
    made = []
    for r in range(rules):
        rule = {"id": f"{code.replace('_', '-')}.r{r}", "decision": "adjust",
                "actions": [{"kind": "cap", "max": "light"}],
                "reason": "A generated rule.",
                "sources": [{"cite": "seed-002", "section": "generated"}],
                "cases": {"fires": [], "does_not_fire": [{"intake": {"conditions": []}}]}}
        if partners:
            rule["with"] = [{"code": p} for p in partners]
        intake = {"conditions": [{"code": c} for c in [code, *partners]]}
        rule["cases"]["fires"] = [{"intake": intake, "expect": {"decision": "adjust"}}]
        made.append(rule)
    return {"code": code, "title": f"Generated {code}", "question": f"Is there {code}?",
            "class": "caution", "group": "health", "asks": ["severity"], "rules": made}


def build(kind: str, size: int, folder: Path) -> list[str]:
    """A rule folder for one probe; returns the codes the probe intake reports."""
    shutil.copytree(ROOT / "rules", folder)
    if kind in ("conditions", "ruleset"):
        codes = [f"gen_{i:04d}" for i in range(size)]
        for code in codes:
            (folder / f"{code}.yaml").write_text(yaml.safe_dump(_condition(code, 1, [])))
        return codes if kind == "conditions" else codes[:1]
    if kind == "rules":
        (folder / "gen_many.yaml").write_text(yaml.safe_dump(_condition("gen_many", size, [])))
        return ["gen_many"]
    if kind == "joins":  # one rule joining ``size`` other conditions
        partners = [f"gen_p{i:03d}" for i in range(size)]
        for code in partners:
            (folder / f"{code}.yaml").write_text(yaml.safe_dump(_condition(code, 1, [])))
        (folder / "gen_joined.yaml").write_text(
            yaml.safe_dump(_condition("gen_joined", 1, partners)))
        return ["gen_joined", *partners]
    raise SystemExit(f"unknown kind {kind!r}")


def probe(kind: str, size: int, timeout: float, unbounded: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rules"
        codes = build(kind, size, folder)
        start = time.monotonic()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), json.dumps(codes),
                                  "1" if unbounded else "0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return {"size": size, "ended": f"hung: killed after {timeout:g} s"}
        if child.returncode:
            last = (err.strip().splitlines() or ["?"])[-1][:160]
            return {"size": size, "ended": f"exit {child.returncode}: {last}",
                    "seconds": round(time.monotonic() - start, 2)}
        return {"size": size, **json.loads(out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["conditions", "ruleset", "rules", "joins"])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--unbounded", action="store_true",
                        help="lift the load-time bounds to measure the engine itself")
    args = parser.parse_args()
    for size in args.sizes:
        print(json.dumps({"kind": args.kind, **probe(args.kind, size, args.timeout,
                                                       args.unbounded)}), flush=True)


if __name__ == "__main__":
    main()
