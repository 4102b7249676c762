"""The engine can never fail open: bounds checked when rules load, engines tied to their
rule set, and every screening's matches checked against the plain reading."""

from __future__ import annotations

from copy import deepcopy
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from strategies import RULES

from screener import EngineError, Intake, RulesError, load_rules, screen
from screener.engine.session import Engine, _QuietHost
from screener.engine.patterns import MAX_RULES_PER_FACT, property_hash

# Two flag names whose durable_rules property hashes collide (found by a birthday search).
COLLIDING = ("xmcgobjq", "qujgomwm")


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    return copy


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_colliding_names_really_collide():
    assert property_hash(f"flag_{COLLIDING[0]}") == property_hash(f"flag_{COLLIDING[1]}")


def _add_flags(d: dict, flags: list[str]) -> None:
    """New follow-ups, each with the cautious reading every follow-up must state."""
    d["flags"].update({f: "?" for f in flags})
    d["unanswered"].update({f: {"read_as": "yes", "because": "test",  # one object each:
                                "sources": [{"cite": "nhs-sciatica"}]}  # YAML anchors refused
                            for f in flags})


def test_flag_names_that_collide_in_the_engine_are_refused(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy / "sciatica.yaml", lambda d: _add_flags(d, COLLIDING))
    with pytest.raises(RulesError, match=r"sciatica\.yaml: .*hashes collide"):
        load_rules(copy)


def test_more_flags_than_a_fact_can_hold_are_refused(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy / "sciatica.yaml",
          lambda d: _add_flags(d, [f"f{i}" for i in range(260)]))
    with pytest.raises(RulesError, match=r"sciatica\.yaml: 261 flags: the engine holds at most"):
        load_rules(copy)


@pytest.mark.parametrize("same", [True, False])
def test_more_rules_on_one_condition_than_can_fire_on_a_fact_are_refused(tmp_path, same):
    """Past 64 firings on one fact durable_rules fails the session, and with hundreds of
    rules on one condition it never returns (seen with 800): refused when rules load."""
    copy = _copy(tmp_path)
    template = yaml.safe_load((copy / "bruise.yaml").read_text())["rules"][0]

    def many(d):
        d["rules"] = [{**deepcopy(template), "id": f"bruise.copy-{i}",  # copies: no aliases
                       **({} if same else {"when": {"days_ago_at_most": i}})}
                      for i in range(800)]

    _edit(copy / "bruise.yaml", many)
    with pytest.raises(RulesError, match=r"bruise\.yaml: \d+ rules read 'bruise'"):
        load_rules(copy)


def test_the_fact_bound_is_below_what_durable_rules_can_fire():
    """Just under 64 rules firing on one fact still work; the bound keeps well below."""
    fired: list[int] = []
    host = _QuietHost()  # the engine's own host: no dispatch threads
    host.register_rulesets({"probe": {f"r{i}": {
        "all": [{"m": {"$and": [{"t": "c"}, {"$lte": {"d": i}}]}}],
        "run": lambda c: fired.append(1)} for i in range(60)}})
    host.assert_facts("probe", [{"sid": "1", "t": "c", "d": 0}])
    assert len(fired) == 60 > MAX_RULES_PER_FACT


def test_a_rule_set_claiming_another_digest_still_runs_its_own_rules(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy / "bruise.yaml", lambda d: d["rules"][0].update(
        decision="refer", actions=[], referral="See a doctor about the bruise."))
    custom = load_rules(copy)
    intake = Intake.model_validate({"conditions": [{"code": "bruise"}]})
    assert screen(intake).decision == "adjust"
    custom.digest = RULES.digest  # a forged identity must not borrow another's engine
    assert screen(intake, custom).decision == "refer"
    assert screen(intake).decision == "adjust"


@pytest.mark.parametrize("fault", ["drop", "add", "rebind", "lose-sign", "invent-sign"])
def test_an_engine_that_loses_or_invents_a_match_fails_closed(monkeypatch, fault):
    real = Engine.run

    def faulty(self, facts):
        result = real(self, facts)
        matches, groups = result
        if fault == "drop":
            return result._replace(matches=matches[:-1])
        if fault == "add":
            return result._replace(matches=[*matches, matches[0]._replace(rule_id="wound.exclude-site")])
        if fault == "rebind":
            return result._replace(matches=[
                matches[0]._replace(facts={k: v + 1 for k, v in matches[0].facts.items()}),
                *matches[1:]])
        if fault == "lose-sign":
            return result._replace(groups=frozenset(sorted(groups)[1:]))
        return result._replace(groups=groups | {("peripartum", 0)})

    intake = Intake.model_validate({"conditions": [
        {"code": "dvt", "cleared": True, "days_ago": 200},
        {"code": "bruise", "sites": [{"area": "calf", "side": "left"}]}]})
    assert screen(intake).findings  # unpatched, it screens: a clot risk sign is derived
    monkeypatch.setattr(Engine, "run", faulty)
    with pytest.raises(EngineError, match="disagree|different signs"):
        screen(intake)


def test_the_durable_logger_never_prints(capsys):
    logging.getLogger("durable").error("boom")
    logging.getLogger("durable").exception("boom")
    captured = capsys.readouterr()
    assert "boom" not in captured.err + captured.out


def test_durable_rules_really_confuses_colliding_names():
    """Why the bound exists: durable_rules matches a fact that has only the other name."""
    fired: list[int] = []
    host = _QuietHost()  # the engine's own host: no dispatch threads
    host.register_rulesets({"probe": {
        "r": {"all": [{"m": {"$and": [{"t": "c"}, {f"flag_{COLLIDING[0]}": 1}]}}],
              "run": lambda c: fired.append(1)},
        "any": {"all": [{"m": {"t": "c"}}], "run": lambda c: fired.append(2)}}})
    host.assert_facts("probe", [{"sid": "1", "t": "c", f"flag_{COLLIDING[1]}": 1}])
    assert 1 in fired


def test_a_condition_at_the_flag_bound_still_fires_on_its_last_flag(tmp_path):
    """The bound is not too generous: at the most flags allowed, none is lost."""
    from screener.engine.facts import BASE_FIELDS, PLACE_FIELDS
    from screener.engine.patterns import MAX_FACT_PROPERTIES

    most = MAX_FACT_PROPERTIES - len(BASE_FIELDS) - len(PLACE_FIELDS)
    copy = _copy(tmp_path)

    def widen(d):
        d["flags"] = {"weakness": d["flags"]["weakness"]}
        _add_flags(d, [f"f{i}" for i in range(most - 1)])

    _edit(copy / "sciatica.yaml", widen)
    custom = load_rules(copy)
    flags = list(custom.conditions["sciatica"].flags)
    intake = Intake.model_validate({"conditions": [{"code": "sciatica", "flags": flags}]},
                                   context={"rules": custom})
    assert "sciatica.refer-weakness" in {f.rule for f in screen(intake, custom).findings}
