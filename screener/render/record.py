"""The record of one screening as JSON: the answers and the result together, the file
``--save`` writes and the web result page offers to download (the same bytes, so a
clinic keeps one kind of file whichever face was used)."""

from __future__ import annotations

import json

from screener.answers.intake import Intake
from screener.decision.assessment import Assessment


def record_bytes(intake: Intake, assessment: Assessment) -> bytes:
    record = {"intake": intake.model_dump(mode="json"),
              "assessment": assessment.model_dump(mode="json")}
    return (json.dumps(record, indent=2) + "\n").encode("utf-8")
