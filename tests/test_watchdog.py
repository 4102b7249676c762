"""A screening that overruns at the command line ends: an ``EngineError`` after the
watchdog's timeout, and Ctrl-C or SIGTERM exit 130 at once, even while the engine (in
its worker process) never returns."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from screener import EngineError, Intake, default_rules, screen
from screener import screening
from screener.cli import watchdog

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "intake.json"


def _hang(*_: object) -> None:
    time.sleep(3600)


def test_an_overrunning_screening_is_an_engine_error_and_the_worker_is_gone(monkeypatch):
    rules = default_rules()
    intake = Intake.model_validate(json.loads(EXAMPLE.read_text()))
    monkeypatch.setattr(watchdog, "_workers", {})
    monkeypatch.setattr(screening, "screen", _hang)
    with pytest.raises(EngineError, match="did not finish within 0.5 s"):
        watchdog.screen_bounded(intake, rules, timeout=0.5)
    assert not watchdog._workers  # killed and reaped, not kept for the next intake
    monkeypatch.setattr(screening, "screen", screen)
    bounded = watchdog.screen_bounded(intake, rules)  # a new worker takes over
    assert bounded.to_json() == screen(intake, rules).to_json()


def test_the_callers_own_work_runs_while_the_worker_screens(monkeypatch, tmp_path):
    """The command line imports the format's library (rich, drawsvg) meanwhile: it must
    run before the answer is awaited, and a failure in it ends the worker too."""
    rules = default_rules()
    intake = Intake.model_validate(json.loads(EXAMPLE.read_text()))
    marker = tmp_path / "meanwhile"

    def screen_once_the_caller_worked(intake: Intake, rules: object) -> object:
        while not marker.exists():  # only the caller's meanwhile() makes it
            time.sleep(0.01)
        return screen(intake, rules)

    monkeypatch.setattr(watchdog, "_workers", {})
    monkeypatch.setattr(screening, "screen", screen_once_the_caller_worked)
    bounded = watchdog.screen_bounded(intake, rules, timeout=60, meanwhile=marker.touch)
    assert bounded.to_json() == screen(intake, rules).to_json()

    def fail() -> None:
        raise RuntimeError("no such library")

    with pytest.raises(RuntimeError, match="no such library"):
        watchdog.screen_bounded(intake, rules, meanwhile=fail)
    assert not watchdog._workers  # stopped, not left for the next intake


def test_an_error_in_the_worker_comes_back_as_itself():
    rules = default_rules()
    stray = Intake.model_construct(conditions=[], goal="relaxation",
                                   preferred_pressure="moderate", minutes=3, machines=False)
    with pytest.raises(Exception) as raised:
        watchdog.screen_bounded(stray, rules)
    assert "minutes" in str(raised.value)


HANGING_CLI = """
import sys, time
from pathlib import Path
from screener import screening
from screener.cli.main import main

def hang(*_):
    Path(sys.argv[1]).write_text("screening")
    time.sleep(3600)

screening.screen = hang
sys.exit(main(["screen", "--answers", sys.argv[2]]))
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_exit_130_while_the_engine_hangs(tmp_path, signum):
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", HANGING_CLI, str(marker), str(EXAMPLE)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=ROOT)
    try:
        for _ in range(6000):  # until the worker is inside the screening (or has failed)
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), child.communicate()
        child.send_signal(signum)
        out, err = child.communicate(timeout=60)  # a hang guard, not a speed test
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert out == "" and err.count("\n") == 1 and "cancelled" in err
