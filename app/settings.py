"""Configuration: read once from the environment into a frozen `Settings`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from starlette.config import Config

Source = Literal["bagisto", "magento"]
SOURCES: tuple[Source, ...] = ("bagisto", "magento")


# Every environment variable the service reads (the README's configuration table).
VARIABLES = (
    "DATABASE_URL",
    "SOURCE",
    "PUBLIC_BASE_URL",
    "CUSTOMER_MODEL",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STOREFRONT_KEY_CACHE_SECONDS",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_COMPLEXITY",
    "MAX_QUERY_TOKENS",
    "DATABASE_REPLICA_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT",
    "MAX_QUERY_ALIASES",
    "MAX_ROOT_FIELDS",
    "MAX_LIST_SELECTIONS",
    "MAX_BODY_BYTES",
    "BATCH_SIZE",
    "INTROSPECTION",
    "EXPLORER",
    "MAGENTO_UNAUTHORIZED_STATUS",
    "CORS_ALLOW_ORIGINS",
    "REDIS_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "MAGENTO_CRYPT_KEY",
    "MAGENTO_TOKEN_LIFETIME_HOURS",
    "GRAPHQL_EXECUTOR",
)


class SettingsError(ValueError):
    """A configuration value is unusable; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    # None serves the embedded demo database built from fixtures/.
    database_url: str | None = None
    # A read replica for purchase lists and items; credentials stay on the primary.
    database_replica_url: str | None = None
    # Seconds to wait for a connection, and for one statement (the server cancels it).
    database_connect_timeout: float = 5.0
    database_statement_timeout: float = 5.0
    source: Source = "bagisto"
    # Scheme and host download URLs are built on; None uses the request's own.
    public_base_url: str | None = None
    customer_model: str = "Webkul\\Customer\\Models\\Customer"
    default_page_size: int = 10
    # Bagisto has no cap, and its Next.js storefront reaches page p by asking for
    # first: (p - 1) * limit (limit up to 50) and keeping the end cursor (contract §5).
    max_page_size: int = 1000
    storefront_key_cache_seconds: float = 60.0
    max_query_depth: int = 20
    max_query_complexity: int = 300
    # Parsing stops past this many tokens (graphql-core's parser limit). graphql-core
    # parses some 100 tokens a millisecond; real clients' documents hold 100 to 200
    # (GraphiQL's introspection query 160), so a hostile one costs a few milliseconds.
    max_query_tokens: int = 1000
    max_query_aliases: int = 30
    max_root_fields: int = 10
    # How many times one operation may select a list of purchases (`items`, `edges`),
    # counted like complexity: each costs as much as the customer has bought.
    max_list_selections: int = 2
    max_body_bytes: int = 64 * 1024
    # Operations a JSON array body may hold; 0 refuses arrays (neither platform batches).
    batch_size: int = 0
    introspection: bool = True
    # GraphiQL on GET (shown only while introspection is on).
    explorer: bool = True
    # Magento 2.4.9 answers an unauthorized customer with 403; earlier releases with 200.
    magento_unauthorized_status: int = 200
    # Origins browsers may call the API from; ("*",) allows any (no cookies are used).
    cors_allow_origins: tuple[str, ...] = ("*",)
    # Where storefront key lookups and rate-limit counts are shared by all processes.
    redis_url: str | None = None
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # Magento's `crypt/key` from app/etc/env.php; customer JWTs are refused without it.
    magento_crypt_key: str | None = field(default=None, repr=False)
    # How long an opaque Magento customer token lives after it was issued; 0: for ever.
    magento_token_lifetime_hours: float = 1.0
    # "compiled" runs cached operations from a plan (app/executor.py), falling back to
    # graphql-core for what a plan does not cover; "core" runs graphql-core alone.
    graphql_executor: Literal["compiled", "core"] = "compiled"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    config = Config(environ={name: environ[name] for name in VARIABLES if name in environ})

    def integer(name: str, default: int, minimum: int = 0) -> int:
        raw = config(name, default=str(default))
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum:
            raise SettingsError(f"{name} must be at least {minimum}, got {value}")
        return value

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = config(name, default=default).strip()
        value = raw.upper() if allowed[0].isupper() else raw.lower()
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return value

    def boolean(name: str, default: bool) -> bool:
        raw = config(name, default=str(default)).strip().lower()
        if raw not in ("true", "false", "1", "0"):
            raise SettingsError(f"{name} must be true or false, got {raw!r}")
        return raw in ("true", "1")

    def number(name: str, default: float) -> float:
        raw = config(name, default=str(default))
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name} must be a number, got {raw!r}") from None
        if value < 0:
            raise SettingsError(f"{name} must not be negative, got {value}")
        return value

    source = config("SOURCE", default="bagisto").strip().lower()
    if source not in SOURCES:
        raise SettingsError(f"SOURCE must be one of {', '.join(SOURCES)}, got {source!r}")

    def database(name: str) -> str | None:
        url = config(name, default="").strip() or None
        if url and not url.startswith(("mysql://", "mysql+aiomysql://", "sqlite:")):
            raise SettingsError(
                f"{name} must look like mysql://user:password@host:3306/database "
                "(or sqlite:///path for a local file)"
            )
        return url

    database_url = database("DATABASE_URL")
    database_replica_url = database("DATABASE_REPLICA_URL")
    if database_replica_url and not database_url:
        raise SettingsError("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) too")

    public_base_url = config("PUBLIC_BASE_URL", default="").strip().rstrip("/") or None
    if public_base_url and not public_base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"PUBLIC_BASE_URL must start with http:// or https://, got {public_base_url!r}"
        )

    redis_url = config("REDIS_URL", default="").strip() or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError(f"REDIS_URL must look like redis://host:6379/0, got {redis_url!r}")

    default_page_size = integer("DEFAULT_PAGE_SIZE", 10, minimum=1)
    max_page_size = integer("MAX_PAGE_SIZE", 1000, minimum=1)
    if default_page_size > max_page_size:
        raise SettingsError("DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE")

    unauthorized_status = integer("MAGENTO_UNAUTHORIZED_STATUS", 200)
    if unauthorized_status not in (200, 403):
        raise SettingsError(
            f"MAGENTO_UNAUTHORIZED_STATUS must be 200 or 403, got {unauthorized_status}"
        )

    return Settings(
        database_url=database_url,
        database_replica_url=database_replica_url,
        database_connect_timeout=number("DATABASE_CONNECT_TIMEOUT", 5.0),
        database_statement_timeout=number("DATABASE_STATEMENT_TIMEOUT", 5.0),
        source=source,  # type: ignore[arg-type]
        public_base_url=public_base_url,
        customer_model=config("CUSTOMER_MODEL", default=Settings.customer_model),
        default_page_size=default_page_size,
        max_page_size=max_page_size,
        storefront_key_cache_seconds=integer("STOREFRONT_KEY_CACHE_SECONDS", 60),
        max_query_depth=integer("MAX_QUERY_DEPTH", 20, minimum=1),
        max_query_complexity=integer("MAX_QUERY_COMPLEXITY", 300, minimum=1),
        max_query_tokens=integer("MAX_QUERY_TOKENS", 1000, minimum=100),
        max_query_aliases=integer("MAX_QUERY_ALIASES", 30),
        max_root_fields=integer("MAX_ROOT_FIELDS", 10, minimum=1),
        max_list_selections=integer("MAX_LIST_SELECTIONS", 2, minimum=1),
        max_body_bytes=integer("MAX_BODY_BYTES", 64 * 1024, minimum=1024),
        batch_size=integer("BATCH_SIZE", 0),
        introspection=boolean("INTROSPECTION", True),
        explorer=boolean("EXPLORER", True),
        magento_unauthorized_status=unauthorized_status,
        redis_url=redis_url,
        log_format=choice("LOG_FORMAT", ("json", "text"), "json"),  # type: ignore[arg-type]
        log_level=choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        magento_crypt_key=config("MAGENTO_CRYPT_KEY", default="").strip() or None,
        magento_token_lifetime_hours=number("MAGENTO_TOKEN_LIFETIME_HOURS", 1.0),
        graphql_executor=choice(  # type: ignore[arg-type]
            "GRAPHQL_EXECUTOR", ("compiled", "core"), "compiled"
        ),
        cors_allow_origins=tuple(
            origin.strip().rstrip("/")
            for origin in config("CORS_ALLOW_ORIGINS", default="*").split(",")
            if origin.strip()
        ),
    )
