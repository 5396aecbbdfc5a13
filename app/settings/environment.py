"""The service's environment variables, each read with a cast that refuses an unusable
value in the operator's words."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from starlette.config import Config

from app.sources import SOURCES

T = TypeVar("T")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


# Every environment variable the service reads (the README's configuration table): its
# own, then each source's (read only when that source is the one configured).
VARIABLES = (
    "DATABASE_URL",
    "SOURCE",
    "PUBLIC_BASE_URL",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "STOREFRONT_KEY_CACHE_SECONDS",
    "MAX_QUERY_DEPTH",
    "MAX_QUERY_COMPLEXITY",
    "MAX_QUERY_TOKENS",
    "MAX_QUERY_LENGTH",
    "DATABASE_REPLICA_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT",
    "SHUTDOWN_DRAIN_SECONDS",
    "MAX_ROWS_IN_FLIGHT",
    "MAX_QUERY_ALIASES",
    "MAX_ROOT_FIELDS",
    "MAX_LIST_SELECTIONS",
    "MAX_BODY_BYTES",
    "MAX_BODY_SECONDS",
    "BATCH_SIZE",
    "INTROSPECTION",
    "EXPLORER",
    "MAGENTO_UNAUTHORIZED_STATUS",
    "CORS_ALLOW_ORIGINS",
    "METRICS_ALLOW",
    "METRICS_OPERATIONS",
    "REDIS_URL",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "GRAPHQL_EXECUTOR",
    "GRAPHQL_CACHE_BYTES",
    *(name for source in SOURCES.values() for name in source.own_settings.variables),
)


class SettingsError(Exception):
    """A configuration value is unusable; the message names the variable.

    Not a ValueError: Starlette's `Config` replaces a cast's ValueError with its own words,
    and operators should read these."""


class Environment:
    """The service's variables, each read through Starlette's `Config` with a cast that
    refuses an unusable value in the operator's words. Reading a variable missing from
    VARIABLES fails: deployments and the README's table go by that list."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._config = Config(environ=environ)
        self.read: set[str] = set()

    def __call__(self, name: str, cast: Callable[[str], T], default: str) -> T:
        if name not in VARIABLES:
            raise LookupError(f"{name} is read but not listed in app.settings.VARIABLES")
        self.read.add(name)
        return self._config(name, cast=cast, default=default)

    def text(self, name: str, default: str = "") -> str:
        return self(name, str.strip, default)

    def whole_number(self, name: str, default: int, minimum: int = 0) -> int:
        def cast(raw: str) -> int:
            try:
                value = int(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
            if value < minimum:
                raise SettingsError(f"{name} must be at least {minimum}, got {value}")
            return value

        return self(name, cast, str(default))

    def number(self, name: str, default: float, *, at_most: float | None = None) -> float:
        """A number, not negative; with `at_most`, more than 0 and at most that."""

        def cast(raw: str) -> float:
            try:
                value = float(raw)
            except ValueError:
                raise SettingsError(f"{name} must be a number, got {raw!r}") from None
            if value < 0:
                raise SettingsError(f"{name} must not be negative, got {value}")
            if at_most is not None and not 0 < value <= at_most:
                raise SettingsError(
                    f"{name} must be more than 0 and at most {at_most:g}, got {value:g}"
                )
            return value

        return self(name, cast, str(default))

    def boolean(self, name: str, default: bool) -> bool:
        def cast(raw: str) -> bool:
            word = raw.strip().lower()
            if word not in ("true", "false", "1", "0"):
                raise SettingsError(f"{name} must be true or false, got {word!r}")
            return word in ("true", "1")

        return self(name, cast, str(default))

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        def cast(raw: str) -> str:
            word = raw.strip()
            value = word.upper() if allowed[0].isupper() else word.lower()
            if value not in allowed:
                raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {word!r}")
            return value

        return self(name, cast, default)

    def url(
        self, name: str, schemes: tuple[str, ...], refusal: str, *, trailing: str = ""
    ) -> str | None:
        def cast(raw: str) -> str | None:
            url = raw.strip().rstrip(trailing) or None
            if url and not url.startswith(schemes):
                raise SettingsError(refusal.format(url=url))
            return url

        return self(name, cast, "")


def origins(raw: str) -> tuple[str, ...]:
    """Origins as browsers send them (`Origin: https://shop.example.com`), or `*`: any
    other form would never match, and the browser's refusals would be the only sign."""
    origins = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
    if "*" in origins and len(origins) > 1:
        raise SettingsError("CORS_ALLOW_ORIGINS is either * or a list of origins, not both")
    for origin in origins:
        if origin == "*":
            continue
        parts = urlsplit(origin)
        exact = f"{parts.scheme}://{parts.netloc}".lower()
        if parts.scheme not in ("http", "https") or not parts.netloc or origin != exact:
            like = f" (did you mean {exact!r}?)" if parts.netloc else ""
            raise SettingsError(
                f"CORS_ALLOW_ORIGINS: {origin!r} never matches a browser's Origin, which reads"
                f" scheme://host[:port] in lower case, with no path or trailing slash{like}"
            )
    return origins


def networks(raw: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in raw.split(",") if part.strip())
    except ValueError as error:
        raise SettingsError(
            f"METRICS_ALLOW must list addresses or networks like 10.0.0.0/8, got {raw!r}: {error}"
        ) from None
