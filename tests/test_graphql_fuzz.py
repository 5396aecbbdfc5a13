"""Generated documents against both GraphQL paths: valid ones (every field and argument
the path's schema allows, any values), invalid ones, and the other platform's. Whatever
comes in, the answer is never a 5xx, and it is always GraphQL-shaped JSON."""

from __future__ import annotations

import hypothesis
import pytest
from graphql import print_schema
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries
from starlette.testclient import TestClient

from app.views import View, build_views
from resolvers import bindables
from tests.helpers import Api

VIEWS = build_views(bindables)
SDL = {view: print_schema(schema) for view, schema in VIEWS.items()}
FUZZ = hypothesis.settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)


@pytest.mark.parametrize(
    ("path", "view", "mode"),
    [
        pytest.param("/graphql", View.MAGENTO, Mode.POSITIVE, id="/graphql-valid"),
        # Magento's root field takes no argument: nothing to get wrong but the fields, and
        # the other platform's documents get every one of them wrong.
        pytest.param("/graphql", View.BAGISTO, Mode.POSITIVE, id="/graphql-bagistos"),
        pytest.param("/api/graphql", View.BAGISTO, Mode.POSITIVE, id="/api/graphql-valid"),
        pytest.param("/api/graphql", View.BAGISTO, Mode.NEGATIVE, id="/api/graphql-invalid"),
        pytest.param("/api/graphql", View.MAGENTO, Mode.POSITIVE, id="/api/graphql-magentos"),
    ],
)
def test_no_generated_document_gets_a_server_error(
    api: Api, path: str, view: View, mode: Mode
) -> None:
    key = {"X-STOREFRONT-KEY": api.demo.SHOP_KEY} if hasattr(api.demo, "SHOP_KEY") else {}
    headers = {"Authorization": f"Bearer {api.demo.JANE_TOKEN}", **key}
    client: TestClient = api.client

    @hypothesis.seed(20251125)
    @FUZZ
    @hypothesis.given(query=queries(SDL[view], mode=mode), as_get=st.booleans())
    def fuzz(query: str, as_get: bool) -> None:
        if as_get:
            response = client.get(path, params={"query": query}, headers=headers)
        else:
            response = client.post(path, json={"query": query}, headers=headers)
        assert response.status_code < 500, (query, response.text)
        body = response.json()
        assert "data" in body or "errors" in body, (query, body)
        for error in body.get("errors") or []:
            assert error["message"] != "Internal server error", (query, body)

    fuzz()
