"""The bench's hostile scenario (bench/hostile.py) sends the suite's own requests, byte for
byte as the live suite does, and reads wrk's answer counts right."""

from __future__ import annotations

import json

from bench import hostile
from tests import hostile as suite


def test_every_case_of_the_suite_is_sent_with_and_without_credentials() -> None:
    cases = hostile.hostile_cases()
    expected = [case.name for case in suite.requests()]

    assert [name.rsplit(" (", 1)[0] for name, _ in cases] == expected * 2
    assert all("X-STOREFRONT-KEY" not in r.headers for _, r in cases[: len(expected)])
    assert all("X-STOREFRONT-KEY" in r.headers for _, r in cases[len(expected) :])


def test_a_case_becomes_the_request_an_http_client_would_send() -> None:
    by_name = {case.name: case for case in suite.requests()}
    get = hostile.as_http(by_name["rest-page-zeros"])
    posted = hostile.as_http(by_name["alias-storm/graphql"])
    raw = hostile.as_http(by_name["multipart/api/graphql"])

    assert get.method == "GET" and get.body is None
    assert get.path == hostile.suite.REST_PATH + "?page=" + "0" * 4400 + "1"
    assert json.loads(posted.body or "") == by_name["alias-storm/graphql"].json
    assert posted.headers["Content-Type"] == "application/json"
    assert raw.body == (by_name["multipart/api/graphql"].content or b"").decode()
    assert raw.headers["Content-Type"].startswith("multipart/form-data")


def test_wrk_counts_are_read_by_status() -> None:
    line = (
        'noise\nBENCH_HOSTILE {"requests":10,"duration_us":2000000,"bytes":1,"connect":0,'
        '"read":1,"write":0,"timeout":0,"p50_us":1500,"p99_us":9000,"max_us":9100,'
        '"statuses":{"401":6,"200":3,"503":1}}\n'
    )
    load = hostile.parse_hostile(line)

    assert (load.requests, load.rps, load.p99_ms, load.socket_errors) == (10, 5.0, 9.0, 1)
    assert load.server_errors == 1
    assert hostile.status_classes(load.statuses) == {"2xx": 3, "4xx": 6, "5xx": 1}


def test_rounds_are_combined_by_median_and_sum() -> None:
    def run(p99: float, statuses: dict[str, int]) -> dict[str, object]:
        figures = {k: p99 for k in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms")}
        sent = {"requests": 4, "rps": 2.0, "p50_ms": 1.0, "p99_ms": 2.0, "socket_errors": 0}
        return {
            **figures,
            "cpu_ms_per_request": 1.0,
            "requests": 10,
            "errors": 1,
            "loadavg": p99,
            "hostile": {**sent, "statuses": statuses, "server_errors": 0},
        }

    combined = hostile.combine([run(1, {"400": 3}), run(9, {"400": 1, "401": 2}), run(2, {})])

    assert (combined["p99_ms"], combined["requests"], combined["errors"]) == (2, 30, 3)
    assert combined["hostile"]["statuses"] == {"400": 4, "401": 2}
    assert combined["hostile"]["requests"] == 12 and len(combined["rounds"]) == 3
