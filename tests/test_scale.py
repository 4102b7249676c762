"""docs/scale.md: shards of stored intakes re-screened on a Dask cluster (local, two
worker processes) give, shard by shard, the very bytes ``screener batch`` writes."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import dask.bag as db
import yaml
from distributed import Client, LocalCluster
from test_cli import SCREENER

from screener import default_rules
from screener.cli.shards import screen_partition

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from bench import random_intake  # noqa: E402 - the benchmarks' generator: every follow-up answered

BAD = ["", "{not json", '{"conditions": [{"code": "gout"}]}', "[1]"]


def _shards(folder: Path) -> list[Path]:
    rng = random.Random(20261203)
    paths = []
    for k in range(3):
        lines = [rng.choice(BAD) if rng.random() < 0.05 else json.dumps(random_intake(rng))
                 for _ in range(120)]
        path = folder / f"shard-{k}.jsonl"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def test_a_dask_cluster_writes_the_bytes_of_screener_batch(tmp_path):
    rules = tmp_path / "rules"  # a rule set of its own folder, as after a rule change
    shutil.copytree(default_rules().path, rules)
    data = yaml.safe_load((rules / "bruise.yaml").read_text())
    data["rules"][0]["decision"] = "refer"
    data["rules"][0]["referral"] = "See a doctor about the bruise."
    (rules / "bruise.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    shards = _shards(tmp_path)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        bag = db.read_text([str(p) for p in shards], blocksize=None)  # a partition a shard
        results = bag.map_partitions(screen_partition, str(rules)).to_delayed()
        out = [("\n".join(part.compute()) + "\n").encode() for part in results]
    for shard, got in zip(shards, out):
        batch = subprocess.run([str(SCREENER), "batch", "--answers", str(shard), "--rules",
                                str(rules), "--jobs", "1"], capture_output=True, timeout=120)
        assert batch.stdout.count(b"\n") == 120
        assert got == batch.stdout
    assert any(b'"decision":"refer"' in part and b"bruise" in part for part in out)
    assert any(b'"ok": false' in part for part in out)


def test_a_worker_refuses_a_rule_set_changed_since_the_driver_read_it(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules().path, rules)
    try:
        screen_partition(['{"conditions": []}'], str(rules), digest="not the digest")
    except Exception as exc:  # noqa: BLE001 - checked below
        assert "changed during the run" in str(exc)
    else:
        raise AssertionError("a changed rule set was used")
