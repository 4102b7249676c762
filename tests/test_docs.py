"""The rule docs are generated from the rule files; stale docs fail here."""

from screener import default_rules
from screener.docs import DOCS_FILE, generate


def test_docs_are_up_to_date():
    assert DOCS_FILE.read_text(encoding="utf-8") == generate(default_rules()), (
        "docs/rules.md is stale: run 'python -m screener.docs'")


def test_docs_name_every_rule_and_source():
    text = DOCS_FILE.read_text(encoding="utf-8")
    rules = default_rules()
    for _, rule in rules.rules:
        assert f"`{rule.id}`" in text
        for shown in rules.cite(rule.sources):
            assert shown in text
    for key, source in rules.bibliography.items():
        assert f'<a id="source-{key}"></a>**{source.title}**' in text
