"""Magento's customer tokens, checked as Magento checks them: opaque `oauth_token` rows
(revoked, an admin's or past `MAGENTO_TOKEN_LIFETIME_HOURS`: refused) and HS256 JWTs signed
with the deployment's `crypt/key`, revoked through `jwt_auth_revoked` (docs/platforms.md §2).
Each refusal says why in the request log (`refuse`)."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import jwt
import sqlalchemy as sa

from app.db import Row
from app.errors import refuse
from app.sources.common import as_utc
from app.sources.tokens import FACT, TokenCheck, TokenStatement

oauth_tokens = sa.table(
    "oauth_token",
    sa.column("token", sa.String),
    sa.column("customer_id", sa.Integer),
    sa.column("user_type", sa.Integer),
    sa.column("revoked", sa.Integer),
    sa.column("created_at", sa.DateTime),
)

revocations = sa.table(
    "jwt_auth_revoked",
    sa.column("user_type_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("revoke_before", sa.BigInteger),
)

CUSTOMER_USER_TYPE = 3  # Magento\Authorization\Model\UserContextInterface::USER_TYPE_CUSTOMER


def jwt_key(crypt_key: str) -> bytes:
    """The HS256 key Magento signs customer JWTs with: the last key of `crypt/key`, used as
    written and padded with `&` on both sides to 2048 bytes (SecretBasedJwksFactory)."""
    key = re.split(r"\s+", crypt_key.strip())[-1].encode()
    missing = max(0, 2048 - len(key))
    return b"&" * (missing // 2) + key + b"&" * (missing - missing // 2)


def token_check(token: str, *, lifetime: timedelta, key: bytes | None) -> TokenCheck | None:
    """The token's check, or None when it is refused before any statement (the reason
    logged): a JWT's signature and claims are checked here, its revocation by SQL."""
    if token.count(".") == 2:
        return _jwt_check(token, key)
    return TokenCheck(OPAQUE_TOKEN, {"token": token}, partial(_opaque_verdict, token, lifetime))


def _opaque_verdict(token: str, lifetime: timedelta, facts: Row | None) -> int | None:
    # The column's collation may ignore case; the token must match exactly.
    if facts is None or not hmac.compare_digest(
        str(facts[f"{FACT}token"]).encode(), token.encode()
    ):
        refuse("token_unknown")
        return None
    if facts[f"{FACT}revoked"]:
        refuse("token_revoked")
        return None
    customer_id = facts[f"{FACT}customer_id"]
    if facts[f"{FACT}user_type"] != CUSTOMER_USER_TYPE or customer_id is None:
        refuse("token_not_customer")  # an admin's or an integration's
        return None
    if lifetime and as_utc(facts[f"{FACT}created_at"]) + lifetime <= datetime.now(UTC):
        refuse("token_expired")
        return None
    return int(customer_id)


def _jwt_check(token: str, key: bytes | None) -> TokenCheck | None:
    if key is None:
        refuse("jwt_without_crypt_key")
        return None
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],  # never `none`, never what the header asks for
            options={"require": ["uid", "utypid", "iat", "exp"], "verify_iat": False},
        )
    except jwt.ExpiredSignatureError:
        refuse("token_expired")
        return None
    except jwt.PyJWTError:
        refuse("token_invalid")
        return None
    uid, user_type, issued = claims["uid"], claims["utypid"], claims["iat"]
    if user_type != CUSTOMER_USER_TYPE:
        refuse("token_not_customer")  # an admin's or an integration's
        return None
    if not _positive_int(uid) or not _number(issued):
        refuse("token_invalid")
        return None
    return TokenCheck(REVOCATION, {"uid": uid}, partial(_jwt_verdict, uid, issued))


def _jwt_verdict(uid: int, issued: float, facts: Row | None) -> int | None:
    # Magento's RevokedValidator: a token issued at or before revoke_before is revoked.
    if facts is not None and issued <= facts[f"{FACT}revoke_before"]:
        refuse("token_revoked")
        return None
    return uid


# Any row: the log tells a revoked or an admin's token from an unknown one. Rows are read
# only for a customer's token that is not revoked; the verdict decides on the rest.
OPAQUE_TOKEN = TokenStatement(
    facts=sa.select(
        oauth_tokens.c.token.label(f"{FACT}token"),
        oauth_tokens.c.customer_id.label(f"{FACT}customer_id"),
        oauth_tokens.c.created_at.label(f"{FACT}created_at"),
        oauth_tokens.c.revoked.label(f"{FACT}revoked"),
        oauth_tokens.c.user_type.label(f"{FACT}user_type"),
    ).where(oauth_tokens.c.token == sa.bindparam("token")),
    customer=sa.select(oauth_tokens.c.customer_id)
    .where(
        oauth_tokens.c.token == sa.bindparam("token"),
        oauth_tokens.c.user_type == CUSTOMER_USER_TYPE,
        oauth_tokens.c.revoked == 0,
    )
    .limit(1)
    .scalar_subquery(),
    present=f"{FACT}token",
)
# A signed JWT names its customer; the database says only whether it was revoked since.
REVOCATION = TokenStatement(
    facts=sa.select(revocations.c.revoke_before.label(f"{FACT}revoke_before")).where(
        revocations.c.user_type_id == CUSTOMER_USER_TYPE,
        revocations.c.user_id == sa.bindparam("uid"),
    ),
    customer=sa.bindparam("uid"),
    present=f"{FACT}revoke_before",
)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
