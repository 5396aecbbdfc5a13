from __future__ import annotations

from graphql import GraphQLResolveInfo

from app.context import RequestContext
from app.domain.purchases import IRI_PREFIX
from app.models import Purchase
from app.notation import iso8601, magento_date
from resolvers.bindable import Resolvers

purchase = Resolvers("CustomerDownloadableProduct")

# The fields whose attribute is not their name in snake_case. ScandiPWA's backend module
# adds `title` and `link_title` to Magento's type.
for field, attribute in {"_id": "id", "title": "product_name", "link_title": "name"}.items():
    purchase.set_alias(field, attribute)


@purchase.field("id")
def resolve_iri(obj: Purchase, _: GraphQLResolveInfo) -> str:
    return f"{IRI_PREFIX}{obj.id}"


@purchase.field("createdAt")
def resolve_created_at(obj: Purchase, _: GraphQLResolveInfo) -> str | None:
    return iso8601(obj.created_at)


@purchase.field("updatedAt")
def resolve_updated_at(obj: Purchase, _: GraphQLResolveInfo) -> str | None:
    return iso8601(obj.updated_at)


@purchase.field("downloadUrl")
@purchase.field("download_url")
def resolve_download_url(obj: Purchase, info: GraphQLResolveInfo) -> str:
    context: RequestContext = info.context
    return context.base_url + obj.download_path


@purchase.field("date")
def resolve_date(obj: Purchase, _: GraphQLResolveInfo) -> str | None:
    return magento_date(obj.created_at)


@purchase.field("remaining_downloads")
def resolve_remaining_text(obj: Purchase, _: GraphQLResolveInfo) -> str:
    remaining = obj.remaining_downloads
    return "Unlimited" if remaining is None else str(remaining)
