"""Magento's store views as the snapshot reads them (app/sources/magento_stores.py): scope
fallback, placeholders, `index.php/` and store codes in links, which store a request is
in, and what it refuses (docs/behaviour.md §9). Rows written as Magento's tables hold them."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import ApiError, ErrorKind
from app.sources.magento_stores import UNSCOPED, Stores, build

WEBSITES = [
    {"website_id": 0, "default_group_id": 0, "is_default": 0},
    {"website_id": 1, "default_group_id": 1, "is_default": 1},
]
GROUPS = [
    {"group_id": 0, "default_store_id": 0},
    {"group_id": 1, "default_store_id": 1},
    {"group_id": 2, "default_store_id": 2},
]
STORES = [
    {"store_id": 0, "code": "admin", "website_id": 0, "is_active": 1},
    {"store_id": 1, "code": "en", "website_id": 1, "is_active": 1},
    {"store_id": 2, "code": "fr", "website_id": 2, "is_active": 1},
    {"store_id": 3, "code": "old", "website_id": 1, "is_active": 0},
]


def stores(*config: tuple[str, int, str, str | None], store_rows: Any = STORES) -> Stores:
    rows = [{"scope": s, "scope_id": i, "path": p, "value": v} for s, i, p, v in config]
    return build(store_rows, GROUPS, WEBSITES, rows)


def link(read: Stores, code: str | None, base: str = "https://request.test") -> str:
    return read.current(code, None).links_on(base)


def refused(read: Stores, header: str | None, path: str | None = None) -> str:
    with pytest.raises(ApiError) as raised:
        read.current(header, path)
    assert raised.value.kind is ErrorKind.BAD_INPUT
    return raised.value.message


def test_no_base_url_configured_builds_links_on_base_url() -> None:
    read = stores()

    assert link(read, None) == "https://request.test"
    assert link(read, "fr", "https://shop.example.com") == "https://shop.example.com"


def test_values_fall_back_from_store_to_website_to_default() -> None:
    read = stores(
        ("default", 0, "web/secure/base_url", "https://shop.test/"),
        ("websites", 2, "web/secure/base_url", "https://fr.shop.test/"),
        ("stores", 1, "web/secure/base_url", "https://en.shop.test/"),
    )

    assert link(read, "en") == "https://en.shop.test"  # its own
    assert link(read, "fr") == "https://fr.shop.test"  # its website's
    assert read.current(None, None).code == "en"  # the default website's default view


def test_base_link_url_placeholders_resolve_in_the_store_scope() -> None:
    read = stores(
        ("default", 0, "web/unsecure/base_url", "http://shop.test/"),
        ("default", 0, "web/secure/base_url", "{{unsecure_base_url}}"),
        ("default", 0, "web/secure/base_link_url", "{{secure_base_url}}shop/"),
        ("stores", 2, "web/unsecure/base_url", "http://fr.shop.test/"),
    )

    assert link(read, "en") == "http://shop.test/shop"
    assert link(read, "fr") == "http://fr.shop.test/shop"


def test_rewrites_off_adds_index_php_and_store_codes_come_after() -> None:
    read = stores(
        ("default", 0, "web/secure/base_url", "https://shop.test/"),
        ("stores", 2, "web/seo/use_rewrites", "0"),
        ("default", 0, "web/url/use_store", "1"),
    )

    assert link(read, "en") == "https://shop.test/en"
    assert link(read, "fr") == "https://shop.test/index.php/fr"
    assert read.serves_path("fr") and read.serves_path("en")
    assert not read.serves_path("old")  # inactive
    assert not read.serves_path("admin") and not read.serves_path("nope")


def test_store_codes_off_serves_no_path() -> None:
    read = stores(("default", 0, "web/url/use_store", "0"))

    assert not read.serves_path("en")
    assert link(read, "en") == "https://request.test"


def test_a_base_link_url_that_resolves_to_nothing_falls_back_and_says_so() -> None:
    read = stores(
        ("stores", 2, "web/secure/base_link_url", ""),
        ("stores", 1, "web/secure/base_url", "{{unsecure_base_url}}"),
        ("stores", 1, "web/unsecure/base_url", "{{secure_base_url}}"),  # a loop
    )

    assert (read.views["fr"].unresolved, link(read, "fr")) == (True, "https://request.test")
    assert (read.views["en"].unresolved, link(read, "en")) == (True, "https://request.test")


def test_the_header_is_trimmed_and_wins_over_the_path() -> None:
    read = stores()

    assert read.current("  fr\t", None).code == "fr"
    assert read.current("fr", "en").code == "fr"
    assert read.current("", "fr").code == "fr"  # an empty header is no header
    assert read.current(None, "fr").code == "fr"


@pytest.mark.parametrize("code", ["old", "nope", "admin", "FR"])
def test_unknown_inactive_and_admin_stores_are_not_found(code: str) -> None:
    assert refused(stores(), code) == "Requested store is not found"


def test_default_passes_in_any_case_as_magentos_validator_lets_it() -> None:
    read = stores()

    assert read.current("DEFAULT", None).code == "en"  # no store has the code: the default


def test_currency_is_checked_against_the_stores_allowed_ones_in_any_case() -> None:
    read = stores(
        ("default", 0, "currency/options/allow", "USD,EUR"),
        ("websites", 2, "currency/options/allow", "EUR"),
    )

    read.current("en", None).check_currency(" usd ")
    read.current("fr", None).check_currency("eur")
    read.current("fr", None).check_currency(None)
    read.current("fr", None).check_currency("")
    for code, currency in (("fr", "USD"), ("en", "GBP")):
        with pytest.raises(ApiError) as raised:
            read.current(code, None).check_currency(currency)
        assert raised.value.message == "Please correct the target currency"


def test_no_allowed_currency_configured_is_magentos_default_usd() -> None:
    view = stores().current(None, None)

    view.check_currency("USD")
    with pytest.raises(ApiError):
        view.check_currency("EUR")


def test_no_default_store_view_serves_on_base_url() -> None:
    read = build(STORES, GROUPS, [], [])

    assert read.default is UNSCOPED  # not the first store view it found
    assert read.current(None, None).links_on("https://request.test") == "https://request.test"
