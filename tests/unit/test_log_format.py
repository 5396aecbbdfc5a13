"""The log formats themselves: uvicorn's records and tracebacks as ours, escaping in text
lines, and URLs logged without their credentials."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator

import pytest

from app.observability.logs import configure_logging
from app.ops.startup import where
from tests import fake
from tests.helpers import app_client

LOGGERS = ("downloads_api", "uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def configured() -> Iterator[Callable[[str], None]]:
    """configure_logging(format) for one test (the loggers are restored after it)."""
    saved = [
        (logger, logger.handlers[:], logger.level, logger.propagate, logger.disabled)
        for logger in map(logging.getLogger, LOGGERS)
    ]

    yield configure_logging
    for logger, handlers, level, propagate, disabled in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def boom() -> None:
    raise RuntimeError("bad\r\n2030-01-01 00:00:00,000 INFO forged: line")


def test_uvicorn_tracebacks_are_json_lines_like_ours(
    configured: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configured("json")
    try:
        boom()
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /graphql?query=secret" 200')

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1  # one record, one line; the access log wrote nothing
    entry = json.loads(lines[0])
    assert (entry["logger"], entry["level"], entry["message"]) == (
        "uvicorn.error",
        "error",
        "Exception in ASGI application",
    )
    assert "Traceback" in entry["exception"] and "boom" in entry["exception"]


def test_text_tracebacks_are_indented_and_escaped(
    configured: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    configured("text")
    try:
        boom()
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("Exception in\x1b[31m app")

    first, *rest = capsys.readouterr().err.splitlines()
    assert first.endswith(f" ERROR uvicorn.error [{os.getpid()}] -: Exception in\\x1b[31m app")
    assert rest and all(line.startswith("  ") for line in rest)
    # A line break in an exception's message cannot start a record of its own.
    assert any(line.startswith("  2030-01-01") for line in rest)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mysql://api:s3cret@db.internal:3306/shop", "db.internal:3306/shop"),
        ("mysql+aiomysql://api:s3cret@db.internal/shop?max_size=5", "db.internal/shop"),
        ("redis://:s3cret@cache:6379/0", "cache:6379/0"),
        ("rediss://user:s3cret@cache.example.com/2", "cache.example.com/2"),
        ("sqlite:///tmp/demo.db?mode=ro", "sqlite:///tmp/demo.db"),
        (None, None),
    ],
)
def test_urls_are_logged_without_credentials(url: str | None, shown: str | None) -> None:
    assert where(url) == shown


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_every_access_line_names_its_request_and_worker(
    configured: Callable[[str], None], capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    configured(log_format)
    with app_client(fake=fake.FakeSource()) as client:
        capsys.readouterr()
        client.get("/health", headers={"X-Request-ID": "probe-1"})

    [line] = [line for line in capsys.readouterr().err.splitlines() if "/health" in line]
    if log_format == "json":
        entry = json.loads(line)
        assert (entry["request_id"], entry["pid"]) == ("probe-1", os.getpid())
    else:
        assert f" downloads_api.access [{os.getpid()}] probe-1: GET /health - 200 " in line
