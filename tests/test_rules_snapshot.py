"""The bundled rules' parsed snapshot: up to date, used only for the very bytes it was
parsed from, and the same rule set as parsing the YAML gives."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from screener import RulesError, load_rules
from screener.rules import default_rules_path, read_rules, reading, snapshot, strict_yaml


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The names of the files parsed as YAML (not taken from the snapshot)."""
    names: list[str] = []
    parse = strict_yaml.parse

    def spy(data: bytes):
        document = parse(data)
        names.append(document.get("code") or document.get("name") or "bibliography"
                     if isinstance(document, dict) else "?")
        return document

    monkeypatch.setattr(strict_yaml, "parse", spy)
    return names


def test_the_snapshot_is_up_to_date():
    assert snapshot.SNAPSHOT_FILE.read_text(encoding="utf-8") == snapshot.generate(
        default_rules_path()), "parsed_rules.json is stale: run 'python -m screener.docs'"


def test_the_bundled_rules_come_from_the_snapshot_and_equal_the_parsed_yaml(parsed, monkeypatch):
    from_snapshot = read_rules(default_rules_path())
    assert parsed == []
    monkeypatch.setattr(reading, "load_snapshot", lambda: snapshot.Snapshot({}))
    from_yaml = read_rules(default_rules_path())
    assert len(parsed) == len(from_yaml.files) + 2  # and the manifest and the bibliography
    assert from_snapshot.digest == from_yaml.digest
    assert from_snapshot.conditions == from_yaml.conditions
    assert from_snapshot.groups == from_yaml.groups
    assert from_snapshot.bibliography == from_yaml.bibliography


def test_an_edited_rule_file_is_parsed_not_taken_from_the_snapshot(tmp_path, parsed):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_path(), folder)
    dvt = folder / "dvt.yaml"
    text = dvt.read_text(encoding="utf-8")
    title = read_rules(default_rules_path()).conditions["dvt"].title
    dvt.write_text(text.replace(f"title: {title}", "title: Edited clot title", 1),
                   encoding="utf-8")
    rules = load_rules(folder)
    assert rules.conditions["dvt"].title == "Edited clot title"
    assert parsed == ["dvt"]  # every other file's bytes are the snapshot's
    assert rules.digest != read_rules(default_rules_path()).digest


def test_an_edited_group_file_is_checked_as_written(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_path(), folder)
    group = sorted((folder / "groups").glob("*.yaml"))[0]
    group.write_text(group.read_text(encoding="utf-8") + "\ncode: again\n", encoding="utf-8")
    with pytest.raises(RulesError, match=rf"{group.name}: cannot read: duplicate key 'code'"):
        load_rules(folder)


def test_a_snapshot_document_is_never_shared_between_rule_sets():
    first, second = snapshot.load_snapshot(), snapshot.load_snapshot()
    data = (default_rules_path() / "dvt.yaml").read_bytes()
    assert first.document("dvt.yaml", data) is not second.document("dvt.yaml", data)
    assert first.document("dvt.yaml", data + b"\n") is None  # not the bytes it came from
    assert first.document("groups/dvt.yaml", data) is None  # nor the file


@pytest.mark.parametrize("content", ["", "{not json", '{"format": 99, "files": {}}', "[]",
                                     '{"format": 1, "files": {"dvt.yaml": "x"}}'])
def test_a_missing_or_unreadable_snapshot_means_every_file_is_parsed(tmp_path, content):
    file = tmp_path / "parsed_rules.json"
    if content:
        file.write_text(content)
    data = (default_rules_path() / "dvt.yaml").read_bytes()
    assert snapshot.load_snapshot(file).document("dvt.yaml", data) is None


def test_a_document_json_cannot_hold_exactly_is_left_out(tmp_path):
    """A date, a number as a key or a float for an integer would come back from JSON as
    something else, which validation could read differently: such files stay YAML."""
    (tmp_path / "groups").mkdir()
    (tmp_path / "ruleset.yaml").write_text("name: a\nversion: '1'\n")
    (tmp_path / "dated.yaml").write_text("code: dated\nsince: 2024-01-01\n")
    (tmp_path / "keyed.yaml").write_text("code: keyed\n1: one\n")
    (tmp_path / "groups" / "plain.yaml").write_text("code: plain\nweight: 1.0\nn: 1\n")
    files = json.loads(snapshot.generate(tmp_path))["files"]
    assert sorted(files) == ["groups/plain.yaml", "ruleset.yaml"]
    assert type(files["groups/plain.yaml"]["document"]["weight"]) is float
    assert snapshot._same({"a": 1, "b": 2}, {"a": 1, "b": 2})
    assert not snapshot._same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not snapshot._same([1], [True]) and not snapshot._same([1], [1.0])


def test_the_bundled_rules_load_without_yaml():
    """Reading the shipped rules does not even import yaml (the point of the snapshot)."""
    code = ("import sys; sys.modules['yaml'] = None\n"
            "from screener.loading import default_rules\n"
            "print(len(default_rules().rules), 'yaml' in sys.modules and sys.modules['yaml'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent)
    assert out.stdout.split()[1] == "None" and int(out.stdout.split()[0]) > 50


def test_a_rule_file_that_is_not_utf8_is_still_refused(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_path(), folder)
    (folder / "dvt.yaml").write_bytes((folder / "dvt.yaml").read_bytes() + b"\xff\n")
    with pytest.raises(RulesError, match=r"dvt\.yaml: cannot read: 'utf-8' codec"):
        reading.read_rules(folder)
