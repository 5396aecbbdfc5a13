"""The bench's Bagisto store, generated deterministically (same seed, same rows).

100,000 purchased download links over 20,000 customers: most customers have a few,
and the scenarios' customers have known counts (four with 5,000, eight with 3, eight
with 20). Orders hold one to
three purchases, and each purchase has its own order item, as Bagisto writes them for
a downloadable product with one link. Ids grow with time across all customers, so one
customer's purchases are scattered through the table as they are in a real store.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fixtures.bagisto import CUSTOMER_MODEL, sanctum_token, storefront_key

CUSTOMERS = 20_000
PURCHASES = 100_000
SEED = 20250615

# Customers the scenarios use, several of each kind, so that no answer benefits from one
# hot row: each scenario's requests go to them in turn. The first of each is the one the
# hostile step and the soak single out.
LARGE_CUSTOMERS = (7_001, 7_011, 7_021, 7_031)  # 5,000 purchases each
SMALL_CUSTOMERS = tuple(range(7_002, 7_082, 10))  # 3 purchases each
MAGENTO_CUSTOMERS = tuple(range(7_003, 7_083, 10))  # 20 purchases each
LARGE_CUSTOMER, SMALL_CUSTOMER, MAGENTO_CUSTOMER = (
    LARGE_CUSTOMERS[0],
    SMALL_CUSTOMERS[0],
    MAGENTO_CUSTOMERS[0],
)
FIXED_COUNTS = {
    **dict.fromkeys(LARGE_CUSTOMERS, 5_000),
    **dict.fromkeys(SMALL_CUSTOMERS, 3),
    **dict.fromkeys(MAGENTO_CUSTOMERS, 20),
}

STOREFRONT_KEY = storefront_key("bench-shop")
# Requests per hour the key may make. The service counts every request against it (that
# cost is measured), and the limit is never reached; 0 would skip the counting.
STOREFRONT_KEY_RATE_LIMIT = 2_000_000_000
START = datetime(2023, 1, 1)
SPAN_SECONDS = 3 * 365 * 24 * 3600

# fmt: off
TOPICS = (
    "Laravel", "Vue.js", "Rust", "Python", "Docker", "Kubernetes", "PostgreSQL", "Linux",
    "Go", "TypeScript", "React", "Photography", "Jazz Guitar", "Watercolour", "Sourdough",
)
# fmt: on
PRODUCTS = [
    (f"{topic} {kind}", title, ext)
    for topic in TOPICS
    for kind, title, ext in (
        ("E-Book", "PDF Download", "pdf"),
        ("Handbook", "EPUB Download", "epub"),
        ("Video Course", "Videos", "url"),
        ("Audiobook", "MP3 Archive", "zip"),
        ("Starter Kit", "Source ZIP", "zip"),
        ("Cheat Sheet", "PDF", "pdf"),
    )
]


Row = tuple[Any, ...]


def columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


def token_for(customer_id: int) -> str:
    """The plaintext Sanctum token (`{id}|{secret}`) of a customer; its id is theirs."""
    return sanctum_token(customer_id, f"bench-customer-{customer_id}")


@dataclass
class Dataset:
    """Rows per table, as tuples in the column order of `columns[table]`."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # Purchase ids of each scenario customer, newest first (the order the API lists them).
    purchase_ids: dict[int, list[int]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.rows[table])


def purchase_counts(rng: random.Random) -> dict[int, int]:
    """Purchases per customer: the fixed ones, then at least one each for the others and
    the rest spread at random (a Poisson-like few each)."""
    others = [c for c in range(1, CUSTOMERS + 1) if c not in FIXED_COUNTS]
    counts = dict.fromkeys(others, 1)
    spare = PURCHASES - sum(FIXED_COUNTS.values()) - len(others)
    for customer in rng.choices(others, k=spare):
        counts[customer] += 1
    counts.update(FIXED_COUNTS)
    assert sum(counts.values()) == PURCHASES
    return counts


def _orders_of(rng: random.Random, customer: int, purchases: int) -> Iterator[tuple[int, int]]:
    """(customer, purchases in the order) for each order of one customer."""
    while purchases > 0:
        size = min(purchases, rng.choice((1, 1, 1, 2, 2, 3)))
        yield customer, size
        purchases -= size


def build() -> Dataset:
    rng = random.Random(SEED)
    counts = purchase_counts(rng)
    planned = [o for c, n in counts.items() for o in _orders_of(rng, c, n)]
    # Each order gets a time; ids are handed out in time order, as a live store does.
    timed = sorted((rng.randrange(SPAN_SECONDS), customer, size) for customer, size in planned)

    data = Dataset()
    data.columns = {
        "customers": columns(
            "id first_name last_name email status customer_group_id channel_id is_verified "
            "is_suspended created_at updated_at"
        ),
        "orders": columns(
            "id increment_id status channel_name is_guest customer_email "
            "customer_first_name customer_last_name total_item_count total_qty_ordered "
            "base_currency_code channel_currency_code order_currency_code grand_total "
            "base_grand_total sub_total base_sub_total customer_id customer_type channel_id "
            "created_at updated_at"
        ),
        "order_items": columns(
            "id sku type name qty_ordered qty_invoiced price base_price total base_total "
            "product_id product_type order_id additional created_at updated_at"
        ),
        "downloadable_link_purchased": columns(
            "id product_name name url file file_name type download_bought download_used "
            "status customer_id order_id order_item_id download_canceled created_at "
            "updated_at"
        ),
        "personal_access_tokens": columns(
            "id tokenable_type tokenable_id name token abilities expires_at created_at updated_at"
        ),
        "storefront_keys": columns(
            "id name key_type key is_active rate_limit allowed_ips expires_at created_at updated_at"
        ),
    }
    registered = START - timedelta(days=30)
    data.rows["customers"] = [
        (
            *(c, f"First{c}", f"Last{c}", f"customer{c}@example.com"),
            *(1, 2, 1, 1, 0),
            *[registered] * 2,
        )
        for c in range(1, CUSTOMERS + 1)
    ]
    data.rows["personal_access_tokens"] = [
        (
            *(c, CUSTOMER_MODEL, c, "customer-login"),
            hashlib.sha256(token_for(c).partition("|")[2].encode()).hexdigest(),
            *('["*"]', None, registered, registered),
        )
        for c in range(1, CUSTOMERS + 1)
    ]
    key_row = (1, "Bench storefront", "shop", STOREFRONT_KEY, 1, STOREFRONT_KEY_RATE_LIMIT)
    data.rows["storefront_keys"] = [(*key_row, None, None, START, START)]

    orders: list[Row] = []
    items: list[Row] = []
    purchases: list[Row] = []
    for order_id, (offset, customer, size) in enumerate(timed, start=1):
        placed = START + timedelta(seconds=offset)
        status = rng.choices(("completed", "processing", "pending", "canceled"), (80, 8, 7, 5))[0]
        prices = [Decimal(rng.randrange(499, 9999)) / 100 for _ in range(size)]
        total = sum(prices, Decimal(0))
        email = f"customer{customer}@example.com"
        orders.append(
            (
                *(order_id, f"{100000000 + order_id}", status, "Default", 0, email),
                *(f"First{customer}", f"Last{customer}", size, size, "USD", "USD", "USD"),
                *(total, total, total, total, customer, CUSTOMER_MODEL, 1, placed, placed),
            )
        )
        for price in prices:
            purchase_id = len(purchases) + 1
            product_id = rng.randrange(len(PRODUCTS))
            product, title, ext = PRODUCTS[product_id]
            sku = product.lower().replace(" ", "-").replace(".", "")
            items.append(
                (
                    *(purchase_id, sku, "downloadable", product, 1, int(status != "pending")),
                    *(price, price, price, price, product_id + 1, "downloadable", order_id),
                    *(json.dumps({"links": [purchase_id]}), placed, placed),
                )
            )
            bought = rng.choice((0, 1, 3, 5, 5, 10))
            used = rng.randrange(bought + 1) if bought else rng.randrange(20)
            canceled = 0
            link_status = "available"
            if status == "pending":
                link_status, used = "pending", 0
            elif status == "canceled":
                link_status, canceled = "expired", bought - used
            elif bought and used == bought:
                link_status = "expired"
            is_url = ext == "url"
            file = None if is_url else f"{sku}.{ext}"
            purchases.append(
                (
                    *(
                        purchase_id,
                        product,
                        title,
                        f"https://cdn.example.com/{sku}" if is_url else None,
                    ),
                    *(file and f"downloadable/{file}", file, "url" if is_url else "file"),
                    *(bought, used, link_status, customer, order_id, purchase_id, canceled),
                    *(placed, placed),
                )
            )
            if customer in FIXED_COUNTS:
                data.purchase_ids.setdefault(customer, []).append(purchase_id)
    data.rows["orders"] = orders
    data.rows["order_items"] = items
    data.rows["downloadable_link_purchased"] = purchases
    for ids in data.purchase_ids.values():
        ids.reverse()
    return data
