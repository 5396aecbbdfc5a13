"""The GraphQL endpoints: one Ariadne app per path, each with its view of the schema and
its dialect. Before any GraphQL work a request's document is measured against the limits
and the guard has its word; afterwards the dialect decides the status."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from ariadne.asgi import GraphQL
from ariadne.exceptions import HttpError
from ariadne.explorer import Explorer, ExplorerHttp405
from ariadne.types import ErrorFormatter
from graphql import GraphQLError, GraphQLSchema
from starlette.requests import Request
from starlette.responses import Response

from app.context import RequestContext
from app.errors import ApiError, refuse
from app.graphql.documents import Document, Documents
from app.graphql.error_format import error_formatter, keep_raised, kind_of
from app.graphql.execution.chunked import ChunkedExecutionContext
from app.graphql.execution.runner import (
    ExecutionStats,
    RunPlanned,
    compiled_execution_context,
)
from app.graphql.limits import TOO_DEEP_MESSAGE, Limits
from app.graphql.request_data import (
    JSONHTTPHandler,
    introspection_only,
    note_operation,
    note_requested,
    unparsed_reason,
)
from app.http.dialects import Dialect
from app.http.explorer import HEADERS as EXPLORER_HEADERS
from app.http.explorer import ServiceExplorer
from app.http.guard import Guard, error_response
from app.http.request_context import request_context
from app.http.responses import JSONResponse, error_answer
from app.settings import Settings
from app.sources import Source
from app.storefront.keys import KeyCheck

_NO_QUERY = "A GET request carries its operation in the query parameter, and none was given."

# Ariadne logs every GraphQL error with its traceback, expected ones included (a bad
# token, a missing id). The error formatter (app/graphql/error_format.py) logs what deserves
# it, once.
_ariadne_logger = logging.getLogger("downloads_api.ariadne")
_ariadne_logger.addHandler(logging.NullHandler())
_ariadne_logger.propagate = False


class DialectHTTPHandler(JSONHTTPHandler):
    """Ariadne's HTTP handler, plus what must happen before any GraphQL work: the
    document measured against the limits, the storefront key checked; and the dialect's
    statuses, JSON-only bodies and (when enabled) array batches."""

    def __init__(
        self,
        dialect: Dialect,
        guard: Guard,
        documents: Documents,
        limits: Limits,
        *,
        batch_size: int,
        format_error: ErrorFormatter,
        run_planned: RunPlanned | None = None,
    ) -> None:
        super().__init__()
        self.run_planned = run_planned
        self.dialect = dialect
        self.format_error = format_error  # the dialect's words (Ariadne's keep the errors)
        self.guard = guard
        self.documents = documents
        self.limits = limits
        self.batch_size = batch_size

    async def handle_request(self, request: Request) -> Response:
        if request.method == "GET" and not request.query_params.get("query"):
            return await self._get_without_query(request)
        return await super().handle_request(request)

    async def _get_without_query(self, request: Request) -> Response:
        """GraphQL over HTTP: a GET without a query is a 400 in JSON (a health probe, a
        persisted-query client), unless a browser asks for a page and the explorer is on."""
        browser = "text/html" in request.headers.get("Accept", "")
        if browser and self.introspection and isinstance(self.explorer, ServiceExplorer):
            return await self.render_explorer(request, self.explorer)
        refuse("query_missing")
        return error_answer(400, _NO_QUERY)

    async def graphql_http_server(self, request: Request) -> Response:
        try:
            return await self._serve(request)
        except RecursionError:  # e.g. variables nested as deep as the document allows
            return error_answer(400, TOO_DEEP_MESSAGE)

    async def _serve(self, request: Request) -> Response:
        try:
            data = await self.extract_data_from_request(request)
        except HttpError as error:
            refuse("request_invalid")
            return error_answer(400, error.message or "Bad request")
        if isinstance(data, list) and self.batch_size:
            return await self._run_batch(request, data)

        prepared = self._prepare(request, data)
        if isinstance(prepared, Response):
            return prepared
        context = await self._context(request, data)
        if isinstance(context, Response):
            return context
        introspection = introspection_only(prepared, data)
        answer = self._answer_key(data) if introspection else None
        if answer is not None and prepared is not None:
            body = prepared.derived.get(answer)
            if body is not None:
                note_operation(request, prepared, data, ran=True, customer_id=None)
                return Response(body, media_type="application/json")
        # Only introspection needs no key (docs/behaviour.md §2).
        check = (
            KeyCheck() if introspection else await self.guard.admit(request, self.dialect, context)
        )
        if isinstance(check, Response):
            return check
        status, answered = await self._run(request, data, prepared, context)
        check = await self.guard.settle(request, self.dialect, context, check)
        if isinstance(check, Response):
            return check
        response = JSONResponse(answered, status_code=status)
        if answer and prepared and status == 200 and "errors" not in answered:
            # Kept as the bytes sent: their size is what they cost.
            body = bytes(response.body)
            self.documents.attach(prepared, answer, body, sys.getsizeof(body))
        response.headers.update(check.headers)
        return response

    async def _run_batch(self, request: Request, batch: list[Any]) -> Response:
        if not batch or len(batch) > self.batch_size:
            refuse("batch_size")
            return error_answer(
                400, f"A batch holds 1 to {self.batch_size} operations, got {len(batch)}."
            )
        documents = []
        for data in batch:
            prepared = self._prepare(request, data)
            if isinstance(prepared, Response):
                return prepared
            documents.append(prepared)
        context = await self._context(request, batch)  # one customer lookup
        if isinstance(context, Response):
            return context
        check = (
            KeyCheck()
            if all(map(introspection_only, documents, batch))
            else await self.guard.admit(request, self.dialect, context, cost=len(batch))
        )
        if isinstance(check, Response):
            return check
        answers = [
            await self._run(request, data, document, context)
            for data, document in zip(batch, documents, strict=True)
        ]
        check = await self.guard.settle(request, self.dialect, context, check)
        if isinstance(check, Response):
            return check
        status = 503 if any(status == 503 for status, _ in answers) else 200
        return JSONResponse(
            [body for _, body in answers], status_code=status, headers=check.headers
        )

    async def _run(
        self, request: Request, data: Any, document: Document | None, context: RequestContext
    ) -> tuple[int, dict[str, Any]]:
        """One operation, executed: its status and body (`_answer`). An operation with a
        plan runs straight from it (`run_planned`), the rest through Ariadne."""
        result, success = None, True
        if self.run_planned is not None and document is not None and isinstance(data, dict):
            assert self.schema is not None  # configured by Ariadne's GraphQL
            result = await self.run_planned(self.schema, document, data, context)
        if result is None:
            node = None if document is None else document.node
            success, result = await self.execute_graphql_query(
                request, data, context_value=context, query_document=node
            )
        customer_id = context.customer.settled_id()
        note_operation(request, document, data, ran="data" in result, customer_id=customer_id)
        return self._answer(result, success)

    def _prepare(self, request: Request, data: Any) -> Document | Response | None:
        """The request's document, parsed and within the limits; None when the request
        has no query to parse (execution says why); or the 400 refusing it."""
        query = data.get("query") if isinstance(data, dict) else None
        if not isinstance(query, str):
            return None
        try:
            document = self.documents.get(query)
        except GraphQLError as error:
            note_requested(request, None, data)
            refuse(unparsed_reason(query, error, self.documents.max_length))
            return self._refuse([error])
        note_requested(request, document, data)
        errors = self.limits.errors(document.node, document.measures)
        if errors:
            refuse(errors[0].limit)
        return self._refuse(errors) if errors else document

    def _refuse(self, errors: Sequence[GraphQLError]) -> Response:
        """A 400 for a document refused before it runs, as Ariadne words validation errors."""
        formatted = [self.format_error(error, False) for error in errors]
        return JSONResponse(self._shape({"errors": formatted}), status_code=400)

    async def render_explorer(self, request: Request, explorer: Explorer) -> Response:
        response = await super().render_explorer(request, explorer)
        if response.status_code == HTTPStatus.OK:
            response.headers.update(EXPLORER_HEADERS)
        return response

    def _answer(self, result: dict[str, Any], success: bool) -> tuple[int, dict[str, Any]]:
        """The status from the errors as raised (`keep_raised`): the dialect's for their
        kinds, else GraphQL's own rule; and the body, with them in the dialect's words."""
        raised: list[GraphQLError] = result.get("errors") or []
        status = self.dialect.status(kind for error in raised if (kind := kind_of(error)))
        if status is None:
            status = HTTPStatus.OK if success or result.get("data") is not None else 400
        if status == 400:
            refuse("query_invalid")  # graphql-core's validation, or an unknown operation
        if raised:
            result = {**result, "errors": [self.format_error(error, False) for error in raised]}
        return status, self._shape(result)

    def _answer_key(self, data: dict[str, Any]) -> tuple[str, Any, str | None] | None:
        """The key an introspection-only operation's answer is kept under with its document
        (per path: its schema's), or None when it may depend on more (variables)."""
        name = data.get("operationName")
        if data.get("variables") or not (name is None or isinstance(name, str)):
            return None
        return "answer", self, name

    def _shape(self, result: dict[str, Any]) -> dict[str, Any]:
        if self.dialect.errors_first and "errors" in result:
            return {"errors": result["errors"], **result}
        return result

    async def _context(self, request: Request, data: Any) -> RequestContext | Response:
        """The request's context, or the refusal of its store or currency in the dialect's
        words: Magento's request validators run before anything else (docs/behaviour.md §9)."""
        try:
            context: RequestContext = await self.get_context_for_request(request, data)
        except ApiError as error:
            return error_response(self.dialect, error.kind, error.message)
        return context


def create_graphql(
    schema: GraphQLSchema,
    dialect: Dialect,
    *,
    source: Source,
    settings: Settings,
    guard: Guard,
    documents: Documents,
    execution: ExecutionStats | None = None,
) -> GraphQL:
    async def context(request: Request, _data: Any) -> RequestContext:
        return await request_context(request, source, settings)

    compiled = None
    if settings.graphql_executor == "compiled":
        compiled = compiled_execution_context(documents, execution)
    return GraphQL(
        schema,
        context_value=context,
        query_parser=documents.parser,
        query_validator=documents.validator,
        http_handler=DialectHTTPHandler(
            dialect,
            guard,
            documents,
            Limits.of(settings),
            batch_size=settings.batch_size,
            format_error=error_formatter(dialect, suggestions=settings.introspection),
            run_planned=None if compiled is None else compiled.run_planned,
        ),
        error_formatter=keep_raised,
        execute_get_queries=True,
        execution_context_class=ChunkedExecutionContext if compiled is None else compiled,
        introspection=settings.introspection,
        explorer=ServiceExplorer(dialect.name, storefront_keys=source.storefront_keys is not None)
        if settings.explorer
        else ExplorerHttp405(),
        debug=False,
        logger="downloads_api.ariadne",
    )
