"""What operators of a served process see: one log line per request, and a start-up error of
one line naming the setting (tests/db/test_metrics.py: the metrics)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx2
import pytest

import fixtures
from app.settings import Settings
from tests.served import ROOT, serving


def live_settings(settings: Settings) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url or "",
        "SOURCE": settings.source,
        "MAGENTO_CRYPT_KEY": fixtures.magento.CRYPT_KEY,
    }


def test_json_log_has_one_line_per_request_and_no_credentials(
    settings: Settings, demo: ModuleType, tmp_path: Path
) -> None:
    log = tmp_path / "service.log"
    key = {"X-STOREFRONT-KEY": demo.SHOP_KEY} if hasattr(demo, "SHOP_KEY") else {}
    headers = {"Authorization": f"Bearer {demo.JANE_TOKEN}", **key}
    with serving(live_settings(settings) | {"LOG_FORMAT": "json"}, log=log) as base:
        query = "query MyDownloads { customerDownloadableProducts { totalCount } }"
        first = httpx2.post(f"{base}/api/graphql", json={"query": query}, headers=headers)
        second = httpx2.get(
            f"{base}/api/shop/customer-downloadable-products/99",
            headers={**headers, "X-Request-ID": "trace-42"},
        )

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry["logger"] == "downloads_api.access"]
    graphql = next(e for e in access if e["path"] == "/api/graphql")
    assert graphql | {"time": None, "duration_ms": None, "request_id": None} == {
        "time": None,
        "level": "info",
        "logger": "downloads_api.access",
        "message": graphql["message"],
        "request_id": None,
        "pid": base.process.pid,
        "method": "POST",
        "path": "/api/graphql",
        "operation": "MyDownloads",
        "status": 200,
        "duration_ms": None,
        "reason": None,
    }
    assert graphql["request_id"] == first.headers["x-request-id"]
    assert any(e["request_id"] == "trace-42" and e["status"] == 404 for e in access)
    assert second.headers["x-request-id"] == "trace-42"
    text = log.read_text()
    secrets = {demo.JANE_TOKEN, demo.JANE_TOKEN.partition("|")[2], getattr(demo, "SHOP_KEY", "")}
    for secret in {s for s in secrets if s} | {"totalCount"}:
        assert secret not in text


def test_text_log_is_a_plain_line(settings: Settings, demo: ModuleType, tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    with serving(live_settings(settings) | {"LOG_FORMAT": "text"}, log=log) as base:
        httpx2.get(f"{base}/health")

    assert any(
        re.search(r" INFO downloads_api\.access \[\d+\] [0-9a-f]{32}: GET /health - 200 ", line)
        for line in log.read_text().splitlines()
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SOURCE", "shopify"),
        ("MAX_PAGE_SIZE", "lots"),
        ("DATABASE_URL", "postgres://db/shop"),
        ("LOG_FORMAT", "xml"),
        ("INTROSPECTION", "maybe"),
        ("PUBLIC_BASE_URL", "shop.example.com"),
    ],
)
@pytest.mark.parametrize("command", ["uvicorn", "serve"])
def test_a_bad_setting_stops_the_service_with_one_line_naming_it(
    variable: str, value: str, command: str
) -> None:
    argv = {
        "uvicorn": [sys.executable, "-m", "uvicorn", "app.main:app", "--port", "0"],
        "serve": [str(Path(sys.executable).parent / "downloads-api"), "serve", "--port", "0"],
    }[command]

    result = subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"downloads-api: {variable} ")
    assert "Traceback" not in result.stderr
