"""Depth, complexity and the other figures of a document, counted as Magento's GraphQL
library counts them, in time linear in the document's size."""

from __future__ import annotations

import time

import pytest
from graphql import get_introspection_query, parse

from app.graphql.limits import Limits, Measure, list_fields, measure
from app.graphql.views import build_views
from resolvers import bindables

LISTS = list_fields(build_views(bindables).values())
DEFAULTS = {"depth": 20, "complexity": 300, "aliases": 30, "root_fields": 10, "lists": 2}


def figures(query: str) -> Measure:
    [only] = measure(parse(query), LISTS).values()
    return only


def errors(query: str, **limits: int) -> list[str]:
    document = parse(query)
    settings = {f"max_{name}": value for name, value in (DEFAULTS | limits).items()}
    return [
        error.message for error in Limits(**settings).errors(document, measure(document, LISTS))
    ]


def test_the_list_fields_are_those_that_grow_with_purchases() -> None:
    assert {"items", "edges"} == LISTS


@pytest.mark.parametrize(
    ("query", "depth"),
    [
        ("{ customerDownloadableProducts { totalCount } }", 0),
        ("{ customerDownloadableProducts { edges { cursor } } }", 1),
        ("{ customerDownloadableProducts { edges { node { order { _id } } } } }", 3),
        ("{ customerDownloadableProduct(id: 1) { order { _id } } }", 1),
        ("query { ...F } fragment F on Query { customerDownloadableProducts { edges { node { _id } } } }", 2),
        ("{ ... on Query { customerDownloadableProducts { edges { node { _id } } } } }", 2),
        ("{ __schema { types { fields { type { name } } } } }", 3),
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
        ("{ __schema { queryType { name } } }", 3),
    ],
)  # fmt: skip
def test_complexity_counts_every_selected_field(query: str, complexity: int) -> None:
    assert errors(query, complexity=complexity) == []
    assert errors(query, complexity=complexity - 1) == [
        f"Max query complexity should be {complexity - 1} but got {complexity}."
    ]


def test_graphiql_introspection_query_passes_the_default_limits() -> None:
    query = get_introspection_query(descriptions=True)
    assert errors(query) == []
    assert figures(query).complexity < 300 and figures(query).depth < 20


def test_introspection_amplified_by_aliases_is_refused() -> None:
    def aliased(field: str, fragment: str) -> str:
        return " ".join(f"{field}{n}: {field} {{ ...{fragment} }}" for n in range(10))

    query = (
        "{ __schema { ...S } } "
        f"fragment S on __Schema {{ {aliased('types', 'T')} }} "
        f"fragment T on __Type {{ {aliased('fields', 'F')} }} "
        f"fragment F on __Field {{ {aliased('type', 'N')} }} "
        "fragment N on __Type { name }"
    )

    [complexity] = [m for m in errors(query, aliases=10_000) if "complexity" in m]
    assert complexity == "Max query complexity should be 300 but got 2111."


def test_fragment_cycles_count_as_nothing() -> None:
    query = (
        "query { customerDownloadableProducts { ...A } } "
        "fragment A on CustomerDownloadableProducts { totalCount ...B } "
        "fragment B on CustomerDownloadableProducts { totalCount ...A }"
    )
    assert errors(query) == []  # NoFragmentCyclesRule (a standard rule) reports the cycle


def test_fragment_fan_out_is_counted_without_being_expanded() -> None:
    # 2 ** 40 paths to one field: measured in 40 steps, counted exactly up to a ceiling.
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(40))
    query = "{ ...F0 } " + fragments + " fragment F40 on Query { __typename }"

    started = time.process_time()
    found = figures(query)
    assert time.process_time() - started < 0.05
    assert found.complexity == found.root_fields == 10**9
    assert errors(query)[0] == "Max query complexity should be 300 but got 1000000000."


def test_fragments_spread_many_times_are_counted_each_time() -> None:
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


def test_aliases_are_counted_wherever_they_are() -> None:
    query = (
        "query { a: customerDownloadableProducts { b: totalCount ...F } } "
        "fragment F on CustomerDownloadableProducts { c: totalCount }"
    )

    assert errors(query, aliases=3) == []
    assert errors(query, aliases=2) == ["Too many aliases: 3, at most 2."]


def test_root_fields_are_counted_through_fragments() -> None:
    query = (
        "query { a: __typename ...F ... on Query { c: __typename } } "
        "fragment F on Query { b: __typename }"
    )

    assert errors(query, root_fields=3) == []
    assert errors(query, root_fields=2) == ["Too many root fields: 3, at most 2."]


def test_purchase_lists_selected_through_aliases_are_counted() -> None:
    query = (
        "{ a: customerDownloadableProducts { items { status } } "
        "b: customerDownloadableProducts { ...L } } "
        "fragment L on CustomerDownloadableProducts { items { date } edges { cursor } }"
    )

    assert figures(query).lists == 3
    assert errors(query, lists=3) == []
    assert errors(query) == ["Too many selections of purchase lists: 3, at most 2."]


def test_fragments_nested_past_the_bound_are_refused() -> None:
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(70))
    query = "{ ...F0 } " + fragments + " fragment F70 on Query { __typename }"

    assert errors(query) == ["The document is nested too deeply."]


@pytest.mark.parametrize(
    ("query", "only"),
    [
        ("{ __schema { queryType { name } } }", True),
        ("{ __type(name: \"Query\") { name } __schema { types { name } } }", True),
        ("{ ...F } fragment F on Query { __schema { queryType { name } } }", True),
        ("{ __typename }", False),
        ("{ __schema { queryType { name } } __typename }", False),
        ("{ __schema { queryType { name } } ... on Query { customerDownloadableProducts { totalCount } } }", False),
        ("{ ...F } fragment F on Query { __schema { queryType { name } } customerDownloadableProduct(id: 1) { _id } }", False),
    ],
)  # fmt: skip
def test_only_introspection_at_the_root_is_introspection(query: str, only: bool) -> None:
    assert figures(query).introspection_only is only
