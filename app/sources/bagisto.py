"""Bagisto: `downloadable_link_purchased` and `orders`, Sanctum tokens, storefront keys.

Column and token facts: docs/platforms.md §1.1, §1.3 and §1.4.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from app.db import Prepared, Row
from app.models import Purchase, StorefrontKey
from app.sources.bagisto_tokens import MAX_ID, access_tokens, customers, token_check
from app.sources.base import StorefrontKeyStore
from app.sources.common import as_utc, order_keys, purchase_keys, read_purchase
from app.sources.statements import PurchaseTables, order_columns
from app.sources.table import TableSource
from app.sources.tokens import TokenCheck
from app.sources.variables import Variable, as_written, setting

# Only the columns the service reads; the real tables have more.
purchased = sa.table(
    "downloadable_link_purchased",
    sa.column("id", sa.Integer),
    sa.column("product_name", sa.String),
    sa.column("name", sa.String),
    sa.column("url", sa.String),
    sa.column("file", sa.String),
    sa.column("file_name", sa.String),
    sa.column("type", sa.String),
    sa.column("download_bought", sa.Integer),
    sa.column("download_used", sa.Integer),
    sa.column("download_canceled", sa.Integer),
    sa.column("status", sa.String),
    sa.column("customer_id", sa.Integer),
    sa.column("order_id", sa.Integer),
    sa.column("order_item_id", sa.Integer),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)

orders = sa.table(
    "orders",
    sa.column("id", sa.Integer),
    sa.column("increment_id", sa.String),
    sa.column("status", sa.String),
    sa.column("grand_total", sa.Numeric(12, 4)),
    sa.column("base_grand_total", sa.Numeric(12, 4)),
    sa.column("sub_total", sa.Numeric(12, 4)),
    sa.column("order_currency_code", sa.String),
    sa.column("base_currency_code", sa.String),
    sa.column("channel_name", sa.String),
    sa.column("customer_email", sa.String),
    sa.column("customer_first_name", sa.String),
    sa.column("customer_last_name", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)

storefront_keys = sa.table(
    "storefront_keys",
    sa.column("id", sa.BigInteger),
    sa.column("key", sa.String),
    sa.column("key_type", sa.String),
    sa.column("is_active", sa.Boolean),
    sa.column("rate_limit", sa.Integer),
    # JSON on MySQL, LONGTEXT on MariaDB: read the text and parse it here.
    sa.column("allowed_ips", sa.Text),
    sa.column("expires_at", sa.DateTime),
    sa.column("deleted_at", sa.DateTime),
)


STOREFRONT_KEY = Prepared(
    sa.select(
        storefront_keys.c.id,
        storefront_keys.c.key,
        storefront_keys.c.rate_limit,
        storefront_keys.c.allowed_ips,
        storefront_keys.c.expires_at,
        storefront_keys.c.is_active,
    ).where(
        storefront_keys.c.key == sa.bindparam("key"),
        storefront_keys.c.key_type == "shop",
        storefront_keys.c.deleted_at.is_(None),
    )
)


# The order's increment id is read from the order row (Bagisto's purchases have none).
PURCHASE_KEYS = purchase_keys(order_increment_id="o_increment_id")
ORDER_KEYS = order_keys()


def _purchase(row: Row) -> Purchase:
    return read_purchase(
        row,
        PURCHASE_KEYS,
        file_name=row["file_name"],
        download_canceled=int(row["download_canceled"] or 0),
        download_path=f"/api/shop/customer-downloadable-products/{int(row['id'])}/download",
        order_keys=ORDER_KEYS,
    )


PURCHASES = PurchaseTables(
    listed=purchased,
    key=purchased.c.id,
    customer_id=purchased.c.customer_id,
    status=purchased.c.status,
    order_id=purchased.c.order_id,
    orders=orders,
    orders_key=orders.c.id,
    columns=[*purchased.columns, *order_columns(orders)],
    rejoin=lambda page: page.join(purchased, purchased.c.id == page.c.id),
    to_purchase=_purchase,
    order_keys=ORDER_KEYS,
)


CUSTOMER_MODEL = Variable(
    "CUSTOMER_MODEL",
    as_written(),
    "Webkul\\Customer\\Models\\Customer",
    "Bagisto only: `tokenable_type` of customer tokens in `personal_access_tokens`",
)


@dataclass(frozen=True)
class BagistoSettings:
    # The `tokenable_type` of customers' rows in `personal_access_tokens`.
    customer_model: str = setting(CUSTOMER_MODEL)

    def warnings(self) -> list[str]:
        return []


class BagistoSource(TableSource):
    statuses = ("pending", "available", "expired")
    tables = (purchased, orders, customers, access_tokens, storefront_keys)
    purchase_tables = PURCHASES
    max_id = MAX_ID
    own: BagistoSettings
    own_settings = BagistoSettings

    @property
    def customer_model(self) -> str:
        return self.own.customer_model

    @property
    def storefront_keys(self) -> StorefrontKeyStore:
        return self

    def token_check(self, token: str) -> TokenCheck | None:
        return token_check(token, model=self.customer_model)

    def counted(self) -> dict[str, sa.FromClause]:
        return {
            "purchases": purchased,
            "customers": customers,
            "customer tokens": access_tokens.select()
            .where(access_tokens.c.tokenable_type == self.customer_model)
            .subquery(),
            # Every row, as the operator counts them; why one is refused is the log's.
            "storefront keys": storefront_keys,
        }

    async def find_storefront_key(self, key: str) -> StorefrontKey | None:
        row = await self.database.fetch_one(STOREFRONT_KEY, key=key)
        if row is None or row["key"] != key:  # the column's collation may ignore case
            return None
        return StorefrontKey(
            id=int(row["id"]),
            key=row["key"],
            rate_limit=row["rate_limit"],
            allowed_ips=parse_ips(row["allowed_ips"]),
            expires_at=None if row["expires_at"] is None else as_utc(row["expires_at"]),
            active=bool(row["is_active"]),
        )


def parse_ips(raw: str | None) -> tuple[str, ...]:
    # Bagisto stores a JSON array, but older rows hold a comma-separated list.
    if not raw:
        return ()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw.split(",")
    if isinstance(parsed, str):
        parsed = parsed.split(",")
    if not isinstance(parsed, list):
        return ()
    return tuple(str(ip).strip() for ip in parsed if str(ip).strip())
