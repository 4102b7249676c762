"""The bundled rule files already parsed (``parsed_rules.json`` beside this module), so
that a start does not parse YAML: parsing the shipped rules took most of the cold start
of ``screener screen``, where ``json`` reads the same documents in milliseconds.

Each document is kept with the SHA-256 of the bytes it was parsed from, and is used only
for a file whose bytes read now have that digest; any other file (an edited checkout, a
folder of one's own) is parsed as YAML. Everything after parsing (the control character
check, validation, references, engine bounds) runs on a snapshot's document as on a
parsed one. ``python -m screener.docs`` writes the file; a test fails while it is stale.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .models import GROUPS

SNAPSHOT_FILE = Path(__file__).with_name("parsed_rules.json")
FORMAT = 1


class Snapshot:
    """The documents of one snapshot file, by file name relative to the rule folder."""

    def __init__(self, files: dict[str, Any]):
        self._files = files

    def document(self, name: str, data: bytes) -> dict[str, Any] | None:
        """The parsed document of ``name`` if ``data`` are the very bytes it came from."""
        entry = self._files.get(name)
        if not isinstance(entry, dict) or entry.get("sha256") != hashlib.sha256(data).hexdigest():
            return None
        document = entry.get("document")
        return document if isinstance(document, dict) else None


def load_snapshot(file: Path = SNAPSHOT_FILE) -> Snapshot:
    """A fresh copy of the snapshot's documents (validation never shares them between rule
    sets); an empty one if the file is missing or unreadable, so every file is parsed."""
    try:
        data = json.loads(file.read_bytes())
    except (OSError, ValueError):
        return Snapshot({})
    files = data.get("files") if isinstance(data, dict) and data.get("format") == FORMAT else None
    return Snapshot(files if isinstance(files, dict) else {})


def generate(root: Path) -> str:
    """The snapshot of a rule folder: every ``.yaml`` file at its top and in ``groups/``
    that parses to a document JSON holds exactly (a date, a set or a number used as a key
    would come back as something else: such a file is left out and parsed at each start)."""
    from .strict_yaml import parse

    files: dict[str, Any] = {}
    for file in [*sorted(root.glob("*.yaml")), *sorted((root / GROUPS).glob("*.yaml"))]:
        data = file.read_bytes()
        try:
            document = parse(data)
        except ValueError:
            continue  # not a rule file that reads: parsed, and refused, at each start
        if isinstance(document, dict) and _json_holds(document):
            name = file.relative_to(root).as_posix()
            files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "document": document}
    lines = [f"{json.dumps(name)}: {json.dumps(entry, ensure_ascii=False)}"
             for name, entry in files.items()]  # a file a line: a change diffs as one
    return f'{{"format": {FORMAT}, "files": {{\n' + ",\n".join(lines) + "\n}}\n"


def _json_holds(document: dict[str, Any]) -> bool:
    """Whether JSON gives back exactly this document."""
    try:
        return _same(json.loads(json.dumps(document)), document)
    except (TypeError, ValueError, RecursionError):  # a date, a set: not JSON at all
        return False


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types and the same key order all the way down (``1 == 1.0 ==
    True`` in Python, and a validator could tell them apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)
