"""Who may see what (docs/behaviour.md §6): customer tokens and storefront keys."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from app.sources.bagisto import BagistoSettings
from fixtures import bagisto
from tests.helpers import Api, data_of

# Sanctum tokens and storefront keys are Bagisto's; Magento's tokens: test_magento_tokens.py.
pytestmark = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

TOTAL = "{ customerDownloadableProducts { totalCount } }"
MAGENTO_ITEMS = "{ customerDownloadableProducts { items { status } } }"

UNAUTHENTICATED = {
    "data": {"customerDownloadableProducts": None},
    "errors": [
        {
            "message": "Unauthenticated. Please login to perform this action",
            "locations": [{"line": 1, "column": 3}],
            "path": ["customerDownloadableProducts"],
            "extensions": {"status": 403},
        }
    ],
}


def total(api: Api, token: str) -> int:
    return data_of(api.bagisto(TOTAL, token=token))["customerDownloadableProducts"]["totalCount"]


@pytest.mark.parametrize(
    ("token", "count"),
    [
        pytest.param(bagisto.JANE_TOKEN, 12, id="jane"),
        pytest.param(bagisto.JOHN_TOKEN, 4, id="john"),
        pytest.param(bagisto.EMMA_TOKEN, 0, id="customer-without-purchases"),
        pytest.param(bagisto.JANE_DATED_TOKEN, 12, id="expiry-in-the-future"),
        pytest.param(bagisto.JOHN_TOKEN.partition("|")[2], 4, id="secret-without-id-prefix"),
    ],
)
def test_valid_customer_token(api: Api, token: str, count: int) -> None:
    assert total(api, token) == count


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="no-token"),
        pytest.param("", id="empty-token"),
        pytest.param(bagisto.JANE_EXPIRED_TOKEN, id="expired"),
        pytest.param(bagisto.ADMIN_TOKEN, id="admin-token-for-the-same-number"),
        pytest.param(bagisto.SAM_TOKEN, id="suspended-customer"),
        pytest.param("1|" + "x" * 48, id="right-id-wrong-secret"),
        pytest.param("2|" + bagisto.JANE_TOKEN.partition("|")[2], id="secret-of-another-token"),
        pytest.param("404|" + "x" * 48, id="unknown-id"),
        pytest.param("abc|def", id="id-not-a-number"),
        pytest.param("1|", id="empty-secret"),
        pytest.param("99999999999999999999999|secret", id="id-beyond-bigint"),
        pytest.param("no-such-token", id="unknown-token-without-id"),
        pytest.param("1|" + "x" * 10_000, id="very-long-secret"),
    ],
)
def test_refused_customer_token_reads_as_unauthenticated(api: Api, token: str | None) -> None:
    response = api.bagisto(TOTAL, token=token)

    assert response.status_code == 200
    assert response.json() == UNAUTHENTICATED


def test_authorization_scheme_must_be_bearer(api: Api) -> None:
    response = api.client.post(
        "/api/graphql",
        json={"query": TOTAL},
        headers={
            "Authorization": f"Basic {bagisto.JANE_TOKEN}",
            "X-STOREFRONT-KEY": bagisto.SHOP_KEY,
        },
    )
    assert response.json() == UNAUTHENTICATED


def test_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = api.client.post(
        "/api/graphql",
        json={"query": TOTAL},
        headers={
            "Authorization": f"bearer {bagisto.JANE_TOKEN}",
            "X-STOREFRONT-KEY": bagisto.SHOP_KEY,
        },
    )
    assert data_of(response) == {"customerDownloadableProducts": {"totalCount": 12}}


def test_customer_model_is_configurable(make_client: Callable[..., TestClient]) -> None:
    # With the admin model configured, only admin tokens count as customers.
    api = Api(make_client(source_settings=BagistoSettings(customer_model=bagisto.ADMIN_MODEL)))

    assert total(api, bagisto.ADMIN_TOKEN) == 12
    assert api.bagisto(TOTAL, token=bagisto.JANE_TOKEN).json() == UNAUTHENTICATED


def key_error(message: str, error: str) -> dict:
    return {
        "message": message,
        "error": error,
        "header_name": "X-STOREFRONT-KEY",
        "key_type": "shop",
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }


MISSING_KEY = key_error("X-STOREFRONT-KEY header is required for this operation", "missing_key")
INVALID_KEY = key_error("Invalid API key", "invalid_key")


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_storefront_key(api: Api, key: str | None) -> None:
    response = api.bagisto(TOTAL, key=key)

    assert response.status_code == 401
    assert response.json() == MISSING_KEY


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("pk_storefront_nope", id="unknown"),
        pytest.param(bagisto.INACTIVE_KEY, id="inactive"),
        pytest.param(bagisto.EXPIRED_KEY, id="expired"),
        pytest.param(bagisto.DELETED_KEY, id="soft-deleted"),
        pytest.param(bagisto.ADMIN_KEY, id="admin-key"),
        pytest.param(bagisto.SHOP_KEY.upper(), id="different-case"),
        pytest.param(bagisto.OFFICE_KEY, id="address-not-allowed"),
    ],
)
def test_invalid_storefront_key(api: Api, key: str) -> None:
    response = api.bagisto(TOTAL, key=key)

    assert response.status_code == 401
    assert response.json() == INVALID_KEY


def test_invalid_key_is_refused_before_the_token_is_looked_at(api: Api) -> None:
    response = api.bagisto(TOTAL, key="pk_storefront_nope", token=None)

    assert response.status_code == 401
    assert response.json() == INVALID_KEY


@pytest.mark.parametrize(
    ("key", "client_ip", "allowed"),
    [
        pytest.param(bagisto.OFFICE_KEY, "10.0.0.5", True, id="json-list-allowed"),
        pytest.param(bagisto.OFFICE_KEY, "10.0.0.6", False, id="json-list-refused"),
        pytest.param(bagisto.LEGACY_IP_KEY, "10.0.0.7", True, id="comma-list-allowed"),
        pytest.param(bagisto.LEGACY_IP_KEY, "10.0.0.5", False, id="comma-list-refused"),
        pytest.param(bagisto.SHOP_KEY, "203.0.113.9", True, id="no-list-any-address"),
    ],
)
def test_storefront_key_allowed_addresses(
    make_client: Callable[..., TestClient], key: str, client_ip: str, allowed: bool
) -> None:
    response = Api(make_client(client_ip=client_ip)).bagisto(TOTAL, key=key)

    assert response.status_code == (200 if allowed else 401)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ __schema { queryType { name } } }", id="schema"),
        pytest.param('{ __type(name: "Query") { name } }', id="type"),
        pytest.param(
            "query Q { ...F } fragment F on Query { __schema { queryType { name } } }",
            id="through-a-fragment",
        ),
    ],
)
def test_introspection_needs_no_key_and_no_token(api: Api, query: str) -> None:
    response = api.bagisto(query, key=None, token=None)

    assert response.status_code == 200
    assert "errors" not in response.json()


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ __typename }", id="typename-alone"),
        pytest.param("{ __schema { queryType { name } } " + TOTAL[1:], id="introspection-and-data"),
        pytest.param(
            '{ customerDownloadableProducts(status: "__schema") { totalCount } }',
            id="__schema-in-a-string",
        ),
        pytest.param("{ __schema: customerDownloadableProducts { totalCount } }", id="alias"),
    ],
)
def test_only_pure_introspection_skips_the_key(api: Api, query: str) -> None:
    response = api.bagisto(query, key=None, token=None)

    assert response.status_code == 401
    assert response.json() == MISSING_KEY


def test_named_operation_decides_what_runs(api: Api) -> None:
    document = "query A { __schema { queryType { name } } } query B " + TOTAL
    assert api.bagisto(document, key=None, operationName="A").status_code == 200
    assert api.bagisto(document, key=None, operationName="B").status_code == 401


def test_an_unparseable_document_is_refused_before_the_key_is_looked_at(api: Api) -> None:
    response = api.bagisto("not even graphql __schema", key=None, token=None)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Syntax Error: Unexpected Name 'not'."


def test_magento_path_asks_for_the_storefront_key_on_a_source_that_has_keys(api: Api) -> None:
    # docs/behaviour.md §6: the key's status, IPs and rate limit must not be bypassed by a path.
    missing = api.magento(MAGENTO_ITEMS, token=bagisto.JANE_TOKEN, key=None)
    invalid = api.magento(MAGENTO_ITEMS, token=bagisto.JANE_TOKEN, key=bagisto.INACTIVE_KEY)
    introspection = api.magento("{ __schema { queryType { name } } }", key=None)
    served = api.magento(MAGENTO_ITEMS, token=bagisto.JANE_TOKEN)

    assert (missing.status_code, invalid.status_code) == (401, 401)
    assert missing.json() == {
        "errors": [
            {
                "message": "X-STOREFRONT-KEY header is required for this operation",
                "extensions": {"category": "graphql-authentication"},
            }
        ]
    }
    assert invalid.json()["errors"][0]["message"] == "Invalid API key"
    assert introspection.status_code == 200
    assert len(data_of(served)["customerDownloadableProducts"]["items"]) == 12


def test_store_scope_is_magentos_alone(api: Api) -> None:
    """Bagisto picks its channel by host and filters nothing by it (docs/behaviour.md §9): the
    `Store` and `Content-Currency` headers change nothing, and no store path is served."""
    headers = {"Store": "nope", "Content-Currency": "XYZ", "X-STOREFRONT-KEY": bagisto.SHOP_KEY}
    plain = api.bagisto(TOTAL)
    scoped = api.client.post(
        "/api/graphql",
        json={"query": TOTAL},
        headers={"Authorization": f"Bearer {bagisto.JANE_TOKEN}", **headers},
    )
    rest = api.client.get(
        "/api/shop/customer-downloadable-products/1",
        headers={"Authorization": f"Bearer {bagisto.JANE_TOKEN}", **headers},
    )

    assert scoped.json() == plain.json()
    assert rest.status_code == 200
    assert api.client.post("/fr/graphql", json={"query": TOTAL}, headers=headers).status_code == 404
    assert api.client.post("/default/graphql", json={"query": TOTAL}).status_code == 404
