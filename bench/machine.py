"""Where and on what the run happened: machine, versions, commit."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.config import ROOT
from bench.seed import connect

PACKAGES = (
    "uvicorn", "uvloop", "httptools", "starlette", "ariadne", "graphql-core", "databases",
    "aiomysql", "pymysql", "sqlalchemy", "orjson",
)  # fmt: skip


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _git(*args: str) -> str:
    """Read-only git: the bench never changes the repository's state."""
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _first_line(*command: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "-"
    text = done.stdout or done.stderr
    return text.splitlines()[0] if text else "-"


def _peer_packages() -> dict[str, str]:
    lock = ROOT / "bench" / "peer" / "package-lock.json"
    if not lock.is_file():
        return {}
    packages = json.loads(lock.read_text())["packages"]
    names = ("fastify", "mercurius", "graphql-jit", "graphql", "mysql2")
    return {name: packages.get(f"node_modules/{name}", {}).get("version", "-") for name in names}


def _server_version() -> str:
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        return str(cursor.fetchone()[0])


def describe() -> dict[str, Any]:
    changed = [line[3:] for line in _git("status", "--porcelain").splitlines() if line.strip()]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram_gib": _ram_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "commit": _git("rev-parse", "--short", "HEAD").strip(),
        # Other people edit this tree: what the run measured may differ from the commit.
        "uncommitted_changes": [c for c in changed if not c.startswith("bench/")],
        "mariadb": _server_version(),
        "wrk": _first_line("wrk", "--version"),
        "node": _first_line("node", "--version"),
        "packages": {name: _version(name) for name in PACKAGES},
        "peer_packages": _peer_packages(),
        "loadavg_at_start": os.getloadavg()[0],
    }
