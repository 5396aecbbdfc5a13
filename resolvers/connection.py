from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLResolveInfo

from app.domain.pagination import encode_cursor
from app.domain.purchases import PurchaseList
from app.models import Purchase
from resolvers.bindable import Resolvers

# Magento's plain list (/graphql) and Bagisto's cursor connection (/api/graphql): both
# answer a `PurchaseList`, each reading what its platform's clients ask for.
items = Resolvers("CustomerDownloadableProducts")
connection = Resolvers("CustomerDownloadableProductCursorConnection")


@items.field("items")
async def resolve_items(purchases: PurchaseList, _: GraphQLResolveInfo) -> Sequence[Purchase]:
    return await purchases.everything()


@connection.field("edges")
async def resolve_edges(purchases: PurchaseList, _: GraphQLResolveInfo) -> list[dict[str, Any]]:
    page = await purchases.page()
    return [
        {"node": purchase, "cursor": encode_cursor(page.start + index)}
        for index, purchase in enumerate(page.purchases)
    ]


@connection.field("pageInfo")
async def resolve_page_info(purchases: PurchaseList, _: GraphQLResolveInfo) -> dict[str, Any]:
    page = await purchases.page()
    count = len(page.purchases)
    return {
        "start_cursor": encode_cursor(page.start) if count else None,
        "end_cursor": encode_cursor(page.start + count - 1) if count else None,
        "has_next_page": page.has_next,
        "has_previous_page": page.has_previous,
    }


@connection.field("totalCount")
async def resolve_total_count(purchases: PurchaseList, _: GraphQLResolveInfo) -> int:
    return await purchases.total()
