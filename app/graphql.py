"""The GraphQL endpoints: one Ariadne app per dialect over the one schema."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.exceptions import HttpError
from ariadne.explorer import ExplorerGraphiQL, ExplorerHttp405
from ariadne.types import ErrorFormatter
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
)
from starlette.requests import Request
from starlette.responses import Response

from app.auth import authenticate, public_base_url
from app.db import DatabaseUnavailable
from app.dialects import Dialect
from app.documents import Documents
from app.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorKind
from app.executor import compiled_execution_context
from app.limits import (
    INTROSPECTION_FIELDS,
    fragment_definitions,
    query_limits,
    root_fields,
    shape_limits,
)
from app.observability import request_id
from app.purchases import Once
from app.responses import JSONResponse
from app.settings import Settings
from app.sources import Source
from app.storefront import KeyCheck, StorefrontKeys

logger = logging.getLogger("downloads_api")

# Ariadne logs every GraphQL error with its traceback, expected ones included (a bad
# token, a missing id). The error formatter below logs what deserves it, once.
_ariadne_logger = logging.getLogger("downloads_api.ariadne")
_ariadne_logger.addHandler(logging.NullHandler())
_ariadne_logger.propagate = False


@dataclass
class RequestContext:
    """What resolvers get as `info.context`, built fresh for every request."""

    request: Request
    source: Source
    settings: Settings
    customer_id: Once[int] = field(init=False)

    def __post_init__(self) -> None:
        self.customer_id = Once(self._authenticate)

    @property
    def base_url(self) -> str:
        return public_base_url(self.request, self.settings.public_base_url)

    async def _authenticate(self) -> int:
        customer_id = await authenticate(self.request, self.source)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id


class DialectHTTPHandler(GraphQLHTTPHandler):
    """Ariadne's HTTP handler, plus the storefront key check, the dialect's statuses and
    (when enabled) array batches."""

    def __init__(
        self,
        dialect: Dialect,
        storefront_keys: StorefrontKeys | None,
        documents: Documents,
        *,
        batch_size: int,
    ) -> None:
        super().__init__()
        self.dialect = dialect
        self.documents = documents
        self.storefront_keys = storefront_keys if dialect.storefront_key_required else None
        self.batch_size = batch_size

    async def graphql_http_server(self, request: Request) -> Response:
        try:
            data = await self.extract_data_from_request(request)
        except HttpError as error:
            return _bad_request(error.message or "Bad request")
        if isinstance(data, list) and self.batch_size:
            return await self._run_batch(request, data)

        document = self._parse(data)
        request.state.operation_name = _operation_name(document, data)
        check = KeyCheck()
        if not _introspection_only(document, data):
            check_or_refusal = await self._check_storefront_key(request)
            if isinstance(check_or_refusal, Response):
                return check_or_refusal
            check = check_or_refusal
        success, result = await self.execute_graphql_query(request, data, query_document=document)
        response = await self.create_json_response(request, result, success)
        response.headers.update(check.headers)
        return response

    async def _run_batch(self, request: Request, batch: list[Any]) -> Response:
        if not batch or len(batch) > self.batch_size:
            return _bad_request(
                f"A batch holds 1 to {self.batch_size} operations, got {len(batch)}."
            )
        documents = [self._parse(data) for data in batch]
        check = KeyCheck()
        if not all(map(_introspection_only, documents, batch)):
            check_or_refusal = await self._check_storefront_key(request)
            if isinstance(check_or_refusal, Response):
                return check_or_refusal
            check = check_or_refusal
        context = await self.get_context_for_request(request, batch)  # one customer lookup
        results, statuses = [], []
        for data, document in zip(batch, documents, strict=True):
            success, result = await self.execute_graphql_query(
                request, data, context_value=context, query_document=document
            )
            results.append(self._shape(result))
            statuses.append(self._status(result, success))
        status = 503 if 503 in statuses else 200
        return JSONResponse(results, status_code=status, headers=check.headers)

    def _parse(self, data: Any) -> DocumentNode | None:
        """The parsed document, or None when there is none to parse (the execution that
        follows reports why)."""
        query = data.get("query") if isinstance(data, dict) else None
        if not isinstance(query, str):
            return None
        try:
            return self.documents.parse(query)
        except GraphQLError:
            return None

    async def create_json_response(self, request: Request, result: dict, success: bool) -> Response:
        return JSONResponse(self._shape(result), status_code=self._status(result, success))

    def _status(self, result: dict[str, Any], success: bool) -> int:
        status = self.dialect.http_status(result.get("errors") or [])
        if status is None:
            status = HTTPStatus.OK if success or result.get("data") is not None else 400
        return status

    def _shape(self, result: dict[str, Any]) -> dict[str, Any]:
        if self.dialect.errors_first and "errors" in result:
            return {"errors": result["errors"], **result}
        return result

    async def _check_storefront_key(self, request: Request) -> KeyCheck | Response:
        """What the request's storefront key allows, or the response refusing it."""
        if self.storefront_keys is None:
            return KeyCheck()
        try:
            check = await self.storefront_keys.check(request)
        except DatabaseUnavailable:
            message, extensions = self.dialect.error(ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE)
            return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, 503)
        if check.refused:
            return self.dialect.storefront_key_refused(check)
        return check


def error_formatter(dialect: Dialect, *, suggestions: bool) -> ErrorFormatter:
    """The dialect's wording, and nothing a client must not see."""

    def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
        formatted = dict(error.formatted)
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            # Syntax, validation and variable coercion errors: written for clients, but
            # "Did you mean ...?" would tell the schema to someone denied introspection.
            if not suggestions:
                formatted["message"] = _SUGGESTION.sub("", formatted["message"])
            return formatted
        if isinstance(original, ApiError):
            kind, message = original.kind, original.message
        elif isinstance(original, DatabaseUnavailable):
            kind, message = ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE
            logger.warning("database unavailable: %s", original)
        else:
            logger.error("unexpected error [%s]", request_id(), exc_info=original)
            formatted["message"] = "Internal server error"
            formatted["extensions"] = dialect.internal_error(request_id())
            return formatted
        formatted["message"], formatted["extensions"] = dialect.error(kind, message)
        return formatted

    return format_error


def create_graphql(
    schema: GraphQLSchema,
    dialect: Dialect,
    *,
    source: Source,
    settings: Settings,
    storefront_keys: StorefrontKeys | None,
    documents: Documents,
) -> GraphQL:
    def context(request: Request, _data: Any) -> RequestContext:
        return RequestContext(request=request, source=source, settings=settings)

    return GraphQL(
        schema,
        context_value=context,
        query_parser=documents.parser,
        query_validator=documents.validator,
        http_handler=DialectHTTPHandler(
            dialect, storefront_keys, documents, batch_size=settings.batch_size
        ),
        validation_rules=[
            query_limits(settings.max_query_depth, settings.max_query_complexity),
            shape_limits(settings.max_query_aliases, settings.max_root_fields),
        ],
        error_formatter=error_formatter(dialect, suggestions=settings.introspection),
        execute_get_queries=True,
        execution_context_class=(
            compiled_execution_context(documents.plans)
            if settings.graphql_executor == "compiled"
            else None
        ),
        introspection=settings.introspection,
        explorer=ExplorerGraphiQL() if settings.explorer else ExplorerHttp405(),
        debug=False,
        logger="downloads_api.ariadne",
    )


_SUGGESTION = re.compile(r" ?Did you mean .+\?$")


def _bad_request(message: str) -> Response:
    return JSONResponse({"errors": [{"message": message}]}, status_code=400)


def _operation_name(document: DocumentNode | None, data: Any) -> str | None:
    """For the request log and metrics: the operation asked for, or the document's only one."""
    name = data.get("operationName") if isinstance(data, dict) else None
    if isinstance(name, str) and name:
        return name[:100]
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value
    return None


def _introspection_only(document: DocumentNode | None, data: Any) -> bool:
    """Whether the operation to run selects nothing but `__schema` and `__type` at its root.
    (`__typename` alone does not count: it must not get past the storefront key.)"""
    if document is None:
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    name = data.get("operationName")
    if name:
        operations = [o for o in operations if o.name and o.name.value == name]
    if len(operations) != 1:
        return False
    names = root_fields(operations[0].selection_set, fragment_definitions(document))
    return bool(names) and all(name in INTROSPECTION_FIELDS for name in names)
