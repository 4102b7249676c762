"""The assessment as the contract's JSON (byte-stable: see ``Assessment.to_json``); for a
returning client (``--since``) with ``changes_since`` added after it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from screener.decision.assessment import Assessment
from screener.rules import RuleSet

if TYPE_CHECKING:
    from screener.render.record import Record


def render(assessment: Assessment, rules: RuleSet | None = None, *,
           record: Record | None = None, **_: object) -> str:
    if record is None or record.since is None:
        return assessment.to_json() + "\n"
    data = json.loads(assessment.to_json())
    data["changes_since"] = record.since
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
