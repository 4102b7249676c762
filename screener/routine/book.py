"""The base routines of the seeds, as data (``routines.yaml``), before any adjustment."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from screener.vocabulary import (
    AREA_RANK,
    MACHINES,
    PRESSURE_RANK,
    TECHNIQUE_MIN_PRESSURE,
    Area,
    Goal,
    Pressure,
    Technique,
    Tool,
)

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
SENSITIVE_AREAS: tuple[Area, ...] = ("knee",)  # light in every base step that touches them


class BaseStep(BaseModel):
    """A step of a base routine, done on one leg."""

    model_config = _STRICT

    name: str
    technique: Technique
    pressure: Pressure
    areas: list[Area] = Field(min_length=1)
    weight: int = Field(ge=1)
    instructions: str
    tool: Tool | None = None  # done with a roller, ball, bottle or machine, not the hands

    @property
    def machine(self) -> bool:
        return self.tool in MACHINES

    @model_validator(mode="after")
    def _safe_by_design(self) -> BaseStep:
        ranks = [AREA_RANK[a] for a in self.areas]
        if ranks != list(range(ranks[0], ranks[0] + len(ranks))):
            raise ValueError(f"{self.name}: areas must run foot to hip with no gaps "
                             "(they are what the hands pass over)")
        touches_sensitive = any(a in SENSITIVE_AREAS for a in self.areas)
        if touches_sensitive and PRESSURE_RANK[self.pressure] > PRESSURE_RANK["light"]:
            raise ValueError(f"{self.name}: a step over the back of the knee must be light")
        if self.machine != self.technique.startswith("machine_"):
            raise ValueError(f"{self.name}: a machine step needs a machine technique and tool")
        if self.machine and self.pressure != TECHNIQUE_MIN_PRESSURE[self.technique]:
            raise ValueError(f"{self.name}: a machine works at one pressure, "
                             f"{TECHNIQUE_MIN_PRESSURE[self.technique]}")
        return self


class BaseRoutine(BaseModel):
    model_config = _STRICT

    title: str
    sources: list[str]
    steps: list[BaseStep] = Field(min_length=1)


class RoutineBook(BaseModel):
    model_config = _STRICT

    precautions: list[str]
    routines: dict[Goal, BaseRoutine]


@cache
def routine_book() -> RoutineBook:
    """The shipped base routines, read once (by the first screening that builds a routine:
    yaml, and its C parser where built, only then)."""
    import yaml

    text = resources.files("screener.routine").joinpath("routines.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return RoutineBook.model_validate(yaml.load(text, Loader=loader))  # noqa: S506 - safe
