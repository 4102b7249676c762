"""Batch progress as a rich progress bar on a terminal's stderr; silent otherwise.

The same interface as the plain counter it replaces (``Progress(stream)``, ``tick``,
``close``); rich is imported only when the stream is a terminal, so piped batch runs
and the cold start do not pay for it.
"""

from __future__ import annotations

import os
from typing import IO, Any


class Progress:
    """How many intakes were screened, and how fast, while a batch runs."""

    def __init__(self, stream: IO[str]):
        self.bar: Any = None
        if not stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        console = Console(file=stream, no_color="NO_COLOR" in os.environ, highlight=False)
        self.bar = Bar(SpinnerColumn(), TextColumn("{task.completed:,.0f} screened"),
                       BarColumn(), TextColumn("{task.fields[rate]}/s"), TimeElapsedColumn(),
                       console=console, transient=True, refresh_per_second=5)
        self.task = self.bar.add_task("batch", total=None, rate="0")
        self.bar.start()

    def tick(self, done: int) -> None:
        if self.bar is not None:
            elapsed = self.bar.tasks[0].elapsed or 1e-9
            self.bar.update(self.task, completed=done, rate=f"{done / elapsed:,.0f}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
