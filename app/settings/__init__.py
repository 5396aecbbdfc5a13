"""Configuration: read once from the environment into a frozen `Settings`. Each field is
read from a variable declared once (app/settings/variables.py, and each source's own in its
module), which the README's configuration table and `downloads-api check` describe too
(app/settings/described.py)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from app.settings import variables as v
from app.settings.casts import Network
from app.sources import SOURCES, SourceSettings
from app.sources.variables import SettingsError, Variable, declared, fields_read_from, setting

__all__ = [
    "VARIABLES",
    "Environment",
    "Network",
    "Settings",
    "SettingsError",
    "Variable",
    "load_settings",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Settings:
    """The fields' order is the README table's (`source_settings`: each source's own)."""

    # None serves the embedded demo database built from fixtures/.
    database_url: str | None = setting(v.DATABASE_URL)
    # A read replica for purchase lists and items; credentials stay on the primary.
    database_replica_url: str | None = setting(v.DATABASE_REPLICA_URL)
    # Seconds to wait for a connection, and for one statement (the server cancels it).
    database_connect_timeout: float = setting(v.DATABASE_CONNECT_TIMEOUT)
    database_statement_timeout: float = setting(v.DATABASE_STATEMENT_TIMEOUT)
    # Seconds between SIGTERM (when /ready turns 503) and the server's stop (app/http/drain.py).
    shutdown_drain_seconds: float = setting(v.SHUTDOWN_DRAIN_SECONDS)
    # A name in app.sources.SOURCES.
    source: str = setting(v.SOURCE)
    # Scheme and host download URLs are built on; None uses the request's own.
    public_base_url: str | None = setting(v.PUBLIC_BASE_URL)
    # The source's own settings, of its class `own_settings`: __post_init__ puts in its
    # defaults when none are given.
    source_settings: SourceSettings = None  # type: ignore[assignment]
    default_page_size: int = setting(v.DEFAULT_PAGE_SIZE)
    # Bagisto has no cap, and its Next.js storefront reaches page p by asking for
    # first: (p - 1) * limit (limit up to 50) and keeping the end cursor (docs/behaviour.md §5).
    max_page_size: int = setting(v.MAX_PAGE_SIZE)
    # Rows of large pages (over 100) a worker completes at a time; more wait their turn
    # (app/domain/fair_share.py).
    max_rows_in_flight: int = setting(v.MAX_ROWS_IN_FLIGHT)
    storefront_key_cache_seconds: float = setting(v.STOREFRONT_KEY_CACHE_SECONDS)
    max_query_depth: int = setting(v.MAX_QUERY_DEPTH)
    max_query_complexity: int = setting(v.MAX_QUERY_COMPLEXITY)
    # Parsing stops past this many tokens (graphql-core's parser limit), and never starts
    # past this many characters. graphql-core parses some 100 tokens, or 8,000 characters
    # of a string literal, a millisecond; real clients' documents hold 15 to 60 tokens and
    # GraphiQL's introspection query 160 in 1,700 characters, so a hostile document costs
    # a few milliseconds at most.
    max_query_tokens: int = setting(v.MAX_QUERY_TOKENS)
    max_query_length: int = setting(v.MAX_QUERY_LENGTH)
    max_query_aliases: int = setting(v.MAX_QUERY_ALIASES)
    max_root_fields: int = setting(v.MAX_ROOT_FIELDS)
    # How many times one operation may select a list of purchases (`items`, `edges`),
    # counted like complexity: each costs as much as the customer has bought.
    max_list_selections: int = setting(v.MAX_LIST_SELECTIONS)
    max_body_bytes: int = setting(v.MAX_BODY_BYTES)
    max_body_seconds: float = setting(v.MAX_BODY_SECONDS)
    # Operations a JSON array body may hold; 0 refuses arrays (neither platform batches).
    batch_size: int = setting(v.BATCH_SIZE)
    introspection: bool = setting(v.INTROSPECTION)
    # GraphiQL on GET (shown only while introspection is on).
    explorer: bool = setting(v.EXPLORER)
    # Magento 2.4.9 answers an unauthorized customer with 403; earlier releases with 200.
    magento_unauthorized_status: int = setting(v.MAGENTO_UNAUTHORIZED_STATUS)
    # Where storefront key lookups and rate-limit counts are shared by all processes.
    redis_url: str | None = setting(v.REDIS_URL)
    log_format: Literal["json", "text"] = setting(v.LOG_FORMAT)
    log_level: str = setting(v.LOG_LEVEL)
    # Origins browsers may call the API from; ("*",) allows any (no cookies are used).
    cors_allow_origins: tuple[str, ...] = setting(v.CORS_ALLOW_ORIGINS)
    # Client addresses /metrics answers (others get 403); empty: any.
    metrics_allow: tuple[Network, ...] = setting(v.METRICS_ALLOW)
    # Operation names that always get a metrics label of their own (app/observability/metrics.py).
    metrics_operations: tuple[str, ...] = setting(v.METRICS_OPERATIONS)
    # "compiled" runs cached operations from a plan (app/graphql/execution/runner.py), falling back
    # to graphql-core for what a plan does not cover; "core" runs graphql-core alone.
    graphql_executor: Literal["compiled", "core"] = setting(v.GRAPHQL_EXECUTOR)
    # What one worker keeps of the documents it has seen (parsed, validated, planned,
    # introspection answers), in bytes: the least recently used go past it.
    graphql_cache_bytes: int = setting(v.GRAPHQL_CACHE_BYTES)

    def __post_init__(self) -> None:
        kind = SOURCES[self.source].own_settings
        if self.source_settings is None:
            object.__setattr__(self, "source_settings", kind())
        elif not isinstance(self.source_settings, kind):
            raise TypeError(
                f"the {self.source} source reads {kind.__name__}, not {self.source_settings!r}"
            )


def every_variable() -> tuple[Variable[Any], ...]:
    """Every variable the service reads, in the README table's order: the fields' of
    `Settings`, and where `source_settings` is, each source's own (read only when that source
    is the one configured)."""
    own = fields_read_from(Settings)
    found: list[Variable[Any]] = []
    for field in dataclasses.fields(Settings):
        if field.name == "source_settings":
            found += (
                variable
                for source in SOURCES.values()
                for variable in declared(source.own_settings)
            )
        else:
            found.append(own[field.name])
    return tuple(found)


# Their names: deployments and tests go by this list.
VARIABLES = tuple(variable.name for variable in every_variable())


class Environment:
    """The environment, read one declared variable at a time, each through its cast (which
    refuses an unusable value in the operator's words). Reading a variable missing from
    VARIABLES fails: deployments and the README's table go by that list."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self.read: set[str] = set()

    def get(self, variable: Variable[T]) -> T:
        if variable.name not in VARIABLES:
            raise LookupError(f"{variable.name} is read but not listed in app.settings.VARIABLES")
        self.read.add(variable.name)
        text = self._environ.get(variable.name)
        return variable.default if text is None else variable.read(text)

    def fields(self, kind: Any) -> dict[str, Any]:
        """The fields of a dataclass declared with `setting()`, each read from its variable."""
        return {name: self.get(variable) for name, variable in fields_read_from(kind).items()}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = Environment(os.environ if environ is None else environ)
    # SOURCE first: it says which source's own variables are read, and a wrong one is the
    # first thing to hear of.
    source = env.get(v.SOURCE)
    own = SOURCES[source].own_settings
    settings = Settings(**env.fields(Settings), source_settings=own(**env.fields(own)))
    if settings.database_replica_url and not settings.database_url:
        raise SettingsError("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) too")
    if settings.default_page_size > settings.max_page_size:
        raise SettingsError("DEFAULT_PAGE_SIZE must not exceed MAX_PAGE_SIZE")
    others = {
        variable.name
        for other, kind in SOURCES.items()
        if other != source
        for variable in declared(kind.own_settings)
    }
    if unread := set(VARIABLES) - env.read - others:
        raise LookupError(f"listed in app.settings.VARIABLES but never read: {sorted(unread)}")
    return settings
