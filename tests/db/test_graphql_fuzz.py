"""Generated documents against both GraphQL paths: valid ones (every field and argument
the path's schema allows, any values), invalid ones, and the other platform's. Whatever
comes in, the answer is never a 5xx, and it is always GraphQL-shaped JSON, and it costs little CPU."""

from __future__ import annotations

import gc
import time

import hypothesis
import pytest
from graphql import print_schema
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries
from starlette.testclient import TestClient

from app.graphql.views import View, build_views
from resolvers import bindables
from tests.helpers import Api

VIEWS = build_views(bindables)
SDL = {view: print_schema(schema) for view, schema in VIEWS.items()}
# CPU for one request, both ends of it and whatever else this process does meanwhile:
# looser than the live suite's 50 ms for the server alone (tests/test_hostile.py), tight
# enough for anything that grows faster than the document (those cost seconds).
CPU_BUDGET = 0.15
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
        started = time.process_time()  # the app runs in this process: client and server
        if as_get:
            response = client.get(path, params={"query": query}, headers=headers)
        else:
            response = client.post(path, json={"query": query}, headers=headers)
        cost = time.process_time() - started
        assert cost < CPU_BUDGET, (cost, query)
        assert response.status_code < 500, (query, response.text)
        body = response.json()
        assert "data" in body or "errors" in body, (query, body)
        for error in body.get("errors") or []:
            assert error["message"] != "Internal server error", (query, body)

    # The test process holds far more than a server would: keep full garbage collections
    # of it out of what one request is charged.
    gc.collect()
    gc.freeze()
    try:
        fuzz()
    finally:
        gc.unfreeze()
