"""screener: a contraindication safety screener for leg massage.

    from screener import screen, Intake, load_rules
    assessment = screen(Intake.model_validate(data))

It supports, and never replaces, the judgement of a healthcare professional.
"""

from importlib import import_module

TYPE_CHECKING = False  # typing itself takes 10 ms to load: see below
if TYPE_CHECKING:
    from .assessment import Assessment
    from .errors import EngineError, RulesError, ScreenerError
    from .intake import Intake
    from .ruleset import RuleSet, default_rules, load_rules
    from .screening import screen

# Loaded on first use, so that ``screener.cli`` can take charge of Ctrl-C before
# pydantic and the rules engine load (an interrupt during start-up exits 130 too).
_HOMES = {"Assessment": "assessment", "EngineError": "errors", "Intake": "intake",
          "RuleSet": "ruleset", "RulesError": "errors", "ScreenerError": "errors",
          "default_rules": "ruleset", "load_rules": "ruleset", "screen": "screening"}


def __getattr__(name: str) -> object:
    if name in _HOMES:
        value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
