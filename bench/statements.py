"""The service's own SQL, compiled from app/sources for MySQL: what the floor and the peer
run. Nothing here is copied: a change to the sources' statements changes the anchors'.

Each statement is (SQL with PyMySQL's `%(name)s` placeholders, default values); the peer
gets them as JSON with mysql2's `:name` placeholders (`for_mysql2`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from app.db import mysql_session_init
from app.sources.bagisto import PURCHASES, STOREFRONT_KEY
from app.sources.bagisto_tokens import TOKEN_BY_ID
from app.sources.statements import count_statement, page_statement, purchase_statement

Statement = tuple[str, dict[str, Any]]
# What each new connection runs first, as the service's do with its default
# DATABASE_STATEMENT_TIMEOUT (5 s): read-only, UTC, the statement time limit.
SESSION_INIT = mysql_session_init(5.0)


def statements() -> dict[str, Statement]:
    """By name: the token check (`model`, `id`), the storefront key (`key`), a page newest
    first (`customer_id`, `offset`, `limit`), every purchase oldest first as Magento lists
    them (`customer_id`, `offset`), the count (`customer_id`) and one purchase
    (`purchase_id`, `customer_id`): the flags the service's own calls use."""
    return {
        "token": TOKEN_BY_ID.alone.mysql(),
        "key": STOREFRONT_KEY.mysql(),
        "page": page_statement(
            PURCHASES, newest_first=True, with_status=False, limited=True
        ).mysql(),
        "everything": page_statement(
            PURCHASES, newest_first=False, with_status=False, limited=False
        ).mysql(),
        "count": count_statement(PURCHASES, with_status=False).mysql(),
        "item": purchase_statement(PURCHASES).mysql(),
    }


def for_mysql2() -> str:
    """The same statements as JSON for the Node peer: `%(name)s` becomes `:name`."""
    converted = {
        name: {"sql": re.sub(r"%\((\w+)\)s", r":\1", sql).replace("%%", "%"), "defaults": defaults}
        for name, (sql, defaults) in statements().items()
    }
    return json.dumps(converted)
