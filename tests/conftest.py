import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))  # tests/strategies.py

settings.register_profile("dev", max_examples=60, deadline=None)
# CI runs a seeded sample (the same examples every run); the one-off long run
# (benchmarks/invariants_run.py) sets SCREENER_EXAMPLES to tens of thousands a property.
settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=int(os.environ.get("SCREENER_EXAMPLES", 0) or 1),
                          deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))
settings.load_profile("long" if os.environ.get("SCREENER_EXAMPLES")
                      else "ci" if os.environ.get("CI") else "dev")

