"""Magento 2.4 (`/graphql`): errors carry `extensions.category`.

Messages and categories: shared/notes/magento-research.md §4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response

from app.dialects.bagisto import STOREFRONT_KEY_HEADER, rate_limited
from app.errors import ErrorKind

if TYPE_CHECKING:
    from app.storefront import KeyCheck

_CATEGORIES = {
    ErrorKind.UNAUTHORIZED: "graphql-authorization",
    ErrorKind.NOT_FOUND: "graphql-no-such-entity",
    ErrorKind.BAD_ID: "graphql-input",
    ErrorKind.BAD_INPUT: "graphql-input",
    ErrorKind.UNAVAILABLE: "graphql-unavailable",
}


class MagentoDialect:
    name = "magento"
    errors_first = True
    storefront_key_required = True

    def __init__(self, *, unauthorized_status: int = 200) -> None:
        # PWA storefronts sign the customer out on this category; 2.4.9 also answers 403.
        self.unauthorized_status = unauthorized_status

    def error(self, kind: ErrorKind, message: str) -> tuple[str, dict[str, Any]]:
        if kind is ErrorKind.UNAUTHORIZED:
            message = "The current customer isn't authorized."
        return message, {"category": _CATEGORIES[kind]}

    def internal_error(self, request_id: str) -> dict[str, Any]:
        return {"category": "internal", "requestId": request_id}

    def http_status(self, errors: list[dict[str, Any]]) -> int | None:
        categories = {(e.get("extensions") or {}).get("category") for e in errors}
        if "graphql-unavailable" in categories:
            return 503
        if "graphql-authorization" in categories and self.unauthorized_status != 200:
            return self.unauthorized_status
        return None

    def storefront_key_refused(self, check: KeyCheck) -> Response:
        """Magento has no storefront keys; on a source that has them (contract §6) this
        path asks for one too, refused with Bagisto's statuses in Magento's words."""
        if check.refused == "rate_limited":
            assert check.rate is not None
            return rate_limited(check.rate, code="RATE_LIMITED")
        if check.refused == "missing":
            message = f"{STOREFRONT_KEY_HEADER} header is required for this operation"
        else:
            message = "Invalid API key"
        error = {"message": message, "extensions": {"category": "graphql-authentication"}}
        return JSONResponse({"errors": [error]}, status_code=401)
