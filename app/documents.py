"""GraphQL documents, parsed, measured and validated once, cached by query text.

Parsing and validating a storefront's query costs more than executing it, and clients
send the same few queries over and over. Validation does not depend on variables, and
neither do the figures in app/limits.py, so a cached result is exactly what doing the
work again would give. A document that fails to parse is cached too, with its error: a
flood of the same bad document costs one parse. Query texts longer than any client's
(`MAX_CACHED_QUERY`) are parsed every time rather than held in memory.
"""

from __future__ import annotations

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
    parse,
    validate,
)
from graphql.utilities import TypeInfo

from app.limits import TOO_DEEP_MESSAGE, Measure, measure

# Characters: the longest real client's document is a few hundred; GraphiQL's full
# introspection query under two thousand.
MAX_CACHED_QUERY = 8192


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
    def __init__(self, *, max_tokens: int, list_fields: frozenset[str], size: int = 512) -> None:
        self.max_tokens = max_tokens
        self.list_fields = list_fields
        self._cached = lru_cache(maxsize=size)(self._parse)
        self._validate = lru_cache(maxsize=size)(_validate)
        # Execution plans of the cached documents' operations (app/executor.py).
        self.plans = BoundedCache(size)

    def get(self, query: str) -> Document:
        """The document, or the GraphQLError saying why there is none, raised."""
        found = self._parse(query) if len(query) > MAX_CACHED_QUERY else self._cached(query)
        if isinstance(found, GraphQLError):
            raise found.with_traceback(None)  # a fresh traceback each time, not a longer one
        return found

    def _parse(self, query: str) -> Document | GraphQLError:
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
