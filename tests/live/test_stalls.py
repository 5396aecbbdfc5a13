"""A served process whose primary or replica freezes (SIGSTOP: connections stay open, the
TCP handshake still completes) or stops, mid-run: every request is answered within
DATABASE_CONNECT_TIMEOUT plus a second, and the service recovers by itself.

The frozen server is a MariaDB of these tests' own (tests/mariadb_instance.py); the
shared test server is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

import fixtures
from app.settings import Settings
from fixtures import bagisto
from tests.mariadb_instance import MariaDBInstance
from tests.served import Served, serving

CONNECT_TIMEOUT = 1.0
# A statement on a pooled connection to a frozen server is given up on half a second
# after this (app/db/base.py). A request may first wait up to CONNECT_TIMEOUT for a pooled
# connection, so its worst case is CONNECT_TIMEOUT + STATEMENT_TIMEOUT + 0.5: 0.4 keeps
# that a tenth of a second inside DEADLINE (at 0.5 it was the deadline itself, and a busy
# machine's scheduling pushed an answer past it).
STATEMENT_TIMEOUT = 0.4
DEADLINE = CONNECT_TIMEOUT + 1
CALLERS = 12
# Each falls back to the primary at once, which opens its connections one at a time.
REPLICA_CALLERS = 6
QUERY = {"query": "{ customerDownloadableProducts { totalCount } }"}
HEADERS = {"Authorization": f"Bearer {bagisto.JANE_TOKEN}", "X-STOREFRONT-KEY": bagisto.SHOP_KEY}


@pytest.fixture(scope="module")
def instance() -> Iterator[MariaDBInstance]:
    server = MariaDBInstance()
    try:
        server.start()
        server.execute("CREATE DATABASE shop")
        fixtures.load(server.url("shop"), "bagisto")
        yield server
    finally:
        server.remove()


def timeouts(statement_timeout: float) -> dict[str, str]:
    return {
        "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "DATABASE_STATEMENT_TIMEOUT": str(statement_timeout),
        "STOREFRONT_KEY_CACHE_SECONDS": "0",
    }


def everyone_at_once(base: Served, callers: int = CALLERS) -> list[tuple[int, float, int | None]]:
    """`callers` GraphQL requests and one /ready at the same moment: (status, seconds,
    totalCount) each."""

    def timed(path: str) -> tuple[int, float, int | None]:
        with httpx2.Client(base_url=base, timeout=DEADLINE + 3) as client:
            started = time.monotonic()
            if path == "/ready":
                response = client.get(path)
            else:
                response = client.post(path, json=QUERY, headers=HEADERS)
            elapsed = time.monotonic() - started
        data = response.json().get("data") or {}
        count = (data.get("customerDownloadableProducts") or {}).get("totalCount")
        return response.status_code, elapsed, count

    with ThreadPoolExecutor(callers + 1) as pool:
        calls = [pool.submit(timed, "/api/graphql") for _ in range(callers)]
        calls.append(pool.submit(timed, "/ready"))
        return [call.result() for call in calls]


def total_count(base: Served) -> int:
    response = httpx2.post(f"{base}/api/graphql", json=QUERY, headers=HEADERS, timeout=30)
    count: int = response.json()["data"]["customerDownloadableProducts"]["totalCount"]
    return count


def seconds_until(condition: object, base: Served, limit: float = 10) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            if condition(base):  # type: ignore[operator]
                return time.monotonic() - started
        except (httpx2.TransportError, KeyError, TypeError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"not within {limit} s")


def test_a_frozen_primary_is_a_503_within_the_deadline_and_recovery_is_immediate(
    instance: MariaDBInstance,
) -> None:
    environment = {"DATABASE_URL": instance.url("shop"), **timeouts(STATEMENT_TIMEOUT)}
    with serving(environment) as base:
        assert total_count(base) == 12  # a connection in the pool, the others to be made
        instance.freeze()
        try:
            answers = everyone_at_once(base)
        finally:
            instance.thaw()
        thawed = seconds_until(lambda b: total_count(b) == 12, base)
        ready = httpx2.get(f"{base}/ready", timeout=30)

    assert [status for status, _, _ in answers] == [503] * (CALLERS + 1)
    assert max(elapsed for _, elapsed, _ in answers) < DEADLINE, answers
    assert thawed < 1
    assert ready.status_code == 200


@pytest.fixture(scope="module")
def lagging_replica(instance: MariaDBInstance) -> str:
    """The instance's copy without purchase 15: reads from it count 11, the primary's 12."""
    instance.execute("DELETE FROM shop.downloadable_link_purchased WHERE id = 15")
    return instance.url("shop")


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_a_frozen_or_stopped_replica_leaves_reads_to_the_primary(
    settings: Settings, lagging_replica: str, instance: MariaDBInstance, tmp_path: Path
) -> None:
    assert settings.database_url is not None
    environment = {
        "DATABASE_URL": settings.database_url,
        "DATABASE_REPLICA_URL": lagging_replica,
        # The default limit: a statement the replica leaves unanswered is read from the
        # primary at the connect timeout, long before this.
        **timeouts(5.0),
    }
    log = tmp_path / "log"
    with serving(environment, log=log) as base:
        assert total_count(base) == 11  # from the replica
        instance.freeze()
        try:
            frozen = everyone_at_once(base, REPLICA_CALLERS)
            degraded = httpx2.get(f"{base}/ready", timeout=30).json()
        finally:
            instance.thaw()
        back_after_thaw = seconds_until(lambda b: total_count(b) == 11, base)
        instance.stop()
        stopped = everyone_at_once(base, REPLICA_CALLERS)
        instance.start()
        back_after_start = seconds_until(lambda b: total_count(b) == 11, base)
        ready = httpx2.get(f"{base}/ready", timeout=30).json()

    for answers in (frozen, stopped):
        assert [status for status, _, _ in answers] == [200] * (REPLICA_CALLERS + 1)
        assert [count for _, _, count in answers[:-1]] == [12] * REPLICA_CALLERS  # the primary's
        assert max(elapsed for _, elapsed, _ in answers) < DEADLINE, (frozen, stopped)
    assert degraded == {"status": "ok", "replica": "degraded"}
    assert back_after_thaw < 3 and back_after_start < 3
    assert ready == {"status": "ok", "replica": "ok"}
    lines = log.read_text()
    assert lines.count("the read replica is unavailable") == 2  # once per outage
    assert lines.count("the read replica serves again") == 2
