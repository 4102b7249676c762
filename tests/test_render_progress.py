"""Batch progress: a rich bar on a terminal, nothing but the summary through a pipe."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from pty_session import PtySession

from screener.render.progress import Progress

SCREENER = str(Path(sys.executable).parent / "screener")


def test_progress_bar_on_a_terminal(tmp_path):
    day = tmp_path / "day.jsonl"
    day.write_text('{"conditions": []}\n' * 3000)
    s = PtySession(["sh", "-c", f"'{SCREENER}' batch --answers '{day}' > /dev/null"],
                   cwd=str(tmp_path), env=dict(os.environ))
    s.expect("/s")  # the rate column of the bar
    s.expect("screened 3000 lines: proceed 3000")
    assert s.wait() == 0
    assert "━" in s.raw  # drawn by rich's bar


def test_no_progress_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream)
    for n in range(1, 50):
        progress.tick(n)
    progress.close()
    assert stream.getvalue() == "" and progress.bar is None
