"""Sources map a platform's tables to the records in `app.models`.

Everything above this package speaks only `Purchase`, `Order` and `StorefrontKey`;
adding a platform means adding a module here and a line to `SOURCES`.
"""

from __future__ import annotations

from app.db import Database
from app.settings import Settings
from app.sources.bagisto import BagistoSource
from app.sources.base import Source, StorefrontKeyStore
from app.sources.magento import MagentoSource

SOURCES: dict[str, type[BagistoSource | MagentoSource]] = {
    "bagisto": BagistoSource,
    "magento": MagentoSource,
}

__all__ = ["SOURCES", "Source", "StorefrontKeyStore", "create_source"]


def create_source(
    settings: Settings, database: Database, replica: Database | None = None
) -> Source:
    return SOURCES[settings.source](database, settings, replica)
