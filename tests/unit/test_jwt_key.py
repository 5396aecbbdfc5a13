"""Magento's JWT signing key, derived as SecretBasedJwksFactory derives it."""

from __future__ import annotations

from app.sources.magento_tokens import jwt_key
from fixtures import magento


def test_jwt_key_is_the_last_crypt_key_padded_with_ampersands_to_2048_bytes() -> None:
    assert jwt_key("abc") == b"&" * 1022 + b"abc" + b"&" * 1023
    assert jwt_key("old-key\n  new-key ") == jwt_key("new-key")
    assert jwt_key("k" * 3000) == b"k" * 3000
    assert jwt_key(magento.CRYPT_KEY) == magento.signing_key(magento.CRYPT_KEY)
