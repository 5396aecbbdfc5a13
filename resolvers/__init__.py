"""Resolvers, one module per GraphQL type family, registered by type name and bound to
every schema view that has the type (`Resolvers`, resolvers/bindable.py; app/graphql/views.py binds
them). Resolvers stay thin: parse the arguments, ask the source or `app.domain.purchases`, shape
the answer."""

from resolvers.connection import connection, items
from resolvers.node import node
from resolvers.order import order
from resolvers.purchase import purchase
from resolvers.query import query

bindables = [query, items, connection, node, purchase, order]
