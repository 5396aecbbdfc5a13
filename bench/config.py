"""Settings of one bench run: where the database server is, ports, durations."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent  # the repository
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
PYTHON = ROOT / ".venv" / "bin" / "python"

# BENCH_SUFFIX (e.g. "_14") gives a run its own database and users, so that two people
# benchmarking against one MariaDB server neither reseed each other's database nor mix
# their statement counts.
_SUFFIX = os.environ.get("BENCH_SUFFIX", "")
if _SUFFIX and not _SUFFIX.replace("_", "").isalnum():
    raise SystemExit("BENCH_SUFFIX may hold only letters, digits and underscores")
DATABASE = f"downloads_api_bench{_SUFFIX}"
# The service and the floor connect as users of their own, so that the server's
# USER_STATISTICS counts each one's statements apart from everyone else's.
SERVICE_USER = f"dlbench_service{_SUFFIX}"
FLOOR_USER = f"dlbench_floor{_SUFFIX}"
BENCH_PASSWORD = "dlbench"

PUBLIC_BASE_URL = "https://shop.example.com"
# The service's own settings for every run: pages of up to 1,000 nodes (the page-1000
# scenario), as the schema-views issue allows; the floor has no limit.
SERVICE_ENV = {"MAX_PAGE_SIZE": "1000"}
SERVICE_PORT = 18080
FLOOR_PORT = 18081


def server_url() -> URL:
    """The MariaDB server (no database), from BENCH_MARIADB_URL."""
    raw = os.environ.get("BENCH_MARIADB_URL", "mysql://root@127.0.0.1:3306").rstrip("/")
    return make_url(raw.replace("mysql://", "mysql+pymysql://", 1))


@dataclass(frozen=True)
class RunConfig:
    """What `python -m bench` was asked to do."""

    duration: float = 5.0  # seconds measured per point
    warmup: float = 1.0  # seconds of load before each measured point
    concurrencies: tuple[int, ...] = (1, 8, 32, 128)
    scaling_concurrency: int = 32  # where 2 workers are compared with 1
    # One worker at scaling_concurrency, where the throughput targets are read: service and
    # floor measured this many times in turns, each figure the median of the rounds. One
    # 5-second pair on a shared 2-core machine varies by up to a tenth.
    rounds: int = 3
    soak: float = 60.0  # seconds of the RSS growth run
    soak_concurrency: int = 128
    pool_size: int = 10  # max_size of both pools (aiomysql's default)
    scenarios: tuple[str, ...] = ()  # empty: all
    reuse_database: bool = False  # skip seeding when the bench database is already there
    write_readme: bool = True
    results: Path = RESULTS_DIR  # where latest.json and latency.png are written
    # More environment for the service only (e.g. LOG_LEVEL=WARNING), to measure a variant.
    service_env: tuple[tuple[str, str], ...] = ()
    # The ASGI app measured as "the service": another one measures a variant of it.
    service_app: str = "app.main:app"

    def database_url(self, user: str) -> str:
        """The DATABASE_URL the service (or the floor) is started with."""
        server = server_url()
        host = server.host or "127.0.0.1"
        port = server.port or 3306
        return f"mysql://{user}:{BENCH_PASSWORD}@{host}:{port}/{DATABASE}?max_size={self.pool_size}"
