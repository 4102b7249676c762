"""Documentation generated from the rule files and the package's own source, so it
cannot drift: ``docs/rules.md`` (``rules``) and ``docs/architecture.md``
(``architecture``); ``python -m screener.docs`` rewrites both, ``--check`` fails on a
stale one."""

from screener.docs.rules import DOCS_FILE, generate, rule_listing, rule_page

__all__ = ["DOCS_FILE", "generate", "rule_listing", "rule_page"]
