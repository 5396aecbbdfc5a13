"""A served process whose database address accepts connections and never answers (a frozen
host, a half-open path, a proxy with nothing behind it): requests and /ready answer 503
within DATABASE_CONNECT_TIMEOUT and a second, naming no host. tests/unit/test_database_stall.py
holds the driver's side of it."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2

from fixtures import bagisto
from tests.conftest import on_driver
from tests.served import serving

CONNECT_TIMEOUT = 0.5
CALLERS = 8


def test_requests_and_ready_answer_503_within_the_connect_timeout_plus_a_second() -> None:
    """A served process whose database listens and is never read (the kernel completes
    each TCP handshake all the same)."""
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listening:
        environment = {
            "DATABASE_URL": on_driver(f"mysql://root@127.0.0.1:{listening.getsockname()[1]}/shop"),
            "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        }
        with serving(environment) as base, httpx2.Client(base_url=base, timeout=10) as client:

            def timed(method: str, path: str, **options: Any) -> tuple[int, float, str]:
                started = time.monotonic()
                response = client.request(method, path, **options)
                return response.status_code, time.monotonic() - started, response.text

            graphql = {
                "json": {"query": "{ customerDownloadableProducts { totalCount } }"},
                "headers": {"X-STOREFRONT-KEY": bagisto.SHOP_KEY},
            }
            with ThreadPoolExecutor(CALLERS) as pool:
                calls = [
                    *(
                        pool.submit(timed, "POST", "/api/graphql", **graphql)
                        for _ in range(CALLERS - 1)
                    ),
                    pool.submit(timed, "GET", "/ready"),
                ]
                answers = [call.result() for call in calls]

    assert [status for status, _, _ in answers] == [503] * CALLERS
    assert max(elapsed for _, elapsed, _ in answers) < CONNECT_TIMEOUT + 1
    assert not any("127.0.0.1" in text for _, _, text in answers)
