"""Dialects: how one platform's clients expect errors to read and which status they carry.

The dialect is chosen by path; it never changes what data a query returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from starlette.responses import Response

from app.errors import ErrorKind

if TYPE_CHECKING:
    from app.storefront import KeyCheck


class Dialect(Protocol):
    name: str
    # Whether the path asks for X-STOREFRONT-KEY (when the source has storefront keys).
    storefront_key_required: bool
    # Magento's GraphQL library writes `errors` before `data`; API Platform the reverse.
    errors_first: bool

    def error(self, kind: ErrorKind, message: str) -> tuple[str, dict[str, Any]]:
        """The message and `extensions` of a GraphQL error of that kind."""

    def internal_error(self, request_id: str) -> dict[str, Any]:
        """The `extensions` of an unexpected failure."""

    def http_status(self, errors: list[dict[str, Any]]) -> int | None:
        """The HTTP status a response with these formatted errors should carry, or None."""

    def storefront_key_refused(self, check: KeyCheck) -> Response:
        """The response to a request whose storefront key is missing, invalid or over its
        rate limit."""
