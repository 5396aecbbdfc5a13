"""Schemathesis against the live REST paths: every response, to valid and to invalid
requests, must be what /api/openapi.json promises (a documented status, its content type,
headers and body schema), and none may be a 5xx."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode

from app.application import create_app
from app.rest.openapi import OPENAPI_PATH
from app.rest.routes import COLLECTION_PATH, ITEM_PATH
from app.settings import Settings
from fixtures import bagisto

# The credentials below are Bagisto's demo ones.
pytestmark = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")

# Jane, so that valid requests reach real rows; schemathesis's `ignored_auth` check also
# sends every request without them, and expects a refusal.
HEADERS = {"Authorization": f"Bearer {bagisto.JANE_TOKEN}", "X-STOREFRONT-KEY": bagisto.SHOP_KEY}

# The same examples every run: a failure here is a regression, never bad luck.
FUZZ = hypothesis.settings(max_examples=100, derandomize=True, database=None, deadline=None)


@pytest.fixture(scope="module")
def rest_schema(settings: Settings) -> schemathesis.BaseSchema:
    # Loaded from the live app, not from docs/openapi.json. Schemathesis runs the app's
    # lifespan and every request on one event loop of its own, so the database pool is
    # opened on the loop that serves the requests; its pytest plugin ends the lifespan after
    # each test, and the next request starts it again. (`schemathesis.pytest.from_fixture`
    # would be the usual way, but it fails on pytest 9.2, which dropped `Node._nodeid`.)
    schema = schemathesis.openapi.from_asgi(OPENAPI_PATH, create_app(settings))
    # Query parameters the document does not name are ignored, as Laravel ignores them (and
    # tests/test_rest.py checks): sending them proves nothing about negative data.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("path", [COLLECTION_PATH, ITEM_PATH], ids=["collection", "item"])
def test_rest_responses_conform_to_the_openapi_document(
    rest_schema: schemathesis.BaseSchema, path: str, mode: GenerationMode
) -> None:
    @hypothesis.seed(20250615)
    @FUZZ
    @hypothesis.given(case=rest_schema[path]["GET"].as_strategy(mode))
    def fuzz(case: schemathesis.Case) -> None:
        # All of schemathesis's checks: not_a_server_error, status_code_conformance,
        # content_type_conformance, response_headers_conformance,
        # response_schema_conformance, negative_data_rejection, ignored_auth, …
        case.call_and_validate(headers=HEADERS)

    fuzz()
