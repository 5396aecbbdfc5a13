"""What the GraphQL handler reads off a request's data besides running it: the operation's
name for the log and metrics, why its document was not parsed, and whether it is
introspection only."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request

from app.graphql.documents import Document
from app.graphql.limits import TOO_DEEP_MESSAGE

# What a client may name its operation for the log: a GraphQL name, and not a long one.
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


def unparsed_reason(query: str, error: GraphQLError, max_length: int) -> str:
    """The log's word for why a document was not parsed."""
    if len(query) > max_length:
        return "max_query_length"
    if error.message.endswith("tokens. Parsing aborted."):
        return "max_query_tokens"
    return "max_nesting" if error.message == TOO_DEEP_MESSAGE else "query_syntax"


def introspection_only(document: Document | None, data: Any) -> bool:
    if document is None:
        return False
    figures = document.measure_of(data.get("operationName"))
    return figures is not None and figures.introspection_only


def note_requested(request: Request, document: Document | None, data: Any) -> None:
    """For the log, even of a refused request: the operation it asked for, by the name it
    sent or its document's only operation's. Nothing but a GraphQL name is kept (metrics
    count only operations that ran: `note_operation`)."""
    name = data.get("operationName") if isinstance(data, dict) else None
    if name is None and document is not None:
        operation = document.operation(None)
        name = operation.name.value if operation and operation.name else None
    if isinstance(name, str) and _OPERATION_NAME.fullmatch(name):
        request.state.operation_requested = name


def note_operation(
    request: Request, document: Document | None, data: Any, *, ran: bool, customer_id: int | None
) -> None:
    """For the request log and metrics (app/observability/metrics.py's OperationLabels): the
    name of the operation that ran, and the customer who ran it, when one was looked up. Only
    a document that validated gets this far (a result with `data`: `ran`)."""
    if document is None or not ran:
        return
    operation = document.operation(data.get("operationName"))
    if operation is not None and operation.name is not None:
        request.state.operation_name = operation.name.value
        request.state.customer_id = customer_id
