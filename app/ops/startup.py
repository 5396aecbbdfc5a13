"""The start-up line: what this process serves from where, the settings that are
missing for it to work as an operator most likely expects, and, once, whether its
database can be served, in `downloads-api check`'s words."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from app.db import Database, DatabaseUnavailable, driver_name, probe
from app.ops.demo import DEMO_WARNING
from app.ops.diagnosis import diagnosis
from app.settings import Settings

logger = logging.getLogger("downloads_api")


def where(url: str | None) -> str | None:
    """A database or Redis URL without its credentials: "host:port/name"."""
    if not url:
        return None
    if url.startswith("sqlite"):
        return url.split("?", 1)[0]
    parsed = make_url(url.replace("rediss://", "redis://", 1).replace("unix://", "redis://", 1))
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host}{port}/{parsed.database or ''}"


def driver(url: str | None) -> str:
    """Which driver the database URL is read with (docs/deploy.md says what each buys)."""
    if not url or url.startswith("sqlite"):
        return "aiosqlite"
    return driver_name(url)


def announce(settings: Settings, *, embedded_demo: bool, store_views: bool) -> None:
    fields: dict[str, Any] = {
        "source": settings.source,
        "database": "embedded demo" if embedded_demo else where(settings.database_url),
        "driver": driver(settings.database_url),
        "replica": where(settings.database_replica_url),
        "redis": where(settings.redis_url),
        "introspection": settings.introspection,
        "explorer": settings.explorer and settings.introspection,
    }
    logger.info(
        "serving the %s source from %s (driver: %s, replica: %s, redis: %s, introspection: %s,"
        " explorer: %s)",
        *(
            ("none" if v is None else "on" if v is True else "off" if v is False else v)
            for v in fields.values()
        ),
        extra={"fields": fields},
    )
    if embedded_demo and multiprocessing.parent_process() is None:
        # Once: a worker of `serve --workers N` (or --reload) leaves it to the parent.
        logger.warning(DEMO_WARNING)
    for warning in settings_warnings(settings, demo=embedded_demo, store_views=store_views):
        logger.warning(warning)


def settings_warnings(settings: Settings, *, demo: bool, store_views: bool) -> list[str]:
    """What an operator most likely means to set and has not: the start-up log's warnings
    and `downloads-api check`'s notes."""
    warnings = []
    if settings.public_base_url is None and not demo:
        which = (
            "the download links of store views whose configuration sets no base URL"
            if store_views
            else "download links"
        )
        warnings.append(
            f"PUBLIC_BASE_URL is not set: {which} will point at this service, not at the shop"
        )
    return [*warnings, *settings.source_settings.warnings()]


async def check_database(
    databases: Sequence[Database],
    urls: Sequence[str | None],
    tables: Sequence[sa.TableClause],
    seconds: float,
) -> None:
    """Can the configured user read every table the source reads? Said once, at start-up,
    within about `seconds` a database (the service starts either way: /ready answers 503
    until the database can be served)."""
    for database, url in zip(databases, urls, strict=False):
        table = None
        try:
            async with asyncio.timeout(seconds + 1):  # the driver's own limit comes first
                await database.ping()
                for table in tables:
                    await database.fetch_all(probe(table))
        except DatabaseUnavailable as error:
            name = table.name if table is not None else None
            logger.warning(
                "the database %s cannot be served: %s", where(url), diagnosis(error, url, name)
            )
        except TimeoutError:
            logger.warning("the database %s did not answer at start-up", where(url))
