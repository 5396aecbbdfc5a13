"""/graphql as gql, a GraphQL client nobody here wrote, sees it over a socket: it introspects
the schema, validates Magento's query against it and reads Magento's authorization error
(tests/db/test_magento.py has the rest of /graphql as a Magento PWA storefront sees it)."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

import fixtures
from app.settings import Settings
from tests import expected
from tests.db.test_magento import MAGENTO_QUERY, UNAUTHORIZED
from tests.helpers import storefront_headers
from tests.served import serving


@pytest.fixture(scope="module")
def live_graphql(settings: Settings) -> Iterator[str]:
    environment = {
        "DATABASE_URL": settings.database_url or "",
        "SOURCE": settings.source,
        "PUBLIC_BASE_URL": "https://shop.example.com",
        "MAGENTO_CRYPT_KEY": fixtures.magento.CRYPT_KEY,
    }
    with serving(environment) as base:
        yield f"{base}/graphql"


def gql_client(url: str, demo: ModuleType, token: str | None) -> Client:
    headers = storefront_headers(demo, token)
    return Client(
        transport=HTTPXTransport(url=url, headers=headers), fetch_schema_from_transport=True
    )


def test_gql_client_introspects_validates_and_runs_the_magento_query(
    live_graphql: str, demo: ModuleType, source: str
) -> None:
    with gql_client(live_graphql, demo, demo.JOHN_TOKEN) as session:
        result = session.execute(gql(MAGENTO_QUERY))
        assert session.client.schema is not None  # fetched by introspection, used to validate

    assert [
        item["remaining_downloads"] for item in result["customerDownloadableProducts"]["items"]
    ] == [expected.remaining_text(source, link_id) for link_id in (4, 8, 14, 16)]


def test_gql_client_refuses_a_query_the_introspected_schema_lacks(
    live_graphql: str, demo: ModuleType
) -> None:
    query = gql("{ customerDownloadableProducts { items { productName } } }")  # Bagisto's field

    with (
        gql_client(live_graphql, demo, demo.JOHN_TOKEN) as session,
        pytest.raises(Exception, match="productName"),
    ):
        session.execute(query)


def test_gql_client_sees_magentos_authorization_category(
    live_graphql: str, demo: ModuleType
) -> None:
    with (
        gql_client(live_graphql, demo, None) as session,
        pytest.raises(TransportQueryError) as error,
    ):
        session.execute(gql(MAGENTO_QUERY))

    assert error.value.errors == UNAUTHORIZED["errors"]
