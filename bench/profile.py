"""`python -m bench.profile`: where a service worker's CPU goes under load.

Samples one service worker with py-spy (from outside the process) while wrk
loads one scenario, then sums the samples by package and by function. Run
`python -m bench` once first (or pass --seed) so the bench database exists.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.config import (
    FLOOR_PORT,
    FLOOR_USER,
    PYTHON,
    RESULTS_DIR,
    SERVICE_ENV,
    SERVICE_PORT,
    SERVICE_USER,
    RunConfig,
)
from bench.dataset import build
from bench.load import Wrk, ensure_wrk
from bench.machine import describe
from bench.scenarios import scenarios
from bench.seed import create_users, database_exists, seed
from bench.servers import Server

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
# Where a frame's file lives, first match wins: the breakdown's rows.
AREAS = (
    ("graphql-core", "/graphql/"),
    ("ariadne", "/ariadne/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("databases", "/databases/"),
    ("aiomysql / pymysql", "/aiomysql/"),
    ("aiomysql / pymysql", "/pymysql/"),
    ("starlette", "/starlette/"),
    ("uvicorn", "/uvicorn/"),
    ("prometheus_client", "/prometheus_client/"),
    ("json", "/json/"),
    ("json", "/orjson/"),
    ("logging", "/logging/"),
    ("asyncio", "/asyncio/"),
    ("app/", "/app/"),
    ("app/ (generated plans)", "<plan of "),
    ("resolvers/", "/resolvers/"),
)


# What a sample was doing: the deepest frame that matches one of these, checked in this
# order per frame; the generic ones below only when no frame matches any of these.
ACTIVITIES = (
    ("SQL: databases compiles the SQLAlchemy statement", ("MySQLConnection._compile",)),
    ("SQL: databases maps result columns (str(column))", ("create_column_maps",)),
    ("SQL: driver sends, receives, decodes rows", ("aiomysql/", "pymysql/")),
    ("SQL: databases Record/Row objects", ("databases/backends/common/", "MySQLConnection.fetch")),
    (
        "SQL: pool acquire/release",
        ("aiomysql/pool.py", "Connection.__aenter__", "Connection.__aexit__"),
    ),
    ("SQL: app/db wrapper", ("app/db/",)),
    ("rows -> Purchase records", ("_purchase (", "_order (", "as_utc (")),
    ("SQL: building statements (app/sources)", ("app/sources/",)),
    (
        "resolvers, app/purchases.py, pagination",
        ("resolvers/", "app/purchases.py", "app/pagination.py"),
    ),
    (
        "GraphQL: parse and validate (cached)",
        ("graphql/language", "graphql/validation", "app/documents.py", "app/limits.py"),
    ),
    ("GraphQL: execution (compiled plan)", ("app/executor.py", "app/plan.py", "<plan of ")),
    ("GraphQL: execution (graphql-core)", ("graphql/",)),
    ("GraphQL: ariadne and app/graphql.py", ("ariadne/", "app/graphql.py")),
    ("JSON encode/decode", ("json/", "app/responses.py", "orjson")),
    (
        "request log, request id, metrics",
        ("app/observability.py", "logging/", "prometheus_client/", "uuid.py"),
    ),
    ("storefront key, token, rate limit", ("app/auth.py", "app/storefront.py")),
    ("REST handler (app/rest.py)", ("app/rest.py",)),
    ("middleware (CORS, body size)", ("app/middleware.py", "starlette/middleware/cors.py")),
    ("floor handler (bench/floor.py)", ("bench/floor.py",)),
)
GENERIC = (
    ("HTTP: starlette routing, request, response", ("starlette/",)),
    ("HTTP: uvicorn, httptools", ("uvicorn/",)),
    ("event loop (asyncio, uvloop)", ("asyncio/",)),
)


# The activities summed into the few costs the issue asks about (first match wins).
COSTS = (
    ("SQL (driver, pool, statements, rows -> records)", ("SQL", "rows -> ")),
    ("auth (storefront key, token, rate limit)", ("storefront key",)),
    ("planning/execution (GraphQL, resolvers)", ("GraphQL", "resolvers", "REST handler")),
    ("serialisation (JSON)", ("JSON",)),
    ("HTTP (uvicorn, starlette, middleware)", ("HTTP", "middleware")),
    ("request log, metrics", ("request log",)),
    ("event loop", ("event loop",)),
)


def cost(activity_name: str) -> str:
    for name, prefixes in COSTS:
        if any(prefix in activity_name for prefix in prefixes):
            return name
    return "other"


def activity(frames: list[str]) -> str:
    for rules in (ACTIVITIES, GENERIC):
        for frame in reversed(frames):
            for name, markers in rules:
                if any(marker in frame for marker in markers):
                    return name
    return "other"


def area(file: str) -> str:
    path = "/" + file  # py-spy writes paths from the package down: "graphql/execution/..."
    for name, marker in AREAS:
        if marker in path:
            return name
    return "other: " + Path(file).name if file else "other"


def parse_frame(frame: str) -> tuple[str, str]:
    """("function (short file)", file) of one py-spy frame."""
    match = FRAME.match(frame.strip())
    if match is None:
        return frame, ""
    file = match["file"]
    short = "/".join(Path(file).parts[-2:])
    return f"{match['function']} ({short})", file


def summarize(raw: Path, top: int = 25) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    area_inclusive: Counter[str] = Counter()
    activities: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        activities[activity(stack.split(";"))] += count
        frames = [parse_frame(f) for f in stack.split(";") if f]
        if not frames:
            continue
        leaf, leaf_file = frames[-1]
        own[leaf] += count
        areas[area(leaf_file)] += count
        for name in {name for name, _ in frames}:
            inclusive[name] += count
        for name in {area(file) for _, file in frames if file}:
            area_inclusive[name] += count

    def pct(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    costs: Counter[str] = Counter()
    for name, n in activities.items():
        costs[cost(name)] += n
    lines = [f"{total} samples of a busy worker (idle time left out)", "", "By cost:"]
    lines += [f"  {pct(n)}  {name}" for name, n in costs.most_common()]
    lines += ["", "By activity:"]
    lines += [f"  {pct(n)}  {name}" for name, n in activities.most_common()]
    lines += ["", "By package (self | inclusive):"]
    lines += [
        f"  {pct(n)} | {pct(area_inclusive[name])}  {name}" for name, n in areas.most_common()
    ]
    lines += ["", f"Top {top} functions by self time:"]
    lines += [f"  {pct(n)}  {name}" for name, n in own.most_common(top)]
    lines += ["", f"Top {top} functions by inclusive time:"]
    lines += [f"  {pct(n)}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--scenario", default="list-small")
    parser.add_argument("--target", choices=("service", "floor"), default="service")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--seed", action="store_true", help="seed the bench database first")
    parser.add_argument("--service-env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)

    data = build()
    if args.seed or not database_exists():
        seed(data)
    else:
        create_users()
    chosen = {s.name: s for s in scenarios(data)}[args.scenario]
    config = RunConfig()
    work = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    raw = work / "stacks.txt"
    if args.target == "floor":
        server = Server(
            "floor", "bench.floor:app", FLOOR_PORT, 1, FLOOR_USER,
            config.database_url(FLOOR_USER), work / "server.log",
        )  # fmt: skip
    else:
        server = Server(
            "service", "app.main:app", SERVICE_PORT, 1, SERVICE_USER,
            config.database_url(SERVICE_USER), work / "server.log",
            env={**SERVICE_ENV, **dict(item.split("=", 1) for item in args.service_env)},
        )  # fmt: skip
    wrk = Wrk(ensure_wrk(), [chosen.request])
    try:
        with server:
            wrk.run(server.port, args.concurrency, 2)  # warm-up: caches and pool
            # py-spy samples from outside the process. It pauses the worker for each sample
            # (slower, but --nonblocking reads torn stacks from a busy asyncio worker).
            spy = subprocess.Popen(
                [
                    str(Path(PYTHON).parent / "py-spy"),
                    *("record", "--pid", str(server.worker_pids()[0]), "--format", "raw"),
                    *("--rate", str(args.rate), "--duration", str(args.seconds)),
                    *("--output", str(raw)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            result = wrk.run(server.port, args.concurrency, args.seconds)
            spy.wait(timeout=60)
    finally:
        wrk.close()
    print(
        f"{args.target}, {chosen.name} c={args.concurrency}: {result.rps:.0f} req/s under py-spy,"
        f" p50 {result.p50_ms:.1f} ms, errors {result.errors}"
    )
    meta = describe()
    text = (
        f"{args.target}, scenario {chosen.name}, c={args.concurrency}, {meta['date']},"
        f" commit {meta['commit']}: {result.rps:.0f} req/s under py-spy\n" + summarize(raw)
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"profile-{args.target}-{chosen.name}.txt"
    out.write_text(text)
    print(text)
    print(f"raw stacks: {raw} (speedscope or flamegraph.pl read them); summary: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
