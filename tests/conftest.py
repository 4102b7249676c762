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



def need(available: bool, missing: str) -> None:
    """Call at a test module's top (before importing what needs it): outside CI a missing
    extra or system package skips the module with ``missing`` as its reason; with CI set it
    fails, because CI installs everything (``scripts/install-test-deps``) and skips nothing."""
    if available:
        return
    import pytest

    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {missing}", pytrace=False)
    pytest.skip(missing, allow_module_level=True)


def has_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


FHIR_MISSING = "the fhir extra is missing (scripts/install-test-deps installs it)"
