from __future__ import annotations

import re
from functools import partial

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from app.context import RequestContext
from app.domain.pagination import PageRequest
from app.domain.purchases import PurchaseList, parse_status
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
    pages through the connection. The first read the selection needs is made here, so
    that the token is checked in its statement and refused on this field."""
    context: RequestContext = info.context
    settings = context.settings
    request = await context.customer_first(
        partial(
            PageRequest.parse,
            first=first,
            last=last,
            after=after,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        )
    )
    selected = _selected(info, READS)
    purchases = context.purchase_list(
        parse_status(status, context.source.statuses),
        request,
        with_total="totalCount" in selected,
    )
    if "items" in selected:
        await purchases.everything()
    elif "edges" in selected or "pageInfo" in selected:
        await purchases.page()
    elif "totalCount" in selected:
        await purchases.total()
    else:
        await context.customer_id()
    return purchases


# The fields of the list that read purchases (the others read nothing).
READS = frozenset({"items", "edges", "pageInfo", "totalCount"})


def _selected(info: GraphQLResolveInfo, names: frozenset[str]) -> set[str]:
    """Which of `names` the field's selection names, directly or through fragments
    (whatever their conditions: a read made and not shown costs only the read)."""
    found: set[str] = set()
    seen: set[str] = set()
    for node in info.field_nodes:
        _collect(node.selection_set, names, info, seen, found)
    return found


def _collect(
    selections: SelectionSetNode | None,
    names: frozenset[str],
    info: GraphQLResolveInfo,
    seen: set[str],
    found: set[str],
) -> None:
    # A module function, not a closure: a closure calling itself is a reference cycle, and
    # this one would hold the request's info, and all it reaches, until the cyclic collector
    # came round.
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            if selection.name.value in names:
                found.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, names, info, seen, found)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = selection.name.value
            if fragment not in seen and fragment in info.fragments:
                seen.add(fragment)
                _collect(info.fragments[fragment].selection_set, names, info, seen, found)


@query.field("customerDownloadableProduct")
async def resolve_customer_downloadable_product(
    _: None, info: GraphQLResolveInfo, id: str
) -> Purchase:
    context: RequestContext = info.context
    return await context.purchase_named(id, iri=True)


@query.field("node")
async def resolve_node(_: None, info: GraphQLResolveInfo, id: str) -> Purchase | Order | None:
    """Relay's refetch by IRI: one of the customer's purchases or orders, else null (a
    missing object and another customer's read the same)."""
    context: RequestContext = info.context
    match = _NODE.fullmatch(id)
    if match is None:
        await context.customer_id()  # unauthorized before an id of another kind
        return None
    resource, number = match.groups()
    if resource == "customer-orders":
        return await context.order(int(number))
    return await context.purchase(int(number))  # the token may be checked in its statement
