"""One-off long run of the contract's invariants (not a CI test): every property of
tests/test_invariants.py over ``N`` generated intakes each (default 25,000; the ten
properties then screen well over 200,000 intakes). CI runs a seeded sample of the same
properties (the ``ci`` profile of tests/conftest.py).

    .venv/bin/python benchmarks/invariants_run.py [N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    per_property = sys.argv[1] if len(sys.argv) > 1 else "25000"
    env = {**os.environ, "SCREENER_EXAMPLES": per_property}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--hypothesis-show-statistics", str(ROOT / "tests" / "test_invariants.py")],
        cwd=ROOT, env=env, check=False)
    print(f"{per_property} examples a property: {time.monotonic() - start:.0f} s, "
          f"exit {result.returncode}", flush=True)
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
