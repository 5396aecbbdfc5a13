from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLResolveInfo

from app.models import Order
from app.notation import iso8601
from resolvers.bindable import Resolvers

order = Resolvers("CustomerOrder")

order.set_alias("_id", "id")


@order.field("id")
def resolve_iri(obj: Order, _: GraphQLResolveInfo) -> str:
    return f"/api/shop/customer-orders/{obj.id}"


def _amount(attribute: str) -> Callable[[Order, GraphQLResolveInfo], float | None]:
    # Stored as DECIMAL(12,4); clients expect a JSON number (29.99, not "29.9900").
    def resolve(obj: Order, _: GraphQLResolveInfo) -> float | None:
        value = getattr(obj, attribute)
        return None if value is None else float(value)

    return resolve


for field, attribute in {
    "grandTotal": "grand_total",
    "baseGrandTotal": "base_grand_total",
    "subTotal": "sub_total",
}.items():
    order.set_field(field, _amount(attribute))


@order.field("createdAt")
def resolve_created_at(obj: Order, _: GraphQLResolveInfo) -> str | None:
    return iso8601(obj.created_at)


@order.field("updatedAt")
def resolve_updated_at(obj: Order, _: GraphQLResolveInfo) -> str | None:
    return iso8601(obj.updated_at)
