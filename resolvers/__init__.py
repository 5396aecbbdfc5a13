"""Ariadne bindables, one module per GraphQL type family. Resolvers stay thin: parse the
arguments, ask the source or `app.purchases`, shape the answer."""

from resolvers.connection import connection, edge
from resolvers.order import order
from resolvers.purchase import purchase
from resolvers.query import query

bindables = [query, connection, edge, purchase, order]
