"""GraphQL documents, parsed, measured and validated once, cached by their whole text.

Parsing and validating a storefront's query costs more than executing it, and clients
send the same few queries over and over. Validation does not depend on variables, and
neither do the figures in app/graphql/limits.py, so a cached result is exactly what doing the
work again would give. A document that fails to parse is cached too, with its error: a
flood of the same bad document costs one parse.

Everything worked out from a document later (its validation against each schema, the
executor's plans, the answer to an introspection query) is attached to its `Document`,
so it is keyed on the whole text, as the document is, and leaves with it: two texts
never share anything, even when parts of them compare equal. All of it shares one
budget in bytes (`GRAPHQL_CACHE_BYTES`), each piece counted by an estimate of its size
made when it is stored (the code compiled for plans has an eighth of it).

graphql-core parses about 100 tokens a millisecond, so what it is given is bounded first:
a text longer than `max_length` characters is refused unread, and one with more than
`max_tokens` tokens after a count by a regular expression (some 50 times faster than the
parser) instead of after its first `max_tokens` tokens have been parsed into nodes.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Hashable
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    Source,
    parse,
    validate,
)
from graphql.error import GraphQLSyntaxError
from graphql.utilities import TypeInfo

from app.graphql.limits import TOO_DEEP_MESSAGE, Measure, measure
from app.graphql.sized_cache import SizedCache

# Bytes a parsed document holds, estimated from its text: graphql-core keeps every token
# (linked to the next) and a node or two per token, and copies names and strings out of
# the text. Fitted with tracemalloc over the clients' documents, dense ones (a name per
# token) and long string literals; tests/unit/test_documents.py checks the estimate.
_BYTES_PER_TOKEN = 600
_BYTES_PER_DOCUMENT = 2048
_BYTES_PER_ERROR = 1024


class Document:
    """A query text, parsed and measured, and what has been worked out from it since."""

    __slots__ = ("_operations", "derived", "measures", "node", "text")

    def __init__(self, text: str, node: DocumentNode, measures: dict[str | None, Measure]) -> None:
        self.text = text
        self.node = node
        self.measures = measures
        # What other modules keep for this document (validation per schema, plans,
        # answers), under keys of their own; see `Documents.attach`.
        self.derived: dict[Hashable, Any] = {}
        # The operation each `operationName` a request sent picks (`operation`): a
        # request asks several times, and a document has few names.
        self._operations: dict[str | None, OperationDefinitionNode | None] = {}

    def operation(self, name: Any) -> OperationDefinitionNode | None:
        """The operation a request with this `operationName` runs, or None when there is
        no such one (execution then says why)."""
        key = name if isinstance(name, str) and name else None
        if key in self._operations:
            return self._operations[key]
        operations = [d for d in self.node.definitions if isinstance(d, OperationDefinitionNode)]
        if key is not None:
            operations = [o for o in operations if o.name is not None and o.name.value == key]
        found = operations[0] if len(operations) == 1 else None
        if key is None or found is not None:  # unknown names are not kept: any text may come
            self._operations[key] = found
        return found

    def measure_of(self, name: Any) -> Measure | None:
        operation = self.operation(name)
        if operation is None:
            return None
        return self.measures[operation.name.value if operation.name else None]


class Documents:
    def __init__(
        self,
        *,
        max_tokens: int,
        max_length: int,
        list_fields: frozenset[str],
        budget: int = 64 * 1024 * 1024,
    ) -> None:
        self.max_tokens = max_tokens
        self.max_length = max_length
        self.list_fields = list_fields
        # Query text -> Document, or the GraphQLError it fails to parse with; and the code
        # compiled for plans (app/graphql/execution/codegen.py), shared by every plan of the same
        # shape: an eighth of the budget, so that the two together stay within it.
        self.code = SizedCache(budget // 8)
        self.cache = SizedCache(budget - self.code.budget)

    def get(self, query: str) -> Document:
        """The document, or the GraphQLError saying why there is none, raised."""
        if len(query) > self.max_length:
            raise GraphQLError(
                f"Document is longer than {self.max_length} characters. Parsing aborted."
            )
        found = self.cache.get(query)
        if found is None:
            found, size = self._parse(query)
            self.cache.put(query, found, size)
        if isinstance(found, GraphQLError):
            raise found.with_traceback(None)  # a fresh traceback each time, not a longer one
        return found  # type: ignore[no-any-return]

    def _parse(self, query: str) -> tuple[Document | GraphQLError, int]:
        tokens, beyond = _scan(query, self.max_tokens)
        text_size = sys.getsizeof(query)
        if beyond is not None:
            # graphql-core's own error, at the token where its parser would stop.
            message = f"Document contains more than {self.max_tokens} tokens. Parsing aborted."
            return GraphQLSyntaxError(Source(query), beyond, message), _error_size(text_size)
        try:
            node = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return error, _error_size(text_size)
        except RecursionError:
            # Nesting that deep is no query anyone writes; refuse it as a syntax error.
            return GraphQLError(TOO_DEEP_MESSAGE), _error_size(text_size)
        size = 2 * text_size + _BYTES_PER_TOKEN * tokens + _BYTES_PER_DOCUMENT
        return Document(query, node, measure(node, self.list_fields)), size

    def of(self, node: DocumentNode) -> Document | None:
        """The cached document that `node` was parsed into, while it is cached."""
        found = None if node.loc is None else self.cache.peek(node.loc.source.body)
        return found if isinstance(found, Document) and found.node is node else None

    def holding(self, operation: OperationDefinitionNode) -> Document | None:
        """The cached document `operation` is a definition of, while it is cached."""
        loc = operation.loc
        found = None if loc is None else self.cache.peek(loc.source.body)
        if isinstance(found, Document) and any(d is operation for d in found.node.definitions):
            return found
        return None

    def attach(self, document: Document, key: Hashable, value: Any, size: int) -> bool:
        """Keeps `value` with `document` under `key`, counting `size` more bytes against
        the budget. False, and nothing kept, when the document has left the cache
        meanwhile or would be over the budget alone."""
        if not self.cache.grow(document.text, document, size):
            return False
        document.derived[key] = value
        return True

    def parser(self, _context: Any, data: dict[str, Any]) -> DocumentNode:
        """Ariadne's `query_parser`."""
        return self.get(data["query"]).node

    def validator(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Collection[type[ASTValidationRule]] | None = None,
        max_errors: int | None = None,
        type_info: TypeInfo | None = None,
    ) -> list[GraphQLError]:
        """Ariadne's `query_validator`: validation is a function of the document and the
        schema, kept with the document."""
        document = self.of(document_ast) if type_info is None else None
        if document is None:
            return validate(schema, document_ast, rules, max_errors, type_info)
        key = ("validation", schema, tuple(rules or ()), max_errors)
        errors: tuple[GraphQLError, ...] | None = document.derived.get(key)
        if errors is None:
            errors = tuple(validate(schema, document_ast, rules or None, max_errors))
            size = _BYTES_PER_DOCUMENT + sum(_error_size(len(e.message)) for e in errors)
            self.attach(document, key, errors, size)
        return list(errors)

    def hits_and_misses(self) -> tuple[int, int]:
        return self.cache.hits, self.cache.misses


def _error_size(text_size: int) -> int:
    return _BYTES_PER_ERROR + 2 * text_size


# GraphQL's lexical tokens (spec section 2.1), comments apart: block strings, strings,
# names, numbers, punctuators. Whitespace, commas and anything unrecognised are skipped,
# so the count never exceeds graphql-core's for a document it would lex; each
# alternative starts with its own character and repeats possessively, so the scan is
# linear whatever the text.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"""'
    r'|"(?:[^"\\\n\r]|\\.)*+"'
    r"|(#)[^\n\r]*+"
    r"|[_A-Za-z][_0-9A-Za-z]*+"
    r"|-?[0-9]++(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+"
    r"|\.\.\.|[!$&()\[\]{}:=@|]"
)


def token_past(query: str, limit: int) -> int | None:
    """Where the first token past `limit` starts, or None when there are not that many."""
    return _scan(query, limit)[1]


def _scan(query: str, limit: int) -> tuple[int, int | None]:
    """How many tokens the text holds (up to `limit`), and where the first token past
    `limit` starts (None when there is none)."""
    count = 0
    for match in _TOKEN.finditer(query):
        if match.group(1) is None:  # not a comment
            count += 1
            if count > limit:
                return limit, match.start()
    return count, None
