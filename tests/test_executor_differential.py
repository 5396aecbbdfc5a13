"""The compiled executor against graphql-core: the same documents, sent to two apps on
the same database (GRAPHQL_EXECUTOR=core and =compiled), must get byte-identical
answers, statuses included, on both paths and both sources. And the documents real
clients send must actually run from a plan, not fall back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any

import hypothesis
import pytest
from graphql import print_schema
from hypothesis_graphql import queries
from starlette.testclient import TestClient

from app.execution import ChunkedExecutionContext
from app.settings import SettingsError, load_settings
from app.views import build_views
from resolvers import bindables
from tests.corpus import WRITTEN, Case, cases, client_documents, suite_documents
from tests.helpers import graphql_handler, storefront_headers
from tests.test_responses import starlette_bytes

PATHS = ["/graphql", "/api/graphql"]


class Pair:
    """The two apps, and how to send a case to both."""

    def __init__(self, core: TestClient, compiled: TestClient, demo: ModuleType) -> None:
        self.core, self.compiled, self.demo = core, compiled, demo

    def outcomes(self, path: str) -> Counter[str]:
        handler = graphql_handler(self.compiled, path)
        return handler.execution_context_class.outcomes  # type: ignore[no-any-return]

    def send(self, path: str, case: Case, *, token: bool = True) -> tuple[str, str]:
        """Sends the case to both; returns (outcome of the compiled run, response text)
        after checking the two answers are the same bytes."""
        headers = {"X-Request-ID": "differential-test-0001"}
        if token:
            headers["Authorization"] = f"Bearer {self.demo.JANE_TOKEN}"
        if hasattr(self.demo, "SHOP_KEY"):
            headers["X-STOREFRONT-KEY"] = self.demo.SHOP_KEY
        body: dict[str, Any] = {"query": case.query}
        if case.operation_name:
            body["operationName"] = case.operation_name
        if case.variables is not None:
            body["variables"] = case.variables
        expected = self.core.post(path, json=body, headers=headers)
        # Twice: a plan is built the second time an operation runs.
        for _ in range(2):
            before = self.outcomes(path).copy()
            actual = self.compiled.post(path, json=body, headers=headers)
            outcome = ",".join(sorted((self.outcomes(path) - before).elements())) or "none"
            assert (actual.status_code, actual.content, actual.headers["content-type"]) == (
                expected.status_code,
                expected.content,
                expected.headers["content-type"],
            ), (case, expected.text, actual.text)
        # orjson wrote it: the bytes Starlette's json.dumps wrote before.
        assert actual.content == starlette_bytes(actual.json()), actual.text
        return outcome, actual.text


@pytest.fixture(scope="module")
def pair(make_client: Callable[..., TestClient], demo: ModuleType) -> Pair:
    return Pair(
        make_client(graphql_executor="core"), make_client(graphql_executor="compiled"), demo
    )


@pytest.fixture(scope="module")
def purchase_id(pair: Pair) -> int:
    """One of Jane's purchases, for the documents that take an id."""
    body = pair.core.post(
        "/api/graphql",
        json={"query": "{ customerDownloadableProducts(first: 1) { edges { node { _id } } } }"},
        headers=storefront_headers(pair.demo, pair.demo.JANE_TOKEN),
    ).json()
    return int(body["data"]["customerDownloadableProducts"]["edges"][0]["node"]["_id"])


def _run_all(
    pair: Pair, path: str, documents: list[tuple[str, str]], purchase_id: int
) -> Counter[str]:
    seen: Counter[str] = Counter()
    for origin, query in documents:
        for case in cases(origin, query, purchase_id):
            outcome, text = pair.send(path, case)
            seen[outcome] += 1
            if '"errors"' not in text and outcome != "none":
                # A clean answer worked out from a plan and then thrown away would be
                # a plan too cautious (or wrong): only graphql-core's own cases go to it.
                assert outcome != "abandoned", case
        if query.lstrip().startswith(("query", "{")):
            outcome, _ = pair.send(path, Case(origin, query, None, None), token=False)
            seen[outcome] += 1
    return seen


@pytest.mark.parametrize("path", PATHS)
def test_every_document_of_the_suite_answers_the_same(
    pair: Pair, path: str, purchase_id: int
) -> None:
    documents = suite_documents()
    assert len(documents) > 50  # the collection works

    seen = _run_all(pair, path, documents, purchase_id)

    # Each path runs the documents written for it; the others fail validation there.
    assert seen["plan"] >= 15, seen


@pytest.mark.parametrize("path", PATHS)
def test_written_documents_answer_the_same(pair: Pair, path: str, purchase_id: int) -> None:
    seen = _run_all(pair, path, [(f"written#{i}", q) for i, q in enumerate(WRITTEN)], purchase_id)

    assert seen["plan"] and seen["abandoned"] and seen["core"], seen


@pytest.mark.parametrize("path", PATHS)
def test_the_real_clients_documents_run_from_a_plan(
    pair: Pair, path: str, purchase_id: int
) -> None:
    documents = client_documents()
    assert len(documents) >= 6

    for origin, query in documents:
        for case in cases(origin, query, purchase_id):
            outcome, text = pair.send(path, case)
            if '"errors"' not in text:
                assert outcome == "plan", (case, outcome)


# Each path's own view: documents generated for the schema that path serves.
SDL = {view.path: print_schema(schema) for view, schema in build_views(bindables).items()}


@pytest.mark.parametrize("path", PATHS)
def test_generated_documents_answer_the_same(pair: Pair, path: str) -> None:
    @hypothesis.seed(20261129)
    @hypothesis.settings(
        max_examples=120,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(query=queries(SDL[path]))
    def generated(query: str) -> None:
        pair.send(path, Case("hypothesis", query, None, None))

    generated()


def test_graphql_executor_setting_picks_the_executor(pair: Pair) -> None:
    assert load_settings({}).graphql_executor == "compiled"
    assert load_settings({"GRAPHQL_EXECUTOR": " Core "}).graphql_executor == "core"
    with pytest.raises(SettingsError, match="GRAPHQL_EXECUTOR must be one of compiled, core"):
        load_settings({"GRAPHQL_EXECUTOR": "jit"})

    for path in PATHS:
        handler = graphql_handler(pair.core, path)
        assert handler.execution_context_class is ChunkedExecutionContext
        assert isinstance(pair.outcomes(path), Counter)
