"""`downloads-api`: run the service."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from app.settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="downloads-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true", help="restart when the code changes")
    args = parser.parse_args(argv)

    try:
        load_settings()  # fail here with one clear line rather than in a worker
    except SettingsError as error:
        print(f"downloads-api: {error}", file=sys.stderr)
        return 2

    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        proxy_headers=True,
        access_log=False,  # the service logs each request itself (app/observability.py)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
