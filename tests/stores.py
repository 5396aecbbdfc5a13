"""What the store scope tests share: Jane's Magento list in a store, and the links each
store view of the demo (fixtures/magento_stores.py) builds."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx2

from fixtures import magento
from tests import expected
from tests.helpers import Api, data_of

ITEMS = "{ customerDownloadableProducts { items { order_increment_id date status download_url remaining_downloads title link_title order_id } } }"
FR = "https://fr.shop.example.com/index.php/fr"  # the demo's `fr`: its domain, no rewrites
JANE_IDS = [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 15]  # her purchases, oldest first


def jane(
    api: Api, headers: dict[str, str] | None = None, path: str = "/graphql"
) -> httpx2.Response:
    """Jane's list, asked at `path` with these headers besides her token."""
    headers = {"Authorization": f"Bearer {magento.JANE_TOKEN}", **(headers or {})}
    return api.client.post(path, json={"query": ITEMS}, headers=headers)


def listed(response: httpx2.Response) -> list[dict[str, Any]]:
    return data_of(response)["customerDownloadableProducts"]["items"]  # type: ignore[no-any-return]


def link(base: str, link_id: int) -> str:
    """A purchase's download URL on a store's link base."""
    hashed = magento.link_hash(link_id, expected.ORDER_ITEMS[link_id])
    return f"{base}/downloadable/download/link/id/{quote(hashed, safe='')}/"
