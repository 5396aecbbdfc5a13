"""Cached documents: parsed and validated once, still refused every time they break a rule.
On the in-memory source (tests/fake.py), with each source's settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from graphql import validate

from tests import fake
from tests.helpers import Api, app_client, data_of, graphql_handler, storefront_headers

DEEP = "{ customerDownloadableProducts { edges { node { order { _id } } } } }"


@pytest.fixture
def make_api(source: str) -> Iterator[Callable[..., Api]]:
    """An `Api` on a started app with `source`'s settings, some changed, reading the in-memory
    source (with storefront keys where the source has them); it stops when the test ends."""
    with ExitStack() as started:

        def start(**changes: Any) -> Api:
            rows = fake.FakeSource(with_keys=source != "magento")
            client = app_client(fake=rows, source=source, **changes)
            return Api(started.enter_context(client), fake)

        yield start


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


def test_a_cached_document_still_fails_the_depth_rule(make_api: Callable[..., Api]) -> None:
    api = make_api(max_query_depth=2)

    responses = [api.bagisto(DEEP) for _ in range(3)]

    for response in responses:
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == "Max query depth should be 2 but got 3."


def test_a_cached_document_still_fails_the_complexity_rule(make_api: Callable[..., Api]) -> None:
    api = make_api(max_query_complexity=4)

    for _ in range(3):
        response = api.bagisto(DEEP)
        assert response.status_code == 400
        assert response.json()["errors"][0]["message"] == (
            "Max query complexity should be 4 but got 5."
        )


def test_variables_are_checked_on_every_request_of_a_cached_document(api: Api) -> None:
    query = "query ($first: Int) { customerDownloadableProducts(first: $first) { totalCount } }"

    assert data_of(api.bagisto(query, {"first": 1}))
    wrong = api.bagisto(query, {"first": "one"})
    assert wrong.status_code == 400
    assert "Variable '$first' got invalid value 'one'" in wrong.json()["errors"][0]["message"]
    refused = api.bagisto(query, {"first": 1001})
    assert refused.json()["errors"][0]["message"].startswith('Argument "first" must be between')


def test_the_same_query_is_parsed_and_validated_once(
    make_api: Callable[..., Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api()
    documents = graphql_handler(api.client, "/api/graphql").documents
    validations = []

    def counting_validate(*args: Any) -> Any:
        validations.append(args)
        return validate(*args)

    monkeypatch.setattr("app.graphql.documents.validate", counting_validate)

    for _ in range(5):
        data_of(api.bagisto("{ customerDownloadableProducts { totalCount } }"))

    assert documents.hits_and_misses() == (4, 1)
    assert len(validations) == 1


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_a_document_with_too_many_tokens_is_refused_before_it_is_parsed(
    make_api: Callable[..., Api], path: str
) -> None:
    api = make_api(max_query_tokens=100)
    query = "{ " + " ".join(f"a{n}: __typename" for n in range(40)) + " }"

    response = api.client.post(
        path, json={"query": query}, headers={"X-STOREFRONT-KEY": getattr(api.demo, "SHOP_KEY", "")}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Syntax Error: Document contains more than 100 tokens. Parsing aborted."
    )


def test_a_document_that_fails_to_parse_is_parsed_once(make_api: Callable[..., Api]) -> None:
    api = make_api()
    documents = graphql_handler(api.client, "/api/graphql").documents
    hits, misses = documents.hits_and_misses()

    answers = [api.bagisto("{ customerDownloadableProducts {") for _ in range(3)]

    assert [a.status_code for a in answers] == [400] * 3
    assert {a.text for a in answers} == {answers[0].text}
    assert documents.hits_and_misses() == (hits + 2, misses + 1)


@pytest.mark.parametrize("path", ["/graphql", "/api/graphql"])
def test_an_introspection_answer_is_executed_once_and_kept(
    make_api: Callable[..., Api], path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = make_api()
    handler = graphql_handler(api.client, path)
    executed = []
    execute = handler.execute_graphql_query

    async def counting_execute(*args: Any, **kwargs: Any) -> Any:
        executed.append(args[1]["query"])
        return await execute(*args, **kwargs)

    monkeypatch.setattr(handler, "execute_graphql_query", counting_execute)
    introspection = {"query": "query Types { __schema { types { name } } }"}

    answers = [api.client.post(path, json=introspection) for _ in range(3)]

    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(executed) == 1
    assert answers_kept(handler) == 1
    # With variables, or with a field that reads data, the answer is not the schema's alone.
    with_data = "{ __typename customerDownloadableProducts { __typename } }"
    headers = storefront_headers(api.demo, api.demo.JANE_TOKEN)
    for _ in range(2):
        with_variables = api.client.post(path, json={**introspection, "variables": {"n": 1}})
        reading_data = api.client.post(path, json={"query": with_data}, headers=headers)
        assert with_variables.status_code == reading_data.status_code == 200
    assert len(executed) == 5
    assert answers_kept(handler) == 1


def test_refused_introspection_is_not_kept(make_api: Callable[..., Api]) -> None:
    api = make_api(introspection=False)
    handler = graphql_handler(api.client, "/graphql")

    for _ in range(2):
        response = api.client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert response.status_code == 400

    assert answers_kept(handler) == 0


def answers_kept(handler: Any) -> int:
    """Introspection answers kept with the handler's documents."""
    entries = handler.documents.cache._entries.values()
    return sum(
        key[0] == "answer" for document, _ in entries for key in getattr(document, "derived", ())
    )
