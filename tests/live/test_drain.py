"""SIGTERM: `/ready` turns 503 at once, the process keeps serving for
SHUTDOWN_DRAIN_SECONDS, and the request in flight is answered before it exits."""

from __future__ import annotations

import signal
import threading
import time

import httpx2
import pymysql
import pytest

from app.settings import Settings
from fixtures import bagisto
from tests.served import serving

pytestmark = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

DRAIN_SECONDS = 2.0
REST = "/api/shop/customer-downloadable-products"
HEADERS = {"Authorization": f"Bearer {bagisto.JANE_TOKEN}", "X-STOREFRONT-KEY": bagisto.SHOP_KEY}


def test_ready_is_503_from_sigterm_on_while_the_request_in_flight_finishes(
    settings: Settings,
) -> None:
    assert settings.database_url is not None
    environment = {
        "DATABASE_URL": settings.database_url,
        "SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS),
    }
    locker = pymysql.connect(
        host="127.0.0.1",
        port=3306,
        user="root",
        database=settings.database_url.rsplit("/", 1)[1],
        autocommit=True,
    )
    in_flight: list[httpx2.Response] = []
    with serving(environment) as base:
        assert httpx2.get(f"{base}/ready").status_code == 200
        assert httpx2.get(base + REST, headers=HEADERS).status_code == 200  # key cached
        with locker.cursor() as cursor:
            # The service's next read of the table waits for this lock: a slow request.
            cursor.execute("LOCK TABLES downloadable_link_purchased WRITE")
            slow = threading.Thread(
                target=lambda: in_flight.append(
                    httpx2.get(base + REST, headers=HEADERS, timeout=30)
                )
            )
            slow.start()
            time.sleep(0.5)
            signalled = time.monotonic()
            base.process.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            try:
                ready = httpx2.get(f"{base}/ready", timeout=5)
                health = httpx2.get(f"{base}/health", timeout=5)  # still accepting
            finally:
                cursor.execute("UNLOCK TABLES")
        slow.join(timeout=30)
        exit_code = base.process.wait(timeout=30)
        stopped_after = time.monotonic() - signalled
    locker.close()

    assert (ready.status_code, ready.json()) == (503, {"status": "draining"})
    assert health.status_code == 200
    assert [response.status_code for response in in_flight] == [200]
    assert stopped_after >= DRAIN_SECONDS
    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once stopped
