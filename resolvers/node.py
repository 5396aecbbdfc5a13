from __future__ import annotations

from typing import Any

from graphql import GraphQLAbstractType, GraphQLResolveInfo

from app.models import Order, Purchase
from resolvers.bindable import Resolvers

node = Resolvers("Node")


@node.type_resolver
def resolve_node_type(obj: Any, _: GraphQLResolveInfo, __: GraphQLAbstractType) -> str | None:
    if isinstance(obj, Purchase):
        return "CustomerDownloadableProduct"
    if isinstance(obj, Order):
        return "CustomerOrder"
    return None
