"""The OpenAPI 3.1 document of the REST paths: its operations, responses and security, built
from the definitions app/rest/routes.py and app/http/dialects.py's `BAGISTO_REST` answer with, so
that it cannot drift from them; the schemas it refers to are in app/rest/openapi_schemas.py.

`python -m app.rest.openapi > docs/openapi.json` regenerates the committed copy (default
settings); GET /api/openapi.json serves the one for the running settings.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from app.db import database_at
from app.errors import UNAVAILABLE_MESSAGE, bad_id, not_found
from app.http.dialects import STOREFRONT_KEY_HEADER
from app.http.responses import JSONResponse
from app.rest.openapi_schemas import component_schemas, problem_schema, schema_ref
from app.rest.routes import COLLECTION_PATH, ID_PATTERN, ITEM_PATH, MAX_PAGE, METHODS
from app.settings import Settings
from app.sources import Source, create_source

OPENAPI_PATH = "/api/openapi.json"

# The message has no regex metacharacters (and re.escape's "\ " is not ECMA-262).
_NOT_FOUND_PATTERN = "^" + not_found("0").message.replace('"0"', '"(0|[1-9][0-9]*)"') + "$"


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: dict[str, Any], *, storefront_key: bool, item: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    if item:
        responses["400"] = _json_response(
            "The id is not a number.", problem_schema(400, bad_id().message)
        )
    else:
        responses["400"] = _json_response(
            "A query parameter has a value it does not allow; `detail` says which values are.",
            problem_schema(400),
        )
    unauthenticated = schema_ref("Unauthenticated")
    if storefront_key:
        responses["401"] = _json_response(
            f"No {STOREFRONT_KEY_HEADER} header.", schema_ref("MissingStorefrontKey")
        )
        responses["403"] = _json_response(
            "The storefront key is unknown, inactive, expired, deleted or used from an address"
            " it does not allow; or the customer token is missing or refused.",
            {"oneOf": [schema_ref("InvalidStorefrontKey"), unauthenticated]},
        )
    else:
        responses["403"] = _json_response(
            "The customer token is missing or refused.", unauthenticated
        )
    if storefront_key:
        responses["429"] = {
            **_json_response(
                "The storefront key has used up its requests for this clock hour.",
                schema_ref("RateLimited"),
            ),
            "headers": {
                "Retry-After": _integer_header("Seconds to the next hour.", 1, 3600),
                **_RATE_LIMIT_HEADERS,
            },
        }
    if item:
        responses["404"] = _json_response(
            "No such purchase among the customer's own; another customer's purchase reads"
            " exactly the same.",
            # The number without its leading zeros, whatever the path said.
            problem_schema(404, detail_pattern=_NOT_FOUND_PATTERN),
        )
    responses["503"] = _json_response(
        "The database cannot be reached right now.", problem_schema(503, UNAVAILABLE_MESSAGE)
    )
    return responses


def _integer_header(
    description: str, minimum: int, maximum: int | None = None, *, required: bool = True
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return {"description": description, "required": required, "schema": schema}


# Sent with every answer to a request whose storefront key has a rate limit.
_RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": _integer_header("The key's requests per hour.", 1, required=False),
    "X-RateLimit-Remaining": _integer_header("Requests left this hour.", 0, required=False),
    "X-RateLimit-Reset": _integer_header(
        "Seconds to the next hour, when the count starts again.", 1, 3600, required=False
    ),
}


def _collection_operation(settings: Settings, source: Source) -> dict[str, Any]:
    max_size = settings.max_page_size
    return {
        "operationId": "getCustomerDownloadableProducts",
        "summary": "The customer's downloadable products, newest first",
        "tags": ["Customer Order"],
        "parameters": [
            {
                "name": "status",
                "in": "query",
                "required": False,
                "description": (
                    f"Only purchases in this status: {', '.join(source.statuses)}, in any"
                    " case. Any other value matches nothing: the list is empty."
                ),
                "schema": {"type": "string", "examples": list(source.statuses)},
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number; a page past the end is an empty list.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "description": "Purchases per page.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": max_size,
                    "default": settings.default_page_size,
                },
            },
        ],
        "responses": _responses(
            {
                "description": "One page of purchases (`[]` when there are none).",
                "headers": {
                    **_RATE_LIMIT_HEADERS,
                    "X-Total-Count": _integer_header("Purchases in all pages.", 0),
                    "X-Page": _integer_header("This page's number.", 1, MAX_PAGE),
                    "X-Per-Page": _integer_header("The page size.", 1, max_size),
                    "X-Total-Pages": _integer_header("Number of pages; at least 1.", 1),
                },
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "items": schema_ref("CustomerDownloadableProduct"),
                        }
                    }
                },
            },
            storefront_key=source.storefront_keys is not None,
            item=False,
        ),
    }


def _item_operation(source: Source) -> dict[str, Any]:
    return {
        "operationId": "getCustomerDownloadableProduct",
        "summary": "One of the customer's downloadable products",
        "tags": ["Customer Order"],
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "Purchase number (leading zeros are ignored).",
                "schema": {"type": "string", "pattern": ID_PATTERN},
            }
        ],
        "responses": _responses(
            {
                "description": "The purchase.",
                "content": {
                    "application/json": {"schema": schema_ref("CustomerDownloadableProduct")}
                },
            },
            storefront_key=source.storefront_keys is not None,
            item=True,
        ),
    }


def _security_schemes(*, storefront_key: bool) -> dict[str, Any]:
    schemes: dict[str, Any] = {
        "customerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "The customer's Sanctum token, `{id}|{secret}`.",
        }
    }
    if storefront_key:
        schemes = {
            "storefrontKey": {
                "type": "apiKey",
                "in": "header",
                "name": STOREFRONT_KEY_HEADER,
                "description": "An active shop key (`pk_storefront_…`).",
            },
            **schemes,
        }
    return schemes


def openapi_document(settings: Settings, source: Source) -> dict[str, Any]:
    storefront_key = source.storefront_keys is not None
    security: dict[str, list[str]] = {"customerToken": []}
    if storefront_key:
        security = {"storefrontKey": [], **security}
    allowed = ", ".join(METHODS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Customer downloadable products (Bagisto REST)",
            "version": "1.0.0",
            "description": (
                "Read-only: a signed-in customer's purchased download links, the REST twin"
                " of `customerDownloadableProducts` on /api/graphql. Any method but"
                f" {allowed} is a 405 problem with `Allow: {allowed}`."
            ),
        },
        "tags": [{"name": "Customer Order"}],
        "paths": {
            COLLECTION_PATH: {"get": _collection_operation(settings, source)},
            ITEM_PATH: {"get": _item_operation(source)},
        },
        "components": {
            "schemas": component_schemas(storefront_key=storefront_key),
            "securitySchemes": _security_schemes(storefront_key=storefront_key),
        },
        "security": [security],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def default_document() -> dict[str, Any]:
    """The document for default settings: what docs/openapi.json holds."""
    settings = Settings()
    # Never connected: the document only needs the source's statuses and storefront keys.
    return openapi_document(settings, create_source(settings, database_at("sqlite://")))


def openapi_route(settings: Settings, source: Source) -> Route:
    document = openapi_document(settings, source)

    async def serve(_: Request) -> JSONResponse:
        return JSONResponse(document)

    return Route(OPENAPI_PATH, serve, name="openapi")


if __name__ == "__main__":
    sys.stdout.write(render(default_document()))
