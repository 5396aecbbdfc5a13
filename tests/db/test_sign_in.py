"""A token checked in the statement of the request's first read (`SignIn`) is judged
exactly as the check on its own judges it: the same customer, the same refusal reason,
for every kind of token the demo holds, on every read that can carry it; and a refused
token's read returns nothing of anyone's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest

from app.db import database_at
from app.errors import close_box, open_box, refused
from app.settings import Settings
from app.sources import NO_MATCH, SignIn, Source, create_source


def tokens(demo: ModuleType) -> list[str]:
    """Every token the demo names, and some that are no one's."""
    named = [value for name, value in vars(demo).items() if name.endswith("_TOKEN")]
    made_up = ["999|secret", "12x|secret", "no-such-token", "a.b.c", "", "1|", "|"]
    jane = demo.JANE_TOKEN
    near = [jane.upper(), jane[:-1], jane + "x", jane.rpartition("|")[2]]
    return [*named, *made_up, *near]


READS: dict[str, Callable[[Source, Any], Awaitable[Any]]] = {
    "counted page": lambda source, who: source.counted_page(who, status=None, offset=0, limit=3),
    "page": lambda source, who: source.purchases(who, status=None, offset=1, limit=2),
    "everything": lambda source, who: source.purchases(
        who, status="available", offset=0, limit=None, newest_first=False
    ),
    "count": lambda source, who: source.count_purchases(who, status="expired"),
    "purchase": lambda source, who: source.purchase(who, 1),
    "no status matches": lambda source, who: source.count_purchases(who, status=NO_MATCH),
    "no such id": lambda source, who: source.purchase(who, 2**63),
}


Work = Callable[[Source], Awaitable[Any]]


def judged(settings: Settings, work: Work) -> tuple[Any, str | None]:
    """What `work` returns on a source of its own (its pool opened and closed in one event
    loop), and the refusal reason it noted."""

    async def run() -> tuple[Any, str | None]:
        database = database_at(settings.database_url)
        await database.connect()
        _, box = open_box()
        try:
            return await work(create_source(settings, database)), refused()
        finally:
            close_box(box)
            await database.disconnect()

    return asyncio.run(run())


@pytest.mark.parametrize("read", list(READS))
def test_a_token_checked_within_a_read_is_judged_as_on_its_own(
    settings: Settings, demo: ModuleType, read: str
) -> None:
    do = READS[read]
    for token in tokens(demo):
        customer_id, reason = judged(settings, lambda source: source.customer_for_token(token))  # noqa: B023
        (signed, found), within = judged(settings, lambda source: _signed_in(source, do, token))  # noqa: B023

        assert (signed, within) == (customer_id, reason), token
        if customer_id is None:
            assert found in (None, 0, [], (), ((), 0)), token  # nothing of anyone's
        else:
            assert found == judged(settings, lambda source: do(source, customer_id))[0], token  # noqa: B023


async def _signed_in(
    source: Source, do: Callable[[Source, Any], Awaitable[Any]], token: str
) -> tuple[int | None, Any]:
    assert source.reads_sign_in
    check = source.token_check(token)
    if check is None:  # refused before any statement, as on its own
        return None, None
    signing_in = SignIn(check)
    found = await do(source, signing_in)
    return signing_in.customer_id, found
