"""Several processes behind one load balancer: one rate limit through Redis, workers,
and a graceful stop that finishes the requests in flight."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import httpx2
import pymysql
import pytest
import redis

from app.settings import Settings
from fixtures import bagisto
from tests.served import serving

pytestmark = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REST = "/api/shop/customer-downloadable-products"
HEADERS = {"Authorization": f"Bearer {bagisto.JANE_TOKEN}", "X-STOREFRONT-KEY": bagisto.LIMITED_KEY}


@pytest.fixture
def fresh_redis() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            f"These tests need Redis at {REDIS_URL} (TEST_REDIS_URL). Start one: redis-server --daemonize yes"
            " --bind 127.0.0.1 --save '' --appendonly no"
        )
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {"DATABASE_URL": settings.database_url or "", "SOURCE": settings.source, **extra}


def wait_for_a_fresh_window() -> None:
    """The limit counts per clock hour: do not start a count in an hour's last seconds."""
    left = 3600 - int(time.time()) % 3600
    if left < 15:
        time.sleep(left + 1)


def test_two_processes_enforce_one_rate_limit_through_redis(
    settings: Settings, fresh_redis: redis.Redis
) -> None:
    env = environment(settings, REDIS_URL=REDIS_URL)
    with serving(env) as first, serving(env) as second:
        wait_for_a_fresh_window()
        answers = [
            httpx2.get(base + REST, headers=HEADERS) for base in (first, second, first, second)
        ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert any(key.startswith(b"downloads-api:rate_limit:8:") for key in fresh_redis.keys("*"))


def test_storefront_key_lookups_are_shared_and_keys_are_never_stored_in_clear(
    settings: Settings, fresh_redis: redis.Redis
) -> None:
    env = environment(settings, REDIS_URL=REDIS_URL)
    with serving(env) as first, serving(env) as second:
        headers = {**HEADERS, "X-STOREFRONT-KEY": bagisto.SHOP_KEY}
        assert httpx2.get(first + REST, headers=headers).status_code == 200
        assert httpx2.get(second + REST, headers=headers).status_code == 200
        metrics = httpx2.get(second + "/metrics").text

    assert 'downloads_api_cache_lookups_total{cache="storefront_keys",result="hit"} 1.0' in metrics
    stored = b" ".join(
        fresh_redis.keys("*") + [fresh_redis.get(k) or b"" for k in fresh_redis.keys("*")]
    )
    assert bagisto.SHOP_KEY.encode() not in stored


def test_without_redis_each_process_still_serves(settings: Settings) -> None:
    with serving(environment(settings, REDIS_URL="redis://127.0.0.1:9/0")) as base:
        answers = [httpx2.get(base + REST, headers=HEADERS, timeout=10) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]


def test_two_workers_serve(settings: Settings) -> None:
    with serving(environment(settings), "--workers", "2") as base:
        answers = [
            httpx2.get(base + REST, headers={**HEADERS, "X-STOREFRONT-KEY": bagisto.SHOP_KEY})
            for _ in range(6)
        ]

    assert {a.status_code for a in answers} == {200}


def test_sigterm_lets_the_request_in_flight_finish(settings: Settings) -> None:
    database = (settings.database_url or "").rsplit("/", 1)[1]
    locker = pymysql.connect(
        host="127.0.0.1", port=3306, user="root", database=database, autocommit=True
    )
    answers: list[httpx2.Response] = []
    with serving(environment(settings)) as base:
        headers = {**HEADERS, "X-STOREFRONT-KEY": bagisto.SHOP_KEY}
        assert httpx2.get(base + REST, headers=headers).status_code == 200  # key cached
        with locker.cursor() as cursor:
            # The service's next read of the table waits for this lock: a slow request.
            cursor.execute("LOCK TABLES downloadable_link_purchased WRITE")
            slow = threading.Thread(
                target=lambda: answers.append(httpx2.get(base + REST, headers=headers, timeout=30))
            )
            slow.start()
            time.sleep(0.5)
            base.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert base.process.poll() is None, "stopped before its request was answered"
            cursor.execute("UNLOCK TABLES")
        slow.join(timeout=30)
        exit_code = base.process.wait(timeout=30)
    locker.close()

    assert [a.status_code for a in answers] == [200]
    assert len(answers[0].json()) == 10
    # uvicorn ends by re-raising the signal once it has shut down cleanly.
    assert exit_code in (0, -signal.SIGTERM)
