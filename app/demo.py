"""The embedded demo database: SQLite built from fixtures/ when no DATABASE_URL is set."""

from __future__ import annotations

import tempfile
from pathlib import Path

import fixtures


def build_demo_database(source: str) -> str:
    """Create a fresh demo database file and return a read-only URL for it."""
    path = Path(tempfile.mkdtemp(prefix="downloads-api-demo-")) / f"{source}.sqlite3"
    fixtures.load(f"sqlite:///{path}", source)
    # mode=ro: the demo, like a real database, is only ever read.
    return f"sqlite:///file:{path}?mode=ro"
