from __future__ import annotations

import re

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from app.context import RequestContext
from app.domain.pagination import PageRequest
from app.domain.purchases import PurchaseList, parse_status, purchase_id
from app.errors import not_found
from app.models import Order, Purchase
from resolvers.bindable import Resolvers

query = Resolvers("Query")


# IRIs `node(id:)` refetches; more digits than a BIGINT has cannot name a row.
_NODE = re.compile(r"/api/shop/(customer-downloadable-products|customer-orders)/([0-9]{1,19})")


@query.field("customerDownloadableProducts")
async def resolve_customer_downloadable_products(
    _: None,
    info: GraphQLResolveInfo,
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
    status: str | None = None,
) -> PurchaseList:
    """Both views' root field: Magento's takes no arguments and reads `items`, Bagisto's
    pages through the connection."""
    context: RequestContext = info.context
    await context.customer_id()  # unauthorized before any argument is refused
    settings = context.settings
    return await context.purchase_list(
        parse_status(status, context.source.statuses),
        PageRequest.parse(
            first=first,
            last=last,
            after=after,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        ),
        with_total=_selects(info, "totalCount"),
    )


def _selects(info: GraphQLResolveInfo, name: str) -> bool:
    """Whether the field's selection names `name`, directly or through fragments (whatever
    their conditions: a count read and not shown costs only the count)."""
    seen: set[str] = set()
    return any(_within(node.selection_set, name, info, seen) for node in info.field_nodes)


def _within(
    selections: SelectionSetNode | None, name: str, info: GraphQLResolveInfo, seen: set[str]
) -> bool:
    # A module function, not a closure: a closure calling itself is a reference cycle, and
    # this one would hold the request's info, and all it reaches, until the cyclic collector
    # came round.
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            if selection.name.value == name:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _within(selection.selection_set, name, info, seen):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = selection.name.value
            if fragment not in seen and fragment in info.fragments:
                seen.add(fragment)
                if _within(info.fragments[fragment].selection_set, name, info, seen):
                    return True
    return False


@query.field("customerDownloadableProduct")
async def resolve_customer_downloadable_product(
    _: None, info: GraphQLResolveInfo, id: str
) -> Purchase:
    context: RequestContext = info.context
    await context.customer_id()  # unauthorized before a malformed id
    number, value = purchase_id(id, iri=True)
    found = None if value is None else await context.purchase(value)
    if found is None:  # missing and not theirs read the same
        raise not_found(number)
    return found


@query.field("node")
async def resolve_node(_: None, info: GraphQLResolveInfo, id: str) -> Purchase | Order | None:
    """Relay's refetch by IRI: one of the customer's purchases or orders, else null (a
    missing object and another customer's read the same)."""
    context: RequestContext = info.context
    await context.customer_id()  # unauthorized before an id of another kind
    match = _NODE.fullmatch(id)
    if match is None:
        return None
    resource, number = match.groups()
    if resource == "customer-orders":
        return await context.order(int(number))
    return await context.purchase(int(number))
