"""Query depth and complexity limits, counted as Magento's GraphQL library counts them.

Depth: only fields that have a selection set count, and the root field is level 0.
In `{ customerDownloadableProducts { edges { node { order { _id } } } } }` the root
field is at 0, `edges` at 1, `node` at 2 and `order` at 3: depth 3. `_id` has no
selection set and adds nothing.

Complexity: every field selected counts 1, fragments counted each time they are
spread. The same query has complexity 5.

`__schema` and `__type` subtrees count for neither: graphql-core already bounds
introspection depth, and GraphiQL's own introspection query must always pass.

Aliases and root fields are limited too, so that one request cannot ask for the same
expensive field many times over. Every limit is known from the document alone, so a
cached, validated document stays valid whatever variables come with it.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def depth_message(limit: int, depth: int) -> str:
    return f"Max query depth should be {limit} but got {depth}."


def complexity_message(limit: int, complexity: int) -> str:
    return f"Max query complexity should be {limit} but got {complexity}."


def query_limits(max_depth: int, max_complexity: int) -> type[ValidationRule]:
    class QueryLimits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = fragment_definitions(self.context.document)
            depth, complexity = _Measure(fragments).selection_set(node.selection_set, set())
            depth = max(depth, 0)
            if complexity > max_complexity:
                self.report_error(
                    GraphQLError(complexity_message(max_complexity, complexity), node)
                )
            if depth > max_depth:
                self.report_error(GraphQLError(depth_message(max_depth, depth), node))

    return QueryLimits


def shape_limits(max_aliases: int, max_root_fields: int) -> type[ValidationRule]:
    class ShapeLimits(ValidationRule):
        aliases = 0

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is not None:
                self.aliases += 1

        def leave_document(self, node: Any, *_: Any) -> None:
            if self.aliases > max_aliases:
                self.report_error(
                    GraphQLError(f"Too many aliases: {self.aliases}, at most {max_aliases}.")
                )

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = fragment_definitions(self.context.document)
            count = sum(name is not None for name in root_fields(node.selection_set, fragments))
            if count > max_root_fields:
                self.report_error(
                    GraphQLError(f"Too many root fields: {count}, at most {max_root_fields}.", node)
                )

    return ShapeLimits


def fragment_definitions(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def root_fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    spreading: frozenset[str] = frozenset(),
) -> list[str | None]:
    """The names of the fields selected at this level, through fragments; None stands for
    a spread of an unknown or cyclic fragment (other rules report those)."""
    names: list[str | None] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names += root_fields(selection.selection_set, fragments, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in fragments or name in spreading:
                names.append(None)
            else:
                names += root_fields(fragments[name].selection_set, fragments, spreading | {name})
    return names


class _Measure:
    """Depth and field count of selection sets, each fragment measured once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.measured: dict[str, tuple[int, int]] = {}

    def selection_set(
        self, selection_set: SelectionSetNode, spreading: set[str]
    ) -> tuple[int, int]:
        """(depth, complexity); depth is relative to this selection set's level, and -1
        when no field in it has a selection set of its own."""
        depth, count = -1, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in INTROSPECTION_FIELDS:
                    continue
                count += 1
                if selection.selection_set is not None:
                    child_depth, child_count = self.selection_set(
                        selection.selection_set, spreading
                    )
                    depth = max(depth, child_depth + 1)
                    count += child_count
            elif isinstance(selection, InlineFragmentNode):
                child_depth, child_count = self.selection_set(selection.selection_set, spreading)
                depth, count = max(depth, child_depth), count + child_count
            elif isinstance(selection, FragmentSpreadNode):
                child_depth, child_count = self.fragment(selection.name.value, spreading)
                depth, count = max(depth, child_depth), count + child_count
        return depth, count

    def fragment(self, name: str, spreading: set[str]) -> tuple[int, int]:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in spreading:  # unknown or cyclic: other rules report it
            return -1, 0
        self.measured[name] = self.selection_set(definition.selection_set, spreading | {name})
        return self.measured[name]
