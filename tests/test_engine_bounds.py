"""The engine bounds measured by benchmarks/engine_bounds.py hold: the largest rule set
the load accepts screens (it neither hangs nor fails), and the next size up is refused at
load with a ``RulesError`` naming the limit. A change to the engine or the rule language
that moves the bounds makes these fail, so they are measured again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from screener import RulesError, default_rules, load_rules
from screener.engine.patterns import MAX_ENGINE_RULES, MAX_JOINS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.engine_bounds import build  # noqa: E402 - the measuring script's rule sets

BASE = len(default_rules().definition.rules)
HANG_GUARD = 600  # seconds: only a hang (or a machine in trouble) reaches it


def _screens_as_a_subprocess(folder: Path, codes: list[str], tmp_path: Path) -> None:
    intake = tmp_path / "intake.json"
    intake.write_text(json.dumps({"conditions": [{"code": c} for c in codes]}))
    result = subprocess.run(
        [sys.executable, "-m", "screener", "screen", "--rules", str(folder), "--answers",
         str(intake), "--format", "json"],
        capture_output=True, text=True, timeout=HANG_GUARD, cwd=ROOT)
    assert result.returncode == 0, result.stderr  # generated rules adjust, they never refer
    fired = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert {f"{c.replace('_', '-')}.r0" for c in codes} <= fired


def test_the_largest_engine_accepted_screens_every_condition(tmp_path):
    folder = tmp_path / "rules"
    codes = build("conditions", MAX_ENGINE_RULES - BASE, folder)
    assert len(load_rules(folder).definition.rules) == MAX_ENGINE_RULES
    _screens_as_a_subprocess(folder, codes, tmp_path)


def test_one_engine_rule_more_is_refused_at_load(tmp_path):
    folder = tmp_path / "rules"
    build("conditions", MAX_ENGINE_RULES - BASE + 1, folder)
    with pytest.raises(RulesError, match=f"{MAX_ENGINE_RULES + 1} engine rules.*at most "
                                         f"{MAX_ENGINE_RULES}"):
        load_rules(folder)


def test_the_most_joins_accepted_screen(tmp_path):
    folder = tmp_path / "rules"
    codes = build("joins", MAX_JOINS, folder)
    load_rules(folder)
    _screens_as_a_subprocess(folder, codes, tmp_path)


def test_one_join_more_is_refused_at_load(tmp_path):
    folder = tmp_path / "rules"
    build("joins", MAX_JOINS + 1, folder)
    with pytest.raises(RulesError, match=rf"gen_joined\.yaml: rule 'gen-joined\.r0': "
                                         rf"{MAX_JOINS + 1} joins.*at most {MAX_JOINS}"):
        load_rules(folder)
