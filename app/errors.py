"""What went wrong: the errors resolvers and handlers raise (each dialect decides how they
read on the wire), and why a request was refused, for the request's access line.

The request log opens a box for each request; whatever refuses a request drops a short
code in (`refuse("token_expired")`), never a token or a key. Answers do not change:
clients still get the platform's wording, only the log says which check failed. The first
code noted wins. The codes, a fixed vocabulary:

- a limit, by its setting's name: `max_body_bytes`, `max_body_seconds`, `max_query_length`,
  `max_query_tokens`, `max_query_depth`, `max_query_complexity`, `max_query_aliases`,
  `max_root_fields`, `max_list_selections`, `batch_size`; `max_nesting` (no setting);
- the request itself: `request_invalid`, `body_not_json`, `query_missing`,
  `query_syntax`, `query_invalid` (fails validation);
- the storefront key: `key_missing`, `key_unknown`, `key_inactive`, `key_expired`,
  `key_ip_not_allowed`, `key_rate_limited`;
- the customer token: `token_missing`, `token_malformed`, `token_unknown`,
  `token_expired`, `token_revoked`, `token_invalid`, `token_not_customer` (an admin's),
  `customer_suspended`, `jwt_without_crypt_key`.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from enum import Enum

UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please try again later."


class ErrorKind(Enum):
    UNAUTHORIZED = "unauthorized"  # no customer token, or a bad one
    NOT_FOUND = "not_found"  # missing, or another customer's
    BAD_ID = "bad_id"  # an id that is neither an IRI nor a number
    BAD_INPUT = "bad_input"  # an argument value a resolver refuses
    UNAVAILABLE = "unavailable"  # the database cannot be reached, or refuses this user
    INTERNAL = "internal"  # anything nobody planned for (the log has the traceback)


class ApiError(Exception):
    def __init__(self, kind: ErrorKind, message: str = "") -> None:
        super().__init__(message or kind.value)
        self.kind = kind
        self.message = message


def not_found(purchase_id: str) -> ApiError:
    return ApiError(
        ErrorKind.NOT_FOUND, f'Customer downloadable product with ID "{purchase_id}" not found'
    )


def bad_id() -> ApiError:
    return ApiError(
        ErrorKind.BAD_ID,
        'Invalid ID format. Expected IRI format like "/api/shop/customer-downloadable-products/1"'
        " or numeric ID",
    )


# A list rather than a string: GraphQL resolvers run in tasks that copy the context, and
# a code they note must reach the request log, which only a shared mutable box allows.
_box: ContextVar[list[str] | None] = ContextVar("refusal", default=None)


def refuse(reason: str) -> None:
    """Note why the current request's credential is refused (outside a request: ignored)."""
    box = _box.get()
    if box is not None and not box:
        box.append(reason)


def open_box() -> tuple[list[str], Token[list[str] | None]]:
    box: list[str] = []
    return box, _box.set(box)


def close_box(token: Token[list[str] | None]) -> None:
    _box.reset(token)


def refused() -> str | None:
    """The code noted for the current request so far, if any."""
    box = _box.get()
    return box[0] if box else None
