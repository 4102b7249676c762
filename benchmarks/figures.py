"""The figures of issue #19, measured side by side in one process (thread CPU time,
medians, interleaved call by call so that a busy machine slows each alike):

- "durable_rules alone": the issue's fixed workload, 30 single-fact rules over 10
  condition codes (the code; the code on the left side; the code with severity severe),
  3 facts, one session created and deleted per call, through durable's ``Host`` without
  its dispatch thread (``screener.engine.session._QuietHost``);
- the engine call alone (``Engine.run`` on the facts ``screen()`` builds);
- ``screen()``;
- the engine call with the rule set copied four times under new codes.

``bench.py`` prints them; ``python benchmarks/figures.py`` prints them alone.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import RULES, random_intake  # noqa: E402

from screener import Intake, load_rules, screen  # noqa: E402
from screener.engine.facts import build_facts  # noqa: E402
from screener.engine.session import _QuietHost, engine_for  # noqa: E402
from screener.rules import RuleSet  # noqa: E402

CODES = [f"c{k}" for k in range(10)]


class DurableAlone:
    """The fixed workload: nothing of the screener but durable_rules itself."""

    def __init__(self) -> None:
        fired: list[dict] = []
        definition = {}

        def action(c):  # one argument: durable passes a callback to a second one
            fired.append(c._m)

        for code in CODES:
            for name, test in (("code", {"code": code}),
                               ("left", {"$and": [{"code": code}, {"side": "left"}]}),
                               ("severe", {"$and": [{"code": code}, {"severity": "severe"}]})):
                definition[f"{code}-{name}"] = {"all": [{"m": test}],
                                                "run": action}
        self.fired = fired
        self.host = _QuietHost()
        self.host.register_rulesets({"alone": definition})
        self.ids = itertools.count()

    def call(self, rng: random.Random) -> None:
        sid = str(next(self.ids))
        facts = [{"sid": sid, "n": n, "t": "condition", "code": rng.choice(CODES),
                  "side": rng.choice(["left", "right"]),
                  "severity": rng.choice(["mild", "moderate", "severe"])} for n in range(3)]
        state = self.host.assert_facts("alone", facts)  # each fact fires: see session.py
        self.host.delete_state("alone", sid)
        if "exception" in state or len(self.fired) < 3:
            raise RuntimeError(f"the workload did not run: {state}")
        self.fired.clear()


def fourfold(folder: Path) -> RuleSet:
    """The shipped rule set with every condition file copied three more times under new
    codes (``Xx1``…``Xx3``, their rule ids renamed alike); the copies join no group and read no other
    condition, so an intake of the original codes matches exactly what it did."""
    shutil.copytree(RULES.path, folder)
    for path in sorted(RULES.path.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict) or "code" not in data:
            continue
        code = data["code"]
        for k in range(1, 4):
            copy = {key: value for key, value in data.items() if key != "member_of"}
            copy["code"] = f"{code}x{k}"
            rules = []
            for rule in data.get("rules", []):
                text = yaml.safe_dump(rule)
                if any(other in text for other in RULES.conditions if other != code) \
                        or "group" in text:
                    continue  # reads another condition or a group: not copied
                rule = yaml.safe_load(re.sub(rf"(?<![-\w]){re.escape(code)}(?![-\w])", f"{code}x{k}", text))
                rule["id"] = f"{rule['id'].split('.')[0]}x{k}.{rule['id'].split('.', 1)[1]}"
                rules.append(rule)
            if not rules:
                continue
            copy["rules"] = rules
            (folder / f"{code}x{k}.yaml").write_text(yaml.safe_dump(copy, sort_keys=False))
    return load_rules(folder)


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1e3


def figures(intakes: list[Intake], calls: int) -> dict[str, float]:
    """Median thread-CPU ms of each, interleaved call by call."""
    rng = random.Random(7)
    alone = DurableAlone()
    engine = engine_for(RULES)
    with tempfile.TemporaryDirectory() as tmp:
        wide = fourfold(Path(tmp) / "rules")
        wide_engine = engine_for(wide)
        wide_intakes = [Intake.model_validate(i.model_dump(), context={"rules": wide})
                        for i in intakes]
        facts = [build_facts(i, RULES) for i in intakes]
        wide_facts = [build_facts(i, wide) for i in wide_intakes]
        steps = {"durable_rules alone": lambda k: alone.call(rng),
                 "engine call": lambda k: engine.run(facts[k]),
                 "screen()": lambda k: screen(intakes[k]),
                 "engine call, 4x rules": lambda k: wide_engine.run(wide_facts[k])}
        times: dict[str, list[float]] = {name: [] for name in steps}
        for n in range(calls + 300):
            k = n % len(intakes)
            for name, step in steps.items():
                start = time.thread_time()
                step(k)
                if n >= 300:  # the first are warm-up
                    times[name].append(time.thread_time() - start)
        result = {name: _median_ms(t) for name, t in times.items()}
        result["rules"], result["rules 4x"] = (len(RULES.definition.rules),
                                               len(wide.definition.rules))
    return result


def report(result: dict[str, float]) -> str:
    alone, call, whole, wide = (result[k] for k in (
        "durable_rules alone", "engine call", "screen()", "engine call, 4x rules"))
    return "\n".join([
        f"durable_rules alone (30 rules, 3 facts): median {alone:.3f} ms",
        f"engine call ({result['rules']:.0f} compiled rules): median {call:.3f} ms",
        f"screen():                          median {whole:.3f} ms = {whole / alone:.2f}x "
        f"durable_rules alone (target <= 2.5), {whole / call:.2f}x the engine call (<= 1.5)",
        f"engine call, 4x rules ({result['rules 4x']:.0f}): median {wide:.3f} ms = "
        f"{wide / call:.2f}x plain (target <= 1.3)"])


def main() -> None:
    rng = random.Random(20261124)
    intakes = [Intake.model_validate(random_intake(rng)) for _ in range(1000)]
    print(report(figures(intakes, 5000)))


if __name__ == "__main__":
    main()
