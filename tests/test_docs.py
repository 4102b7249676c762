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


def test_the_interaction_table_is_up_to_date_and_lists_every_condition():
    from screener.docs import interactions

    rules = default_rules()
    text = interactions.DOCS_FILE.read_text(encoding="utf-8")
    assert text == interactions.generate(rules), (
        "docs/interactions.md is stale: run 'python -m screener.docs'")
    for variant in interactions.variants(rules):
        assert f"| {variant.name} |" in text


def test_the_interaction_table_marks_a_pair_stricter_than_either_alone():
    """A knee flare refers alone, a long journey proceeds: together a possible clot."""
    text = (DOCS_FILE.parent / "interactions.md").read_text(encoding="utf-8")
    assert "| arthritis (flare) + long_journey | U | `clot.urgent-sign-with-risk-factor` |" in text
