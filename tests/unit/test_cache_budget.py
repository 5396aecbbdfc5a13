"""What a worker keeps per GraphQL document is bounded in bytes: the cache's own rules, the
size estimates checked against tracemalloc, and a worker's growth under many documents
and many variable values measured."""

from __future__ import annotations

import asyncio
import gc
import os
import random
import tracemalloc
from collections.abc import Callable
from inspect import isawaitable
from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, execute, validate

from app.graphql.documents import Documents
from app.graphql.execution.codegen import compile_plan
from app.graphql.execution.planner import build_plan
from app.graphql.execution.runner import compiled_execution_context
from app.graphql.sized_cache import SizedCache
from app.graphql.views import build_views
from resolvers import bindables
from tests.corpus import client_documents
from tests.unit.test_executor import schema as things_schema

MB = 1024 * 1024


def test_the_cache_keeps_the_most_recently_used_within_its_budget() -> None:
    cache = SizedCache(100)
    values = {key: object() for key in "abcd"}
    for key, value in values.items():
        cache.put(key, value, 30)
    assert cache.get("a") is None and cache.bytes == 90  # a went for d
    assert cache.get("b") is values["b"]  # b is now the newest

    assert cache.grow("b", values["b"], 40)
    assert cache.bytes == 100 and cache.peek("c") is None  # c went for b's growth
    assert not cache.grow("b", values["d"], 1)  # not the value kept there
    assert not cache.grow("b", values["b"], 31)  # b alone would be over the budget
    cache.put("huge", "H", 101)
    assert cache.peek("huge") is None and cache.bytes == 100


def measured(build: Callable[[], Any], tries: int = 3) -> tuple[Any, int]:
    """What `build` returns on its last try, and the fewest bytes a try left allocated.

    Anything else that allocates while a try runs (a global table of the interpreter's
    growing, a thread left by an earlier test) can only add to that try's count, so the
    least of a few tries is the one to judge."""
    held: list[int] = []
    value: Any = None
    for _ in range(tries):
        gc.collect()
        tracemalloc.start()
        try:
            value = build()
            gc.collect()
            held.append(tracemalloc.get_traced_memory()[0])
        finally:
            tracemalloc.stop()
    return value, min(held)


DENSE = "{" + " ".join(f"a{i}" for i in range(480)) + "}"
LONG_STRING = '{ a(s: "' + "x" * 8000 + '") }'


@pytest.mark.parametrize(
    "text",
    [text for _, text in client_documents()] + [DENSE, LONG_STRING, "# " + "c" * 8000 + "\n{ a }"],
)
def test_a_documents_estimated_size_is_near_what_it_holds(text: str) -> None:
    fresh = [Documents(max_tokens=500, max_length=9000, list_fields=frozenset()) for _ in "abc"]

    def parsed() -> Documents:
        documents = fresh.pop()
        documents.get(text[:] + " ")  # a text of its own
        return documents

    documents, held = measured(parsed, tries=len(fresh))

    assert 0.9 * held <= documents.cache.bytes <= 2.5 * held + 4096


LARGE = (
    "{ customerDownloadableProducts(first: 2) { "
    + " ".join(
        f"e{i}: edges {{ cursor node {{ _id productName status downloadUrl order {{ _id }} }} }}"
        for i in range(20)
    )
    + " } }"
)


def test_a_plans_estimated_size_is_near_what_it_keeps() -> None:
    documents = Documents(max_tokens=5000, max_length=100_000, list_fields=frozenset())
    checked = 0
    for schema in build_views(bindables).values():
        for text in [text for _, text in client_documents()] + [LARGE]:
            node = documents.get(text).node
            if validate(schema, node):
                continue
            operation = next(d for d in node.definitions if isinstance(d, OperationDefinitionNode))
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }

            def planned() -> Any:
                plan = build_plan(schema, fragments, operation)  # noqa: B023
                compile_plan(plan, documents.code)
                return plan

            planned()  # its code compiled: that is kept, and counted, apart
            plan, held = measured(planned)
            assert held <= plan.size <= 2 * held, text
            checked += 1
    assert checked >= 6


def resident() -> int:
    """The process's resident memory in bytes, after a full collection: the figure a
    worker's growth is judged by (tracemalloc would slow these runs tenfold)."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _variants(conditions: int, selection: str) -> str:
    """A document of the test schema with 28 root fields (as many as a heavy document
    may have), each selecting `selection` under some of `conditions` Boolean variables
    ($c0, $c1... filled in for {0} and {1})."""
    definitions = ", ".join(f"$c{i}: Boolean!" for i in range(conditions))
    fields = " ".join(
        f"f{i}: " + selection.format(f"$c{i % conditions}", f"$c{(i + 1) % conditions}")
        for i in range(28)
    )
    return f"query V{conditions}({definitions}) {{ {fields} }}"


HEAVY = "things(n: 1) {{ id @include(if: {0}) name label sibling {{ id @skip(if: {1}) label }} }}"
LIGHT = "strict {{ id @include(if: {0}) }}"


async def _execute(context_class: Any, documents: Documents, text: str, values: Any) -> None:
    result = execute(
        things_schema,
        documents.get(text).node,
        variable_values=values,
        execution_context_class=context_class,
    )
    if isawaitable(result):
        result = await result
    assert not result.errors, result.errors


def test_many_heavy_documents_with_every_condition_grow_a_worker_within_bounds() -> None:
    documents = Documents(max_tokens=5000, max_length=100_000, list_fields=frozenset())
    context_class = compiled_execution_context(documents)
    texts = [_variants(4, HEAVY).replace("query V4", f"query V{n}_") for n in range(30)]
    combinations = [{f"c{i}": bool(bits >> i & 1) for i in range(4)} for bits in range(16)]

    async def send_all() -> None:
        for text in texts:
            for values in combinations * 2:
                await _execute(context_class, documents, text, values)

    before = resident()
    asyncio.run(send_all())
    grown = resident() - before

    stats = context_class.stats  # type: ignore[attr-defined]
    assert stats.built == 30  # one plan a document, whatever the values
    assert grown <= 80 * MB, grown / MB


def test_random_condition_values_do_not_grow_a_worker() -> None:
    documents = Documents(max_tokens=5000, max_length=100_000, list_fields=frozenset())
    context_class = compiled_execution_context(documents)
    text = _variants(24, LIGHT)
    chooser = random.Random(20261207)
    values = [{f"c{i}": chooser.random() < 0.5 for i in range(24)} for _ in range(8000)]

    async def send(count: int) -> None:
        for variables in values[:count]:
            await _execute(context_class, documents, text, variables)

    asyncio.run(send(500))  # the document parsed, planned, and the allocator warm
    before = resident()
    asyncio.run(send(len(values)))
    grown = resident() - before

    assert context_class.stats.outcomes["plan"] >= 8000  # type: ignore[attr-defined]
    assert grown <= 2 * MB, grown / MB
