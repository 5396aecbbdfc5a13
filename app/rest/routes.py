"""Bagisto's REST paths (docs/behaviour.md §2, §5, §7): the customer's downloadable products as
plain JSON, the REST twin of `customerDownloadableProducts` on /api/graphql. The items'
wire format is app/rest/items.py's table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.context import RequestContext
from app.db import DatabaseUnavailable
from app.domain.fair_share import take_rows
from app.domain.purchases import parse_status
from app.errors import ApiError, ErrorKind
from app.http.dialects import BAGISTO_REST, problem
from app.http.guard import Guard, error_response, internal_error, unavailable
from app.http.request_context import request_context
from app.http.responses import JSONResponse
from app.models import Purchase
from app.notation import whole_number
from app.rest.items import item_json
from app.settings import Settings
from app.sources import Source

COLLECTION_PATH = "/api/shop/customer-downloadable-products"
ITEM_PATH = COLLECTION_PATH + "/{id}"
METHODS = ("GET",)
# Pages past the end are empty, not errors; this bound only keeps the number a BIGINT.
MAX_PAGE = 2**63 - 1
ID_PATTERN = "^[0-9]+$"


def total_pages(total: int, per_page: int) -> int:
    # Laravel's LengthAwarePaginator: ceil(total / per_page), and never less than 1.
    return max(1, -(-total // per_page))


def page_number(params: Mapping[str, str], name: str, *, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    value = whole_number(raw, maximum)
    if value is not None and value >= 1:
        return value
    raise ApiError(
        ErrorKind.BAD_INPUT,
        f'Invalid {name} "{raw}". Expected a whole number from 1 to {maximum}.',
    )


Handler = Callable[[RequestContext, Request], Awaitable[Response]]


class _Endpoint:
    """An ASGI app rather than a function, so that Starlette routes every method here and
    the 405 can be Bagisto's problem JSON rather than Starlette's plain text."""

    def __init__(self, api: RestApi, handler: Handler) -> None:
        self.api = api
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        if request.method not in METHODS:
            return _method_not_allowed(request.method)
        # Bagisto's order: the storefront key middleware runs before the provider asks for
        # the customer, and both before any parameter is looked at.
        try:
            # A Magento source's store and currency are refused first (docs/behaviour.md §9).
            context = await request_context(request, self.api.source, self.api.settings)
        except ApiError as error:
            return error_response(BAGISTO_REST, error.kind, error.message)
        admitted = await self.api.guard.admit(request, BAGISTO_REST, context)
        if isinstance(admitted, Response):
            return admitted
        try:
            response = await self.handler(context, request)
        except ApiError as error:
            response = error_response(BAGISTO_REST, error.kind, error.message)
        except DatabaseUnavailable as error:
            response = unavailable(BAGISTO_REST, error)
        except Exception:
            response = internal_error(BAGISTO_REST)
        counted = await self.api.guard.settle(request, BAGISTO_REST, context, admitted)
        if isinstance(counted, Response):
            return counted
        # Every answer to a request with a rate-limited key says where the key stands.
        response.headers.update(counted.headers)
        return response


@dataclass(frozen=True)
class RestApi:
    source: Source
    settings: Settings
    guard: Guard

    async def collection(self, context: RequestContext, request: Request) -> Response:
        params = request.query_params
        status = parse_status(params.get("status"), self.source.statuses)
        page = await context.customer_first(
            partial(page_number, params, "page", default=1, maximum=MAX_PAGE)
        )
        per_page = await context.customer_first(
            partial(
                page_number,
                params,
                "per_page",
                default=self.settings.default_page_size,
                maximum=self.settings.max_page_size,
            )
        )
        offset = (page - 1) * per_page
        # A value that is not a status lists nothing, as on Bagisto (docs/behaviour.md §5): the
        # source counts none. Counting first means a page past the end costs no query (and
        # its offset, which may not even fit the database's LIMIT, is never sent). The token
        # is checked in the count's statement.
        total = await context.customer.read(partial(self.source.count_purchases, status=status))
        purchases: Sequence[Purchase] = ()
        if offset < total:
            # The count tells how many rows this page holds: its turn comes before them.
            await take_rows(min(per_page, total - offset))
            purchases = await self.source.purchases(
                await context.customer_id(), status=status, offset=offset, limit=per_page
            )
        return JSONResponse(
            [item_json(purchase, context.base_url) for purchase in purchases],
            headers={
                "X-Total-Count": str(total),
                "X-Page": str(page),
                "X-Per-Page": str(per_page),
                "X-Total-Pages": str(total_pages(total, per_page)),
            },
        )

    async def item(self, context: RequestContext, request: Request) -> Response:
        # Missing and not theirs read the same, byte for byte.
        found = await context.purchase_named(request.path_params["id"], iri=False)
        return JSONResponse(item_json(found, context.base_url))


def _method_not_allowed(method: str) -> JSONResponse:
    supported = ", ".join(METHODS)
    detail = f"The {method} method is not supported for this route. Supported methods: {supported}."
    return JSONResponse(problem(405, detail), status_code=405, headers={"Allow": supported})


class _NoRoute:
    """Under api/*, Laravel answers an unknown route with a problem too, before any
    middleware: e.g. the platform's own `{id}/download`, or an id holding an encoded "/"."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].lstrip("/")
        detail = f"The route {path} could not be found."
        await JSONResponse(problem(404, detail), status_code=404)(scope, receive, send)


def rest_routes(*, source: Source, settings: Settings, guard: Guard) -> list[Route]:
    api = RestApi(source=source, settings=settings, guard=guard)
    return [
        Route(
            COLLECTION_PATH, _Endpoint(api, api.collection), name="customer-downloadable-products"
        ),
        Route(ITEM_PATH, _Endpoint(api, api.item), name="customer-downloadable-product"),
        # Two segments or more; a bare trailing slash is left to Starlette's redirect.
        Route(ITEM_PATH + "/{rest:path}", _NoRoute()),
    ]
