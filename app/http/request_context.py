"""Who is asking: what a request says of its sender (token, address, store), read off HTTP."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

from app.context import RequestContext
from app.db import DatabaseUnavailable
from app.errors import ApiError
from app.settings import Settings
from app.sources import Source

# Longer than any token either platform issues (a Magento JWT is a few hundred bytes).
MAX_TOKEN_LENGTH = 4096
# Magento's store scope (docs/behaviour.md §9): PWA Studio's header, ScandiPWA's path and currency.
STORE_HEADER = "Store"
STORE_CODE = "store_code"  # the path parameter of /{store_code}/graphql
CURRENCY_HEADER = "Content-Currency"


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def client_ip(request: Request) -> str | None:
    # uvicorn's proxy-headers support has already applied X-Forwarded-For from trusted proxies.
    return request.client.host if request.client else None


def client_network(request: Request) -> str:
    """The client's address, as rate limits count it: an IPv6 client by its /64, the
    block one subscriber is usually given (and a single host can hop through)."""
    host = client_ip(request) or "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return host


async def caller(request: Request, context: RequestContext) -> str:
    """Whose allowance under a storefront key a request spends (docs/behaviour.md §6): that of the
    customer its token names, else that of its address. A bad token counts as none, so
    anonymous traffic can never spend a signed-in customer's allowance."""
    if context.token is not None:
        try:
            return customer_caller(await context.customer_id())
        except ApiError:
            pass  # refused later, where the customer is asked for, in the dialect's words
    return address_caller(request)


def customer_caller(customer_id: int) -> str:
    """The allowance of a signed-in customer, wherever they send from."""
    return f"customer:{customer_id}"


def address_caller(request: Request) -> str:
    """The allowance of the request's address (its network, for IPv6)."""
    return f"address:{client_network(request)}"


def public_base_url(request: Request, configured: str | None) -> str:
    """What download URLs are built on: PUBLIC_BASE_URL, else the request's own base."""
    return configured or str(request.base_url).rstrip("/")


async def download_base(request: Request, source: Source, settings: Settings) -> str:
    """What download paths are appended to: on a source with store views, the current
    store's link base (docs/behaviour.md §9), after Magento's checks of the `Store` and
    `Content-Currency` headers (ApiError); else PUBLIC_BASE_URL or the request's base."""
    base_url = public_base_url(request, settings.public_base_url)
    if source.stores is None:
        return base_url
    stores = await source.stores.stores()
    store = stores.current(request.headers.get(STORE_HEADER), request.path_params.get(STORE_CODE))
    store.check_currency(request.headers.get(CURRENCY_HEADER))
    return store.links_on(base_url)


async def request_context(request: Request, source: Source, settings: Settings) -> RequestContext:
    """The request's context; raises ApiError when its store or currency is refused."""
    try:
        base_url, unavailable = await download_base(request, source, settings), None
    except DatabaseUnavailable as error:
        # The store views were never read: the database is down. The request goes on and
        # fails where it first needs the customer, as any other (introspection answers).
        base_url, unavailable = "", error
    return RequestContext(
        source=source,
        settings=settings,
        base_url=base_url,
        token=bearer_token(request),
        unavailable=unavailable,
    )
