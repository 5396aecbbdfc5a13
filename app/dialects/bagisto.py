"""Bagisto's API Platform GraphQL (`/api/graphql`): errors carry `extensions.status`.

Messages and bodies: shared/notes/bagisto-research.md §3.5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from app.errors import ErrorKind
from app.ratelimit import RateLimit
from app.responses import JSONResponse

if TYPE_CHECKING:
    from app.storefront import KeyCheck

_STATUSES = {
    ErrorKind.UNAUTHORIZED: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.BAD_ID: 400,
    ErrorKind.BAD_INPUT: 400,
    ErrorKind.UNAVAILABLE: 503,
}

STOREFRONT_KEY_HEADER = "X-STOREFRONT-KEY"


class BagistoDialect:
    name = "bagisto"
    errors_first = False
    storefront_key_required = True

    def error(self, kind: ErrorKind, message: str) -> tuple[str, dict[str, Any]]:
        if kind is ErrorKind.UNAUTHORIZED:
            message = "Unauthenticated. Please login to perform this action"
        return message, {"status": _STATUSES[kind]}

    def internal_error(self, request_id: str) -> dict[str, Any]:
        return {"status": 500, "requestId": request_id}

    def http_status(self, errors: list[dict[str, Any]]) -> int | None:
        statuses = {(e.get("extensions") or {}).get("status") for e in errors}
        return 503 if 503 in statuses else None

    def storefront_key_refused(self, check: KeyCheck) -> Response:
        if check.refused == "rate_limited":
            # Bagisto counts GraphQL requests but never refuses them (contract §6: we do).
            assert check.rate is not None
            return rate_limited(check.rate, code="RATE_LIMITED")
        missing = check.refused == "missing"
        if missing:
            message = f"{STOREFRONT_KEY_HEADER} header is required for this operation"
        else:
            message = "Invalid API key"
        return JSONResponse(
            {
                "message": message,
                "error": "missing_key" if missing else "invalid_key",
                "header_name": STOREFRONT_KEY_HEADER,
                "key_type": "shop",
                "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
            },
            status_code=401,
        )


def rate_limited(rate: RateLimit, *, code: str | None = None) -> Response:
    """VerifyStorefrontKey's 429, with the GraphQL `errors` list when `code` is given."""
    body: dict[str, Any] = {
        "message": "Rate limit exceeded",
        "error": "rate_limit_exceeded",
        "retry_after": rate.reset,
    }
    if code is not None:
        body["errors"] = [{"message": "Rate limit exceeded", "extensions": {"code": code}}]
    headers = {"Retry-After": str(rate.reset), **rate.headers}
    return JSONResponse(body, status_code=429, headers=headers)
