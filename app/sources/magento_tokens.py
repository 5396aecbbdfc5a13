"""Magento's customer tokens, checked as Magento checks them: opaque `oauth_token` rows
(revoked, an admin's or past `MAGENTO_TOKEN_LIFETIME_HOURS`: refused) and HS256 JWTs signed
with the deployment's `crypt/key`, revoked through `jwt_auth_revoked` (docs/platforms.md §2).
Each refusal says why in the request log (`refuse`)."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import sqlalchemy as sa

from app.db import Database, Prepared
from app.errors import refuse
from app.sources.common import as_utc

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


async def customer_for_token(
    database: Database, token: str, *, lifetime: timedelta, key: bytes | None
) -> int | None:
    """The customer the token belongs to, or None (and the reason, for the log)."""
    if token.count(".") == 2:
        return await _customer_for_jwt(database, token, key)
    return await _customer_for_opaque_token(database, token, lifetime)


async def _customer_for_opaque_token(
    database: Database, token: str, lifetime: timedelta
) -> int | None:
    row = await database.fetch_one(OPAQUE_TOKEN, token=token)
    # The column's collation may ignore case; the token must match exactly.
    if row is None or not hmac.compare_digest(str(row["token"]).encode(), token.encode()):
        refuse("token_unknown")
        return None
    if row["revoked"]:
        refuse("token_revoked")
        return None
    if row["user_type"] != CUSTOMER_USER_TYPE or row["customer_id"] is None:
        refuse("token_not_customer")  # an admin's or an integration's
        return None
    if lifetime and as_utc(row["created_at"]) + lifetime <= datetime.now(UTC):
        refuse("token_expired")
        return None
    return int(row["customer_id"])


async def _customer_for_jwt(database: Database, token: str, key: bytes | None) -> int | None:
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
    revoke_before = await database.fetch_value(REVOKED_BEFORE, uid=uid)
    # Magento's RevokedValidator: a token issued at or before revoke_before is revoked.
    if revoke_before is not None and issued <= revoke_before:
        refuse("token_revoked")
        return None
    return int(uid)


# Any row: the log tells a revoked or an admin's token from an unknown one.
OPAQUE_TOKEN = Prepared(
    sa.select(
        oauth_tokens.c.token,
        oauth_tokens.c.customer_id,
        oauth_tokens.c.created_at,
        oauth_tokens.c.revoked,
        oauth_tokens.c.user_type,
    ).where(oauth_tokens.c.token == sa.bindparam("token"))
)
REVOKED_BEFORE = Prepared(
    sa.select(revocations.c.revoke_before).where(
        revocations.c.user_type_id == CUSTOMER_USER_TYPE,
        revocations.c.user_id == sa.bindparam("uid"),
    )
)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
