"""The rule language: what a rule file may say (``models``), reading a rule folder safely
(``reading``), the checks across its files (``checks``) and the loaded ``RuleSet``.
Imports only the error family and the vocabulary."""

from .models import Action, Citation, Condition, Group, Membership, Owner, Rule, Source, Test
from .reading import bundled_rules, read_rules
from .ruleset import RuleSet, default_rules_path

__all__ = ["Action", "Citation", "Condition", "Source", "Group", "Membership", "Owner", "Rule", "RuleSet", "Test",
           "bundled_rules", "default_rules_path", "read_rules"]
