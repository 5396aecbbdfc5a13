"""A graphql-core `ExecutionContext` that runs each cached document's operation from its
plan (the spec: docs/executor.md).

Plugged in through `execution_context_class` (Ariadne passes it to graphql-core's
`execute`), so parsing, validation, variable coercion, error formatting and the HTTP
handler stay graphql-core's and Ariadne's. Only `execute_operation` changes: it finds the
operation's plan among what is kept with its document (app/graphql/documents.py: keyed on the
whole text and the operation's name, never on a node that compares equal across
documents), built by app/graphql/execution/planner.py the second time the document runs, and
produces the data from it, calling every resolver that is not a default one exactly as graphql-core
would (same source, `info`, arguments; sync or async, awaitables gathered concurrently).

The plan is used only while everything goes right. Anything graphql-core would report
or treat specially (a resolver raising, null in a non-null field, a value a scalar
cannot serialise, an awaitable where a plan expects a value, a condition variable that
is not true or false) sends the operation to graphql-core from the start: its answer,
errors, their order and paths are then graphql-core's own. Resolvers here only read, and
a request's costly steps (authentication, page and count queries) are memoised per
request, so running again costs little on that rare path.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Mapping
from math import isfinite
from typing import Any, ClassVar, cast

from graphql import GraphQLResolveInfo, OperationDefinitionNode, default_field_resolver
from graphql.execution import ExecutionContext
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from app.graphql.documents import Documents
from app.graphql.execution.chunked import CHUNK, ChunkedExecutionContext
from app.graphql.execution.codegen import compile_plan
from app.graphql.execution.plan import Completion, FieldPlan, ObjectPlan, Plan
from app.graphql.execution.planner import Unplanned, build_plan

logger = logging.getLogger("downloads_api")

_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
_PLAIN = frozenset((str, int, float, bool, dict, list))  # values never awaitable
_STATE_BYTES = 256  # an operation's `_Planned` before it has a plan


class _Abandon(Exception):
    """The plan cannot give graphql-core's answer: let graphql-core execute."""


class ExecutionStats:
    """How operations ran, for the metrics: `outcomes["plan"]` from a plan, any other key
    on graphql-core for that reason; `built` plans compiled."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.built = 0


class _Planned:
    """What is known of one operation of one document: its plan once built, or why it has
    none (then it is never planned again while its document is cached)."""

    __slots__ = ("plan", "reason")

    def __init__(self) -> None:
        self.plan: Plan | None = None
        self.reason: str | None = None


def compiled_execution_context(
    documents: Documents, stats: ExecutionStats | None = None
) -> type[ExecutionContext]:
    """An `ExecutionContext` class keeping its plans with the documents of `documents`,
    counting in `stats` how operations ran."""
    counted = ExecutionStats() if stats is None else stats

    # graphql-core's executor, long lists in chunks (app/graphql/execution/chunked.py), when a plan
    # cannot serve the request.
    class CompiledExecutionContext(ChunkedExecutionContext):
        stats: ClassVar[ExecutionStats] = counted

        def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
            plan = self._plan(operation)
            if plan is None:
                return super().execute_operation(operation, root_value)
            variables = self.variable_values
            for name in plan.conditions:
                value = variables.get(name)
                if value is not True and value is not False:  # graphql-core's error is due
                    self.stats.outcomes["conditions"] += 1
                    return super().execute_operation(operation, root_value)
            return self._execute_plan(plan, operation, root_value)

        def _plan(self, operation: OperationDefinitionNode) -> Plan | None:
            """The operation's plan, or None (having counted why) when it has none."""
            reason = self._unplannable()
            document = None if reason else documents.holding(operation)
            if document is None:
                self.stats.outcomes[reason or "uncached"] += 1
                return None
            key = ("plan", self.schema, operation.name.value if operation.name else None)
            planned: _Planned | None = document.derived.get(key)
            if planned is None:
                # A plan costs about two validations to build (most of it compiling its
                # functions): only documents that come back get one.
                documents.attach(document, key, _Planned(), _STATE_BYTES)
                self.stats.outcomes["first_sight"] += 1
                return None
            if planned.plan is None and planned.reason is None:
                planned.plan, planned.reason = self._build(operation)
                if planned.plan is not None:
                    self.stats.built += 1
                    if not documents.attach(document, key, planned, planned.plan.size):
                        planned.plan, planned.reason = None, "budget"
            if planned.plan is None:
                assert planned.reason is not None
                self.stats.outcomes[planned.reason] += 1
            return planned.plan

        def _unplannable(self) -> str | None:
            if self.middleware_manager or self.field_resolver is not default_field_resolver:
                return "executor"
            return None

        def _build(self, operation: OperationDefinitionNode) -> tuple[Plan | None, str | None]:
            """Never raises: whatever goes wrong leaves the document to graphql-core."""
            try:
                plan = build_plan(self.schema, self.fragments, operation)
                compile_plan(plan, documents.code)
            except Unplanned as unplanned:
                return None, str(unplanned)
            except Exception:
                logger.exception("could not plan an operation; graphql-core runs it")
                return None, "error"
            return plan, None

        async def _execute_plan(
            self, plan: Plan, operation: OperationDefinitionNode, root_value: Any
        ) -> Any:
            run = _Run(self)
            try:
                data = await run.execute(plan.root, root_value)
            except _Abandon:
                self.stats.outcomes["abandoned"] += 1
            else:
                self.stats.outcomes["plan"] += 1
                return data
            result = super().execute_operation(operation, root_value)
            if self.is_awaitable(result):
                return await cast(Awaitable[Any], result)
            return result

    return CompiledExecutionContext


class _Run:
    """One execution of a plan."""

    __slots__ = ("arguments", "context", "info_tail", "is_awaitable", "pending", "variables")

    def __init__(self, context: ExecutionContext) -> None:
        self.context = context
        self.variables = context.variable_values  # read by the plans' conditions
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
        assert plan.fill is not None  # compiled with its plan
        return plan.fill(self, source, path)

    # What the generated functions (app/graphql/execution/codegen.py) call for the less common
    # cases.

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
