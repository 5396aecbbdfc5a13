"""What operators see: one log line per request, Prometheus metrics, clear start-up errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import httpx2
import pytest
from prometheus_client.parser import text_string_to_metric_families

import fixtures
from app.observability.metrics import MAX_LABELS_PER_CUSTOMER, MAX_OPERATION_LABELS, OperationLabels
from app.settings import Settings
from tests.helpers import Api, data_of
from tests.served import ROOT, serving


def live_settings(settings: Settings) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url or "",
        "SOURCE": settings.source,
        "MAGENTO_CRYPT_KEY": fixtures.magento.CRYPT_KEY,
    }


@pytest.mark.live
def test_json_log_has_one_line_per_request_and_no_credentials(
    settings: Settings, demo: ModuleType, tmp_path: Path
) -> None:
    log = tmp_path / "service.log"
    key = {"X-STOREFRONT-KEY": demo.SHOP_KEY} if hasattr(demo, "SHOP_KEY") else {}
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}", **key}
    with serving(live_settings(settings) | {"LOG_FORMAT": "json"}, log=log) as base:
        query = "query MyDownloads { customerDownloadableProducts { totalCount } }"
        first = httpx2.post(f"{base}/api/graphql", json={"query": query}, headers=headers)
        second = httpx2.get(
            f"{base}/api/shop/customer-downloadable-products/99",
            headers={**headers, "X-Request-ID": "trace-42"},
        )

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry["logger"] == "downloads_api.access"]
    graphql = next(e for e in access if e["path"] == "/api/graphql")
    assert graphql | {"time": None, "duration_ms": None, "request_id": None} == {
        "time": None,
        "level": "info",
        "logger": "downloads_api.access",
        "message": graphql["message"],
        "request_id": None,
        "pid": base.process.pid,
        "method": "POST",
        "path": "/api/graphql",
        "operation": "MyDownloads",
        "status": 200,
        "duration_ms": None,
        "reason": None,
    }
    assert graphql["request_id"] == first.headers["x-request-id"]
    assert any(e["request_id"] == "trace-42" and e["status"] == 404 for e in access)
    assert second.headers["x-request-id"] == "trace-42"
    text = log.read_text()
    secrets = {demo.JANE_TOKEN, demo.JANE_TOKEN.partition("|")[2], getattr(demo, "SHOP_KEY", "")}
    for secret in {s for s in secrets if s} | {"totalCount"}:
        assert secret not in text


@pytest.mark.live
def test_text_log_is_a_plain_line(settings: Settings, demo: ModuleType, tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    with serving(live_settings(settings) | {"LOG_FORMAT": "text"}, log=log) as base:
        httpx2.get(f"{base}/health")

    assert any(
        re.search(r" INFO downloads_api\.access \[\d+\] [0-9a-f]{32}: GET /health - 200 ", line)
        for line in log.read_text().splitlines()
    )


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return values


def test_metrics_count_requests_latency_pool_and_caches(make_api: Callable[..., Api]) -> None:
    api = make_api()
    for _ in range(3):
        data_of(api.bagisto("query Total { customerDownloadableProducts { totalCount } }"))
    api.bagisto("{ nope }")

    response = api.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values = metric_values(response.text)
    assert (
        values[
            "downloads_api_requests_total",
            (("operation", "Total"), ("path", "/api/graphql"), ("status", "200")),
        ]
        == 3
    )
    assert (
        values[
            "downloads_api_requests_total",
            (("operation", ""), ("path", "/api/graphql"), ("status", "400")),
        ]
        == 1
    )
    assert values["downloads_api_request_duration_seconds_count", (("path", "/api/graphql"),)] == 4
    assert values["downloads_api_database_connections_in_use", ()] == 0
    assert (
        values["downloads_api_cache_lookups_total", (("cache", "documents"), ("result", "hit"))]
        == 2
    )
    assert (
        values["downloads_api_cache_lookups_total", (("cache", "documents"), ("result", "miss"))]
        == 2
    )
    if hasattr(api.demo, "SHOP_KEY"):
        assert (
            values[
                "downloads_api_cache_lookups_total",
                (("cache", "storefront_keys"), ("result", "miss")),
            ]
            == 1
        )
        assert (
            values[
                "downloads_api_cache_lookups_total",
                (("cache", "storefront_keys"), ("result", "hit")),
            ]
            == 3
        )


def test_metrics_label_routes_not_raw_paths(make_api: Callable[..., Api]) -> None:
    api = make_api()
    for purchase_id in (1, 2, 3):
        api.client.get(f"/api/shop/customer-downloadable-products/{purchase_id}")

    paths = {
        labels
        for (name, labels) in metric_values(api.client.get("/metrics").text)
        if name == "downloads_api_request_duration_seconds_count"
    }

    assert (("path", "/api/shop/customer-downloadable-products/{id}"),) in paths
    assert not any(value.endswith(("/1", "/2", "/3")) for labels in paths for _, value in labels)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SOURCE", "shopify"),
        ("MAX_PAGE_SIZE", "lots"),
        ("DATABASE_URL", "postgres://db/shop"),
        ("LOG_FORMAT", "xml"),
        ("INTROSPECTION", "maybe"),
        ("PUBLIC_BASE_URL", "shop.example.com"),
    ],
)
@pytest.mark.live
@pytest.mark.parametrize("command", ["uvicorn", "serve"])
def test_a_bad_setting_stops_the_service_with_one_line_naming_it(
    variable: str, value: str, command: str
) -> None:
    argv = {
        "uvicorn": [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"],
        "serve": [str(Path(sys.executable).parent / "downloads-api"), "serve", "--port", "0"],
    }[command]

    result = subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"downloads-api: {variable} ")
    assert "Traceback" not in result.stderr


def operation_labels(api: Api) -> set[str]:
    return {
        dict(labels)["operation"]
        for (name, labels) in metric_values(api.client.get("/metrics").text)
        if name == "downloads_api_requests_total" and dict(labels)["path"] == "/api/graphql"
    }


def test_only_signed_in_customers_name_new_labels_and_each_only_a_few(
    own_api: Callable[..., Api], demo: ModuleType
) -> None:
    api = own_api(metrics_operations=("ShopDownloads",))
    for n in range(MAX_OPERATION_LABELS + 50):  # the key alone, and a token never looked up
        api.bagisto(f"query Squat{n} {{ __typename }}", token=None)
        api.bagisto(f"query Lurk{n} {{ __typename }}")
    api.bagisto("query Evil { __typename }", operationName="Evil\x00\r\nname" + "x" * 500)
    for n in range(MAX_LABELS_PER_CUSTOMER + 3):
        data_of(api.bagisto(f"query Jane{n} {{ customerDownloadableProducts {{ totalCount }} }}"))
    for name in ("GetCustomerDownloadableProducts", "ShopDownloads"):  # known, from anyone
        api.bagisto(f"query {name} {{ customerDownloadableProducts {{ totalCount }} }}", token=None)

    # ("" is an operation with no name, or a name that names none of the document's.)
    assert operation_labels(api) - {""} == {
        *(f"Jane{n}" for n in range(MAX_LABELS_PER_CUSTOMER)),
        "GetCustomerDownloadableProducts",
        "ShopDownloads",
        "other",
    }


def test_operation_label_keeps_name_characters_only() -> None:
    label = OperationLabels()
    assert label("Evil\x00\r\n{name}" + "x" * 500, customer_id=1) == "Evilname" + "x" * 56
    assert label(None) == label("") == label("\x00") == ""


def test_known_names_keep_their_labels_however_full_the_rest_is() -> None:
    label = OperationLabels(known=("ShopDownloads",), limit=3, per_customer=2)

    given = [label(f"Op{n}", customer_id=n // 2) for n in range(5)]

    assert given == ["Op0", "Op1", "Op2", "other", "other"]  # full at 3
    assert label("Op3", customer_id=1) == "other"  # customer 1 had named 2 already
    assert (label("Op1"), label("Nobody")) == ("Op1", "other")  # a label once given stays
    assert label("ShopDownloads") == "ShopDownloads"
    assert label("IntrospectionQuery") == "IntrospectionQuery"  # GraphiQL, code generators
    assert label("GetCustomerDownloadableProduct") == "GetCustomerDownloadableProduct"
