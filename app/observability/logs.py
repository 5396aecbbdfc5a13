"""One log line per request (with its metrics, app/observability/metrics.py) and a request id.

Logs never carry tokens, keys or query text: method, path (no query string), GraphQL
operation name, status, duration, request id and why a request was refused (app/errors.py).
Every line names its process (`pid`), the worker that wrote it.
LOG_FORMAT=json writes one JSON object a line (for log shippers), LOG_FORMAT=text a plain
line (for people) with control characters escaped, so that no client can forge a line.
uvicorn's own records go through the same handler; its access log is off (it would log
query strings).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from contextvars import ContextVar, Token
from typing import Any

import orjson
from starlette.types import Scope

from app.errors import close_box, open_box
from app.observability.metrics import Metrics

logger = logging.getLogger("downloads_api")
access_logger = logging.getLogger("downloads_api.access")

_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# A caller's own id is kept when it is short and plain; anything else is replaced.
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id() -> str:
    """The id of the request being served (the log and the error answer share it)."""
    return _request_id.get()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
            "pid": os.getpid(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


# What may not appear raw in a text line: C0 and C1 controls (CR and LF start a new line),
# Unicode's line and paragraph separators, and the backslash that starts an escape.
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


class TextFormatter(logging.Formatter):
    """One line a record, with its worker's pid and its request's id ("-" outside one); a
    traceback follows indented, so it cannot pass for a record."""

    def format(self, record: logging.LogRecord) -> str:
        message = _UNSAFE_TEXT.sub(_escape, record.getMessage())
        rid = getattr(record, "request_id", None) or request_id()
        line = (
            f"{self.formatTime(record)} {record.levelname} {record.name}"
            f" [{os.getpid()}] {rid}: {message}"
        )
        if record.exc_info:
            line += "\n" + "\n".join(
                "  " + _UNSAFE_TEXT.sub(_escape, part)
                for part in self.formatException(record.exc_info).splitlines()
            )
        return line


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Our records and uvicorn's, in one format on standard error; uvicorn's access log off,
    however uvicorn was started (it runs this when it imports app.main)."""
    # Neither format writes the thread, process or source line of a record: not worth
    # looking up for every request (the logging module's documented optimisations; the
    # source line costs a walk up the stack per record).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging._srcfile = None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    for name in ("downloads_api", "uvicorn"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.error").handlers.clear()  # its records reach "uvicorn"
    uvicorn_access = logging.getLogger("uvicorn.access")
    # uvicorn's protocols log requests only when this logger has handlers somewhere.
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True


# What the edge keeps of a request between `RequestLog.open` and `RequestLog.close`: its id,
# the id's context token, the refusal box (app/errors.py) and the box's token.
Opened = tuple[str, Token[str], list[str], Token[list[str] | None]]


class RequestLog:
    """A request id for every HTTP request, one log line and the request metrics when it is
    answered. Not a layer of its own: the edge (app/http/edge.py) opens an entry as a
    request arrives and closes it once the request is answered."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        # Each (route, operation, status)'s request counter and its route's latency
        # histogram, looked up once: `labels()` checks and locks on every call. As bounded
        # as the labels themselves (routes, OperationLabels, statuses).
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def open(self, given: bytes) -> Opened:
        """The request's id (the caller's `X-Request-ID`, `given`, when short and plain),
        set for the logs and error answers, and its refusal box opened."""
        client_id = given.decode("latin-1")
        # 128 random bits in hex, as uuid4().hex reads, without building a UUID object.
        rid = client_id if _CLIENT_REQUEST_ID.fullmatch(client_id) else os.urandom(16).hex()
        box, box_token = open_box()
        return rid, _request_id.set(rid), box, box_token

    def close(self, opened: Opened, scope: Scope, status: int, elapsed: float) -> str | None:
        """The request's metrics and access line; its id and box closed. Returns why it was
        refused, if it was."""
        rid, token, refusal, box_token = opened
        route = scope.get("route")
        path = getattr(route, "path", None) or "unmatched"
        state = scope["state"]
        # Metrics count the operations that ran; the log names a refused one too.
        operation = state.get("operation_name") or ""
        logged = operation or state.get("operation_requested") or ""
        label = self.metrics.operation_label(operation, state.get("customer_id"))
        reason = refusal[0] if refusal else None
        series = self._series.get((path, label, status))
        if series is None:
            series = (
                self.metrics.requests.labels(path, label, str(status)),
                self.metrics.latency.labels(path),
            )
            self._series[path, label, status] = series
        series[0].inc()
        series[1].observe(elapsed)
        self.metrics.after_request()
        access_logger.info(
            "%s %s %s %d %.1fms%s",
            scope["method"],
            scope["path"],
            logged or "-",
            status,
            elapsed * 1000,
            f" {reason}" if reason else "",
            extra={
                "request_id": rid,
                "fields": {
                    "method": scope["method"],
                    "path": scope["path"],
                    "operation": logged or None,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "reason": reason,
                },
            },
        )
        close_box(box_token)
        _request_id.reset(token)
        return reason
