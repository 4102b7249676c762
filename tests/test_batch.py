"""``screener batch`` and ``screener diff``: every output line checked, and exit statuses."""

from __future__ import annotations

import array
import io
import json
import shutil
import signal
import subprocess
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import intake_st
from test_cli import SCREENER, run, wait_for_imports

from screener import default_rules
from screener.cli.batch import run_batch, split_lines
from screener.cli.pool import CHUNK

LINES = [
    '{"conditions": []}',                                              # 1 proceed
    '{"conditions": [{"code": "open_wound", "sites": [{"area": "calf", "side": "left"}], '
    '"flags_no": ["infected"]}]}',  # 2 adjust
    "",                                                                # 3 blank: an error
    '{"conditions": [{"code": "dvt"}]}',                               # 4 refer
    "{not json",                                                       # 5 malformed
    '{"conditions": [{"code": "gout"}]}',                              # 6 invalid code
    '{"minutes": 3}',                                                  # 7 out of range
    '{"conditions": [{"code": "breathlessness_chest_pain"}]}',         # 8 urgent
    "[1, 2]",                                                          # 9 not an object
]


def test_batch_gives_one_result_per_line_in_order():
    out = run("batch", "--answers", "-", stdin="\n".join(LINES) + "\n")
    assert out.returncode == 2  # some lines were invalid
    results = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    ok = {r["line"]: r["assessment"]["decision"] for r in results if r["ok"]}
    assert ok == {1: "proceed", 2: "adjust", 4: "refer", 8: "urgent"}
    errors = {r["line"]: r["error"] for r in results if not r["ok"]}
    assert errors[3] == "line 3: blank line, no intake"
    assert errors[5].startswith("line 5: not valid JSON")
    assert errors[6] == "line 6: conditions.0.code: unknown condition code 'gout'"
    assert errors[7].startswith("line 7: minutes: Input should be greater than or equal to 5")
    assert errors[9] == "line 9: expected a JSON object with 'conditions'"
    assert results[1]["assessment"]["exclusions"] == [{"area": "calf", "side": "left"}]
    assert out.stderr.strip() == (
        "screened 9 lines: proceed 1, adjust 1, no massage 0, refer 1, urgent 1; invalid 5, failed 0")


def test_batch_of_good_lines_exits_0(tmp_path):
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(LINES[:2]) + "\n")
    out = run("batch", "--answers", str(path))
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 2


def test_batch_missing_file_exits_2():
    out = run("batch", "--answers", "missing.jsonl")
    assert out.returncode == 2 and "missing.jsonl: cannot read" in out.stderr


def test_batch_streams_without_holding_results():
    """The generator yields a line before reading the next one."""
    consumed: list[int] = []

    def lines():
        for n, line in enumerate(LINES[:2] * 3):
            consumed.append(n)
            yield line

    out = io.StringIO()
    tally = run_batch(lines(), default_rules(), out, io.StringIO())
    assert tally.total == 6 and len(out.getvalue().splitlines()) == 6


def test_diff_reports_what_a_new_rule_set_changes(tmp_path):
    old = default_rules().path
    new = tmp_path / "new"
    shutil.copytree(old, new)
    data = yaml.safe_load((new / "bruise.yaml").read_text())
    data["rules"][0]["decision"] = "refer"
    data["rules"][0]["referral"] = "See a doctor about the bruise."
    (new / "bruise.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    answers = tmp_path / "past.jsonl"
    answers.write_text("\n".join([
        '{"conditions": [{"code": "bruise", "sites": [{"area": "shin", "side": "left"}]}]}',
        '{"conditions": []}',
        '{"conditions": [{"code": "nope"}]}',
    ]) + "\n")
    out = run("diff", "--rules", str(old), "--rules", str(new), "--answers", str(answers))
    assert out.returncode == 2  # one invalid line
    lines = out.stdout.splitlines()
    assert lines[0].startswith("line 1: decision adjust -> refer; ")
    assert "referral 'none' -> 'See a doctor about the bruise.'" in lines[0]
    assert "routine steps +0 -" in lines[0]  # a referral leaves no routine
    assert lines[1].startswith("line 3: invalid:")
    assert lines[-1] == ("3 intakes: 1 changed (decision 1, exclusions 0, caps 0, avoided "
                         "techniques 0, referral 1, routine 1; 0 less restrictive); 1 invalid")
    as_json = run("diff", "--rules", str(old), "--rules", str(new), "--answers", str(answers),
                  "--format", "json")
    first = json.loads(as_json.stdout.splitlines()[0])
    assert first["decision"] == ["adjust", "refer"]
    assert first["referral"] == [None, "See a doctor about the bruise."]
    assert first["routine"]["added"] == [] and first["routine"]["removed"]


def test_diff_sees_an_avoided_technique_change_the_routine(tmp_path):
    """Adding stretches to what varicose veins avoid around the vein changes no decision,
    exclusion or cap, but it changes what the person is told to do (the ankle circles go)."""
    old = default_rules().path
    new = tmp_path / "new"
    shutil.copytree(old, new)
    path = new / "varicose_veins.yaml"
    text = path.read_text()
    path.write_text(text.replace("techniques: [deep_tissue, friction, trigger_point, tapotement, "
                                 "compression]", "techniques: [deep_tissue, friction, "
                                 "trigger_point, tapotement, compression, stretch]", 1))
    answers = tmp_path / "past.jsonl"
    answers.write_text('{"conditions": [{"code": "varicose_veins", "sites": '
                       '[{"area": "calf", "side": "right"}], "severity": "mild", '
                       '"flags_no": ["hot_hard_tender"]}], "goal": "relaxation"}\n'
                       '{"conditions": []}\n')
    out = run("diff", "--rules", str(old), "--rules", str(new), "--answers", str(answers),
              "--format", "json")
    assert out.returncode == 0, out.stderr
    records = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["line"] for r in records] == [1]
    change = records[0]
    assert "decision" not in change and "exclusions" not in change
    assert any("stretch" in a for a in change["avoid"]["added"])
    assert any("ankle circles" in step for step in change["routine"]["removed"])
    summary = run("diff", "--rules", str(old), "--rules", str(new), "--answers", str(answers))
    assert "1 changed (decision 0, exclusions 0, caps 0, avoided techniques 1, referral 0, " \
           "routine 1;" in summary.stdout


def test_diff_needs_two_rule_sets(tmp_path):
    out = run("diff", "--rules", str(default_rules().path), "--answers", "-", stdin="")
    assert out.returncode == 2 and "needs --rules OLD --rules NEW" in out.stderr


# -- hostile and clumsy batch input -----------------------------------------------------

GOOD = b'{"conditions": []}'


def run_bytes(*args: str, stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCREENER), *args], input=stdin, capture_output=True, timeout=120)


def records(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode().splitlines()]


def test_an_undecodable_line_in_the_middle_is_one_error_record():
    lines = [GOOD] * 2001
    lines[999] = b'{"conditions": ["\xff"]}'
    out = run_bytes("batch", "--answers", "-", stdin=b"\n".join(lines) + b"\n")
    assert out.returncode == 2, out.stderr
    results = records(out.stdout)
    assert [r["line"] for r in results] == list(range(1, 2002))
    bad = [r for r in results if not r["ok"]]
    assert bad == [{"line": 1000, "ok": False, "error": "line 1000: not valid UTF-8 (byte 18)"}]
    assert out.stderr.decode() == (
        "screened 2001 lines: proceed 2000, adjust 0, no massage 0, refer 0, urgent 0; invalid 1, failed 0\n")


def test_a_lone_cr_stays_inside_its_line_and_crlf_is_a_line_ending():
    lines = [GOOD + b"\r" + GOOD, GOOD + b"\r", b"\r", GOOD, b'{"conditions": [{"code": "dvt"}]}']
    out = run_bytes("batch", "--answers", "-", stdin=b"\n".join(lines) + b"\n")
    results = records(out.stdout)
    assert [r["line"] for r in results] == [1, 2, 3, 4, 5]
    assert results[0]["error"].startswith("line 1: not valid JSON")
    assert results[1]["ok"] and results[3]["ok"]
    assert results[2]["error"] == "line 3: blank line, no intake"
    assert results[4]["assessment"]["decision"] == "refer"


def test_an_over_long_line_is_an_error_and_the_next_lines_go_on(tmp_path):
    path = tmp_path / "day.jsonl"
    path.write_bytes(b"\n".join([GOOD, b'{"conditions": [' + b" " * 5000 + b"]}", GOOD, GOOD]))
    out = run_bytes("batch", "--answers", str(path), "--max-input-bytes", "100", stdin=b"")
    results = records(out.stdout)
    assert [r["ok"] for r in results] == [True, False, True, True]
    assert results[1]["error"] == "line 2: longer than the limit of 100 bytes (see --max-input-bytes)"
    assert out.returncode == 2


def test_split_lines_never_holds_an_over_long_line():
    from screener.cli.batch import LongLine, split_lines

    stream = io.BytesIO(b"a\r\n" + b"x" * 1_000_000 + b"\nb\rc\n\nd")
    assert list(split_lines(stream, 10)) == [b"a\r\n", LongLine(1_000_001, 10), b"b\rc\n", b"\n", b"d"]


def test_batch_from_dev_zero_or_a_folder_is_refused():
    for source in ("/dev/zero", "/"):
        out = run("batch", "--answers", source)
        assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1


def test_diff_reads_lines_the_same_way(tmp_path):
    answers = tmp_path / "past.jsonl"
    answers.write_bytes(b"\n".join([GOOD, b"\xff", GOOD + b"\r" + GOOD, b"", GOOD]) + b"\n")
    rules = str(default_rules().path)
    out = run_bytes("diff", "--rules", rules, "--rules", rules, "--answers", str(answers),
                    "--format", "json", stdin=b"")
    assert [json.loads(line)["line"] for line in out.stdout.decode().splitlines()] == [2, 3, 4]
    assert out.stderr.decode().endswith(
        "5 intakes: 0 changed (decision 0, exclusions 0, caps 0, avoided techniques 0, "
        "referral 0, routine 0; 0 less restrictive); 3 invalid\n")


def test_ctrl_c_during_a_batch_from_a_slow_pipe_exits_130_with_the_summary():
    proc = subprocess.Popen([str(SCREENER), "batch", "--answers", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin
    for _ in range(10):  # 30 results: less than a pipe holds, so writing never blocks
        proc.stdin.write(b'{"conditions": [{"code": "dvt"}]}\n' * 3)
        proc.stdin.flush()
        time.sleep(0.03)
    assert proc.stdout
    # the pipe stays open: once all 30 results are out, the batch waits for more, mid-run
    # (read, not slept for: a loaded machine may take seconds to start)
    first = b"".join(proc.stdout.readline() for _ in range(30))
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    out = first + rest
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert len(lines) == 2 and "Traceback" not in err.decode()
    assert lines == ["screened 30 lines: proceed 0, adjust 0, no massage 0, refer 30, urgent 0; invalid 0, "
                     "failed 0", "screener: cancelled; nothing was saved."]
    results = records(out)
    assert len(results) == 30 and all(r["ok"] for r in results)


def _until_the_output_pipe_is_full(proc: subprocess.Popen) -> None:
    """Wait (not a fixed sleep: a loaded machine screens slower) until the results fill
    the pipe nobody reads, so the batch is blocked writing."""
    import fcntl
    import termios

    assert proc.stdout
    for _ in range(1200):
        waiting = array.array("i", [0])
        fcntl.ioctl(proc.stdout.fileno(), termios.FIONREAD, waiting)
        if waiting[0] >= 60_000 or proc.poll() is not None:
            return
        time.sleep(0.05)


def test_a_second_ctrl_c_stops_a_batch_whose_reader_has_stopped_reading():
    proc = subprocess.Popen([str(SCREENER), "batch", "--answers", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin and proc.stderr
    proc.stdin.write(b'{"conditions": [{"code": "dvt"}]}\n' * 1000)  # > a pipe of results
    proc.stdin.flush()
    _until_the_output_pipe_is_full(proc)  # blocked writing: nobody reads stdout
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert proc.poll() is None  # the first waits for the line being written
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 130
    err = proc.stderr.read().decode()
    assert "Traceback" not in err and err.endswith("screener: cancelled; nothing was saved.\n")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_while_lines_are_screened_never_give_failed_records(sig, tmp_path):
    """Signals land at many points of a busy batch: never a 'failed' line, never a
    traceback, always exit 130 with the summary."""
    day = tmp_path / "day.jsonl"
    day.write_bytes(b'{"conditions": [{"code": "dvt"}]}\n' * 20_000)
    for delay in (0.0, 0.05, 0.15, 0.3, 0.5):
        proc = subprocess.Popen([str(SCREENER), "batch", "--answers", str(day)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_imports(proc.pid)
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert b"Traceback" not in err and err.decode().splitlines()[-1].startswith("screener: ")
        assert all(r["ok"] for r in records(out))


def test_a_closed_pipe_on_stdout_exits_quietly(tmp_path):
    day = tmp_path / "day.jsonl"
    day.write_bytes(b'{"conditions": []}\n' * 20_000)
    proc = subprocess.Popen([str(SCREENER), "batch", "--answers", str(day)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout and proc.stderr
    proc.stdout.close()  # like '| head -0'
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_the_durable_rules_logger_is_silenced():
    import logging

    from screener.cli.main import main

    assert main(["rules"]) == 0
    assert logging.getLogger("durable").disabled


_line_st = st.one_of(
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b"")),
    st.sampled_from([GOOD, b"", b"\r", GOOD + b"\r", b"\xff", b'{"conditions": [{"code": "dvt"}]}',
                     b'{"a": 1, "a": 2}', b"[" * 100, b'{"minutes": ' + b"9" * 50 + b"}",
                     b" " * 200, json.dumps({"\x1b[2J\n": 1}).encode()]))


@given(lines=st.lists(_line_st, max_size=12), final_newline=st.booleans())
def test_every_input_line_gets_exactly_one_valid_result_line(lines, final_newline):
    """Whatever the bytes, split on '\n' only: one JSON record per line, numbered in
    order, and the summary counts them all."""
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    read = data.split(b"\n")
    if read[-1] == b"":
        read.pop()  # a final newline ends the last line; it does not start one
    out, err = io.StringIO(), io.StringIO()
    tally = run_batch(split_lines(io.BytesIO(data), 100), default_rules(), out, err)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["line"] for r in results] == list(range(1, len(read) + 1))
    assert tally.total == len(read) and err.getvalue() == tally.summary() + "\n"
    good = {GOOD, b'{"conditions": [{"code": "dvt"}]}'}
    for record, line in zip(results, read):
        content = line.removesuffix(b"\r")
        if content in good:
            assert record["ok"], record
        elif not content.strip() or b"\xff" in content or len(line) > 100:
            assert not record["ok"], record


_BAD_LINES = [b"", b"\xff\xfe", b"{not json", b'{"conditions": [{"code": "gout"}]}', b"[1]",
              b"x" * 300]  # the last is over the --max-input-bytes 200 given below


@settings(max_examples=4, deadline=None)
@given(intakes=st.lists(intake_st(), min_size=1, max_size=12), rng=st.randoms(use_true_random=False))
def test_batch_and_diff_on_two_processes_give_the_bytes_of_one(intakes, rng, tmp_path_factory):
    """Several pool chunks of generated intakes and bad lines: --jobs 2 writes exactly
    what --jobs 1 writes (results in input order), exit status and summary included."""
    pool = [json.dumps(i).encode() for i in intakes] + _BAD_LINES
    day = tmp_path_factory.mktemp("jobs") / "day.jsonl"
    day.write_bytes(b"\n".join(rng.choice(pool) for _ in range(3 * CHUNK + 7)) + b"\n")
    new = tmp_path_factory.mktemp("rules") / "new"
    shutil.copytree(default_rules().path, new)
    data = yaml.safe_load((new / "bruise.yaml").read_text())
    data["rules"][0]["decision"] = "refer"
    data["rules"][0]["referral"] = "See a doctor about the bruise."
    (new / "bruise.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    for command in (["batch"], ["diff", "--rules", str(default_rules().path), "--rules", str(new),
                                "--format", "json"]):
        one, two = (run_bytes(*command, "--answers", str(day), "--max-input-bytes", "200",
                              "--jobs", jobs, stdin=b"") for jobs in ("1", "2"))
        assert (two.stdout, two.stderr, two.returncode) == (one.stdout, one.stderr, one.returncode)
        assert one.stdout.count(b"\n") >= (3 * CHUNK + 7 if command == ["batch"] else 0)


def test_jobs_must_be_a_positive_number():
    for jobs in ("0", "-1", "two"):
        out = run("batch", "--answers", "-", "--jobs", jobs)
        assert out.returncode == 2 and "--jobs" in out.stderr and "Traceback" not in out.stderr
