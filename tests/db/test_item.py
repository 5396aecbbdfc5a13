"""customerDownloadableProduct(id:): by IRI or number, and only the customer's own."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fixtures import demo
from tests import expected
from tests.helpers import Api, data_of

ITEM = """
query Item($id: ID!) {
  customerDownloadableProduct(id: $id) {
    id _id productName name url file fileName type downloadBought downloadUsed
    downloadCanceled status remainingDownloads downloadUrl customerId orderId orderItemId
    createdAt updatedAt
    order {
      id _id incrementId status grandTotal baseGrandTotal subTotal orderCurrencyCode
      baseCurrencyCode channelName customerEmail customerFirstName customerLastName
      createdAt updatedAt
    }
  }
}
"""

BAD_ID = (
    'Invalid ID format. Expected IRI format like "/api/shop/customer-downloadable-products/1"'
    " or numeric ID"
)


MAGENTO_ITEMS = """
{ customerDownloadableProducts { items { order_increment_id date download_url remaining_downloads } } }
"""
# Jane's purchases, oldest first: the order of Magento's `items`, which carry no id.
JANE_PURCHASES = sorted(
    link.id for link in demo.LINKS if demo.ORDER_BY_ID[link.order_id].customer_id == 1
)


def item(api: Api, purchase_id: str) -> dict:
    return data_of(api.bagisto(ITEM, {"id": purchase_id}))["customerDownloadableProduct"]


def magento_item(api: Api, purchase_id: int) -> dict:
    """One of Jane's purchases as Magento's `items` lists it on /graphql."""
    listed = data_of(api.magento(MAGENTO_ITEMS, token=api.demo.JANE_TOKEN))
    return dict(zip(JANE_PURCHASES, listed["customerDownloadableProducts"]["items"], strict=True))[
        purchase_id
    ]


def test_item_by_iri_has_every_field(api: Api, source: str) -> None:
    assert item(api, "/api/shop/customer-downloadable-products/1") == {
        "id": "/api/shop/customer-downloadable-products/1",
        "_id": 1,
        "productName": "Laravel E-Book",
        "name": "PDF Download",
        "url": None,
        "file": expected.file(source, 1),
        "fileName": "laravel-ebook.pdf",
        "type": "file",
        "downloadBought": 5,
        "downloadUsed": 1,
        "downloadCanceled": 0,
        "status": "available",
        "remainingDownloads": 4,
        "downloadUrl": expected.download_url(source, 1),
        "customerId": 1,
        "orderId": 101,
        "orderItemId": 201,
        "createdAt": "2025-06-15T10:30:00+00:00",
        "updatedAt": "2025-06-15T10:30:00+00:00",
        "order": {
            "id": "/api/shop/customer-orders/101",
            "_id": 101,
            "incrementId": "101",
            "status": "completed",
            "grandTotal": 29.99,
            "baseGrandTotal": 29.99,
            "subTotal": 29.99,
            "orderCurrencyCode": "USD",
            "baseCurrencyCode": "USD",
            "channelName": "Default",
            "customerEmail": "jane@example.com",
            "customerFirstName": "Jane",
            "customerLastName": "Doe",
            "createdAt": "2025-06-15T10:30:00+00:00",
            "updatedAt": "2025-06-15T10:30:00+00:00",
        },
    }


def test_magento_fields_of_the_same_purchase(api: Api, source: str) -> None:
    assert magento_item(api, 1) == {
        "order_increment_id": "101",
        "date": "2025-06-15 10:30:00",
        "download_url": expected.download_url(source, 1),
        "remaining_downloads": "4",
    }


def test_item_by_number_is_the_same_as_by_iri(api: Api) -> None:
    assert item(api, "1") == item(api, "/api/shop/customer-downloadable-products/1")


def test_unlimited_purchase_has_no_remaining_count(api: Api) -> None:
    found = item(api, "3")

    assert found["downloadBought"] == 0
    assert found["downloadUsed"] == 7
    assert found["remainingDownloads"] is None
    assert magento_item(api, 3)["remaining_downloads"] == "Unlimited"
    assert (found["type"], found["url"], found["file"]) == (
        "url",
        "https://cdn.example.com/vue",
        None,
    )


@pytest.mark.parametrize(
    ("purchase_id", "bagisto_remaining"),
    [
        pytest.param(6, 0, id="all-cancelled"),
        pytest.param(15, 2, id="partly-cancelled"),
        pytest.param(5, 0, id="used-up"),
    ],
)
def test_cancelled_downloads_count_against_the_remaining(
    api: Api, source: str, purchase_id: int, bagisto_remaining: int
) -> None:
    found = item(api, str(purchase_id))

    remaining = expected.remaining(source, purchase_id)
    assert found["remainingDownloads"] == remaining
    assert magento_item(api, purchase_id)["remaining_downloads"] == str(remaining)
    assert found["downloadCanceled"] == expected.canceled(source, purchase_id)
    if source == "bagisto":
        assert remaining == bagisto_remaining


def test_another_customers_purchase_reads_exactly_like_a_missing_one(api: Api) -> None:
    # 14 is John's; 99 does not exist. Same number of digits, so same length too.
    theirs = api.bagisto(ITEM, {"id": "/api/shop/customer-downloadable-products/14"})
    missing = api.bagisto(ITEM, {"id": "/api/shop/customer-downloadable-products/99"})

    assert theirs.status_code == missing.status_code == 200
    assert missing.json()["errors"][0]["message"] == (
        'Customer downloadable product with ID "99" not found'
    )
    assert theirs.content == missing.content.replace(b"99", b"14")
    # Every answer has a request id of its own; nothing else may differ.
    assert len(set(theirs.headers) ^ set(missing.headers)) == 0
    assert {k: v for k, v in theirs.headers.items() if k != "x-request-id"} == {
        k: v for k, v in missing.headers.items() if k != "x-request-id"
    }


def test_not_found_is_a_bagisto_404_error(api: Api) -> None:
    response = api.bagisto(ITEM, {"id": "999"})

    assert response.json() == {
        "data": {"customerDownloadableProduct": None},
        "errors": [
            {
                "message": 'Customer downloadable product with ID "999" not found',
                "locations": [{"line": 3, "column": 3}],
                "path": ["customerDownloadableProduct"],
                "extensions": {"status": 404},
            }
        ],
    }


def test_the_item_query_is_not_magentos_and_fails_validation_on_its_path(api: Api) -> None:
    response = api.magento(ITEM, {"id": "1"}, token=api.demo.JANE_TOKEN)

    assert response.status_code == 400
    assert "Cannot query field 'customerDownloadableProduct' on type 'Query'." in [
        error["message"].split(" Did you mean")[0] for error in response.json()["errors"]
    ]


def test_id_beyond_any_column_is_simply_not_found(api: Api) -> None:
    response = api.bagisto(ITEM, {"id": "99999999999999999999999999"})

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"] == {"status": 404}


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        "",
        "-1",
        "1.5",
        "/api/shop/customer-downloadable-products/",
        "/api/shop/customer-downloadable-products/abc",
        "/api/shop/customer-orders/1",
        "/api/shop/customer-downloadable-products/1/download",
    ],
)
def test_malformed_id_is_a_bagisto_400_error(api: Api, bad: str) -> None:
    response = api.bagisto(ITEM, {"id": bad})

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (BAD_ID, {"status": 400})
    assert response.json()["data"] == {"customerDownloadableProduct": None}


def test_integer_id_literal_is_accepted(api: Api) -> None:
    response = api.bagisto("{ customerDownloadableProduct(id: 2) { _id name } }")

    assert data_of(response) == {"customerDownloadableProduct": {"_id": 2, "name": "EPUB Download"}}


def test_download_url_follows_the_request_without_a_public_base_url(
    make_api: Callable[..., Api], source: str
) -> None:
    api = make_api(public_base_url=None)

    assert item(api, "1")["downloadUrl"] == expected.download_url(source, 1, "http://testserver")
