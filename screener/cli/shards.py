"""Re-screening stored intakes beyond one machine (``docs/scale.md``): the function a
Dask bag's ``map_partitions`` or a Spark RDD's ``mapPartitions`` calls on each shard of
JSON Lines. It gives the very lines ``screener batch`` writes for that shard (numbered
within it), with the rule set loaded once per worker process.

On a cluster the screening runs in the worker's own process (``screener.screening``,
bounded by the load-time engine bounds): the command line's watchdog forks, and a
worker of Dask or Spark runs threads that a fork must not copy mid-lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from screener.cli.batch import numbered, result_parts, screen_one
from screener.errors import RulesError
from screener.rules import RuleSet


@lru_cache(maxsize=4)  # a worker holds the few rule sets it is given, each loaded once
def _rules(folder: str | None) -> RuleSet:
    from screener.loading import default_rules, load_rules

    return default_rules() if folder is None else load_rules(folder)


def screen_partition(lines: Iterable[str | bytes], folder: str | None = None,
                     digest: str | None = None) -> list[str]:
    """One result line (no line ending) per input line of a shard, as ``screener batch``
    writes them (a list: a Dask bag's partition must pickle; a shard's results fit in
    memory, since a shard is sized to). ``folder`` is the rule set (default: the shipped one); ``digest``, when
    given, is the one the driver read: a worker that loads another (the folder changed
    during the run) fails the job instead of screening with other rules."""
    from screener.screening import screen

    rules = _rules(folder)
    if digest is not None and rules.digest != digest:
        raise RulesError(f"the rule set changed during the run (digest {rules.digest}, "
                         f"expected {digest})")
    return [screen_one(number, line, rules, lambda i, r: result_parts(screen(i, r)))[1]
            for number, line in numbered(lines)]

