"""The floor: the bench's requests answered with the service's SQL and nothing else.

A plain Starlette app (no GraphQL) on the same driver as the service (`databases` over
aiomysql, the same pool options and session init from app/db/mysql.py). Per request it checks
the storefront key (cached, as the service caches it), runs the token SELECT, then the
page and count SELECTs the service runs (the page and the count at the same time, as
the service's resolvers do), and writes the same JSON the service answers with, with
the same encoder (orjson, app/responses.py), so that the ratio measures GraphQL alone.

It serves the service's own paths, dispatching GraphQL requests on `operationName`, so
wrk sends both the same bytes. Served by uvicorn: `uvicorn bench.floor:app`, configured
with the service's DATABASE_URL and PUBLIC_BASE_URL variables.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import databases
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.db import CONVERSIONS, MYSQL_SESSION_INIT
from app.responses import JSONResponse  # the service's encoder (orjson)

CUSTOMER_MODEL = "Webkul\\Customer\\Models\\Customer"
KEY_CACHE_SECONDS = 60.0
PURCHASE_IRI = "/api/shop/customer-downloadable-products/"
ORDER_IRI = "/api/shop/customer-orders/"
DEFAULT_PAGE_SIZE = 10

# The service's statements, as app/sources/bagisto.py compiles them (the bench compares
# the two in the server's general log, literal values aside).
PURCHASE_COLUMNS = (
    "downloadable_link_purchased.id, downloadable_link_purchased.product_name,"
    " downloadable_link_purchased.name, downloadable_link_purchased.url,"
    " downloadable_link_purchased.file, downloadable_link_purchased.file_name,"
    " downloadable_link_purchased.type, downloadable_link_purchased.download_bought,"
    " downloadable_link_purchased.download_used, downloadable_link_purchased.download_canceled,"
    " downloadable_link_purchased.status, downloadable_link_purchased.customer_id,"
    " downloadable_link_purchased.order_id, downloadable_link_purchased.order_item_id,"
    " downloadable_link_purchased.created_at, downloadable_link_purchased.updated_at,"
    " orders.id AS o_id, orders.increment_id AS o_increment_id, orders.status AS o_status,"
    " orders.grand_total AS o_grand_total, orders.base_grand_total AS o_base_grand_total,"
    " orders.sub_total AS o_sub_total, orders.order_currency_code AS o_order_currency_code,"
    " orders.base_currency_code AS o_base_currency_code,"
    " orders.channel_name AS o_channel_name, orders.customer_email AS o_customer_email,"
    " orders.customer_first_name AS o_customer_first_name,"
    " orders.customer_last_name AS o_customer_last_name, orders.created_at AS o_created_at,"
    " orders.updated_at AS o_updated_at "
)
TOKEN_SQL = (
    "SELECT customers.id, customers.is_suspended, personal_access_tokens.token,"
    " personal_access_tokens.expires_at, personal_access_tokens.tokenable_type = :model"
    " AS is_customer \nFROM personal_access_tokens LEFT OUTER JOIN customers"
    " ON customers.id = personal_access_tokens.tokenable_id"
    " AND personal_access_tokens.tokenable_type = :model \nWHERE"
    " personal_access_tokens.id = :token_id"
)
KEY_SQL = (
    "SELECT storefront_keys.id, storefront_keys.`key`, storefront_keys.expires_at \n"
    "FROM storefront_keys \nWHERE storefront_keys.`key` = :key"
    " AND storefront_keys.key_type = 'shop' AND storefront_keys.is_active = true"
    " AND storefront_keys.deleted_at IS NULL"
)


def page_sql(direction: str) -> str:
    return (
        f"SELECT {PURCHASE_COLUMNS}\nFROM (SELECT downloadable_link_purchased.id AS id \n"
        "FROM downloadable_link_purchased \n"
        "WHERE downloadable_link_purchased.customer_id = :customer_id"
        f" ORDER BY downloadable_link_purchased.id {direction} \n LIMIT :offset, :limit) AS page"
        " INNER JOIN downloadable_link_purchased ON downloadable_link_purchased.id = page.id"
        " LEFT OUTER JOIN orders ON orders.id = downloadable_link_purchased.order_id"
        f" ORDER BY downloadable_link_purchased.id {direction}"
    )


NEWEST_FIRST_SQL = page_sql("DESC")
OLDEST_FIRST_SQL = page_sql("ASC")
ALL_ROWS = 18446744073709551615  # what SQLAlchemy's MySQL dialect writes for "no limit"
COUNT_SQL = (
    "SELECT count(*) AS count_1 \nFROM downloadable_link_purchased \n"
    "WHERE downloadable_link_purchased.customer_id = :customer_id"
)
ITEM_SQL = (
    f"SELECT {PURCHASE_COLUMNS}\nFROM downloadable_link_purchased LEFT OUTER JOIN orders"
    " ON orders.id = downloadable_link_purchased.order_id \n"
    "WHERE downloadable_link_purchased.id = :id"
    " AND downloadable_link_purchased.customer_id = :customer_id"
)


def _database(url: str) -> databases.Database:
    """Exactly the pool app/db/mysql.py builds: min_size 0 unless the URL says otherwise."""
    options: dict[str, Any] = {}
    if "min_size" not in databases.DatabaseURL(url).options:
        options["min_size"] = 0
    return databases.Database(
        url,
        init_command=MYSQL_SESSION_INIT,
        conv=CONVERSIONS,
        charset="utf8mb4",
        connect_timeout=5.0,
        **options,
    )


database = _database(
    os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/downloads_api_bench")
)
BASE_URL = os.environ.get("PUBLIC_BASE_URL", "https://shop.example.com").rstrip("/")
_keys: dict[str, tuple[float, bool]] = {}


class Refused(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


# --- values, as the service writes them ------------------------------------------


def _time(value: datetime | None) -> str | None:
    # The pool's CONVERSIONS read timestamps as aware UTC datetimes.
    return None if value is None else value.isoformat(timespec="seconds")


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def _cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _remaining(row: Sequence[Any]) -> int | None:
    bought = row[7] or 0
    return None if bought == 0 else max(0, bought - (row[8] or 0) - (row[9] or 0))


def _order(row: Sequence[Any]) -> dict[str, Any] | None:
    if row[16] is None:
        return None
    return {
        "id": f"{ORDER_IRI}{row[16]}",
        "_id": row[16],
        "incrementId": row[17],
        "status": row[18],
        "grandTotal": _money(row[19]),
        "baseGrandTotal": _money(row[20]),
        "subTotal": _money(row[21]),
        "orderCurrencyCode": row[22],
        "baseCurrencyCode": row[23],
        "channelName": row[24],
        "customerEmail": row[25],
        "customerFirstName": row[26],
        "customerLastName": row[27],
        "createdAt": _time(row[28]),
        "updatedAt": _time(row[29]),
    }


def node(row: Sequence[Any]) -> dict[str, Any]:
    """A purchase as the bench's GraphQL documents select it (bench/scenarios.py)."""
    return {
        "id": f"{PURCHASE_IRI}{row[0]}",
        "_id": row[0],
        "productName": row[1],
        "name": row[2],
        "url": row[3],
        "file": row[4],
        "fileName": row[5],
        "type": row[6],
        "downloadBought": row[7] or 0,
        "downloadUsed": row[8] or 0,
        "downloadCanceled": row[9] or 0,
        "status": row[10],
        "remainingDownloads": _remaining(row),
        "downloadUrl": f"{BASE_URL}{PURCHASE_IRI}{row[0]}/download",
        "customerId": row[11],
        "orderId": row[12],
        "orderItemId": row[13],
        "order": _order(row),
        "createdAt": _time(row[14]),
        "updatedAt": _time(row[15]),
    }


def magento_item(row: Sequence[Any]) -> dict[str, Any]:
    remaining = _remaining(row)
    created: datetime | None = row[14]
    return {
        "date": None if created is None else created.strftime("%Y-%m-%d %H:%M:%S"),
        "download_url": f"{BASE_URL}{PURCHASE_IRI}{row[0]}/download",
        "order_increment_id": row[17],
        "remaining_downloads": "Unlimited" if remaining is None else str(remaining),
        "status": row[10],
    }


def rest_item(row: Sequence[Any]) -> dict[str, Any]:
    order = None
    if row[16] is not None:
        order = {
            "id": row[16],
            "incrementId": row[17],
            "status": row[18],
            "grandTotal": _money(row[19]),
        }
    return {
        "id": row[0],
        "productName": row[1],
        "name": row[2],
        "url": row[3],
        "file": row[4],
        "fileName": row[5],
        "type": row[6],
        "downloadBought": row[7] or 0,
        "downloadUsed": row[8] or 0,
        "downloadCanceled": row[9] or 0,
        "status": row[10],
        "remainingDownloads": _remaining(row),
        "downloadUrl": f"{BASE_URL}{PURCHASE_IRI}{row[0]}/download",
        "customerId": row[11],
        "orderId": row[12],
        "orderItemId": row[13],
        "order": order,
        "createdAt": _time(row[14]),
        "updatedAt": _time(row[15]),
    }


# --- the SQL work --------------------------------------------------------------------


async def check_storefront_key(request: Request) -> None:
    key = request.headers.get("X-STOREFRONT-KEY", "").strip()
    if not key:
        raise Refused(401)
    now = time.monotonic()
    cached = _keys.get(key)
    if cached is None or cached[0] <= now:
        row = await database.fetch_one(KEY_SQL, {"key": key})
        valid = row is not None and row[1] == key
        if valid and row[2] is not None:
            valid = row[2] > datetime.now(UTC)  # CONVERSIONS: aware UTC datetimes
        cached = (now + KEY_CACHE_SECONDS, valid)
        _keys[key] = cached
    if not cached[1]:
        raise Refused(401)


async def customer_id(request: Request) -> int:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token_id, _, secret = token.strip().partition("|")
    if scheme.lower() != "bearer" or not token_id.isdigit() or not secret:
        raise Refused(403)
    row = await database.fetch_one(TOKEN_SQL, {"model": CUSTOMER_MODEL, "token_id": int(token_id)})
    digest = hashlib.sha256(secret.encode()).hexdigest()
    if row is None or not row[4] or row[0] is None or row[1]:
        raise Refused(403)
    if not hmac.compare_digest(row[2], digest):
        raise Refused(403)
    if row[3] is not None and row[3] <= datetime.now(UTC):
        raise Refused(403)
    return int(row[0])


async def purchases(customer: int, offset: int, limit: int, *, newest_first: bool = True) -> list:
    sql = NEWEST_FIRST_SQL if newest_first else OLDEST_FIRST_SQL
    values = {"customer_id": customer, "offset": offset, "limit": limit}
    return [record._mapping for record in await database.fetch_all(sql, values)]


async def count(customer: int) -> int:
    return int(await database.fetch_val(COUNT_SQL, {"customer_id": customer}))


# --- endpoints -------------------------------------------------------------------


async def connection(customer: int, variables: dict[str, Any]) -> dict[str, Any]:
    first = variables.get("first", DEFAULT_PAGE_SIZE)
    after = variables.get("after")
    start = 0 if after is None else int(base64.b64decode(after)) + 1
    rows, total = await asyncio.gather(purchases(customer, start, first + 1), count(customer))
    page = rows[:first]
    edges = [{"cursor": _cursor(start + i), "node": node(row)} for i, row in enumerate(page)]
    return {
        "edges": edges,
        "pageInfo": {
            "startCursor": _cursor(start) if page else None,
            "endCursor": _cursor(start + len(page) - 1) if page else None,
            "hasNextPage": len(rows) > first,
            "hasPreviousPage": start > 0,
        },
        "totalCount": total,
    }


async def bagisto_graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())  # as the service reads it
    variables = body.get("variables") or {}
    try:
        await check_storefront_key(request)
        customer = await customer_id(request)
    except Refused as refused:
        return JSONResponse({"errors": [{"message": "refused"}]}, refused.status)
    if body.get("operationName") == "Item":
        number = int(variables["id"].rsplit("/", 1)[-1])
        row = await database.fetch_one(ITEM_SQL, {"id": number, "customer_id": customer})
        item = None if row is None else node(row._mapping)
        return JSONResponse({"data": {"customerDownloadableProduct": item}})
    data = await connection(customer, variables)
    return JSONResponse({"data": {"customerDownloadableProducts": data}})


async def magento_graphql(request: Request) -> Response:
    orjson.loads(await request.body())  # as the service reads it
    try:
        await check_storefront_key(request)
    except Refused as refused:
        return JSONResponse({"errors": [{"message": "Invalid storefront key"}]}, refused.status)
    try:
        customer = await customer_id(request)
    except Refused:
        return JSONResponse({"errors": [{"message": "The current customer isn't authorized."}]})
    rows = await purchases(customer, 0, ALL_ROWS, newest_first=False)
    items = [magento_item(row) for row in rows]
    return JSONResponse({"data": {"customerDownloadableProducts": {"items": items}}})


async def rest_collection(request: Request) -> Response:
    try:
        await check_storefront_key(request)
        customer = await customer_id(request)
    except Refused as refused:
        return JSONResponse({"status": refused.status}, refused.status)
    page = int(request.query_params.get("page", 1))
    per_page = int(request.query_params.get("per_page", DEFAULT_PAGE_SIZE))
    total = await count(customer)
    offset = (page - 1) * per_page
    rows = await purchases(customer, offset, per_page) if offset < total else []
    return JSONResponse(
        [rest_item(row) for row in rows],
        headers={
            "X-Total-Count": str(total),
            "X-Page": str(page),
            "X-Per-Page": str(per_page),
            "X-Total-Pages": str(max(1, -(-total // per_page))),
        },
    )


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    await database.connect()
    try:
        yield
    finally:
        await database.disconnect()


app = Starlette(
    routes=[
        Route("/api/graphql", bagisto_graphql, methods=["POST"]),
        Route("/graphql", magento_graphql, methods=["POST"]),
        Route("/api/shop/customer-downloadable-products", rest_collection),
        Route("/health", health),
    ],
    lifespan=lifespan,
)
