"""The row budget: small pages never wait, large ones take turns in arrival order, a turn
is awaited within a deadline, and every row taken is given back."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.db import DatabaseUnavailable
from app.domain.fair_share import RowBudget, take_rows
from app.errors import UNAVAILABLE_MESSAGE
from tests import fake
from tests.helpers import app_client


async def hold(
    budget: RowBudget, rows: int, order: list[str], name: str, gate: asyncio.Event
) -> None:
    async with budget.request():
        await take_rows(rows)
        order.append(name)
        await gate.wait()


def test_large_pages_take_turns_in_arrival_order_and_small_ones_never_wait() -> None:
    async def scenario() -> int:
        budget = RowBudget(1000, small=100)
        order: list[str] = []
        gates = {name: asyncio.Event() for name in ("a", "b", "c", "small")}
        tasks = [
            asyncio.create_task(hold(budget, 1000, order, "a", gates["a"])),
            asyncio.create_task(hold(budget, 600, order, "b", gates["b"])),
            asyncio.create_task(hold(budget, 300, order, "c", gates["c"])),
        ]
        await asyncio.sleep(0.01)
        small = asyncio.create_task(hold(budget, 100, order, "small", gates["small"]))
        await asyncio.sleep(0.01)
        assert order == ["a", "small"]  # b and c wait for a; the small page does not
        gates["a"].set()
        await asyncio.sleep(0.01)
        assert order == ["a", "small", "b", "c"]  # 600 + 300 fit together, in order
        for gate in gates.values():
            gate.set()
        await asyncio.gather(*tasks, small)
        return budget.free

    assert asyncio.run(scenario()) == 1000


def test_a_turn_not_given_in_time_is_a_503_and_costs_nothing() -> None:
    async def scenario() -> int:
        budget = RowBudget(1000, small=100, timeout=0.05)
        gate = asyncio.Event()
        holder = asyncio.create_task(hold(budget, 1000, [], "holder", gate))
        await asyncio.sleep(0.01)
        with pytest.raises(DatabaseUnavailable, match="busy"):
            async with budget.request():
                await take_rows(500)
        gate.set()
        await holder
        return budget.free

    assert asyncio.run(scenario()) == 1000


def test_one_request_takes_one_turn_however_many_large_lists_it_reads() -> None:
    async def scenario() -> int:
        budget = RowBudget(1000, small=100, timeout=0.05)
        async with budget.request():
            await asyncio.gather(take_rows(1000), take_rows(1000))  # no wait on itself
            held = 1000 - budget.free
        assert budget.free == 1000
        return held

    assert asyncio.run(scenario()) == 1000


def test_outside_a_request_nothing_is_counted() -> None:
    # No budget is current outside a request: even a page larger than any budget goes at once.
    asyncio.run(asyncio.wait_for(take_rows(5000), timeout=0.05))


SIGNED_IN = {"X-STOREFRONT-KEY": fake.SHOP_KEY, "Authorization": f"Bearer {fake.JANE_TOKEN}"}
LARGE_PAGE = "{ customerDownloadableProducts(first: 250) { edges { node { _id } } } }"
SMALL_PAGE = "{ customerDownloadableProducts(first: 10) { edges { node { _id } } } }"


def test_every_path_gives_back_what_it_took_and_a_page_without_a_turn_is_a_503() -> None:
    source = fake.FakeSource(rows=[fake.purchase(n) for n in range(1, 301)])
    with app_client(fake=source, max_rows_in_flight=1000, database_connect_timeout=0.2) as client:
        budget: RowBudget = client.app.state.rows_in_flight  # type: ignore[attr-defined]

        def large_pages() -> list[int]:
            return [
                client.post("/api/graphql", json={"query": LARGE_PAGE}, headers=SIGNED_IN),
                client.post(
                    "/graphql",
                    json={"query": "{ customerDownloadableProducts { items { status } } }"},
                    headers=SIGNED_IN,
                ),
                client.get(
                    "/api/shop/customer-downloadable-products?per_page=250", headers=SIGNED_IN
                ),
            ]

        assert [response.status_code for response in large_pages()] == [200] * 3
        assert budget.free == 1000

        async def hold_everything(seconds: float) -> None:
            async with budget.request():
                await take_rows(1000)
                await asyncio.sleep(seconds)

        assert client.portal is not None
        holder = client.portal.start_task_soon(hold_everything, 1.0)
        while budget.free:
            time.sleep(0.01)
        refused = client.post("/api/graphql", json={"query": LARGE_PAGE}, headers=SIGNED_IN)
        small = client.post("/api/graphql", json={"query": SMALL_PAGE}, headers=SIGNED_IN)
        holder.result(timeout=5)

    assert refused.status_code == 503
    assert refused.json()["errors"][0]["message"] == UNAVAILABLE_MESSAGE
    assert small.status_code == 200
    assert budget.free == 1000
