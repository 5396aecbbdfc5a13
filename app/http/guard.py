"""The one gate in front of customer data, on GraphQL and REST alike, and the one place
where what went wrong becomes a dialect's answer.

Before any work a request's storefront key is checked (on a source that has keys) and,
when the key has a rate limit, counted against the caller's hourly allowance under it
(docs/behaviour.md §6): the address's at once, when no token came; the customer's (or,
for a refused token, the address's) as soon as the token is judged, which the request's
first read does in its own statement (`admit` leaves the count to the request's
customer, `settle` makes it at the end if nothing asked for the customer, and answers 429
in place of the answer when the count is over the allowance).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request

from app.context import RequestContext
from app.db import DatabaseUnavailable
from app.errors import UNAVAILABLE_MESSAGE, ApiError, ErrorKind
from app.http.dialects import STOREFRONT_KEY_HEADER, Dialect
from app.http.request_context import address_caller, caller, client_ip, customer_caller
from app.http.responses import JSONResponse
from app.observability.logs import request_id
from app.storefront.keys import Allowance, KeyCheck, StorefrontKeys, counted

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
                # With a token, the caller is its customer: counted once the token is
                # checked, which the request's first read can do in its own statement.
                later=context.token is not None,
            )
        except DatabaseUnavailable as error:
            return unavailable(dialect, error)
        if check.allowance is not None:
            address = partial(address_caller, request)
            context.customer.after_sign_in = partial(_spend, check.allowance, address)
        return refused(dialect, check) if check.refused else check

    async def settle(
        self, request: Request, dialect: Dialect, context: RequestContext, check: KeyCheck
    ) -> KeyCheck | JSONResponse:
        """`check` with the request counted, once it has run: the 429 replacing its
        answer when the count is over the allowance (nothing of the answer is sent)."""
        allowance = check.allowance
        if allowance is None:
            return check
        rate = allowance.rate
        if rate is None:  # nothing asked for the customer: counted now
            try:
                rate = await allowance.spend(await caller(request, context))
            except DatabaseUnavailable as error:
                return unavailable(dialect, error)
        check = counted(rate)
        return refused(dialect, check) if check.refused else check


async def _spend(allowance: Allowance, address: Callable[[], str], customer_id: int | None) -> None:
    """Count a request with a token as soon as the token is judged: against its
    customer's allowance, or its address's when the token is refused. Over it, the rest of
    the request's reads are stopped (the error raised is never sent: `Guard.settle`
    answers 429)."""
    caller = address() if customer_id is None else customer_caller(customer_id)
    if counted(await allowance.spend(caller)).refused:
        raise ApiError(ErrorKind.UNAUTHORIZED)


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
