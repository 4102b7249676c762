"""Cold start of ``screener screen`` per ``--format``, with and without byte-code caches,
for one source tree or several side by side (``--tree before=/tmp/old --tree after=.``).

Runs are interleaved (every tree and format in turn, ``--rounds`` times) so that a busy
machine slows each alike; the CPU time (user and system, the worker process included) is
printed beside the wall-clock time, as it varies less with the load of other processes. "no .pyc" is ``PYTHONDONTWRITEBYTECODE=1`` on a tree without
``__pycache__`` (every screener module compiled at each start, as in a fresh checkout
run by a sandbox); ".pyc" unsets it and keeps the caches under a private
``PYTHONPYCACHEPREFIX``, warmed by one discarded run (as a user's install has them).

    .venv/bin/python benchmarks/cold_start.py [--rounds 7] [--tree NAME=PATH ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "markdown", "svg", "html", "pdf", "cds", "fhir")


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(tree: Path, fmt: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``screener screen``."""
    command = [sys.executable, "-m", "screener", "screen", "--answers",
               str(ROOT / "examples" / "intake.json"), "--format", fmt]
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**env, "PYTHONPATH": str(tree)}, cwd=tree, check=False)
    took = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{tree} --format {fmt}: exit {done.returncode}: {done.stderr.decode()}")
    return took, _cpu() - cpu


def _summary(seconds: list[float]) -> str:
    """The median, and the fastest: the run least slowed by other processes."""
    return f"{statistics.median(seconds):.3f} ({min(seconds):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tree", action="append", metavar="NAME=PATH",
                        help="a source tree to time (default: this one)")
    parser.add_argument("--format", action="append", choices=FORMATS)
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree or [f"this={ROOT}"])
    formats = args.format or FORMATS
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPATH")}
    with tempfile.TemporaryDirectory() as caches:
        modes = {"no .pyc": {**base, "PYTHONDONTWRITEBYTECODE": "1"}}
        for name, path in trees.items():
            if any(Path(path, "screener").rglob("__pycache__")):
                print(f"note: {path}/screener has __pycache__: 'no .pyc' reads it")
            modes[f".pyc {name}"] = {**base, "PYTHONPYCACHEPREFIX": f"{caches}/{name}"}
            for fmt in formats:  # warm the caches
                run(Path(path), fmt, modes[f".pyc {name}"])
        times: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
        for _ in range(args.rounds):
            for fmt in formats:
                for name, path in trees.items():
                    for mode in ("no .pyc", ".pyc"):
                        env = modes[mode if mode == "no .pyc" else f".pyc {name}"]
                        times.setdefault((name, mode, fmt), []).append(
                            run(Path(path), fmt, env))
    for n, kind in enumerate(("wall-clock", "CPU")):
        print(f"{kind}: median (fastest) of {args.rounds}, seconds; load average "
              f"{os.getloadavg()[0]:.1f}")
        print(f"{'format':<10}" + "".join(f"{name + ' ' + mode:>18}" for name in trees
                                          for mode in ("no .pyc", ".pyc")))
        for fmt in formats:
            print(f"{fmt:<10}" + "".join(
                f"{_summary([t[n] for t in times[name, mode, fmt]]):>18}"
                for name in trees for mode in ("no .pyc", ".pyc")))


if __name__ == "__main__":
    main()
