"""A graphql-core `ExecutionContext` that runs each cached operation from its plan.

Plugged in through `execution_context_class` (Ariadne passes it to graphql-core's
`execute`), so parsing, validation, variable coercion, error formatting and the HTTP
handler stay graphql-core's and Ariadne's. Only `execute_operation` changes: it looks up
the operation's plan (built by app/planner.py the second time an operation runs, and
kept in the document cache's bounded `plans`) and produces the data from it,
calling every resolver that is not a default one exactly as graphql-core would (same
source, `info`, arguments; sync or async, awaitables gathered concurrently).

The plan is used only while everything goes right. Anything graphql-core would report
or treat specially (a resolver raising, null in a non-null field, a value a scalar
cannot serialise, an awaitable where a plan expects a value) abandons the plan, and
graphql-core executes the operation from the start: its answer, errors, their order and
paths are then graphql-core's own. Resolvers here only read, and a request's costly
steps (authentication, page and count queries) are memoised per request, so running
again costs little on that rare path.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Mapping
from math import isfinite
from typing import Any, ClassVar, cast

from graphql import GraphQLResolveInfo, OperationDefinitionNode, default_field_resolver
from graphql.execution import ExecutionContext
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from app.documents import BoundedCache
from app.execution import ChunkedExecutionContext
from app.plan import Completion, FieldPlan, ObjectPlan
from app.planner import build_plan, condition_variables

# Items of a list completed between two yields to the event loop: a 1,000-row page
# must not hold it for the whole page.
CHUNK = 200
_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
_PLAIN = frozenset((str, int, float, bool, dict, list))  # values never awaitable


class _Abandon(Exception):
    """The plan cannot give graphql-core's answer: let graphql-core execute."""


def compiled_execution_context(plans: BoundedCache) -> type[ExecutionContext]:
    """An `ExecutionContext` class keeping its plans in `plans` (bounded, per schema and
    operation)."""

    # graphql-core's executor, long lists in chunks (app/execution.py), when a plan cannot
    # serve the request.
    class CompiledExecutionContext(ChunkedExecutionContext):
        # How operations ran: "plan", "abandoned" (then graphql-core), "core" (no plan).
        outcomes: ClassVar[Counter[str]] = Counter()

        def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
            plan = self._plan(operation)
            if plan is None:
                self.outcomes["core"] += 1
                return super().execute_operation(operation, root_value)
            return self._execute_plan(plan, operation, root_value)

        def _plan(self, operation: OperationDefinitionNode) -> ObjectPlan | None:
            if self.middleware_manager or self.field_resolver is not default_field_resolver:
                return None
            key = (self.schema, operation)
            variants = plans.get(key)
            if variants is None:
                variants = _Variants(condition_variables(operation, self.fragments))
                plans.put(key, variants)
            conditions = tuple(self.variable_values.get(name) for name in variants.names)
            if conditions not in variants.plans:
                if len(variants.plans) >= _Variants.LIMIT:
                    return None
                if conditions not in variants.seen:
                    # A plan costs about two validations to build (most of it compiling
                    # its functions): only operations that come back get one.
                    variants.seen.add(conditions)
                    return None
                variants.plans[conditions] = build_plan(
                    self.schema, self.fragments, operation, self.variable_values
                )
            plan: ObjectPlan | None = variants.plans[conditions]
            return plan

        async def _execute_plan(
            self, plan: ObjectPlan, operation: OperationDefinitionNode, root_value: Any
        ) -> Any:
            run = _Run(self)
            try:
                data = await run.execute(plan, root_value)
            except _Abandon:
                self.outcomes["abandoned"] += 1
            else:
                self.outcomes["plan"] += 1
                return data
            result = super().execute_operation(operation, root_value)
            if self.is_awaitable(result):
                return await cast(Awaitable[Any], result)
            return result

    return CompiledExecutionContext


class _Variants:
    """An operation's plans, one per value of its `@skip`/`@include` variables."""

    LIMIT = 16  # past this many, further variants run on graphql-core
    __slots__ = ("names", "plans", "seen")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.plans: dict[tuple[Any, ...], ObjectPlan | None] = {}
        self.seen: set[tuple[Any, ...]] = set()  # run once, on graphql-core


class _Run:
    """One execution of a plan."""

    __slots__ = ("arguments", "context", "info_tail", "is_awaitable", "pending")

    def __init__(self, context: ExecutionContext) -> None:
        self.context = context
        # (container, key, awaitable, completion, path): resolver results to await, and
        # the rest of long lists (no container: their items are put in place as they go).
        self.pending: list[tuple[Any, Any, Awaitable[Any], Completion | None, Path]] = []
        self.arguments: dict[int, dict[str, Any]] = {}
        self.is_awaitable = context.is_awaitable
        # The last seven members of every `GraphQLResolveInfo` of the request.
        self.info_tail = (
            context.schema,
            context.fragments,
            context.root_value,
            context.operation,
            context.variable_values,
            context.context_value,
            context.is_awaitable,
        )

    async def execute(self, plan: ObjectPlan, root_value: Any) -> dict[str, Any]:
        try:
            data = self.object_value(plan, root_value, None)
            while self.pending:
                batch, self.pending = self.pending, []
                if len(batch) == 1:
                    values: list[Any] = [await batch[0][2]]
                else:
                    values = await asyncio.gather(
                        *(entry[2] for entry in batch), return_exceptions=True
                    )
                for (container, key, _, completion, path), value in zip(batch, values, strict=True):
                    if isinstance(value, BaseException):
                        if isinstance(value, Exception):
                            raise _Abandon from value
                        raise value
                    if container is not None:
                        assert completion is not None
                        container[key] = self.complete(completion, value, path)
            return data
        except BaseException as error:  # cancellation too (the client went away)
            for entry in self.pending:  # never started: close them, nobody will await
                if asyncio.iscoroutine(entry[2]):
                    entry[2].close()
            if isinstance(error, Exception):
                raise _Abandon from error
            raise

    def object_value(self, plan: ObjectPlan, source: Any, path: Path | None) -> dict[str, Any]:
        return plan.fill(self, source, path)

    # What the generated functions (app/codegen.py) call for the less common cases.

    def abandon(self) -> None:
        raise _Abandon

    def read(self, source: Any, attribute: tuple[str, ...]) -> Any:
        """What Ariadne's `resolve_to` reads for a dotted path."""
        value = source
        for name in attribute:
            value = value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)
            if value is None:
                break
        return value

    def call_value(self, field: FieldPlan, value: Any, path: Path) -> Any:
        """A callable attribute: the default resolvers call it with `info` and arguments."""
        return value(self.info(field, path), **self.argument_values(field))

    def later_or_complete(
        self, field: FieldPlan, value: Any, out: dict[str, Any], path: Path | None
    ) -> Any:
        """The completed value, or None for now if it is to be awaited (then the
        value goes into `out` when it comes)."""
        field_path = Path(path, field.key, field.parent_type.name)
        if type(value) not in _PLAIN and self.context.is_awaitable(value):
            self.pending.append((out, field.key, value, field.completion, field_path))
            return None
        return self.complete(field.completion, value, field_path)

    def complete(self, completion: Completion, value: Any, path: Path) -> Any:
        if value is None or value is Undefined:
            if completion.non_null:
                raise _Abandon
            return None
        leaf = completion.leaf
        if leaf is not None:
            expected = completion.pass_through
            if expected is int:
                if type(value) is int and _MIN_INT <= value <= _MAX_INT:
                    return value
            elif expected is float:
                if type(value) is float and isfinite(value):
                    return value
            elif expected is not None and type(value) is expected:
                return value
            if isinstance(value, Exception):
                raise _Abandon
            serialized = leaf.serialize(value)
            if serialized is None or serialized is Undefined:
                raise _Abandon
            return serialized
        if isinstance(value, Exception):
            raise _Abandon
        if completion.object is not None:
            return self.object_value(completion.object, value, path)
        item = completion.item
        assert item is not None
        if type(value) is not list and type(value) is not tuple:
            raise _Abandon  # other iterables: graphql-core's business
        return self.list_value(item, value, path)

    def list_value(
        self, item: Completion, values: list[Any] | tuple[Any, ...], path: Path
    ) -> list[Any]:
        out: list[Any] = [None] * len(values)
        self.complete_items(item, values, path, out, 0, min(len(values), CHUNK))
        if len(values) > CHUNK:
            rest = self.complete_rest(item, values, path, out)
            self.pending.append((None, None, rest, None, path))
        return out

    async def complete_rest(
        self, item: Completion, values: list[Any] | tuple[Any, ...], path: Path, out: list[Any]
    ) -> list[Any]:
        for start in range(CHUNK, len(values), CHUNK):
            await asyncio.sleep(0)
            self.complete_items(item, values, path, out, start, min(len(values), start + CHUNK))
        return out

    def complete_items(
        self,
        item: Completion,
        values: list[Any] | tuple[Any, ...],
        path: Path,
        out: list[Any],
        start: int,
        stop: int,
    ) -> None:
        is_awaitable = self.context.is_awaitable
        for index in range(start, stop):
            value = values[index]
            if type(value) not in _PLAIN and is_awaitable(value):
                raise _Abandon  # awaitable items: left to graphql-core
            out[index] = self.complete(item, value, path.add_key(index, None))

    def argument_values(self, field: FieldPlan) -> dict[str, Any]:
        if field.arguments is not None:
            return field.arguments
        values = self.arguments.get(id(field))
        if values is None:
            context = self.context
            values = get_argument_values(
                field.definition, field.field_nodes[0], context.variable_values
            )
            self.arguments[id(field)] = values
        return values

    def info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo:
        return GraphQLResolveInfo._make((*field.info_head, path, *self.info_tail))
