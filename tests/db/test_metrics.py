"""What operators read at /metrics, in Prometheus's text format: requests, latency, the
pool and the caches, labelled by route and by the operations customers name, within bounds."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from app.observability.metrics import MAX_LABELS_PER_CUSTOMER, MAX_OPERATION_LABELS
from tests.helpers import Api, data_of, metric_values


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
