"""A graphql-core `ExecutionContext` that runs each cached document's operation from its
plan (the spec: docs/executor.md).

Plugged in through `execution_context_class` (Ariadne passes it to graphql-core's
`execute`), so parsing, validation, variable coercion, error formatting and the HTTP
handler stay graphql-core's and Ariadne's. Only `execute_operation` changes: it finds the
operation's plan among what is kept with its document (app/graphql/documents.py: keyed on
the whole text and the operation's name, never on a node that compares equal across
documents), built by planner.py the second time the document runs, and produces the data
from it, calling every resolver that is not a default one exactly as graphql-core would
(same source, `info`, arguments; sync or async, awaitables awaited one after the other in
the request's own task, where graphql-core gathers them in tasks of their own).

The plan is used only while everything goes right. Anything graphql-core would report
or treat specially (a resolver raising, null in a non-null field, a value a scalar
cannot serialise, an awaitable where a plan expects a value, a condition variable that
is not true or false) sends the operation to graphql-core from the start: its answer,
errors, their order and paths are then graphql-core's own. Resolvers here only read, and
a request's costly steps (authentication, page and count queries) are memoised per
request, so running again costs little on that rare path.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, cast

from graphql import (
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    default_field_resolver,
    default_type_resolver,
)
from graphql.execution import ExecutionContext
from graphql.execution.values import get_variable_values

from app.graphql.documents import Document, Documents
from app.graphql.execution.chunked import ChunkedExecutionContext
from app.graphql.execution.codegen import compile_plan
from app.graphql.execution.plan import Plan
from app.graphql.execution.plan_run import Abandon, PlanRun
from app.graphql.execution.planner import Unplanned, build_plan

logger = logging.getLogger("downloads_api")

_STATE_BYTES = 256  # an operation's `_Planned` before it has a plan


class ExecutionStats:
    """How operations ran, for the metrics: `outcomes["plan"]` from a plan, any other key
    on graphql-core for that reason; `built` plans compiled."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.built = 0


class _Planned:
    """What is known of one operation of one document: its plan once built (with the
    document's fragments, as graphql-core collects them for `info`), or why it has none
    (then it is never planned again while its document is cached)."""

    __slots__ = ("fragments", "plan", "reason")

    def __init__(self) -> None:
        self.plan: Plan | None = None
        self.reason: str | None = None
        self.fragments: dict[str, FragmentDefinitionNode] = {}


# The direct path (`run_planned`): the answer from a plan, or None for the general path.
RunPlanned = Callable[
    [GraphQLSchema, Document, dict[str, Any], Any], Awaitable[dict[str, Any] | None]
]


class CompiledContext(ExecutionContext):
    """What `compiled_execution_context` makes: an `ExecutionContext` with a direct path."""

    @classmethod
    async def run_planned(
        cls, schema: GraphQLSchema, document: Document, data: dict[str, Any], context: Any
    ) -> dict[str, Any] | None:
        raise NotImplementedError


def _plan_key(schema: GraphQLSchema, operation: OperationDefinitionNode) -> tuple[Any, ...]:
    """Where an operation's `_Planned` is kept with its document."""
    return ("plan", schema, operation.name.value if operation.name else None)


def _decided(plan: Plan, variables: dict[str, Any]) -> bool:
    """Whether every variable the plan's conditions read is true or false: a plan decides
    nothing else (graphql-core answers a null one with its error)."""
    return all((value := variables.get(name)) is True or value is False for name in plan.conditions)


def compiled_execution_context(
    documents: Documents, stats: ExecutionStats | None = None
) -> type[CompiledContext]:
    """An `ExecutionContext` class keeping its plans with the documents of `documents`,
    counting in `stats` how operations ran."""
    counted = ExecutionStats() if stats is None else stats

    # graphql-core's executor, long lists in chunks (chunked.py), when a plan cannot serve
    # the request.
    class CompiledExecutionContext(ChunkedExecutionContext, CompiledContext):
        stats: ClassVar[ExecutionStats] = counted

        def execute_operation(self, operation: OperationDefinitionNode, root_value: Any) -> Any:
            plan = self._plan(operation)
            if plan is None:
                return super().execute_operation(operation, root_value)
            if not _decided(plan, self.variable_values):  # graphql-core's error is due
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
            key = _plan_key(self.schema, operation)
            planned: _Planned | None = document.derived.get(key)
            if planned is None:
                # A plan costs about two validations to build (most of it compiling its
                # functions): only documents that come back get one.
                documents.attach(document, key, _Planned(), _STATE_BYTES)
                self.stats.outcomes["first_sight"] += 1
                return None
            if planned.plan is None and planned.reason is None:
                planned.plan, planned.reason = self._build(operation)
                planned.fragments = self.fragments
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
            run = PlanRun(self)
            try:
                data = await run.execute(plan.root, root_value)
            except Abandon:
                self.stats.outcomes["abandoned"] += 1
            else:
                self.stats.outcomes["plan"] += 1
                return data
            result = super().execute_operation(operation, root_value)
            if self.is_awaitable(result):
                return await cast(Awaitable[Any], result)
            return result

        @classmethod
        async def run_planned(
            cls, schema: GraphQLSchema, document: Document, data: dict[str, Any], context: Any
        ) -> dict[str, Any] | None:
            """The direct path: `{"data": ...}` straight from the operation's plan, when it
            has one and it runs through; None for everything else, which then takes the
            general path (Ariadne's `graphql()` and `execute`) from the start, and answers
            with its own words.

            A plan exists only for an operation that passed validation on this schema (the
            general path builds one the second time an operation gets as far as running),
            so what is skipped here is what a validated, cached document no longer needs:
            Ariadne's checks of the request data are repeated (an `operationName` or
            `variables` of another type, an empty name, goes the general way), the
            operation is found as graphql-core finds it, and the variables are coerced by
            graphql-core's own function; an error there goes the general way too."""
            name, variables = data.get("operationName"), data.get("variables")
            if not (name is None or (isinstance(name, str) and name)):
                return None
            if not (variables is None or isinstance(variables, dict)):
                return None
            operation = document.operation(name)
            if operation is None:
                return None
            planned: _Planned | None = document.derived.get(_plan_key(schema, operation))
            plan = None if planned is None else planned.plan
            if planned is None or plan is None:
                return None
            coerced = get_variable_values(
                schema, operation.variable_definitions or (), variables or {}, max_errors=50
            )
            if isinstance(coerced, list) or not _decided(plan, coerced):
                return None
            # What ExecutionContext.build makes with Ariadne's arguments: no root value, the
            # default resolvers, no middleware, the default awaitable test.
            execution = cls(
                schema,
                planned.fragments,
                None,
                context,
                operation,
                coerced,
                default_field_resolver,
                default_type_resolver,
                default_field_resolver,
                [],
                None,
                None,
            )
            run = PlanRun(execution)
            try:
                answer = await run.execute(plan.root, None)
            except Abandon:
                return None  # the general path runs the plan again, and counts the outcome
            cls.stats.outcomes["plan"] += 1
            return {"data": answer}

    return CompiledExecutionContext
