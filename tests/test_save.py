"""``--save``: never through a link, never over the answers file, never over an existing
file without ``--force``, whole or not at all (a size limit, a full disk, Ctrl-C), and
one writer's whole output when several save at once."""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import stat
import subprocess
from pathlib import Path

import pytest
from test_cli import EXAMPLE, SCREENER
from test_hostile_input import assert_clean, call

from screener import Intake, default_rules, screen
from screener.errors import InputError, SaveError
from screener.cli.storage import save_private
from screener.render.record import Record

OLD = b'{"old": "kept whole"}\n'


def save(path: Path, *extra: str, answers: Path = EXAMPLE) -> tuple[int, str, str]:
    return call("screen", "--answers", str(answers), "--save", str(path), *extra)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_owner_only_and_holds_answers_and_result(tmp_path):
    os.umask(umask := os.umask(0))  # with no umask at all, still 0600
    try:
        code, out, err = save(tmp_path / "result.json")
    finally:
        os.umask(umask)
    assert code == 0 and out.startswith("ADJUST"), err
    saved = tmp_path / "result.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert set(json.loads(saved.read_text())) == {"screened_at", "intake", "answers",
                                                  "assessment", "ruleset"}
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_is_never_followed(tmp_path, dangling):
    target = tmp_path / "target.json"
    if not dangling:
        target.write_bytes(OLD)
        target.chmod(0o644)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    for extra in ((), ("--force",)):
        code, out, err = save(link, *extra)
        assert_clean(code, out, err)
        assert "symbolic link" in err
    assert link.is_symlink()
    if dangling:
        assert not target.exists()
    else:
        assert target.read_bytes() == OLD and stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_an_existing_file_needs_force(tmp_path):
    existing = tmp_path / "result.json"
    existing.write_bytes(OLD)
    existing.chmod(0o644)
    code, out, err = save(existing)
    assert_clean(code, out, err)
    assert "already exists" in err and "--force" in err and existing.read_bytes() == OLD
    code, out, err = save(existing, "--force")
    assert code == 0 and out, err
    assert json.loads(existing.read_text())["assessment"]["decision"] == "adjust"
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_the_top_level_checklist_options_have_force_too(tmp_path):
    existing = tmp_path / "result.json"
    existing.write_bytes(OLD)
    assert_clean(*call("--answers", str(EXAMPLE), "--save", str(existing)))
    code, _, err = call("--answers", str(EXAMPLE), "--save", str(existing), "--force")
    assert code == 0 and existing.read_bytes() != OLD, err


def test_the_answers_file_is_never_overwritten(tmp_path, monkeypatch):
    answers = tmp_path / "a.json"
    answers.write_bytes(EXAMPLE.read_bytes())
    twin = tmp_path / "twin.json"
    os.link(answers, twin)  # another name for the same file
    monkeypatch.chdir(tmp_path)
    for target in ("a.json", "./a.json", str(answers), "twin.json"):
        for extra in ((), ("--force",)):
            code, out, err = call("screen", "--answers", "a.json", "--save", target, *extra)
            assert_clean(code, out, err)
            assert "answers file" in err or "already exists" in err
    code, out, err = call("screen", "--answers", "a.json", "--save", "twin.json", "--force")
    assert "is the answers file" in err
    assert answers.read_bytes() == EXAMPLE.read_bytes()


@pytest.mark.parametrize("where", ["missing/result.json", "folder"])
def test_a_wrong_place_is_an_input_error(tmp_path, where):
    (tmp_path / "folder").mkdir()
    code, out, err = save(tmp_path / where, "--force")
    assert_clean(code, out, err)


def _limit_file_size(size: int):  # type: ignore[no-untyped-def]
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def test_a_file_size_limit_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    existing = tmp_path / "result.json"
    existing.write_bytes(OLD)
    out = subprocess.run([str(SCREENER), "screen", "--answers", str(EXAMPLE), "--save",
                          str(existing), "--force"], capture_output=True, text=True, timeout=60,
                         preexec_fn=_limit_file_size(1000))
    assert_clean(out.returncode, out.stdout, out.stderr, status=1)
    assert "cannot save" in out.stderr
    assert existing.read_bytes() == OLD
    assert leftovers(tmp_path) == []


def test_concurrent_writers_leave_one_whole_output(tmp_path):
    target = tmp_path / "result.json"
    intakes = [{"conditions": [], "minutes": m} for m in range(20, 28)]
    procs = []
    for n, intake in enumerate(intakes):
        answers = tmp_path / f"in{n}.json"
        answers.write_text(json.dumps(intake))
        procs.append(subprocess.Popen(
            [str(SCREENER), "screen", "--answers", str(answers), "--save", str(target),
             "--force", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    record = json.loads(target.read_text())  # whole: a torn file would not parse
    assert record["intake"] in [Intake.model_validate(i).model_dump(mode="json") for i in intakes]
    minutes = record["intake"]["minutes"]
    assert [json.loads(out) for out, _ in outputs][minutes - 20] == record["assessment"]
    assert leftovers(tmp_path) == []


def _result():  # type: ignore[no-untyped-def]
    rules = default_rules()
    intake = Intake.model_validate({"conditions": []}, context={"rules": rules})
    return Record(intake, screen(intake)), rules


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failure):
    existing = tmp_path / "result.json"
    existing.write_bytes(OLD)

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr(os, "fsync", fail)
    expected = SaveError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        save_private(existing, *_result(), force=True)
    assert existing.read_bytes() == OLD and leftovers(tmp_path) == []


def test_a_failed_save_prints_no_routine(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(
        OSError(errno.EIO, "Input/output error")))
    code, out, err = save(tmp_path / "result.json")
    assert_clean(code, out, err, status=1)
    assert not (tmp_path / "result.json").exists() and leftovers(tmp_path) == []


def test_a_file_appearing_meanwhile_is_not_replaced_without_force(tmp_path, monkeypatch):
    """The check before screening can race with another program: the final step refuses
    to replace a file that appeared meanwhile (a hard link never overwrites)."""
    target = tmp_path / "result.json"
    real_fsync = os.fsync

    def appear(fd: int) -> None:
        real_fsync(fd)
        if not target.exists():
            target.write_bytes(OLD)

    monkeypatch.setattr(os, "fsync", appear)
    with pytest.raises(InputError, match="already exists"):
        save_private(target, *_result())
    assert target.read_bytes() == OLD and leftovers(tmp_path) == []


def test_the_answers_file_is_refused_when_it_comes_on_stdin_too(tmp_path):
    answers = tmp_path / "in.json"
    answers.write_bytes(EXAMPLE.read_bytes())
    before = answers.read_bytes()
    with answers.open("rb") as stdin:
        proc = subprocess.run([str(SCREENER), "screen", "--answers", "-", "--save", str(answers),
                               "--force"], stdin=stdin, capture_output=True)
    assert proc.returncode == 2 and b"is the answers file" in proc.stderr and proc.stdout == b""
    assert answers.read_bytes() == before


@pytest.mark.parametrize("depth", [0, 1])
def test_a_linked_folder_anywhere_in_the_path_is_refused(tmp_path, depth):
    """--save linkdir/out.json wrote through the linked folder."""
    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    link = tmp_path / "linkdir"
    link.symlink_to(real)
    target = link / "out.json" if depth == 0 else link / "sub" / "out.json"
    for extra in ((), ("--force",)):
        code, out, err = save(target, *extra)
        assert_clean(code, out, err)
        assert "'linkdir'" in err and "symbolic link" in err
    assert not list(real.rglob("*.json")) and not list(real.rglob("*.tmp"))


def test_a_folder_swapped_for_a_link_after_the_check_is_not_written_through(tmp_path,
                                                                          monkeypatch):
    """The write goes through the folder's descriptor: swapping the folder for a link
    after it was opened sends nothing to the link's target."""
    folder, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    real_fsync = os.fsync
    swapped = []

    def swap(fd: int) -> None:
        real_fsync(fd)
        if not swapped:
            folder.rename(tmp_path / "moved")
            folder.symlink_to(elsewhere)
            swapped.append(True)

    monkeypatch.setattr(os, "fsync", swap)
    save_private(folder / "result.json", *_result())
    assert list(elsewhere.iterdir()) == []
    assert (tmp_path / "moved" / "result.json").exists()
