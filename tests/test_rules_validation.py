"""Loading a broken copy of the rules fails with one error naming the file and the rule."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from screener import RulesError, default_rules, load_rules

RULES = default_rules()
CONTRACT_CODES = {
    "open_wound", "dvt", "varicose_veins", "pregnancy", "recent_injury", "skin_infection",
    "clotting_disorder", "calf_swelling_red_flag", "breathlessness_chest_pain",
    "severe_leg_pain", "chronic_leg_pain", "inflammation", "recent_surgery", "anticoagulants",
    "reduced_sensation", "fever", "bruise", "burn", "lymphedema", "cancer_treatment",
    "heart_kidney_swelling", "osteoporosis", "restless_legs", "arthritis",
    "peripheral_artery_disease", "sciatica",
}


def test_the_shipped_rules_cover_exactly_the_contract_codes():
    assert set(RULES.conditions) == CONTRACT_CODES


def test_red_flags_come_first():
    firsts = [c.code for c, _ in RULES.rules][:3]
    assert set(firsts) <= {"calf_swelling_red_flag", "breathlessness_chest_pain"}


def _broken(tmp_path: Path, file: str, change: Callable[[dict[str, Any]], None]) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    data = yaml.safe_load((copy / file).read_text())
    change(data)
    (copy / file).write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rule_id)


BROKEN = {
    "unknown area": ("open_wound.yaml", "wound.exclude-site",
                     lambda d: _rule(d, "wound.exclude-site")["actions"][0].update(areas=["toe"]),
                     "actions.0.areas.0"),
    "unknown technique": ("anticoagulants.yaml", "anticoagulants.light-everywhere",
                          lambda d: _rule(d, "anticoagulants.light-everywhere")["actions"][1]
                          .update(techniques=["karate_chop"]), "techniques.0"),
    "unknown pressure": ("dvt.yaml", "dvt.light-when-cleared",
                         lambda d: _rule(d, "dvt.light-when-cleared")["actions"][0].update(max="hard"),
                         "max"),
    "unknown field": ("bruise.yaml", "bruise.exclude-site",
                      lambda d: _rule(d, "bruise.exclude-site").update(severity="high"),
                      "severity: unknown field"),
    "unknown decision": ("burn.yaml", "burn.exclude-site",
                         lambda d: _rule(d, "burn.exclude-site").update(decision="maybe"), "decision"),
    "duplicate id": ("burn.yaml", "bruise.exclude-site",
                     lambda d: d["rules"][0].update(id="bruise.exclude-site"), "duplicate rule id"),
    "unknown flag": ("sciatica.yaml", "sciatica.refer-weakness",
                     lambda d: _rule(d, "sciatica.refer-weakness")["when"].update(flags=["wobbly"]),
                     "unknown flag 'wobbly'"),
    "empty days range": ("recent_injury.yaml", "injury.exclude-acute",
                         lambda d: _rule(d, "injury.exclude-acute")["when"].update(days_ago_more_than=5),
                         "can never fire"),
    "cleared never asked": ("bruise.yaml", "bruise.exclude-site",
                            lambda d: _rule(d, "bruise.exclude-site").update(when={"cleared": True}),
                            "can never fire"),
    "unknown joined condition": ("reduced_sensation.yaml", "sensation.refer-foot-wound",
                                 lambda d: _rule(d, "sensation.refer-foot-wound")["with"][0]
                                 .update(code="gangrene"), "unknown condition 'gangrene'"),
    "refer without next step": ("fever.yaml", "fever.postpone",
                                lambda d: _rule(d, "fever.postpone").pop("referral"), "needs 'referral'"),
    "no failing case": ("burn.yaml", "burn.exclude-site",
                        lambda d: _rule(d, "burn.exclude-site")["cases"].update(does_not_fire=[]),
                        "does_not_fire"),
    "invalid case intake": ("burn.yaml", "burn.exclude-site",
                            lambda d: _rule(d, "burn.exclude-site")["cases"]["fires"][0]
                            .update(intake={"conditions": [{"code": "burnt"}]}),
                            "unknown condition code 'burnt'"),
    "no source": ("burn.yaml", "burn.exclude-site",
                  lambda d: _rule(d, "burn.exclude-site").update(sources=[]), "sources"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_rule_is_named(tmp_path, name):
    file, rule_id, change, detail = BROKEN[name]
    with pytest.raises(RulesError) as raised:
        load_rules(_broken(tmp_path, file, change))
    message = str(raised.value)
    assert file in message and f"rule '{rule_id}'" in message and detail in message
    assert "\n" not in message


def test_a_condition_no_rule_handles(tmp_path):
    with pytest.raises(RulesError, match=r"restless_legs\.yaml: rules: List should have at least 1"):
        load_rules(_broken(tmp_path, "restless_legs.yaml", lambda d: d.update(rules=[])))


def test_code_must_match_file_name(tmp_path):
    with pytest.raises(RulesError, match=r"burn\.yaml: code 'scald' must match the file name"):
        load_rules(_broken(tmp_path, "burn.yaml", lambda d: d.update(code="scald")))


@pytest.mark.parametrize("text", [
    "code: dvt\nrules: [\n",  # malformed
    "!!python/object/apply:os.system ['echo pwned']\n",  # never executed: a safe loader
    "- just\n- a list\n",
])
def test_unreadable_file(tmp_path, text):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    (copy / "dvt.yaml").write_text(text)
    with pytest.raises(RulesError, match=r"dvt\.yaml: (cannot read|expected a mapping)"):
        load_rules(copy)


def test_missing_manifest_and_missing_folder(tmp_path):
    with pytest.raises(RulesError, match="not a folder"):
        load_rules(tmp_path / "nowhere")
    with pytest.raises(RulesError, match="missing ruleset.yaml"):
        load_rules(tmp_path)
