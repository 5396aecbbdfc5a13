"""One measured point: warm-up, then wrk, with the server's own CPU and memory counters."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, replace

from bench.load import Wrk
from bench.servers import RssSampler, Server, cpu_seconds


@dataclass(frozen=True)
class Point:
    scenario: str
    target: str  # "service", "floor" or "peer"
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts, non-200 answers and GraphQL errors
    cpu_ms_per_request: float  # the process's user + system CPU time per request sent
    rss_peak_mb: float  # the largest RSS the process reached during the point
    loadavg: float  # 1-minute load average at the end (the machine is shared)


def measure(
    server: Server, wrk: Wrk, scenario: str, concurrency: int, warmup: float, duration: float
) -> Point:
    if warmup > 0:
        wrk.run(server.port, concurrency, warmup)
    cpu_before = cpu_seconds(server.pid)
    with RssSampler(server.pid) as rss:
        result = wrk.run(server.port, concurrency, duration)
    cpu = cpu_seconds(server.pid) - cpu_before
    # Closed loop: up to one request per connection was still in flight when wrk stopped,
    # and its CPU is in the window too.
    sent = result.requests + concurrency
    return Point(
        scenario=scenario,
        target=server.name,
        concurrency=concurrency,
        requests=result.requests,
        seconds=result.seconds,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        errors=result.errors,
        cpu_ms_per_request=cpu * 1000 / sent,
        rss_peak_mb=rss.peak_mb,
        loadavg=os.getloadavg()[0],
    )


def median_point(rounds: list[Point]) -> Point:
    """One point for several rounds of the same one: the median of each rate, latency and
    cost; requests, seconds and errors summed; the highest RSS and load average."""
    return replace(
        rounds[0],
        rps=statistics.median(p.rps for p in rounds),
        p50_ms=statistics.median(p.p50_ms for p in rounds),
        p99_ms=statistics.median(p.p99_ms for p in rounds),
        cpu_ms_per_request=statistics.median(p.cpu_ms_per_request for p in rounds),
        requests=sum(p.requests for p in rounds),
        seconds=sum(p.seconds for p in rounds),
        errors=sum(p.errors for p in rounds),
        rss_peak_mb=max(p.rss_peak_mb for p in rounds),
        loadavg=max(p.loadavg for p in rounds),
    )
