"""`Once`: one run of a lookup however many fields await it, with no task of its own."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Awaitable

import pytest

from app.domain.once import Once


def test_callers_share_one_run_and_its_value() -> None:
    runs = []

    async def lookup() -> int:
        runs.append(asyncio.current_task())
        await asyncio.sleep(0)
        return 7

    async def main() -> list[int]:
        once: Once[int] = Once()
        values = await asyncio.gather(once(lookup), once(lookup), once(lookup))
        return [*values, await once(lookup)]

    assert asyncio.run(main()) == [7, 7, 7, 7]
    assert len(runs) == 1


def test_the_first_caller_runs_it_in_its_own_task() -> None:
    async def main() -> bool:
        async def lookup() -> asyncio.Task[object] | None:
            return asyncio.current_task()

        return await Once[asyncio.Task[object] | None]()(lookup) is asyncio.current_task()

    assert asyncio.run(main())


@pytest.mark.parametrize("callers", [1, 2])
def test_a_failure_reaches_every_caller_and_is_not_reported_as_unretrieved(
    caplog: pytest.LogCaptureFixture, callers: int
) -> None:
    # With one caller nobody awaits the shared outcome: asyncio would report its exception
    # as never retrieved when it is collected, unless Once has retrieved it.
    async def lookup() -> int:
        await asyncio.sleep(0)
        raise LookupError("gone")

    async def main() -> list[object]:
        once: Once[int] = Once()
        return await asyncio.gather(*(once(lookup) for _ in range(callers)), return_exceptions=True)

    kinds = [type(outcome) for outcome in asyncio.run(main())]
    gc.collect()  # the outcome, no longer held by the errors' tracebacks, is collected here
    assert kinds == [LookupError] * callers
    assert "never retrieved" not in caplog.text


def test_an_awaitable_never_awaited_starts_nothing_and_blocks_nobody() -> None:
    # A plan abandoned before it reached a field closes what it had not awaited yet; the
    # answer worked out again must still get the value.
    runs = []

    async def lookup() -> int:
        runs.append(1)
        return 3

    async def main() -> int:
        once: Once[int] = Once()
        abandoned = once(lookup)
        abandoned.close()  # type: ignore[attr-defined]
        assert runs == []  # closed before it started: nothing ran
        return await asyncio.wait_for(once(lookup), timeout=1)

    assert asyncio.run(main()) == 3
    assert runs == [1]


def test_settled_is_the_value_only_once_it_came() -> None:
    async def main() -> list[int | None]:
        gate = asyncio.Event()

        async def lookup() -> int:
            await gate.wait()
            return 5

        once: Once[int] = Once()
        seen = [once.settled()]
        waiting = asyncio.ensure_future(once(lookup))
        await asyncio.sleep(0)
        seen.append(once.settled())
        gate.set()
        await waiting
        return [*seen, once.settled()]

    assert asyncio.run(main()) == [None, None, 5]


def test_later_callers_lookups_are_not_called() -> None:
    async def main() -> list[int]:
        once: Once[int] = Once()

        async def first() -> int:
            return 1

        async def second() -> int:
            raise AssertionError("a settled Once ran a lookup again")

        return [await once(first), await once(second)]

    assert asyncio.run(main()) == [1, 1]


def test_an_owner_that_keeps_its_once_is_freed_without_the_cyclic_collector() -> None:
    # The Once holds no lookup, so an object awaiting its own method through it forms no
    # reference cycle: it goes as soon as its last reference does.
    class Owner:
        def __init__(self) -> None:
            self.value: Once[int] = Once()

        async def _lookup(self) -> int:
            return 9

        def get(self) -> Awaitable[int]:
            return self.value(self._lookup)

    async def main() -> weakref.ref[Owner]:
        owner = Owner()
        assert await owner.get() == 9 and await owner.get() == 9
        return weakref.ref(owner)

    gc.disable()
    try:
        assert asyncio.run(main())() is None
    finally:
        gc.enable()
