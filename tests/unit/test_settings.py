"""Settings from the environment: the values each variable takes, and the words that say why
a value is refused (operators read them when the service will not start)."""

from __future__ import annotations

import dataclasses

import pytest

from app import settings
from app.ops.check import settings_findings
from app.settings import (
    VARIABLES,
    Environment,
    Settings,
    SettingsError,
    Variable,
    load_settings,
)
from app.settings.described import END, START, changed, markdown_table, with_table
from app.sources import SOURCES
from app.sources.bagisto import BagistoSettings
from app.sources.magento import MagentoSettings
from app.sources.variables import fields_read_from, whole_number, without_password
from tests.paths import ROOT

README = ROOT / "README.md"


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
        environment.get(Variable("UNLISTED", whole_number(), 0, "declared, never tied to a field"))


def test_a_variable_listed_but_never_read_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "VARIABLES", (*VARIABLES, "FORGOTTEN"))

    with pytest.raises(LookupError, match=r"never read: \['FORGOTTEN'\]"):
        load_settings({})


def test_every_field_is_read_from_a_declared_variable() -> None:
    # A field without a variable would keep its default whatever the environment says.
    kinds = [Settings, *(source.own_settings for source in SOURCES.values())]
    for kind in kinds:
        unread = {field.name for field in dataclasses.fields(kind)} - set(fields_read_from(kind))
        assert unread == ({"source_settings"} if kind is Settings else set()), kind
    assert len(set(VARIABLES)) == len(VARIABLES)


def test_the_readme_table_is_the_one_the_declarations_make() -> None:
    readme = README.read_text(encoding="utf-8")
    table = readme.partition(START)[2].partition(END)[0]

    # To bring it up to date: `downloads-api settings --readme README.md`.
    assert table.strip() == markdown_table().strip()
    assert with_table(readme) == readme


def test_the_table_has_a_row_per_variable_with_its_default_as_written() -> None:
    rows = markdown_table().splitlines()[2:]

    assert [row.split(" | ")[0] for row in rows] == [f"| `{name}`" for name in VARIABLES]
    assert (
        "| `DATABASE_CONNECT_TIMEOUT` | seconds to wait for a database connection before answering 503 | `5` |"
        in rows
    )
    assert rows[VARIABLES.index("INTROSPECTION")].endswith(" | `true` |")
    assert rows[VARIABLES.index("REDIS_URL")].endswith(" | none |")
    assert rows[VARIABLES.index("CORS_ALLOW_ORIGINS")].endswith(" | `*` |")


def test_a_text_without_the_markers_is_not_rewritten() -> None:
    with pytest.raises(ValueError, match="no table between"):
        with_table("# README\n\n| variable | meaning | default |\n")


def test_changed_settings_are_named_with_secrets_hidden() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "mysql://reader:hunter2@db:3306/shop",
            "DATABASE_REPLICA_URL": "mysql://reader:hunter2@replica/shop?min_size=2",
            "SOURCE": "magento",
            "MAGENTO_CRYPT_KEY": "0123456789abcdef",
            "MAX_PAGE_SIZE": "50",
            "MAX_PAGE_SIZE_X": "not ours",
            "DATABASE_CONNECT_TIMEOUT": "5",  # the default, written out
            "INTROSPECTION": "false",
            "METRICS_ALLOW": "10.0.0.0/8, 127.0.0.1",
            "REDIS_URL": "unix:///run/redis.sock?password=hunter2&db=1",
        }
    )

    assert changed(settings) == {
        "DATABASE_URL": "mysql://reader:***@db:3306/shop",
        "DATABASE_REPLICA_URL": "mysql://reader:***@replica/shop?min_size=2",
        "SOURCE": "magento",
        "MAGENTO_CRYPT_KEY": "***",
        "MAX_PAGE_SIZE": "50",
        "INTROSPECTION": "false",
        "REDIS_URL": "unix:///run/redis.sock?password=***&db=1",
        "METRICS_ALLOW": "10.0.0.0/8,127.0.0.1/32",
    }
    assert changed(Settings()) == {}
    assert "0123456789abcdef" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("redis://:pass@cache:6379/0", "redis://:***@cache:6379/0", id="password-only"),
        pytest.param("mysql://user@db/shop", "mysql://user@db/shop", id="no-password"),
        pytest.param("mysql://u:p@ss@db/shop", "mysql://u:***@db/shop", id="at-in-password"),
        pytest.param(
            "mysql://u:pa/ss@db:3306/shop", "mysql://u:***@db:3306/shop", id="slash-in-password"
        ),
        pytest.param(
            "mysql://db:3306/shop?password=x", "mysql://db:3306/shop?password=***", id="parameter"
        ),
        pytest.param(
            "sqlite:///file:/tmp/x.sqlite3?mode=ro",
            "sqlite:///file:/tmp/x.sqlite3?mode=ro",
            id="sqlite",
        ),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert without_password(url) == shown


def test_check_lists_the_changed_settings_secrets_hidden_and_what_is_missing() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "mysql://reader:hunter2@db/shop",
            "DATABASE_REPLICA_URL": "mysql://reader:hunter2@replica/shop",
            "SOURCE": "magento",
            "MAGENTO_CRYPT_KEY": "0123456789abcdef",
            "MAX_PAGE_SIZE": "50",
        }
    )

    findings = [str(f) for f in settings_findings(settings, demo=False, store_views=True)]

    assert findings == [
        "  ok    settings other than DATABASE_URL: DATABASE_REPLICA_URL=mysql://reader:***@replica/shop,"
        " SOURCE=magento, MAGENTO_CRYPT_KEY=***, MAX_PAGE_SIZE=50 (the rest at their defaults)",
        "  note  PUBLIC_BASE_URL is not set: the download links of store views whose configuration"
        " sets no base URL will point at this service, not at the shop",
    ]
    assert [str(f) for f in settings_findings(Settings(), demo=True, store_views=False)] == [
        "  ok    settings other than DATABASE_URL: all at their defaults"
    ]
