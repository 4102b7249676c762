"""Structure checks by FHIR's own Python models (fhir.resources, R4B), and the one-line
message when the optional extra is missing."""

from __future__ import annotations

import importlib
from typing import Any

from screener.errors import InputError

EXTRA = "pip install 'screener[fhir]'"


def model(resource_type: str) -> Any:
    """The R4B model class of a resource type; InputError naming the extra when absent."""
    try:
        module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    except ImportError:
        raise InputError(f"FHIR needs the optional fhir extra: {EXTRA}") from None
    return getattr(module, resource_type)


def problem(resource_type: str, data: dict[str, Any]) -> str | None:
    """The first structural problem of ``data`` as a ``resource_type``, or None."""
    from pydantic import ValidationError

    try:
        model(resource_type).model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"] if p != "__root__")
        return f"{where}: {error['msg']}" if where else error["msg"]
    return None


def checked(resource_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` itself once FHIR's models accept it: we never write an invalid resource."""
    issue = problem(resource_type, data)
    if issue:
        raise AssertionError(f"generated {resource_type} is not valid FHIR: {issue}")
    return data
