"""Sources map a platform's tables to the records in `app.models`.

Everything above this package speaks only `Purchase`, `Order` and `StorefrontKey`;
adding a platform means adding a module here and a line to `SOURCES`, the one list of
platforms (settings, `check` and the tests read it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sources.bagisto import BagistoSource
from app.sources.base import (
    NO_MATCH,
    NoMatch,
    Source,
    SourceChoice,
    SourceSettings,
    StatusFilter,
    StorefrontKeyStore,
)
from app.sources.magento import MagentoSource
from app.sources.table import TableSource
from app.sources.tokens import Customer, SignIn, TokenCheck

if TYPE_CHECKING:
    from app.db import Database, Reads

SOURCES: dict[str, type[TableSource]] = {
    "bagisto": BagistoSource,
    "magento": MagentoSource,
}

__all__ = [
    "NO_MATCH",
    "SOURCES",
    "Customer",
    "NoMatch",
    "SignIn",
    "Source",
    "SourceChoice",
    "SourceSettings",
    "StatusFilter",
    "StorefrontKeyStore",
    "TokenCheck",
    "create_source",
]


def create_source(
    settings: SourceChoice, database: Database, replica: Reads | None = None
) -> Source:
    """The source the settings name, given its own settings (app.settings.Settings is a
    SourceChoice; the sources take only their own settings and never import app.settings)."""
    return SOURCES[settings.source](database, settings.source_settings, replica)
