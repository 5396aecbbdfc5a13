"""Magento 2.4: `downloadable_link_purchased(_item)` and `sales_order`; opaque and JWT tokens
(checked in app/sources/magento_tokens.py).

One purchase per `downloadable_link_purchased_item` row, as Magento lists them; rows in
`pending_payment`, `payment_review` or no status are never shown (Magento's own query
drops them). Column facts: docs/platforms.md §2.1, §2.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from posixpath import basename
from urllib.parse import quote

import sqlalchemy as sa

from app.db import Row
from app.models import Purchase
from app.sources.common import order_keys, purchase_keys, read_purchase
from app.sources.magento_stores import TABLES as STORE_TABLES
from app.sources.magento_stores import StoreScope
from app.sources.magento_tokens import (
    CUSTOMER_USER_TYPE,
    jwt_key,
    oauth_tokens,
    revocations,
    token_check,
)
from app.sources.statements import PurchaseTables, order_columns
from app.sources.table import TableSource
from app.sources.tokens import TokenCheck
from app.sources.variables import Variable, number, setting, stripped_or_none

purchased = sa.table(
    "downloadable_link_purchased",
    sa.column("purchased_id", sa.Integer),
    sa.column("order_id", sa.Integer),
    sa.column("order_increment_id", sa.String),
    sa.column("customer_id", sa.Integer),
    sa.column("product_name", sa.String),
)

items = sa.table(
    "downloadable_link_purchased_item",
    sa.column("item_id", sa.Integer),
    sa.column("purchased_id", sa.Integer),
    sa.column("order_item_id", sa.Integer),
    sa.column("link_hash", sa.String),
    sa.column("number_of_downloads_bought", sa.Integer),
    sa.column("number_of_downloads_used", sa.Integer),
    sa.column("link_title", sa.String),
    sa.column("link_url", sa.String),
    sa.column("link_file", sa.String),
    sa.column("link_type", sa.String),
    sa.column("status", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)

orders = sa.table(
    "sales_order",
    sa.column("entity_id", sa.Integer),
    sa.column("increment_id", sa.String),
    sa.column("status", sa.String),
    sa.column("grand_total", sa.Numeric(20, 4)),
    sa.column("base_grand_total", sa.Numeric(20, 4)),
    sa.column("subtotal", sa.Numeric(20, 4)),
    sa.column("order_currency_code", sa.String),
    sa.column("base_currency_code", sa.String),
    sa.column("store_name", sa.String),
    sa.column("customer_email", sa.String),
    sa.column("customer_firstname", sa.String),
    sa.column("customer_lastname", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)

LISTED_STATUSES = ("pending", "available", "expired")
_MAX_ID = 2**32 - 1  # item_id is INT UNSIGNED

_COLUMNS = [
    items.c.item_id,
    items.c.order_item_id,
    items.c.link_hash,
    items.c.number_of_downloads_bought,
    items.c.number_of_downloads_used,
    items.c.link_title,
    items.c.link_url,
    items.c.link_file,
    items.c.link_type,
    items.c.status,
    items.c.created_at,
    items.c.updated_at,
    purchased.c.order_id,
    purchased.c.order_increment_id,
    purchased.c.customer_id,
    purchased.c.product_name,
    *order_columns(orders),
]


# One row per link bought: Magento lists items, each with its purchase's order.
LISTED = items.join(purchased, purchased.c.purchased_id == items.c.purchased_id)


# The Purchase and Order fields whose columns have other names here.
PURCHASE_KEYS = purchase_keys(
    id="item_id",
    name="link_title",
    url="link_url",
    file="link_file",
    type="link_type",
    download_bought="number_of_downloads_bought",
    download_used="number_of_downloads_used",
)
ORDER_KEYS = order_keys(
    id="entity_id",
    sub_total="subtotal",
    channel_name="store_name",
    customer_first_name="customer_firstname",
    customer_last_name="customer_lastname",
)


def _purchase(row: Row) -> Purchase:
    link_file = row["link_file"]
    return read_purchase(
        row,
        PURCHASE_KEYS,
        file_name=basename(link_file) if link_file else None,
        download_canceled=0,  # Magento keeps no such count
        download_path=f"/downloadable/download/link/id/{quote(row['link_hash'] or '', safe='')}/",
        order_keys=ORDER_KEYS,
    )


PURCHASES = PurchaseTables(
    listed=LISTED,
    key=items.c.item_id,
    customer_id=purchased.c.customer_id,
    status=items.c.status,
    order_id=purchased.c.order_id,
    orders=orders,
    orders_key=orders.c.entity_id,
    columns=_COLUMNS,
    rejoin=lambda page: page.join(items, items.c.item_id == page.c.item_id).join(
        purchased, purchased.c.purchased_id == items.c.purchased_id
    ),
    to_purchase=_purchase,
    order_keys=ORDER_KEYS,
    shown=LISTED_STATUSES,
)


CRYPT_KEY = Variable(
    "MAGENTO_CRYPT_KEY",
    stripped_or_none(),
    None,
    (
        "Magento only: the deployment's `crypt/key` from `app/etc/env.php`, exactly as written"
        " there (all keys, if rotated); customer JWTs are verified with it"
    ),
    "none: JWTs refused",
    secret=True,
)
TOKEN_LIFETIME_HOURS = Variable(
    "MAGENTO_TOKEN_LIFETIME_HOURS",
    number(),
    1.0,
    (
        "Magento only: how long an opaque `oauth_token` lives after it was issued (Magento's"
        " *Customer Token Lifetime*); `0` for ever"
    ),
)
STORE_REFRESH_SECONDS = Variable(
    "MAGENTO_STORE_REFRESH_SECONDS",
    number(at_most=60),
    60.0,
    (
        "Magento only: how often store views and their configuration are read again (more than"
        " 0, at most 60)"
    ),
)


@dataclass(frozen=True)
class MagentoSettings:
    # The deployment's `crypt/key` (app/etc/env.php); customer JWTs are refused without it.
    crypt_key: str | None = setting(CRYPT_KEY)
    # How long an opaque customer token lives after it was issued; 0: for ever.
    token_lifetime_hours: float = setting(TOKEN_LIFETIME_HOURS)
    # How often store views and their configuration are read again (docs/behaviour.md §9: a change
    # in Magento's admin shows within a minute).
    store_refresh_seconds: float = setting(STORE_REFRESH_SECONDS)

    def warnings(self) -> list[str]:
        if self.crypt_key is not None:
            return []
        return [
            "MAGENTO_CRYPT_KEY is not set: every customer JWT (Magento's default token since"
            " 2.4.4) is refused; set it to crypt/key from app/etc/env.php"
        ]


class MagentoSource(TableSource):
    statuses = LISTED_STATUSES
    tables = (purchased, items, orders, oauth_tokens, revocations, *STORE_TABLES)
    purchase_tables = PURCHASES
    max_id = _MAX_ID
    own: MagentoSettings
    own_settings = MagentoSettings

    @cached_property
    def stores(self) -> StoreScope:
        # From the primary, as credentials are: a change in the admin counts at once.
        return StoreScope(self.database, refresh_seconds=self.own.store_refresh_seconds)

    @cached_property
    def token_lifetime(self) -> timedelta:
        return timedelta(hours=self.own.token_lifetime_hours)

    @cached_property
    def jwt_key(self) -> bytes | None:
        crypt_key = self.own.crypt_key
        return jwt_key(crypt_key) if crypt_key else None

    def token_check(self, token: str) -> TokenCheck | None:
        return token_check(token, lifetime=self.token_lifetime, key=self.jwt_key)

    def counted(self) -> dict[str, sa.FromClause]:
        return {
            "purchases": sa.select(items.c.item_id)
            .select_from(LISTED)
            .where(items.c.status.in_(LISTED_STATUSES))
            .subquery(),
            "customers with purchases": sa.select(purchased.c.customer_id).distinct().subquery(),
            "customer tokens": oauth_tokens.select()
            .where(oauth_tokens.c.user_type == CUSTOMER_USER_TYPE, oauth_tokens.c.revoked == 0)
            .subquery(),
        }
