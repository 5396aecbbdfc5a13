"""The embedded demo database: SQLite built from fixtures/ when no DATABASE_URL is set.

Each process builds its own file in a temporary folder named after its pid, removes it
when the app stops (or the process exits), and removes any folder whose process is gone
(one that was killed).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import fixtures
from app.settings import Settings

FOLDER_PREFIX = "downloads-api-demo-"
# Published in the README and fixtures/: anyone may use them, so the demo is loud.
DEMO_WARNING = (
    "serving the EMBEDDED DEMO database: DATABASE_URL is not set, and the demo's tokens and"
    " storefront keys are published in the README; set DATABASE_URL to serve a shop"
)

# A folder named without a pid (made before they were) is stale once this old.
_UNNAMED_STALE_SECONDS = 24 * 3600

_made_here: set[Path] = set()


def build_demo_database(source: str) -> str:
    """Create a fresh demo database file and return a read-only URL for it."""
    remove_stale_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
    _made_here.add(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / f"{source}.sqlite3"
    fixtures.load(f"sqlite:///{path}", source)
    # mode=ro: the demo, like a real database, is only ever read.
    return f"sqlite:///file:{path}?mode=ro"


def remove_demo_database(url: str) -> None:
    """Remove the folder of a demo database this process built. The app does on its way
    out: uvicorn ends its process with the signal that stopped it, so atexit is not run."""
    folder = Path(url.removeprefix("sqlite:///file:").partition("?")[0]).parent
    if folder in _made_here:
        _made_here.discard(folder)
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_folders() -> None:
    """Demo folders left by processes that no longer run (killed before they could clean
    up, or from a version that did not)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        pid = folder.name.removeprefix(FOLDER_PREFIX).partition("-")[0]
        if not _in_use(folder, int(pid) if pid.isdigit() else None):
            shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path, pid: int | None) -> bool:
    if pid is None:
        try:
            return time.time() - folder.stat().st_mtime < _UNNAMED_STALE_SECONDS
        except OSError:  # gone already
            return True
    if pid == os.getpid():  # ours, or a namesake from before a restart (a container's pid 1)
        return folder in _made_here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and its folder not ours
        return True
    return True


def with_demo_database(settings: Settings) -> Settings:
    """The settings with the demo database, and the source's settings as the demo's
    deployment has them where none were set (Magento's crypt key)."""
    return replace(
        settings,
        database_url=build_demo_database(settings.source),
        source_settings=fixtures.platform(settings.source).demo_settings(settings.source_settings),
    )
