"""A few assessments that between them show every state a rendering must show."""

from __future__ import annotations

from typing import Any

from strategies import as_v11

from screener import Assessment, Intake, screen

SAMPLES: dict[str, dict[str, Any]] = {
    "nothing": {"conditions": []},
    "example": {"conditions": [
        {"code": "open_wound", "sites": [{"area": "calf", "side": "left"}]},
        {"code": "varicose_veins", "sites": [{"area": "thigh", "side": "right"}]},
        {"code": "recent_injury", "sites": [{"area": "ankle", "side": "right"}],
         "days_ago": 3, "severity": "mild"},
        {"code": "pregnancy", "cleared": True}]},
    "wound_only": {"conditions": [
        {"code": "open_wound", "sites": [{"area": "shin", "side": "right"}]}]},
    "varicose": {"conditions": [
        {"code": "varicose_veins", "sites": [{"area": "calf", "side": "left"}]}]},
    "refer": {"conditions": [{"code": "dvt"}]},
    "urgent": {"conditions": [{"code": "varicose_veins", "flags": ["hot_hard_tender"]}]},
}


def sample(name: str) -> Assessment:
    """Screened as written for v1.1: a follow-up not listed as yes was answered no."""
    return screen(Intake.model_validate(as_v11(SAMPLES[name])))
