"""The access line says why a credential was refused, with a code and never the credential;
the answer itself is the same as without the log (other tests pin the answers)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest

from app.sources.magento import MagentoSettings
from fixtures import bagisto, magento
from tests.helpers import AccessLog, Api

TOTAL = "{ customerDownloadableProducts { totalCount } }"
MAGENTO_ITEMS = "{ customerDownloadableProducts { items { date } } }"


BAGISTO = pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session")
MAGENTO = pytest.mark.parametrize("source", ["magento"], indirect=True, scope="session")


@BAGISTO
@pytest.mark.parametrize(
    ("token", "key", "reason"),
    [
        (bagisto.JANE_TOKEN, bagisto.SHOP_KEY, None),
        (bagisto.JANE_TOKEN, None, "key_missing"),
        (bagisto.JANE_TOKEN, bagisto.INACTIVE_KEY, "key_inactive"),
        (bagisto.JANE_TOKEN, bagisto.DELETED_KEY, "key_unknown"),
        (bagisto.JANE_TOKEN, bagisto.ADMIN_KEY, "key_unknown"),
        (bagisto.JANE_TOKEN, "no-such-key", "key_unknown"),
        (bagisto.JANE_TOKEN, bagisto.EXPIRED_KEY, "key_expired"),
        (bagisto.JANE_TOKEN, bagisto.OFFICE_KEY, "key_ip_not_allowed"),
        (None, bagisto.SHOP_KEY, "token_missing"),
        ("12x|secret", bagisto.SHOP_KEY, "token_malformed"),
        ("999|secret", bagisto.SHOP_KEY, "token_unknown"),
        (bagisto.ADMIN_TOKEN, bagisto.SHOP_KEY, "token_not_customer"),
        (bagisto.JANE_EXPIRED_TOKEN, bagisto.SHOP_KEY, "token_expired"),
        (bagisto.SAM_TOKEN, bagisto.SHOP_KEY, "customer_suspended"),
    ],
)
@pytest.mark.parametrize("path", ["graphql", "rest"])
def test_bagisto_refusals_are_logged_with_their_reason(
    api: Api, access: AccessLog, token: str | None, key: str | None, reason: str | None, path: str
) -> None:
    if path == "graphql":
        api.bagisto(TOTAL, token=token, key=key)
    else:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers |= {"X-STOREFRONT-KEY": key} if key else {}
        api.client.get("/api/shop/customer-downloadable-products", headers=headers)

    entry = access.last()
    assert entry["reason"] == reason
    line = str(entry["line"])
    assert line.endswith(f" {reason}") if reason else line.endswith("ms")
    for secret in (token, key):
        if secret:
            assert secret.rpartition("|")[2] not in line


@BAGISTO
def test_a_rate_limited_key_is_logged_as_such(
    own_api: Callable[..., Api], access: AccessLog
) -> None:
    api = own_api()  # its own rate-limit counts
    reasons = []
    for _ in range(4):  # the key allows 3 an hour
        api.bagisto(TOTAL, key=bagisto.LIMITED_KEY)
        reasons.append(access.last()["reason"])
    assert reasons == [None, None, None, "key_rate_limited"]


@MAGENTO
@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (magento.JANE_TOKEN, None),
        (None, "token_missing"),
        (magento.JANE_EXPIRED_TOKEN, "token_expired"),
        (magento.JOHN_REVOKED_TOKEN, "token_revoked"),
        (magento.ADMIN_TOKEN, "token_not_customer"),
        (magento.JANE_TOKEN[:-4] + "AAAA", "token_invalid"),
        (magento.JANE_OLD_OPAQUE_TOKEN, "token_expired"),
        ("nosuchopaquetoken000000000000000", "token_unknown"),
        (magento.JANE_REVOKED_OPAQUE_TOKEN, "token_revoked"),
        (magento.ADMIN_OPAQUE_TOKEN, "token_not_customer"),
    ],
)
def test_magento_refusals_are_logged_with_their_reason(
    api: Api, demo: ModuleType, access: AccessLog, token: str | None, reason: str | None
) -> None:
    api.magento(MAGENTO_ITEMS, token=token)

    assert access.last()["reason"] == reason


@MAGENTO
def test_a_jwt_without_the_crypt_key_is_logged_as_such(
    own_api: Callable[..., Api], access: AccessLog
) -> None:
    own_api(source_settings=MagentoSettings(crypt_key=None)).magento(
        MAGENTO_ITEMS, token=magento.JANE_TOKEN
    )

    assert access.last()["reason"] == "jwt_without_crypt_key"
