"""`Once`: one run of a lookup however many fields await it, with no task of its own."""

from __future__ import annotations

import asyncio
import gc

import pytest

from app.domain.once import Once


def test_callers_share_one_run_and_its_value() -> None:
    runs = []

    async def lookup() -> int:
        runs.append(asyncio.current_task())
        await asyncio.sleep(0)
        return 7

    async def main() -> list[int]:
        once = Once(lookup)
        values = await asyncio.gather(once(), once(), once())
        return [*values, await once()]

    assert asyncio.run(main()) == [7, 7, 7, 7]
    assert len(runs) == 1


def test_the_first_caller_runs_it_in_its_own_task() -> None:
    async def main() -> bool:
        async def lookup() -> asyncio.Task[object] | None:
            return asyncio.current_task()

        return await Once(lookup)() is asyncio.current_task()

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
        once = Once(lookup)
        return await asyncio.gather(*(once() for _ in range(callers)), return_exceptions=True)

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
        once = Once(lookup)
        abandoned = once()
        abandoned.close()  # type: ignore[attr-defined]
        assert runs == []  # closed before it started: nothing ran
        return await asyncio.wait_for(once(), timeout=1)

    assert asyncio.run(main()) == 3
    assert runs == [1]


def test_settled_is_the_value_only_once_it_came() -> None:
    async def main() -> list[int | None]:
        gate = asyncio.Event()

        async def lookup() -> int:
            await gate.wait()
            return 5

        once = Once(lookup)
        seen = [once.settled()]
        waiting = asyncio.ensure_future(once())
        await asyncio.sleep(0)
        seen.append(once.settled())
        gate.set()
        await waiting
        return [*seen, once.settled()]

    assert asyncio.run(main()) == [None, None, 5]
