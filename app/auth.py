"""Who is asking: what a request says of its sender (token, address), read off HTTP."""

from __future__ import annotations

from starlette.requests import Request

from app.context import RequestContext
from app.settings import Settings
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


def request_context(request: Request, source: Source, settings: Settings) -> RequestContext:
    return RequestContext(
        source=source,
        settings=settings,
        base_url=public_base_url(request, settings.public_base_url),
        token=bearer_token(request),
    )
