"""Legitimate queries beside hostile ones: issue 11's target, their p99 within 2x of their
own while other connections send requests built to hurt.

On a fresh service: `list-small` and Magento's items at c=8, alone and while a second wrk
keeps 4 more connections busy with the hostile mix, in turns, rounds, medians. The mix is
the bench's own short version of the test suite's (tests/hostile.py, which the bench may
not import): its costliest shapes, on both GraphQL paths, with no credentials and with
the key and the 5,000-purchase customer's token.
"""

from __future__ import annotations

import json
import statistics
import threading
from typing import Any

from bench.dataset import (
    LARGE_CUSTOMER,
    MAGENTO_CUSTOMER,
    SMALL_CUSTOMER,
    STOREFRONT_KEY,
    token_for,
)
from bench.load import LoadResult, Wrk
from bench.scenarios import HttpRequest, items_request, list_request
from bench.servers import Server

LEGIT_CONCURRENCY = 8
HOSTILE_CONCURRENCY = 4


def fan_out(levels: int) -> str:
    """2^levels paths to one field through fragments that each spread the next twice."""
    chain = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ __typename }}"


def documents() -> list[str]:
    aliases = " ".join(f"t{n}: types {{ fields {{ name }} }}" for n in range(10))
    lists = " ".join(f"a{n}: customerDownloadableProducts {{ __typename }}" for n in range(10))
    return [
        fan_out(40),
        f"{{ __schema {{ {aliases} }} }}",
        "{ " + " ".join(f"a{n}: __typename" for n in range(2000)) + " }",
        "{ " + lists + " }",
        "{" + "a{" * 2000 + "b" + "}" * 2001,
        '{ customerDownloadableProduct(id: "' + "9" * 60_000 + '") { _id } }',
        " ".join(f"query Q{n} {{ __typename }}" for n in range(1500)),
        "{ " + " ".join(f"f{n}" for n in range(4000)) + " }",
    ]


def hostile_requests() -> list[HttpRequest]:
    signed_in = {
        "X-STOREFRONT-KEY": STOREFRONT_KEY,
        "Authorization": f"Bearer {token_for(LARGE_CUSTOMER)}",
    }
    found = []
    for credentials in ({}, signed_in):
        headers = {"Content-Type": "application/json", **credentials}
        for path in ("/graphql", "/api/graphql"):
            for document in documents():
                found.append(HttpRequest("POST", path, headers, json.dumps({"query": document})))
            nested = '{"query": "{ __typename }", "variables": ' + "[" * 30_000 + "]" * 30_000 + "}"
            found.append(HttpRequest("POST", path, headers, nested))
    return found


def run(service: Server, wrk_binary: str, seconds: float, rounds: int) -> dict[str, Any]:
    """{query: figures} for both legitimate queries, each the median of `rounds`."""
    hostile = Wrk(wrk_binary, hostile_requests())
    found: dict[str, Any] = {}
    try:
        for name, request in (
            ("list-small", list_request(SMALL_CUSTOMER)),
            ("magento-items", items_request(MAGENTO_CUSTOMER)),
        ):
            legit = Wrk(wrk_binary, [request])
            phases: dict[str, list[LoadResult]] = {"alone": [], "beside": []}
            try:
                legit.run(service.port, LEGIT_CONCURRENCY, 1.0)  # warm-up
                for turn in range(rounds):
                    for phase in ("alone", "beside")[:: 1 if turn % 2 == 0 else -1]:
                        phases[phase].append(_phase(service, legit, hostile, phase, seconds))
            finally:
                legit.close()
            alone, beside = (statistics.median(r.p99_ms for r in phases[p]) for p in phases)
            found[name] = {
                "p99_alone_ms": alone,
                "p99_beside_ms": beside,
                "p99_ratio": beside / alone,
                "rps_alone": statistics.median(r.rps for r in phases["alone"]),
                "rps_beside": statistics.median(r.rps for r in phases["beside"]),
                "errors": sum(r.errors for rounds_ in phases.values() for r in rounds_),
            }
    finally:
        hostile.close()
    return found


def _phase(service: Server, legit: Wrk, hostile: Wrk, phase: str, seconds: float) -> LoadResult:
    if phase == "alone":
        return legit.run(service.port, LEGIT_CONCURRENCY, seconds)
    # The hostile load starts first and ends after, so that it covers the whole window.
    beside = threading.Thread(
        target=hostile.run, args=(service.port, HOSTILE_CONCURRENCY, seconds + 2), daemon=True
    )
    beside.start()
    threading.Event().wait(0.5)
    try:
        return legit.run(service.port, LEGIT_CONCURRENCY, seconds)
    finally:
        beside.join()
