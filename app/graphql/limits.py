"""What a GraphQL document asks for, measured once, before anything else is done with it.

Every request is measured before its storefront key, its token or graphql-core's
validation is looked at, so the walk must cost time linear in the document's size
whatever it holds: each fragment is measured once and its figures reused wherever it is
spread, and a fragment that spreads itself (directly or not) counts as nothing (the
standard NoFragmentCycles rule reports it later). A document of 40 fragments that each
spread the next twice has a complexity of 2^40, computed in 40 steps.

Depth and complexity are counted as Magento's GraphQL library counts them, introspection
fields included, as Magento does:
- depth: only fields that have a selection set count, and the root field is level 0. In
  `{ customerDownloadableProducts { edges { node { order { _id } } } } }` the root field
  is at 0, `edges` at 1, `node` at 2 and `order` at 3: depth 3.
- complexity: every field selected counts 1, a fragment counted each time it is spread.
  The same query has complexity 5.

Aliases, root fields and selections of purchase lists are counted the same way, so one
request cannot ask for the same expensive field many times over. All of it is known from
the document alone, so a cached document's figures hold whatever variables come with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)

from app.settings import Settings

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# Selection sets, fragments and spreads nested deeper than this are refused before
# graphql-core walks them (its validation and execution recurse once per level). Depth
# (20 by default) bounds fields; this bounds the rest. GraphiQL's own query nests 13.
MAX_NESTING = 64
# Counts stop growing here: a figure past any limit needs no more precision, and a
# document built to overflow one must not cost big-integer arithmetic either.
_CEILING = 10**9


@dataclass(frozen=True)
class Measure:
    """What one operation (or one fragment) selects, fragments expanded."""

    depth: int = -1  # relative to its own level; -1 when no field has a selection set
    complexity: int = 0
    aliases: int = 0
    lists: int = 0  # selections of a list of purchases (`items`, `edges`)
    root_fields: int = 0
    # How deep selection sets, inline fragments and fragment spreads nest, whatever the kind.
    nesting: int = 0
    # Whether the root level selects introspection (`__schema`, `__type`), or anything else.
    root_introspection: bool = False
    root_other: bool = False

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            depth=max(self.depth, other.depth),
            complexity=min(self.complexity + other.complexity, _CEILING),
            aliases=min(self.aliases + other.aliases, _CEILING),
            lists=min(self.lists + other.lists, _CEILING),
            root_fields=min(self.root_fields + other.root_fields, _CEILING),
            nesting=max(self.nesting, other.nesting),
            root_introspection=self.root_introspection or other.root_introspection,
            root_other=self.root_other or other.root_other,
        )

    @property
    def introspection_only(self) -> bool:
        """Whether the operation selects nothing but `__schema` and `__type` at its root.
        (`__typename` does not count: it must not get past the storefront key.)"""
        return self.root_introspection and not self.root_other


def measure(document: DocumentNode, list_fields: frozenset[str]) -> dict[str | None, Measure]:
    """Each operation's figures, by operation name (None for an anonymous one)."""
    walk = _Walk(document, list_fields)
    return {
        (operation.name.value if operation.name else None): walk.operation(operation)
        for operation in document.definitions
        if isinstance(operation, OperationDefinitionNode)
    }


def list_fields(schemas: Iterable[GraphQLSchema]) -> frozenset[str]:
    """The names of the fields that return a list of objects: the fields whose cost grows
    with the customer's purchases."""
    names = set()
    for schema in schemas:
        for type_ in schema.type_map.values():
            if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
                continue
            for name, definition in type_.fields.items():
                of = definition.type
                if isinstance(of, GraphQLNonNull):
                    of = of.of_type
                if isinstance(of, GraphQLList):
                    names.add(name)
    return frozenset(names)


class LimitExceeded(GraphQLError):
    """A document over a limit: `limit` names it (its setting's name, lower case) for the
    request log; clients see only the message."""

    def __init__(self, limit: str, message: str, node: Node | None = None) -> None:
        super().__init__(message, node)
        self.limit = limit


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_complexity: int
    max_aliases: int
    max_root_fields: int
    max_lists: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_depth=settings.max_query_depth,
            max_complexity=settings.max_query_complexity,
            max_aliases=settings.max_query_aliases,
            max_root_fields=settings.max_root_fields,
            max_lists=settings.max_list_selections,
        )

    def errors(
        self, document: DocumentNode, measures: Mapping[str | None, Measure]
    ) -> list[LimitExceeded]:
        """The limits each operation breaks, in the order and words clients know."""
        found: list[LimitExceeded] = []
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        for operation in operations:
            figures = measures[operation.name.value if operation.name else None]
            if figures.complexity > self.max_complexity:
                message = complexity_message(self.max_complexity, figures.complexity)
                found.append(LimitExceeded("max_query_complexity", message, operation))
            depth = max(figures.depth, 0)
            if depth > self.max_depth:
                message = depth_message(self.max_depth, depth)
                found.append(LimitExceeded("max_query_depth", message, operation))
            if figures.root_fields > self.max_root_fields:
                message = (
                    f"Too many root fields: {figures.root_fields}, at most {self.max_root_fields}."
                )
                found.append(LimitExceeded("max_root_fields", message, operation))
            if figures.lists > self.max_lists:
                message = (
                    f"Too many selections of purchase lists: {figures.lists},"
                    f" at most {self.max_lists}."
                )
                found.append(LimitExceeded("max_list_selections", message, operation))
            if figures.nesting > MAX_NESTING:
                found.append(LimitExceeded("max_nesting", TOO_DEEP_MESSAGE, operation))
        aliases = max((m.aliases for m in measures.values()), default=0)
        if aliases > self.max_aliases:
            message = f"Too many aliases: {aliases}, at most {self.max_aliases}."
            found.append(LimitExceeded("max_query_aliases", message))
        return found


TOO_DEEP_MESSAGE = "The document is nested too deeply."


def depth_message(limit: int, depth: int) -> str:
    return f"Max query depth should be {limit} but got {depth}."


def complexity_message(limit: int, complexity: int) -> str:
    return f"Max query complexity should be {limit} but got {complexity}."


@dataclass
class _Walk:
    document: DocumentNode
    list_fields: frozenset[str]
    fragments: dict[str, FragmentDefinitionNode] = field(init=False)
    measured: dict[str, Measure] = field(default_factory=dict)
    spreading: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        definitions = self.document.definitions
        self.fragments = {
            d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)
        }

    def operation(self, operation: OperationDefinitionNode) -> Measure:
        return self.selection_set(operation.selection_set, root=True)

    def selection_set(self, selection_set: SelectionSetNode, *, root: bool = False) -> Measure:
        total = Measure()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, root)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_set(selection.selection_set, root=root)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, root)
        return replace(total, nesting=total.nesting + 1)

    def field(self, node: FieldNode, root: bool) -> Measure:
        name = node.name.value
        own = Measure(
            complexity=1,
            aliases=node.alias is not None,
            lists=name in self.list_fields,
            root_fields=root,
            root_introspection=root and name in INTROSPECTION_FIELDS,
            root_other=root and name not in INTROSPECTION_FIELDS,
        )
        if node.selection_set is None:
            return own
        child = self.selection_set(node.selection_set)
        # The child's own root figures are those of a nested level: not the operation's.
        return own + Measure(
            depth=child.depth + 1,
            complexity=child.complexity,
            aliases=child.aliases,
            lists=child.lists,
            nesting=child.nesting,
        )

    def fragment(self, name: str, root: bool) -> Measure:
        # A fragment's figures depend on whether it is spread at the root (root fields
        # and names) or below: memoise both ways.
        key = f"{name}\0{'root' if root else ''}"
        if key in self.measured:
            return self.measured[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.spreading:  # unknown or cyclic: reported later
            return Measure()
        self.spreading.add(name)
        try:
            figures = self.selection_set(definition.selection_set, root=root)
        finally:
            self.spreading.discard(name)
        self.measured[key] = figures
        return figures
