"""Dialects: how each client family expects a refusal to read, as data.

One frozen table per family (Magento GraphQL on `/graphql`, Bagisto GraphQL on
`/api/graphql`, Bagisto REST), chosen by path; it never changes what data a query
returns. For each kind of error: the HTTP status an answer carrying it gets, the fixed
wording that replaces the raised message (when the platform always says the same thing),
and the GraphQL `extensions`. For each refused storefront key: the status and body.
Messages and bodies: docs/behaviour.md §7.1; the platforms' own, docs/platforms.md
§1.2, §1.4 and §2.3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, Literal

from app.errors import ErrorKind

STOREFRONT_KEY_HEADER = "X-STOREFRONT-KEY"
UNAUTHENTICATED = "Unauthenticated. Please login to perform this action"
INTERNAL_MESSAGE = "Internal server error"

KeyRefusal = Literal["missing", "invalid", "rate_limited"]


@dataclass(frozen=True)
class Wording:
    status: int  # of an answer that carries this error (GraphQL: unless another outranks it)
    extensions: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None  # None: the message the error was raised with


@dataclass(frozen=True)
class Refused:
    """A storefront key refused: the status and the body, byte for byte."""

    status: int
    body: Mapping[str, Any]


@dataclass(frozen=True)
class Dialect:
    name: str
    errors: Mapping[ErrorKind, Wording]
    keys: Mapping[KeyRefusal, Refused]
    # Magento's GraphQL library writes `errors` before `data`; API Platform the reverse.
    errors_first: bool = False
    # REST answers API Platform's problem JSON rather than a GraphQL `errors` list.
    problems: bool = False
    # Over its rate limit, a GraphQL path also says so in an `errors` list.
    rate_limit_code: str | None = "RATE_LIMITED"

    def wording(self, kind: ErrorKind, message: str) -> tuple[str, dict[str, Any]]:
        """The message and `extensions` of an error of that kind."""
        wording = self.errors[kind]
        return wording.message or message, dict(wording.extensions)

    def status(self, kinds: Iterable[ErrorKind]) -> int | None:
        """The HTTP status of an answer carrying errors of these kinds; None when they
        leave it to GraphQL's own rule (200 with data, 400 without)."""
        status = max((self.errors[kind].status for kind in kinds), default=HTTPStatus.OK)
        return None if status == HTTPStatus.OK else status

    def body(self, kind: ErrorKind, message: str) -> dict[str, Any]:
        """The whole answer to a request refused before any GraphQL ran."""
        message, extensions = self.wording(kind, message)
        if self.problems:
            return problem(self.errors[kind].status, message)
        return {"errors": [{"message": message, "extensions": extensions}]}

    def with_status(self, kind: ErrorKind, status: int) -> Dialect:
        errors = dict(self.errors)
        errors[kind] = replace(errors[kind], status=status)
        return replace(self, errors=MappingProxyType(errors))


def problem(status: int, detail: str) -> dict[str, Any]:
    """API Platform's problem JSON (served as application/json under api/*)."""
    return {
        "type": f"/errors/{status}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }


def _key_refused(status: int, message: str, error: str, **extensions: str) -> Refused:
    """VerifyStorefrontKey's body, with a GraphQL `errors` list when `extensions` are given."""
    body: dict[str, Any] = {"message": message, "error": error}
    if error == "missing_key" or extensions.get("code"):
        body |= {"header_name": STOREFRONT_KEY_HEADER, "key_type": "shop"}
    if extensions:
        body["errors"] = [{"message": message, "extensions": extensions}]
    return Refused(status, MappingProxyType(body))


def _in_magentos_words(message: str) -> Refused:
    error = {"message": message, "extensions": {"category": "graphql-authentication"}}
    return Refused(401, MappingProxyType({"errors": [error]}))


BAGISTO = Dialect(
    name="bagisto",
    errors=MappingProxyType(
        {
            ErrorKind.UNAUTHORIZED: Wording(200, {"status": 403}, UNAUTHENTICATED),
            ErrorKind.NOT_FOUND: Wording(200, {"status": 404}),
            ErrorKind.BAD_ID: Wording(200, {"status": 400}),
            ErrorKind.BAD_INPUT: Wording(200, {"status": 400}),
            ErrorKind.UNAVAILABLE: Wording(503, {"status": 503}),
            ErrorKind.INTERNAL: Wording(200, {"status": 500}, INTERNAL_MESSAGE),
        }
    ),
    keys=MappingProxyType(
        {
            "missing": _key_refused(
                401,
                f"{STOREFRONT_KEY_HEADER} header is required for this operation",
                "missing_key",
                code="UNAUTHENTICATED",
            ),
            "invalid": _key_refused(401, "Invalid API key", "invalid_key", code="UNAUTHENTICATED"),
        }
    ),
)

MAGENTO = Dialect(
    name="magento",
    errors_first=True,
    errors=MappingProxyType(
        {
            # PWA storefronts sign the customer out on this category; 2.4.9 also answers
            # 403 (MAGENTO_UNAUTHORIZED_STATUS, see `with_status`).
            ErrorKind.UNAUTHORIZED: Wording(
                200,
                {"category": "graphql-authorization"},
                "The current customer isn't authorized.",
            ),
            ErrorKind.NOT_FOUND: Wording(200, {"category": "graphql-no-such-entity"}),
            ErrorKind.BAD_ID: Wording(200, {"category": "graphql-input"}),
            ErrorKind.BAD_INPUT: Wording(200, {"category": "graphql-input"}),
            ErrorKind.UNAVAILABLE: Wording(503, {"category": "graphql-unavailable"}),
            ErrorKind.INTERNAL: Wording(200, {"category": "internal"}, INTERNAL_MESSAGE),
        }
    ),
    # Magento has no storefront keys; on a source that has them (docs/behaviour.md §6) this path
    # asks for one too, refused with Bagisto's statuses in Magento's words.
    keys=MappingProxyType(
        {
            "missing": _in_magentos_words(
                f"{STOREFRONT_KEY_HEADER} header is required for this operation"
            ),
            "invalid": _in_magentos_words("Invalid API key"),
        }
    ),
)

BAGISTO_REST = Dialect(
    name="bagisto-rest",
    problems=True,
    rate_limit_code=None,
    errors=MappingProxyType(
        {
            # AuthorizationException in the state provider: 403, not 401.
            ErrorKind.UNAUTHORIZED: Wording(403, message=UNAUTHENTICATED),
            ErrorKind.NOT_FOUND: Wording(404),
            ErrorKind.BAD_ID: Wording(400),
            ErrorKind.BAD_INPUT: Wording(400),
            ErrorKind.UNAVAILABLE: Wording(503),
            ErrorKind.INTERNAL: Wording(500),
        }
    ),
    # VerifyStorefrontKey's bodies, not problems: a missing key is 401, any refused key 403.
    keys=MappingProxyType(
        {
            "missing": _key_refused(
                401, f"{STOREFRONT_KEY_HEADER} header is required", "missing_key"
            ),
            "invalid": _key_refused(403, "Invalid or inactive shop API key", "invalid_key"),
        }
    ),
)
