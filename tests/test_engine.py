"""The engine wrapper against durable_rules' known traits, and against a plain reading
of the same rules."""

from __future__ import annotations

import shutil
import threading

import pytest
from durable.engine import MessageObservedException
from hypothesis import given
from strategies import RULES, intake_st

from screener import EngineError, Intake, load_rules, screen
from screener.engine.session import RULESET_NAME, Engine, engine_for, match_key
from screener.engine.facts import build_facts
from screener.engine.reference import reference_reading


def _facts(data):
    return build_facts(Intake.model_validate(data))


def test_no_background_dispatch_threads():
    before = threading.active_count()
    engine = Engine(RULES)
    engine.run(_facts({"conditions": [{"code": "open_wound"}]}))
    assert threading.active_count() == before


def test_every_fact_is_retracted_after_each_screening_in_one_live_session():
    engine = Engine(RULES)
    engine.run(_facts({"conditions": [{"code": "dvt"}]}))
    first = engine.last_session
    # a sign that derives group facts (inflamed -> clot sign) and a join across conditions
    engine.run(_facts({"conditions": [
        {"code": "skin_infection", "sites": [{"area": "calf", "side": "left"}]},
        {"code": "peripheral_artery_disease"}]}))
    assert engine.last_session == first and engine.holds_state(first)
    assert not engine.holds_facts()


def test_a_session_where_no_rule_fires_is_reused_without_crashing():
    engine = Engine(RULES)  # fresh: the case that crashed durable_rules without the guard
    assert engine.run(_facts({"conditions": []})).matches == []
    assert engine.run(_facts({"conditions": []})).matches == []
    assert not engine.holds_facts()


def test_a_retracted_fact_can_be_asserted_again():
    """What reusing one session rests on: durable refuses a fact the session holds, not
    one it held before."""
    engine = Engine(RULES)
    fact = {"t": "condition", "n": 0, "code": "open_wound", "area_calf": 1, "sid": "x"}
    for _ in range(3):
        engine._host.assert_fact(RULESET_NAME, fact)
        engine._host.retract_fact(RULESET_NAME, fact)
    assert engine._host.get_facts(RULESET_NAME, "x") == []


def test_matches_never_depend_on_the_screenings_before():
    """One live session for all: each intake gives what it gives on a fresh engine,
    whatever ran before it, in any order."""
    datas = [{"conditions": []},
             {"conditions": [{"code": "skin_infection", "flags": ["spreading_redness"],
                              "sites": [{"area": "calf", "side": "left"}]},
                             {"code": "pregnancy"}]},
             {"conditions": [{"code": "sciatica", "sites": [{"side": "left"}]},
                             {"code": "reduced_sensation", "sites": [{"area": "calf", "side": "right"}]}]},
             {"conditions": [{"code": "dvt"}, {"code": "varicose_veins"}]}]
    alone = [Engine(RULES).run(_facts(d)) for d in datas]
    live = Engine(RULES)
    for order in ([0, 1, 2, 3, 3, 2, 1, 0], [1, 1, 2, 0, 3, 1]):
        for k in order:
            result = live.run(_facts(datas[k]))
            assert sorted(map(match_key, result.matches)) == sorted(map(match_key, alone[k].matches))
            assert result.groups == alone[k].groups


def test_durable_refuses_an_identical_fact_and_our_facts_are_never_identical():
    engine = Engine(RULES)
    fact = {"t": "condition", "n": 0, "code": "open_wound", "area_calf": 1, "sid": "x"}
    engine._host.assert_fact(RULESET_NAME, fact)
    with pytest.raises(MessageObservedException):
        engine._host.assert_fact(RULESET_NAME, dict(fact))
    engine._host.delete_state(RULESET_NAME, "x")
    facts = _facts({"conditions": [{"code": c} for c in list(RULES.conditions)[:5]]})
    assert len({tuple(sorted(f.items())) for f in facts}) == len(facts)


def test_the_same_intake_twice_in_a_row_is_fine():
    engine = Engine(RULES)
    facts = _facts({"conditions": [{"code": "open_wound"}]})
    assert engine.run(facts) == engine.run(facts)


def _broken(*args):
    raise KeyError("injected")


def test_an_exception_in_an_action_is_not_swallowed(monkeypatch):
    engine = Engine(RULES)
    monkeypatch.setattr("screener.engine.session.Match", _broken)
    with pytest.raises(EngineError, match="rule action failed"):
        engine.run(_facts({"conditions": [{"code": "open_wound"}]}))
    failed = engine.last_session
    assert not engine.holds_state(failed)  # dropped: its state holds the exception
    monkeypatch.undo()
    assert engine.run(_facts({"conditions": [{"code": "open_wound"}]})).matches  # a new session
    assert engine.last_session != failed and not engine.holds_facts()


def test_two_rule_sets_have_their_own_hosts(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    (copy / "ruleset.yaml").write_text("name: my-clinic\nversion: '2'\n")
    custom = load_rules(copy)
    assert custom.digest != RULES.digest
    assert engine_for(custom) is not engine_for(RULES)
    intake = Intake.model_validate({"conditions": [{"code": "open_wound"}]})
    assert screen(intake, custom).ruleset.name == "my-clinic"
    assert screen(intake).ruleset.name == RULES.name


@given(intake_st())
def test_engine_and_plain_reading_agree(data):
    intake = Intake.model_validate(data)
    fired = Engine.run(engine_for(RULES), build_facts(intake))
    expected, groups = reference_reading(RULES, intake)
    assert {match_key(m) for m in fired.matches} == expected
    assert fired.groups == groups


def test_threads_get_their_own_results():
    intakes = [Intake.model_validate(d) for d in (
        {"conditions": []},
        {"conditions": [{"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]}]},
        {"conditions": [{"code": "dvt"}]},
        {"conditions": [{"code": "varicose_veins", "flags": ["hot_hard_tender"]}]},
    )]
    expected = [screen(i).to_json() for i in intakes]
    errors: list[str] = []

    def worker(k: int) -> None:
        for n in range(60):
            i = (k + n) % len(intakes)
            if screen(intakes[i]).to_json() != expected[i]:
                errors.append(f"thread {k} intake {i}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_a_ctrl_c_inside_the_engine_drops_the_live_session(monkeypatch):
    """A KeyboardInterrupt mid-retract leaves the session holding facts: it is dropped,
    the interrupt goes on up, and the next screening starts a clean session."""
    engine = Engine(RULES)
    facts = _facts({"conditions": [{"code": "open_wound"}]})
    expected = sorted(map(match_key, engine.run(facts).matches))
    first = engine.last_session

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine._host, "retract_facts", interrupted)
    with pytest.raises(KeyboardInterrupt):
        engine.run(facts)
    monkeypatch.undo()
    assert not engine.holds_state(first)
    assert sorted(map(match_key, engine.run(facts).matches)) == expected
    assert engine.last_session != first and not engine.holds_facts()
