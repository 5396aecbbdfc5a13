from __future__ import annotations

from ariadne import QueryType
from graphql import GraphQLResolveInfo

from app.errors import not_found
from app.graphql import RequestContext
from app.models import Purchase
from app.pagination import PageRequest
from app.purchases import PurchaseList, parse_status, purchase_id

query = QueryType()


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
    context: RequestContext = info.context
    customer_id = await context.customer_id()
    settings = context.settings
    return PurchaseList(
        context.source,
        customer_id,
        status=parse_status(status, context.source.statuses),
        request=PageRequest.parse(
            first=first,
            last=last,
            after=after,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
        ),
    )


@query.field("customerDownloadableProduct")
async def resolve_customer_downloadable_product(
    _: None, info: GraphQLResolveInfo, id: str
) -> Purchase:
    context: RequestContext = info.context
    customer_id = await context.customer_id()
    number, value = purchase_id(id, iri=True)
    found = None if value is None else await context.source.purchase(customer_id, value)
    if found is None:  # missing and not theirs read the same
        raise not_found(number)
    return found
