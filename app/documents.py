"""Parsed and validated GraphQL documents, cached by query text.

Parsing and validating a storefront's query costs more than executing it, and clients
send the same few queries over and over. Validation does not depend on variables, and
every rule here (depth and complexity included, see app/limits.py) is a function of the
document alone, so a cached result is exactly what validating again would give.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Hashable, Sequence
from functools import lru_cache, partial
from typing import Any

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, validate
from graphql.utilities import TypeInfo


class Documents:
    def __init__(self, *, max_tokens: int, size: int = 512) -> None:
        # graphql-core stops parsing past max_tokens: a huge document costs little.
        self.parse: Any = lru_cache(maxsize=size)(partial(parse, max_tokens=max_tokens))
        self._validate = lru_cache(maxsize=size)(_validate)
        # Execution plans of the cached documents' operations (app/executor.py).
        self.plans = BoundedCache(size)

    def parser(self, _context: Any, data: dict[str, Any]) -> DocumentNode:
        """Ariadne's `query_parser`."""
        return self.parse(data["query"])

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
