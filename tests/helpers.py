"""Helpers the tests share."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from enum import Enum
from types import ModuleType
from typing import Any, Literal

import httpx2
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from app.application import create_app
from app.settings import Settings
from app.sources import Source
from fixtures import bagisto
from tests import expected


def app_client(
    settings: Settings | None = None,
    *,
    fake: Source | None = None,
    client_ip: str = "127.0.0.1",
    headers: dict[str, str] | None = None,
    **changes: Any,
) -> TestClient:
    """The one way a test builds the service: on `settings` (the defaults when None) with
    `changes` made, reading `fake` (an in-memory source, tests/fake.py) when given, else the
    settings' database (the embedded demo when they name none). Requests come from
    `client_ip` and carry `headers`. Not started: use it in a `with`, or enter it."""
    settings = Settings(**changes) if settings is None else replace(settings, **changes)
    app = create_app(settings, source=fake)
    return TestClient(app, client=(client_ip, 50000), headers=headers)


def store_headers(source: str) -> dict[str, str]:
    """The `Store` header of TEST_MAGENTO_STORE (tests/expected.py), on the Magento source."""
    store = expected.MAGENTO_STORE
    return {"Store": store} if store and source == "magento" else {}


class Default(Enum):
    DEFAULT = "default"


DEFAULT: Literal[Default.DEFAULT] = Default.DEFAULT


class Api:
    """Sends GraphQL the way each platform's clients do, as Jane unless told otherwise."""

    def __init__(self, client: TestClient, demo: ModuleType = bagisto) -> None:
        self.client = client
        self.demo = demo

    def bagisto(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | Default | None = DEFAULT,
        key: str | Default | None = DEFAULT,
        **body: Any,
    ) -> httpx2.Response:
        if token is DEFAULT:
            token = self.demo.JANE_TOKEN
        if key is DEFAULT:
            key = getattr(self.demo, "SHOP_KEY", None)  # sources without keys ignore it
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["X-STOREFRONT-KEY"] = key
        return self.client.post(
            "/api/graphql", json={"query": query, "variables": variables, **body}, headers=headers
        )

    def magento(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        key: str | Default | None = DEFAULT,
    ) -> httpx2.Response:
        """As Magento's PWA sends it: no token unless given; the storefront key only when
        the source has keys (every path asks for it then, docs/behaviour.md §6)."""
        if key is DEFAULT:
            key = getattr(self.demo, "SHOP_KEY", None)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        if key is not None:
            headers["X-STOREFRONT-KEY"] = key
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )


def storefront_headers(demo: ModuleType, token: str | None = None) -> dict[str, str]:
    """What a storefront sends: the customer's token when given, and the storefront key
    when the source has keys (every path asks for it then, docs/behaviour.md §6)."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    key = getattr(demo, "SHOP_KEY", None)
    if key is not None:
        headers["X-STOREFRONT-KEY"] = key
    return headers


def data_of(response: httpx2.Response) -> dict[str, Any]:
    """The `data` of a successful GraphQL response."""
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]


def graphql_handler(client: TestClient, path: str) -> Any:
    """The app's GraphQL HTTP handler at `path` (app/graphql/endpoint.py's DialectHTTPHandler)."""
    route = next(r for r in client.app.routes if getattr(r, "path", None) == path)  # type: ignore[attr-defined]
    return route.endpoint.http_handler


def starlette_bytes(content: Any) -> bytes:
    """What Starlette's own JSONResponse renders."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """/metrics' samples by name and labels."""
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return values


class AccessLog(logging.Handler):
    """The access lines logged while it is attached (the `access` fixture): each line's
    fields, and its text under "line"."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append({**getattr(record, "fields", {}), "line": record.getMessage()})

    def last(self) -> dict[str, Any]:
        return self.entries[-1]
