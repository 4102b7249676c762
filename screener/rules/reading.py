"""Reading a rule folder: regular files of bounded size, parsed by YAML's safe loader made
stricter (``strict_yaml``: no repeated keys, merge keys, anchors or aliases) unless their
bytes are those of the bundled snapshot (``snapshot``), no control characters, and the
digest of everything read. Nothing in a rule file is executed."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import RulesError, describe_invalid
from .snapshot import Snapshot, load_snapshot
from .checks import check_references
from .models import GROUPS, M, O, Bibliography, Condition, Group, Manifest
from .ruleset import RuleSet, default_rules_path

MANIFEST = "ruleset.yaml"
BIBLIOGRAPHY = "bibliography.yaml"  # every source the rules cite, by key
RULE_FILE_LIMIT = 1 << 20  # a rule file is a few kB


def read_rules(path: str | Path) -> RuleSet:
    """Read a rule set folder and check its references; raise ``RulesError`` naming file
    and rule. The engine bounds and the cases are checked a step above (``screener.loading``)."""
    root = Path(path)
    if not root.is_dir():
        raise RulesError("not a folder of rule files", file=str(root))
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise RulesError(f"missing {MANIFEST} (the rule set's name and version)", file=str(root))
    digest, known = hashlib.sha256(), load_snapshot()
    raw_manifest = _read(manifest_path, digest, known)
    manifest = _model(Manifest, raw_manifest, manifest_path)

    files: dict[str, str] = {}
    conditions: dict[str, Condition] = {}
    for file in _rule_files(root, {MANIFEST, GROUPS, BIBLIOGRAPHY}):
        condition = _owner(Condition, file, digest, known, files)
        conditions[condition.code] = condition
    groups: dict[str, Group] = {}
    group_folder = root / GROUPS
    if group_folder.is_symlink() or (group_folder.exists() and not group_folder.is_dir()):
        raise RulesError("not a folder of group files", file=str(group_folder))
    group_files = _rule_files(group_folder, set()) if group_folder.exists() else []
    for file in group_files:
        group = _owner(Group, file, digest, known, files)
        groups[group.code] = group
    if not conditions:
        raise RulesError("no condition files (*.yaml) in the rule set", file=str(root))
    bibliography_path = root / BIBLIOGRAPHY
    if not bibliography_path.is_file():
        raise RulesError(f"missing {BIBLIOGRAPHY} (the sources rules cite)", file=str(root))
    bibliography = _model(Bibliography, _read(bibliography_path, digest, known),
                          bibliography_path)
    clash = set(conditions) & set(groups)
    if clash:
        code = sorted(clash)[0]
        raise RulesError(f"{code!r} names both a condition and a group", file=str(root / GROUPS))

    rules = RuleSet(manifest, conditions, groups, files, f"sha256:{digest.hexdigest()}", root,
                    bibliography.sources)
    check_references(rules)
    return rules


@cache
def bundled_rules() -> RuleSet:
    """The shipped rule folder, read once per process. ``screener.loading.default_rules``
    readies this very object for the engine; intakes validated without a rule set of
    their own are checked against it."""
    return read_rules(default_rules_path())


def _owner(model: type[O], file: Path, digest: Any, known: Snapshot,
           files: dict[str, str]) -> O:
    """Read one condition or group file; its code must be its file name."""
    owner = _model(model, _read(file, digest, known), file)
    code = owner.code  # type: ignore[attr-defined]
    if code != file.stem:
        raise RulesError(f"code {code!r} must match the file name", file=str(file))
    files[code] = f"{GROUPS}/{file.name}" if model is Group else file.name
    return owner


# Opened without following a link and without blocking (a FIFO swapped in after a check
# would wait for a writer for ever), then checked on the open descriptor itself.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _read_regular(file: Path) -> bytes:
    """At most ``RULE_FILE_LIMIT + 1`` bytes of a regular file that is not a link."""
    try:
        fd = os.open(file, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RulesError("not a regular file (a symbolic link)", file=str(file)) from None
        raise
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO would block, a device never end
            raise RulesError("not a regular file", file=str(file))
        return stream.read(RULE_FILE_LIMIT + 1)


def _rule_files(folder: Path, allowed: set[str]) -> list[Path]:
    """The ``.yaml`` files of a folder; anything else in it (a ``.yml`` or ``.json`` that
    would be ignored, a README, an editor's swap file or other dotfile) is an error
    naming it, so no file that looks like rules is silently skipped."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name in allowed:
            continue
        if entry.suffix != ".yaml" or entry.name.startswith("."):
            raise RulesError("not a rule file: a rule folder holds only .yaml files "
                             f"(and {GROUPS}/)", file=str(entry))
        found.append(entry)
    return found


def _read(file: Path, digest: Any, known: Snapshot) -> Any:
    """A rule file's document: the snapshot's if these are its bytes, else parsed."""
    name = f"{GROUPS}/{file.name}" if file.parent.name == GROUPS else file.name
    try:
        data = _read_regular(file)
        if len(data) > RULE_FILE_LIMIT:
            raise RulesError(f"larger than {RULE_FILE_LIMIT} bytes", file=str(file))
        parsed = known.document(name, data)
        if parsed is None:
            from .strict_yaml import parse

            parsed = parse(data)
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: not UTF-8 or YAML
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RulesError(f"cannot read: {first}", file=str(file)) from None
    if not isinstance(parsed, dict):
        raise RulesError("expected a mapping at the top of the file", file=str(file))
    bad = _control_character(parsed)
    if bad:
        raise RulesError(f"a control character ({bad}) in the text: rule text is printed to "
                         "terminals and pages", file=str(file))
    digest.update(name.encode() + b"\0" + data + b"\0")
    return parsed


# Printed text may hold line breaks and tabs, nothing that steers a terminal or the
# reading direction: C0 and C1 controls, DEL, bidi overrides and isolates, separators.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                      "\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _control_character(value: Any) -> str | None:
    """The first forbidden character in any string of a parsed file, as U+XXXX."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return f"U+{ord(found.group()):04X}" if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        for item in value:
            bad = _control_character(item)
            if bad:
                return bad
    return None


def _model(model: type[M], data: dict[str, Any], file: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        loc = exc.errors()[0]["loc"]
        rule, skip = None, 0
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            raw_rules = data.get("rules")
            if isinstance(raw_rules, list) and loc[1] < len(raw_rules):
                raw = raw_rules[loc[1]]
                rule = raw.get("id") if isinstance(raw, dict) else None
                rule = rule if isinstance(rule, str) else f"#{loc[1] + 1}"
            skip = 2
        raise RulesError(describe_invalid(exc, skip), file=str(file), rule=rule) from None


