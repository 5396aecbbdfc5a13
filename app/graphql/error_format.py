"""GraphQL errors as raised and as read: the kind of each (from which the dialect decides
an answer's HTTP status, app/graphql/endpoint.py), and its wording in the dialect's words,
with nothing a client must not see.

Ariadne is handed `keep_raised` as its error formatter, so the errors come back from it
as they were raised; the endpoint derives the status from them, then words them with
`error_formatter`. Nothing is noted on the side while an operation runs."""

from __future__ import annotations

import logging
import re
from typing import Any

from ariadne.types import ErrorFormatter
from graphql import GraphQLError

from app.db import DatabaseUnavailable
from app.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorKind
from app.http.dialects import Dialect
from app.observability.logs import request_id

logger = logging.getLogger("downloads_api")

_SUGGESTION = re.compile(r" ?Did you mean .+\?$")


def keep_raised(error: GraphQLError, debug: bool = False) -> Any:
    """Ariadne's error formatter: the error itself, for the endpoint to judge and word."""
    return error


def kind_of(error: GraphQLError) -> ErrorKind | None:
    """The kind of an error raised while the operation ran; None for a client's own
    mistake found before anything ran (syntax, validation, variables), which GraphQL's
    own rule answers."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError) or error.path is None:
        return None
    if isinstance(original, ApiError):
        return original.kind
    if isinstance(original, DatabaseUnavailable):
        return ErrorKind.UNAVAILABLE
    return ErrorKind.INTERNAL


def error_formatter(dialect: Dialect, *, suggestions: bool) -> ErrorFormatter:
    """The dialect's wording, and nothing a client must not see."""

    def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
        formatted = dict(error.formatted)
        kind = kind_of(error)
        if kind is None:
            # Syntax, validation and variable coercion errors (no field path: nothing ran),
            # written for clients even when a parser's own exception is behind them (an
            # Int literal of 5,000 digits); but "Did you mean ...?" would tell the schema
            # to someone denied introspection.
            if not suggestions:
                formatted["message"] = _SUGGESTION.sub("", str(formatted["message"]))
            return formatted
        original = error.original_error
        message = ""
        if isinstance(original, ApiError):
            message = original.message
        elif kind is ErrorKind.UNAVAILABLE:
            message = UNAVAILABLE_MESSAGE
            logger.warning("database unavailable: %s", original)
        else:
            logger.error("unexpected error [%s]", request_id(), exc_info=original)
        formatted["message"], extensions = dialect.wording(kind, message)
        if kind is ErrorKind.INTERNAL:
            extensions["requestId"] = request_id()
        formatted["extensions"] = extensions
        return formatted

    return format_error
