"""The hostile-input suite, against a live server (docs/behaviour.md §7.3): every
request in tests/hostile.py, with no key and no token and with both, is refused or
answered with a 4xx or a GraphQL error, never a 5xx, within 50 ms of the worker's own CPU
time; a document under 1 KB never gets an answer over 1 MB; `/health` answers throughout.
Nor can such requests spend a signed-in customer's rate limit or squat metric labels.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import httpx2
import pymysql
import pytest

import fixtures
from app.settings import Settings
from tests import hostile
from tests.helpers import storefront_headers
from tests.live.test_scale_out import wait_for_a_fresh_window
from tests.served import Served, serving

CPU_BUDGET = 0.050
TOTAL = "{ customerDownloadableProducts { totalCount } }"
ANSWER_BUDGET = 1 << 20


def environment(settings: Settings, **changes: str) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url or "",
        "SOURCE": settings.source,
        "PUBLIC_BASE_URL": "https://shop.example.com",
        "MAGENTO_CRYPT_KEY": fixtures.magento.CRYPT_KEY,
        **changes,
    }


@pytest.fixture(scope="module", params=["introspection-on", "introspection-off"])
def server(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Served]:
    on = request.param == "introspection-on"
    with serving(environment(settings, INTROSPECTION=str(on).lower())) as base:
        with httpx2.Client(base_url=base, timeout=10) as client:
            for _ in range(3):  # warm: imports, caches and the pool are not the suite's cost
                client.get("/health")
                client.post("/graphql", json={"query": "{ __typename }"})
        yield base


def credentials(demo: ModuleType) -> list[dict[str, str]]:
    return [{}, storefront_headers(demo, demo.JANE_TOKEN)]


def test_every_hostile_request_is_refused_cheaply(server: Served, demo: ModuleType) -> None:
    pid = server.process.pid
    failures = []
    with httpx2.Client(base_url=server, timeout=30) as client:
        for headers in credentials(demo):
            for case in hostile.requests(headers):
                before = hostile.worker_cpu_seconds(pid)
                response = case.send(client)
                cost = hostile.worker_cpu_seconds(pid) - before
                label = f"{case.name} ({'with' if headers else 'without'} credentials)"
                if response.status_code >= 500:
                    failures.append(f"{label}: HTTP {response.status_code} {response.text[:200]}")
                if cost > CPU_BUDGET:
                    failures.append(f"{label}: {cost * 1000:.1f} ms of CPU")
                if case.size < 1024 and len(response.content) > ANSWER_BUDGET:
                    failures.append(f"{label}: {len(response.content)} bytes for {case.size}")
                if response.headers.get("cache-control") != "no-store":
                    failures.append(
                        f"{label}: Cache-Control {response.headers.get('cache-control')}"
                    )
                response.json()  # JSON, whatever happened
    assert failures == []


def test_health_answers_while_the_suite_runs(server: Served, demo: ModuleType) -> None:
    cases = [case for headers in credentials(demo) for case in hostile.requests(headers)]
    slowest = health_while(server, lambda client: [case.send(client) for case in cases])

    assert slowest < 0.5


def health_while(server: Served, work: object) -> float:
    """Run `work(client)` on four threads while /health is asked every 20 ms; the slowest
    /health answer, in seconds."""
    done = threading.Event()
    slowest = 0.0

    def poll() -> None:
        nonlocal slowest
        with httpx2.Client(base_url=server, timeout=5) as client:
            while not done.is_set():
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                slowest = max(slowest, time.perf_counter() - started)
                time.sleep(0.02)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        with ThreadPoolExecutor(4) as pool:

            def run(_: int) -> None:
                with httpx2.Client(base_url=server, timeout=60) as client:
                    work(client)  # type: ignore[operator]

            list(pool.map(run, range(4)))
    finally:
        done.set()
        poller.join()
    return slowest


# A customer with thousands of purchases: a legitimate list, too long to produce at once.


@pytest.fixture(scope="module")
def crowded(settings: Settings, database_url: str, source: str) -> Iterator[Served]:
    """A copy of the demo where every purchase is there 1,000 times over."""
    import uuid

    import fixtures
    from tests.conftest import SERVER_URL

    name = f"downloads_api_crowded_{source}_{uuid.uuid4().hex[:8]}"
    server = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
    with server.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        fixtures.load(f"{SERVER_URL}/{name}", source)
        table, key = {
            "bagisto": ("downloadable_link_purchased", "id"),
            "magento": ("downloadable_link_purchased_item", "item_id"),
        }[source]
        with server.cursor() as cursor:
            cursor.execute(f"USE `{name}`")
            cursor.execute(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND COLUMN_NAME != %s",
                (name, table, key),
            )
            columns = ", ".join(f"`{row[0]}`" for row in cursor.fetchall())
            cursor.execute(
                f"INSERT INTO `{table}` ({columns}) SELECT {columns} FROM `{table}`, seq_1_to_999"
            )
        with serving(environment(settings, DATABASE_URL=f"{SERVER_URL}/{name}")) as base:
            yield base
    finally:
        with server.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        server.close()


def test_a_long_list_does_not_hold_up_other_requests(crowded: Served, demo: ModuleType) -> None:
    headers = storefront_headers(demo, demo.JANE_TOKEN)
    query = "{ a: customerDownloadableProducts { items { status date } } b: customerDownloadableProducts { items { remaining_downloads } } }"

    def ask(client: httpx2.Client) -> None:
        response = client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["data"]["a"]["items"]) == 12_000

    # Produced in one go, each list would hold the worker for well over a second.
    assert health_while(crowded, ask) < 0.75


def test_a_long_list_selected_many_times_is_refused(crowded: Served, demo: ModuleType) -> None:
    headers = storefront_headers(demo, demo.JANE_TOKEN)
    query = (
        "{ "
        + " ".join(
            f"a{n}: customerDownloadableProducts {{ items {{ status }} }}" for n in range(10)
        )
        + " }"
    )
    pid = crowded.process.pid

    before = hostile.worker_cpu_seconds(pid)
    response = httpx2.post(f"{crowded}/graphql", json={"query": query}, headers=headers)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Too many selections of purchase lists: 10, at most 2."
    )
    assert hostile.worker_cpu_seconds(pid) - before < CPU_BUDGET


def test_operation_names_cannot_grow_the_metrics_or_squat_its_labels(
    server: Served, demo: ModuleType
) -> None:
    key_only, jane = storefront_headers(demo), storefront_headers(demo, demo.JANE_TOKEN)
    with httpx2.Client(base_url=server, timeout=10) as client:
        for n in range(300):  # made-up names, in documents that validate and run
            name = f"Op{n}\r\n\x00"
            client.post("/graphql", json={"query": "{ __typename }", "operationName": name})
            for prefix, headers in (("Q", key_only), ("J", jane)):
                query = f"query {prefix}{n} {{ __typename }}"
                client.post("/api/graphql", json={"query": query}, headers=headers)
        for name in ("GetCustomerDownloadableProducts", "MyShelf"):  # a real one, Jane's own
            query = f"query {name} {{ customerDownloadableProducts(first: 1) {{ totalCount }} }}"
            assert client.post("/api/graphql", json={"query": query}, headers=jane).is_success
        scraped = client.get("/metrics").text

    operations = set(
        re.findall(r'^downloads_api_requests_total\{operation="([^"]*)"', scraped, re.M)
    )
    assert {"GetCustomerDownloadableProducts", "MyShelf"} <= operations
    assert not any(operation.startswith(("Op", "Q", "J")) for operation in operations)
    assert "\x00" not in scraped


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_anonymous_traffic_on_a_public_key_cannot_lock_customers_out(settings: Settings) -> None:
    key_only = {"X-STOREFRONT-KEY": fixtures.bagisto.LIMITED_KEY}  # 3 requests an hour
    forged = {**key_only, "Authorization": "Bearer 1|forged"}
    jane = {**key_only, "Authorization": f"Bearer {fixtures.bagisto.JANE_TOKEN}"}
    with serving(environment(settings)) as base, httpx2.Client(base_url=base) as client:
        wait_for_a_fresh_window()
        flood = [
            client.post("/api/graphql", json={"query": "{ __typename }"}, headers=key_only)
            for _ in range(5)
        ] + [client.get(hostile.REST_PATH, headers=forged) for _ in range(5)]
        answers = [
            client.get(hostile.REST_PATH, headers=jane),
            client.post("/api/graphql", json={"query": TOTAL}, headers=jane),
        ]

    assert [a.status_code for a in flood].count(429) == 7
    assert [(a.status_code, a.headers["X-RateLimit-Remaining"]) for a in answers] == [
        (200, "2"),
        (200, "1"),
    ]


@pytest.fixture(scope="module")
def impatient(settings: Settings) -> Iterator[Served]:
    """A server that waits one second for a request body."""
    with serving(environment(settings, MAX_BODY_SECONDS="1")) as base:
        with httpx2.Client(base_url=base, timeout=10) as client:
            for _ in range(3):  # warm, as `server` is: first-request costs are not the drip's
                client.get("/health")
                client.post("/graphql", json={"query": "{ __typename }"})
        yield base


@pytest.mark.parametrize("path", hostile.GRAPHQL_PATHS)
def test_a_body_dripped_slowly_is_refused_at_its_deadline(impatient: Served, path: str) -> None:
    host, port = impatient.removeprefix("http://").split(":")
    pid = impatient.process.pid
    before = hostile.worker_cpu_seconds(pid)
    started = time.monotonic()

    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Content-Length: 1000\r\n\r\n".encode()
        )
        sock.settimeout(0.02)  # a byte every 20 ms, until the server answers
        answer = b""
        for byte in b'{"query": "{ __typename }"' + b" " * 200:
            sock.sendall(bytes([byte]))
            try:
                answer = sock.recv(4096)
                break
            except TimeoutError:
                continue
        sock.settimeout(5)
        while answer and not answer.endswith(b"}"):  # the head and the body may come apart
            more = sock.recv(4096)
            if not more:
                break
            answer += more

    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"Request body did not arrive within 1 seconds."' in answer
    assert 1.0 <= time.monotonic() - started < 3.0
    spent = hostile.worker_cpu_seconds(pid) - before
    # Less what the worker spends in a second with no request at all (its own timers and
    # housekeeping, which run during the drip's second too): that is not the drip's.
    before = hostile.worker_cpu_seconds(pid)
    time.sleep(1.0)
    idle = hostile.worker_cpu_seconds(pid) - before
    assert spent - idle < CPU_BUDGET, (spent, idle)
    with httpx2.Client(base_url=impatient, timeout=5) as client:  # the server is still fine
        assert client.get("/health").status_code == 200
