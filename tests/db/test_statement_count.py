"""SQL statements per request: counted, not timed. A regression to N+1 fails here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers import Api, data_of

NODE = "_id productName status remainingDownloads downloadUrl createdAt order { _id incrementId grandTotal }"


@pytest.fixture(scope="module")
def counted_api(make_api: Callable[..., Api]) -> Api:
    # One app for the module: every app a test run starts keeps its pool open to the end.
    api = make_api()
    api.bagisto("{ __typename }")  # warm the storefront key cache
    return api


def statements(api: Api) -> int:
    """Statements the app's database has run so far."""
    return api.client.app.state.database.statements  # type: ignore[attr-defined,no-any-return]


@pytest.fixture(scope="module")
def count_statements(counted_api: Api) -> Callable[..., int]:
    api = counted_api

    def count(query: str, *, magento: bool = False) -> int:
        before = statements(api)
        if magento:
            data_of(api.magento(query, token=api.demo.JANE_TOKEN))
        else:
            data_of(api.bagisto(query))
        return statements(api) - before

    return count


bagisto_only = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")


@pytest.mark.parametrize(
    ("query", "statements"),
    [
        pytest.param(f"{{ customerDownloadableProducts(first: 10) {{ edges {{ cursor node {{ {NODE} }} }} pageInfo {{ hasNextPage endCursor }} totalCount }} }}", 1, id="page-with-total"),
        pytest.param(f"{{ customerDownloadableProducts(first: 10) {{ edges {{ node {{ {NODE} }} }} }} }}", 1, id="page-alone"),
        pytest.param(f"{{ customerDownloadableProducts(first: 10) {{ edges {{ node {{ {NODE} }} }} pageInfo {{ hasNextPage hasPreviousPage }} }} }}", 1, id="page-info-needs-no-count"),
        pytest.param("{ customerDownloadableProducts { totalCount } }", 1, id="total-alone"),
        pytest.param(f"{{ customerDownloadableProducts(last: 3) {{ edges {{ node {{ {NODE} }} }} }} }}", 2, id="last-needs-the-count"),
        pytest.param("{ customerDownloadableProducts(last: 3) { edges { node { _id } } totalCount } }", 2, id="last-count-shared"),
        pytest.param("{ customerDownloadableProducts(first: 2) { ...page } } fragment page on CustomerDownloadableProductCursorConnection { edges { node { _id } } totalCount }", 1, id="page-with-total-in-a-fragment"),
        pytest.param('{ customerDownloadableProducts(first: 2, after: "OTk5") { edges { node { _id } } totalCount } }', 1, id="past-the-end-with-total"),
        pytest.param('{ node(id: "/api/shop/customer-downloadable-products/1") { id } }', 1, id="node-purchase"),
        pytest.param('{ node(id: "/api/shop/customer-orders/101") { id } }', 2, id="node-order"),
        pytest.param('{ node(id: "/api/shop/customers/1") { id } }', 1, id="node-of-another-kind"),
        pytest.param(f'{{ customerDownloadableProduct(id: "1") {{ {NODE} }} }}', 1, id="single-item"),
        pytest.param('{ a: customerDownloadableProduct(id: "1") { _id } b: customerDownloadableProduct(id: "2") { _id } }', 2, id="token-checked-once-per-request"),
    ],
)  # fmt: skip
def test_statements_per_request(
    count_statements: Callable[..., int], query: str, statements: int
) -> None:
    assert count_statements(query) == statements


def test_magento_items_are_one_statement_with_the_token(
    count_statements: Callable[..., int],
) -> None:
    query = "{ customerDownloadableProducts { items { date status download_url title } } }"

    assert count_statements(query, magento=True) == 1


def test_statements_do_not_grow_with_the_page_size(count_statements: Callable[..., int]) -> None:
    query = "{{ customerDownloadableProducts(first: {n}) {{ edges {{ node {{ {node} }} }} totalCount }} }}"

    assert {count_statements(query.format(n=n, node=NODE)) for n in (1, 5, 12)} == {1}


@bagisto_only
def test_storefront_key_is_read_once_then_cached(make_api: Callable[..., Api]) -> None:
    api = make_api()
    database = api.client.app.state.database  # type: ignore[attr-defined]

    before = database.statements
    api.bagisto("{ __typename }")
    api.bagisto("{ __typename }")

    assert database.statements - before == 1


@bagisto_only
def test_storefront_key_cache_can_be_turned_off(make_api: Callable[..., Api]) -> None:
    api = make_api(storefront_key_cache_seconds=0)
    database = api.client.app.state.database  # type: ignore[attr-defined]

    before = database.statements
    api.bagisto("{ __typename }")
    api.bagisto("{ __typename }")

    assert database.statements - before == 2


@pytest.mark.parametrize(
    "query",
    [
        pytest.param('{ customerDownloadableProduct(id: "999999") { _id } }', id="missing-item"),
        pytest.param(
            '{ node(id: "/api/shop/customer-downloadable-products/999999") { id }'
            ' customerDownloadableProduct(id: "999999") { _id } }',
            id="missing-node-and-item",
        ),
    ],
)
def test_an_answer_with_an_error_looks_each_row_up_once(counted_api: Api, query: str) -> None:
    # An error abandons the compiled plan and graphql-core works the answer out again
    # (app/graphql/execution/runner.py): the lookups it repeats must not reach the database twice.
    for _ in range(3):  # the first two runs build the plan
        before = statements(counted_api)
        response = counted_api.bagisto(query)
        assert "errors" in response.json()
        assert statements(counted_api) - before == 1  # the token with the purchase


@bagisto_only
def test_a_rate_limited_key_counts_the_customer_its_first_read_checked(
    make_api: Callable[..., Api],
) -> None:
    api = make_api()
    limited = api.demo.LIMITED_KEY
    api.bagisto("{ __typename }", key=limited)  # the key, cached
    database = api.client.app.state.database  # type: ignore[attr-defined]

    before = database.statements
    data_of(api.bagisto("{ customerDownloadableProducts { totalCount } }", key=limited))

    # The token with the count, then the allowance spent: one statement, as on a key
    # without a limit.
    assert database.statements - before == 1


def test_a_page_past_the_end_still_brings_the_count(counted_api: Api) -> None:
    # The page and the count share one statement: an empty page must not lose the count.
    query = "{ customerDownloadableProducts(first: 2, after: $after) { edges { node { _id } } totalCount } }"
    everything = data_of(counted_api.bagisto(query.replace("$after", '"MA=="')))
    past = data_of(counted_api.bagisto(query.replace("$after", '"OTk5"')))  # offset 999

    total = everything["customerDownloadableProducts"]["totalCount"]
    assert total == 12  # Jane's twelve purchases (fixtures/bagisto.py)
    assert past["customerDownloadableProducts"] == {"edges": [], "totalCount": 12}
