"""The embedded demo database: SQLite built from fixtures/ when no DATABASE_URL is set."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import fixtures
from app.settings import Settings


def build_demo_database(source: str) -> str:
    """Create a fresh demo database file and return a read-only URL for it."""
    path = Path(tempfile.mkdtemp(prefix="downloads-api-demo-")) / f"{source}.sqlite3"
    fixtures.load(f"sqlite:///{path}", source)
    # mode=ro: the demo, like a real database, is only ever read.
    return f"sqlite:///file:{path}?mode=ro"


def with_demo_database(settings: Settings) -> Settings:
    """The settings with the demo database, and the source's settings as the demo's
    deployment has them where none were set (Magento's crypt key)."""
    return replace(
        settings,
        database_url=build_demo_database(settings.source),
        source_settings=fixtures.platform(settings.source).demo_settings(settings.source_settings),
    )
