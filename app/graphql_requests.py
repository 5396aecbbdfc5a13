"""What the GraphQL handler reads off a request's data besides running it: the operation's
name for the log and metrics, whether it is introspection only, and the key an
introspection answer is kept under."""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from app.documents import Document

# What a client may name its operation for the log: a GraphQL name, and not a long one.
_OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


def answer_key(data: dict[str, Any]) -> tuple[str, str | None] | None:
    """The key an introspection-only operation's answer is kept under, or None when it
    may depend on more than the schema (variables)."""
    name = data.get("operationName")
    if data.get("variables") or not (name is None or isinstance(name, str)):
        return None
    return data["query"], name


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
    request: Request, document: Document | None, data: Any, result: dict[str, Any]
) -> None:
    """For the request log and metrics: the name of the operation that ran. Only a
    document that validated gets this far (a result with `data`), so the names seen are
    the schema's real clients', not whatever a caller makes up."""
    if document is None or "data" not in result:
        return
    operation = document.operation(data.get("operationName"))
    if operation is not None and operation.name is not None:
        request.state.operation_name = operation.name.value
