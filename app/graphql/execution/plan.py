"""Execution plans: what graphql-core would do for one operation, worked out once per
document (built by planner.py, compiled by codegen.py, run by plan_run.py, beside this module in
app/graphql/execution/).

For each selected field a plan records the response key, the `@skip`/`@include`
conditions it is selected under, how the value is read (a record's attribute or key for
default resolvers, Ariadne's aliases included; any other resolver is called), how the
value is completed (built-in scalars pass through after the same checks their
`serialize` makes) and the child plan. Plans are data: nothing here compiles or runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLString,
)
from graphql.language import FieldNode
from graphql.pyutils import Path

# What a compiled object plan is called with: (runner, source, path) -> the object's dict.
Fill = Callable[[Any, Any, Path | None], dict[str, Any]]

# `@skip`/`@include` on the way to a field: (variable, the value it must have) pairs, all
# of which must hold for the field to be selected; empty for a field always selected.
Condition = frozenset[tuple[str, bool]]

# Built-in scalars whose `serialize` returns a value of this exact type unchanged (after
# the range check for Int and the finiteness check for Float).
_PASS_THROUGH: dict[GraphQLLeafType, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
    GraphQLFloat: float,
}


class Completion:
    """How a resolved value becomes part of the response, for one (wrapped) type."""

    __slots__ = ("item", "leaf", "non_null", "object", "pass_through")

    def __init__(
        self,
        *,
        non_null: bool,
        leaf: GraphQLLeafType | None = None,
        item: Completion | None = None,
        object: ObjectPlan | None = None,
    ) -> None:
        self.non_null = non_null
        self.leaf = leaf
        self.pass_through = _PASS_THROUGH.get(leaf) if leaf is not None else None
        self.item = item  # lists
        self.object = object


class FieldPlan:
    __slots__ = (
        "arguments",
        "attribute",
        "completion",
        "condition",
        "definition",
        "field_nodes",
        "info_head",
        "key",
        "name",
        "parent_type",
        "plain",
        "reads_info",
        "resolve",
        "single",
        "typename",
    )

    def __init__(
        self,
        *,
        key: str,
        nodes: list[FieldNode],
        definition: GraphQLField,
        parent: GraphQLObjectType,
        completion: Completion,
        attribute: tuple[str, ...] | None = None,
        resolve: Callable[..., Any] | None = None,
        reads_info: bool = True,
        arguments: dict[str, Any] | None = None,
        typename: bool = False,
        condition: Condition = frozenset(),
    ) -> None:
        self.key = key  # the response key (alias or name)
        self.name = nodes[0].name.value
        self.field_nodes = nodes
        self.definition = definition
        self.parent_type = parent
        self.completion = completion
        # A default resolver inlined: the attribute (or mapping key) path to read.
        self.attribute = attribute
        self.single = attribute[0] if attribute is not None and len(attribute) == 1 else None
        self.resolve = resolve
        # False: the resolver never reads `info` (app/graphql/execution/planner.py), so it is given
        # None.
        self.reads_info = reads_info
        # Argument values when they do not depend on variables; None: computed per request.
        self.arguments = arguments
        self.typename = typename  # `__typename`: the parent type's name
        self.condition = condition
        # A value of this type is the answer as it is (str for String and ID, bool).
        self.plain = completion.pass_through if completion.pass_through in (str, bool) else None
        # The first four members of every `GraphQLResolveInfo` for this field.
        self.info_head = (self.name, nodes, definition.type, parent)


class ObjectPlan:
    """The fields selected on one object type, and the function that resolves them
    (set by app/graphql/execution/codegen.py)."""

    __slots__ = ("fields", "fill", "type")

    def __init__(self, type_: GraphQLObjectType, fields: tuple[FieldPlan, ...]) -> None:
        self.type = type_
        self.fields = fields
        self.fill: Fill | None = None


class Plan:
    """An operation's plan: the root object's, and what it needs of a request."""

    __slots__ = ("conditions", "fields", "root", "size")

    def __init__(self, root: ObjectPlan, conditions: tuple[str, ...], fields: int) -> None:
        self.root = root
        # The variables its conditions read: each must be true or false in a request the
        # plan runs (else graphql-core's error is due, and graphql-core runs it).
        self.conditions = conditions
        self.fields = fields
        self.size = 0  # bytes, estimated when it is compiled

    def objects(self) -> list[ObjectPlan]:
        """Every object plan in it, the root's first."""
        found, stack = [], [self.root]
        while stack:
            plan = stack.pop()
            found.append(plan)
            for field in plan.fields:
                completion = field.completion
                while completion.item is not None:
                    completion = completion.item
                if completion.object is not None:
                    stack.append(completion.object)
        return found
