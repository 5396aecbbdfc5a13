"""What operators see from a live server: uvicorn's records in our format and without its
access log (however it is started), control characters escaped in text logs, the start-up
line and its warnings, and one set of metrics from several workers."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import httpx2
import pytest

from app.db import driver_name
from app.settings import Settings
from tests.helpers import metric_values
from tests.live.test_operations import live_settings
from tests.served import serving

UVICORN = (sys.executable, "-m", "uvicorn", "app.main:app")
SECRET = "s3cret-in-the-url"


def json_lines(log: Path) -> list[dict[str, object]]:
    lines = log.read_text().splitlines()
    assert lines, "the service wrote nothing"
    return [json.loads(line) for line in lines]  # every line is JSON, uvicorn's too


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
@pytest.mark.parametrize(
    "command", [UVICORN, ("downloads-api", "serve")], ids=["plain-uvicorn", "serve"]
)
def test_query_strings_stay_out_of_the_log_however_the_service_is_started(
    settings: Settings, tmp_path: Path, command: tuple[str, ...]
) -> None:
    log = tmp_path / "service.log"
    if command[0] == "downloads-api":
        command = (str(Path(sys.executable).parent / "downloads-api"), "serve")
    with serving(live_settings(settings), log=log, command=command) as base:
        query = "query Leaky { customerDownloadableProducts { totalCount } }"
        httpx2.get(f"{base}/api/graphql", params={"query": query, "token": SECRET})

    text = log.read_text()
    assert SECRET not in text and "totalCount" not in text
    entries = json_lines(log)
    assert [e["path"] for e in entries if e["logger"] == "uvicorn.access"] == []
    assert any(
        e["logger"] == "downloads_api.access" and e["path"] == "/api/graphql" for e in entries
    )
    assert any(str(e["message"]).startswith("Started server process") for e in entries)


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_text_log_lines_cannot_be_forged(settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    forged = "2030-01-01 00:00:00,000 INFO downloads_api.access: GET /admin - 200 1.0ms"
    with serving(live_settings(settings) | {"LOG_FORMAT": "text"}, log=log) as base:
        httpx2.get(f"{base}/health%0D%0A{forged.replace(' ', '%20')}")
        httpx2.post(
            f"{base}/api/graphql",
            json={"query": "{ __typename }", "operationName": f"Op\r\n{forged}\x00\u2028"},
        )

    lines = log.read_text().splitlines()
    stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [a-z_.]+ \[\d+\] [\w.-]+: ")
    assert all(stamp.match(line) or line.startswith("  ") for line in lines), lines
    assert not any(line.startswith("2030-") for line in lines)
    escaped = [line for line in lines if "\\x0d\\x0a2030-01-01" in line]
    assert len(escaped) == 1, lines  # the path's line
    # Operation names are logged only from documents that validated, and GraphQL names
    # hold no control characters: the client's made-up name is not logged at all.
    assert not any("Op\\x0d" in line or "Op\r" in line for line in lines)


@pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")
def test_start_up_line_names_what_is_served_and_warns_of_missing_settings(
    settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "service.log"
    environment = {"DATABASE_URL": settings.database_url or "", "SOURCE": "magento"}
    with serving(environment | {"INTROSPECTION": "false"}, log=log):
        pass

    entries = json_lines(log)
    start = next(e for e in entries if str(e["message"]).startswith("serving the"))
    database = (settings.database_url or "").removeprefix("mysql://").split("@")[-1]
    assert {k: start[k] for k in ("source", "database", "driver", "replica", "redis")} == {
        "source": "magento",
        "database": database,
        "driver": driver_name(settings.database_url or ""),
        "replica": None,
        "redis": None,
    }
    assert f"(driver: {start['driver']}," in str(start["message"])
    assert (start["introspection"], start["explorer"]) == (False, False)
    warnings = [str(e["message"]) for e in entries if e["level"] == "warning"]
    assert any(w.startswith("PUBLIC_BASE_URL is not set") for w in warnings)
    assert any(w.startswith("MAGENTO_CRYPT_KEY is not set") for w in warnings)


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_configured_settings_draw_no_warning(settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    with serving(
        live_settings(settings) | {"PUBLIC_BASE_URL": "https://shop.example.com"}, log=log
    ):
        pass

    assert [e for e in json_lines(log) if e["level"] == "warning"] == []


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_two_workers_report_one_set_of_counts(settings: Settings, tmp_path: Path) -> None:
    environment = live_settings(settings) | {"TMPDIR": str(tmp_path)}
    with serving(environment, "--workers", "2") as base:
        [shared] = tmp_path.glob("downloads-api-metrics-*")
        for _ in range(40):
            httpx2.get(f"{base}/health")  # a new connection each: either worker may answer
        writers = {path.stem.rsplit("_", 1)[1] for path in shared.glob("*.db")}
        scrapes = [httpx2.get(f"{base}/metrics").text for _ in range(6)]

    assert len(writers) == 2, "both workers answered"
    counted = [
        metric_values(scrape)[
            "downloads_api_requests_total",
            (("operation", ""), ("path", "/health"), ("status", "200")),
        ]
        for scrape in scrapes
    ]
    assert counted == [41] * 6  # serving() waits for one /health itself
    assert not shared.exists(), "serve removes the directory when it stops"


@pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
def test_serve_with_workers_logs_json_from_the_parent_too(
    settings: Settings, tmp_path: Path
) -> None:
    """What the README and docs/deploy.md offer instead of `uvicorn --workers N`."""
    log = tmp_path / "service.log"
    with serving(live_settings(settings), "--workers", "2", log=log):
        pass

    entries = json_lines(log)  # every line JSON
    assert any(str(e["message"]).startswith("Started parent process") for e in entries)
    assert len({e["pid"] for e in entries}) == 3  # the parent and two workers
