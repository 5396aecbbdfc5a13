"""The one gate in front of customer data, on GraphQL and REST alike, and the one place
where what went wrong becomes a dialect's answer.

Before any work a request's storefront key is checked (on a source that has keys) and,
when the key has a rate limit, counted against the caller's hourly allowance under it
(docs/behaviour.md §6): the customer's, looked up here once for the whole request when a token
came with it, else the address's. Otherwise the customer comes later, from the request
context (app/context.py), when a resolver or handler asks for it.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request

from app.context import RequestContext
from app.db import DatabaseUnavailable
from app.errors import UNAVAILABLE_MESSAGE, ErrorKind
from app.http.dialects import STOREFRONT_KEY_HEADER, Dialect
from app.http.request_context import caller, client_ip
from app.http.responses import JSONResponse
from app.observability.logs import request_id
from app.storefront.keys import KeyCheck, StorefrontKeys

logger = logging.getLogger("downloads_api")


class Guard:
    def __init__(self, storefront_keys: StorefrontKeys | None) -> None:
        self.storefront_keys = storefront_keys

    async def admit(
        self, request: Request, dialect: Dialect, context: RequestContext, cost: int = 1
    ) -> KeyCheck | JSONResponse:
        """What the request's key allows, or the answer refusing the request; `cost` is
        the number of operations it holds."""
        if self.storefront_keys is None:
            return KeyCheck()
        try:
            check = await self.storefront_keys.check(
                request.headers.get(STOREFRONT_KEY_HEADER, "").strip(),
                client_ip(request),
                lambda: caller(request, context),
                cost,
            )
        except DatabaseUnavailable as error:
            return unavailable(dialect, error)
        return refused(dialect, check) if check.refused else check


def refused(dialect: Dialect, check: KeyCheck) -> JSONResponse:
    if check.refused == "rate_limited":
        # Bagisto counts GraphQL requests but never refuses them (docs/behaviour.md §6: we do).
        assert check.rate is not None
        body: dict[str, Any] = {
            "message": "Rate limit exceeded",
            "error": "rate_limit_exceeded",
            "retry_after": check.rate.reset,
        }
        if dialect.rate_limit_code:
            extensions = {"code": dialect.rate_limit_code}
            body["errors"] = [{"message": "Rate limit exceeded", "extensions": extensions}]
        headers = {"Retry-After": str(check.rate.reset), **check.rate.headers}
        return JSONResponse(body, status_code=429, headers=headers)
    assert check.refused is not None
    refusal = dialect.keys[check.refused]
    return JSONResponse(dict(refusal.body), status_code=refusal.status, headers=check.headers)


def error_response(
    dialect: Dialect, kind: ErrorKind, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The answer to a request that failed before (or instead of) any GraphQL."""
    return JSONResponse(
        dialect.body(kind, message), status_code=dialect.errors[kind].status, headers=headers
    )


def unavailable(dialect: Dialect, error: DatabaseUnavailable) -> JSONResponse:
    logger.warning("database unavailable: %s", error)
    return error_response(dialect, ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE)


def internal_error(dialect: Dialect) -> JSONResponse:
    logger.exception("unexpected error [%s]", request_id())
    rid = request_id()
    if dialect.problems:
        body = dialect.body(ErrorKind.INTERNAL, f"Internal server error (request {rid})")
    else:
        message, extensions = dialect.wording(ErrorKind.INTERNAL, "")
        body = {"errors": [{"message": message, "extensions": {**extensions, "requestId": rid}}]}
    return JSONResponse(body, status_code=500)
