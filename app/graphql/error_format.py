"""How a GraphQL error reads: in the dialect's words, with nothing a client must not
see; and the kinds of error raised while one operation is answered, from which the
dialect decides its HTTP status."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ariadne.types import ErrorFormatter
from graphql import GraphQLError

from app.db import DatabaseUnavailable
from app.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorKind
from app.http.dialects import Dialect
from app.observability.logs import request_id

logger = logging.getLogger("downloads_api")

_SUGGESTION = re.compile(r" ?Did you mean .+\?$")
_raised: ContextVar[list[ErrorKind]] = ContextVar("raised")


@contextmanager
def collecting_kinds() -> Iterator[None]:
    """Around the answer to one operation: `kinds_raised()` then says what it raised."""
    token = _raised.set([])
    try:
        yield
    finally:
        _raised.reset(token)


def kinds_raised() -> list[ErrorKind]:
    return _raised.get([])


def error_formatter(dialect: Dialect, *, suggestions: bool) -> ErrorFormatter:
    """The dialect's wording, and nothing a client must not see."""

    def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
        formatted = dict(error.formatted)
        original = error.original_error
        if original is None or isinstance(original, GraphQLError) or error.path is None:
            # Syntax, validation and variable coercion errors (no field path: nothing ran),
            # written for clients even when a parser's own exception is behind them (an
            # Int literal of 5,000 digits); but "Did you mean ...?" would tell the schema
            # to someone denied introspection.
            if not suggestions:
                formatted["message"] = _SUGGESTION.sub("", str(formatted["message"]))
            return formatted
        if isinstance(original, ApiError):
            kind, message = original.kind, original.message
        elif isinstance(original, DatabaseUnavailable):
            kind, message = ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE
            logger.warning("database unavailable: %s", original)
        else:
            logger.error("unexpected error [%s]", request_id(), exc_info=original)
            kind, message = ErrorKind.INTERNAL, ""
        kinds_raised().append(kind)
        formatted["message"], extensions = dialect.wording(kind, message)
        if kind is ErrorKind.INTERNAL:
            extensions["requestId"] = request_id()
        formatted["extensions"] = extensions
        return formatted

    return format_error
