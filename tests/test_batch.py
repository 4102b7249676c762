"""``screener batch`` and ``screener diff``: every output line checked, and exit statuses."""

from __future__ import annotations

import io
import json
import shutil

import yaml
from test_cli import run

from screener import default_rules
from screener.batch import run_batch

LINES = [
    '{"conditions": []}',                                              # 1 proceed
    '{"conditions": [{"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]}]}',
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
        "screened 9 lines: proceed 1, adjust 1, refer 1, urgent 1; invalid 5, failed 0")


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
    assert lines[0] == "line 1: decision adjust -> refer"
    assert lines[1].startswith("line 3: invalid:")
    assert lines[-1] == ("3 intakes: 1 changed (decision 1, exclusions 0, caps 0; "
                         "0 less restrictive); 1 invalid")
    as_json = run("diff", "--rules", str(old), "--rules", str(new), "--answers", str(answers),
                  "--format", "json")
    assert json.loads(as_json.stdout.splitlines()[0]) == {"line": 1, "decision": ["adjust", "refer"]}


def test_diff_needs_two_rule_sets(tmp_path):
    out = run("diff", "--rules", str(default_rules().path), "--answers", "-", stdin="")
    assert out.returncode == 2 and "needs --rules OLD --rules NEW" in out.stderr
