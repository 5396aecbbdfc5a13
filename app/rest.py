"""Bagisto's REST paths (contract §2, §5, §7): the customer's downloadable products as
plain JSON, the REST twin of `customerDownloadableProducts` on /api/graphql.

The item's wire format is the table `ITEM_FIELDS`; app/openapi.py documents that same
table, so the document cannot drift from what the handlers send.
"""

from __future__ import annotations

import logging
import re
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.auth import authenticate, public_base_url
from app.db import DatabaseUnavailable
from app.dialects import bagisto_rest
from app.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorKind, not_found
from app.formats import iso8601
from app.models import Order, Purchase
from app.observability import request_id
from app.purchases import parse_status, purchase_id
from app.settings import Settings
from app.sources import Source
from app.storefront import KeyCheck, StorefrontKeys

logger = logging.getLogger("downloads_api")

COLLECTION_PATH = "/api/shop/customer-downloadable-products"
ITEM_PATH = COLLECTION_PATH + "/{id}"
METHODS = ("GET",)
# Pages past the end are empty, not errors; this bound only keeps the number a BIGINT.
MAX_PAGE = 2**63 - 1
ID_PATTERN = "^[0-9]+$"
_DIGITS = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Field:
    key: str
    # The Python type of the value before it is written; app/openapi.py turns it into a schema.
    type: Any
    value: Callable[[Any, str], Any]  # (record, base URL) -> the value as Python has it
    description: str


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso8601(value)
    if isinstance(value, Decimal):  # DECIMAL(12,4): clients expect 29.99, as on GraphQL
        return float(value)
    return value


@cache
def _types(record: type) -> dict[str, Any]:
    """The declared types of a record's attributes and properties."""
    types = typing.get_type_hints(record)
    for name, member in vars(record).items():
        if isinstance(member, property) and member.fget is not None:
            types[name] = typing.get_type_hints(member.fget)["return"]
    return types


def _attribute(key: str, name: str, description: str, record: type = Purchase) -> Field:
    # The type comes from the record itself: nullability is what the service sends.
    return Field(key, _types(record)[name], lambda obj, _: _wire(getattr(obj, name)), description)


ORDER_FIELDS: tuple[Field, ...] = (
    _attribute("id", "id", "Order number (the order's database id).", Order),
    _attribute("incrementId", "increment_id", "Order number as the customer sees it.", Order),
    _attribute("status", "status", "Order status, e.g. `completed` or `pending`.", Order),
    _attribute("grandTotal", "grand_total", "Order total in the order's currency.", Order),
)


def _order(purchase: Purchase, _: str) -> dict[str, Any] | None:
    return None if purchase.order is None else _object(ORDER_FIELDS, purchase.order, "")


ITEM_FIELDS: tuple[Field, ...] = (
    _attribute("id", "id", "Purchase number."),
    _attribute("productName", "product_name", "Name of the product bought."),
    _attribute("name", "name", "Title of the download link."),
    _attribute("url", "url", "Where a link of type `url` points."),
    _attribute("file", "file", "Storage path of a link of type `file`."),
    _attribute("fileName", "file_name", "File name shown to the customer."),
    _attribute("type", "type", "How the download is delivered: `file` or `url`."),
    _attribute("downloadBought", "download_bought", "Downloads bought; 0 means unlimited."),
    _attribute("downloadUsed", "download_used", "Downloads used so far."),
    _attribute("downloadCanceled", "download_canceled", "Downloads cancelled (refunded)."),
    _attribute("status", "status", "Purchase status: a value the `status` parameter takes."),
    _attribute(
        "remainingDownloads",
        "remaining_downloads",
        "max(0, bought - used - cancelled); null when downloads are unlimited.",
    ),
    # The same value as the GraphQL field: the base URL and the source's (encoded) path.
    Field(
        "downloadUrl",
        str,
        lambda purchase, base_url: base_url + purchase.download_path,
        "Absolute URL of the platform's download route for this purchase.",
    ),
    _attribute("customerId", "customer_id", "The customer who bought it."),
    _attribute("orderId", "order_id", "Number of the order it was bought with."),
    _attribute("orderItemId", "order_item_id", "Number of the order line it was bought with."),
    Field("order", Order | None, _order, "The order it was bought with; null if it is gone."),
    _attribute("createdAt", "created_at", "When it was bought (UTC, ISO 8601)."),
    _attribute("updatedAt", "updated_at", "When it last changed (UTC, ISO 8601)."),
)


def _object(fields: tuple[Field, ...], record: Any, base_url: str) -> dict[str, Any]:
    return {field.key: field.value(record, base_url) for field in fields}


def item_json(purchase: Purchase, base_url: str) -> dict[str, Any]:
    return _object(ITEM_FIELDS, purchase, base_url)


def total_pages(total: int, per_page: int) -> int:
    # Laravel's LengthAwarePaginator: ceil(total / per_page), and never less than 1.
    return max(1, -(-total // per_page))


def page_number(params: Mapping[str, str], name: str, *, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    digits = raw.lstrip("0")
    # Leading zeros are dropped and the length checked before int() reads anything.
    if (
        _DIGITS.fullmatch(raw)
        and len(digits) <= len(str(maximum))
        and 1 <= int(digits or 0) <= maximum
    ):
        return int(digits)
    raise ApiError(
        ErrorKind.BAD_INPUT,
        f'Invalid {name} "{raw}". Expected a whole number from 1 to {maximum}.',
    )


class StorefrontKeyRefused(Exception):
    def __init__(self, check: KeyCheck) -> None:
        super().__init__(check.refused)
        self.check = check


Handler = Callable[[Request], Awaitable[Response]]


class _Endpoint:
    """An ASGI app rather than a function, so that Starlette routes every method here and
    the 405 can be Bagisto's problem JSON rather than Starlette's plain text."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        # Every answer to a request with a rate-limited key says where the key stands.
        response.headers.update(getattr(request.state, "rate_limit_headers", {}))
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        if request.method not in METHODS:
            return bagisto_rest.method_not_allowed(request.method, METHODS)
        try:
            return await self.handler(request)
        except StorefrontKeyRefused as refused:
            return bagisto_rest.storefront_key_refused(refused.check)
        except ApiError as error:
            return bagisto_rest.error_response(error)
        except DatabaseUnavailable as error:
            logger.warning("database unavailable: %s", error)
            return bagisto_rest.error_response(ApiError(ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE))
        except Exception:
            logger.exception("unexpected error [%s]", request_id())
            return bagisto_rest.internal_error(request_id())


class RestApi:
    def __init__(
        self, *, source: Source, settings: Settings, storefront_keys: StorefrontKeys | None
    ) -> None:
        self.source = source
        self.settings = settings
        self.storefront_keys = storefront_keys

    async def collection(self, request: Request) -> Response:
        customer_id = await self._customer(request)
        params = request.query_params
        status = parse_status(params.get("status"), self.source.statuses)
        page = page_number(params, "page", default=1, maximum=MAX_PAGE)
        per_page = page_number(
            params,
            "per_page",
            default=self.settings.default_page_size,
            maximum=self.settings.max_page_size,
        )
        offset = (page - 1) * per_page
        # A value that is not a status lists nothing, as on Bagisto (contract §5): the
        # source counts none. Counting first means a page past the end costs no query (and
        # its offset, which may not even fit the database's LIMIT, is never sent).
        total = await self.source.count_purchases(customer_id, status=status)
        purchases: Sequence[Purchase] = ()
        if offset < total:
            purchases = await self.source.purchases(
                customer_id, status=status, offset=offset, limit=per_page
            )
        base_url = public_base_url(request, self.settings.public_base_url)
        return JSONResponse(
            [item_json(purchase, base_url) for purchase in purchases],
            headers={
                "X-Total-Count": str(total),
                "X-Page": str(page),
                "X-Per-Page": str(per_page),
                "X-Total-Pages": str(total_pages(total, per_page)),
            },
        )

    async def item(self, request: Request) -> Response:
        customer_id = await self._customer(request)
        number, value = purchase_id(request.path_params["id"], iri=False)
        found = None if value is None else await self.source.purchase(customer_id, value)
        if found is None:  # missing and not theirs read the same, byte for byte
            raise not_found(number)
        return JSONResponse(
            item_json(found, public_base_url(request, self.settings.public_base_url))
        )

    async def _customer(self, request: Request) -> int:
        # Bagisto's order: the storefront key middleware runs before the provider asks
        # for the customer, and both before any parameter is looked at.
        if self.storefront_keys is not None:
            check = await self.storefront_keys.check(request)
            request.state.rate_limit_headers = check.headers
            if check.refused:
                raise StorefrontKeyRefused(check)
        customer_id = await authenticate(request, self.source)
        if customer_id is None:
            raise ApiError(ErrorKind.UNAUTHORIZED)
        return customer_id


class _NoRoute:
    """Under api/*, Laravel answers an unknown route with a problem too, before any
    middleware: e.g. the platform's own `{id}/download`, or an id holding an encoded "/"."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].lstrip("/")
        response = bagisto_rest.problem_response(404, f"The route {path} could not be found.")
        await response(scope, receive, send)


def rest_routes(
    *, source: Source, settings: Settings, storefront_keys: StorefrontKeys | None
) -> list[Route]:
    api = RestApi(source=source, settings=settings, storefront_keys=storefront_keys)
    return [
        Route(COLLECTION_PATH, _Endpoint(api.collection), name="customer-downloadable-products"),
        Route(ITEM_PATH, _Endpoint(api.item), name="customer-downloadable-product"),
        # Two segments or more; a bare trailing slash is left to Starlette's redirect.
        Route(ITEM_PATH + "/{rest:path}", _NoRoute()),
    ]
