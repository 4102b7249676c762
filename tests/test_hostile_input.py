"""Hostile and clumsy input: every case ends in the clean-error contract (exit 2, exactly
one line on stderr starting 'screener: ', nothing on stdout, no traceback, no raw
control character), never a routine, a traceback or a read without end.

Most cases run in-process through ``screener.cli.main`` (fast); a handful run the real
command, where stdin, devices and file descriptors matter."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import intake_st
from test_cli import EXAMPLE, SCREENER

from screener import RulesError, default_rules, load_rules
from screener.answers.source import MAX_DEPTH, MAX_DIGITS, load_json
from screener.cli.main import main
from screener.errors import InputError, shown
from screener.vocabulary import GOALS, PRESSURES

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\u2028\u2029]")
VALID = json.dumps({"conditions": [{"code": "dvt"}]}).encode()  # refer: never a routine


def call(*argv: str, stdin: bytes = b"") -> tuple[int, str, str]:
    """Run the CLI in this process; stdin is an in-memory stream."""
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    old_stdin = sys.stdin
    sys.stdin = fake_stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, out: str, err: str, *, status: int = 2) -> None:
    assert code == status, err
    assert out == ""
    assert err.startswith("screener: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert not RAW_CONTROL.search(err), repr(err)
    assert len(err) <= 420


def screen_bytes(data: bytes, *extra: str) -> tuple[int, str, str]:
    return call("screen", "--answers", "-", "--format", "json", *extra, stdin=data)


def run_raw(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCREENER), *args], capture_output=True, timeout=60, **kwargs)


def assert_clean_process(out: subprocess.CompletedProcess, status: int = 2) -> None:
    assert_clean(out.returncode, out.stdout.decode(), out.stderr.decode("utf-8", "replace"),
                 status=status)


# -- duplicate keys -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where"), [
    ('{"conditions":[{"code":"dvt"}],"conditions":[]}', "duplicate key 'conditions'"),
    ('{"conditions":[{"code":"dvt","cleared":false,"cleared":true}]}',
     "conditions.0: duplicate key 'cleared'"),
    ('{"conditions":[{"code":"open_wound","sites":[{"area":"calf","side":"left",'
     '"side":"right"}]}]}', "conditions.0.sites.0: duplicate key 'side'"),
    ('{"minutes": 10, "minutes": 10}', "duplicate key 'minutes'"),
    ('{"intake": {"conditions": [], "conditions": []}, "assessment": {}}',
     "intake: duplicate key 'conditions'"),
])
def test_a_repeated_key_is_an_error_naming_key_and_place(text, where):
    code, out, err = screen_bytes(text.encode())
    assert_clean(code, out, err)
    assert err == f"screener: stdin: {where}\n"


def test_repeated_key_through_the_real_command_is_refused_not_proceeded():
    out = run_raw(["screen", "--answers", "-"],
                  input=b'{"conditions":[{"code":"dvt"}],"conditions":[]}')
    assert_clean_process(out)
    assert b"PROCEED" not in out.stdout


def _rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(default_rules().path, folder)
    return folder


def test_a_repeated_key_in_a_rule_file_is_a_rules_error(tmp_path):
    folder = _rules_copy(tmp_path)
    dvt = folder / "dvt.yaml"
    dvt.write_text(dvt.read_text() + "\ncode: dvt\n")
    with pytest.raises(RulesError, match=r"dvt\.yaml: cannot read: duplicate key 'code' \(line"):
        load_rules(folder)
    code, out, err = call("screen", "--answers", str(EXAMPLE), "--rules", str(folder))
    assert_clean(code, out, err)
    assert "dvt.yaml" in err


def test_a_repeated_key_nested_in_a_rule_is_refused(tmp_path):
    folder = _rules_copy(tmp_path)
    manifest = folder / "ruleset.yaml"
    manifest.write_text("name: a\nname: b\nversion: '1'\n")
    with pytest.raises(RulesError, match="ruleset.yaml: cannot read: duplicate key 'name'"):
        load_rules(folder)


def test_distinct_keys_load_and_merge_keys_do_not():
    """A '<<' merge lets a later key override a merged one without a word: refused too."""
    import yaml

    from screener.rules.strict_yaml import _Loader

    assert yaml.load("a: {p: 1}\nb: {p: 2, q: 2}\n", Loader=_Loader) == {
        "a": {"p": 1}, "b": {"p": 2, "q": 2}}
    with pytest.raises(yaml.YAMLError, match="merge keys"):
        yaml.load("b:\n  <<: {p: 1, q: 2}\n  p: 2\n", Loader=_Loader)
    assert load_rules(default_rules().path).digest == default_rules().digest


_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(8))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("dvt.yaml", _LAUGHS, "anchors and aliases are not allowed"),
    ("dvt.yaml", "code: &c dvt\nquestion: *c\n", "anchors and aliases are not allowed"),
    ("dvt.yaml", "[" * 5000 + "]" * 5000, "cannot read"),
    ("dvt.yaml", "code: dvt\n" + "# padding\n" * 200_000, "larger than"),
])
def test_hostile_rule_files_are_rules_errors(tmp_path, name, content, message):
    folder = _rules_copy(tmp_path)
    (folder / name).write_text(content)
    start = time.monotonic()
    with pytest.raises(RulesError, match=message):
        load_rules(folder)
    assert time.monotonic() - start < 5
    assert_clean(*call("screen", "--answers", str(EXAMPLE), "--rules", str(folder)))


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_rule_file_that_is_not_a_file_is_refused(tmp_path, kind):
    folder = _rules_copy(tmp_path)
    (folder / "dvt.yaml").unlink()
    if kind == "fifo":
        os.mkfifo(folder / "dvt.yaml")  # reading it would wait for a writer for ever
    else:
        (folder / "dvt.yaml").symlink_to("/dev/zero")
    with pytest.raises(RulesError, match="dvt.yaml: not a regular file"):
        load_rules(folder)


# -- oversize input, devices, closed stdin ----------------------------------------------


def test_answers_over_the_limit_flag_are_refused(tmp_path):
    code, out, err = call("screen", "--answers", str(EXAMPLE), "--max-input-bytes", "100")
    assert_clean(code, out, err)
    assert "larger than the limit of 100 bytes" in err


def test_answers_over_the_limit_from_the_environment_are_refused(monkeypatch):
    monkeypatch.setenv("SCREENER_MAX_INPUT_BYTES", "50")
    assert_clean(*screen_bytes(b'{"conditions": []}' + b" " * 60))
    code, out, _ = screen_bytes(b'{"conditions": []}')
    assert code == 0 and out


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1e3", "\x1b[2J"])
def test_a_bad_limit_is_one_line(value, monkeypatch):
    assert_clean(*call("screen", "--answers", str(EXAMPLE), "--max-input-bytes", value))
    monkeypatch.setenv("SCREENER_MAX_INPUT_BYTES", value)
    code, out, err = call("screen", "--answers", str(EXAMPLE))
    assert_clean(code, out, err)
    assert "SCREENER_MAX_INPUT_BYTES" in err


def test_a_huge_limit_is_not_set_aside_in_memory():
    code, out, err = call("screen", "--answers", str(EXAMPLE), "--max-input-bytes", str(1 << 40))
    assert code == 0 and out.startswith("ADJUST"), err


def test_a_200_mb_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    start = time.monotonic()
    code, out, err = call("screen", "--answers", str(big))
    assert_clean(code, out, err)
    assert "larger than the limit" in err and time.monotonic() - start < 2


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/dev/urandom", "/"])
def test_devices_and_folders_are_not_answers(path):
    if not os.path.exists(path):
        pytest.skip(f"no {path}")
    code, out, err = call("screen", "--answers", path)
    assert_clean(code, out, err)
    assert "not a regular file" in err or "is a folder" in err


def test_invalid_utf8_names_the_source(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"conditions": ["\xff"]}')
    code, out, err = call("screen", "--answers", str(bad))
    assert_clean(code, out, err)
    assert err == f"screener: {bad}: not valid UTF-8 (byte 18)\n"


def test_dev_zero_on_stdin_is_refused():
    with open("/dev/zero", "rb") as zero:
        out = run_raw(["screen", "--answers", "-"], stdin=zero)
    assert_clean_process(out)


def test_a_closed_stdin_exits_2():
    out = run_raw(["screen", "--answers", "-"], stdin=None, preexec_fn=lambda: os.close(0))
    assert_clean_process(out)
    assert b"stdin: closed" in out.stderr


def test_a_socket_on_stdin_is_refused():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.sendall(VALID)
        ours.shutdown(socket.SHUT_WR)
        out = run_raw(["screen", "--answers", "-"], stdin=theirs)
    assert_clean_process(out)


def test_answers_from_a_named_pipe_are_read(tmp_path):
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    proc = subprocess.Popen([str(SCREENER), "screen", "--answers", str(fifo), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fifo.write_bytes(VALID)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3 and json.loads(out)["decision"] == "refer", err


# -- nesting and numbers ----------------------------------------------------------------


@pytest.mark.parametrize("data", [
    b"[" * 3000 + b"]" * 3000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000,
    b'{"conditions": ' + b"[" * 100_000,
    b'{"conditions": [' + b'{"x": ' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1) + b"]}",
])
def test_deep_nesting_is_refused(data):
    code, out, err = screen_bytes(data)
    assert_clean(code, out, err)
    assert "nested more than" in err


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"conditions": [{"code": "[" * 5000 + '\\"{'}]})
    code, out, err = screen_bytes(text.encode())
    assert_clean(code, out, err)
    assert "unknown condition code" in err


@pytest.mark.parametrize("number", [
    "1" * 5000, "-" + "9" * 5000, "1" * 21, "0." + "1" * 5000, "1e400", "-1e400",
    "NaN", "Infinity", "-Infinity",
])
def test_huge_numbers_and_non_numbers_are_refused(number):
    code, out, err = screen_bytes(f'{{"conditions": [], "minutes": {number}}}'.encode())
    assert_clean(code, out, err)


def test_ordinary_numbers_still_parse():
    assert load_json('{"a": 12345678901234567890, "b": -1.5e3}', "x") == {
        "a": 12345678901234567890, "b": -1500.0}
    with pytest.raises(InputError, match="number too long"):
        load_json('{"a": 123456789012345678901}', "x")


# -- messages -----------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    {"condi\ntions": []},
    {"conditions": [], "\x1b[2J\x1b[H": 1},
    {"conditions": [{"code": "gout\r\n\x1b]0;pwned\x07"}]},
    {"conditions": [{"code": "\u202egout"}]},
    {"conditions": [{"code": "x" * 200_000}]},
    {"y" * 200_000: 1},
    {"conditions": [{"code": "dvt", "sites": [{"area": "calf\x85\x9b", "side": "left"}]}]},
    {"conditions": [], "goal": "\x00\x7f\u2028"},
])
def test_messages_escape_and_cut_what_they_echo(data):
    code, out, err = screen_bytes(json.dumps(data).encode())
    assert_clean(code, out, err)


@pytest.mark.parametrize("argv", [
    ["screen", "--answers", "no\nsuch\x1b[2J.json"],
    ["screen", "--answers", "x" * 10_000],
    ["screen", "--answers", str(EXAMPLE), "--format", "\x1b[2J"],
    ["rules", "show", "\u202edvt.refer\n"],
    ["screen", "--answers", str(EXAMPLE), "--rules", "/no/such\n\x07dir"],
    ["--nope\x1b"],
    ["screen", "--answers", "nul\x00byte"],
    ["screen", "--answers", str(EXAMPLE), "--save", "nul\x00byte"],
    ["screen", "--answers", str(EXAMPLE), "--save", ""],
    ["screen", "--answers", str(EXAMPLE), "--save", "."],
    ["screen", "--answers", str(EXAMPLE), "--save", "/tmp/"],
    ["screen", "--answers", "bad-\udcff-name.json"],
])
def test_command_line_arguments_are_echoed_safely(argv):
    assert_clean(*call(*argv))


def test_shown_escapes_controls_and_cuts_long_text():
    assert shown("a\nb\x1b[2J\u202e\x7f\x9b") == "a\\nb\\x1b[2J\\u202e\\x7f\\x9b"
    assert shown("é ✓ 中") == "é ✓ 中"
    cut = shown("x" * 500)
    assert len(cut) == 60 and cut.endswith("…")
    assert shown("x" * 60) == "x" * 60


# -- the property: generated malformed input -------------------------------------------

def _json_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


_control_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).map(
    lambda s: s + "\x1b[2J\n\u202e")
_wrong_value = st.one_of(st.text(max_size=5).filter(lambda v: v not in PRESSURES + GOALS),
                         st.lists(st.integers(), max_size=3),
                         st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                         st.booleans(), st.none(), st.floats(allow_nan=False,
                                                             allow_infinity=False))


@st.composite
def malformed(draw) -> bytes:  # type: ignore[no-untyped-def]
    """Input that can never be a valid intake, from several families of attack."""
    family = draw(st.sampled_from(["bytes", "truncated", "deep", "number", "duplicate",
                                   "control", "types"]))
    intake = draw(intake_st(max_conditions=3))
    if family == "bytes":
        data = draw(st.binary(max_size=200))
        cut = draw(st.integers(0, len(data)))
        return data[:cut] + b"\xff" + data[cut:]  # never valid UTF-8
    if family == "truncated":
        text = _json_text(intake).encode()
        return text[:draw(st.integers(0, len(text) - 1))]
    if family == "deep":
        depth = draw(st.integers(MAX_DEPTH + 1, 4000))
        open_, close = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = open_ * depth + "1" + close * depth
        return _json_text({"conditions": []})[:-1].encode() + b', "x": ' + inner.encode() + b"}"
    if family == "number":
        digits = draw(st.integers(MAX_DIGITS + 1, 6000))
        key = draw(st.sampled_from(["minutes", "days_ago"]))
        number = draw(st.sampled_from(["", "-"])) + "9" * digits
        if key == "days_ago":
            return _json_text({"conditions": [{"code": "dvt", "days_ago": 0}]}).replace(
                '"days_ago": 0', f'"days_ago": {number}').encode()
        return _json_text(intake).replace(f'"minutes": {intake["minutes"]}',
                                          f'"minutes": {number}').encode()
    if family == "duplicate":
        key = draw(st.sampled_from(sorted(intake)))
        text = _json_text(intake)
        extra = _json_text({key: draw(_wrong_value)})[1:-1]
        return (text[:-1] + ", " + extra + "}").encode()
    if family == "control":
        where = draw(st.sampled_from(["key", "code", "goal", "area"]))
        text = draw(_control_text)
        if where == "key":
            return _json_text({**intake, text: 1}).encode()
        if where == "code":
            return _json_text({"conditions": [{"code": text}]}).encode()
        if where == "goal":
            return _json_text({**intake, "goal": text}).encode()
        return _json_text({"conditions": [{"code": "bruise", "sites": [
            {"area": text, "side": "left"}]}]}).encode()
    field = draw(st.sampled_from(["conditions", "minutes", "goal", "preferred_pressure"]))
    value = draw(_wrong_value.filter(lambda v: not isinstance(v, list) or field != "conditions"
                                     or v))
    if field == "minutes" and type(value) is float and value.is_integer() and 5 <= value <= 60:
        value = "ten"  # pydantic would accept 10.0 as ten minutes
    return _json_text({**intake, field: value}).encode()


@given(data=malformed())
def test_every_malformed_input_gives_the_clean_error(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "answers.json"
    path.write_bytes(data)
    assert_clean(*call("screen", "--answers", str(path), "--format", "json"))


@pytest.mark.parametrize("data", [
    b"\xff\xfe{}", b'{"conditions": [', b"[" * 3000, b'{"minutes": ' + b"9" * 5000 + b"}",
    b'{"conditions": [], "conditions": [{"code": "dvt"}]}',
    json.dumps({"\x1b[2J": 1}).encode(), b'{"minutes": "ten"}',
])
def test_malformed_input_through_the_real_command(data):
    assert_clean_process(run_raw(["screen", "--answers", "-"], input=data))


# -- interruptions in-process ------------------------------------------------------------


def _interrupting(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise KeyboardInterrupt


def _wrapping(*args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise ValueError("serialisation failed") from exc  # as a library might


@pytest.mark.parametrize("fake", [_interrupting, _wrapping])
def test_an_interruption_anywhere_exits_130_in_one_line(fake, monkeypatch, tmp_path):
    import screener.screening

    monkeypatch.setattr(screener.screening, "screen", fake)
    saved = tmp_path / "result.json"
    code, out, err = call("screen", "--answers", str(EXAMPLE), "--save", str(saved))
    assert code == 130 and out == "" and not saved.exists()
    assert err == "screener: cancelled; nothing was saved.\n"


def test_repeated_keys_are_found_from_many_threads_at_once():
    """Duplicate detection keeps no global state: screening is used from threads."""
    from concurrent.futures import ThreadPoolExecutor

    def parse(n: int) -> bool:
        text = '{"a": 1, "a": 2}' if n % 2 else '{"a": 1, "b": 2}'
        try:
            load_json(text, "x")
            return False
        except InputError:
            return True

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(parse, range(4000))) == [n % 2 == 1 for n in range(4000)]


@pytest.mark.parametrize("name", ["extra.yml", "extra.json", "README", ".dvt.yaml.swp",
                                  ".hidden.yaml", "groups/extra.yml", "notes/"])
def test_a_file_that_is_not_a_rule_file_is_refused_by_name(tmp_path, name):
    """A .yml beside the .yaml files was silently ignored: its rules never ran."""
    folder = _rules_copy(tmp_path)
    if name.endswith("/"):
        (folder / name).mkdir()
    else:
        (folder / name).write_text((folder / "dvt.yaml").read_text())
    with pytest.raises(RulesError, match=rf"{re.escape(name.rstrip('/'))}: not a rule file"):
        load_rules(folder)


def test_a_groups_entry_that_is_not_a_folder_is_refused(tmp_path):
    folder = _rules_copy(tmp_path)
    shutil.rmtree(folder / "groups")
    (folder / "groups").symlink_to(default_rules().path / "groups")
    with pytest.raises(RulesError, match="groups: not a folder of group files"):
        load_rules(folder)


def test_a_rule_file_swapped_for_a_fifo_after_the_check_does_not_block(tmp_path, monkeypatch):
    """The file is checked on the open descriptor, opened without blocking: a FIFO that
    replaces the file between a check and the open is refused, not waited on."""
    from screener.rules import reading

    folder = _rules_copy(tmp_path)
    target = folder / "dvt.yaml"
    real_open = os.open

    def swap_then_open(path, flags, *args, **kwargs):
        if Path(path) == target:
            target.unlink()
            os.mkfifo(target)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(reading.os, "open", swap_then_open)
    with pytest.raises(RulesError, match="dvt.yaml: not a regular file"):
        load_rules(folder)


def test_a_linked_rule_file_is_refused(tmp_path):
    folder = _rules_copy(tmp_path)
    real = tmp_path / "dvt-real.yaml"
    (folder / "dvt.yaml").rename(real)
    (folder / "dvt.yaml").symlink_to(real)
    with pytest.raises(RulesError, match="dvt.yaml: not a regular file"):
        load_rules(folder)
