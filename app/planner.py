"""Building plans (app/plan.py) from graphql-core's own field collection.

`collect_fields` sees fragments, aliases and `@skip`/`@include` exactly as graphql-core
does, so a plan depends on the operation, the schema and the values of the variables
those two directives read, and on nothing else of a request.

What a plan does not cover returns None from `build_plan`, and the request runs on
graphql-core alone: introspection, interfaces and unions, `is_type_of` checks (and the
executor's own refusals: field middleware, a custom default resolver).
"""

from __future__ import annotations

import dis
from collections.abc import Callable, Mapping
from types import FunctionType
from typing import Any

from ariadne import resolve_to
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    default_field_resolver,
    get_argument_values,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import collect_fields, collect_sub_fields
from graphql.language import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    ValueNode,
    VariableNode,
    Visitor,
    visit,
)

from app.plan import Completion, FieldPlan, ObjectPlan

# Ariadne's `resolve_to(name)` (aliases, converted names) reads `name` off the parent the
# way graphql-core's default resolver does; recognised by its code, read from its closure.
_ALIAS_CODE = resolve_to("_").__code__
# Names through which a function could reach its own frame, and so its `info`, unloaded.
_FRAME_ACCESS = frozenset(("locals", "vars", "_getframe", "currentframe", "stack"))


class _Unplanned(Exception):
    """Something of the operation a plan does not cover."""


def build_plan(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variable_values: dict[str, Any],
) -> ObjectPlan | None:
    """The plan of a query operation, or None if graphql-core must run it.

    Only the `@skip`/`@include` variables of `variable_values` shape the plan."""
    if operation.operation != OperationType.QUERY or schema.query_type is None:
        return None
    root_type = schema.query_type
    builder = _Builder(schema, fragments, variable_values)
    try:
        fields = collect_fields(
            schema, fragments, variable_values, root_type, operation.selection_set
        )
        return builder.object_plan(root_type, fields)
    except _Unplanned:
        return None


def condition_variables(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables `@skip(if:)` and `@include(if:)` read in the operation or its fragments:
    the only ones a plan depends on."""
    names: set[str] = set()

    class Conditions(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            if node.name.value in ("skip", "include"):
                for argument in node.arguments:
                    _variables_in(argument.value, names)

    for node in (operation, *fragments.values()):
        visit(node, Conditions())
    return tuple(sorted(names))


class _Builder:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variable_values: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values

    def object_plan(
        self, parent: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> ObjectPlan:
        if parent.is_type_of is not None:
            raise _Unplanned
        planned = [self.field_plan(parent, key, nodes) for key, nodes in fields.items()]
        return ObjectPlan(parent, tuple(plan for plan in planned if plan is not None))

    def field_plan(
        self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]
    ) -> FieldPlan | None:
        name = nodes[0].name.value
        if name == "__typename":
            completion = Completion(non_null=True, leaf=GraphQLString)
            return FieldPlan(
                key=key,
                nodes=nodes,
                definition=_TYPENAME,
                parent=parent,
                completion=completion,
                arguments={},
                typename=True,
            )
        if name.startswith("__"):  # __schema, __type: introspection
            raise _Unplanned
        definition = parent.fields.get(name)
        if definition is None:  # graphql-core leaves the key out
            return None
        attribute = _attribute_read(definition, name)
        resolve = None if attribute is not None else definition.resolve
        reads_info = resolve is not None and reads_info_argument(resolve)
        completion = self.completion(definition.type, nodes)
        arguments = _static_arguments(definition, nodes[0])
        return FieldPlan(
            key=key,
            nodes=nodes,
            definition=definition,
            parent=parent,
            completion=completion,
            attribute=attribute,
            resolve=resolve,
            reads_info=reads_info,
            arguments=arguments,
        )

    def completion(self, type_: GraphQLOutputType, nodes: list[FieldNode]) -> Completion:
        non_null = is_non_null_type(type_)
        if non_null:
            assert isinstance(type_, GraphQLNonNull)
            type_ = type_.of_type
        if is_list_type(type_):
            assert isinstance(type_, GraphQLList)
            return Completion(non_null=non_null, item=self.completion(type_.of_type, nodes))
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            return Completion(non_null=non_null, leaf=type_)
        if is_object_type(type_):
            assert isinstance(type_, GraphQLObjectType)
            fields = collect_sub_fields(
                self.schema, self.fragments, self.variable_values, type_, nodes
            )
            return Completion(non_null=non_null, object=self.object_plan(type_, fields))
        raise _Unplanned  # interfaces and unions


def _attribute_read(definition: GraphQLField, name: str) -> tuple[str, ...] | None:
    """The attribute path a default resolver reads, or None for any other resolver."""
    resolve = definition.resolve
    if resolve is None or resolve is default_field_resolver:
        return (name,)
    code = getattr(resolve, "__code__", None)
    closure = getattr(resolve, "__closure__", None)
    if code is _ALIAS_CODE and closure is not None:
        cells = dict(zip(code.co_freevars, closure, strict=True))
        attr_name = cells["attr_name"].cell_contents
        if isinstance(attr_name, str):
            return tuple(attr_name.split("."))
    return None


def reads_info_argument(resolve: Callable[..., Any]) -> bool:
    """Whether a resolver can read its second argument, `info`, judged from its code. Most
    of ours never do (`def resolve_iri(obj, _)`), and a plan calls those with None instead
    of a `GraphQLResolveInfo` built for the call. Only a plain function whose code never
    loads that parameter, keeps it in no closure and names nothing that reaches its own
    frame counts as not reading it; anything else gets a real one."""
    if not isinstance(resolve, FunctionType):
        return True
    code = resolve.__code__
    if code.co_argcount < 2:  # info in *args (or no such parameter): assume it is read
        return True
    info = code.co_varnames[1]
    if info in code.co_cellvars or not _FRAME_ACCESS.isdisjoint(code.co_names):
        return True
    for instruction in dis.get_instructions(code):
        value = instruction.argval
        if value == info or (isinstance(value, tuple) and info in value):
            return True
    return False


def _static_arguments(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    if not definition.args:
        return {}
    if any(_variables_in(argument.value, set()) for argument in node.arguments or ()):
        return None
    try:
        return get_argument_values(definition, node, {})
    except Exception as error:  # graphql-core reports it as a field error
        raise _Unplanned from error


def _variables_in(value: ValueNode | Node, names: set[str]) -> set[str]:
    if isinstance(value, VariableNode):
        names.add(value.name.value)
    elif isinstance(value, ListValueNode):
        for item in value.values:
            _variables_in(item, names)
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            _variables_in(field.value, names)
    return names


# A stand-in definition for `__typename` (the plan never calls its resolver).
_TYPENAME = GraphQLField(GraphQLNonNull(GraphQLString))
