"""The requests the bench sends: the same bytes to the service and to the floor."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from bench.dataset import (
    LARGE_CUSTOMER,
    MAGENTO_CUSTOMER,
    SMALL_CUSTOMER,
    STOREFRONT_KEY,
    Dataset,
    token_for,
)

ORDER_FIELDS = (
    "id _id incrementId status grandTotal baseGrandTotal subTotal orderCurrencyCode"
    " baseCurrencyCode channelName customerEmail customerFirstName customerLastName"
    " createdAt updatedAt"
)
# Every field a Bagisto storefront can read on a purchase (the Magento ones are left out).
NODE_FIELDS = (
    "id _id productName name url file fileName type downloadBought downloadUsed"
    " downloadCanceled status remainingDownloads downloadUrl customerId orderId orderItemId"
    f" order {{ {ORDER_FIELDS} }} createdAt updatedAt"
)
LIST_QUERY = (
    "query List($first: Int, $after: String) {"
    " customerDownloadableProducts(first: $first, after: $after) {"
    f" edges {{ cursor node {{ {NODE_FIELDS} }} }}"
    " pageInfo { startCursor endCursor hasNextPage hasPreviousPage }"
    " totalCount } }"
)
# Neither totalCount nor pageInfo: the target is two statements (token, page).
EDGES_QUERY = (
    "query Edges($first: Int) { customerDownloadableProducts(first: $first) {"
    f" edges {{ cursor node {{ {NODE_FIELDS} }} }} }} }}"
)
ITEM_QUERY = f"query Item($id: ID!) {{ customerDownloadableProduct(id: $id) {{ {NODE_FIELDS} }} }}"
# Magento PWA's own query (tests/spec/magento-list.graphql).
ITEMS_QUERY = (
    "query Items { customerDownloadableProducts { items {"
    " date download_url order_increment_id remaining_downloads status } } }"
)
REST_PATH = "/api/shop/customer-downloadable-products"
DEEP_OFFSET = 4980
PAGE_SIZES = (100, 1000)  # the long-page scenarios: CPU per node


def cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


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
    request: HttpRequest
    is_list: bool = False  # "the list query" of the targets (0.6 of the floor, p99 bound)
    statements_target: int = 3  # SQL statements per request the issue allows
    floor: bool = True  # whether the floor serves it (the edges-only probe has no floor)
    tags: tuple[str, ...] = field(default=())
    nodes: int = 0  # purchases in the answer: worker CPU per request against node count
    # Where it is loaded, when not at every concurrency of the run: the long pages are
    # about CPU per node, and 128 of them in flight would measure memory instead.
    concurrencies: tuple[int, ...] = ()


def graphql(path: str, query: str, variables: dict | None, token: str, key: bool) -> HttpRequest:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["X-STOREFRONT-KEY"] = STOREFRONT_KEY
    operation = query.split()[1].split("(")[0]
    body: dict = {"query": query, "operationName": operation}
    if variables:
        body["variables"] = variables
    return HttpRequest("POST", path, headers, json.dumps(body, separators=(",", ":")))


def rest(token: str, query: str = "") -> HttpRequest:
    headers = {"Authorization": f"Bearer {token}", "X-STOREFRONT-KEY": STOREFRONT_KEY}
    return HttpRequest("GET", REST_PATH + query, headers)


def list_request(customer: int, after: int | None = None, first: int = 10) -> HttpRequest:
    variables: dict = {"first": first}
    if after is not None:
        variables["after"] = cursor(after)
    return graphql("/api/graphql", LIST_QUERY, variables, token_for(customer), key=True)


def item_request(customer: int, purchase_id: int) -> HttpRequest:
    iri = f"{REST_PATH}/{purchase_id}"
    return graphql("/api/graphql", ITEM_QUERY, {"id": iri}, token_for(customer), key=True)


def items_request(customer: int) -> HttpRequest:
    # With the key: every path asks for it on a source with keys (contract section 6).
    return graphql("/graphql", ITEMS_QUERY, None, token_for(customer), key=True)


def scenarios(data: Dataset) -> list[Scenario]:
    """The measured scenarios, in report order."""
    large_ids = data.purchase_ids[LARGE_CUSTOMER]
    return [
        Scenario(
            "list-small",
            "Bagisto connection, first: 10, all node fields, pageInfo, totalCount;"
            " customer with 3 purchases",
            list_request(SMALL_CUSTOMER),
            is_list=True,
            nodes=3,
        ),
        Scenario(
            "list-large",
            "the same query for the customer with 5,000 purchases",
            list_request(LARGE_CUSTOMER),
            is_list=True,
            nodes=10,
        ),
        Scenario(
            "deep-page",
            f'the same query, 5,000-purchase customer, after: "{cursor(DEEP_OFFSET)}"'
            f" (offset {DEEP_OFFSET})",
            list_request(LARGE_CUSTOMER, after=DEEP_OFFSET),
            nodes=10,
        ),
        Scenario(
            "item",
            "customerDownloadableProduct(id: IRI), all fields; 5,000-purchase customer",
            item_request(LARGE_CUSTOMER, large_ids[len(large_ids) // 2]),
            statements_target=2,
            nodes=1,
        ),
        Scenario(
            "magento-items",
            "POST /graphql, Magento's items query; customer with 20 purchases",
            items_request(MAGENTO_CUSTOMER),
            statements_target=2,
            nodes=20,
        ),
        Scenario(
            "rest",
            f"GET {REST_PATH} (first page of 10); 5,000-purchase customer",
            rest(token_for(LARGE_CUSTOMER)),
            tags=("rest",),
            nodes=10,
        ),
        *(
            Scenario(
                f"page-{size}",
                f"the list query, first: {size}; 5,000-purchase customer",
                list_request(LARGE_CUSTOMER, first=size),
                nodes=size,
                concurrencies=(1, 8),
            )
            for size in PAGE_SIZES
        ),
    ]


def edges_only() -> Scenario:
    """Probe for the two-statement target; counted, not loaded."""
    return Scenario(
        "edges-only",
        "connection without totalCount or pageInfo; 5,000-purchase customer",
        graphql("/api/graphql", EDGES_QUERY, {"first": 10}, token_for(LARGE_CUSTOMER), key=True),
        statements_target=2,
        floor=False,
    )


def soak_requests(customers: range) -> list[HttpRequest]:
    """A mix for the soak: every scenario's shape, over many customers' tokens."""
    mixed: list[HttpRequest] = []
    for customer in customers:
        mixed.append(list_request(customer))
        mixed.append(items_request(customer))
        mixed.append(rest(token_for(customer)))
    mixed.append(list_request(LARGE_CUSTOMER, after=DEEP_OFFSET))
    return mixed
