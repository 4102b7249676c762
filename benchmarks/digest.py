"""One-off check (not a CI test): the JSON output of ``screener batch`` on a seeded file of
generated intakes keeps its SHA-256 across a change meant only to make it faster.

``python benchmarks/digest.py [--tree DIR]`` writes the file (seed 20261203, 100,000
lines, one in 500 bad), screens it with the screener of ``DIR`` (default: this tree) and
prints the digest of stdout; ``benchmarks/digest.txt`` holds the one recorded before.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import random_intake  # noqa: E402

BAD = ["", "{", '{"conditions": [{"code": "no such"}]}', "[]", '{"goal": 3}']


def write_intakes(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w") as out:
        for n in range(count):
            line = rng.choice(BAD) if n % 500 == 499 else json.dumps(random_intake(rng))
            out.write(line + "\n")


def batch_digest(tree: Path, answers: Path, jobs: int | None) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "screener", "batch", "--answers", str(answers)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sys.stderr.write(done.stderr.decode())
    return hashlib.sha256(done.stdout).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--jobs", type=int, help="passed to screener batch (newer trees)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        answers = Path(tmp) / "intakes.jsonl"
        write_intakes(answers, args.count, args.seed)
        print(batch_digest(args.tree, answers, args.jobs))


if __name__ == "__main__":
    main()
