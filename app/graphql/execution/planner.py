"""Building plans (app/graphql/execution/plan.py) for a document's operation, once per document.

Fields are collected as graphql-core collects them (fragments, aliases, type conditions,
the first spread of a fragment only) but with `@skip`/`@include` left open: each
collected field keeps the conditions on its way from the operation, and the plan tests
them against the request's variables when it runs, as graphql-jit does. So one plan
serves every request of the document, whatever its variables.

That is exact only where the values cannot change the *order* of the answer's keys or
which fields merge under one key; where they could (one response key selected under
different conditions, a fragment spread again under other conditions), the document
is not planned. What a plan does not cover at all raises `Unplanned` with the reason,
and the document then runs on graphql-core alone: introspection, interfaces and unions,
`is_type_of` checks, mutations, more fields than `MAX_FIELDS`.
"""

from __future__ import annotations

from typing import Any

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
    get_argument_values,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import does_fragment_condition_match
from graphql.language import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)

from app.graphql.execution.plan import Completion, Condition, FieldPlan, ObjectPlan, Plan
from app.graphql.execution.resolver_code import attribute_read, reads_info_argument

# Field plans in one operation's plan, at most: compiling one costs some 0.13 ms (far less
# when its object's shape was compiled before) and keeps about 1.2 KB, so a plan costs at
# most ~40 ms once. The clients' documents hold 7 to 45; MAX_QUERY_COMPLEXITY's default
# keeps any valid document near or below this.
MAX_FIELDS = 300


class Unplanned(Exception):
    """Something of the document a plan does not cover; the message is the reason."""


def build_plan(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
) -> Plan:
    """The plan of a query operation, for every value of its variables; raises
    `Unplanned` when graphql-core must run it."""
    if operation.operation != OperationType.QUERY or schema.query_type is None:
        raise Unplanned("operation")
    builder = _Builder(schema, fragments)
    root = builder.object_plan(schema.query_type, [operation.selection_set])
    return Plan(root, tuple(sorted(builder.conditions)), builder.fields)


Collected = dict[str, tuple[list[FieldNode], Condition]]


class _Builder:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.conditions: set[str] = set()  # variables the plan's conditions read
        self.fields = 0

    def object_plan(
        self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> ObjectPlan:
        if parent.is_type_of is not None:
            raise Unplanned("is_type_of")
        collected: Collected = {}
        spreads: dict[str, Condition] = {}
        for selection_set in selection_sets:
            self.collect(parent, selection_set, frozenset(), collected, spreads)
        planned = [
            self.field_plan(parent, key, nodes, condition)
            for key, (nodes, condition) in collected.items()
        ]
        return ObjectPlan(parent, tuple(plan for plan in planned if plan is not None))

    def collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        condition: Condition,
        collected: Collected,
        spreads: dict[str, Condition],
    ) -> None:
        """graphql-core's `collect_fields`, with the conditions kept instead of decided."""
        for selection in selection_set.selections:
            own = self.condition_of(selection)
            if own is None:  # skipped whatever the variables
                continue
            where = condition | own
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                entry = collected.get(key)
                if entry is None:
                    collected[key] = ([selection], where)
                elif entry[1] == where:
                    entry[0].append(selection)
                else:  # the variables would decide the key's place and its field nodes
                    raise Unplanned("conditions")
            elif isinstance(selection, InlineFragmentNode):
                if does_fragment_condition_match(self.schema, selection, parent):
                    self.collect(parent, selection.selection_set, where, collected, spreads)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                first = spreads.get(name)
                if first is not None:
                    # graphql-core collects a fragment at its first spread that is not
                    # skipped. Whenever this spread is not skipped, the first one was not
                    # either when its conditions are among this one's: nothing to do.
                    if first <= where:
                        continue
                    raise Unplanned("conditions")
                spreads[name] = where
                fragment = self.fragments.get(name)
                if fragment is not None and does_fragment_condition_match(
                    self.schema, fragment, parent
                ):
                    self.collect(parent, fragment.selection_set, where, collected, spreads)

    def condition_of(self, selection: SelectionNode) -> Condition | None:
        """What `@skip`/`@include` on a selection ask of the variables: (name, value it
        must have) pairs; None when a literal argument skips it always."""
        condition: set[tuple[str, bool]] = set()
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            included_when = name == "include"
            for argument in directive.arguments:
                if argument.name.value != "if":
                    continue
                value = argument.value
                if isinstance(value, VariableNode):
                    self.conditions.add(value.name.value)
                    condition.add((value.name.value, included_when))
                elif isinstance(value, BooleanValueNode):
                    if value.value is not included_when:
                        return None
                else:  # validation refuses anything else
                    raise Unplanned("conditions")
        return frozenset(condition)

    def field_plan(
        self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode], condition: Condition
    ) -> FieldPlan | None:
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise Unplanned("size")
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
                condition=condition,
            )
        if name.startswith("__"):  # __schema, __type: introspection
            raise Unplanned("introspection")
        definition = parent.fields.get(name)
        if definition is None:  # graphql-core leaves the key out
            return None
        attribute = attribute_read(definition, name)
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
            condition=condition,
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
            selection_sets = [node.selection_set for node in nodes if node.selection_set]
            return Completion(non_null=non_null, object=self.object_plan(type_, selection_sets))
        raise Unplanned("abstract_type")  # interfaces and unions


def _static_arguments(definition: GraphQLField, node: FieldNode) -> dict[str, Any] | None:
    if not definition.args:
        return {}
    if any(_variables_in(argument.value, set()) for argument in node.arguments or ()):
        return None
    try:
        return get_argument_values(definition, node, {})
    except Exception as error:  # graphql-core reports it as a field error
        raise Unplanned("arguments") from error


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
