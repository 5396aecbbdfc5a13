"""`create_app(settings)`: the Starlette application with both GraphQL endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from ariadne.asgi import GraphQL
from graphql import GraphQLSchema
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from app.db import Database, DatabaseUnavailable, ReplicaReads, database_at
from app.domain.fair_share import RowBudget
from app.errors import ErrorKind
from app.graphql.documents import Documents
from app.graphql.endpoint import create_graphql
from app.graphql.execution.runner import ExecutionStats
from app.graphql.limits import list_fields
from app.graphql.views import View, build_views
from app.http.dialects import BAGISTO, MAGENTO, Dialect
from app.http.drain import Drain
from app.http.edge import Edge, Service
from app.http.explorer import ASSETS_PATH
from app.http.explorer import assets as explorer_assets
from app.http.guard import Guard, unavailable
from app.http.index import index_routes
from app.http.readiness import Readiness
from app.http.request_context import STORE_CODE, client_ip
from app.http.responses import JSONResponse, error_answer
from app.observability import tracing
from app.observability.logs import RequestLog
from app.observability.metrics import Metrics
from app.observability.tracing import TraceRequests
from app.ops.demo import remove_demo_database, with_demo_database
from app.ops.startup import announce, check_database
from app.rest.openapi import openapi_route
from app.rest.routes import rest_routes
from app.settings import Network, Settings
from app.sources import Source, create_source
from app.sources.magento_stores import StoreScope
from app.storefront.keys import (
    Counters,
    KeyCache,
    MemoryCounters,
    MemoryKeyCache,
    RateLimiter,
    StorefrontKeys,
)
from resolvers import bindables

logger = logging.getLogger("downloads_api")

# What storefronts on another origin read: the REST list's pages, where their rate limit
# stands and when to come back, and the id to quote in a support request.
EXPOSED_HEADERS = [
    "X-Total-Count",
    "X-Page",
    "X-Per-Page",
    "X-Total-Pages",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "X-Request-ID",
]

Endpoint = Callable[[Request], Awaitable[Response]]

GRAPHQL_METHODS = ["GET", "POST", "OPTIONS"]


def create_app(settings: Settings, *, source: Source | None = None) -> Starlette:
    """The service for these settings; `source`, when given, stands in for the configured
    database (the unit tests give an in-memory one, tests/fake.py)."""
    embedded_demo = source is None and settings.database_url is None
    if embedded_demo:
        settings = with_demo_database(settings)

    def connect_to(url: str) -> Database:
        return database_at(
            url,
            connect_timeout=settings.database_connect_timeout,
            statement_timeout=settings.database_statement_timeout or None,
        )

    databases: list[Database] = []
    primary: Database | None = None
    replica: ReplicaReads | None = None
    if source is None:
        assert settings.database_url is not None
        primary = connect_to(settings.database_url)
        databases = [primary]
        if settings.database_replica_url:
            replica = ReplicaReads(connect_to(settings.database_replica_url), primary)
            databases.append(replica.replica)
        source = create_source(settings, primary, replica)
    shared: Any = None
    cache: KeyCache = MemoryKeyCache()
    counters: Counters = MemoryCounters()
    if settings.redis_url:
        # Imported only when configured: the Redis client costs each worker ~6 MB.
        from app.storefront import redis_backing as shared_state

        shared = shared_state.connect(settings.redis_url)
        breaker = shared_state.Breaker()
        cache = shared_state.RedisKeyCache(shared, breaker)
        counters = shared_state.RedisCounters(shared, breaker)
    storefront_keys = (
        StorefrontKeys(
            source.storefront_keys,
            cache=cache,
            cache_seconds=settings.storefront_key_cache_seconds,
            rate_limiter=RateLimiter(counters),
        )
        if source.storefront_keys is not None
        else None
    )
    views = build_views(bindables)  # one schema per GraphQL path (docs/behaviour.md §3)
    documents = Documents(
        max_tokens=settings.max_query_tokens,
        max_length=settings.max_query_length,
        list_fields=list_fields(views.values()),
        budget=settings.graphql_cache_bytes,
    )
    execution = ExecutionStats()
    metrics = Metrics(
        known_operations=settings.metrics_operations,
        pool_in_use=lambda: sum(db.connections_in_use() for db in databases),
        caches={
            "documents": documents.hits_and_misses,
            "storefront_keys": lambda: (
                (storefront_keys.hits, storefront_keys.misses) if storefront_keys else (0, 0)
            ),
        },
        execution=lambda: (execution.built, execution.outcomes),
        cache_bytes=lambda: documents.cache.bytes,
    )

    guard = Guard(storefront_keys)
    rows_in_flight = RowBudget(
        settings.max_rows_in_flight, timeout=settings.database_connect_timeout
    )

    def graphql_app(schema: GraphQLSchema, dialect: Dialect) -> GraphQL:
        return create_graphql(
            schema,
            dialect,
            source=source,
            settings=settings,
            guard=guard,
            documents=documents,
            execution=execution,
        )

    magento_dialect = MAGENTO.with_status(
        ErrorKind.UNAUTHORIZED, settings.magento_unauthorized_status
    )
    magento_graphql = graphql_app(views[View.MAGENTO], magento_dialect)
    bagisto_graphql = graphql_app(views[View.BAGISTO], BAGISTO)
    # ScandiPWA's /{store_code}/graphql, on a source with store views (docs/behaviour.md §9).
    store_paths = (
        [in_store_paths(source.stores, magento_graphql.handle_request, magento_dialect)]
        if source.stores is not None
        else []
    )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def prometheus(request: Request) -> Response:
        if settings.metrics_allow and not _allowed(client_ip(request), settings.metrics_allow):
            message = "/metrics is not served to this address (METRICS_ALLOW)."
            return error_answer(403, message)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    readiness = None if primary is None else Readiness(primary, source.tables, replica=replica)

    drain = Drain(settings.shutdown_drain_seconds)

    async def ready(_: Request) -> JSONResponse:
        if drain.draining:
            return JSONResponse({"status": "draining"}, status_code=503)
        report = {"status": "ok"} if readiness is None else await readiness.report()
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        announce(settings, embedded_demo=embedded_demo, store_views=source.stores is not None)
        for db in databases:
            await db.connect()
        urls = (settings.database_url, settings.database_replica_url)
        await check_database(databases, urls, source.tables, settings.database_connect_timeout)
        refreshing = None
        if source.stores is not None:
            await source.stores.refresh()  # on failure, the first request tries again
            refreshing = asyncio.create_task(source.stores.run())
        # What start-up made lives as long as the process: keeping it out of the cyclic
        # garbage collector's reach spares every full collection a walk over it, which
        # would otherwise cost a request tens of milliseconds now and then.
        gc.collect()
        gc.freeze()
        try:
            with drain.on_sigterm(asyncio.get_running_loop()):
                yield
        finally:
            if replica is not None:
                await replica.close()
            if refreshing is not None:
                refreshing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refreshing
            for db in databases:
                await db.disconnect()
            if shared is not None:
                await shared.aclose()
            metrics.close()
            if embedded_demo:
                assert settings.database_url is not None
                remove_demo_database(settings.database_url)

    app = Service(
        routes=[
            # Ariadne's ASGI apps, not a function endpoint, which Starlette wraps in two more
            # layers with nothing to do here (the edge answers what escapes).
            Route("/graphql", magento_graphql, methods=GRAPHQL_METHODS),
            Route("/api/graphql", bagisto_graphql, methods=GRAPHQL_METHODS),
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", prometheus),
            *rest_routes(source=source, settings=settings, guard=guard),
            *index_routes(settings),
            openapi_route(settings, source),
            *([Mount(ASSETS_PATH, explorer_assets())] if settings.explorer else []),
            *store_paths,  # last: any fixed path wins over a store code
        ],
        # One layer around the router (app/http/edge.py), and a span around it while tracing.
        middleware=[
            *([Middleware(TraceRequests)] if tracing.active() else []),
            Middleware(
                Edge,
                log=RequestLog(metrics),
                budget=rows_in_flight,
                max_bytes=settings.max_body_bytes,
                max_seconds=settings.max_body_seconds,
                no_store_prefixes=("/graphql", "/api/graphql", "/api/shop/"),
                no_store_suffixes=("/graphql",) if store_paths else (),
                cors={
                    "allow_origins": list(settings.cors_allow_origins),
                    "allow_methods": ["GET", "POST", "OPTIONS"],
                    # Authorization, X-STOREFRONT-KEY, Magento's Store and friends.
                    "allow_headers": ["*"],
                    # What storefronts read: the REST list's pages, the rate limit, the id.
                    "expose_headers": EXPOSED_HEADERS,
                    "max_age": 600,
                },
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = primary
    app.state.rows_in_flight = rows_in_flight
    return app


def _allowed(address: str | None, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:  # no address, or a unix socket's
        return False
    return any(ip in network for network in networks)


def in_store_paths(stores: StoreScope, endpoint: Endpoint, dialect: Dialect) -> Route:
    """`/{store_code}/graphql`: the Magento path in a store view, for each active one
    whose links carry its code (`web/url/use_store`); any other code is a 404."""

    async def serve(request: Request) -> Response:
        try:
            served = (await stores.stores()).serves_path(request.path_params[STORE_CODE])
        except DatabaseUnavailable as error:
            return unavailable(dialect, error)
        if not served:
            raise HTTPException(404)
        return await endpoint(request)

    return Route(f"/{{{STORE_CODE}}}/graphql", serve, methods=GRAPHQL_METHODS)
