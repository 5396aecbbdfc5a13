"""Depth and complexity counted as Magento's GraphQL library counts them."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query, parse, validate

from app.limits import query_limits, shape_limits
from app.views import View, build_views
from resolvers import bindables

SCHEMA = build_views(bindables)[View.BAGISTO]  # the documents below are Bagisto's


def errors(query: str, depth: int = 20, complexity: int = 300) -> list[str]:
    rule = query_limits(depth, complexity)
    return [error.message for error in validate(SCHEMA, parse(query), [rule])]


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ("{ customerDownloadableProducts { totalCount } }", 0),
        ("{ customerDownloadableProducts { edges { cursor } } }", 1),
        ("{ customerDownloadableProducts { edges { node { order { _id } } } } }", 3),
        ("{ customerDownloadableProduct(id: 1) { order { _id } } }", 1),
        ("query { ...F } fragment F on Query { customerDownloadableProducts { edges { node { _id } } } }", 2),
        ("{ ... on Query { customerDownloadableProducts { edges { node { _id } } } } }", 2),
    ],
)  # fmt: skip
def test_depth_counts_fields_with_selections_from_zero(query: str, depth: int) -> None:
    assert errors(query, depth=depth) == []
    if depth:
        assert errors(query, depth=depth - 1) == [
            f"Max query depth should be {depth - 1} but got {depth}."
        ]


@pytest.mark.parametrize(
    ("query", "complexity"),
    [
        ("{ customerDownloadableProducts { totalCount } }", 2),
        ("{ customerDownloadableProducts { edges { node { order { _id } } } } }", 5),
        ("query { a: customerDownloadableProducts { ...F } b: customerDownloadableProducts { ...F } } "
         "fragment F on CustomerDownloadableProducts { totalCount edges { cursor } }", 8),
        ("{ __typename customerDownloadableProducts { __typename } }", 3),
    ],
)  # fmt: skip
def test_complexity_counts_every_selected_field(query: str, complexity: int) -> None:
    assert errors(query, complexity=complexity) == []
    assert errors(query, complexity=complexity - 1) == [
        f"Max query complexity should be {complexity - 1} but got {complexity}."
    ]


def test_graphiql_introspection_query_passes_the_default_limits() -> None:
    assert errors(get_introspection_query(descriptions=True)) == []


def test_fragment_cycles_do_not_hang_the_rule() -> None:
    query = (
        "query { customerDownloadableProducts { ...A } } "
        "fragment A on CustomerDownloadableProducts { totalCount ...B } "
        "fragment B on CustomerDownloadableProducts { totalCount ...A }"
    )
    messages = [error.message for error in validate(SCHEMA, parse(query), [query_limits(20, 300)])]
    assert messages == []  # NoFragmentCyclesRule (a standard rule) reports the cycle


def test_fragments_spread_many_times_are_counted_each_time() -> None:
    # 2 ** 10 spreads of one field: counted without expanding them one by one.
    fragments = "".join(
        f"fragment F{n} on CustomerDownloadableProducts {{ ...F{n + 1} ...F{n + 1} }} "
        for n in range(10)
    )
    query = (
        "query { customerDownloadableProducts { ...F0 } } "
        + fragments
        + "fragment F10 on CustomerDownloadableProducts { totalCount }"
    )
    assert errors(query) == ["Max query complexity should be 300 but got 1025."]


def shape_errors(query: str, aliases: int = 30, root_fields: int = 10) -> list[str]:
    rule = shape_limits(aliases, root_fields)
    return [error.message for error in validate(SCHEMA, parse(query), [rule])]


def test_aliases_are_counted_wherever_they_are() -> None:
    query = (
        "query { a: customerDownloadableProducts { b: totalCount ...F } } "
        "fragment F on CustomerDownloadableProducts { c: totalCount }"
    )

    assert shape_errors(query, aliases=3) == []
    assert shape_errors(query, aliases=2) == ["Too many aliases: 3, at most 2."]


def test_root_fields_are_counted_through_fragments() -> None:
    query = (
        "query { a: __typename ...F ... on Query { c: __typename } } "
        "fragment F on Query { b: __typename }"
    )

    assert shape_errors(query, root_fields=3) == []
    assert shape_errors(query, root_fields=2) == ["Too many root fields: 3, at most 2."]
