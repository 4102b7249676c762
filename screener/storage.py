"""Opt-in saving of answers and results. Health answers are sensitive: nothing is
written unless the user names a file, and then only the owner may read it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .assessment import Assessment
from .intake import Intake


def save_private(path: str | Path, intake: Intake, assessment: Assessment) -> None:
    """Write intake and assessment as JSON, readable and writable by the owner only."""
    record = {"intake": intake.model_dump(mode="json"),
              "assessment": assessment.model_dump(mode="json")}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: narrow it too
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            fd = -1
            json.dump(record, out, indent=2)
            out.write("\n")
    finally:
        if fd >= 0:
            os.close(fd)

