"""``screener serve`` as a command: loopback by default, refusals beyond it, a clean stop
on SIGTERM, the address printed, and nothing a request carries in its output."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import pytest
from web_server import need_web, serving

MARKER = "zq-private-answer-9931"


@pytest.mark.parametrize("args,words", [
    (["--host", "0.0.0.0"], "TLS"),
    (["--host", "0.0.0.0", "--behind-tls-proxy"], "--token-file"),
    (["--tls-cert", "cert.pem"], "go together"),
    (["--token-file", "/no/such/token"], "/no/such/token"),
    (["--workers", "0"], "--workers"),
    (["--port", "70000"], "--port 70000"),
    (["--public-url", "ftp://clinic.example"], "--public-url"),
    (["--public-url", "https://clinic.example/screener"], "no path"),
    (["--public-url", "https://clinic.example:x"], "--public-url"),
    (["--host", "127.0.0.1", "--port", "PORT_IN_USE"], "cannot listen there"),
])
def test_refusals_are_one_line_exit_2(args, words):
    need_web()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        args = [str(busy.getsockname()[1]) if a == "PORT_IN_USE" else a for a in args]
        done = subprocess.run([sys.executable, "-m", "screener", "serve", *args],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and words in done.stderr


def test_sigterm_stops_cleanly_and_nothing_received_is_logged():
    import httpx

    with serving() as (base, process):
        httpx.post(f"{base}/api/screen", json={"conditions": [], "marker": MARKER})
        httpx.post(f"{base}/checklist", data={"answers": MARKER, "step": "red_flags"})
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0
    assert f"{base}/" in out
    assert MARKER not in out + err
    assert "Traceback" not in err


def test_two_workers_serve(tmp_path):
    import httpx

    with serving("--workers", "2") as (base, _):
        assert all(httpx.get(f"{base}/healthz").status_code == 200 for _ in range(10))
