"""OpenTelemetry tracing is on only when OTEL_* variables ask for it; off, nothing of
OpenTelemetry is loaded or run (tests/db/test_tracing.py: the spans, when on)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.observability import tracing
from tests.paths import ROOT


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
