"""Drive a program through a real pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\r")
KEYS = {"enter": "\r", "down": "\x1b[B", "up": "\x1b[A", "space": " ", "ctrl-c": "\x03",
        "esc": "\x1b"}


class PtySession:
    def __init__(self, argv: list[str], cwd: str, env: dict[str, str], cols: int = 140,
                 rows: int = 60):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                     env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = ""
        self.closed = False
        self.seen = 0  # how much of the (cleaned) output earlier expects consumed

    def _read(self, timeout: float) -> bool:
        """Read what is there; False once the program has closed the terminal."""
        if self.closed:
            return False
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the program ended and closed the terminal
            data = b""
        if not data:
            self.closed = True
            return False
        self.raw += data.decode("utf-8", "replace")
        return True

    @property
    def text(self) -> str:
        return ANSI.sub("", self.raw)

    def expect(self, needle: str, timeout: float = 15) -> str:
        """Wait until ``needle`` appears after what earlier expects consumed."""
        end = time.monotonic() + timeout
        while True:
            found = self.text.find(needle, self.seen)
            if found >= 0:
                self.seen = found + len(needle)
                return self.text
            if time.monotonic() > end or (self.proc.poll() is not None and not self._pending()):
                raise AssertionError(f"{needle!r} not seen; output so far:\n{self.text[-3000:]}")
            self._read(0.1)

    def _pending(self) -> bool:
        return self._read(0)

    def send(self, *keys: str, pause: float = 0.15) -> None:
        for key in keys:
            os.write(self.master, KEYS.get(key, key).encode())
            time.sleep(pause)
            self._read(0)

    def wait(self, timeout: float = 30) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read(0.1)
        while self._pending():
            pass
        code = self.proc.wait(timeout=5)
        os.close(self.master)
        return code
