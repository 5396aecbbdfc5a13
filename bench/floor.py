"""The floor: the bench's requests answered with the service's SQL on the raw driver.

A plain Starlette app on aiomysql's own pool and cursors (no `databases`, no GraphQL):
per request it checks the storefront key (cached, as the service caches it), runs the
token check, then the page and the count at the same time (or the one purchase, or
Magento's whole list), and writes the service's JSON with orjson. The statements are the
service's own (bench/statements.py); the bench checks that every answer is the service's
byte for byte before it times anything.

`uvicorn bench.floor:app`, configured by DATABASE_URL (with `?max_size=`) and
PUBLIC_BASE_URL, as the service is.
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
from urllib.parse import parse_qs, unquote, urlsplit

import aiomysql
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.db import CONVERSIONS
from bench.statements import SESSION_INIT, statements

CUSTOMER_MODEL = "Webkul\\Customer\\Models\\Customer"
KEY_CACHE_SECONDS = 60.0  # the service's STOREFRONT_KEY_CACHE_SECONDS default
PURCHASE_IRI = "/api/shop/customer-downloadable-products/"
ORDER_IRI = "/api/shop/customer-orders/"
BASE_URL = os.environ.get("PUBLIC_BASE_URL", "https://shop.example.com").rstrip("/")
SQL = statements()
Row = Sequence[Any]


class Refused(Exception):
    pass


class Floor:
    """The pool, the key cache and the three kinds of answer."""

    def __init__(self, url: str) -> None:
        self.url = urlsplit(url)
        self.pool: aiomysql.Pool | None = None
        self.keys: dict[str, tuple[float, bool]] = {}

    async def open(self) -> None:
        options = parse_qs(self.url.query)
        self.pool = await aiomysql.create_pool(
            minsize=int(options.get("min_size", ["1"])[0]),
            maxsize=int(options.get("max_size", ["10"])[0]),
            host=self.url.hostname or "127.0.0.1",
            port=self.url.port or 3306,
            user=unquote(self.url.username or "root"),
            password=unquote(self.url.password or ""),
            db=self.url.path.lstrip("/"),
            charset="utf8mb4",
            autocommit=True,
            init_command=SESSION_INIT,
            conv=CONVERSIONS,
        )

    async def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            await self.pool.wait_closed()

    async def rows(self, name: str, **values: Any) -> list[Row]:
        sql, defaults = SQL[name]
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.cursor() as cursor:
            await cursor.execute(sql, {**defaults, **values})
            return list(await cursor.fetchall())

    async def check_key(self, request: Request) -> None:
        key = request.headers.get("x-storefront-key", "").strip()
        now = time.monotonic()
        cached = self.keys.get(key)
        if cached is None or cached[0] <= now:
            found = await self.rows("key", key=key) if key else []
            row = found[0] if found else None
            valid = row is not None and row[1] == key and bool(row[5])
            if valid and row is not None and row[4] is not None:
                valid = row[4] > datetime.now(UTC)
            cached = (now + KEY_CACHE_SECONDS, valid)
            self.keys[key] = cached
        if not cached[1]:
            raise Refused

    async def customer(self, request: Request) -> int:
        """The customer of the Sanctum token `{id}|{secret}`, checked against the database."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token_id, _, secret = token.strip().partition("|")
        if scheme.lower() != "bearer" or not token_id.isdigit() or not secret:
            raise Refused
        found = await self.rows("token", model=CUSTOMER_MODEL, id=int(token_id))
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if not found or not hmac.compare_digest(str(found[0][2]), digest):
            raise Refused
        customer, suspended, _, expires, is_customer = found[0]
        if not is_customer or customer is None or suspended:
            raise Refused
        if expires is not None and expires <= datetime.now(UTC):
            raise Refused
        return int(customer)

    async def connection(self, customer: int, variables: dict[str, Any]) -> dict[str, Any]:
        first = int(variables.get("first", 10))
        after = variables.get("after")
        start = 0 if after is None else int(base64.b64decode(after)) + 1
        rows, counted = await asyncio.gather(
            self.rows("page", customer_id=customer, offset=start, limit=first + 1),
            self.rows("count", customer_id=customer),
        )
        page = rows[:first]
        return {
            "edges": [
                {"cursor": cursor(start + i), "node": node(row)} for i, row in enumerate(page)
            ],
            "pageInfo": {
                "startCursor": cursor(start) if page else None,
                "endCursor": cursor(start + len(page) - 1) if page else None,
                "hasNextPage": len(rows) > first,
                "hasPreviousPage": start > 0,
            },
            "totalCount": int(counted[0][0]),
        }


floor = Floor(os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/downloads_api_bench"))


def cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _money(value: Any) -> float | None:
    return None if value is None else float(value)


def _remaining(row: Row) -> int | None:
    bought = row[7] or 0
    return None if bought == 0 else max(0, bought - (row[8] or 0) - (row[9] or 0))


# The order's fields in the page statement's columns from 17 on (bench/statements.py).
_ORDER: tuple[str, ...] = ("incrementId", "status", "grandTotal", "baseGrandTotal", "subTotal")
_ORDER += ("orderCurrencyCode", "baseCurrencyCode", "channelName", "customerEmail")
_ORDER += ("customerFirstName", "customerLastName", "createdAt", "updatedAt")
_MONEY, _TIMES = {"grandTotal", "baseGrandTotal", "subTotal"}, {"createdAt", "updatedAt"}


def _order(row: Row) -> dict[str, Any] | None:
    if row[16] is None:
        return None
    order: dict[str, Any] = {"id": f"{ORDER_IRI}{row[16]}", "_id": row[16]}
    for name, value in zip(_ORDER, row[17:30], strict=True):
        order[name] = _money(value) if name in _MONEY else _time(value) if name in _TIMES else value
    return order


def node(row: Row) -> dict[str, Any]:
    """A purchase as bench/documents/list.graphql and item.graphql select it."""
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


def magento_item(row: Row) -> dict[str, Any]:
    remaining = _remaining(row)
    created: datetime | None = row[14]
    return {
        "date": None if created is None else created.strftime("%Y-%m-%d %H:%M:%S"),
        "download_url": f"{BASE_URL}{PURCHASE_IRI}{row[0]}/download",
        "order_increment_id": row[17],
        "remaining_downloads": "Unlimited" if remaining is None else str(remaining),
        "status": row[10],
    }


def answer(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status, media_type="application/json")


async def bagisto(request: Request) -> Response:
    body = orjson.loads(await request.body())
    variables = body.get("variables") or {}
    try:
        await floor.check_key(request)
        customer = await floor.customer(request)
    except Refused:
        return answer({"errors": [{"message": "refused"}]}, 401)
    if body.get("operationName") == "Item":
        number = int(str(variables["id"]).rsplit("/", 1)[-1])
        found = await floor.rows("item", purchase_id=number, customer_id=customer)
        item = node(found[0]) if found else None
        return answer({"data": {"customerDownloadableProduct": item}})
    data = await floor.connection(customer, variables)
    return answer({"data": {"customerDownloadableProducts": data}})


async def magento(request: Request) -> Response:
    orjson.loads(await request.body())
    try:
        await floor.check_key(request)
        customer = await floor.customer(request)
    except Refused:
        return answer({"errors": [{"message": "The current customer isn't authorized."}]})
    rows = await floor.rows("everything", customer_id=customer, offset=0)
    items = [magento_item(row) for row in rows]
    return answer({"data": {"customerDownloadableProducts": {"items": items}}})


async def health(_: Request) -> Response:
    return answer({"status": "ok"})


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    await floor.open()
    try:
        yield
    finally:
        await floor.close()


app = Starlette(
    routes=[
        Route("/api/graphql", bagisto, methods=["POST"]),
        Route("/graphql", magento, methods=["POST"]),
        Route("/health", health),
    ],
    lifespan=lifespan,
)
