"""One run of a plan (built by planner.py, compiled by codegen.py, chosen by runner.py):
the state of one request's execution, and what the generated functions call to complete
values as graphql-core would. Anything graphql-core would report or treat specially raises
`Abandon`, and runner.py then hands the operation to graphql-core from the start."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping
from math import isfinite
from typing import Any

from graphql import GraphQLResolveInfo
from graphql.execution import ExecutionContext
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined

from app.graphql.execution.chunked import CHUNK
from app.graphql.execution.plan import Completion, FieldPlan, ObjectPlan

_MIN_INT, _MAX_INT = -(2**31), 2**31 - 1
_PLAIN = frozenset((str, int, float, bool, dict, list))  # values never awaitable
_new = tuple.__new__  # Path is a named tuple


class Abandon(Exception):
    """The plan cannot give graphql-core's answer: let graphql-core execute."""


class PlanRun:
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
                # One after the other, in this task: a task each would cost a scheduling
                # round and a context copy, and the fields of one list share their
                # lookups (app/domain/once.py), so none of them waits for another's.
                batch, self.pending = self.pending, []
                for index, (container, key, awaitable, completion, path) in enumerate(batch):
                    try:
                        value = await awaitable
                    except BaseException:
                        self.pending += batch[index + 1 :]  # closed below, never started
                        raise
                    if container is not None:
                        assert completion is not None
                        container[key] = self.complete(completion, value, path)
            return data
        except BaseException as error:  # cancellation too (the client went away)
            for entry in self.pending:  # never started: close them, nobody will await
                if asyncio.iscoroutine(entry[2]):
                    entry[2].close()
            if isinstance(error, Exception):
                raise Abandon from error
            raise

    def object_value(self, plan: ObjectPlan, source: Any, path: Path | None) -> dict[str, Any]:
        assert plan.fill is not None  # compiled with its plan
        return plan.fill(self, source, path)

    # What the generated functions (app/graphql/execution/codegen.py) call for the less common
    # cases.

    def abandon(self) -> None:
        raise Abandon

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
                raise Abandon
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
                raise Abandon
            serialized = leaf.serialize(value)
            if serialized is None or serialized is Undefined:
                raise Abandon
            return serialized
        if isinstance(value, Exception):
            raise Abandon
        if completion.object is not None:
            return self.object_value(completion.object, value, path)
        item = completion.item
        assert item is not None
        if type(value) is not list and type(value) is not tuple:
            raise Abandon  # other iterables: graphql-core's business
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
        # Objects (the common list) go straight to their plan, as `complete` would send them.
        fill = None if item.object is None else item.object.fill
        for index in range(start, stop):
            value = values[index]
            if type(value) not in _PLAIN and is_awaitable(value):
                raise Abandon  # awaitable items: left to graphql-core
            at = _new(Path, (path, index, None))  # Path's own fields, without its __init__
            if fill is None or value is None or value is Undefined or isinstance(value, Exception):
                out[index] = self.complete(item, value, at)
            else:
                out[index] = fill(self, value, at)

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
