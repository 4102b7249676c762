"""``screener serve`` in a subprocess on a free loopback port, for the web tests: the
server under test is the real one, over real HTTP. Without the 'web' extra the tests are
skipped, except under CI, where they fail."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def need_web() -> None:
    try:
        import fastapi, httpx, jwt, uvicorn  # noqa: E401, F401
    except ImportError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the 'web' extra is missing: {exc}")
        pytest.skip(f"the 'web' extra is missing: {exc}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVE = "\nimport sys\nfrom screener.cli.main import main\nsys.exit(main(['serve', *sys.argv[1:]]))\n"


@contextmanager
def serving(*args: str, env: dict[str, str] | None = None, prelude: str = "",
            host: str | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """The base URL of a running server, and its process (stopped with SIGTERM after).
    ``prelude``: Python run in the server's process before it starts (a test's stand-in);
    ``host``: the Host header its --public-url expects, if not the address."""
    need_web()
    import httpx

    port = free_port()
    command = [sys.executable, "-c", prelude + SERVE] if prelude else [sys.executable, "-m", "screener", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise AssertionError(f"serve exited {process.returncode}: {process.stderr.read()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1,
                             headers={"host": host} if host else None).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError("serve did not answer /healthz")
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
