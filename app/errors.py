"""The errors resolvers and handlers raise; each dialect decides how they read on the wire."""

from __future__ import annotations

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
