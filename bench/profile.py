"""Where the service's CPU goes: py-spy samples the worker under a scenario's load; a sample
counts for the innermost frame of ours or a library's on its stack (asyncio's or logging's
only when nothing else is: a socket write the driver makes is the driver's)."""

from __future__ import annotations

import collections
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from bench.load import LoadResult, Wrk
from bench.servers import Server, cpu_seconds

# Activity, and the parts of a frame (`function (path/file.py:line)`) that place a sample
# in it, the first match first; compiled driver code shows as the line awaiting it.
ACTIVITIES = (
    ("MySQL driver: protocol, rows", ("mysql/", "asyncmy/", "_Driver.", "server_wait (")),
    ("app/db, databases, pool", ("(app/db/", "databases/")),
    ("sources: rows to records", ("(app/sources/",)),
    ("GraphQL: plans, resolvers", ("<plan", "/execution/", "(resolvers/", "(app/domain/")),
    ("GraphQL: Ariadne, documents, handler", ("ariadne/", "graphql/", "(app/graphql/")),
    ("key, token, rate limit", ("(app/storefront/", "(app/http/guard", "(app/context")),
    ("request log, metrics", ("(app/observability/", "prometheus_client/", "logging/")),
    ("HTTP: edge, routing, responses", ("(app/", "starlette/")),
    ("HTTP server: uvicorn, httptools", ("uvicorn/", "httptools")),
    ("event loop", ("asyncio/", "uvloop")),
)
_FALLBACK = ("asyncio/", "logging/", "uvloop")  # place a sample only when nothing else does


def activity(frames: list[str]) -> str:
    placed = [(frame, name) for frame in reversed(frames) if (name := _activity_of(frame))]
    ours = (name for frame, name in placed if not any(p in frame for p in _FALLBACK))
    return next(ours, placed[0][1] if placed else "other")


def _activity_of(frame: str) -> str | None:
    return next((name for name, parts in ACTIVITIES if any(p in frame for p in parts)), None)


def profile(server: Server, wrk: Wrk, seconds: int) -> dict[str, float] | None:
    """CPU ms per request by activity, over `seconds` of load at c=32; None without py-spy."""
    spy = shutil.which("py-spy") or str(Path(__file__).parents[1] / ".venv" / "bin" / "py-spy")
    if not Path(spy).exists():
        return None
    loads: list[LoadResult] = []
    load = threading.Thread(target=lambda: loads.append(wrk.run(server.port, 32, seconds + 2)))
    load.start()
    time.sleep(1)
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw.txt"
        before = cpu_seconds(server.pid)
        record = [spy, "record", "-p", str(server.pid), "-d", str(seconds), "-r", "250", "-f"]
        subprocess.run([*record, "raw", "--nonblocking", "-o", str(raw)], capture_output=True)
        cpu = cpu_seconds(server.pid) - before
        samples = collections.Counter[str]()
        for line in raw.read_text().splitlines() if raw.exists() else ():
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if "select" in frames[-1] or "poll" in frames[-1]:
                continue  # idle: waiting for the network
            samples[activity(frames)] += int(count)
    load.join()
    total, requests = sum(samples.values()), loads[0].rps * seconds if loads else 0
    if not total or not requests:
        return None
    per_request = cpu * 1000 / requests
    return {name: per_request * count / total for name, count in samples.most_common()}
