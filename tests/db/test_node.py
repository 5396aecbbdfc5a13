"""`node(id:)` on /api/graphql: Relay's refetch by IRI, as API Platform gives every resource,
for the customer's own purchases and orders only."""

from __future__ import annotations

import pytest

from tests import expected
from tests.helpers import Api, data_of

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on CustomerDownloadableProduct { _id productName downloadUrl order { id incrementId } }
    ... on CustomerOrder { _id incrementId grandTotal }
  }
}
"""


def node(api: Api, iri: str, token: str | None = None) -> dict | None:
    response = api.bagisto(NODE, {"id": iri}, token=token or api.demo.JANE_TOKEN)
    return data_of(response)["node"]


def test_a_purchase_by_its_iri(api: Api, source: str) -> None:
    assert node(api, "/api/shop/customer-downloadable-products/1") == {
        "__typename": "CustomerDownloadableProduct",
        "id": "/api/shop/customer-downloadable-products/1",
        "_id": 1,
        "productName": "Laravel E-Book",
        "downloadUrl": expected.download_url(source, 1),
        "order": {"id": "/api/shop/customer-orders/101", "incrementId": "101"},
    }


def test_an_order_by_the_iri_its_purchase_gives(api: Api) -> None:
    purchase = node(api, "/api/shop/customer-downloadable-products/1")
    assert purchase is not None

    assert node(api, purchase["order"]["id"]) == {
        "__typename": "CustomerOrder",
        "id": "/api/shop/customer-orders/101",
        "_id": 101,
        "incrementId": "101",
        "grandTotal": 29.99,
    }


@pytest.mark.parametrize(
    "iri",
    [
        pytest.param("/api/shop/customer-downloadable-products/14", id="johns-purchase"),
        pytest.param("/api/shop/customer-orders/110", id="johns-order"),
        pytest.param("/api/shop/customer-orders/113", id="suspended-customers-order"),
        pytest.param("/api/shop/customer-downloadable-products/99", id="missing-purchase"),
        pytest.param("/api/shop/customer-orders/999", id="missing-order"),
        pytest.param("/api/shop/customer-orders/99999999999999999999", id="beyond-any-row"),
        pytest.param("1", id="a-number-is-not-an-iri"),
        pytest.param("/api/shop/customers/1", id="a-resource-not-served"),
        pytest.param("/api/shop/customer-downloadable-products/1/download", id="not-an-iri"),
        pytest.param("", id="empty"),
    ],
)
def test_anything_not_the_customers_is_null(api: Api, iri: str) -> None:
    assert node(api, iri) is None


def test_another_customers_order_reads_exactly_like_a_missing_one(api: Api) -> None:
    # 110 is John's; 199 does not exist. Same number of digits, so same length too.
    theirs = api.bagisto(NODE, {"id": "/api/shop/customer-orders/110"})
    missing = api.bagisto(NODE, {"id": "/api/shop/customer-orders/199"})

    assert theirs.content == missing.content == b'{"data":{"node":null}}'


def test_each_customer_sees_their_own(api: Api) -> None:
    johns = node(api, "/api/shop/customer-orders/110", token=api.demo.JOHN_TOKEN)

    assert johns is not None and johns["incrementId"] == "110"


def test_node_needs_a_signed_in_customer(api: Api) -> None:
    response = api.bagisto(NODE, {"id": "/api/shop/customer-orders/101"}, token=None)

    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"status": 403}
    assert response.json()["data"] == {"node": None}


def test_node_is_not_magentos(api: Api) -> None:
    response = api.magento(NODE, {"id": "/api/shop/customer-orders/101"}, token=api.demo.JANE_TOKEN)

    assert response.status_code == 400
