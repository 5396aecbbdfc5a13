"""Bagisto's customer tokens, checked as Laravel Sanctum checks them (docs/platforms.md
§1.3): "{id}|{secret}" or a bare secret, its row in `personal_access_tokens`, its customer
in `customers`. Each refusal says why in the request log (`refuse`)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from functools import partial

import sqlalchemy as sa

from app.db import Row
from app.errors import refuse
from app.notation import whole_number
from app.sources.common import as_utc
from app.sources.tokens import FACT, TokenCheck, TokenStatement

customers = sa.table(
    "customers",
    sa.column("id", sa.Integer),
    sa.column("is_suspended", sa.Integer),
)

access_tokens = sa.table(
    "personal_access_tokens",
    sa.column("id", sa.BigInteger),
    sa.column("tokenable_type", sa.String),
    sa.column("tokenable_id", sa.BigInteger),
    sa.column("token", sa.String),
    sa.column("expires_at", sa.DateTime),
)

MAX_ID = 2**63 - 1  # larger ids cannot exist, and some drivers cannot even bind them


def _token_statement(by: str) -> TokenStatement:
    """Sanctum 4: "{id}|{secret}" finds the row by id and compares sha256(secret); a token
    without "|" is looked up by the sha256 of the whole string. The token's customer is
    joined only when the token belongs to the customer model, so an admin's token is found
    (and refused as such) but never joined to the customer who shares its number."""
    column = access_tokens.c.id if by == "id" else access_tokens.c.token
    is_customer = access_tokens.c.tokenable_type == sa.bindparam("model")
    facts = (
        sa.select(
            customers.c.id.label(f"{FACT}id"),
            customers.c.is_suspended.label(f"{FACT}is_suspended"),
            access_tokens.c.token.label(f"{FACT}token"),
            access_tokens.c.expires_at.label(f"{FACT}expires_at"),
            is_customer.label(f"{FACT}is_customer"),
        )
        .select_from(
            access_tokens.outerjoin(
                customers, sa.and_(customers.c.id == access_tokens.c.tokenable_id, is_customer)
            )
        )
        .where(column == sa.bindparam(by))
    )
    # Rows are read only for a customer's token whose secret matches; the verdict decides
    # on the rest (expiry, suspension) and on the secret's exact case.
    customer = (
        sa.select(access_tokens.c.tokenable_id)
        .where(
            column == sa.bindparam(by),
            access_tokens.c.token == sa.bindparam("secret_hash"),
            is_customer,
        )
        .limit(1)
        .scalar_subquery()
    )
    return TokenStatement(facts=facts, customer=customer, present=f"{FACT}token")


TOKEN_BY_ID = _token_statement("id")
TOKEN_BY_HASH = _token_statement("token")


def token_check(token: str, *, model: str) -> TokenCheck | None:
    """The token's check, or None when it cannot be a Sanctum token (the reason logged).
    `model`: the `tokenable_type` of customers' tokens."""
    parts = sanctum_token(token)
    if parts is None:
        refuse("token_malformed")
        return None
    token_id, secret = parts
    digest = _sha256(secret)
    values: dict[str, object] = {"model": model, "secret_hash": digest}
    if token_id is None:
        return TokenCheck(TOKEN_BY_HASH, values | {"token": digest}, partial(_verdict, digest))
    return TokenCheck(TOKEN_BY_ID, values | {"id": token_id}, partial(_verdict, digest))


def _verdict(digest: str, facts: Row | None) -> int | None:
    """The customer of a Sanctum token whose secret hashes to `digest`, from its row."""
    if facts is None or not hmac.compare_digest(str(facts[f"{FACT}token"]), digest):
        refuse("token_unknown")
        return None
    if not facts[f"{FACT}is_customer"]:
        refuse("token_not_customer")  # an admin's
        return None
    if facts[f"{FACT}id"] is None:
        refuse("token_unknown")  # its customer is gone
        return None
    expires_at = facts[f"{FACT}expires_at"]
    if expires_at is not None and as_utc(expires_at) <= datetime.now(UTC):
        refuse("token_expired")
        return None
    if facts[f"{FACT}is_suspended"]:
        refuse("customer_suspended")
        return None
    return int(facts[f"{FACT}id"])


def sanctum_token(token: str) -> tuple[int | None, str] | None:
    """Sanctum's "{id}|{secret}" as (id, secret), a token without "|" as (None, token); None
    when the id cannot be a row's or the secret is empty."""
    token_id, bar, secret = token.partition("|")
    if not bar:
        return None, token
    number = whole_number(token_id, MAX_ID)
    if number is None or not secret:
        return None
    return number, secret


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
