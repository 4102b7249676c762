"""Before and after a change, in one run: ``screen()`` in two source trees on the same
intakes, interleaved so that a busy machine slows both alike.

    python benchmarks/before_after.py BEFORE_TREE AFTER_TREE [--rounds 5]

Each tree is imported in its own subprocess (``PYTHONPATH`` set to it). The intakes are
drawn once, by this tree's ``bench.random_intake`` (every follow-up answered), and given
to both, so both screen the very same answers. Printed per tree: the median thread-CPU
time of one ``screen()`` call over the rounds, and the mix of decisions, so that a
cheaper mix cannot pass for a faster screener.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402 - this folder's generator

MEASURE = r'''
import collections, json, sys, time
from screener import Intake, screen
intakes = [Intake.model_validate(d) for d in json.load(open(sys.argv[1]))]
mix = collections.Counter(screen(i).decision for i in intakes)
for i in intakes[:300]:
    screen(i)
times = []
for k in range(int(sys.argv[2])):
    i = intakes[k % len(intakes)]
    t = time.thread_time(); screen(i); times.append(time.thread_time() - t)
times.sort()
print(json.dumps({"median": times[len(times) // 2], "mix": mix}))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, help="BEFORE and AFTER source trees")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--intakes", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=5000, help="timed calls a round")
    args = parser.parse_args()
    rng = random.Random(20261203)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump([bench.random_intake(rng) for _ in range(args.intakes)], out)
    results: dict[Path, dict] = {t: {"medians": [], "mix": None} for t in args.trees}
    try:
        for _ in range(args.rounds):
            for tree in args.trees:
                env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
                run = subprocess.run([sys.executable, "-c", MEASURE, out.name, str(args.calls)],
                                     cwd=tree, env=env, capture_output=True, text=True)
                if run.returncode:
                    sys.exit(f"{tree}: {run.stderr.strip().splitlines()[-1]}")
                got = json.loads(run.stdout)
                results[tree]["medians"].append(got["median"])
                results[tree]["mix"] = got["mix"]
    finally:
        os.unlink(out.name)
    before, after = (statistics.median(results[t]["medians"]) for t in args.trees)
    for tree in args.trees:
        r = results[tree]
        print(f"{tree}: screen() median {statistics.median(r['medians']) * 1e3:.3f} ms "
              f"(rounds {', '.join(f'{m * 1e3:.3f}' for m in r['medians'])}); mix {r['mix']}")
    print(f"after / before: {after / before:.2f}")


if __name__ == "__main__":
    main()
