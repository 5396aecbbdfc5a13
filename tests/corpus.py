"""GraphQL documents to run through both executors: every document the test suite sends,
the real clients' documents, the bench's (bench/documents/, read as files: tests import
nothing from bench/), and a few written to reach what those miss (fragments, aliases,
directives on variables, `__typename`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)

TESTS = Path(__file__).parent
CLIENTS = TESTS / "clients"
BENCH_DOCUMENTS = TESTS.parent / "bench" / "documents"


@dataclass(frozen=True)
class Case:
    origin: str
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None

    @property
    def id(self) -> str:
        return f"{self.origin}:{self.operation_name or '-'}:{self.variables}"


WRITTEN = [
    # Fragments, inline fragments, aliases and repeated fields merged by collect_fields.
    """query Frag($first: Int) { a: customerDownloadableProducts(first: $first) {
      ...Page edges { node { id ... on CustomerDownloadableProduct { _id name } } } }
      b: customerDownloadableProducts(first: 1) { totalCount } }
    fragment Page on CustomerDownloadableProductCursorConnection { totalCount pageInfo { endCursor }
      edges { cursor node { ...Node order { ...Order } } } }
    fragment Node on CustomerDownloadableProduct { id productName createdAt status }
    fragment Order on CustomerOrder { _id grandTotal incrementId createdAt }""",
    # Directives on variables: one plan per value of $withOrder and $skipCount.
    """query Dirs($withOrder: Boolean!, $skipCount: Boolean = false) {
      customerDownloadableProducts(first: 3) {
        totalCount @skip(if: $skipCount)
        edges { node { _id order @include(if: $withOrder) { id subTotal baseGrandTotal } } } } }""",
    # __typename everywhere, as Apollo clients send it.
    """{ __typename customerDownloadableProducts { __typename items { __typename date
      download_url order_increment_id remaining_downloads status } } }""",
    """query One($id: ID!) { customerDownloadableProduct(id: $id) { __typename id _id
      productName name url file fileName type downloadBought downloadUsed downloadCanceled
      status remainingDownloads downloadUrl customerId orderId orderItemId
      createdAt updatedAt order { __typename
      id _id incrementId status grandTotal baseGrandTotal subTotal orderCurrencyCode
      baseCurrencyCode channelName customerEmail customerFirstName customerLastName
      createdAt updatedAt } } }""",
    # Magento's shape through a named fragment, with ScandiPWA's fields.
    """query Mine { customerDownloadableProducts { ...Items } }
    fragment Items on CustomerDownloadableProducts { items { title link_title order_id
      date status remaining_downloads } }""",
    # Two operations in one document, run by name.
    """query First { customerDownloadableProducts(first: 1) { edges { cursor } } }
    query Last { customerDownloadableProducts(last: 2) { edges { cursor node { _id } } } }""",
    # A literal argument, a status filter, paging backwards.
    """{ customerDownloadableProducts(first: 2, status: "available") { totalCount
      edges { node { _id status } } pageInfo { hasNextPage hasPreviousPage } } }""",
    """query Back($before: String) { customerDownloadableProducts(last: 2, before: $before) {
      edges { cursor } pageInfo { startCursor endCursor } } }""",
    # Errors: a bad id, an unknown status, an id not hers (graphql-core answers these).
    '{ customerDownloadableProduct(id: "nope") { id } }',
    '{ customerDownloadableProducts(status: "lost") { totalCount } }',
    '{ customerDownloadableProduct(id: "999999") { id order { id } } }',
    # Introspection (never planned; answers to introspection alone are kept, so the last
    # one, with data beside it, is what still runs on graphql-core every time).
    "{ __schema { queryType { name } } }",
    '{ __type(name: "CustomerOrder") { fields { name } } }',
    "{ __schema { queryType { name } } customerDownloadableProducts { __typename } }",
]


def suite_documents() -> list[tuple[str, str]]:
    """(origin, text) of every string constant in the tiers' test modules (tests/*/test_*.py)
    that is a GraphQL document."""
    found: dict[str, str] = {}
    for path in sorted(TESTS.glob("*/test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if "{" in text and text not in found and _is_document(text):
                    found[text] = f"{path.name}:{node.lineno}"
    for path in sorted((TESTS / "spec").glob("*.graphql")):
        found.setdefault(path.read_text(), path.name)
    return [(origin, text) for text, origin in found.items()]


def client_documents() -> list[tuple[str, str]]:
    """The real clients' documents (tests/clients/) and the bench's."""
    documents = [(path.name, path.read_text()) for path in sorted(CLIENTS.glob("*.graphql"))]
    for path in sorted(BENCH_DOCUMENTS.glob("*.graphql")):
        documents.append((f"bench/{path.name}", path.read_text()))
    return documents


def cases(origin: str, query: str, purchase_id: int) -> list[Case]:
    """The document run once per operation and per set of variables worth trying."""
    try:
        document = parse(query)
    except GraphQLError:
        return [Case(origin, query, None, None)]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    result = []
    for operation in operations:
        name = operation.name.value if operation.name and len(operations) > 1 else None
        definitions = operation.variable_definitions or ()
        result.append(Case(origin, query, name, None))
        if definitions:
            for choice in (0, 1):
                variables = {
                    d.variable.name.value: _value(
                        d.variable.name.value, d.type, choice, purchase_id
                    )
                    for d in definitions
                }
                result.append(Case(origin, query, name, variables))
    return result


def _value(name: str, type_: TypeNode, choice: int, purchase_id: int) -> Any:
    if isinstance(type_, NonNullTypeNode):
        return _value(name, type_.type, choice, purchase_id)
    if isinstance(type_, ListTypeNode):
        return [_value(name, type_.type, choice, purchase_id)]
    assert isinstance(type_, NamedTypeNode)
    kind = type_.name.value
    if kind == "Int":
        return (2, 100)[choice]
    if kind == "Boolean":
        return (True, False)[choice]
    if kind == "ID":
        return (f"/api/shop/customer-downloadable-products/{purchase_id}", str(purchase_id))[choice]
    if name in ("after", "before"):
        return ("MA==", "Mg==")[choice]  # offsets 0 and 2
    if name == "status":
        return ("available", "expired")[choice]
    return ("x", "")[choice]


def _is_document(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    return any(isinstance(d, OperationDefinitionNode) for d in document.definitions)
