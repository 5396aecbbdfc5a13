"""The requests the bench sends: the same bytes to the service, the floor and the peer.

The GraphQL documents are files in bench/documents/ (the executor's differential tests
read them too, as data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.dataset import (
    LARGE_CUSTOMER,
    LARGE_CUSTOMERS,
    MAGENTO_CUSTOMERS,
    SMALL_CUSTOMERS,
    STOREFRONT_KEY,
    Dataset,
    token_for,
)

DOCUMENTS = Path(__file__).resolve().parent / "documents"
PURCHASE_IRI = "/api/shop/customer-downloadable-products/"


def document(name: str) -> str:
    return (DOCUMENTS / f"{name}.graphql").read_text().strip()


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    # One request per customer, sent in turn: several customers' tokens and rows.
    requests: list[HttpRequest]


def graphql(path: str, name: str, variables: dict[str, Any] | None, customer: int) -> HttpRequest:
    """A storefront's POST: its key, a customer's token, the document, an operationName."""
    query = document(name)
    body: dict[str, Any] = {"query": query, "operationName": query.split()[1].split("(")[0]}
    if variables:
        body["variables"] = variables
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {token_for(customer)}",
        "X-STOREFRONT-KEY": STOREFRONT_KEY,
    }
    return HttpRequest("POST", path, headers, json.dumps(body, separators=(",", ":")))


def list_request(customer: int) -> HttpRequest:
    return graphql("/api/graphql", "list", {"first": 10}, customer)


def item_request(customer: int, purchase_id: int) -> HttpRequest:
    return graphql("/api/graphql", "item", {"id": f"{PURCHASE_IRI}{purchase_id}"}, customer)


def items_request(customer: int) -> HttpRequest:
    return graphql("/graphql", "magento-items", None, customer)


def scenarios(data: Dataset) -> list[Scenario]:
    """The measured scenarios, in report order: the four the targets name."""

    def middle(customer: int) -> int:
        ids = data.purchase_ids[customer]
        return ids[len(ids) // 2]

    return [
        Scenario(
            "list-small",
            "Bagisto list, first: 10, every node field, pageInfo, totalCount; 3 purchases",
            [list_request(customer) for customer in SMALL_CUSTOMERS],
        ),
        Scenario(
            "list-large",
            "the same query for customers with 5,000 purchases",
            [list_request(customer) for customer in LARGE_CUSTOMERS],
        ),
        Scenario(
            "item",
            "customerDownloadableProduct(id: IRI), every field; 5,000-purchase customers",
            [item_request(customer, middle(customer)) for customer in LARGE_CUSTOMERS],
        ),
        Scenario(
            "magento-items",
            "POST /graphql, Magento's items query; customers with 20 purchases",
            [items_request(customer) for customer in MAGENTO_CUSTOMERS],
        ),
    ]


def soak_requests(customers: range) -> list[HttpRequest]:
    """The soak's mix: every scenario's shape over many customers' tokens, so that no
    single row stays hot."""
    mixed: list[HttpRequest] = []
    for customer in customers:
        mixed.append(list_request(customer))
        mixed.append(items_request(customer))
    mixed.append(list_request(LARGE_CUSTOMER))
    return mixed
