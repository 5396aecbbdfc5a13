"""`create_app(settings)`: the Starlette application with both GraphQL endpoints."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.db import Database, DatabaseUnavailable
from app.demo import with_demo_database
from app.dialects import Dialect
from app.dialects.bagisto import BagistoDialect
from app.dialects.magento import MagentoDialect
from app.documents import Documents
from app.graphql import create_graphql
from app.middleware import BodySizeLimit
from app.observability import Metrics, RequestLog
from app.openapi import openapi_route
from app.ratelimit import Counters, MemoryCounters, RateLimiter
from app.responses import JSONResponse
from app.rest import rest_routes
from app.settings import Settings
from app.sources import create_source
from app.storefront import KeyCache, MemoryKeyCache, StorefrontKeys
from resolvers import bindables

from . import SCHEMA_PATH

logger = logging.getLogger("downloads_api")


def executable_schema() -> GraphQLSchema:
    """schema.graphql bound to the resolvers: the one schema both endpoints serve."""
    return make_executable_schema(load_schema_from_path(SCHEMA_PATH), *bindables)


def create_app(settings: Settings) -> Starlette:
    embedded_demo = settings.database_url is None
    if embedded_demo:
        settings = with_demo_database(settings)

    def connect_to(url: str) -> Database:
        return Database(
            url,
            connect_timeout=settings.database_connect_timeout,
            statement_timeout=settings.database_statement_timeout or None,
        )

    database = connect_to(settings.database_url)
    replica = connect_to(settings.database_replica_url) if settings.database_replica_url else None
    databases = [database] if replica is None else [database, replica]
    source = create_source(settings, database, replica)
    shared: Any = None
    cache: KeyCache = MemoryKeyCache()
    counters: Counters = MemoryCounters()
    if settings.redis_url:
        # Imported only when configured: the Redis client costs each worker ~6 MB.
        from app import shared_state

        shared = shared_state.connect(settings.redis_url)
        cache, counters = shared_state.RedisKeyCache(shared), shared_state.RedisCounters(shared)
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
    schema = executable_schema()
    documents = Documents(max_tokens=settings.max_query_tokens)
    metrics = Metrics(
        pool_in_use=lambda: sum(db.connections_in_use() for db in databases),
        caches={
            "documents": lambda: documents.parse.cache_info()[:2],
            "storefront_keys": lambda: (
                (storefront_keys.hits, storefront_keys.misses) if storefront_keys else (0, 0)
            ),
        },
    )

    def graphql_route(path: str, dialect: Dialect) -> Route:
        endpoint = create_graphql(
            schema,
            dialect,
            source=source,
            settings=settings,
            storefront_keys=storefront_keys,
            documents=documents,
        )
        return Route(path, endpoint.handle_request, methods=["GET", "POST", "OPTIONS"])

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def prometheus(_: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def ready(_: Request) -> JSONResponse:
        try:
            for db in databases:
                await db.ping()
        except DatabaseUnavailable:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if embedded_demo:
            logger.info("serving the embedded demo database (%s source)", settings.source)
        for db in databases:
            await db.connect()
        try:
            yield
        finally:
            for db in databases:
                await db.disconnect()
            if shared is not None:
                await shared.aclose()

    app = Starlette(
        routes=[
            graphql_route(
                "/graphql",
                MagentoDialect(unauthorized_status=settings.magento_unauthorized_status),
            ),
            graphql_route("/api/graphql", BagistoDialect()),
            Route("/health", health),
            Route("/ready", ready),
            Route("/metrics", prometheus),
            *rest_routes(source=source, settings=settings, storefront_keys=storefront_keys),
            openapi_route(settings, source),
        ],
        middleware=[
            Middleware(RequestLog, metrics=metrics),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_allow_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                # Authorization, X-STOREFRONT-KEY, Magento's Store and friends.
                allow_headers=["*"],
                max_age=600,
            ),
            Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    return app
