"""Signs, whichever question they come under (issue: signs as facts).

Properties over generated intakes: a sign reported under any question is at least as
strict as its plainest report at the same place; an unanswered follow-up never yields a
routine where either of its answers yields none; adding a warning sign never relaxes a
result; a clearance never covers a sign beside it. And the vignettes of the third
clinical review, each ending as the domain's section 'Signs, whichever question they
come under' says.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import RULES, as_v11, condition_st, intake_st, satisfying

from screener import Assessment, Intake, screen
from screener.engine.facts import CLEARANCE_DAYS
from screener.rules import Test as RuleTest
from screener.vocabulary import AREAS, DECISION_RANK

Data = dict[str, Any]
# The plainest way to report each sign: the question asked for that sign itself.
PLAIN = {"inflamed": "inflammation", "infection": "skin_infection", "clot_sign": "inflammation",
         "hot_joint": "inflammation", "numb_or_weak_leg": "reduced_sensation",
         "one_leg_swollen": "heart_kidney_swelling", "skin_break": "open_wound",
         "surgical_site": "recent_surgery"}


def _screen(data: Data) -> Assessment:
    return screen(Intake.model_validate(data))


def _rank(a: Assessment) -> int:
    """Strictness: a routine that leaves nothing counts as no routine."""
    if a.routine is not None and not a.routine.steps:
        return DECISION_RANK["refer"]
    return DECISION_RANK[a.decision]


def _gives_routine(a: Assessment) -> bool:
    return a.routine is not None and bool(a.routine.steps)


def reaching(group: str, areas: frozenset[str] = frozenset(AREAS)) -> list[tuple[str, RuleTest, frozenset[str]]]:
    """Every condition that reaches ``group`` (directly or through groups counting in it),
    with the test that makes it count and the areas where it does."""
    out = []
    for member, m in RULES.members[group]:
        where = areas & frozenset(m.when.areas or AREAS)
        if member.is_group:
            out += reaching(member.code, where)
        elif where:
            out.append((member.code, m.when, where))
    return out


def sign_rules(group: str) -> set[str]:
    """The rules about a sign: those of its group, of the groups it counts in, and those
    joining any of them."""
    groups, todo = set(), [group]
    while todo:
        g = todo.pop()
        groups.add(g)
        todo += [m.group for m in RULES.groups[g].member_of if m.group not in groups]
    return ({r.id for o, r in RULES.rules if o.code in groups}
            | {r.id for _, r in RULES.rules if any(j.group in groups for j in r.with_)})


def report(code: str, test: RuleTest, area: str, side: str) -> Data:
    """A report of ``code`` on which ``test`` holds, on that area of that leg, every
    follow-up answered (yes only where the test needs it)."""
    return as_v11({"conditions": [satisfying(code, test, area, side)]})["conditions"][0]


def _with(data: Data, *entries: Data) -> Data:
    codes = {e["code"] for e in entries}
    return {**data, "conditions": [c for c in data["conditions"] if c["code"] not in codes]
            + list(entries)}


SIGN_MEMBERS = [(g, code, test, sorted(where)) for g in PLAIN for code, test, where in reaching(g)]


@settings(max_examples=300, deadline=None)
@given(intake_st(max_conditions=3), st.sampled_from(SIGN_MEMBERS), st.data())
def test_a_sign_under_any_question_is_as_strict_as_its_plainest_report(data, member, draw):
    group, code, test, areas = member
    area = draw.draw(st.sampled_from(areas))
    side = draw.draw(st.sampled_from(["left", "right"]))
    plain_code = PLAIN[group]
    plain_test = next(t for c, t, _ in reaching(group) if c == plain_code)
    assume(code != plain_code)
    data = _with(data, report(code, test, area, side))  # neither code in the rest
    data["conditions"] = [c for c in data["conditions"] if c["code"] not in (code, plain_code)]
    plain = _screen(_with(data, report(plain_code, plain_test, area, side)))
    demanded = [f for f in plain.findings if f.rule in sign_rules(group)]
    assume(demanded)
    other = _screen(_with(data, report(code, test, area, side)))
    worst = max(DECISION_RANK[f.decision] for f in demanded)
    assert DECISION_RANK[other.decision] >= worst, (group, code, [f.rule for f in demanded])


FOLLOW_UPS = [(c.code, f) for c in RULES.conditions.values() for f in c.flags]


@settings(max_examples=400, deadline=None)
@given(intake_st(max_conditions=3), st.sampled_from(FOLLOW_UPS), st.data())
def test_an_unanswered_follow_up_never_gives_a_routine_either_answer_withholds(data, pick, draw):
    code, flag = pick
    entry = draw.draw(condition_st(code))
    entry["flags"] = [f for f in entry.get("flags", []) if f != flag]
    entry["flags_no"] = [f for f in entry.get("flags_no", []) if f != flag]
    unanswered = _screen(_with(data, entry))
    yes = _screen(_with(data, {**entry, "flags": [*entry["flags"], flag]}))
    no = _screen(_with(data, {**entry, "flags_no": [*entry["flags_no"], flag]}))
    if not _gives_routine(yes) or not _gives_routine(no):
        assert not _gives_routine(unanswered), (code, flag)
    assert any(a.code == code and a.follow_up == flag for a in unanswered.assumptions)


WARNINGS = [(c.code, f) for c in RULES.conditions.values()
            for f, u in c.unanswered.items() if u.read_as == "yes"]


@settings(max_examples=400, deadline=None)
@given(intake_st(max_conditions=4), st.sampled_from(WARNINGS), st.data())
def test_adding_a_warning_sign_never_relaxes_the_result(data, pick, draw):
    code, flag = pick
    entry = draw.draw(condition_st(code))
    entry["flags"] = [f for f in entry.get("flags", []) if f != flag]
    entry["flags_no"] = [f for f in entry.get("flags_no", []) if f != flag] + [flag]
    before = _screen(_with(data, entry))
    after = _screen(_with(data, {**entry, "flags": [*entry["flags"], flag],
                                 "flags_no": entry["flags_no"][:-1]}))
    assert _rank(after) >= _rank(before), (code, flag)


@settings(max_examples=300, deadline=None)
@given(intake_st(max_conditions=4), st.sampled_from(SIGN_MEMBERS), st.data())
def test_a_clearance_never_covers_a_sign_beside_it(data, member, draw):
    """Clearing every other condition (within its year) leaves the sign's own rules as
    strict as they are for the sign alone."""
    group, code, test, areas = member
    assume(test.cleared is None)
    area, side = draw.draw(st.sampled_from(areas)), draw.draw(st.sampled_from(["left", "right"]))
    sign = report(code, test, area, side)
    alone = _screen({"conditions": [sign]})
    demanded = [f for f in alone.findings if f.rule in sign_rules(group)]
    assume(demanded)
    cleared = [{**c, "cleared": True, "cleared_days_ago": 0} for c in data["conditions"]
               if c["code"] != code and "cleared" in RULES.conditions[c["code"]].asks]
    result = _screen({**data, "conditions": [*cleared, sign]})
    assert DECISION_RANK[result.decision] >= max(DECISION_RANK[f.decision] for f in demanded)


def test_a_clearance_counts_a_year():
    assert CLEARANCE_DAYS == 365


@pytest.mark.parametrize("entry, decision", [
    # the 6 weeks after birth: a clearance older than that predates the birth
    ({"code": "postpartum", "cleared": True, "cleared_days_ago": 60, "flags": ["caesarean"]}, "refer"),
    ({"code": "postpartum", "cleared": True, "cleared_days_ago": 20, "flags": ["caesarean"]}, "adjust"),
    # a pregnancy's length
    ({"code": "pregnancy", "cleared": True, "cleared_days_ago": 300}, "refer"),
    ({"code": "pregnancy", "cleared": True, "cleared_days_ago": 100}, "adjust"),
    # a clearance given in a clot's 90-day treatment phase does not count later
    ({"code": "dvt", "days_ago": 100, "cleared": True, "cleared_days_ago": 95}, "refer"),
    ({"code": "dvt", "days_ago": 100, "cleared": True, "cleared_days_ago": 5}, "adjust"),
])
def test_a_clearance_counts_only_within_its_condition_s_own_window(entry, decision):
    assert _screen(as_v11({"conditions": [entry]})).decision == decision


# The third clinical review: each a routine or too mild a referral before signs.
VIGNETTES = [
    ("an infected calf burn after birth", {"conditions": [
        {"code": "postpartum"},
        {"code": "burn", "sites": [{"area": "calf", "side": "left"}], "flags": ["infected"]}]},
     "urgent"),
    ("a knee flare during chemotherapy (cleared)", {"conditions": [
        {"code": "cancer_treatment", "cleared": True},
        {"code": "arthritis", "sites": [{"area": "knee", "side": "right"}], "flags": ["flare"]}]},
     "urgent"),
    ("an ankle flare during chemotherapy: septic arthritis can show without fever", {
        "conditions": [{"code": "cancer_treatment", "cleared": True},
                       {"code": "arthritis", "sites": [{"area": "ankle", "side": "right"}],
                        "flags": ["flare"]}]}, "urgent"),
    ("heart, kidney or liver swelling on one leg, cleared", {"conditions": [
        {"code": "heart_kidney_swelling", "cleared": True, "sites": [{"side": "left"}]}]},
     "refer"),
    ("numbness beside sciatica on that leg", {"conditions": [
        {"code": "sciatica", "sites": [{"side": "right"}]},
        {"code": "reduced_sensation", "sites": [{"side": "right"}]}]}, "refer"),
    ("an infected calf wound on a leg with poor circulation (cleared)", {"conditions": [
        {"code": "peripheral_artery_disease", "sites": [{"side": "left"}], "cleared": True},
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}],
         "flags": ["infected"]}]}, "refer"),
    ("a clean calf wound on a leg with poor circulation (cleared)", {"conditions": [
        {"code": "peripheral_artery_disease", "sites": [{"side": "left"}], "cleared": True},
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]}]}, "refer"),
    ("a knee flare and a long journey", {"conditions": [
        {"code": "arthritis", "sites": [{"area": "knee", "side": "left"}], "flags": ["flare"]},
        {"code": "long_journey"}]}, "urgent"),
    ("a flare on a knee operated 30 days ago, cleared", {"conditions": [
        {"code": "recent_surgery", "days_ago": 30, "cleared": True,
         "sites": [{"area": "knee", "side": "left"}]},
        {"code": "arthritis", "sites": [{"area": "knee", "side": "left"}], "flags": ["flare"]}]},
     "urgent"),
    ("an infected calf wound and hormones", {"conditions": [
        {"code": "open_wound", "sites": [{"area": "calf", "side": "right"}], "flags": ["infected"]},
        {"code": "hormones"}]}, "urgent"),
    ("an infected calf burn alone", {"conditions": [
        {"code": "burn", "sites": [{"area": "calf", "side": "right"}], "flags": ["infected"]}]},
     "refer"),
    ("a knee flare alone", {"conditions": [
        {"code": "arthritis", "sites": [{"area": "knee", "side": "right"}], "flags": ["flare"]}]},
     "refer"),
    ("an operation wound not healed at 200 days", {"conditions": [
        {"code": "recent_surgery", "sites": [{"area": "knee", "side": "left"}], "days_ago": 200,
         "cleared": True}]}, "refer"),
    ("an infected area on a leg operated on 20 days ago, cleared", {"conditions": [
        {"code": "recent_surgery", "days_ago": 20, "cleared": True,
         "sites": [{"area": "thigh", "side": "left"}]},
        {"code": "skin_infection", "sites": [{"area": "foot", "side": "left"}]}]}, "refer"),
    ("one swollen leg in pregnancy, cleared", {"conditions": [
        {"code": "pregnancy", "cleared": True, "flags": ["one_leg_swollen"]}]}, "urgent"),
    ("a fever after a caesarean (cleared)", {"conditions": [
        {"code": "postpartum", "cleared": True, "cleared_days_ago": 3, "flags": ["caesarean"]},
        {"code": "fever"}]}, "urgent"),
    ("sciatica with weakness, numbness in the other leg", {"conditions": [
        {"code": "sciatica", "sites": [{"side": "left"}], "flags": ["weakness"]},
        {"code": "reduced_sensation", "sites": [{"side": "right"}]}]}, "urgent"),
    ("a red, oozing operation wound three weeks on (cleared)", {"conditions": [
        {"code": "recent_surgery", "sites": [{"area": "knee", "side": "right"}], "days_ago": 21,
         "cleared": True, "cleared_days_ago": 7, "flags": ["infected"]}]}, "refer"),
    ("a hot, swollen ankle in pregnancy (cleared)", {"conditions": [
        {"code": "pregnancy", "cleared": True, "cleared_days_ago": 20, "flags": ["second_trimester"]},
        {"code": "inflammation", "sites": [{"area": "ankle", "side": "left"}]}]}, "urgent"),
    ("diabetes, poor circulation and a foot wound on that leg", {"conditions": [
        {"code": "diabetes"},
        {"code": "peripheral_artery_disease", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 30},
        {"code": "open_wound", "sites": [{"area": "foot", "side": "left"}]}]}, "urgent"),
    ("an inflamed knee after birth", {"conditions": [
        {"code": "postpartum"}, {"code": "inflammation", "sites": [{"area": "knee", "side": "left"}]}]},
     "urgent"),
]


@pytest.mark.parametrize(("what", "data", "decision"), VIGNETTES, ids=[v[0] for v in VIGNETTES])
def test_vignette(what, data, decision):
    a = _screen(as_v11(data))
    assert a.decision == decision, (what, [f.rule for f in a.findings])
    assert a.routine is None


def test_a_clot_sign_alone_says_today():
    a = _screen(as_v11({"conditions": [
        {"code": "burn", "sites": [{"area": "calf", "side": "right"}], "flags": ["infected"]}]}))
    assert "today" in a.referral.message


@pytest.mark.parametrize("data, decision", [
    ({"conditions": [{"code": "recent_injury", "sites": [{"area": "ankle", "side": "left"}],
                      "days_ago": 400, "severity": "mild"}]}, "proceed"),
    ({"conditions": [{"code": "recent_surgery", "sites": [{"area": "knee", "side": "left"}],
                      "days_ago": 730, "flags": ["scar_healed"]}]}, "proceed"),
])
def test_healing_ends(data, decision):
    """A mild sprain 400 days ago, a healed knee operation two years ago: no longer
    injuries, so nothing is left out for ever."""
    a = _screen(as_v11(data))
    assert a.decision == decision and not a.exclusions


@pytest.mark.parametrize("entry", [
    {"code": "recent_injury", "sites": [{"area": "ankle", "side": "left"}], "days_ago": 10,
     "severity": "mild"},
    {"code": "varicose_veins", "sites": [{"area": "calf", "side": "left"}], "severity": "mild"},
    {"code": "sciatica", "sites": [{"side": "left"}]},
    {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]},
])
def test_unanswered_warning_follow_ups_never_let_a_routine_through(entry):
    """The same report with every follow-up answered no gives a routine; unanswered, the
    warnings are read as yes and listed under assumptions."""
    answered = _screen(as_v11({"conditions": [entry]}))
    unanswered = _screen({"conditions": [entry]})
    assert _gives_routine(answered) and not _gives_routine(unanswered)
    flags = RULES.conditions[entry["code"]].flags
    assert {a.follow_up for a in unanswered.assumptions} >= set(flags)


@pytest.mark.parametrize("code, flag", FOLLOW_UPS, ids=[f"{c}.{f}" for c, f in FOLLOW_UPS])
def test_each_unanswered_follow_up_reads_as_its_cautious_answer(code, flag):
    """Every follow-up left unanswered (the others answered no) fires exactly what its
    declared cautious answer fires, and says so in the assumptions."""
    condition = RULES.conditions[code]
    entry = {"code": code, "flags_no": [f for f in condition.flags if f != flag]}
    reading = condition.unanswered[flag].read_as
    answered = {**entry, "flags" if reading == "yes" else "flags_no":
                ([flag] if reading == "yes" else [*entry["flags_no"], flag])}
    unanswered = _screen({"conditions": [entry]})
    cautious = _screen({"conditions": [answered]})
    assert [f.rule for f in unanswered.findings] == [f.rule for f in cautious.findings]
    assert {"code": code, "follow_up": flag, "read_as": reading} in [
        a.model_dump() for a in unanswered.assumptions]


def test_adding_the_other_leg_to_a_one_sided_swelling_never_relaxes_it():
    """Found by the long invariant run: 'one leg only' relaxed when the other leg was
    added; a heart, kidney or liver swelling pointed at on any leg stays a clot sign."""
    one = {"code": "heart_kidney_swelling", "cleared": True, "sites": [{"side": "right"}]}
    both = {**one, "sites": [{"side": "right"}, {"side": "left"}]}
    assert _screen({"conditions": [one]}).decision == "refer"
    assert _screen({"conditions": [both]}).decision == "refer"
    assert _screen({"conditions": [{**one, "sites": []}]}).decision == "adjust"
