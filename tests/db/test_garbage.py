"""A request leaves nothing for the cyclic garbage collector: what it made goes when it
ends, by reference counting. A reference cycle anywhere in a request's objects (a closure
that calls itself, an object holding its own method) keeps the whole request, its rows and
its answer, until a full collection; under load that was 15 MB a worker held on to, and
the full collections' CPU on top."""

from __future__ import annotations

import asyncio
import gc
from collections import Counter
from collections.abc import Iterator
from types import ModuleType

import httpx2
import pytest

from app.application import create_app
from app.settings import Settings
from tests.helpers import store_headers, storefront_headers

LIST = "{ customerDownloadableProducts(first: 2) { edges { cursor node { _id status order { _id } } } pageInfo { hasNextPage } totalCount } }"
ITEM = '{ customerDownloadableProduct(id: "/api/shop/customer-downloadable-products/1") { _id } }'
ITEMS = (
    "{ customerDownloadableProducts { items { title status download_url remaining_downloads } } }"
)


def requests(demo: ModuleType, source: str) -> list[tuple[str, str, dict[str, str], str | None]]:
    """(method, path, headers, GraphQL document) of what storefronts send, a refusal among
    them; a request that answers an error is as bound to leave nothing as one that does not."""
    signed_in = storefront_headers(demo, demo.JANE_TOKEN) | store_headers(source)
    anonymous = storefront_headers(demo) | store_headers(source)
    return [
        ("POST", "/api/graphql", signed_in, LIST),
        ("POST", "/api/graphql", signed_in, ITEM),
        ("POST", "/api/graphql", anonymous, LIST),
        ("POST", "/graphql", signed_in, ITEMS),
        ("GET", "/api/shop/customer-downloadable-products", signed_in, None),
    ]


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.usefixtures("collector_off")
def test_requests_leave_no_reference_cycles(
    settings: Settings, demo: ModuleType, source: str
) -> None:
    sent = requests(demo, source)

    async def send_all(client: httpx2.AsyncClient) -> list[int]:
        statuses = []
        for method, path, headers, query in sent:
            body = None if query is None else {"query": query}
            response = await client.request(method, path, headers=headers, json=body)
            statuses.append(response.status_code)
        return statuses

    async def main() -> Counter[str]:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx2.ASGITransport(app=app, client=("127.0.0.1", 50000))
            async with httpx2.AsyncClient(transport=transport, base_url="http://shop") as client:
                # Documents parsed, validated and planned; pools and caches filled.
                assert await send_all(client) == [200, 200, 200, 200, 200]
                gc.collect()
                gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept to look at
                for _ in range(3):
                    await send_all(client)
                gc.collect()
                return Counter(
                    f"{type(found).__module__}.{type(found).__qualname__}" for found in gc.garbage
                )

    left = asyncio.run(main())
    ours = {name: count for name, count in left.items() if name.startswith(OURS)}
    assert not ours, left.most_common(20)


# What a request of the service's makes: the app's objects, the GraphQL machinery's, the
# event loop's tasks and timers. (The test's own client is left out: httpx's objects are
# not the service's to answer for.)
OURS = ("app.", "resolvers.", "graphql.", "ariadne.", "starlette.", "_asyncio.", "asyncio.")
