"""The rule docs are generated from the rule files; stale docs fail here."""

from screener import default_rules
from screener.docs import DOCS_FILE, generate


def test_docs_are_up_to_date():
    assert DOCS_FILE.read_text(encoding="utf-8") == generate(default_rules()), (
        "docs/rules.md is stale: run 'python -m screener.docs'")


def test_docs_name_every_rule_and_source():
    text = DOCS_FILE.read_text(encoding="utf-8")
    for _, rule in default_rules().rules:
        assert f"`{rule.id}`" in text
        for source in rule.sources:
            assert source in text
