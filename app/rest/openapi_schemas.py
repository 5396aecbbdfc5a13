"""The JSON Schemas under the OpenAPI document's `components`: items and orders built from
app/rest/items.py's field tables, error bodies from app/http/dialects.py's `BAGISTO_REST`."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.errors import ErrorKind
from app.http.dialects import BAGISTO_REST, UNAUTHENTICATED, problem
from app.models import Order
from app.rest.items import ITEM_FIELDS, ORDER_FIELDS, Field

_JSON_TYPES: dict[Any, dict[str, str]] = {
    int: {"type": "integer"},
    str: {"type": "string"},
    Decimal: {"type": "number"},
    datetime: {"type": "string", "format": "date-time"},
}
# Records that are objects of their own on the wire, and their schema's name.
_RECORDS = {Order: "CustomerOrder"}


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": "#/components/schemas/" + name}


def _schema_of(python_type: Any) -> dict[str, Any]:
    is_union = typing.get_origin(python_type) in (typing.Union, types.UnionType)
    members = typing.get_args(python_type) if is_union else (python_type,)
    nullable = type(None) in members
    (base,) = [m for m in members if m is not type(None)]
    if base in _RECORDS:
        ref = schema_ref(_RECORDS[base])
        return {"oneOf": [ref, {"type": "null"}]} if nullable else ref
    schema: dict[str, Any] = dict(_JSON_TYPES[base])
    if nullable:
        schema["type"] = [schema["type"], "null"]
    return schema


def _object_schema(fields: tuple[Field, ...], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {f.key: {**_schema_of(f.type), "description": f.description} for f in fields},
        "required": [f.key for f in fields],
        "additionalProperties": False,
    }


def _const_object(body: dict[str, str], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": {key: {"type": "string", "const": value} for key, value in body.items()},
        "required": list(body),
        "additionalProperties": False,
    }


def problem_schema(
    status: int, detail: str | None = None, *, detail_pattern: str | None = None
) -> dict[str, Any]:
    """The problem schema narrowed to one status (and one detail, where it never varies)."""
    example = problem(status, detail or "")
    narrowed: dict[str, Any] = {
        "type": {"const": example["type"]},
        "title": {"const": example["title"]},
        "status": {"const": status},
    }
    if detail is not None:
        narrowed["detail"] = {"const": detail}
    elif detail_pattern is not None:
        narrowed["detail"] = {"type": "string", "pattern": detail_pattern}
    return {"allOf": [schema_ref("Problem"), {"properties": narrowed}]}


def component_schemas(*, storefront_key: bool) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "CustomerDownloadableProduct": _object_schema(
            ITEM_FIELDS, "A purchased download link, with its counters and its order."
        ),
        "CustomerOrder": _object_schema(ORDER_FIELDS, "The order a purchase came from."),
        "Problem": {
            "type": "object",
            "description": "An error, as API Platform writes them (RFC 7807 members).",
            "properties": {
                "type": {"type": "string", "pattern": "^/errors/[0-9]{3}$"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
            },
            "required": ["type", "title", "status", "detail"],
            "additionalProperties": False,
        },
        "Unauthenticated": problem_schema(
            BAGISTO_REST.errors[ErrorKind.UNAUTHORIZED].status, UNAUTHENTICATED
        ),
    }
    if storefront_key:
        schemas["MissingStorefrontKey"] = _const_object(
            dict(BAGISTO_REST.keys["missing"].body),
            "The storefront key middleware's answer to no key.",
        )
        schemas["InvalidStorefrontKey"] = _const_object(
            dict(BAGISTO_REST.keys["invalid"].body), "The storefront key middleware's refusal."
        )
        schemas["RateLimited"] = {
            "type": "object",
            "description": "The storefront key middleware's answer past the key's rate limit.",
            "properties": {
                "message": {"type": "string", "const": "Rate limit exceeded"},
                "error": {"type": "string", "const": "rate_limit_exceeded"},
                "retry_after": {"type": "integer", "minimum": 1, "maximum": 3600},
            },
            "required": ["message", "error", "retry_after"],
            "additionalProperties": False,
        }
    return schemas
