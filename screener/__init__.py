"""screener: a contraindication safety screener for leg massage.

    from screener import screen, Intake, load_rules
    assessment = screen(Intake.model_validate(data))

It supports, and never replaces, the judgement of a healthcare professional.
"""

from .assessment import Assessment
from .errors import EngineError, RulesError, ScreenerError
from .intake import Intake
from .ruleset import RuleSet, default_rules, load_rules
from .screening import screen

__all__ = [
    "Assessment",
    "EngineError",
    "Intake",
    "RuleSet",
    "RulesError",
    "ScreenerError",
    "default_rules",
    "load_rules",
    "screen",
]
