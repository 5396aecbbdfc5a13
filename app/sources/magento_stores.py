"""Magento's store views, and the configuration download URLs are built on (docs/behaviour.md §9).

Read from `store`, `store_group`, `store_website` and the few `core_config_data` paths
needed, one statement each, at start-up and then every `MAGENTO_STORE_REFRESH_SECONDS`
(a minute at most); never per request. A refresh that fails keeps the last snapshot.
Magento's rules: `Store::getBaseUrl`, `StoreValidator`, `CurrencyValidator`
(docs/platforms.md §2.4).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType

import sqlalchemy as sa

from app.db import Database, DatabaseUnavailable, Row
from app.errors import ApiError, ErrorKind
from app.observability.tracing import untraced

logger = logging.getLogger("downloads_api")

stores = sa.table(
    "store",
    sa.column("store_id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("website_id", sa.Integer),
    sa.column("is_active", sa.Integer),
)
groups = sa.table(
    "store_group",
    sa.column("group_id", sa.Integer),
    sa.column("default_store_id", sa.Integer),
)
websites = sa.table(
    "store_website",
    sa.column("website_id", sa.Integer),
    sa.column("default_group_id", sa.Integer),
    sa.column("is_default", sa.Integer),
)
config = sa.table(
    "core_config_data",
    sa.column("scope", sa.String),
    sa.column("scope_id", sa.Integer),
    sa.column("path", sa.String),
    sa.column("value", sa.String),
)
TABLES = (stores, groups, websites, config)

LINK_URL = "web/secure/base_link_url"  # Magento builds the download link secure
SECURE_URL = "web/secure/base_url"
UNSECURE_URL = "web/unsecure/base_url"
USE_REWRITES = "web/seo/use_rewrites"
USE_STORE = "web/url/use_store"
CURRENCIES = "currency/options/allow"
PATHS = (LINK_URL, SECURE_URL, UNSECURE_URL, USE_REWRITES, USE_STORE, CURRENCIES)
# Magento's own defaults (config.xml) for a path no scope of core_config_data sets. With
# none of the URLs set, links are built on `{{base_url}}`: PUBLIC_BASE_URL, else the
# request's own base URL.
DEFAULTS = {
    LINK_URL: "{{secure_base_url}}",
    SECURE_URL: "{{unsecure_base_url}}",
    UNSECURE_URL: "{{base_url}}",
    CURRENCIES: "USD",
}
PLACEHOLDERS = {"{{secure_base_url}}": SECURE_URL, "{{unsecure_base_url}}": UNSECURE_URL}
BASE_URL = "{{base_url}}"
ADMIN_STORE = 0  # never a current store
# More store views than any shop runs: the snapshot's size stays bounded whatever the tables hold.
MAX_STORES = 10_000

STORE_NOT_FOUND = "Requested store is not found"
BAD_CURRENCY = "Please correct the target currency"


@dataclass(frozen=True)
class StoreView:
    id: int
    code: str
    active: bool
    # Where its download links start, ending in "/" (or `{{base_url}}`, which stands for
    # a URL ending in "/" and is resolved per request).
    link_base: str
    # "Add Store Code to Urls": the link carries the code, and /{code}/graphql is served.
    code_in_urls: bool
    # Content-Currency values it accepts (upper case).
    currencies: frozenset[str]
    # Its base link URL is configured but resolves to nothing (`downloads-api check` warns).
    unresolved: bool = False

    def links_on(self, base_url: str) -> str:
        """The link base with `{{base_url}}` as `base_url`, without its trailing "/" (the
        source's download paths start with one)."""
        return self.link_base.replace(BASE_URL, base_url + "/").removesuffix("/")

    def check_currency(self, header: str | None) -> None:
        currency = (header or "").strip().upper()
        if currency and currency not in self.currencies:
            raise ApiError(ErrorKind.BAD_INPUT, BAD_CURRENCY)


@dataclass(frozen=True)
class Stores:
    # Every store view but the admin store, by code.
    views: Mapping[str, StoreView]
    # The default store view of the default website.
    default: StoreView

    def current(self, header: str | None, path_code: str | None) -> StoreView:
        """The `Store` header's store (trimmed), else the path's, else the default one."""
        code = (header or "").strip() or path_code
        if code is None:
            return self.default
        view = self.views.get(code)
        if view is None and code.lower() == "default":  # StoreValidator lets it through
            view = self.views.get("default", self.default)
        if view is None or not view.active:
            raise ApiError(ErrorKind.BAD_INPUT, STORE_NOT_FOUND)
        return view

    def serves_path(self, code: str) -> bool:
        view = self.views.get(code)
        return view is not None and view.active and view.code_in_urls


# The store of a database whose store tables name no default store view: Magento's defaults.
UNSCOPED = StoreView(ADMIN_STORE, "", True, BASE_URL, False, frozenset({DEFAULTS[CURRENCIES]}))


def build(
    store_rows: Sequence[Row],
    group_rows: Sequence[Row],
    website_rows: Sequence[Row],
    config_rows: Sequence[Row],
) -> Stores:
    values = {
        (str(row["scope"]), int(row["scope_id"]), str(row["path"])): row["value"]
        for row in config_rows
    }
    views = {}
    for row in store_rows:
        if int(row["store_id"]) == ADMIN_STORE:
            continue
        scopes = (
            ("stores", int(row["store_id"])),
            ("websites", int(row["website_id"])),
            ("default", 0),
        )
        view = _view(row, partial(_value, values, scopes))
        views[view.code] = view
    default = _default_view(views, group_rows, website_rows)
    return Stores(MappingProxyType(views), default)


def _value(
    values: Mapping[tuple[str, int, str], str | None],
    scopes: tuple[tuple[str, int], ...],
    path: str,
) -> str | None:
    """Magento's scope fallback: the store's value, else its website's, else the default."""
    for scope, scope_id in scopes:
        if (scope, scope_id, path) in values:
            return values[scope, scope_id, path]
    return DEFAULTS.get(path)


def _view(row: Row, value: Callable[[str], str | None]) -> StoreView:
    code = str(row["code"])
    link = _resolve(value(LINK_URL) or "", value)
    unresolved = not link.strip()
    base = BASE_URL if unresolved else link.strip()
    if not base.endswith(("/", BASE_URL)):  # `{{base_url}}` stands for a URL ending in "/"
        base += "/"
    rewrites = value(USE_REWRITES)
    if rewrites is not None and rewrites.strip() in ("", "0"):
        base += "index.php/"
    code_in_urls = (value(USE_STORE) or "").strip() not in ("", "0")
    if code_in_urls:
        base += code + "/"
    currencies = frozenset(
        c.strip().upper() for c in (value(CURRENCIES) or "").split(",") if c.strip()
    )
    return StoreView(
        id=int(row["store_id"]),
        code=code,
        active=bool(row["is_active"]),
        link_base=base,
        code_in_urls=code_in_urls,
        currencies=currencies,
        unresolved=unresolved,
    )


def _resolve(text: str, value: Callable[[str], str | None], depth: int = 0) -> str:
    """`{{secure_base_url}}` and `{{unsecure_base_url}}` replaced by those values, which
    may hold placeholders themselves (a loop resolves to nothing)."""
    for placeholder, path in PLACEHOLDERS.items():
        if placeholder in text:
            inner = (
                "" if depth > len(PLACEHOLDERS) else _resolve(value(path) or "", value, depth + 1)
            )
            text = text.replace(placeholder, inner)
    return text


def _default_view(
    views: Mapping[str, StoreView], group_rows: Sequence[Row], website_rows: Sequence[Row]
) -> StoreView:
    """`store_website.is_default` → its `default_group_id` → that group's `default_store_id`."""
    group_id = next((row["default_group_id"] for row in website_rows if row["is_default"]), None)
    store_id = next(
        (row["default_store_id"] for row in group_rows if row["group_id"] == group_id), None
    )
    by_id = {view.id: view for view in views.values()}
    return by_id.get(store_id, UNSCOPED) if store_id is not None else UNSCOPED


STATEMENTS = (
    sa.select(stores.c.store_id, stores.c.code, stores.c.website_id, stores.c.is_active)
    .order_by(stores.c.store_id)
    .limit(MAX_STORES),
    sa.select(groups.c.group_id, groups.c.default_store_id).limit(MAX_STORES),
    sa.select(websites.c.website_id, websites.c.default_group_id, websites.c.is_default)
    .where(websites.c.is_default == 1)
    .limit(1),
    sa.select(config.c.scope, config.c.scope_id, config.c.path, config.c.value)
    .where(sa.or_(*(config.c.path == path for path in PATHS)))
    .limit(MAX_STORES * len(PATHS)),
)


class StoreScope:
    """The latest snapshot of the store views, kept fresh by `run` (the application's
    lifespan runs it); the first request loads it when start-up could not."""

    def __init__(self, database: Database, *, refresh_seconds: float) -> None:
        self.database = database
        self.refresh_seconds = refresh_seconds
        self._stores: Stores | None = None
        self._loading: asyncio.Future[Stores] | None = None
        self._failing = False

    async def stores(self) -> Stores:
        """The snapshot; raises DatabaseUnavailable when none could be read yet."""
        if self._stores is not None:
            return self._stores
        if self._loading is None or self._loading.done():
            self._loading = asyncio.ensure_future(self._load())
        # Shielded: a request that gives up does not cancel the load others wait on.
        return await asyncio.shield(self._loading)

    async def refresh(self) -> None:
        """Read the tables again; on failure keep what was read last, and say so once."""
        try:
            with untraced():  # no request waits on it
                await self._load()
        except DatabaseUnavailable as error:
            if not self._failing:
                logger.warning("store views not read, the last ones read stay: %s", error)
            self._failing = True
            return
        except Exception:
            logger.exception("store views not read, the last ones read stay")
            return
        if self._failing:
            logger.info("store views refreshed again")
        self._failing = False

    async def run(self) -> None:
        """Refresh every `refresh_seconds`, for as long as the application runs (start-up
        reads them first, with `refresh`)."""
        while True:
            await asyncio.sleep(self.refresh_seconds)
            await self.refresh()

    async def _load(self) -> Stores:
        rows = [await self.database.fetch_all(statement) for statement in STATEMENTS]
        self._stores = build(*rows)
        return self._stores
