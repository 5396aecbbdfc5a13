"""Settings of one bench run: where the database server is, ports, durations."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent  # the repository
RESULTS_DIR = ROOT / "bench" / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"

# BENCH_SUFFIX (e.g. "_14") gives a run its own database and users, so that two people
# benchmarking against one MariaDB server do not reseed each other's database.
_SUFFIX = os.environ.get("BENCH_SUFFIX", "")
if _SUFFIX and not _SUFFIX.replace("_", "").isalnum():
    raise SystemExit("BENCH_SUFFIX may hold only letters, digits and underscores")
DATABASE = f"downloads_api_bench{_SUFFIX}"
# Each server connects as a user of its own, with the least-privilege grant.
USERS = {name: f"dlbench_{name}{_SUFFIX}" for name in ("service", "floor", "peer")}
BENCH_PASSWORD = "dlbench"
PUBLIC_BASE_URL = "https://shop.example.com"
# The service on BENCH_PORT, the floor on the next port, the peer on the one after.
BASE_PORT = int(os.environ.get("BENCH_PORT", "18080"))
PORTS = {"service": BASE_PORT, "floor": BASE_PORT + 1, "peer": BASE_PORT + 2}


def server_url() -> URL:
    """The MariaDB server (no database), from BENCH_MARIADB_URL."""
    raw = os.environ.get("BENCH_MARIADB_URL", "mysql://root@127.0.0.1:3306").rstrip("/")
    return make_url(raw.replace("mysql://", "mysql+pymysql://", 1))


@dataclass(frozen=True)
class RunConfig:
    """What `python -m bench` was asked to do."""

    duration: float = 5.0  # seconds measured per point
    warmup: float = 1.0  # seconds of load before each measured point
    concurrencies: tuple[int, ...] = (1, 32)
    # Rounds of service, floor and peer in turns at each point, each figure the median of
    # the rounds: one 5-second point on a shared 2-core machine varies by up to a tenth.
    rounds: int = 3
    soak: float = 60.0  # seconds of the RSS growth run (300: the 5 minutes; 0: none)
    soak_concurrency: int = 128
    hostile: float = 10.0  # seconds a phase of the hostile-traffic step (0: none)
    profile: int = 10  # seconds py-spy samples the service per list scenario (0: none)
    pool_size: int = 10  # max_size of every pool (aiomysql's default)
    scenarios: tuple[str, ...] = ()  # empty: all
    anchors: tuple[str, ...] = ("floor", "peer")  # what the service is compared with
    reuse_database: bool = False  # skip seeding when the bench database is already there
    results: Path = RESULTS_DIR  # where latest.json and latest.md are written
    service_env: tuple[tuple[str, str], ...] = ()  # more environment for the service only

    def database_url(self, name: str) -> str:
        """The DATABASE_URL the service, the floor or the peer is started with."""
        server = server_url()
        host, port = server.host or "127.0.0.1", server.port or 3306
        user = USERS[name]
        return f"mysql://{user}:{BENCH_PASSWORD}@{host}:{port}/{DATABASE}?max_size={self.pool_size}"
