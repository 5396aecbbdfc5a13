"""OpenTelemetry tracing: a server span per request with its GraphQL operation, a client span
per SQL statement with the statement's shape and never its values; nothing at all when off."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from app.observability import tracing
from tests.helpers import Api, data_of
from tests.live import ROOT

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.start([exporter], service_name="downloads-api-test", batch=False)
    try:
        yield exporter
    finally:
        tracing.stop()


def by_kind(exporter: InMemorySpanExporter, kind: SpanKind) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind == kind]


def test_a_request_is_one_span_with_its_operation_and_one_span_per_statement(
    spans: InMemorySpanExporter, own_api: Callable[..., Api], demo: ModuleType
) -> None:
    api = own_api()
    spans.clear()  # the start-up check's statements, each a span of its own
    query = "query MyDownloads { customerDownloadableProducts { totalCount } }"
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}", "traceparent": TRACEPARENT}
    headers |= {"X-STOREFRONT-KEY": demo.SHOP_KEY} if hasattr(demo, "SHOP_KEY") else {}
    data_of(api.client.post("/api/graphql", json={"query": query}, headers=headers))

    [server] = by_kind(spans, SpanKind.SERVER)
    assert server.name == "POST /api/graphql"
    assert server.attributes is not None
    assert dict(server.attributes) == {
        "http.request.method": "POST",
        "url.path": "/api/graphql",
        "http.route": "/api/graphql",
        "http.response.status_code": 200,
        "graphql.operation.name": "MyDownloads",
    }
    assert format(server.context.trace_id, "032x") == TRACE_ID  # the caller's trace goes on
    statements = by_kind(spans, SpanKind.CLIENT)
    assert statements, "each SQL statement is a span"
    secrets = {demo.JANE_TOKEN, demo.JANE_TOKEN.rpartition("|")[2], getattr(demo, "SHOP_KEY", "")}
    for span in statements:
        assert span.parent is not None and span.parent.span_id == server.context.span_id
        assert span.name == "SELECT"
        attributes = dict(span.attributes or {})
        assert attributes["db.system.name"] == "mysql"
        text = str(attributes["db.query.text"])
        assert text.startswith("SELECT ") and "%(" in text  # placeholders, not values
        assert not any(secret and secret in text for secret in secrets)


def test_a_refused_request_says_why_in_its_span(
    spans: InMemorySpanExporter, own_api: Callable[..., Api]
) -> None:
    own_api().bagisto("{ customerDownloadableProducts { totalCount } }", token="999|nope")

    [server] = by_kind(spans, SpanKind.SERVER)
    assert dict(server.attributes or {})["downloads_api.refusal"] == "token_unknown"


@pytest.mark.parametrize(
    ("environment", "wanted"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "shop"}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, False),
    ],
)
def test_tracing_is_on_only_when_otel_variables_ask(
    environment: dict[str, str], wanted: bool
) -> None:
    assert tracing.wanted(environment) is wanted


OFF = """
import sys
from starlette.testclient import TestClient
import app.main
with TestClient(app.main.app) as client:
    for _ in range(3):
        assert client.post("/api/graphql", json={"query": "{ __typename }"}).status_code < 500
        assert client.get("/api/shop/customer-downloadable-products").status_code == 401
loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
middleware = [m.cls.__name__ for m in app.main.app.user_middleware]
print(loaded, middleware)
"""


def test_off_means_nothing_of_opentelemetry_is_loaded_or_run() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "DATABASE"))}
    done = subprocess.run(
        [sys.executable, "-c", OFF], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] ['Edge']"
