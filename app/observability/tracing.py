"""OpenTelemetry tracing: off unless the standard OTEL_* variables ask for it.

On, every HTTP request is a server span (its route, status, GraphQL operation name and any
refusal code; a `traceparent` header from the caller is honoured) and every SQL statement a
child span carrying the statement's shape: placeholders, never values. It needs the
`tracing` extra (`pip install 'downloads-api[tracing]'`). Off, nothing of OpenTelemetry is
imported, no middleware is added and each statement pays one global lookup.

Turned on by OTEL_TRACES_EXPORTER (otlp, console, or both, comma-separated; "none" is off)
or by an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
OTEL_SDK_DISABLED=true keeps it off. The exporter reads its other OTEL_* settings itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

logger = logging.getLogger("downloads_api")

_tracer: Tracer | None = None
_OFF: AbstractContextManager[None] = nullcontext()
_NOT_A_NAME = re.compile(r"[^_0-9A-Za-z]")
_untraced: ContextVar[bool] = ContextVar("untraced", default=False)


def wanted(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return any(
        environ.get(name, "").strip()
        for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure(environ: Mapping[str, str]) -> None:
    """Start tracing when the environment asks for it (at process start, before the app)."""
    if not wanted(environ):
        return
    try:
        exporters = _exporters(environ)
    except ImportError as error:
        logger.error(
            "OTEL_* asks for tracing but %s is not installed: "
            "pip install 'downloads-api[tracing]'; serving without tracing",
            error.name,
        )
        return
    start(exporters, service_name=environ.get("OTEL_SERVICE_NAME") or "downloads-api")


def start(exporters: list[SpanExporter], *, service_name: str, batch: bool = True) -> None:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    global _tracer
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    for exporter in exporters:
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
    _tracer = provider.get_tracer("downloads-api")


def stop() -> None:
    global _tracer
    _tracer = None


def active() -> bool:
    return _tracer is not None


def _exporters(environ: Mapping[str, str]) -> list[SpanExporter]:
    names = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() or "otlp"
    exporters: list[SpanExporter] = []
    for name in (n.strip() for n in names.split(",")):
        if name == "console":
            from opentelemetry.sdk.trace.export import ConsoleSpanExporter

            exporters.append(ConsoleSpanExporter())
        elif name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
                OTLPSpanExporter,
            )

            exporters.append(OTLPSpanExporter())
        else:
            logger.warning("OTEL_TRACES_EXPORTER names %r, which is not supported", name)
    return exporters


class Statements(Protocol):
    @property
    def system(self) -> str: ...

    def sql_text(self, query: Any) -> str: ...


@contextmanager
def untraced() -> Iterator[None]:
    """Statements run inside are not traced: the process's own background reads (the
    store views' refresh), which no request waits on, would be traces of their own."""
    token = _untraced.set(True)
    try:
        yield
    finally:
        _untraced.reset(token)


def statement_span(database: Statements, query: Any) -> AbstractContextManager[Any]:
    """A span around one SQL statement (its text is worked out only while tracing)."""
    if _tracer is None or _untraced.get():
        return _OFF
    from opentelemetry.trace import SpanKind

    text = database.sql_text(query)
    return _tracer.start_as_current_span(
        text.split(None, 1)[0].upper() if text else "SQL",
        kind=SpanKind.CLIENT,
        attributes={"db.system.name": database.system, "db.query.text": text},
    )


class TraceRequests:
    """ASGI middleware (added only while tracing, around the edge): one server span per
    HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _tracer is None:
            await self.app(scope, receive, send)
            return
        from opentelemetry.propagate import extract
        from opentelemetry.trace import SpanKind

        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with _tracer.start_as_current_span(
            scope["method"], context=extract(carrier), kind=SpanKind.SERVER
        ) as span:
            span.set_attribute("http.request.method", scope["method"])
            span.set_attribute("url.path", scope["path"])

            async def send_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_status)
            finally:
                _describe(span, scope)


def _describe(span: Span, scope: Scope) -> None:
    route = getattr(scope.get("route"), "path", None)
    if route:
        span.update_name(f"{scope['method']} {route}")
        span.set_attribute("http.route", route)
    operation = _NOT_A_NAME.sub("", scope.get("state", {}).get("operation_name") or "")[:100]
    if operation:
        span.set_attribute("graphql.operation.name", operation)
    # The edge (app/http/edge.py), inside this layer, notes why it refused the request.
    refusal = scope.get("state", {}).get("refusal")
    if refusal:
        span.set_attribute("downloads_api.refusal", refusal)
