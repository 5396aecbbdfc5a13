"""The token count that refuses a document before graphql-core parses it must agree with
graphql-core's own lexer, or it would refuse documents the parser takes."""

from __future__ import annotations

import hypothesis
import pytest
from graphql import GraphQLError, Source, build_schema, get_introspection_query, parse
from graphql.language import Lexer, TokenKind
from hypothesis import strategies as st
from hypothesis_graphql import queries

import app.graphql.documents
from app.graphql.documents import Documents, token_past
from tests.hostile import documents as hostile_documents
from tests.paths import ROOT

WRITTEN = [
    '{ a(s: "with # and , and \\" inside") }',
    '{ a(s: """block "quoted" and \\""" and "" # not a comment""") }',
    "# a comment { a b c }\n{ a, b,,, c } # another",
    "query Q($v: [Int!]! = [1, -2, 3.5e-10, 0.25]) @d(x: $v) { ...F ... on T { z } }",
    '{ a(x: {k: [true, null, ENUM, ""]}) | & = }',
]


def graphql_core_tokens(query: str) -> list[int]:
    """The start of each token graphql-core counts against `max_tokens`."""
    lexer, starts = Lexer(Source(query)), []
    while (token := lexer.advance()).kind != TokenKind.EOF:
        if token.kind != TokenKind.COMMENT:
            starts.append(token.start)
    return starts


def assert_counts_agree(query: str) -> None:
    starts = graphql_core_tokens(query)
    assert token_past(query, len(starts)) is None
    if starts:
        assert token_past(query, len(starts) - 1) == starts[-1]


def corpus() -> list[str]:
    clients = sorted((ROOT / "tests" / "clients").glob("*.graphql"))
    return (
        [path.read_text() for path in clients]
        + [get_introspection_query(descriptions=True)]
        + [document for _, document in hostile_documents() if _lexes(document)]
        + WRITTEN
    )


def _lexes(query: str) -> bool:
    try:
        graphql_core_tokens(query)
    except GraphQLError:
        return False
    return True


@pytest.mark.parametrize("query", corpus())
def test_the_count_is_graphql_cores(query: str) -> None:
    assert_counts_agree(query)


# The schema each path shows (docs/schema/, kept equal to the served ones by their tests).
SCHEMAS = st.sampled_from(
    [
        build_schema(path.read_text())
        for path in sorted((ROOT / "docs" / "schema").glob("*.graphql"))
    ]
)


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    query=SCHEMAS.flatmap(queries), padding=st.sampled_from(["\n", "\n,", "\n # a comment\n"])
)
def test_the_count_is_graphql_cores_on_generated_documents(query: str, padding: str) -> None:
    # Printed strings hold no raw line break, so the padding never lands inside one.
    assert_counts_agree(query.replace("\n", padding))


def test_a_document_past_the_limit_gets_graphql_cores_error_without_a_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = "{ " + " ".join(f"f{n}" for n in range(50)) + " }"
    documents = Documents(max_tokens=10, max_length=8192, list_fields=frozenset())
    with pytest.raises(GraphQLError) as parsed:
        parse(query, max_tokens=10)

    def no_parse(*_: object, **__: object) -> None:
        pytest.fail("graphql-core was asked to parse a document past the token limit")

    monkeypatch.setattr(app.graphql.documents, "parse", no_parse)
    with pytest.raises(GraphQLError) as refused:
        documents.get(query)

    assert refused.value.formatted == parsed.value.formatted
