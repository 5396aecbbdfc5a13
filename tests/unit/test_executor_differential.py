"""The compiled executor against graphql-core, on the in-memory source (the unit tier):
the same requests, sent to two apps (GRAPHQL_EXECUTOR=core and =compiled), must get
byte-identical answers, statuses included, on both paths, on a document's first, second
and later runs, whatever other documents came before. And the documents real clients
send must actually run from a plan, not fall back."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
    print_schema,
)
from hypothesis import strategies as st
from hypothesis_graphql import queries
from starlette.testclient import TestClient

from app.graphql.execution.chunked import ChunkedExecutionContext
from app.graphql.views import build_views
from app.settings import SettingsError, load_settings
from resolvers import bindables
from tests import fake
from tests.corpus import WRITTEN, Case, cases, client_documents, suite_documents
from tests.helpers import app_client, graphql_handler, starlette_bytes

PATHS = ["/graphql", "/api/graphql"]
STATUSES = ("available", "expired", "pending", "AVAILABLE")
HEADERS = {
    "X-Request-ID": "differential-test-0001",
    "X-STOREFRONT-KEY": fake.SHOP_KEY,
    "Authorization": f"Bearer {fake.JANE_TOKEN}",
}


def source() -> fake.FakeSource:
    """Jane's purchases in every status, and another customer's."""
    rows = [fake.purchase(n, status=STATUSES[n % 3]) for n in range(1, 13)]
    return fake.FakeSource(rows=[*rows, fake.purchase(99, customer_id=2)])


class Pair:
    """The two apps, and how to send a request to both."""

    def __init__(self, core: TestClient, compiled: TestClient) -> None:
        self.core, self.compiled = core, compiled

    @property
    def stats(self) -> Any:
        return graphql_handler(self.compiled, "/graphql").execution_context_class.stats

    def send(
        self, path: str, case: Case, *, token: bool = True, runs: int = 3
    ) -> tuple[list[str], str]:
        """Sends the case to graphql-core once and to the compiled executor `runs` times
        (a plan is built the second time a document runs), checking each answer is the
        same bytes; returns how each compiled run went, and the answer."""
        headers = dict(HEADERS)
        if not token:
            del headers["Authorization"]
        body: dict[str, Any] = {"query": case.query}
        if case.operation_name:
            body["operationName"] = case.operation_name
        if case.variables is not None:
            body["variables"] = case.variables
        expected = self.core.post(path, json=body, headers=headers)
        outcomes = []
        for _ in range(runs):
            before = self.stats.outcomes.copy()
            actual = self.compiled.post(path, json=body, headers=headers)
            outcomes.append(",".join(sorted((self.stats.outcomes - before).elements())) or "none")
            assert (actual.status_code, actual.content, actual.headers["content-type"]) == (
                expected.status_code,
                expected.content,
                expected.headers["content-type"],
            ), (case, expected.text, actual.text)
        # orjson wrote it: the bytes Starlette's json.dumps wrote before.
        assert actual.content == starlette_bytes(actual.json()), actual.text
        return outcomes, actual.text


def app_on(executor: str) -> TestClient:
    return app_client(
        fake=source(), public_base_url="https://shop.example.com", graphql_executor=executor
    )


@contextmanager
def started_pair() -> Iterator[Pair]:
    """An app on each executor, each with the in-memory source's same rows."""
    with app_on("core") as core, app_on("compiled") as compiled:
        yield Pair(core, compiled)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    with started_pair() as pair:
        yield pair


def _run_all(pair: Pair, path: str, documents: list[tuple[str, str]]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for origin, query in documents:
        for case in cases(origin, query, purchase_id=1):
            outcomes, text = pair.send(path, case)
            seen[outcomes[-1]] += 1
            if '"errors"' not in text and outcomes[-1] != "none":
                # A clean answer worked out from a plan and then thrown away would be
                # a plan too cautious (or wrong): only graphql-core's own cases go to it.
                assert "abandoned" not in outcomes, case
        if query.lstrip().startswith(("query", "{")):
            outcomes, _ = pair.send(path, Case(origin, query, None, None), token=False)
            seen[outcomes[-1]] += 1
    return seen


@pytest.mark.parametrize("half", [0, 1])  # two tests a path, for the unit tier's workers
@pytest.mark.parametrize("path", PATHS)
def test_every_document_of_the_suite_answers_the_same(pair: Pair, path: str, half: int) -> None:
    documents = suite_documents()
    assert len(documents) > 50  # the collection works

    seen = _run_all(pair, path, documents[half::2])

    # Each path runs the documents written for it; the others fail validation there.
    assert seen["plan"] >= 10, seen


@pytest.mark.parametrize("path", PATHS)
def test_written_documents_answer_the_same(pair: Pair, path: str) -> None:
    seen = _run_all(pair, path, [(f"written#{i}", q) for i, q in enumerate(WRITTEN)])

    assert seen["plan"] and seen["abandoned"] and seen["introspection"], seen


@pytest.mark.parametrize("path", PATHS)
def test_the_real_clients_documents_run_from_a_plan(pair: Pair, path: str) -> None:
    documents = client_documents()
    assert len(documents) >= 6

    for origin, query in documents:
        for case in cases(origin, query, purchase_id=1):
            outcomes, text = pair.send(path, case)
            if '"errors"' not in text:
                assert outcomes[1:] == ["plan", "plan"], (case, outcomes)


# One operation text, two fragments: the second document must never get the first's plan.
SHARED_OPERATION = {
    "/graphql": (
        "query Downloads { customerDownloadableProducts { items { ...P } } }\n",
        "fragment P on CustomerDownloadableProduct { download_url status date }",
        "fragment P on CustomerDownloadableProduct { download_url: status status: date }",
    ),
    "/api/graphql": (
        "query Downloads { customerDownloadableProducts(first: 3) { edges { node { ...P } } } }\n",
        "fragment P on CustomerDownloadableProduct { downloadUrl productName status }",
        "fragment P on CustomerDownloadableProduct { downloadUrl: fileName productName: status }",
    ),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("attacker_first", [True, False])
def test_documents_that_share_an_operation_each_get_their_own_answer(
    path: str, attacker_first: bool
) -> None:
    operation, real, forged = SHARED_OPERATION[path]
    order = [forged, real] if attacker_first else [real, forged]
    answers = {}

    with started_pair() as pair:
        for fragment in order * 2:
            case = Case(path, operation + fragment, None, None)
            outcomes, answers[fragment] = pair.send(path, case)
            assert outcomes[1:] == ["plan", "plan"]
        built = pair.stats.built

    assert answers[real] != answers[forged]
    assert built == 2


@pytest.mark.parametrize("path", PATHS)
def test_a_condition_without_a_value_answers_as_graphql_core_on_every_run(
    pair: Pair, path: str
) -> None:
    field = "items { status @include(if: $a) }" if path == "/graphql" else "totalCount"
    query = f"query ($a: Boolean = true) {{ customerDownloadableProducts {{ {field} }} }}"
    if path == "/api/graphql":
        query = query.replace("totalCount", "totalCount @include(if: $a) edges { cursor }")
    built = pair.stats.built

    outcomes, text = pair.send(path, Case("null", query, None, {"a": None}), runs=5)
    plain, _ = pair.send(path, Case("null", query, None, {"a": True}), runs=2)

    assert '"errors"' in text
    assert outcomes == ["first_sight"] + ["conditions"] * 4
    assert plain == ["plan", "plan"]  # the same plan serves the values it can
    assert pair.stats.built == built + 1


# graphql-core's own cases for @skip and @include (tests/execution/test_directives.py),
# on this schema's fields: on a field, a fragment spread, an inline fragment, an
# anonymous inline fragment, and both directives together.
DIRECTIVE_CASES = {
    "/graphql": [
        "query ($x: Boolean!) { customerDownloadableProducts { items { status date @DIR(if: $x) } } }",
        "query ($x: Boolean!) { customerDownloadableProducts { items { status ...F @DIR(if: $x) } } }"
        " fragment F on CustomerDownloadableProduct { date }",
        "query ($x: Boolean!) { customerDownloadableProducts { items { status"
        " ... on CustomerDownloadableProduct @DIR(if: $x) { date } } } }",
        "query ($x: Boolean!) { customerDownloadableProducts { items { status ... @DIR(if: $x) { date } } } }",
        "query ($x: Boolean!, $y: Boolean!) { customerDownloadableProducts { items"
        " { status date @include(if: $x) @skip(if: $y) } } }",
        "query ($x: Boolean!) { customerDownloadableProducts @DIR(if: $x) { items { status } } }",
    ],
    "/api/graphql": [
        "query ($x: Boolean!) { customerDownloadableProducts(first: 2) { totalCount @DIR(if: $x) } }",
        "query ($x: Boolean!) { customerDownloadableProducts(first: 2) { ...F @DIR(if: $x) totalCount } }"
        " fragment F on CustomerDownloadableProductCursorConnection { edges { cursor } }",
        "query ($x: Boolean!) { customerDownloadableProducts(first: 2) {"
        " ... on CustomerDownloadableProductCursorConnection @DIR(if: $x) { totalCount } } }",
        "query ($x: Boolean!) { customerDownloadableProducts(first: 2) { totalCount"
        " ... @DIR(if: $x) { edges { node { _id } } } } }",
        "query ($x: Boolean!, $y: Boolean!) { customerDownloadableProducts(first: 2)"
        " { totalCount @include(if: $x) @skip(if: $y) edges { cursor } } }",
        "query ($x: Boolean!) { customerDownloadableProducts(first: 2) { edges"
        " { node { _id order @DIR(if: $x) { _id } } } } }",
    ],
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("directive", ["skip", "include"])
def test_graphql_cores_directive_cases_answer_the_same(
    pair: Pair, path: str, directive: str
) -> None:
    for template in DIRECTIVE_CASES[path]:
        query = template.replace("DIR", directive)
        names = [n for n in ("x", "y") if f"${n}:" in query]
        literal = query.replace("$x", "true").replace("$y", "false")
        literal = literal.split(") {", 1)[1] if "query (" in literal else literal
        pair.send(path, Case("literal", "{" + literal, None, None))
        for values in itertools.product((True, False), repeat=len(names)):
            outcomes, _ = pair.send(
                path, Case("directive", query, None, dict(zip(names, values, strict=True)))
            )
            assert outcomes[-1] == "plan", (query, values, outcomes)


# Each path's own view: documents generated for the schema that path serves, then given
# @skip/@include on variables, repeated fields and inline fragments at random.
SDL = {view.path: print_schema(schema) for view, schema in build_views(bindables).items()}
VARIABLES = ("a", "b", "c")
ROOT_FIELDS = {
    "/graphql": ["customerDownloadableProducts"],
    "/api/graphql": ["customerDownloadableProducts", "customerDownloadableProduct"],
}


@st.composite
def with_conditions(draw: st.DrawFn, path: str) -> tuple[str, list[dict[str, Any]]]:
    # The purchase fields (`node` returns an interface, which graphql-core runs).
    document = parse(draw(queries(SDL[path], fields=ROOT_FIELDS[path])))
    used: set[str] = set()

    def condition() -> tuple[DirectiveNode, ...]:
        choice = draw(st.integers(0, 5))
        if choice < 3:
            return ()
        name = draw(st.sampled_from(VARIABLES))
        used.add(name)
        argument = ArgumentNode(
            name=NameNode(value="if"), value=VariableNode(name=NameNode(value=name))
        )
        kind = "include" if choice < 5 else "skip"
        return (DirectiveNode(name=NameNode(value=kind), arguments=(argument,)),)

    def rewrite(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        selections: list[Any] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                rewrite(selection.selection_set)
                selection.directives = condition()
                selections.append(selection)
                shape = draw(st.integers(0, 5))
                if shape == 4:  # the same field again, under its own condition
                    selections.append(
                        FieldNode(
                            alias=selection.alias,
                            name=selection.name,
                            arguments=selection.arguments,
                            directives=condition(),
                            selection_set=selection.selection_set,
                        )
                    )
                elif shape == 5:  # wrapped in an inline fragment
                    selections[-1] = InlineFragmentNode(
                        directives=condition(),
                        selection_set=SelectionSetNode(selections=(selection,)),
                    )
            else:
                selections.append(selection)
        selection_set.selections = tuple(selections)

    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    rewrite(operation.selection_set)
    operation.variable_definitions = tuple(
        VariableDefinitionNode(
            variable=VariableNode(name=NameNode(value=name)),
            type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="Boolean")))
            if name == "a"
            else NamedTypeNode(name=NameNode(value="Boolean")),
            # A nullable variable needs a default to stand where Boolean! is expected.
            default_value=None if name == "a" else BooleanValueNode(value=name == "b"),
            directives=(),
        )
        for name in sorted(used)
    )
    values = st.fixed_dictionaries(
        {name: st.sampled_from((True, False, True, False, None)) for name in used}
    )
    return print_ast(document), draw(st.lists(values, min_size=1, max_size=3))


@pytest.mark.parametrize("path", PATHS)
def test_generated_documents_with_conditions_answer_the_same(pair: Pair, path: str) -> None:
    seen: Counter[str] = Counter()

    @hypothesis.seed(20261207)
    @hypothesis.settings(
        max_examples=80,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=with_conditions(path))
    def generated(case: tuple[str, list[dict[str, Any]]]) -> None:
        query, assignments = case
        for variables in assignments:
            outcomes, _ = pair.send(path, Case("hypothesis", query, None, variables), runs=2)
            seen[outcomes[-1]] += 1

    generated()

    assert seen["plan"] >= 5 and seen["conditions"] >= 5, seen  # both kinds ran


def test_graphql_executor_setting_picks_the_executor(pair: Pair) -> None:
    assert load_settings({}).graphql_executor == "compiled"
    assert load_settings({"GRAPHQL_EXECUTOR": " Core "}).graphql_executor == "core"
    with pytest.raises(SettingsError, match="GRAPHQL_EXECUTOR must be one of compiled, core"):
        load_settings({"GRAPHQL_EXECUTOR": "jit"})

    for path in PATHS:
        assert graphql_handler(pair.core, path).execution_context_class is ChunkedExecutionContext
        assert graphql_handler(pair.compiled, path).execution_context_class.stats is pair.stats


# Per path: a document its storefronts send, with a variable.
PLANNED = {
    "/graphql": "query Items($x: Boolean!) { customerDownloadableProducts { items { status date @include(if: $x) } } }",
    "/api/graphql": "query Page($first: Int!) { customerDownloadableProducts(first: $first) { totalCount edges { node { _id } } } }",
}  # fmt: skip
GOOD = {"/graphql": {"x": True}, "/api/graphql": {"first": 2}}


@pytest.mark.parametrize("path", PATHS)
def test_a_planned_document_answers_straight_from_its_plan(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    case = Case(path, PLANNED[path], None, GOOD[path])

    with started_pair() as pair:  # its own apps: a document none of them has seen
        handler = graphql_handler(pair.compiled, path)
        general = handler.execute_graphql_query

        async def counted(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return await general(*args, **kwargs)

        monkeypatch.setattr(handler, "execute_graphql_query", counted)
        outcomes, _ = pair.send(path, case, runs=4)

    assert outcomes == ["first_sight", "plan", "plan", "plan"]
    assert len(calls) == 2  # first sight, then the run that built the plan: Ariadne's path


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"variables": [1]}, id="variables-not-an-object"),
        pytest.param({"variables": {"x": "yes", "first": "two"}}, id="variables-not-coerced"),
        pytest.param({"variables": {}}, id="variable-missing"),
        pytest.param({"operationName": 5}, id="name-not-a-string"),
        pytest.param({"operationName": ""}, id="name-empty"),
        pytest.param({"operationName": "Other"}, id="name-unknown"),
    ],
)
def test_what_the_direct_path_leaves_to_the_general_one_answers_as_graphql_core(
    pair: Pair, path: str, body: dict[str, Any]
) -> None:
    planned = {"query": PLANNED[path], "variables": GOOD[path]}
    for _ in range(2):  # the plan is built
        assert "errors" not in pair.compiled.post(path, json=planned, headers=HEADERS).json()
    request = {"query": PLANNED[path], **body}

    expected = pair.core.post(path, json=request, headers=HEADERS)
    actual = pair.compiled.post(path, json=request, headers=HEADERS)

    assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
    assert "errors" in actual.json()
