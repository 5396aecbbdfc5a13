"""Configuration: read once from the environment (the variables and their casts are in
`environment.py`) into a frozen `Settings`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from app.settings.environment import (
    VARIABLES,
    Environment,
    Network,
    SettingsError,
    networks,
    origins,
)
from app.sources import SOURCES, SourceSettings

__all__ = ["VARIABLES", "Environment", "Network", "Settings", "SettingsError", "load_settings"]


@dataclass(frozen=True)
class Settings:
    # None serves the embedded demo database built from fixtures/.
    database_url: str | None = None
    # A read replica for purchase lists and items; credentials stay on the primary.
    database_replica_url: str | None = None
    # Seconds to wait for a connection, and for one statement (the server cancels it).
    database_connect_timeout: float = 5.0
    database_statement_timeout: float = 5.0
    # Seconds between SIGTERM (when /ready turns 503) and the server's stop (app/http/drain.py).
    shutdown_drain_seconds: float = 0.0
    # A name in app.sources.SOURCES.
    source: str = "bagisto"
    # Scheme and host download URLs are built on; None uses the request's own.
    public_base_url: str | None = None
    # The source's own settings, of its class `own_settings`: __post_init__ puts in its
    # defaults when none are given.
    source_settings: SourceSettings = None  # type: ignore[assignment]
    default_page_size: int = 10
    # Bagisto has no cap, and its Next.js storefront reaches page p by asking for
    # first: (p - 1) * limit (limit up to 50) and keeping the end cursor (docs/behaviour.md §5).
    max_page_size: int = 1000
    # Rows of large pages (over 100) a worker completes at a time; more wait their turn
    # (app/domain/fair_share.py).
    max_rows_in_flight: int = 1000
    storefront_key_cache_seconds: float = 60.0
    max_query_depth: int = 20
    max_query_complexity: int = 300
    # Parsing stops past this many tokens (graphql-core's parser limit), and never starts
    # past this many characters. graphql-core parses some 100 tokens, or 8,000 characters
    # of a string literal, a millisecond; real clients' documents hold 15 to 60 tokens and
    # GraphiQL's introspection query 160 in 1,700 characters, so a hostile document costs
    # a few milliseconds at most.
    max_query_tokens: int = 500
    max_query_length: int = 8192
    max_query_aliases: int = 30
    max_root_fields: int = 10
    # How many times one operation may select a list of purchases (`items`, `edges`),
    # counted like complexity: each costs as much as the customer has bought.
    max_list_selections: int = 2
    max_body_bytes: int = 64 * 1024
    max_body_seconds: float = 10.0
    # Operations a JSON array body may hold; 0 refuses arrays (neither platform batches).
    batch_size: int = 0
    introspection: bool = True
    # GraphiQL on GET (shown only while introspection is on).
    explorer: bool = True
    # Magento 2.4.9 answers an unauthorized customer with 403; earlier releases with 200.
    magento_unauthorized_status: int = 200
    # Origins browsers may call the API from; ("*",) allows any (no cookies are used).
    cors_allow_origins: tuple[str, ...] = ("*",)
    # Client addresses /metrics answers (others get 403); empty: any.
    metrics_allow: tuple[Network, ...] = ()
    # Operation names that always get a metrics label of their own (app/observability/metrics.py).
    metrics_operations: tuple[str, ...] = ()
    # Where storefront key lookups and rate-limit counts are shared by all processes.
    redis_url: str | None = None
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    # "compiled" runs cached operations from a plan (app/graphql/execution/runner.py), falling back
    # to graphql-core for what a plan does not cover; "core" runs graphql-core alone.
    graphql_executor: Literal["compiled", "core"] = "compiled"
    # What one worker keeps of the documents it has seen (parsed, validated, planned,
    # introspection answers), in bytes: the least recently used go past it.
    graphql_cache_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        kind = SOURCES[self.source].own_settings
        if self.source_settings is None:
            object.__setattr__(self, "source_settings", kind())
        elif not isinstance(self.source_settings, kind):
            raise TypeError(
                f"the {self.source} source reads {kind.__name__}, not {self.source_settings!r}"
            )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = Environment(os.environ if environ is None else environ)

    def source_name(raw: str) -> str:
        name = raw.strip().lower()
        if name not in SOURCES:
            raise SettingsError(f"SOURCE must be one of {', '.join(SOURCES)}, got {name!r}")
        return name

    source = env("SOURCE", source_name, "bagisto")

    database_urls = ("mysql://", "mysql+aiomysql://", "sqlite:")
    database_refusal = (
        "{name} must look like mysql://user:password@host:3306/database "
        "(or sqlite:///path for a local file)"
    )
    database_url = env.url(
        "DATABASE_URL", database_urls, database_refusal.format(name="DATABASE_URL")
    )
    database_replica_url = env.url(
        "DATABASE_REPLICA_URL", database_urls, database_refusal.format(name="DATABASE_REPLICA_URL")
    )
    if database_replica_url and not database_url:
        raise SettingsError("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) too")
    public_base_url = env.url(
        "PUBLIC_BASE_URL",
        ("http://", "https://"),
        "PUBLIC_BASE_URL must start with http:// or https://, got {url!r}",
        trailing="/",
    )
    redis_url = env.url(
        "REDIS_URL",
        ("redis://", "rediss://", "unix://"),
        "REDIS_URL must look like redis://host:6379/0, got {url!r}",
    )

    default_page_size = env.whole_number("DEFAULT_PAGE_SIZE", 10, minimum=1)
    max_page_size = env.whole_number("MAX_PAGE_SIZE", 1000, minimum=1)
    max_rows_in_flight = env.whole_number("MAX_ROWS_IN_FLIGHT", 1000, minimum=1)
    if default_page_size > max_page_size:
        raise SettingsError("DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE")

    unauthorized_status = env.whole_number("MAGENTO_UNAUTHORIZED_STATUS", 200)
    if unauthorized_status not in (200, 403):
        raise SettingsError(
            f"MAGENTO_UNAUTHORIZED_STATUS must be 200 or 403, got {unauthorized_status}"
        )

    settings = Settings(
        database_url=database_url,
        database_replica_url=database_replica_url,
        database_connect_timeout=env.number("DATABASE_CONNECT_TIMEOUT", 5.0),
        database_statement_timeout=env.number("DATABASE_STATEMENT_TIMEOUT", 5.0),
        shutdown_drain_seconds=env.number("SHUTDOWN_DRAIN_SECONDS", 0.0),
        source=source,
        public_base_url=public_base_url,
        source_settings=SOURCES[source].own_settings.read(env),
        default_page_size=default_page_size,
        max_page_size=max_page_size,
        max_rows_in_flight=max_rows_in_flight,
        storefront_key_cache_seconds=env.number("STOREFRONT_KEY_CACHE_SECONDS", 60.0),
        max_query_depth=env.whole_number("MAX_QUERY_DEPTH", 20, minimum=1),
        max_query_complexity=env.whole_number("MAX_QUERY_COMPLEXITY", 300, minimum=1),
        max_query_tokens=env.whole_number("MAX_QUERY_TOKENS", 500, minimum=100),
        max_query_length=env.whole_number("MAX_QUERY_LENGTH", 8192, minimum=1024),
        max_query_aliases=env.whole_number("MAX_QUERY_ALIASES", 30),
        max_root_fields=env.whole_number("MAX_ROOT_FIELDS", 10, minimum=1),
        max_list_selections=env.whole_number("MAX_LIST_SELECTIONS", 2, minimum=1),
        max_body_bytes=env.whole_number("MAX_BODY_BYTES", 64 * 1024, minimum=1024),
        max_body_seconds=env.number("MAX_BODY_SECONDS", 10.0),
        batch_size=env.whole_number("BATCH_SIZE", 0),
        introspection=env.boolean("INTROSPECTION", True),
        explorer=env.boolean("EXPLORER", True),
        magento_unauthorized_status=unauthorized_status,
        redis_url=redis_url,
        log_format=env.choice("LOG_FORMAT", ("json", "text"), "json"),  # type: ignore[arg-type]
        log_level=env.choice("LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
        graphql_executor=env.choice(  # type: ignore[arg-type]
            "GRAPHQL_EXECUTOR", ("compiled", "core"), "compiled"
        ),
        graphql_cache_bytes=env.whole_number(
            "GRAPHQL_CACHE_BYTES", 64 * 1024 * 1024, minimum=1024 * 1024
        ),
        cors_allow_origins=env("CORS_ALLOW_ORIGINS", origins, "*"),
        metrics_allow=env("METRICS_ALLOW", networks, ""),
        metrics_operations=env(
            "METRICS_OPERATIONS",
            lambda raw: tuple(name.strip() for name in raw.split(",") if name.strip()),
            "",
        ),
    )
    others = {
        name
        for other, kind in SOURCES.items()
        if other != source
        for name in kind.own_settings.variables
    }
    if unread := set(VARIABLES) - env.read - others:
        raise LookupError(f"listed in app.settings.VARIABLES but never read: {sorted(unread)}")
    return settings
