"""`GET /`: the paths a client can use (JSON), or for a browser a page linking to them and
to the explorers; and the favicon browsers ask for."""

from __future__ import annotations

import base64
import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from app.http.responses import JSONResponse
from app.settings import Settings

# A 16x16 download arrow: the explorer's tab has an icon and its log no 404.
_FAVICON = base64.b64decode(
    "AAABAAEAEBAAAAEAIABuAAAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAQAAAAEAgGAAAAH/P/YQAAADVJREFUeNpj"
    "kM9//Z8SzDDMDfj69SsYjxpAogEwTbgwUS4gVjNeLxCjmfphQMj/2Awc+LwAAGx4sA9A8ZqkAAAAAElFTkSuQmCC"
)
_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'"


def paths(settings: Settings) -> dict[str, str]:
    explorer = " (GraphiQL in a browser)" if settings.explorer and settings.introspection else ""
    return {
        "/graphql": f"GraphQL, Magento 2.4's schema: POST, or GET with ?query={explorer}",
        "/api/graphql": f"GraphQL, Bagisto's schema: POST, or GET with ?query={explorer}",
        "/api/shop/customer-downloadable-products": "REST, Bagisto's: the list, and /{id}",
        "/api/openapi.json": "the REST paths' OpenAPI document",
        "/health": "200 while the process runs",
        "/ready": "200 while the database can be served, else 503",
        "/metrics": "Prometheus metrics",
    }


def index_routes(settings: Settings) -> list[Route]:
    served = paths(settings)

    async def index(request: Request) -> Response:
        if "text/html" not in request.headers.get("Accept", ""):
            return JSONResponse({"service": "downloads-api", "paths": served})
        items = "".join(
            f'<li><a href="{html.escape(path)}">{html.escape(path)}</a>: {html.escape(what)}</li>'
            for path, what in served.items()
        )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>downloads-api</title></head><body><h1>downloads-api</h1>"
            f"<p>The downloadable products a signed-in customer bought.</p><ul>{items}</ul>"
            "</body></html>"
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": _PAGE_POLICY})

    async def favicon(_: Request) -> Response:
        return Response(
            _FAVICON, media_type="image/x-icon", headers={"Cache-Control": "max-age=86400"}
        )

    return [Route("/", index), Route("/favicon.ico", favicon)]
