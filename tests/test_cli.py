"""The installed ``screener`` command, run as a subprocess, for every exit status."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "intake.json"
SCREENER = Path(sys.executable).parent / "screener"


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert SCREENER.exists(), "the screener console script is not installed"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([str(SCREENER), *args], input=stdin if stdin is not None else "",
                          capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=60)


def screen_json(data: dict, *extra: str) -> subprocess.CompletedProcess:
    return run("screen", "--answers", "-", "--format", "json", *extra, stdin=json.dumps(data))


def test_example_adjusts_and_exits_0():
    out = run("screen", "--answers", str(EXAMPLE), "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["decision"] == "adjust" and result["routine"]["steps"]
    assert {"area": "calf", "side": "left"} in result["exclusions"]


def test_nothing_reported_proceeds():
    out = screen_json({"conditions": []})
    assert out.returncode == 0 and json.loads(out.stdout)["decision"] == "proceed"


def test_refer_exits_3_without_a_routine():
    out = screen_json({"conditions": [{"code": "dvt"}]})
    assert out.returncode == 3
    result = json.loads(out.stdout)
    assert result["routine"] is None and result["referral"]["urgency"] == "refer"


def test_urgent_exits_4():
    out = screen_json({"conditions": [{"code": "varicose_veins", "flags": ["hot_hard_tender"]}]})
    assert out.returncode == 4 and json.loads(out.stdout)["referral"]["urgency"] == "urgent"


@pytest.mark.parametrize(("stdin", "message"), [
    ("{not json", "stdin: not valid JSON"),
    ('{"conditions": [{"code": "gout"}]}', "conditions.0.code: unknown condition code 'gout'"),
    ('{"minutes": "ten"}', "minutes: Input should be a valid integer"),
    ('{"conditions": [], "extra": 1}', "extra: unknown field"),
    ("[1, 2]", "expected a JSON object"),
])
def test_invalid_input_exits_2_with_one_line(stdin, message):
    out = run("screen", "--answers", "-", stdin=stdin)
    assert out.returncode == 2
    assert out.stdout == ""
    assert message in out.stderr
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def test_missing_file_exits_2():
    out = run("screen", "--answers", "no-such-file.json")
    assert out.returncode == 2 and "no-such-file.json: cannot read" in out.stderr
    assert out.stdout == ""


def test_broken_rules_exit_2_naming_the_file(tmp_path):
    (tmp_path / "ruleset.yaml").write_text("name: broken\nversion: '0'\n")
    (tmp_path / "dvt.yaml").write_text("code: dvt\nrules: [\n")
    out = run("screen", "--answers", str(EXAMPLE), "--rules", str(tmp_path))
    assert out.returncode == 2 and out.stdout == ""
    assert "dvt.yaml: cannot read" in out.stderr and out.stderr.count("\n") == 1


def test_unknown_option_exits_2_in_one_line():
    out = run("screen", "--answers", str(EXAMPLE), "--colour")
    assert out.returncode == 2 and out.stderr.count("\n") == 1


def test_save_into_a_missing_folder_exits_2_without_output(tmp_path):
    out = run("screen", "--answers", str(EXAMPLE), "--save", str(tmp_path / "no" / "dir.json"))
    assert out.returncode == 2 and out.stdout == ""
    assert "does not exist" in out.stderr and out.stderr.count("\n") == 1


def test_no_terminal_and_no_answers_exits_2():
    out = run()
    assert out.returncode == 2 and "--answers" in out.stderr and out.stdout == ""


def test_save_is_owner_only_and_replayable(tmp_path):
    saved = tmp_path / "result.json"
    out = run("screen", "--answers", str(EXAMPLE), "--save", str(saved))
    assert out.returncode == 0
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    record = json.loads(saved.read_text())
    assert {"screened_at", "intake", "answers", "assessment", "ruleset"} == set(record)
    replay = run("screen", "--answers", str(saved), "--format", "json")
    assert json.loads(replay.stdout) == record["assessment"]


def test_nothing_is_written_without_save(tmp_path):
    run("screen", "--answers", str(EXAMPLE), cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_text_and_markdown_formats():
    text = run("screen", "--answers", str(EXAMPLE)).stdout
    assert text.startswith("ADJUST:") and "\x1b[" not in text  # not a terminal: no colour
    assert "supports, and never replaces" in text
    md = run("screen", "--answers", str(EXAMPLE), "--format", "markdown").stdout
    assert md.startswith("# Leg massage screening") and "| # | Step |" in md


def test_json_output_is_byte_stable():
    first = run("screen", "--answers", str(EXAMPLE), "--format", "json").stdout
    assert first == run("screen", "--answers", str(EXAMPLE), "--format", "json").stdout


def test_rules_list_and_show():
    listing = run("rules")
    assert listing.returncode == 0 and "wound.exclude-site" in listing.stdout
    page = run("rules", "show", "dvt.refer")
    assert page.returncode == 0 and "Sources" in page.stdout and "fires:" in page.stdout
    missing = run("rules", "show", "nope.rule")
    assert missing.returncode == 2 and "unknown rule id" in missing.stderr


def test_rules_show_lays_out_markdown_on_a_terminal_and_keeps_it_in_a_pipe():
    from pty_session import PtySession

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    session = PtySession([str(SCREENER), "rules", "show", "dvt.refer"], str(ROOT),
                         {**env, "TERM": "xterm-256color"}, cols=100)
    session.expect("What it does.", timeout=60)
    assert session.wait(timeout=60) == 0
    assert "**What it does.**" not in session.text
    piped = run("rules", "show", "dvt.refer").stdout
    assert piped.startswith("# `dvt.refer`") and "**What it does.**" in piped


def test_schema_lists_every_condition_code():
    schema = json.loads(run("schema").stdout)
    codes = schema["$defs"]["ConditionReport"]["properties"]["code"]["enum"]
    assert {"open_wound", "dvt", "varicose_veins", "pregnancy", "recent_injury"} <= set(codes)
    assert schema["additionalProperties"] is False


def test_explain_shows_fired_and_not_fired_rules():
    out = run("explain", "--answers", "-", stdin=json.dumps(
        {"conditions": [{"code": "recent_injury", "sites": [{"area": "ankle", "side": "left"}],
                         "days_ago": 1, "severity": "mild",
                         "flags_no": ["fracture", "unknown_cause", "cannot_bear_weight"]}]}))
    assert out.returncode == 0
    assert "FIRED  injury.exclude-acute" in out.stdout
    assert "no     injury.light-after-acute: recent_injury: 1 days ago, needs more than 3" in out.stdout


def wait_for_imports(pid: int) -> None:
    """Until pydantic's compiled core is loaded: the screener's own code is running (its
    handlers are set before pydantic loads), and the heavy imports are under way. Python's
    own start-up, before that, is no code of ours."""
    maps = Path(f"/proc/{pid}/maps")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if "pydantic_core" in maps.read_text():
                return
        except OSError:
            return
        time.sleep(0.001)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_start_up_imports_or_screening_exits_130_in_one_line(sig):
    """Through the imports of pydantic and durable_rules, to the screening: exit 130,
    one line, no traceback, no routine."""
    interrupted = 0
    for delay in (0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15):
        proc = subprocess.Popen([str(SCREENER), "screen", "--answers", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        wait_for_imports(proc.pid)
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(b'{"conditions": []}', timeout=60)
        if proc.returncode == 0:
            continue  # finished first: nothing to interrupt
        interrupted += 1
        assert proc.returncode == 130, err
        assert err == b"screener: cancelled; nothing was saved.\n" and out == b""
    assert interrupted


def test_a_closed_stdout_on_screen_exits_1_quietly():
    proc = subprocess.Popen([str(SCREENER), "screen", "--answers", str(EXAMPLE)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout and proc.stderr
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1 and err == b""
