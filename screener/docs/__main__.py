"""``python -m screener.docs``: rewrite docs/rules.md, docs/interactions.md and
docs/architecture.md from the rule files and the package's source, and the bundled rules'
parsed snapshot (``screener/rules/parsed_rules.json``); ``--check`` only says which is
stale (exit 1)."""

from __future__ import annotations

import argparse
import sys

from screener.docs import architecture, interactions, rules
from screener.loading import default_rules
from screener.rules import default_rules_path, snapshot


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write docs/rules.md, docs/interactions.md, "
                                     "docs/architecture.md and the rules' parsed snapshot.")
    parser.add_argument("--check", action="store_true", help="fail if a generated doc is stale")
    args = parser.parse_args(argv)
    stale = 0
    for file, text in ((rules.DOCS_FILE, rules.generate(default_rules())),
                       (interactions.DOCS_FILE, interactions.generate(default_rules())),
                       (architecture.DOCS_FILE, architecture.generate()),
                       (snapshot.SNAPSHOT_FILE, snapshot.generate(default_rules_path()))):
        if not args.check:
            file.write_text(text, encoding="utf-8")
        elif (file.read_text(encoding="utf-8") if file.exists() else "") != text:
            print(f"{file} is stale: run 'python -m screener.docs'", file=sys.stderr)
            stale = 1
    return stale


if __name__ == "__main__":
    sys.exit(main())
