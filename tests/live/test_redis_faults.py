"""Redis as an accelerator, never a dependency (docs/behaviour.md §7): a redis-server of the test's
own, frozen (SIGSTOP) and thawed, killed and started again empty, under a live service.
A frozen Redis costs a request at most 100 ms, the log says so once per outage, and the
rate-limit counts carry on through it."""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
import redis

from app.settings import Settings
from app.storefront.redis_backing import MAX_BACKOFF
from fixtures import bagisto
from tests.live.test_scale_out import environment, wait_for_a_fresh_window
from tests.served import free_port, serving

pytestmark = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

REST = "/api/shop/customer-downloadable-products"
ANONYMOUS = {"X-STOREFRONT-KEY": bagisto.LIMITED_KEY}  # 3 requests an hour
JANE = {**ANONYMOUS, "Authorization": f"Bearer {bagisto.JANE_TOKEN}"}
ADDED_LATENCY = 0.100


class RedisServer:
    """A redis-server process that keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),  # nothing kept on disk
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def value(self, pattern: str) -> list[int]:
        client = redis.Redis(port=self.port)
        try:
            return [int(client.get(key) or 0) for key in client.keys(pattern)]
        finally:
            client.close()


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    try:
        yield server
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.process.kill()
        server.process.wait()


@contextmanager
def frozen(server: RedisServer) -> Iterator[None]:
    server.process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        server.process.send_signal(signal.SIGCONT)


def timed(client: httpx2.Client, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    status = client.get(REST, headers=headers).status_code
    return time.perf_counter() - started, status


def outages(log: Path) -> int:
    """How many Redis outages the log tells of, each begun and ended with one line."""
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    said = [
        str(e["message"]).split(":")[0]
        for e in entries
        if e["logger"] == "downloads_api" and str(e["message"]).startswith("redis")
    ]
    pairs = len(said) // 2
    assert (
        said
        == [
            "redis unavailable, caching and counting in this process until it answers",
            "redis answers again",
        ]
        * pairs
    ), said
    return pairs


@contextmanager
def service_with_redis(
    settings: Settings, log: Path
) -> Iterator[tuple[RedisServer, httpx2.Client]]:
    """A redis-server of the test's own, and a client of a service that uses it."""
    with (
        redis_server() as server,
        serving(environment(settings, REDIS_URL=server.url, LOG_FORMAT="json"), log=log) as base,
        httpx2.Client(base_url=base, timeout=10) as client,
    ):
        yield server, client


def test_a_frozen_redis_costs_a_request_at_most_100_ms_and_one_warning(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "service.log"
    with service_with_redis(settings, log) as (server, client):
        # Every request reads the key through Redis and is counted there (the first
        # three answered, the rest refused: a refusal is counted too).
        healthy = [timed(client, ANONYMOUS) for _ in range(30)]
        with frozen(server):
            ends = time.monotonic() + 3  # the breaker tries Redis again a few times
            stalled = []
            while time.monotonic() < ends:
                stalled.append(timed(client, ANONYMOUS))
        time.sleep(MAX_BACKOFF + 0.5)
        thawed = [timed(client, ANONYMOUS) for _ in range(3)]

    usual = statistics.median(seconds for seconds, _ in healthy)
    slowest = sorted(seconds - usual for seconds, _ in stalled)[-3:]
    # Redis is tried (and waited for) at least three times in the stall: once when it
    # freezes, then after each back-off. A cost of the design shows in all three; this
    # machine's own hiccups (it is shared) in one at most, hence the second slowest.
    assert len(slowest) == 3 and slowest[-2] < ADDED_LATENCY, slowest
    assert slowest[-1] < 3 * ADDED_LATENCY, slowest
    assert {status for _, status in healthy[3:] + stalled + thawed} == {429}
    assert outages(log) == 1


def test_counts_carry_on_through_an_outage_and_a_restart_that_lost_them(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "service.log"
    with service_with_redis(settings, log) as (server, client):
        wait_for_a_fresh_window()
        answers = [client.get(REST, headers=JANE)]
        with frozen(server):
            answers.append(client.get(REST, headers=JANE))  # counted in the process
        time.sleep(MAX_BACKOFF + 0.5)
        answers.append(client.get(REST, headers=JANE))  # Redis gets both
        counted_in_redis = server.value("downloads-api:rate_limit:*customer:1:*")
        server.kill()
        answers.append(client.get(REST, headers=JANE))  # counted in the process
        server.start()  # with nothing saved
        time.sleep(MAX_BACKOFF + 0.5)
        answers.append(client.get(REST, headers=JANE))  # Redis is seeded again
        seeded = server.value("downloads-api:rate_limit:*customer:1:*")

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0", "0"]
    assert counted_in_redis == [3]
    assert seeded == [5]
    assert outages(log) == 2
