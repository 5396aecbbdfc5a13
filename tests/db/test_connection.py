"""customerDownloadableProducts as a Relay connection: every argument combination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.domain.pagination import encode_cursor
from tests.helpers import DEFAULT, Api, Default, data_of

# Jane's purchases, newest first: offset 0 is purchase 15.
JANE = [15, 13, 12, 11, 10, 9, 7, 6, 5, 3, 2, 1]

QUERY = """
query Page($first: Int, $last: Int, $after: String, $before: String, $status: String) {
  customerDownloadableProducts(
    first: $first, last: $last, after: $after, before: $before, status: $status
  ) {
    edges { cursor node { _id status } }
    pageInfo { startCursor endCursor hasNextPage hasPreviousPage }
    totalCount
  }
}
"""


def page(api: Api, token: str | Default = DEFAULT, **arguments: Any) -> dict[str, Any]:
    return data_of(api.bagisto(QUERY, arguments, token=token))["customerDownloadableProducts"]


def ids(products: dict[str, Any]) -> list[int]:
    return [edge["node"]["_id"] for edge in products["edges"]]


def offsets(products: dict[str, Any]) -> list[int]:
    return [JANE.index(purchase_id) for purchase_id in ids(products)]


def assert_cursors_are_offsets(products: dict[str, Any]) -> None:
    assert [edge["cursor"] for edge in products["edges"]] == [
        encode_cursor(offset) for offset in offsets(products)
    ]


@pytest.mark.parametrize(
    ("arguments", "window", "has_previous", "has_next"),
    [
        pytest.param({}, (0, 10), False, True, id="no-arguments-default-page"),
        pytest.param({"first": 5}, (0, 5), False, True, id="first"),
        pytest.param({"first": 12}, (0, 12), False, False, id="first-exactly-all"),
        pytest.param({"first": 100}, (0, 12), False, False, id="first-more-than-all"),
        pytest.param({"first": 5, "after": "NA=="}, (5, 10), True, True, id="first-after"),
        pytest.param({"first": 5, "after": "OQ=="}, (10, 12), True, False, id="first-after-last-page"),
        pytest.param({"after": "MQ=="}, (2, 12), True, False, id="after-alone-default-size"),
        pytest.param({"last": 3}, (9, 12), True, False, id="last-alone-takes-the-end"),
        pytest.param({"last": 20}, (0, 12), False, False, id="last-more-than-all"),
        pytest.param({"last": 3, "before": "MTA="}, (7, 10), True, True, id="last-before"),
        pytest.param({"last": 3, "before": "Mg=="}, (0, 2), False, True, id="last-before-near-start"),
        pytest.param({"before": "MTE="}, (1, 11), True, True, id="before-alone-default-size"),
        pytest.param({"first": 2, "before": "Mw=="}, (0, 2), False, True, id="first-before"),
        pytest.param({"last": 2, "after": "Nw=="}, (10, 12), True, False, id="last-after"),
    ],
)  # fmt: skip
def test_window(
    api: Api,
    arguments: dict[str, Any],
    window: tuple[int, int],
    has_previous: bool,
    has_next: bool,
) -> None:
    products = page(api, **arguments)

    start, stop = window
    assert ids(products) == JANE[start:stop]
    assert_cursors_are_offsets(products)
    assert products["pageInfo"] == {
        "startCursor": encode_cursor(start),
        "endCursor": encode_cursor(stop - 1),
        "hasPreviousPage": has_previous,
        "hasNextPage": has_next,
    }
    assert products["totalCount"] == 12


@pytest.mark.parametrize(
    ("arguments", "has_previous", "has_next"),
    [
        pytest.param({"first": 0}, False, True, id="first-zero"),
        pytest.param({"before": "MA=="}, False, True, id="before-the-first"),
        pytest.param({"after": "MTE="}, True, False, id="after-the-last"),
        pytest.param({"after": "MTAw"}, True, False, id="after-past-the-end"),
    ],
)
def test_empty_window(
    api: Api, arguments: dict[str, Any], has_previous: bool, has_next: bool
) -> None:
    products = page(api, **arguments)

    assert products["edges"] == []
    assert products["pageInfo"] == {
        "startCursor": None,
        "endCursor": None,
        "hasPreviousPage": has_previous,
        "hasNextPage": has_next,
    }


def test_customer_without_purchases_gets_an_empty_connection(api: Api) -> None:
    assert page(api, token=api.demo.EMMA_TOKEN) == {
        "edges": [],
        "pageInfo": {
            "startCursor": None,
            "endCursor": None,
            "hasNextPage": False,
            "hasPreviousPage": False,
        },
        "totalCount": 0,
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("available", [15, 12, 10, 9, 3, 2, 1]),
        ("expired", [13, 6, 5]),
        ("pending", [11, 7]),
    ],
)
def test_status_filter_applies_to_edges_and_total(
    api: Api, status: str, expected: list[int]
) -> None:
    products = page(api, status=status, first=100)

    assert ids(products) == expected
    assert {edge["node"]["status"] for edge in products["edges"]} == {status}
    assert products["totalCount"] == len(expected)


def test_status_filter_pages_within_the_filtered_list(api: Api) -> None:
    second = page(api, status="available", first=3, after="Mg==")

    assert ids(second) == [9, 3, 2]
    assert second["pageInfo"]["startCursor"] == "Mw=="
    assert second["pageInfo"]["hasNextPage"] is True


def test_paging_forward_by_end_cursor_visits_every_purchase_once(api: Api) -> None:
    seen: list[int] = []
    arguments: dict[str, Any] = {"first": 5}
    while True:
        products = page(api, **arguments)
        seen += ids(products)
        if not products["pageInfo"]["hasNextPage"]:
            break
        arguments = {"first": 5, "after": products["pageInfo"]["endCursor"]}

    assert seen == JANE


def test_paging_backward_by_start_cursor_visits_every_purchase_once(api: Api) -> None:
    seen: list[int] = []
    arguments: dict[str, Any] = {"last": 5}
    while True:
        products = page(api, **arguments)
        seen = ids(products) + seen
        if not products["pageInfo"]["hasPreviousPage"]:
            break
        arguments = {"last": 5, "before": products["pageInfo"]["startCursor"]}

    assert seen == JANE


def test_cursor_from_the_real_platform_keeps_working(api: Api) -> None:
    # API Platform's cursor for offset 4 is base64("4"); the next page starts at 5.
    assert ids(page(api, first=1, after="NA==")) == [JANE[5]]


def test_another_customers_list_is_their_own(api: Api) -> None:
    assert ids(page(api, token=api.demo.JOHN_TOKEN)) == [16, 14, 8, 4]


INVALID = [
    pytest.param({"first": 1001}, 'Argument "first" must be between 0 and 1000, got 1001.', id="first-too-big"),
    pytest.param({"first": -1}, 'Argument "first" must be between 0 and 1000, got -1.', id="first-negative"),
    pytest.param({"last": 1001}, 'Argument "last" must be between 0 and 1000, got 1001.', id="last-too-big"),
    pytest.param({"last": -5}, 'Argument "last" must be between 0 and 1000, got -5.', id="last-negative"),
    pytest.param({"first": 1, "last": 1}, 'Use either "first" or "last", not both.', id="first-and-last"),
    pytest.param({"after": "MA==", "before": "MQ=="}, 'Use either "after" or "before", not both.', id="after-and-before"),
    pytest.param({"after": "not base64!"}, "Cursor not base64! is invalid", id="cursor-not-base64"),
    pytest.param({"after": "YWJj"}, "Cursor YWJj is invalid", id="cursor-not-a-number"),
    pytest.param({"before": "LTE="}, "Cursor LTE= is invalid", id="cursor-negative"),
    pytest.param({"after": "OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}, "Cursor OTk5OTk5OTk5OTk5OTk5OTk5OTk5 is invalid", id="cursor-huge"),
    pytest.param({"after": ""}, "Empty cursor is invalid", id="cursor-empty"),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "message"), INVALID)
def test_refused_argument_is_a_bagisto_400_error(
    api: Api, arguments: dict[str, Any], message: str
) -> None:
    response = api.bagisto(QUERY, arguments)

    assert response.status_code == 200
    assert response.json() == {
        "data": {"customerDownloadableProducts": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 3, "column": 3}],
                "path": ["customerDownloadableProducts"],
                "extensions": {"status": 400},
            }
        ],
    }


def test_the_connection_is_not_magentos_and_fails_validation_on_its_path(api: Api) -> None:
    response = api.magento(QUERY, {"first": 5}, token=api.demo.JANE_TOKEN)

    assert response.status_code == 400
    messages = [error["message"].split(" Did you mean")[0] for error in response.json()["errors"]]
    assert "Unknown argument 'first' on field 'Query.customerDownloadableProducts'." in messages
    assert "Cannot query field 'edges' on type 'CustomerDownloadableProducts'." in messages


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param("available", [15, 12, 10, 9, 3, 2, 1], id="lower-case"),
        pytest.param("AVAILABLE", [15, 12, 10, 9, 3, 2, 1], id="upper-case"),
        pytest.param("Expired", [13, 6, 5], id="mixed-case"),
        pytest.param("pending", [11, 7], id="pending"),
    ],
)
def test_status_matches_in_any_case(api: Api, status: str, expected: list[int]) -> None:
    products = page(api, first=20, status=status)

    assert ids(products) == expected
    assert products["totalCount"] == len(expected)


@pytest.mark.parametrize(
    "status",
    [
        pytest.param("shipped", id="unknown"),
        pytest.param("pending_payment", id="magento-never-lists-it"),
        pytest.param("payment_review", id="magento-never-lists-it-either"),
        pytest.param("", id="empty"),
        pytest.param(" available", id="padded"),
    ],
)
def test_a_value_that_is_not_a_status_lists_nothing(api: Api, status: str) -> None:
    products = page(api, first=20, status=status)

    assert products == {
        "edges": [],
        "pageInfo": {
            "startCursor": None,
            "endCursor": None,
            "hasNextPage": False,
            "hasPreviousPage": False,
        },
        "totalCount": 0,
    }


def test_the_default_page_size_cap_lets_a_storefront_jump_far(api: Api) -> None:
    products = page(api, first=1000)

    assert ids(products) == JANE
    assert products["pageInfo"]["hasNextPage"] is False


def test_page_size_cap_is_configurable(make_api: Callable[..., Api]) -> None:
    api = make_api(max_page_size=5, default_page_size=2)

    assert len(page(api)["edges"]) == 2
    assert len(page(api, first=5)["edges"]) == 5
    response = api.bagisto(QUERY, {"first": 6})
    assert response.json()["errors"][0]["message"] == (
        'Argument "first" must be between 0 and 5, got 6.'
    )
