"""How a demo purchase reads through each source, worked out from fixtures/demo.py on its
own: an oracle that shares no code with app/sources."""

from __future__ import annotations

import os
from urllib.parse import quote

from fixtures import demo, magento

BASE = "https://shop.example.com"
# TEST_MAGENTO_STORE=fr runs the API tests (`-m db`) of the Magento source in that store
# view of the demo (fixtures/magento_stores.py): tests/conftest.py's clients send
# `Store: fr`, and the links below are fr's. The rows are the same in every store.
MAGENTO_STORE = os.environ.get("TEST_MAGENTO_STORE") or None
MAGENTO_STORE_LINKS = {"fr": "https://fr.shop.example.com/index.php/fr"}
LINKS = {link.id: link for link in demo.LINKS}
ORDER_ITEMS = dict(zip((link.id for link in demo.LINKS), demo.order_item_ids(), strict=True))


def magento_link_base(base: str = BASE) -> str:
    """Where the Magento source's links start in TEST_MAGENTO_STORE (`base`: the default's)."""
    return MAGENTO_STORE_LINKS.get(MAGENTO_STORE or "", base)


def download_url(source: str, link_id: int, base: str = BASE) -> str:
    if source == "magento":
        base = magento_link_base(base)
        link_hash = magento.link_hash(link_id, ORDER_ITEMS[link_id])
        return f"{base}/downloadable/download/link/id/{quote(link_hash, safe='')}/"
    return f"{base}/api/shop/customer-downloadable-products/{link_id}/download"


def canceled(source: str, link_id: int) -> int:
    """Magento keeps no count of cancelled downloads."""
    return 0 if source == "magento" else LINKS[link_id].canceled


def remaining(source: str, link_id: int) -> int | None:
    link = LINKS[link_id]
    if not link.bought:
        return None
    return max(0, link.bought - link.used - canceled(source, link_id))


def remaining_text(source: str, link_id: int) -> str:
    left = remaining(source, link_id)
    return "Unlimited" if left is None else str(left)


def file(source: str, link_id: int) -> str | None:
    link = LINKS[link_id]
    if link.type != "file":
        return None
    if source == "magento":
        return f"/{link.target[0]}/{link.target[1]}/{link.target}"
    return f"downloadable/{link.target}"
