"""Load on ``screener serve`` over loopback, beside ``screener batch`` on the same intakes.

Run by hand (not a test): ``python benchmarks/load.py`` starts ``screener serve
--workers 2`` on a free port, then a bounded async client (httpx, one connection per
client) posts intakes drawn from the whole catalogue (``bench.random_intake``) to
``/api/screen`` and prints, at 1, 16 and 64 concurrent clients: requests per second, p50
and p99 latency, and failures (any non-200). Then it sends ``--requests`` more (default
100,000) and prints the server's memory (RSS and PSS of the whole tree: uvicorn's
supervisor, its workers and their screening workers) at the start and after. Last, ``screener batch`` on the same intakes, for comparison. ``--only latency``
or ``--only memory`` runs one half.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench import random_intake  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """Resident (RSS) and proportional (PSS: shared pages split between their sharers)
    memory of a process and its children, whichever thread forked them (Linux /proc):
    uvicorn's supervisor, its workers and their forked screening workers, which share
    most of their pages with their parent, so RSS counts those twice and PSS once."""
    rss = pss = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Rss:", "Pss:")):
                    kind, kb = line.split()[:2]
                    rss, pss = (rss + int(kb), pss) if kind == "Rss:" else (rss, pss + int(kb))
            children = [c for task in Path(f"/proc/{current}/task").iterdir()
                        for c in (task / "children").read_text().split()]
        except OSError:
            continue
        pids += [int(c) for c in children]
    return rss / 1024, pss / 1024


async def load(url: str, bodies: list[bytes], clients: int, requests: int) -> tuple[list[float], Counter]:
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(bodies[i % len(bodies)])
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            start = time.perf_counter()
            try:
                response = await http.post(url, content=body,
                                           headers={"content-type": "application/json"})
                if response.status_code != 200:
                    failures[str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                failures[type(exc).__name__] += 1
            latencies.append(time.perf_counter() - start)

    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, failures


def report(label: str, latencies: list[float], failures: Counter, seconds: float) -> None:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{label}: {len(ordered) / seconds:7.0f} requests/s  p50 {statistics.median(ordered) * 1000:6.1f} ms"
          f"  p99 {p99 * 1000:6.1f} ms  failures {sum(failures.values())} {dict(failures) or ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-level", type=int, default=5000, help="requests at each concurrency")
    parser.add_argument("--requests", type=int, default=100_000, help="requests for the memory figure")
    parser.add_argument("--only", choices=("latency", "memory"),
                        help="only the concurrency levels (and batch), or only the memory run")
    args = parser.parse_args()
    rng = random.Random(7)
    intakes = [random_intake(rng) for _ in range(1000)]
    bodies = [json.dumps(i).encode() for i in intakes]
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "screener", "serve", "--port", str(port),
                               "--workers", str(args.workers)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        asyncio.run(load(f"{base}/api/screen", bodies, 8, 400))  # warm every worker
        print(f"screener serve --workers {args.workers}, {os.cpu_count()} cores, POST /api/screen:")
        for clients in (1, 16, 64) if args.only != "memory" else ():
            start = time.perf_counter()
            latencies, failures = asyncio.run(load(f"{base}/api/screen", bodies, clients, args.per_level))
            report(f"  {clients:2d} clients", latencies, failures, time.perf_counter() - start)
        if args.only != "latency":
            before = tree_memory_mb(server.pid)
            start = time.perf_counter()
            latencies, failures = asyncio.run(load(f"{base}/api/screen", bodies, 16, args.requests))
            report(f"  {args.requests} requests, 16 clients", latencies, failures, time.perf_counter() - start)
            after = tree_memory_mb(server.pid)
            print(f"  server memory, all processes: RSS {before[0]:.0f} MB (PSS {before[1]:.0f} MB) "
                  f"at start (after warming up), RSS {after[0]:.0f} MB (PSS {after[1]:.0f} MB) "
                  f"after {args.requests} requests")
    finally:
        server.terminate()
        server.wait(30)
    if args.only == "memory":
        return
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as f:
        f.write(b"\n".join(bodies * 5) + b"\n")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "screener", "batch", "--answers", f.name],
                   stdout=subprocess.DEVNULL, check=False)
    seconds = time.perf_counter() - start
    os.unlink(f.name)
    print(f"screener batch, the same intakes ({len(bodies) * 5} lines): "
          f"{len(bodies) * 5 / seconds:.0f} intakes/s (one process, start-up included)")


if __name__ == "__main__":
    main()
