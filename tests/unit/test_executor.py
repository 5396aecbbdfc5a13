"""The compiled executor on a schema of its own (no database): every case gives
graphql-core's exact result, and runs the way it should (from a plan, abandoned for
graphql-core, or graphql-core alone)."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import math
import traceback
import warnings
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import pytest
from ariadne import (
    EnumType,
    InterfaceType,
    ObjectType,
    QueryType,
    ScalarType,
    make_executable_schema,
)
from graphql import ExecutionResult, execute, parse

from app.graphql.documents import Documents
from app.graphql.execution.chunked import CHUNK
from app.graphql.execution.resolver_code import reads_info_argument
from app.graphql.execution.runner import compiled_execution_context
from resolvers.purchase import resolve_download_url, resolve_iri

SDL = """
type Query {
  things(n: Int!, failAt: Int, nullAt: Int, asyncAt: Int): [Thing!]
  strict: Thing!
  scalars(i: Int, f: Float, s: String, b: Boolean, id: ID): Scalars
  node: Node
  tuple: [Int]
  generator: [Int]
}
interface Node { id: ID! }
enum Kind { A B }
scalar Day
type Thing implements Node {
  id: ID!
  name: String
  label: String
  deep: String
  times(x: Int = 1): Int
  later: String
  required: String!
  kind: Kind
  day: Day
  sibling: Thing
}
type Scalars { i: Int f: Float s: String b: Boolean id: ID }
"""


@dataclass
class Thing:
    id: int
    name: str | None
    required: str | None
    kind: str = "A"
    day: str = "2026-11-29"
    fail: bool = False

    def times(self, _info: Any, x: int) -> int:
        return self.id * x


query = QueryType()
thing = ObjectType("Thing")
thing.set_alias("label", "name")
thing.set_alias("deep", "sibling_data.name")
scalars = ObjectType("Scalars")
day = ScalarType("Day", serializer=lambda value: f"day:{value}")
kind = EnumType("Kind", {"A": "A", "B": "B"})
node = InterfaceType("Node", type_resolver=lambda *_: "Thing")


@query.field("things")
def resolve_things(
    *_: Any, n: int, failAt: int = -1, nullAt: int = -1, asyncAt: int = -1
) -> list[Any]:
    return [
        Thing(i, f"thing {i}", None if i == nullAt else "yes", fail=i == failAt) for i in range(n)
    ]


@thing.field("later")
async def resolve_later(obj: Thing, info: Any) -> str:
    await asyncio.sleep(0)
    if obj.fail:
        raise ValueError(f"thing {obj.id} failed")
    return f"{obj.name} at {'/'.join(map(str, info.path.as_list()))}"


@thing.field("sibling")
def resolve_sibling(obj: Thing, _: Any) -> dict[str, Any]:
    return {"id": obj.id + 100, "name": None, "required": "sibling", "sibling_data": {"name": "x"}}


@query.field("strict")
def resolve_strict(*_: Any) -> Thing:
    return Thing(1, "one", None)


@query.field("scalars")
def resolve_scalars(*_: Any, **values: Any) -> dict[str, Any]:
    return values


@query.field("node")
def resolve_node(*_: Any) -> Thing:
    return Thing(1, "one", "yes")


@query.field("tuple")
def resolve_tuple(*_: Any) -> tuple[int, ...]:
    return (1, 2, 3)


@query.field("generator")
def resolve_generator(*_: Any) -> Any:
    return (i for i in range(3))


schema = make_executable_schema(SDL, query, thing, scalars, day, kind, node)
# Scalars whose inputs are raw Python values, to reach the serialisers' edge cases.
RAW = {"i": 2**31, "f": math.inf, "s": 5, "b": 1, "id": 7}


def documents() -> Documents:
    return Documents(max_tokens=5000, max_length=100_000, list_fields=frozenset())


def run(document: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return asyncio.run(_both(document, variables, **kwargs))


async def _both(document: str, variables: dict[str, Any] | None) -> tuple[str, str, str]:
    cache = documents()
    context_class = compiled_execution_context(cache)
    outcomes = context_class.stats.outcomes  # type: ignore[attr-defined]
    parsed = cache.get(document).node
    expected = await _result(execute(schema, parse(document), variable_values=variables))
    first = await _result(
        execute(schema, parsed, variable_values=variables, execution_context_class=context_class)
    )
    assert outcomes == {"first_sight": 1}  # a plan is built when it comes back
    outcomes.clear()
    actual = await _result(
        execute(schema, parsed, variable_values=variables, execution_context_class=context_class)
    )
    assert _dump(first) == _dump(expected)
    return _dump(expected), _dump(actual), ",".join(outcomes)


async def _result(result: Any) -> ExecutionResult:
    return await result if isawaitable(result) else result  # type: ignore[no-any-return]


def _dump(result: ExecutionResult) -> str:
    return json.dumps(result.formatted)


@pytest.mark.parametrize(
    ("document", "variables", "outcome"),
    [
        ("{ things(n: 3) { id name label deep times later required kind day } }", None, "plan"),
        ("{ things(n: 2) { times(x: 3) sibling { id deep label } } }", None, "plan"),
        # The sibling's own sibling: the resolver fails on a dict, in graphql-core too.
        ("{ things(n: 2) { sibling { id sibling { label } } } }", None, "abandoned"),
        ("query ($x: Int) { things(n: 2) { times(x: $x) } }", {"x": 5}, "plan"),
        ("{ __typename things(n: 1) { __typename id } }", None, "plan"),
        ("{ things(n: 3, failAt: 1) { id later } }", None, "abandoned"),
        ("{ things(n: 3, nullAt: 2) { id required } }", None, "abandoned"),
        ("{ strict { id required } }", None, "abandoned"),
        ("{ strict { id } }", None, "plan"),
        ("{ tuple }", None, "plan"),
        ("{ generator }", None, "abandoned"),
        ("{ node { id } }", None, "abstract_type"),
        ("{ __schema { queryType { name } } }", None, "introspection"),
        ('{ scalars(s: "x", i: 1, f: 1.5, b: true, id: "7") { s i f b id } }', None, "plan"),
        ("query ($s: Boolean!) { things(n: 2) { id name @skip(if: $s) } }", {"s": True}, "plan"),
        ("query ($s: Boolean!) { things(n: 2) { id name @skip(if: $s) } }", {"s": False}, "plan"),
        # A condition that cannot be evaluated: graphql-core's error, in its place.
        (
            "query ($a: Boolean = true) { things(n: 2) { id @include(if: $a) } }",
            {"a": None},
            "conditions",
        ),
        (
            "query ($a: Boolean = true) { strict @include(if: $a) { id } }",
            {"a": None},
            "conditions",
        ),
        ("query ($a: Boolean) { things(n: 1) { id @skip(if: $a) } }", {}, "conditions"),
        ("query ($a: Boolean = true) { things(n: 1) { id @skip(if: $a) } }", {}, "plan"),
        # Both directives, fragments, literals.
        (
            "query ($a: Boolean!, $b: Boolean!) { things(n: 2) { ...F @include(if: $a)"
            " name @skip(if: $b) @include(if: $a) ... on Thing @skip(if: true) { label } } }"
            " fragment F on Thing { id label @include(if: $b) kind @include(if: false) }",
            {"a": True, "b": False},
            "plan",
        ),
        # The variables would decide the keys' order: graphql-core runs it.
        (
            "query ($a: Boolean!) { things(n: 1) { id @include(if: $a) name id } }",
            {"a": False},
            "conditions",
        ),
        (
            "query ($a: Boolean!) { things(n: 1) { ...F @include(if: $a) name ...F } }"
            " fragment F on Thing { id }",
            {"a": False},
            "conditions",
        ),
        (
            "query ($a: Boolean!) { things(n: 1) { ...F name ...F @include(if: $a) } }"
            " fragment F on Thing { id }",
            {"a": False},
            "plan",
        ),
    ],
)
def test_the_compiled_executor_gives_graphql_cores_result(
    document: str, variables: dict[str, Any] | None, outcome: str
) -> None:
    expected, actual, ran = run(document, variables)

    assert actual == expected
    assert ran == outcome


@pytest.mark.parametrize("name", sorted(RAW))
def test_scalars_serialise_as_graphql_core_does(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scalars, "_resolvers", {})  # unused: the values come from below
    field = schema.query_type.fields["scalars"]  # type: ignore[union-attr]
    monkeypatch.setattr(field, "resolve", lambda *_, **__: {name: RAW[name]})

    expected, actual, _ = run(f"{{ scalars {{ {name} }} }}")

    assert actual == expected


def test_a_long_list_lets_other_tasks_run() -> None:
    cache = documents()
    document = cache.get(f"{{ things(n: {CHUNK * 5}) {{ id name label }} }}").node
    context_class = compiled_execution_context(cache)

    async def measure() -> int:
        ticks = 0
        done = False

        async def tick() -> None:
            nonlocal ticks
            while not done:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        ticks = 0
        result = await _result(execute(schema, document, execution_context_class=context_class))
        done = True
        await ticker
        assert result.data is not None and len(result.data["things"]) == CHUNK * 5
        return ticks

    # The first run is graphql-core's, which app/graphql/execution/chunked.py has complete long lists a
    # chunk at a time too; the second runs from the plan.
    assert asyncio.run(measure()) >= 4
    assert asyncio.run(measure()) >= 4
    assert context_class.stats.outcomes == {"first_sight": 1, "plan": 1}  # type: ignore[attr-defined]


def test_one_plan_serves_every_value_of_the_conditions() -> None:
    cache = documents()
    context_class = compiled_execution_context(cache)
    text = "query ($s: Boolean!) { things(n: 1) { id @include(if: $s) name } }"
    document = cache.get(text).node

    async def each(values: list[bool]) -> list[str]:
        answers = []
        for value in values:
            answer = execute(
                schema,
                document,
                variable_values={"s": value},
                execution_context_class=context_class,
            )
            answers.append(_dump(await _result(answer)))
        return answers

    answers = asyncio.run(each([True, False, True, False]))

    stats = context_class.stats  # type: ignore[attr-defined]
    assert stats.built == 1
    assert stats.outcomes == {"first_sight": 1, "plan": 3}
    assert answers[0] == answers[2] != answers[1] == answers[3]
    assert answers[1] == _dump(execute(schema, parse(text), variable_values={"s": False}))  # type: ignore[arg-type]


def test_a_cancelled_execution_leaves_no_coroutine_unawaited() -> None:
    """A client that goes away cancels the request, possibly while resolvers of a long
    list's later chunks wait to be started: they are closed, not left for the garbage
    collector to warn about."""
    cache = documents()
    document = cache.get(f"{{ things(n: {CHUNK * 4}) {{ later }} }}").node
    context_class = compiled_execution_context(cache)

    async def cancel_after(steps: int) -> None:
        task = asyncio.ensure_future(
            _result(execute(schema, document, execution_context_class=context_class))
        )
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(_result(execute(schema, document, execution_context_class=context_class)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for steps in range(1, 8):
            asyncio.run(cancel_after(steps))
            gc.collect()

    assert [str(w.message) for w in caught] == []
    # The cancelled runs counted nothing.
    assert context_class.stats.outcomes == {"first_sight": 1}  # type: ignore[attr-defined]


def _ignores(obj: Any, _: Any) -> Any:
    return obj


def _reads(obj: Any, info: Any) -> Any:
    return info.context


def _keeps_in_a_closure(obj: Any, info: Any) -> Any:
    return lambda: info


def _reaches_its_frame(obj: Any, info: Any) -> Any:
    return locals()["info"]


def _in_args(obj: Any, *args: Any) -> Any:
    return args[0]


class _Callable:
    def __call__(self, obj: Any, _: Any) -> Any:
        return obj


@pytest.mark.parametrize(
    ("resolver", "reads"),
    [
        (_ignores, False),
        (lambda obj, _: obj, False),
        (resolve_sibling, False),
        (_reads, True),
        (resolve_later, True),
        (_keeps_in_a_closure, True),
        (_reaches_its_frame, True),
        (_in_args, True),
        (_Callable(), True),
        (functools.partial(_ignores, 1), True),
    ],
)
def test_only_a_resolver_that_cannot_see_info_is_called_without_it(
    resolver: Any, reads: bool
) -> None:
    assert reads_info_argument(resolver) is reads


def test_the_services_resolvers_that_ignore_info_are_called_without_it() -> None:
    assert reads_info_argument(resolve_iri) is False
    assert reads_info_argument(resolve_download_url) is True  # the base URL is in the context


def test_a_plans_generated_lines_show_in_tracebacks() -> None:
    cache = documents()
    context_class = compiled_execution_context(cache)
    text = "{ things(n: 1) { id name } }"
    for _ in range(2):  # planned the second time
        document = cache.get(text).node
        asyncio.run(_result(execute(schema, document, execution_context_class=context_class)))
    (planned,) = [value for value in cache.get(text).derived.values() if value.plan]

    with pytest.raises(AttributeError) as raised:
        planned.plan.root.fill(None, {}, None)  # no runner: its first use fails

    shown = "".join(traceback.format_exception(raised.value))
    assert "tail = run.info_tail" in shown and "<plan " in shown, shown
