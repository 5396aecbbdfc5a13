"""One measured point: warm-up, then wrk with the server's memory and SQL counted."""

from __future__ import annotations

import os
import statistics
from dataclasses import asdict, dataclass, replace

from bench.load import Wrk
from bench.servers import RssSampler, Server, cpu_seconds
from bench.sqlstats import USERS, StatementCounter, delta


@dataclass(frozen=True)
class Point:
    scenario: str
    target: str  # "service" or "floor"
    workers: int
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    rss_peak_mb: float  # the largest RSS one worker reached during the point
    cpu_ms_per_request: float  # the workers' CPU time (user + system) per request sent
    statements_per_request: float | None  # SELECTs the server ran, per answered request
    rows_read_per_request: float | None
    db_cpu_ms_per_request: float | None
    others_selects_per_s: float | None  # SELECTs of every other client of the server meanwhile
    loadavg: float  # 1-minute load average at the end (the machine is shared)

    def as_dict(self) -> dict:
        return asdict(self)


def measure(
    server: Server,
    wrk: Wrk,
    *,
    scenario: str,
    concurrency: int,
    warmup: float,
    duration: float,
    counter: StatementCounter,
) -> Point:
    if warmup > 0:
        wrk.run(server.port, concurrency, warmup)
        counter.drain(server.user)
    workers = server.worker_pids()
    before, cpu_before = counter.snapshot(), cpu_seconds(workers)
    with RssSampler(workers) as rss:
        result = wrk.run(server.port, concurrency, duration)
    counter.drain(server.user)
    after, cpu_after = counter.snapshot(), cpu_seconds(workers)

    # Both ends were drained, so the counters hold the SQL of every request wrk sent in
    # the window: the ones it saw answered, and up to one per connection still in flight
    # when it stopped (closed loop: every connection has one out at any time).
    sent = result.requests + concurrency
    ours = delta(before, after, server.user) if counter.per_user else None
    everyone = after.com_select - before.com_select
    bench_users = sum(delta(before, after, user).selects for user in USERS)
    return Point(
        scenario=scenario,
        target=server.name,
        workers=server.workers,
        concurrency=concurrency,
        requests=result.requests,
        seconds=result.seconds,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p90_ms=result.p90_ms,
        p99_ms=result.p99_ms,
        max_ms=result.max_ms,
        errors=result.errors,
        rss_peak_mb=rss.peak_mb(),
        cpu_ms_per_request=(cpu_after - cpu_before) * 1000 / sent,
        statements_per_request=(everyone if ours is None else ours.selects) / sent,
        rows_read_per_request=None if ours is None else ours.rows_read / sent,
        db_cpu_ms_per_request=None if ours is None else ours.cpu_seconds * 1000 / sent,
        others_selects_per_s=(
            None if ours is None else max(0, everyone - bench_users) / result.seconds
        ),
        loadavg=os.getloadavg()[0],
    )


def median_point(rounds: list[Point]) -> Point:
    """One point for several rounds of the same one: the median of each rate, latency and
    cost; requests, seconds and errors summed; the highest RSS and load average."""

    def median(name: str) -> float | None:
        values = [getattr(p, name) for p in rounds if getattr(p, name) is not None]
        return statistics.median(values) if values else None

    medians = {
        name: median(name)
        for name in (
            *("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "cpu_ms_per_request"),
            *("statements_per_request", "rows_read_per_request", "db_cpu_ms_per_request"),
            "others_selects_per_s",
        )
    }
    return replace(
        rounds[0],
        **medians,
        requests=sum(p.requests for p in rounds),
        seconds=sum(p.seconds for p in rounds),
        errors=sum(p.errors for p in rounds),
        rss_peak_mb=max(p.rss_peak_mb for p in rounds),
        loadavg=max(p.loadavg for p in rounds),
    )
