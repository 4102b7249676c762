"""Loading a broken copy of the rules fails with one error naming the file and the rule."""

from __future__ import annotations

import re
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
# Added in v1.1 for reasoning across answers (the contract allows new codes).
ADDED_CODES = {"cauda_equina_signs", "diabetes", "hormones", "immobility", "long_journey",
               "postpartum"}


def test_the_shipped_rules_cover_the_contract_codes_and_the_additions():
    assert set(RULES.conditions) == CONTRACT_CODES | ADDED_CODES


def test_red_flags_come_first():
    red = {c.code for c in RULES.conditions.values() if c.red_flag}
    owners = [c.code for c, _ in RULES.rules]
    assert set(owners[:len(red)]) <= red and set(owners[len(red):]).isdisjoint(red)


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
    "unknown joined condition": ("anticoagulants.yaml", "anticoagulants.refer-recent-injury",
                                 lambda d: _rule(d, "anticoagulants.refer-recent-injury")["with"][0]
                                 .update(code="gangrene"), "unknown condition 'gangrene'"),
    "unknown joined group": ("lymphedema.yaml", "lymphedema.refer-infection-same-leg",
                             lambda d: _rule(d, "lymphedema.refer-infection-same-leg")["with"][0]
                             .update(group="germs"), "unknown group 'germs'"),
    "join names code and group": ("lymphedema.yaml", "lymphedema.refer-infection-same-leg",
                                  lambda d: _rule(d, "lymphedema.refer-infection-same-leg")
                                  ["with"][0].update(code="fever"), "exactly one of"),
    "group test on an answer": ("lymphedema.yaml", "lymphedema.refer-infection-same-leg",
                                lambda d: _rule(d, "lymphedema.refer-infection-same-leg")
                                ["with"][0].update(cleared=True), "can only name areas"),
    "flag required and refused": ("recent_surgery.yaml", "surgery.exclude-scar",
                                  lambda d: _rule(d, "surgery.exclude-scar")["when"]
                                  .update(flags=["scar_healed"]), "both required and refused"),
    "group rule acting on unnamed sites": (
        "groups/clot_sign.yaml", "clot.refer-sign",
        lambda d: _rule(d, "clot.refer-sign").update(actions=[{"kind": "exclude"}]),
        "'of: <condition>'"),
    "limit without minutes": ("heart_kidney_swelling.yaml", "systemic-swelling.light-when-cleared",
                              lambda d: _rule(d, "systemic-swelling.light-when-cleared")["actions"][2]
                              .pop("minutes"), "needs 'minutes'"),
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
    "a condition joined twice": ("open_wound.yaml", "wound.refer-with-fever",
                                 lambda d: _rule(d, "wound.refer-with-fever")["with"].append(
                                     {"code": "fever"}), "'fever' is joined twice"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_rule_is_named(tmp_path, name):
    file, rule_id, change, detail = BROKEN[name]
    with pytest.raises(RulesError) as raised:
        load_rules(_broken(tmp_path, file, change))
    message = str(raised.value)
    assert file in message and f"rule '{rule_id}'" in message and detail in message
    assert "\n" not in message


@pytest.mark.parametrize(("file", "change", "detail"), [
    ("dvt.yaml", lambda d: d["member_of"].append({"group": "germs"}), "unknown group 'germs'"),
    ("dvt.yaml", lambda d: d["member_of"].append({"group": "clot_risk"}), "listed twice"),
    ("dvt.yaml", lambda d: d["member_of"][0].update(when={"cleared": True, "days_ago_at_most": 1,
                                                         "days_ago_more_than": 5}),
     "can never count"),
    ("hormones.yaml", lambda d: d.update(flags={"Bad Flag": "?"}), "lower_snake_case"),
    ("arthritis.yaml", lambda d: d["member_of"][0]["when"].update(flags=["flair"]),
     "unknown flag 'flair'"),
    ("open_wound.yaml", lambda d: d.update(title="\x1b[2JOpen wound"), "control character"),
    ("arthritis.yaml", lambda d: d["unanswered"].pop("flare"),
     "follow-up 'flare' has no cautious reading"),
    ("arthritis.yaml", lambda d: d["unanswered"].update(
        swollen={"read_as": "yes", "because": "x", "sources": [{"cite": "nhs-dvt"}]}),
     "'swollen' is not a follow-up"),
    ("arthritis.yaml", lambda d: d["unanswered"]["flare"].update(read_as="maybe"), "read_as"),
    ("arthritis.yaml", lambda d: d["member_of"].append({"group": "hot_joint"}),
     "reaches group 'hot_joint' twice"),
    ("groups/clot_sign.yaml", lambda d: d.update(member_of=[{"group": "inflamed"}]),
     "in a circle"),
    ("groups/inflamed.yaml", lambda d: d["member_of"][0].update(when={"cleared": True}),
     "only by areas and legs"),
    ("open_wound.yaml", lambda d: d.update(title="Open \u202ewound"), "control character"),
])
def test_broken_membership_is_named(tmp_path, file, change, detail):
    with pytest.raises(RulesError) as raised:
        load_rules(_broken(tmp_path, file, change))
    assert file in str(raised.value) and detail in str(raised.value)


def test_a_group_no_condition_joins(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    (copy / "groups" / "lonely.yaml").write_text(
        "code: lonely\ntitle: Lonely\ndescription: none\nsources: [{cite: nhs-dvt}]\n")
    with pytest.raises(RulesError, match=r"groups/lonely\.yaml: no condition is a member"):
        load_rules(copy)


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


def test_yaml_merge_keys_are_refused(tmp_path):
    """A '<<' merge silently overrides keys, as a repeated key would."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    text = (copy / "bruise.yaml").read_text().replace(
        "  - id: bruise.exclude-site\n", "  - <<: {decision: proceed}\n    id: bruise.exclude-site\n")
    (copy / "bruise.yaml").write_text(text)
    with pytest.raises(RulesError, match=r"bruise\.yaml: cannot read: merge keys"):
        load_rules(copy)


def _with_bibliography_edit(tmp_path, edit) -> Path:  # type: ignore[no-untyped-def]
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    path = copy / "bibliography.yaml"
    path.write_text(edit(path.read_text()))
    return copy


def test_a_citation_of_a_missing_key_is_refused(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    path = copy / "varicose_veins.yaml"
    path.write_text(path.read_text().replace("{cite: werner-pathology", "{cite: werner-pathologie", 1))
    with pytest.raises(RulesError, match=r"varicose_veins\.yaml.*'werner-pathologie' is not in "
                                         r"bibliography\.yaml"):
        load_rules(copy)


def test_a_plain_string_source_is_refused(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    path = copy / "burn.yaml"
    text = path.read_text()
    first = text.index("- {cite:")
    path.write_text(text[:first] + '- "002_2ac91f99ee385e8d.txt"\n' + text[text.index("\n", first) + 1:])
    with pytest.raises(RulesError, match=r"burn\.yaml.*sources"):
        load_rules(copy)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("    publisher: unknown\n    seed: 000_", "    publisher: Somebody\n    seed: 000_"),
     "seed's publisher is 'unknown'"),
    (lambda t: t.replace("    seed: 001_433bdc0d973afe9e.txt\n",
                         "    seed: 001_433bdc0d973afe9e.txt\n    url: https://example.org/\n"),
     "exactly one of 'url', 'seed' or 'reference'"),
    (lambda t: t.replace("url: https://www.nhs.uk/conditions/cellulitis/", "url: http://x"),
     "url"),
])
def test_the_bibliography_keeps_seeds_honest_and_sources_findable(tmp_path, edit, message):
    with pytest.raises(RulesError, match=re.escape(message) if "'" in message else message):
        load_rules(_with_bibliography_edit(tmp_path, edit))


def test_a_rule_set_without_a_bibliography_is_refused(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES.path, copy)
    (copy / "bibliography.yaml").unlink()
    with pytest.raises(RulesError, match="missing bibliography.yaml"):
        load_rules(copy)


def test_outputs_print_titles_never_seed_file_names():
    from test_cli import EXAMPLE, run

    for fmt in ("text", "markdown", "json", "html"):
        out = run("screen", "--answers", str(EXAMPLE), "--format", fmt)
        assert out.returncode == 0 and "5 Simple Techniques to Massage Your Legs" in out.stdout
        # the page's source list says where a seed is kept, always after its title
        for line in out.stdout.split("<li") if fmt == "html" else [out.stdout]:
            for file in re.findall(r"\d{3}_[0-9a-f]{16}\.txt", line):
                assert fmt == "html" and RULES.bibliography[f"seed-{file[:3]}"].title in line
