"""Returning clients (contract v1.2 'The record'): ``screen --answers NEW --since PREVIOUS``
moves the previous record's days forward by the whole days since its ``screened_at`` and
shows what changed (conditions new, gone or changed; the decision then and now;
clearances that expired) in JSON and first in every human format. The installed command
as a subprocess; previous records are dated so that "now" is mid-day in their offset, so
no test depends on the hour it runs at."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from strategies import RULES
from test_cli import EXAMPLE, SCREENER, run

from screener import Intake
from screener.render.since import Previous, changes_since, whole_days


def mid_day_ago(days: int) -> str:
    """A time ``days`` calendar days ago, in an offset where now is about noon."""
    utc = datetime.now(timezone.utc)
    local = utc.astimezone(timezone(timedelta(hours=12 - utc.hour)))
    return (local - timedelta(days=days)).isoformat(timespec="seconds")


def previous(tmp_path: Path, intake: dict, days: int, name: str = "previous.json") -> Path:
    """A record saved by the screener itself, then dated ``days`` ago."""
    answers = tmp_path / f"{name}.intake.json"
    answers.write_text(json.dumps(intake))
    path = tmp_path / name
    saved = run("screen", "--answers", str(answers), "--save", str(path))
    assert saved.returncode in (0, 3, 4, 5), saved.stderr
    record = json.loads(path.read_text())
    record["screened_at"] = mid_day_ago(days)
    path.write_text(json.dumps(record))
    return path


def since(new: dict, prev: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("screen", "--answers", "-", "--since", str(prev), *extra, stdin=json.dumps(new))


INJURY = {"code": "recent_injury", "sites": [{"area": "ankle", "side": "right"}],
          "days_ago": 3, "severity": "mild",
          "flags_no": ["fracture", "unknown_cause", "cannot_bear_weight"]}


def test_days_move_forward_so_the_same_injury_a_month_on_is_unchanged(tmp_path):
    prev = previous(tmp_path, {"conditions": [INJURY]}, 30)
    same = since({"conditions": [{**INJURY, "days_ago": 33}]}, prev, "--format", "json")
    assert same.returncode == 0, same.stderr
    changes = json.loads(same.stdout)["changes_since"]
    assert changes["days"] == 30 and changes["conditions"] == []
    assert changes["screened_at"] == json.loads(prev.read_text())["screened_at"]
    again = since({"conditions": [INJURY]}, prev, "--format", "json")  # a new injury
    fields = json.loads(again.stdout)["changes_since"]["conditions"]
    assert fields == [{"code": "recent_injury", "change": "changed",
                       "fields": [{"field": "days_ago", "then": 33, "now": 3}]}]


def test_new_gone_changed_the_decision_then_and_now_and_expired_clearances(tmp_path):
    prev = previous(tmp_path, {"conditions": [
        INJURY,
        {"code": "varicose_veins", "sites": [{"area": "thigh", "side": "right"}],
         "severity": "mild", "flags_no": ["hot_hard_tender"]},
        {"code": "lymphedema", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 340},
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}], "flags_no": ["infected"]},
    ]}, 40)
    new = {"conditions": [
        {"code": "varicose_veins", "sites": [{"area": "thigh", "side": "right"}],
         "severity": "moderate", "flags_no": ["hot_hard_tender"]},
        {"code": "lymphedema", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 380},
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}], "flags_no": ["infected"]},
        {"code": "dvt", "days_ago": 10},
    ]}
    out = since(new, prev, "--format", "json")
    assert out.returncode == 3, out.stderr  # a DVT ten days ago: refer
    result = json.loads(out.stdout)
    changes = result.pop("changes_since")
    pure = run("screen", "--answers", "-", "--format", "json", stdin=json.dumps(new))
    assert result == json.loads(pure.stdout)  # the assessment itself is untouched
    assert changes["decision"] == {"then": "adjust", "now": "refer"}
    expected = {
        "dvt": {"code": "dvt", "change": "new"},
        "varicose_veins": {"code": "varicose_veins", "change": "changed",
                           "fields": [{"field": "severity", "then": "mild", "now": "moderate"}]},
        "recent_injury": {"code": "recent_injury", "change": "gone"},
    }  # in rule-set order, so the same inputs give the same bytes
    assert changes["conditions"] == [expected[c] for c in RULES.conditions if c in expected]
    assert changes["expired_clearances"] == [{"code": "lymphedema", "cleared_days_ago": 380}]


def test_a_clearance_still_within_its_year_has_not_expired(tmp_path):
    prev = previous(tmp_path, {"conditions": [
        {"code": "lymphedema", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 300}]}, 65)
    out = since({"conditions": []}, prev, "--format", "json")
    changes = json.loads(out.stdout)["changes_since"]
    assert changes["expired_clearances"] == []
    assert changes["conditions"] == [{"code": "lymphedema", "change": "gone"}]


@pytest.fixture()
def changed(tmp_path) -> tuple[Path, dict]:
    prev = previous(tmp_path, {"conditions": [
        INJURY, {"code": "lymphedema", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 360}]}, 10)
    return prev, json.loads(EXAMPLE.read_text())


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_every_human_format_shows_the_changes_first(changed, fmt):
    prev, new = changed
    out = since(new, prev, "--format", fmt)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    start = text.index("Since the last screening")
    assert start < text.index("ADJUST"), fmt
    for part in ("10 days ago", "Decision: ADJUST, as then.", "New: Open wound",
                 "Changed: Recent leg or foot injury: began: 13 days ago then, 3 days ago now",
                 "Clearance expired: Lymphoedema"):
        assert part in text, (fmt, part)
    assert "Since the last screening" not in run(
        "screen", "--answers", str(EXAMPLE), "--format", fmt).stdout


def test_the_pdf_shows_the_changes_on_its_first_page(changed):
    from conftest import has_module, need

    need(has_module("weasyprint") and bool(shutil.which("pdftotext")),
         "the pdf extra or poppler-utils is missing (scripts/install-test-deps installs both)")
    prev, new = changed
    out = subprocess.run([str(SCREENER), "screen", "--answers", "-",
                          "--since", str(prev), "--format", "pdf"],
                         input=json.dumps(new).encode(), capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=out.stdout,
                          capture_output=True, check=True).stdout.decode()
    assert text.index("Since the last screening") < text.index("ADJUST")
    assert "Clearance expired: Lymphoedema" in " ".join(text.split())
    assert "Signatures" in text  # the page to sign stays the first


def test_the_saved_record_keeps_the_changes_and_reads_back(changed, tmp_path):
    prev, new = changed
    target = tmp_path / "today.json"
    out = since(new, prev, "--save", str(target))
    assert out.returncode == 0, out.stderr
    record = json.loads(target.read_text())
    assert record["changes_since"]["days"] == 10
    assert run("screen", "--answers", str(target)).returncode == 0
    again = run("screen", "--answers", str(EXAMPLE), "--since", str(target), "--format", "json")
    assert json.loads(again.stdout)["changes_since"]["days"] == 0
    over = since(new, prev, "--save", str(prev), "--force")
    assert over.returncode == 2 and "is the answers file" in over.stderr


def _refused(tmp_path: Path, record: object, raw: str | None = None) -> str:
    path = tmp_path / "bad.json"
    path.write_text(raw if raw is not None else json.dumps(record))
    out = run("screen", "--answers", str(EXAMPLE), "--since", str(path))
    assert (out.returncode, out.stdout) == (2, ""), out.stderr
    assert out.stderr.count("\n") == 1 and "bad.json" in out.stderr
    return out.stderr


def test_a_record_without_screened_at_or_with_a_bad_one_is_an_input_error(tmp_path):
    prev = json.loads(previous(tmp_path, {"conditions": []}, 1).read_text())
    undated = {k: v for k, v in prev.items() if k != "screened_at"}
    assert "screened_at: missing" in _refused(tmp_path, undated)
    for stamp in ("2026-11-03", "2026-11-03T12:00:00", "2026-02-30T12:00:00+01:00",
                  "20261103T120000+0100", 5):
        assert "screened_at" in _refused(tmp_path, {**prev, "screened_at": stamp}), stamp
    future = (datetime.now(timezone.utc) + timedelta(days=3)).isoformat(timespec="seconds")
    assert "later than today" in _refused(tmp_path, {**prev, "screened_at": future})


def test_the_previous_intake_is_read_as_strictly_as_answers(tmp_path):
    prev = json.loads(previous(tmp_path, {"conditions": []}, 1).read_text())
    assert "not a saved record" in _refused(tmp_path, {"conditions": []})
    unknown = {**prev, "intake": {"conditions": [{"code": "sore_knee"}]}}
    assert "sore_knee" in _refused(tmp_path, unknown)
    assert "assessment.decision" in _refused(
        tmp_path, {**prev, "assessment": {**prev["assessment"], "decision": "fine"}})
    text = json.dumps(prev)
    repeated = text.replace('"intake": {', '"intake": {"goal": "relaxation", "goal": "recovery", ', 1)
    assert "goal" in _refused(tmp_path, None, repeated)
    _refused(tmp_path, None, "[1, 2]")


def test_whole_days_are_calendar_days_in_the_records_own_offset():
    plus5 = timezone(timedelta(hours=5))
    then = datetime(2026, 3, 1, 23, 30, tzinfo=plus5)
    assert whole_days(then, datetime(2026, 3, 2, 0, 10, tzinfo=plus5)) == 1  # 40 minutes on
    assert whole_days(then, datetime(2026, 3, 1, 19, 0, tzinfo=timezone.utc)) == 1  # 00:00+05
    assert whole_days(then, datetime(2026, 3, 1, 18, 59, tzinfo=timezone.utc)) == 0
    intake = Intake.model_validate({"conditions": [
        {"code": "lymphedema", "sites": [{"side": "left"}], "cleared": True,
         "cleared_days_ago": 365}]},
        context={"rules": RULES})
    from screener import screen

    a = screen(intake, RULES)
    at = datetime(2026, 3, 2, 0, 10, tzinfo=plus5)
    changes = changes_since(Previous(then, intake, "adjust"), intake, a, RULES, at)
    assert changes["expired_clearances"] == [{"code": "lymphedema", "cleared_days_ago": 366}]
    assert changes["conditions"] == [{"code": "lymphedema", "change": "changed", "fields": [
        {"field": "cleared_days_ago", "then": 366, "now": 365}]}]


def test_the_checklist_takes_since_too_and_refuses_a_bad_record_before_asking(tmp_path):
    from test_checklist import default_session_and_confirm, groups_until, no_red_flags, start

    prev = previous(tmp_path, {"conditions": [INJURY]}, 5)
    s = start("--since", str(prev), tmp_path=tmp_path)
    no_red_flags(s)
    groups_until(s, "health")
    s.send("enter")
    default_session_and_confirm(s)
    s.expect("Since the last screening")
    s.expect("No longer reported: Recent leg or foot injury")
    s.expect("PROCEED")
    assert s.wait() == 0
    undated = tmp_path / "undated.json"
    undated.write_text(json.dumps({k: v for k, v in json.loads(prev.read_text()).items()
                                   if k != "screened_at"}))
    s = start("--since", str(undated), tmp_path=tmp_path)
    s.expect("screened_at: missing")
    assert s.wait() == 2 and "Leg massage safety checklist" not in s.text
