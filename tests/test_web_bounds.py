"""A screening inside ``screener serve`` ends as the command line's does: one that
overruns the time bound is killed with its worker process, its request is a 500 problem
(an error page on the checklist), never a routine, and a fresh worker serves the next
request. Over real HTTP, with the engine replaced by one that hangs on one intake."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from strategies import RULES
from test_cli import ROOT, run
from web_server import serving

from screener.answers.questions import GROUPS, asked_conditions

EXAMPLE = ROOT / "examples" / "intake.json"
HANGING = """
import time
from screener import screening, worker

real = screening.screen
worker.SCREENING_TIMEOUT = 1.0

def hang_on_17_minutes(intake, rules):
    if intake.minutes == 17:
        time.sleep(3600)
    return real(intake, rules)

screening.screen = hang_on_17_minutes
"""


def children(pid: int) -> list[int]:
    """The child processes of ``pid``, whichever of its threads forked them."""
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
            for c in (task / "children").read_text().split()]


@pytest.fixture(scope="module")
def server():
    with serving(prelude=HANGING) as (base, process):
        yield base, process


def test_an_overrun_is_a_500_problem_and_a_new_worker_serves_the_next(server):
    import httpx

    base, process = server
    before = children(process.pid)
    hanging = {**json.loads(EXAMPLE.read_text()), "minutes": 17}
    response = httpx.post(f"{base}/api/screen", json=hanging, timeout=60)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "did not finish within 1 s" in response.json()["detail"]
    assert "routine" not in response.text
    assert before and not set(children(process.pid)) & set(before)  # killed and reaped
    fine = httpx.post(f"{base}/api/screen", content=EXAMPLE.read_bytes(),
                      headers={"content-type": "application/json"}, timeout=60)
    assert fine.status_code == 200
    assert fine.text == run("screen", "--answers", str(EXAMPLE), "--format", "json").stdout
    assert len(children(process.pid)) == len(before)  # replaced, once needed
    for child in children(process.pid):  # none holds the server's sockets open
        assert sorted(os.listdir(f"/proc/{child}/fd"), key=int)[:3] == ["0", "1", "2"]
        assert len(os.listdir(f"/proc/{child}/fd")) == 5  # and its two pipes


def test_an_overrun_on_the_checklist_is_an_error_page_without_a_result(server):
    import httpx

    base, _ = server
    said_no = [c.code for c in asked_conditions(RULES, red_flags=True)] + [
        c.code for g in GROUPS for c in asked_conditions(RULES, group=g)]
    answers = json.dumps({"conditions": [], "conditions_no": said_no, "goal": "relaxation",
                          "preferred_pressure": "moderate", "minutes": 17})
    page = httpx.post(f"{base}/checklist", data={"answers": answers, "step": "confirm"}, timeout=60)
    assert page.status_code == 500
    assert "did not finish within 1 s" in page.text and 'id="decision"' not in page.text
