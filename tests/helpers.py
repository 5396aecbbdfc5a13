"""Helpers the tests share."""

from __future__ import annotations

from typing import Any

import httpx2
from starlette.testclient import TestClient

from fixtures import bagisto


class Api:
    """Sends GraphQL the way each platform's clients do."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def bagisto(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = bagisto.JANE_TOKEN,
        key: str | None = bagisto.SHOP_KEY,
        **body: Any,
    ) -> httpx2.Response:
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["X-STOREFRONT-KEY"] = key
        return self.client.post(
            "/api/graphql", json={"query": query, "variables": variables, **body}, headers=headers
        )

    def magento(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx2.Response:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )


def data_of(response: httpx2.Response) -> dict[str, Any]:
    """The `data` of a successful GraphQL response."""
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]
