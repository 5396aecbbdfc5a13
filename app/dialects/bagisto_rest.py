"""Bagisto's REST paths: errors as API Platform's problem JSON, and the storefront key
middleware's own bodies, which are not problems (bagisto-research.md §3.5, contract §7).
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from app.dialects.bagisto import STOREFRONT_KEY_HEADER, rate_limited
from app.errors import ApiError, ErrorKind
from app.responses import JSONResponse

if TYPE_CHECKING:
    from app.storefront import KeyCheck

STATUSES = {
    ErrorKind.UNAUTHORIZED: 403,  # AuthorizationException in the provider: 403, not 401
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.BAD_ID: 400,
    ErrorKind.BAD_INPUT: 400,
    ErrorKind.UNAVAILABLE: 503,
}

UNAUTHENTICATED_MESSAGE = "Unauthenticated. Please login to perform this action"

# VerifyStorefrontKey's bodies, byte for byte: a missing key is 401, any refused key 403.
MISSING_KEY_BODY: dict[str, str] = {
    "message": f"{STOREFRONT_KEY_HEADER} header is required",
    "error": "missing_key",
    "header_name": STOREFRONT_KEY_HEADER,
    "key_type": "shop",
}
INVALID_KEY_BODY: dict[str, str] = {
    "message": "Invalid or inactive shop API key",
    "error": "invalid_key",
}
MISSING_KEY_STATUS = 401
INVALID_KEY_STATUS = 403


def problem(status: int, detail: str) -> dict[str, Any]:
    return {
        "type": f"/errors/{status}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    # API Platform answers `api/*` problems as application/json, not application/problem+json.
    return JSONResponse(problem(status, detail), status_code=status, headers=headers)


def error_response(error: ApiError) -> JSONResponse:
    if error.kind is ErrorKind.UNAUTHORIZED:
        return problem_response(STATUSES[error.kind], UNAUTHENTICATED_MESSAGE)
    return problem_response(STATUSES[error.kind], error.message)


def storefront_key_refused(check: KeyCheck) -> Response:
    if check.refused == "rate_limited":
        assert check.rate is not None
        return rate_limited(check.rate)
    if check.refused == "missing":
        return JSONResponse(MISSING_KEY_BODY, status_code=MISSING_KEY_STATUS)
    return JSONResponse(INVALID_KEY_BODY, status_code=INVALID_KEY_STATUS)


def method_not_allowed(method: str, allowed: Sequence[str]) -> JSONResponse:
    supported = ", ".join(allowed)
    return problem_response(
        405,
        f"The {method} method is not supported for this route. Supported methods: {supported}.",
        headers={"Allow": supported},
    )


def internal_error(request_id: str) -> JSONResponse:
    return problem_response(500, f"Internal server error (request {request_id})")
