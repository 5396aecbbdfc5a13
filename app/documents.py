"""GraphQL documents, parsed, measured and validated once, cached by query text.

Parsing and validating a storefront's query costs more than executing it, and clients
send the same few queries over and over. Validation does not depend on variables, and
neither do the figures in app/limits.py, so a cached result is exactly what doing the
work again would give. A document that fails to parse is cached too, with its error: a
flood of the same bad document costs one parse.

graphql-core parses about 100 tokens a millisecond, so what it is given is bounded first:
a text longer than `max_length` characters is refused unread, and one with more than
`max_tokens` tokens after a count by a regular expression (some 50 times faster than the
parser) instead of after its first `max_tokens` tokens have been parsed into nodes.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
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

from app.limits import TOO_DEEP_MESSAGE, Measure, measure


@dataclass(frozen=True)
class Document:
    node: DocumentNode
    measures: dict[str | None, Measure]

    def operation(self, name: Any) -> OperationDefinitionNode | None:
        """The operation a request with this `operationName` runs, or None when there is
        no such one (execution then says why)."""
        operations = [d for d in self.node.definitions if isinstance(d, OperationDefinitionNode)]
        if isinstance(name, str) and name:
            operations = [o for o in operations if o.name is not None and o.name.value == name]
        return operations[0] if len(operations) == 1 else None

    def measure_of(self, name: Any) -> Measure | None:
        operation = self.operation(name)
        if operation is None:
            return None
        return self.measures[operation.name.value if operation.name else None]


class Documents:
    def __init__(
        self, *, max_tokens: int, max_length: int, list_fields: frozenset[str], size: int = 512
    ) -> None:
        self.max_tokens = max_tokens
        self.max_length = max_length
        self.list_fields = list_fields
        self._cached = lru_cache(maxsize=size)(self._parse)
        self._validate = lru_cache(maxsize=size)(_validate)
        # Execution plans of the cached documents' operations (app/executor.py).
        self.plans = BoundedCache(size)

    def get(self, query: str) -> Document:
        """The document, or the GraphQLError saying why there is none, raised."""
        if len(query) > self.max_length:
            raise GraphQLError(
                f"Document is longer than {self.max_length} characters. Parsing aborted."
            )
        found = self._cached(query)
        if isinstance(found, GraphQLError):
            raise found.with_traceback(None)  # a fresh traceback each time, not a longer one
        return found

    def _parse(self, query: str) -> Document | GraphQLError:
        beyond = token_past(query, self.max_tokens)
        if beyond is not None:
            # graphql-core's own error, at the token where its parser would stop.
            return GraphQLSyntaxError(
                Source(query),
                beyond,
                f"Document contains more than {self.max_tokens} tokens. Parsing aborted.",
            )
        try:
            node = parse(query, max_tokens=self.max_tokens)
            return Document(node, measure(node, self.list_fields))
        except GraphQLError as error:
            return error
        except RecursionError:
            # Nesting that deep is no query anyone writes; refuse it as a syntax error.
            return GraphQLError(TOO_DEEP_MESSAGE)

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
        """Ariadne's `query_validator`."""
        if type_info is not None:  # not a plain function of the document
            return validate(schema, document_ast, rules, max_errors, type_info)
        return list(self._validate(schema, document_ast, tuple(rules or ()), max_errors))

    def hits_and_misses(self) -> tuple[int, int]:
        info = self._cached.cache_info()
        return info.hits, info.misses


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
    count = 0
    for match in _TOKEN.finditer(query):
        if match.group(1) is None:  # not a comment
            count += 1
            if count > limit:
                return match.start()
    return None


def _validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: Sequence[type[ASTValidationRule]],
    max_errors: int | None,
) -> tuple[GraphQLError, ...]:
    return tuple(validate(schema, document, rules or None, max_errors))


class BoundedCache:
    """The most recently used `size` entries. Not thread-safe: one event loop uses it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
