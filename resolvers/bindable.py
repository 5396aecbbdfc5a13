"""`Resolvers`: the resolvers of one GraphQL type, registered by type name (an Ariadne schema
bindable). The resolver modules register into it and app/graphql/views.py binds it to every
view that has the type: both import it from here, so neither imports the other's module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ariadne import SchemaBindable, resolve_to
from graphql import (
    GraphQLFieldResolver,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLTypeResolver,
)

Resolver = TypeVar("Resolver", bound=Callable[..., Any])


class Resolvers(SchemaBindable):
    """The resolvers of one GraphQL type, for whichever views have that type (an Ariadne
    schema bindable). Unlike Ariadne's `ObjectType`, it leaves alone the fields a view
    lacks; `build_views` checks that each field it names is in some view."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.fields: dict[str, GraphQLFieldResolver] = {}
        self.resolve_type: GraphQLTypeResolver | None = None

    def field(self, name: str) -> Callable[[Resolver], Resolver]:
        def register(resolver: Resolver) -> Resolver:
            self.fields[name] = resolver
            return resolver

        return register

    def set_field(self, name: str, resolver: GraphQLFieldResolver) -> None:
        self.fields[name] = resolver

    def set_alias(self, name: str, attribute: str) -> None:
        """The field reads the record's `attribute`."""
        self.fields[name] = resolve_to(attribute)

    def type_resolver(self, resolver: GraphQLTypeResolver) -> GraphQLTypeResolver:
        """For an interface: the name of the object type a value is."""
        self.resolve_type = resolver
        return resolver

    def bind_to_schema(self, schema: GraphQLSchema) -> None:
        graphql_type = schema.type_map.get(self.type_name)
        if not isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType):
            return  # not in this view
        for name, resolver in self.fields.items():
            field = graphql_type.fields.get(name)
            if field is not None:
                field.resolve = resolver
        if isinstance(graphql_type, GraphQLInterfaceType) and self.resolve_type is not None:
            graphql_type.resolve_type = self.resolve_type
