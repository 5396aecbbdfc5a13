"""A real server in a process of its own, for clients that speak HTTP over a socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

from app.settings import VARIABLES
from tests.paths import ROOT

DOWNLOADS_API = str(Path(sys.executable).parent / "downloads-api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served(str):
    """The base URL of a running server, which also knows its process."""

    process: subprocess.Popen[bytes]


@contextmanager
def serving(
    environment: dict[str, str],
    *args: str,
    timeout: float = 30,
    log: Path | None = None,
    command: tuple[str, ...] = (DOWNLOADS_API, "serve"),
) -> Iterator[Served]:
    """Run `downloads-api serve` (or `command`, which takes --port) with exactly these
    settings (none from the shell's environment); yield its base URL. Its standard error
    goes to `log` when given."""
    port = free_port()
    settings = {k: v for k, v in os.environ.items() if k not in VARIABLES} | environment
    stderr = None if log is None else log.open("ab")
    process = subprocess.Popen(
        [*command, "--port", str(port), *args], cwd=ROOT, env=settings, stderr=stderr
    )
    base = Served(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        deadline = time.monotonic() + timeout
        while not _answers(f"{base}/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"downloads-api serve did not start (exit {process.poll()})")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if stderr is not None:
            stderr.close()


def _answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=1).status_code == 200
    except httpx2.TransportError:
        return False
