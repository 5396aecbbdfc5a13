"""Settings from the environment: the values each variable takes, and the words that say why
a value is refused (operators read them when the service will not start)."""

from __future__ import annotations

import pytest

from app import settings
from app.settings import VARIABLES, Environment, Settings, SettingsError, load_settings
from app.sources import SOURCES
from app.sources.bagisto import BagistoSettings
from app.sources.magento import MagentoSettings


def test_nothing_set_gives_the_defaults() -> None:
    assert load_settings({}) == Settings()


def test_variables_outside_the_list_are_not_read() -> None:
    assert load_settings({"HOME": "/root", "DEFAULT_PAGE_SIZE_X": "5"}) == Settings()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        pytest.param({"SOURCE": " Magento "}, {"source": "magento"}, id="source-in-any-case"),
        pytest.param({"DEFAULT_PAGE_SIZE": " 25 "}, {"default_page_size": 25}, id="whole-number"),
        pytest.param(
            {"STOREFRONT_KEY_CACHE_SECONDS": "0.5"},
            {"storefront_key_cache_seconds": 0.5},
            id="cache-seconds-fraction",
        ),
        pytest.param(
            {"DATABASE_CONNECT_TIMEOUT": "2.5"}, {"database_connect_timeout": 2.5}, id="number"
        ),
        pytest.param({"INTROSPECTION": " False "}, {"introspection": False}, id="boolean-word"),
        pytest.param({"EXPLORER": "0"}, {"explorer": False}, id="boolean-digit"),
        pytest.param({"LOG_LEVEL": "debug"}, {"log_level": "DEBUG"}, id="log-level-upper-cased"),
        pytest.param({"LOG_FORMAT": "TEXT"}, {"log_format": "text"}, id="log-format-lower-cased"),
        pytest.param(
            {"PUBLIC_BASE_URL": "https://shop.example/"},
            {"public_base_url": "https://shop.example"},
            id="base-url-without-slash",
        ),
        pytest.param({"DATABASE_URL": " "}, {"database_url": None}, id="blank-database-url"),
        pytest.param(
            {"CORS_ALLOW_ORIGINS": "https://a.example, ,https://b.example"},
            {"cors_allow_origins": ("https://a.example", "https://b.example")},
            id="origins",
        ),
        pytest.param(
            {"METRICS_OPERATIONS": " ShopDownloads, ,AccountPage"},
            {"metrics_operations": ("ShopDownloads", "AccountPage")},
            id="metrics-operations",
        ),
        pytest.param(
            {"SOURCE": "magento", "MAGENTO_CRYPT_KEY": " key "},
            {"source_settings": MagentoSettings(crypt_key="key")},
            id="crypt-key-stripped",
        ),
        pytest.param(
            {"MAGENTO_UNAUTHORIZED_STATUS": "403"},
            {"magento_unauthorized_status": 403},
            id="unauthorized-403",
        ),
        pytest.param(
            {"CUSTOMER_MODEL": "App\\Customer"},
            {"source_settings": BagistoSettings(customer_model="App\\Customer")},
            id="customer-model",
        ),
    ],
)
def test_a_value_is_read_as(environ: dict[str, str], expected: dict[str, object]) -> None:
    settings = load_settings(environ)

    assert {name: getattr(settings, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        pytest.param(
            {"SOURCE": "shopify"},
            "SOURCE must be one of bagisto, magento, got 'shopify'",
            id="source",
        ),
        pytest.param(
            {"SOURCE": " Shopify "},
            "SOURCE must be one of bagisto, magento, got 'shopify'",
            id="source-lower-cased",
        ),
        pytest.param(
            {"LOG_LEVEL": " Loud "},
            "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'Loud'",
            id="log-level-as-written",
        ),
        pytest.param(
            {"PUBLIC_BASE_URL": " shop.example/ "},
            "PUBLIC_BASE_URL must start with http:// or https://, got 'shop.example'",
            id="base-url-trimmed",
        ),
        pytest.param(
            {"DEFAULT_PAGE_SIZE": "ten"},
            "DEFAULT_PAGE_SIZE must be a whole number, got 'ten'",
            id="not-a-whole-number",
        ),
        pytest.param(
            {"DEFAULT_PAGE_SIZE": "0"},
            "DEFAULT_PAGE_SIZE must be at least 1, got 0",
            id="below-minimum",
        ),
        pytest.param(
            {"MAX_QUERY_TOKENS": "99"},
            "MAX_QUERY_TOKENS must be at least 100, got 99",
            id="tokens-below-minimum",
        ),
        pytest.param(
            {"BATCH_SIZE": "-1"},
            "BATCH_SIZE must be at least 0, got -1",
            id="negative-whole-number",
        ),
        pytest.param(
            {"DEFAULT_PAGE_SIZE": "20", "MAX_PAGE_SIZE": "10"},
            "DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE",
            id="default-over-max",
        ),
        pytest.param(
            {"DATABASE_CONNECT_TIMEOUT": "soon"},
            "DATABASE_CONNECT_TIMEOUT must be a number, got 'soon'",
            id="not-a-number",
        ),
        pytest.param(
            {"SOURCE": "magento", "MAGENTO_TOKEN_LIFETIME_HOURS": "-1"},
            "MAGENTO_TOKEN_LIFETIME_HOURS must not be negative, got -1.0",
            id="negative-number",
        ),
        pytest.param(
            {"STOREFRONT_KEY_CACHE_SECONDS": "-0.5"},
            "STOREFRONT_KEY_CACHE_SECONDS must not be negative, got -0.5",
            id="negative-cache-seconds",
        ),
        pytest.param(
            {"INTROSPECTION": " Yes "},
            "INTROSPECTION must be true or false, got 'yes'",
            id="boolean",
        ),
        pytest.param(
            {"LOG_LEVEL": "loud"},
            "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got 'loud'",
            id="log-level",
        ),
        pytest.param(
            {"LOG_FORMAT": "xml"},
            "LOG_FORMAT must be one of json, text, got 'xml'",
            id="log-format",
        ),
        pytest.param(
            {"MAGENTO_UNAUTHORIZED_STATUS": "401"},
            "MAGENTO_UNAUTHORIZED_STATUS must be 200 or 403, got 401",
            id="unauthorized-status",
        ),
        pytest.param(
            {"DATABASE_URL": "postgres://db/shop"},
            "DATABASE_URL must look like mysql://user:password@host:3306/database (or sqlite:///path for a local file)",
            id="database-url",
        ),
        pytest.param(
            {"DATABASE_REPLICA_URL": "mysql://replica/shop"},
            "DATABASE_REPLICA_URL needs DATABASE_URL (the primary) too",
            id="replica-without-primary",
        ),
        pytest.param(
            {"PUBLIC_BASE_URL": "shop.example"},
            "PUBLIC_BASE_URL must start with http:// or https://, got 'shop.example'",
            id="base-url",
        ),
        pytest.param(
            {"REDIS_URL": "localhost:6379"},
            "REDIS_URL must look like redis://host:6379/0, got 'localhost:6379'",
            id="redis-url",
        ),
    ],
)
def test_an_unusable_value_is_refused_with(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(environ)

    assert str(refused.value) == message


def test_every_source_in_the_registry_can_be_chosen() -> None:
    assert [load_settings({"SOURCE": name}).source for name in SOURCES] == list(SOURCES)


def test_each_source_reads_its_own_variables_and_no_other() -> None:
    environ = {"CUSTOMER_MODEL": "App\\Customer", "MAGENTO_TOKEN_LIFETIME_HOURS": "not read"}

    bagisto = load_settings({**environ, "SOURCE": "bagisto"})
    with pytest.raises(SettingsError, match=r"^MAGENTO_TOKEN_LIFETIME_HOURS must be a number"):
        load_settings({**environ, "SOURCE": "magento"})

    assert bagisto.source_settings == BagistoSettings(customer_model="App\\Customer")
    assert load_settings({"SOURCE": "magento"}).source_settings == MagentoSettings()


def test_the_first_unusable_value_is_the_one_named() -> None:
    with pytest.raises(SettingsError, match=r"^SOURCE "):
        load_settings({"SOURCE": "shopify", "DATABASE_URL": "postgres://db", "BATCH_SIZE": "x"})


def test_a_variable_read_but_not_listed_fails_loudly() -> None:
    # Deployments and the README's configuration table go by VARIABLES.
    environment = Environment({"UNLISTED": "1"})

    with pytest.raises(LookupError, match="UNLISTED is read but not listed"):
        environment.whole_number("UNLISTED", 0)


def test_a_variable_listed_but_never_read_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "VARIABLES", (*VARIABLES, "FORGOTTEN"))

    with pytest.raises(LookupError, match=r"never read: \['FORGOTTEN'\]"):
        load_settings({})
