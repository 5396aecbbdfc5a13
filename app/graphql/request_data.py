"""What the GraphQL handler reads off a request: its data, from JSON bodies and GET queries
only (`JSONHTTPHandler`); and besides running it, the operation's name for the log and
metrics, why its document was not parsed, and whether it is introspection only."""

from __future__ import annotations

import re
from typing import Any

import orjson
from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.constants import DATA_TYPE_JSON
from ariadne.exceptions import HttpBadRequestError
from graphql import GraphQLError
from starlette.requests import Request

from app.errors import refuse
from app.graphql.documents import Document
from app.graphql.limits import TOO_DEEP_MESSAGE

_TOO_DEEP_BODY = "Request body is nested too deeply"

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


class JSONHTTPHandler(GraphQLHTTPHandler):
    """Ariadne's HTTP handler reading JSON bodies (with orjson) and GET queries only, each
    refusal named for the log; the endpoint's DialectHTTPHandler builds on it."""

    async def extract_data_from_request(self, request: Request) -> Any:
        """JSON bodies and GET queries only: neither platform takes multipart uploads."""
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        try:
            # A GET carries its operation in the URL, whatever its Content-Type says: Apollo
            # Client (PWA Studio's `useGETForQueries`) sends `application/json`, no body.
            if request.method == "GET" and request.query_params.get("query"):
                return self.extract_data_from_get_request(request)
            if content_type != DATA_TYPE_JSON:
                refuse("body_not_json")
                raise HttpBadRequestError(f"Posted content must be of type {DATA_TYPE_JSON}")
            return await self.extract_data_from_json_request(request)
        except RecursionError:
            refuse("max_nesting")
            raise HttpBadRequestError(_TOO_DEEP_BODY) from None

    async def extract_data_from_json_request(self, request: Request) -> Any:
        # orjson: a fifth of the stdlib's time, and nesting past 1,024 levels is an error
        # of its own rather than a RecursionError.
        try:
            return orjson.loads(await request.body())
        except orjson.JSONDecodeError as error:
            if error.msg == "depth limit exceeded":
                refuse("max_nesting")
                raise HttpBadRequestError(_TOO_DEEP_BODY) from None
            raise HttpBadRequestError("Request body is not a valid JSON") from None
