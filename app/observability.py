"""One log line per request, a request id, and Prometheus metrics.

Logs never carry tokens, keys or query text: method, path (no query string), GraphQL
operation name, status, duration and request id. LOG_FORMAT=json writes one JSON object
a line (for log shippers), LOG_FORMAT=text a plain line (for people).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_logging(log_format: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.formatter.converter = time.gmtime  # type: ignore[union-attr]
    root = logging.getLogger("downloads_api")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


CacheStats = Callable[[], tuple[int, int]]  # (hits, misses) so far


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self, *, pool_in_use: Callable[[], int], caches: dict[str, CacheStats]) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_ReadAtScrape(pool_in_use, caches))
        self.requests = Counter(
            "downloads_api_requests",
            "Requests answered, by route, GraphQL operation and status.",
            ["path", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "downloads_api_request_duration_seconds",
            "Time to answer a request, by route.",
            ["path"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )


class _ReadAtScrape(Collector):
    """Figures other objects already keep, read when Prometheus asks."""

    def __init__(self, pool_in_use: Callable[[], int], caches: dict[str, CacheStats]) -> None:
        self.pool_in_use = pool_in_use
        self.caches = caches

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "downloads_api_database_connections_in_use",
            "Database connections lent out by the pool right now.",
            value=self.pool_in_use(),
        )
        lookups = CounterMetricFamily(
            "downloads_api_cache_lookups",
            "Cache lookups, by cache and result.",
            labels=["cache", "result"],
        )
        for cache, stats in self.caches.items():
            hits, misses = stats()
            lookups.add_metric([cache, "hit"], hits)
            lookups.add_metric([cache, "miss"], misses)
        yield lookups


class RequestLog:
    """ASGI middleware: a request id for every HTTP request, one log line and the request
    metrics when it is answered."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(rid)
        scope.setdefault("state", {})
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            operation = scope["state"].get("operation_name") or ""
            self.metrics.requests.labels(path, operation, str(status)).inc()
            self.metrics.latency.labels(path).observe(elapsed)
            access_logger.info(
                "%s %s %s %d %.1fms",
                scope["method"],
                scope["path"],
                operation or "-",
                status,
                elapsed * 1000,
                extra={
                    "request_id": rid,
                    "fields": {
                        "method": scope["method"],
                        "path": scope["path"],
                        "operation": operation or None,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                },
            )
            _request_id.reset(token)
