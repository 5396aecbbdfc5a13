"""Real storefronts' documents, unchanged, sent as their clients send them (tests/clients/,
docs/platforms.md §3) to the test database, on both sources. Each runs on its own path with
no `errors`, and fails validation on the other. tests/unit/test_clients_on_the_demo.py
sends them to the embedded demo."""

from __future__ import annotations

from types import ModuleType

import pytest
from starlette.testclient import TestClient

from tests.helpers import data_of
from tests.storefronts import (
    BY_NAME,
    JANE,
    OTHER_PATH,
    check_answer,
    check_page_20_at_50,
    edges_ids,
    jump,
    send,
)


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_runs_unchanged_on_its_path(
    client: TestClient, demo: ModuleType, source: str, name: str
) -> None:
    response = send(client, BY_NAME[name], demo.JANE_TOKEN)

    check_answer(name, data_of(response), source)


@pytest.mark.parametrize("name", BY_NAME)
def test_each_client_document_fails_validation_on_the_other_path(
    client: TestClient, demo: ModuleType, name: str
) -> None:
    own = BY_NAME[name]
    # With the storefront key /api/graphql asks for, so that validation is what refuses it.
    headers = {**own["headers"], "X-STOREFRONT-KEY": "{storefrontKey}"}

    response = send(
        client, dict(own, headers=headers), demo.JANE_TOKEN, path=OTHER_PATH[own["path"]]
    )

    assert response.status_code == 400
    assert response.json()["errors"]
    assert response.json().get("data") is None


def test_nextjs_page_jump_reaches_page_20_at_50_a_page(
    client: TestClient, demo: ModuleType
) -> None:
    check_page_20_at_50(*jump(client, demo.LENA_TOKEN, page=20, limit=50))


def test_mobile_app_pages_on_with_after(client: TestClient, demo: ModuleType) -> None:
    mobile = BY_NAME["mobile-app"]
    first = data_of(send(client, mobile, demo.JANE_TOKEN))
    cursor = first["customerDownloadableProducts"]["pageInfo"]["endCursor"]

    second = data_of(
        send(client, mobile, demo.JANE_TOKEN, variables={"first": 10, "after": cursor})
    )

    assert edges_ids(first) + edges_ids(second) == JANE[::-1]


@pytest.mark.parametrize("name", ["scandipwa", "pwa-studio"])
def test_signed_out_magento_clients_get_magentos_authorization_error(
    client: TestClient, name: str
) -> None:
    # Both send `Authorization: ''` when nobody is signed in.
    own = dict(BY_NAME[name], headers={**BY_NAME[name]["headers"], "Authorization": ""})

    response = send(client, own, "")

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"] == {"category": "graphql-authorization"}
    assert response.json()["data"] == {"customerDownloadableProducts": None}
