"""Who is asking: the bearer token and the client address of a request."""

from __future__ import annotations

from starlette.requests import Request

from app.reasons import refuse
from app.sources import Source

# Longer than any token either platform issues (a Magento JWT is a few hundred bytes).
MAX_TOKEN_LENGTH = 4096


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def client_ip(request: Request) -> str | None:
    # uvicorn's proxy-headers support has already applied X-Forwarded-For from trusted proxies.
    return request.client.host if request.client else None


def public_base_url(request: Request, configured: str | None) -> str:
    """What download URLs are built on: PUBLIC_BASE_URL, else the request's own base."""
    return configured or str(request.base_url).rstrip("/")


async def authenticate(request: Request, source: Source) -> int | None:
    """The id of the customer whose token came with the request, or None."""
    token = bearer_token(request)
    if token is None:
        refuse("token_missing")
        return None
    return await source.customer_for_token(token)
