"""`downloads-api`: run the service, check its database, or list its settings."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

import uvicorn

from app.db import database_at
from app.observability.logs import configure_logging
from app.ops.check import Finding, check, report, where_is
from app.ops.demo import DEMO_WARNING, with_demo_database
from app.settings import Settings, SettingsError, load_settings
from app.settings.described import markdown_table, rewrite
from app.sources import SOURCES
from app.sources.variables import declared

_CHECK_READS = (
    "DATABASE_URL (required: the database to check), DATABASE_REPLICA_URL (checked too"
    " when set), SOURCE (bagisto or magento: which tables to look for),"
    " DATABASE_CONNECT_TIMEOUT, PUBLIC_BASE_URL, and the source's own: "
    + ", ".join(
        variable.name for source in SOURCES.values() for variable in declared(source.own_settings)
    )
)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "settings":  # describes the settings: needs none of them right
        return _settings(args.readme)
    try:
        settings = load_settings()  # fail here with one clear line rather than in a worker
    except SettingsError as error:
        print(f"downloads-api: {error}", file=sys.stderr)
        return 2

    if args.command == "check":
        return _check(settings, demo=args.demo)

    configure_logging(settings.log_format, settings.log_level)
    if settings.database_url is None and (args.workers > 1 or args.reload):
        # The app runs in child processes here, which leave this warning to the parent.
        logging.getLogger("downloads_api").warning(DEMO_WARNING)
    with _shared_metrics(args.workers):
        uvicorn.run(
            "app.main:app",
            host=args.host,
            port=args.port,
            workers=args.workers,
            reload=args.reload,
            proxy_headers=True,
            access_log=False,  # the service logs each request itself (app/observability/logs.py)
            log_config=None,  # and uvicorn's records go through its handler
        )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="downloads-api",
        description="A read-only GraphQL and REST API of the downloadable products customers"
        " bought, over a Bagisto or Magento database. Settings come from environment"
        " variables (`downloads-api settings` lists them, as the README's Configuration table).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version('downloads-api')}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve the API with uvicorn",
        description="Serve the API with uvicorn, proxy headers on (trusted from"
        " FORWARDED_ALLOW_IPS). With no DATABASE_URL it serves the embedded demo database.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: all)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes (one core each); /metrics counts them all, logs use LOG_FORMAT",
    )
    serve.add_argument(
        "--reload", action="store_true", help="restart when the code changes (development)"
    )
    check_command = commands.add_parser(
        "check",
        help="check that the configured database has what the service reads",
        description="Check that DATABASE_URL's database has every table and column the"
        " source reads, granted to its user for reading only. Exits non-zero on any"
        f" problem, and when DATABASE_URL is not set. Reads {_CHECK_READS}.",
    )
    check_command.add_argument(
        "--demo", action="store_true", help="check the embedded demo database instead"
    )
    settings_command = commands.add_parser(
        "settings",
        help="list every setting: its variable, meaning and default",
        description="Print the environment variables the service reads, what each means and"
        " its default, as a Markdown table: the README's Configuration table, generated from"
        " the settings' declarations (app/settings/variables.py and each source's module).",
    )
    settings_command.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="rewrite the table between the settings markers in FILE (README.md) instead",
    )
    return parser


def _settings(readme: Path | None) -> int:
    if readme is None:
        print(markdown_table(), end="")
        return 0
    try:
        changed = rewrite(readme)
    except (OSError, ValueError) as error:
        print(f"downloads-api settings: {error}", file=sys.stderr)
        return 2
    print(f"{readme}: the settings table {'regenerated' if changed else 'was up to date'}")
    return 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1, got {text!r}")
    return int(text)


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


def _check(settings: Settings, *, demo: bool) -> int:
    if demo == (settings.database_url is not None):
        # A deployment gate must not pass on the demo because a variable went missing.
        print(
            "downloads-api check: DATABASE_URL is set, and --demo checks the embedded demo"
            " instead: use one or the other"
            if demo
            else "downloads-api check: DATABASE_URL is not set, so there is no database to"
            " check; set it, or run `downloads-api check --demo` to check the embedded demo",
            file=sys.stderr,
        )
        return 2
    targets = [(where_is(settings), with_demo_database(settings) if demo else settings)]
    if settings.database_replica_url:
        replica = replace(settings, database_url=settings.database_replica_url)
        targets.append((where_is(replica) + " (the replica)", replica))
    ok = True
    for where, target in targets:
        assert target.database_url is not None
        database = database_at(target.database_url, connect_timeout=target.database_connect_timeout)
        try:
            findings = asyncio.run(check(target, database, demo=demo))
        except Exception as error:  # one line for the operator, whatever went wrong
            findings = [Finding("FAIL", f"the check itself failed: {type(error).__name__}")]
        print(report(target.source, where, findings))
        ok = ok and all(finding.ok for finding in findings)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
