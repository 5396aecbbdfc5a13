"""Where and on what the run happened: machine, versions, commit."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.config import ROOT
from bench.seed import connect

# The peer's versions are the ones bench/peer/package-lock.json pins.
PACKAGES = (
    "uvicorn", "uvloop", "httptools", "starlette", "ariadne", "graphql-core", "databases",
    "aiomysql", "asyncmy", "pymysql", "sqlalchemy", "orjson",
)  # fmt: skip


def _output(*command: str) -> str:
    """The first line a read-only command prints ("-" when it cannot run)."""
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return "-"
    return next(iter((done.stdout or done.stderr).splitlines()), "-")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def describe() -> dict[str, Any]:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        mariadb = str(cursor.fetchone()[0])
    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True)
    changed = [line[3:] for line in status.stdout.decode().splitlines() if line.strip()]
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": models[0] if models else platform.processor() or "unknown",
        "python": platform.python_version(),
        "commit": _output("git", "rev-parse", "--short", "HEAD"),
        # Other people edit this tree: what the run measured may differ from the commit.
        "uncommitted_changes": [c for c in changed if not c.startswith("bench/")],
        "mariadb": mariadb,
        "wrk": _output("wrk", "--version"),
        "node": _output("node", "--version"),
        "packages": {name: _version(name) for name in PACKAGES},
        "loadavg_at_start": os.getloadavg()[0],
    }
