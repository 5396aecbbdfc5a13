"""The sources' pure parts, with no database: token and key parsing, row mapping, the
statements the table source builds, and the registry."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from app.db import database_at
from app.models import Order
from app.notation import iso8601
from app.settings import Settings
from app.sources import NO_MATCH, SOURCES, Source, bagisto, bagisto_tokens, create_source, magento
from app.sources.statements import count_statement, page_statement


def sql(statement: sa.ClauseElement) -> str:
    return " ".join(str(statement.compile(dialect=mysql.dialect())).split())


@pytest.mark.parametrize(
    ("token", "parts"),
    [
        pytest.param("12|secret", (12, "secret"), id="id-and-secret"),
        pytest.param("12|a|b", (12, "a|b"), id="secret-with-a-bar"),
        pytest.param("plain", (None, "plain"), id="no-bar-is-a-hash-lookup"),
        pytest.param("|secret", None, id="no-id"),
        pytest.param("12|", None, id="no-secret"),
        pytest.param("x1|secret", None, id="id-not-a-number"),
        pytest.param("\u0661|secret", None, id="id-in-arabic-digits"),
        pytest.param(f"{2**63 - 1}|s", (2**63 - 1, "s"), id="largest-bigint"),
        pytest.param(f"{2**63}|s", None, id="past-bigint"),
        pytest.param("9" * 5000 + "|s", None, id="5000-digits"),
    ],
)
def test_a_sanctum_token_is_read_as(token: str, parts: tuple[int | None, str] | None) -> None:
    assert bagisto_tokens.sanctum_token(token) == parts


@pytest.mark.parametrize(
    ("raw", "ips"),
    [
        pytest.param(None, (), id="null"),
        pytest.param("", (), id="empty"),
        pytest.param('["10.0.0.1", " 10.0.0.2 ", ""]', ("10.0.0.1", "10.0.0.2"), id="json-array"),
        pytest.param("10.0.0.1, 10.0.0.2", ("10.0.0.1", "10.0.0.2"), id="comma-separated"),
        pytest.param('"10.0.0.1,10.0.0.2"', ("10.0.0.1", "10.0.0.2"), id="json-string"),
        pytest.param('{"ip": "10.0.0.1"}', (), id="json-object"),
        pytest.param("[1, 2]", ("1", "2"), id="json-numbers"),
    ],
)
def test_a_storefront_keys_allowed_ips_are_read_as(raw: str | None, ips: tuple[str, ...]) -> None:
    assert bagisto.parse_ips(raw) == ips


NAIVE = datetime(2024, 5, 1, 12, 0)


def bagisto_row(**changes: Any) -> dict[str, Any]:
    order = {
        "id": 7,
        "increment_id": "000007",
        "status": "completed",
        "grand_total": Decimal("9.5000"),
        "base_grand_total": Decimal("9.5000"),
        "sub_total": Decimal("9.5000"),
        "order_currency_code": "EUR",
        "base_currency_code": "EUR",
        "channel_name": "Default",
        "customer_email": "jane@example.com",
        "customer_first_name": "Jane",
        "customer_last_name": "Doe",
        "created_at": NAIVE,
        "updated_at": None,
    }
    row = {
        "id": 3,
        "product_name": "Album",
        "name": "Track 1",
        "url": None,
        "file": "tracks/1.mp3",
        "file_name": "1.mp3",
        "type": "file",
        "download_bought": None,
        "download_used": 2,
        "download_canceled": 1,
        "status": "available",
        "customer_id": 5,
        "order_id": 7,
        "order_item_id": 11,
        "created_at": NAIVE,
        "updated_at": datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
    }
    return row | {f"o_{name}": value for name, value in order.items()} | changes


def test_a_bagisto_row_maps_to_a_purchase_with_its_order() -> None:
    purchase = bagisto.PURCHASES.to_purchase(bagisto_row())

    assert (purchase.id, purchase.customer_id, purchase.order_increment_id) == (3, 5, "000007")
    assert (purchase.download_bought, purchase.download_used, purchase.download_canceled) == (
        0,
        2,
        1,
    )
    assert iso8601(purchase.created_at) == "2024-05-01T12:00:00+00:00"
    assert iso8601(purchase.updated_at) == "2024-05-01T12:00:00+00:00"  # 14:00 at +02:00
    assert purchase.download_path == "/api/shop/customer-downloadable-products/3/download"
    assert purchase.order == Order(
        id=7,
        increment_id="000007",
        status="completed",
        grand_total=Decimal("9.5000"),
        base_grand_total=Decimal("9.5000"),
        sub_total=Decimal("9.5000"),
        order_currency_code="EUR",
        base_currency_code="EUR",
        channel_name="Default",
        customer_email="jane@example.com",
        customer_first_name="Jane",
        customer_last_name="Doe",
        created_at=NAIVE,
        updated_at=None,
    )


def test_a_bagisto_row_without_an_order_row_has_no_order() -> None:
    assert bagisto.PURCHASES.to_purchase(bagisto_row(o_id=None)).order is None


def magento_row(**changes: Any) -> dict[str, Any]:
    row = {
        "item_id": 4,
        "order_item_id": 12,
        "link_hash": "a/b+c",
        "number_of_downloads_bought": 0,
        "number_of_downloads_used": 1,
        "link_title": "Track",
        "link_url": None,
        "link_file": "/t/r/track.mp3",
        "link_type": "file",
        "status": "available",
        "created_at": NAIVE,
        "updated_at": NAIVE,
        "order_id": 8,
        "order_increment_id": "000000008",
        "customer_id": 6,
        "product_name": "Album",
    }
    order: dict[str, Any] = dict.fromkeys(magento.orders.columns.keys())
    order |= {"entity_id": 8, "increment_id": "000000008", "store_name": "Main Website"}
    return row | {f"o_{name}": value for name, value in order.items()} | changes


def test_a_magento_row_maps_to_a_purchase() -> None:
    purchase = magento.PURCHASES.to_purchase(magento_row())

    assert (purchase.id, purchase.customer_id, purchase.name) == (4, 6, "Track")
    assert (purchase.file_name, purchase.download_canceled) == ("track.mp3", 0)
    assert purchase.download_path == "/downloadable/download/link/id/a%2Fb%2Bc/"
    assert purchase.order is not None
    assert (purchase.order.id, purchase.order.channel_name) == (8, "Main Website")


def test_a_magento_row_without_a_file_or_an_order() -> None:
    purchase = magento.PURCHASES.to_purchase(magento_row(link_file=None, o_entity_id=None))

    assert (purchase.file_name, purchase.order) == (None, None)


def test_a_page_picks_its_ids_first_and_only_limits_when_asked() -> None:
    limited = sql(
        page_statement(
            bagisto.PURCHASES, newest_first=True, with_status=True, limited=True
        ).statement
    )
    everything = sql(
        page_statement(
            magento.PURCHASES, newest_first=False, with_status=False, limited=False
        ).statement
    )

    assert "ORDER BY downloadable_link_purchased.id DESC LIMIT" in limited
    assert "downloadable_link_purchased.status = %s" in limited
    assert "LIMIT %s, %s" in limited
    assert "LIMIT %s, 18446744073709551615" in everything  # MySQL's way of no limit
    assert "ORDER BY downloadable_link_purchased_item.item_id ASC" in everything


def test_magento_counts_only_the_statuses_it_lists_unless_one_is_asked() -> None:
    listed = sql(count_statement(magento.PURCHASES, with_status=False).statement)
    asked = sql(count_statement(magento.PURCHASES, with_status=True).statement)
    every_row = sql(count_statement(bagisto.PURCHASES, with_status=False).statement)

    assert listed.count("downloadable_link_purchased_item.status = ") == 3
    assert asked.count("downloadable_link_purchased_item.status = ") == 1
    assert "status" not in every_row


@pytest.mark.parametrize("name", list(SOURCES))
def test_a_status_no_purchase_has_lists_and_counts_nothing_without_a_query(name: str) -> None:
    # An unopened database: any statement would fail.
    source = create_source(Settings(source=name), database_at("sqlite://"))

    assert asyncio.run(source.purchases(1, status=NO_MATCH, offset=0, limit=None)) == ()
    assert asyncio.run(source.count_purchases(1, status=NO_MATCH)) == 0


@pytest.mark.parametrize("name", list(SOURCES))
def test_every_registered_source_is_a_source(name: str) -> None:
    source: Source = create_source(Settings(source=name), database_at("sqlite://"))

    assert source.statuses == ("pending", "available", "expired")
    assert source.tables == SOURCES[name].tables
    assert (source.storefront_keys is not None) == (name == "bagisto")
