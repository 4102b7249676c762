"""screener: a contraindication safety screener for leg massage.

    from screener import screen, Intake, load_rules
    assessment = screen(Intake.model_validate(data))

It supports, and never replaces, the judgement of a healthcare professional.
"""

from importlib import import_module

TYPE_CHECKING = False  # typing itself takes 10 ms to load: see below
if TYPE_CHECKING:
    from screener.decision.assessment import Assessment
    from screener.errors import EngineError, RulesError, ScreenerError
    from screener.answers.intake import Intake
    from screener.loading import default_rules, load_rules
    from screener.rules import RuleSet
    from screener.screening import screen

# Loaded on first use, so that ``screener.cli`` can take charge of Ctrl-C before
# pydantic and the rules engine load (an interrupt during start-up exits 130 too).
_HOMES = {"Assessment": "decision.assessment", "EngineError": "errors",
          "Intake": "answers.intake", "RuleSet": "rules", "RulesError": "errors",
          "ScreenerError": "errors", "default_rules": "loading", "load_rules": "loading",
          "screen": "screening"}


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
