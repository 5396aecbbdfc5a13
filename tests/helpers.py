"""Helpers the tests share."""

from __future__ import annotations

import logging
from enum import Enum
from types import ModuleType
from typing import Any, Literal

import httpx2
from starlette.testclient import TestClient

from fixtures import bagisto


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
    return route.endpoint.__self__.http_handler


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
