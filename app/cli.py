"""`downloads-api`: run the service, or check its database."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import uvicorn

from app.check import Finding, check, report, where_is
from app.db import database_at
from app.demo import with_demo_database
from app.observability import configure_logging
from app.settings import Settings, SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="downloads-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true", help="restart when the code changes")
    commands.add_parser(
        "check", help="check that the configured database has what the service reads"
    )
    args = parser.parse_args(argv)

    try:
        settings = load_settings()  # fail here with one clear line rather than in a worker
    except SettingsError as error:
        print(f"downloads-api: {error}", file=sys.stderr)
        return 2

    if args.command == "check":
        return _check(settings)

    configure_logging(settings.log_format, settings.log_level)
    with _shared_metrics(args.workers):
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            reload=args.reload,
            proxy_headers=True,
            access_log=False,  # the service logs each request itself (app/observability.py)
            log_config=None,  # and uvicorn's records go through its handler
        )
    return 0


@contextmanager
def _shared_metrics(workers: int) -> Iterator[None]:
    """Several workers count into one directory that any of them reads for /metrics
    (prometheus_client's multiprocess mode); made fresh here, removed on the way out."""
    if workers < 2 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield  # one process, or an operator's own directory (theirs to clean)
        return
    directory = tempfile.mkdtemp(prefix="downloads-api-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory  # the workers inherit it
    try:
        yield
    finally:
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(directory, ignore_errors=True)


def _check(settings: Settings) -> int:
    targets = [(where_is(settings), settings)]
    if settings.database_url is None:
        targets = [(targets[0][0], with_demo_database(settings))]
    if settings.database_replica_url:
        replica = replace(settings, database_url=settings.database_replica_url)
        targets.append((where_is(replica) + " (the replica)", replica))
    ok = True
    for where, target in targets:
        assert target.database_url is not None
        database = database_at(target.database_url, connect_timeout=target.database_connect_timeout)
        try:
            findings = asyncio.run(check(target, database, demo=settings.database_url is None))
        except Exception as error:  # one line for the operator, whatever went wrong
            findings = [Finding("FAIL", f"the check itself failed: {type(error).__name__}")]
        print(report(target.source, where, findings))
        ok = ok and all(finding.ok for finding in findings)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
