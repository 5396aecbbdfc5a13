"""Requests built to hurt the service, as an attacker with no key and no token would send
them, and the worker's own CPU time to judge what each one cost.

The suite (tests/test_hostile.py) sends them; the bench's hostile-traffic step
(bench/hostile.py) sends a short mix of its own built on the same shapes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import get_introspection_query

GRAPHQL_PATHS = ("/graphql", "/api/graphql")
REST_PATH = "/api/shop/customer-downloadable-products"
# The base64 of more digits than int() reads (4,300): a cursor that once reached it.
HUGE_CURSOR = base64.b64encode(b"9" * 4400).decode()


@dataclass(frozen=True)
class Hostile:
    name: str
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """How much the client sent: the document, body or query string."""
        if self.content is not None:
            return len(self.content)
        if self.json is not None:
            return len(json.dumps(self.json))
        return sum(len(k) + len(v) for k, v in self.params.items())

    def send(self, client: Any) -> Any:
        """Send it with an httpx-like client."""
        return client.request(
            self.method,
            self.path,
            json=self.json,
            content=self.content,
            params=self.params or None,
            headers=self.headers,
        )


def fan_out(levels: int, leaf: str = "__typename") -> str:
    """2^levels paths to one field through fragments that each spread the next twice."""
    fragments = " ".join(
        f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ {leaf} }}"


def introspection_by_aliases() -> str:
    """Ten aliases at each of three levels of introspection: a million types' worth."""

    def aliased(name: str, fragment: str) -> str:
        return " ".join(f"{name}{n}: {name} {{ ...{fragment} }}" for n in range(10))

    return (
        "{ __schema { ...S } } "
        f"fragment S on __Schema {{ {aliased('types', 'T')} }} "
        f"fragment T on __Type {{ {aliased('fields', 'F')} }} "
        f"fragment F on __Field {{ {aliased('type', 'N')} }} "
        "fragment N on __Type { name kind description }"
    )


def documents() -> Iterator[tuple[str, str]]:
    """(name, document) for every GraphQL path."""
    yield "fragment-fan-out-40", fan_out(40)
    yield "fragment-fan-out-under-data", fan_out(40, "customerDownloadableProducts { __typename }")
    yield (
        "fragment-cycle",
        "{ ...A } fragment A on Query { ...B __typename } fragment B on Query { ...A }",
    )
    yield "introspection-aliases", introspection_by_aliases()
    yield "introspection-full", get_introspection_query(descriptions=True)
    yield "alias-storm", "{ " + " ".join(f"a{n}: __typename" for n in range(2000)) + " }"
    yield (
        "list-alias-storm",
        "{ "
        + " ".join(
            f"a{n}: customerDownloadableProducts {{ items {{ status }} }}" for n in range(10)
        )
        + " }",
    )
    yield "directive-flood", "{ __typename " + "@skip(if: false) " * 1200 + "}"
    yield "nested-selections", "{" + "a{" * 2000 + "b" + "}" * 2001
    yield (
        "nested-list-argument",
        "{ customerDownloadableProduct(id: " + "[" * 2400 + "]" * 2400 + ") { _id } }",
    )
    yield "nested-fragments", fan_out_chain(400)
    yield "long-string", '{ customerDownloadableProduct(id: "' + "9" * 60_000 + '") { _id } }'
    yield "huge-int", "{ customerDownloadableProducts(first: " + "9" * 5000 + ") { totalCount } }"
    yield "huge-id", '{ customerDownloadableProduct(id: "' + "1" * 4400 + '") { _id } }'
    yield (
        "huge-cursor",
        f'{{ customerDownloadableProducts(after: "{HUGE_CURSOR}") {{ totalCount }} }}',
    )
    yield "many-operations", " ".join(f"query Q{n} {{ __typename }}" for n in range(1500))
    yield "unknown-fields", "{ " + " ".join(f"f{n}" for n in range(4000)) + " }"
    yield "unterminated-block-string", '{ a(s: """' + '\\"""' * 1_500


def fan_out_chain(length: int) -> str:
    fragments = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(length))
    return f"{{ ...F0 }} {fragments} fragment F{length} on Query {{ __typename }}"


def requests(headers: dict[str, str] | None = None) -> Iterator[Hostile]:
    """The whole suite, with these headers (none: no key, no token)."""
    headers = headers or {}
    json_headers = {**headers, "Content-Type": "application/json"}
    for path in GRAPHQL_PATHS:
        for name, document in documents():
            yield Hostile(f"{name}{path}", "POST", path, json={"query": document}, headers=headers)
        yield Hostile(
            f"introspection-aliases-get{path}",
            "GET",
            path,
            params={"query": introspection_by_aliases()},
            headers=headers,
        )
        nested = b'{"query": "{ __typename }", "variables": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
        yield Hostile(f"nested-json{path}", "POST", path, content=nested, headers=json_headers)
        yield Hostile(
            f"nested-variables{path}",
            "POST",
            path,
            json={
                "query": "query ($v: " + "[" * 300 + "Int" + "]" * 300 + ") { __typename }",
                "variables": {"v": nest(300)},
            },
            headers=headers,
        )
        yield Hostile(
            f"huge-variable{path}",
            "POST",
            path,
            json={
                "query": "query ($s: String) { customerDownloadableProducts(status: $s) { totalCount } }",
                "variables": {"s": "x" * 60_000},
            },
            headers=headers,
        )
        yield Hostile(
            f"huge-int-variable{path}",
            "POST",
            path,
            content=b'{"query": "query ($n: Int) { customerDownloadableProducts(first: $n) { totalCount } }", "variables": {"n": '
            + b"9" * 5000
            + b"}}",
            headers=json_headers,
        )
        yield Hostile(
            f"huge-cursor-variable{path}",
            "POST",
            path,
            json={
                "query": "query ($c: String) { customerDownloadableProducts(before: $c) { totalCount } }",
                "variables": {"c": HUGE_CURSOR},
            },
            headers=headers,
        )
        yield Hostile(
            f"multipart{path}",
            "POST",
            path,
            content=b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{}\r\n--x--\r\n',
            headers={**headers, "Content-Type": "multipart/form-data; boundary=x"},
        )
        yield Hostile(
            f"random-operation-name{path}",
            "POST",
            path,
            json={"query": "{ __typename }", "operationName": "x\r\n\x00" * 30},
            headers=headers,
        )
        yield Hostile(
            f"long-bearer{path}",
            "POST",
            path,
            json={"query": "{ customerDownloadableProducts { totalCount } }"},
            headers={**headers, "Authorization": "Bearer " + "1" * 4301 + "|x"},
        )
    for name in ("page", "per_page"):
        yield Hostile(
            f"rest-{name}-zeros", "GET", REST_PATH, params={name: "0" * 4400 + "1"}, headers=headers
        )
    yield Hostile("rest-huge-id", "GET", f"{REST_PATH}/{'1' * 4400}", headers=headers)
    yield Hostile(
        "rest-long-bearer",
        "GET",
        REST_PATH,
        headers={**headers, "Authorization": "Bearer " + "1" * 4301 + "|x"},
    )


def nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def worker_cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far, all its threads, from the kernel's
    scheduler statistics (nanoseconds, unlike the 10 ms ticks of /proc/PID/stat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # a thread that just ended
            continue
    return total / 1e9
