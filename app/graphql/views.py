"""One hand-written schema.graphql, one view of it per GraphQL path (docs/behaviour.md §3).

Each type in schema.graphql is marked `@view(of: MAGENTO)` or `@view(of: BAGISTO)`; a type
without a mark belongs to both views. `build_views` keeps each view's types, strips the
marks (and the `@view` directive and `View` enum that declare them), and binds the
resolvers. It runs once, when the application is created.

A resolver is registered per type name (`Resolvers("CustomerDownloadableProduct")`) and
bound to every view that has that type, for the fields that view has: Magento's
`CustomerDownloadableProduct` and Bagisto's share a name but not their fields. A resolver
for a field that no view has is a mistake, and `build_views` refuses it. A field with no
resolver reads the record's attribute of its name in snake_case (`productName` reads
`product_name`: Ariadne's `convert_names_case`), so resolvers are only needed for the rest.

`python -m app.graphql.views docs/schema` prints both views into the committed snapshots.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from copy import copy
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ariadne import make_executable_schema
from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    TypeDefinitionNode,
    TypeExtensionNode,
    parse,
    print_ast,
    print_schema,
)

from app import SCHEMA_PATH

if TYPE_CHECKING:
    from resolvers.bindable import Resolvers

# The mark, as declared at the top of schema.graphql.
MARK = "view"
MARK_ARGUMENT = "of"
MARK_ENUM = "View"


class View(Enum):
    """A schema view, by the name schema.graphql marks it with."""

    MAGENTO = "MAGENTO"
    BAGISTO = "BAGISTO"

    @property
    def path(self) -> str:
        """The GraphQL path that serves the view."""
        return {View.MAGENTO: "/graphql", View.BAGISTO: "/api/graphql"}[self]

    @property
    def snapshot(self) -> str:
        """File name of the view's committed snapshot in docs/schema/."""
        return f"{self.name.lower()}.graphql"


def view_document(document: DocumentNode, view: View) -> DocumentNode:
    """The definitions of `document` that belong to `view`, without their marks."""
    kept = []
    for definition in document.definitions:
        if _declares_the_mark(definition):
            continue
        views = _views_of(definition)
        if views is None or view in views:
            kept.append(_unmarked(definition))
    return DocumentNode(definitions=tuple(kept))


def build_views(
    bindables: Sequence[Resolvers], path: Path = SCHEMA_PATH
) -> dict[View, GraphQLSchema]:
    """Every view of the schema file, with the resolvers bound."""
    document = parse(path.read_text(encoding="utf-8"))
    views = {
        view: make_executable_schema(
            print_ast(view_document(document, view)), *bindables, convert_names_case=True
        )
        for view in View
    }
    unknown = [
        f"{bindable.type_name}.{name}"
        for bindable in bindables
        for name in bindable.fields
        if not any(_has_field(schema, bindable.type_name, name) for schema in views.values())
    ]
    if unknown:
        raise ValueError(f"resolvers for fields no schema view has: {', '.join(unknown)}")
    return views


def print_views(views: Mapping[View, GraphQLSchema]) -> dict[View, str]:
    """Each view as SDL, the way docs/schema/ holds it."""
    return {view: snapshot(view, print_schema(schema)) for view, schema in views.items()}


def snapshot(view: View, sdl: str) -> str:
    """A view's printed SDL as its snapshot file holds it."""
    return (
        f"# What {view.path} serves: the {view.name} view of schema.graphql, as introspection\n"
        "# shows it. Printed by `python -m app.graphql.views docs/schema`;\n"
        "# tests/unit/test_schema.py fails when the running service and this file disagree.\n\n"
        f"{sdl}\n"
    )


def _has_field(schema: GraphQLSchema, type_name: str, field: str) -> bool:
    graphql_type = schema.type_map.get(type_name)
    return isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType) and (
        field in graphql_type.fields
    )


def _declares_the_mark(definition: Any) -> bool:
    return (isinstance(definition, DirectiveDefinitionNode) and definition.name.value == MARK) or (
        isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == MARK_ENUM
    )


def _marks(definition: Any) -> list[DirectiveNode]:
    if not isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
        return []
    return [d for d in definition.directives or () if d.name.value == MARK]


def _views_of(definition: Any) -> set[View] | None:
    """The views a definition is marked with; None when it is unmarked (every view)."""
    marks = _marks(definition)
    if not marks:
        return None
    views = set()
    for mark in marks:
        values = [a.value for a in mark.arguments or () if a.name.value == MARK_ARGUMENT]
        if len(values) != 1 or not isinstance(values[0], EnumValueNode):
            raise ValueError(f"@{MARK} on {definition.name.value} needs {MARK_ARGUMENT}: a View")
        views.add(View(values[0].value))
    return views


def _unmarked(definition: Any) -> Any:
    marks = _marks(definition)
    if not marks:
        return definition
    stripped = copy(definition)
    stripped.directives = tuple(d for d in definition.directives if d not in marks)
    return stripped


def main(argv: Sequence[str]) -> int:
    """Write each view's SDL into the folder given (docs/schema)."""
    if len(argv) != 1:
        print("usage: python -m app.graphql.views DIRECTORY", file=sys.stderr)
        return 2
    from resolvers import bindables

    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for view, text in print_views(build_views(bindables)).items():
        (folder / view.snapshot).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
