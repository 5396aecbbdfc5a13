"""The request pipeline on an in-memory source (tests/fake.py): every error body each
dialect sends, compared with a golden file, and the guard in front of every path. No
database, Redis, browser or Node: the `unit` tier.

After a deliberate change of wording, `UPDATE_GOLDEN=1 pytest tests/unit/test_pipeline.py`
rewrites tests/golden/errors.json; review its diff like code.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from app.db import DatabaseUnavailable
from app.errors import ErrorKind
from app.http.dialects import BAGISTO, BAGISTO_REST, MAGENTO
from app.settings import Settings
from tests import fake, paths
from tests.helpers import app_client

GOLDEN = paths.GOLDEN / "errors.json"
MAGENTO_LIST = "{ customerDownloadableProducts { items { status } } }"
BAGISTO_LIST = "{ customerDownloadableProducts(first: 2) { edges { node { _id } } } }"
REST = "/api/shop/customer-downloadable-products"
KEY = {"X-STOREFRONT-KEY": fake.SHOP_KEY}
SIGNED_IN = {**KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}
LIMITED = {"X-STOREFRONT-KEY": fake.LIMITED_KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}

Send = Callable[[TestClient, dict[str, str]], httpx2.Response]


def graphql(path: str, query: str) -> Send:
    return lambda client, headers: client.post(path, json={"query": query}, headers=headers)


def get(url: str, method: str = "GET") -> Send:
    return lambda client, headers: client.request(method, url, headers=headers)


MAGENTO_PATH = graphql("/graphql", MAGENTO_LIST)
BAGISTO_PATH = graphql("/api/graphql", BAGISTO_LIST)
REST_PATH = get(REST)

# name: (request, headers, what the source does: None, or what it raises once the key is cached)
CASES: dict[str, tuple[Send, dict[str, str], Exception | None]] = {
    "magento/unauthorized": (MAGENTO_PATH, KEY, None),
    "magento/unavailable": (MAGENTO_PATH, SIGNED_IN, fake.UNAVAILABLE),
    "magento/internal": (MAGENTO_PATH, SIGNED_IN, RuntimeError("boom")),
    "magento/key-missing": (MAGENTO_PATH, {}, None),
    "magento/key-invalid": (MAGENTO_PATH, {"X-STOREFRONT-KEY": "pk_nope"}, None),
    "magento/key-rate-limited": (MAGENTO_PATH, LIMITED, None),
    "magento/too-deep": (graphql("/graphql", "{ a { b { c { d { e { f } } } } } }"), KEY, None),
    "magento/invalid-document": (graphql("/graphql", BAGISTO_LIST), SIGNED_IN, None),
    "bagisto/unauthorized": (BAGISTO_PATH, KEY, None),
    "bagisto/not-found": (
        graphql("/api/graphql", '{ customerDownloadableProduct(id: "99") { _id } }'),
        SIGNED_IN,
        None,
    ),
    "bagisto/bad-id": (
        graphql("/api/graphql", '{ customerDownloadableProduct(id: "x") { _id } }'),
        SIGNED_IN,
        None,
    ),
    "bagisto/bad-input": (
        graphql("/api/graphql", "{ customerDownloadableProducts(first: -1) { totalCount } }"),
        SIGNED_IN,
        None,
    ),
    "bagisto/unavailable": (BAGISTO_PATH, SIGNED_IN, fake.UNAVAILABLE),
    "bagisto/internal": (BAGISTO_PATH, SIGNED_IN, RuntimeError("boom")),
    "bagisto/key-missing": (BAGISTO_PATH, {}, None),
    "bagisto/key-invalid": (BAGISTO_PATH, {"X-STOREFRONT-KEY": "pk_nope"}, None),
    "bagisto/key-rate-limited": (BAGISTO_PATH, LIMITED, None),
    "bagisto/unparseable": (graphql("/api/graphql", "{"), KEY, None),
    "rest/unauthorized": (REST_PATH, KEY, None),
    "rest/not-found": (get(f"{REST}/99"), SIGNED_IN, None),
    "rest/bad-id": (get(f"{REST}/x"), SIGNED_IN, None),
    "rest/bad-input": (get(f"{REST}?per_page=0"), SIGNED_IN, None),
    "rest/unavailable": (REST_PATH, SIGNED_IN, fake.UNAVAILABLE),
    "rest/internal": (REST_PATH, SIGNED_IN, RuntimeError("boom")),
    "rest/key-missing": (REST_PATH, {}, None),
    "rest/key-invalid": (REST_PATH, {"X-STOREFRONT-KEY": "pk_nope"}, None),
    "rest/key-rate-limited": (REST_PATH, LIMITED, None),
    "rest/method": (get(REST, "DELETE"), SIGNED_IN, None),
    "rest/no-route": (get(f"{REST}/1/download"), SIGNED_IN, None),
}


def answer(name: str) -> dict[str, Any]:
    send, headers, failure = CASES[name]
    source = fake.FakeSource()
    settings = Settings(public_base_url="https://shop.example.com", max_query_depth=3)
    with app_client(settings, fake=source) as client:
        response = send(client, headers)  # the key is looked up, then cached
        if failure is not None or headers is LIMITED:
            source.failure = failure
            response = send(client, headers)
        if headers is LIMITED:
            response = send(client, headers)
    body = json.loads(json.dumps(response.json()).replace(response.headers["x-request-id"], "<id>"))
    kept = ("retry-after", "allow", "content-type", "cache-control")
    headers = {k: v for k, v in sorted(response.headers.items()) if k in kept}
    if "retry-after" in headers:  # seconds to the next hour: the same only in shape
        assert int(headers["retry-after"]) == body["retry_after"]
        headers["retry-after"] = body["retry_after"] = "<seconds>"
    return {"status": response.status_code, "headers": headers, "body": body}


@pytest.fixture(scope="module")
def golden() -> Iterator[dict[str, Any]]:
    if os.environ.get("UPDATE_GOLDEN"):
        answers = {name: answer(name) for name in CASES}
        GOLDEN.write_text(json.dumps(answers, indent=2, ensure_ascii=False) + "\n")
    yield json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("name", list(CASES))
def test_every_error_reads_as_its_golden_file_says(name: str, golden: dict[str, Any]) -> None:
    assert answer(name) == golden[name]


def test_the_golden_file_covers_every_case_and_nothing_else(golden: dict[str, Any]) -> None:
    assert sorted(golden) == sorted(CASES)


@pytest.mark.parametrize("dialect", [MAGENTO, BAGISTO, BAGISTO_REST], ids=lambda d: d.name)
def test_every_dialect_words_every_kind_of_error(dialect: Any) -> None:
    assert set(dialect.errors) == set(ErrorKind)
    assert set(dialect.keys) == {"missing", "invalid"}


def test_the_status_of_an_answer_is_that_of_its_gravest_error() -> None:
    assert BAGISTO.status([ErrorKind.NOT_FOUND, ErrorKind.UNAVAILABLE]) == 503
    assert BAGISTO.status([ErrorKind.UNAUTHORIZED]) is None  # 200, as API Platform answers
    assert MAGENTO.status([ErrorKind.UNAUTHORIZED]) is None
    magento_249 = MAGENTO.with_status(ErrorKind.UNAUTHORIZED, 403)
    assert magento_249.status([ErrorKind.UNAUTHORIZED]) == 403
    assert magento_249.status([ErrorKind.UNAUTHORIZED, ErrorKind.UNAVAILABLE]) == 503
    assert MAGENTO.errors[ErrorKind.UNAUTHORIZED].status == 200  # the original is untouched
    assert BAGISTO_REST.status([ErrorKind.NOT_FOUND]) == 404


def test_a_source_without_keys_asks_for_none_on_any_path() -> None:
    source = fake.FakeSource(with_keys=False)
    token = {"Authorization": f"Bearer {fake.JANE_TOKEN}"}
    with app_client(fake=source) as client:
        assert MAGENTO_PATH(client, token).json() == {
            "data": {"customerDownloadableProducts": {"items": [{"status": "available"}] * 5}}
        }
        assert BAGISTO_PATH(client, token).status_code == 200
        assert REST_PATH(client, token).status_code == 200


def test_the_key_is_looked_up_once_and_the_database_spared_while_cached() -> None:
    source = fake.FakeSource()
    with app_client(fake=source) as client:
        assert REST_PATH(client, SIGNED_IN).status_code == 200
        source.failure = DatabaseUnavailable("gone")
        # The key is cached, the customer is not: the token lookup finds the database gone.
        assert REST_PATH(client, SIGNED_IN).status_code == 503


def test_only_introspection_passes_without_a_key() -> None:
    with app_client(fake=fake.FakeSource()) as client:
        introspection = graphql("/api/graphql", "{ __schema { queryType { name } } }")
        assert introspection(client, {}).status_code == 200
        assert graphql("/api/graphql", "{ __typename }")(client, {}).status_code == 401


def test_a_literal_too_long_for_int_is_the_clients_error_not_ours(
    caplog: pytest.LogCaptureFixture,
) -> None:
    query = "{ customerDownloadableProducts(first: " + "9" * 5000 + ") { totalCount } }"
    with app_client(fake=fake.FakeSource()) as client:
        response = graphql("/api/graphql", query)(client, SIGNED_IN)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Expected value of type 'Int'")
    # Ariadne's own logger is silenced (app/graphql/endpoint.py): only ours would reach the log.
    assert not [r for r in caplog.records if r.name == "downloads_api" and r.levelname == "ERROR"]


HUGE_CURSOR = base64.b64encode(b"9" * 4400).decode()  # past int()'s 4,300 digits


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            graphql(
                "/api/graphql",
                f'{{ customerDownloadableProducts(after: "{HUGE_CURSOR}") {{ totalCount }} }}',
            ),
            id="graphql-cursor",
        ),
        pytest.param(get(f"{REST}?page={'9' * 4400}"), id="rest-page"),
        pytest.param(get(f"{REST}?per_page={'9' * 4400}"), id="rest-per-page"),
    ],
)
def test_a_number_of_thousands_of_digits_is_refused_in_the_dialects_words(
    send: Send, caplog: pytest.LogCaptureFixture
) -> None:
    with app_client(fake=fake.FakeSource()) as client:
        response = send(client, SIGNED_IN)

    body = response.json()
    if "errors" in body:  # GraphQL: the field is null, the error says which cursor
        assert response.status_code == 200
        assert body["errors"][0]["message"].endswith(" is invalid")
        assert body["errors"][0]["extensions"]["status"] == 400
    else:
        assert response.status_code == 400
        assert body["detail"].startswith("Invalid ")
    assert not [r for r in caplog.records if r.name == "downloads_api" and r.levelname == "ERROR"]
