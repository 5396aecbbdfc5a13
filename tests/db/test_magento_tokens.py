"""Magento customer tokens (docs/behaviour.md §6): opaque `oauth_token` rows and HS256 JWTs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from starlette.testclient import TestClient

from app.sources.magento import MagentoSettings
from app.sources.magento_tokens import jwt_key
from fixtures import magento
from fixtures.magento import magento_jwt
from tests.expected import magento_link_base
from tests.helpers import Api, data_of

pytestmark = pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")

TOTAL = "{ customerDownloadableProducts { items { status } } }"
NOW = datetime.now(UTC)
KEYED = partial(MagentoSettings, crypt_key=magento.CRYPT_KEY)
LATER = NOW + timedelta(hours=1)


def total(api: Api, token: str | None) -> int | None:
    response = api.magento(TOTAL, token=token)
    body = response.json()
    if "errors" in body:
        assert body["errors"][0]["extensions"] == {"category": "graphql-authorization"}
        return None
    return len(data_of(response)["customerDownloadableProducts"]["items"])


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("token", "count"),
    [
        pytest.param(magento.JANE_TOKEN, 12, id="jwt"),
        pytest.param(magento.JOHN_TOKEN, 4, id="jwt-issued-after-revocation"),
        pytest.param(magento.EMMA_TOKEN, 0, id="jwt-customer-without-purchases"),
        pytest.param(magento_jwt(1, issued=NOW, expires=LATER), 12, id="jwt-as-magento-issues-it"),
        pytest.param(magento_jwt(1, issued=NOW, expires=LATER, header={"alg": "HS256"}), 12, id="jwt-without-kid"),
        pytest.param(magento.JANE_OPAQUE_TOKEN, 12, id="opaque"),
    ],
)  # fmt: skip
def test_accepted_token(api: Api, token: str, count: int) -> None:
    assert total(api, token) == count


def forged(header: dict, claims: dict, signature: str = "") -> str:
    return f"{_b64(header)}.{_b64(claims)}.{signature}"


CLAIMS = {"uid": 1, "utypid": 3, "iat": int(NOW.timestamp()), "exp": int(LATER.timestamp())}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(magento.JANE_EXPIRED_TOKEN, id="jwt-expired"),
        pytest.param(magento.JOHN_REVOKED_TOKEN, id="jwt-issued-before-revocation"),
        pytest.param(magento_jwt(2, issued=datetime.fromtimestamp(magento.JOHN_REVOKED_AT, UTC), expires=LATER), id="jwt-issued-at-revocation"),
        pytest.param(magento.ADMIN_TOKEN, id="jwt-admin-user-type"),
        pytest.param(magento_jwt(1, issued=NOW, expires=LATER, user_type=1), id="jwt-integration-user-type"),
        pytest.param(magento_jwt(1, issued=NOW, expires=LATER, crypt_key="another deployment"), id="jwt-wrong-signature"),
        pytest.param(forged({"alg": "none"}, CLAIMS), id="jwt-alg-none"),
        pytest.param(forged({"alg": "none", "kid": "1"}, CLAIMS, "x"), id="jwt-alg-none-with-signature"),
        pytest.param(magento.JANE_TOKEN.rsplit(".", 1)[0] + ".AAAA", id="jwt-bad-signature"),
        pytest.param(forged({"alg": "HS256"}, CLAIMS) + "garbage", id="jwt-forged-unsigned"),
        pytest.param(magento_jwt(1, issued=NOW, expires=LATER, header={"alg": "HS512"}), id="jwt-other-algorithm"),
        pytest.param("a.b.c", id="jwt-shaped-garbage"),
        pytest.param(magento.JANE_OPAQUE_TOKEN.upper(), id="opaque-other-case"),
        pytest.param(magento.JANE_OLD_OPAQUE_TOKEN, id="opaque-older-than-its-lifetime"),
        pytest.param(magento.JANE_REVOKED_OPAQUE_TOKEN, id="opaque-revoked"),
        pytest.param(magento.ADMIN_OPAQUE_TOKEN, id="opaque-admin"),
        pytest.param("hoyz7k697ubv5hcpq92yrtx39i7x10um", id="opaque-unknown"),
        pytest.param(None, id="no-token"),
    ],
)  # fmt: skip
def test_refused_token(api: Api, token: str | None) -> None:
    assert total(api, token) is None


def test_jwt_with_a_tampered_payload_is_refused(api: Api) -> None:
    header, _, signature = magento.JANE_TOKEN.split(".")
    tampered = f"{header}.{_b64(CLAIMS | {'uid': 2})}.{signature}"

    assert total(api, tampered) is None


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({k: v for k, v in CLAIMS.items() if k != "uid"}, id="no-uid"),
        pytest.param({k: v for k, v in CLAIMS.items() if k != "iat"}, id="no-iat"),
        # A token that never expires: Magento always sets exp, a forger would not.
        pytest.param({k: v for k, v in CLAIMS.items() if k != "exp"}, id="no-exp"),
        pytest.param({k: v for k, v in CLAIMS.items() if k != "utypid"}, id="no-user-type"),
        pytest.param(CLAIMS | {"uid": "1"}, id="uid-as-text"),
        pytest.param(CLAIMS | {"utypid": "3"}, id="user-type-as-text"),
        pytest.param(CLAIMS | {"uid": 0}, id="uid-zero"),
    ],
)
def test_jwt_with_malformed_claims_is_refused(api: Api, claims: dict) -> None:
    import hashlib
    import hmac

    head = _b64({"kid": "1", "alg": "HS256"})
    body = _b64(claims)
    signature = hmac.new(jwt_key(magento.CRYPT_KEY), f"{head}.{body}".encode(), hashlib.sha256)
    token = f"{head}.{body}." + base64.urlsafe_b64encode(signature.digest()).rstrip(b"=").decode()

    assert total(api, token) is None


def test_only_the_last_of_rotated_crypt_keys_signs(make_client: Callable[..., TestClient]) -> None:
    api = Api(
        make_client(source_settings=MagentoSettings(f"retired-key {magento.CRYPT_KEY}")), magento
    )
    old = magento_jwt(1, issued=NOW, expires=LATER, crypt_key="retired-key")

    assert total(api, magento.JANE_TOKEN) == 12
    assert total(api, old) is None


def test_without_a_crypt_key_jwts_are_refused_and_opaque_tokens_work(
    make_client: Callable[..., TestClient],
) -> None:
    api = Api(make_client(source_settings=MagentoSettings(crypt_key=None)), magento)

    assert total(api, magento.JANE_TOKEN) is None
    assert total(api, magento.JANE_OPAQUE_TOKEN) == 12


def test_opaque_token_lifetime_is_configurable(make_client: Callable[..., TestClient]) -> None:
    forever = Api(make_client(source_settings=KEYED(token_lifetime_hours=0)), magento)
    long = Api(make_client(source_settings=KEYED(token_lifetime_hours=24 * 365 * 10)), magento)

    assert total(forever, magento.JANE_OLD_OPAQUE_TOKEN) == 12
    assert total(long, magento.JANE_OLD_OPAQUE_TOKEN) == 12


def test_bagisto_paths_need_no_storefront_key_on_magento(api: Api) -> None:
    response = api.bagisto("{ customerDownloadableProducts { totalCount } }", key=None)

    assert data_of(response) == {"customerDownloadableProducts": {"totalCount": 12}}


@pytest.mark.parametrize("purchase_id", sorted(magento.HIDDEN_ITEMS))
def test_purchases_magento_never_lists_are_not_found(api: Api, purchase_id: int) -> None:
    response = api.bagisto(f'{{ customerDownloadableProduct(id: "{purchase_id}") {{ _id }} }}')

    assert response.json()["errors"][0]["extensions"] == {"status": 404}
    refetched = api.bagisto(
        f'{{ node(id: "/api/shop/customer-downloadable-products/{purchase_id}") {{ id }} }}'
    )
    assert data_of(refetched) == {"node": None}


def test_download_url_is_magentos_link_route_with_the_encoded_hash(api: Api) -> None:
    magento_item = data_of(
        api.magento(TOTAL.replace("status", "download_url"), token=magento.JANE_TOKEN)
    )
    bagisto_item = data_of(api.bagisto('{ customerDownloadableProduct(id: "10") { downloadUrl } }'))

    expected = f"{magento_link_base()}/downloadable/download/link/id/MC4wMDAwMDAxMDAwIDE3NTEwMDAwMTAyMDkxMA%2C%2C/"
    # Purchase 10 is Jane's eighth, oldest first.
    assert magento_item["customerDownloadableProducts"]["items"][7] == {"download_url": expected}
    assert bagisto_item["customerDownloadableProduct"] == {"downloadUrl": expected}
