"""Why a request was refused, for its access line: a short code, never a token or a key.

The request log opens a box for each request; whatever refuses a credential drops its code
in (`refuse("token_expired")`). Answers do not change: clients still get the platform's
wording, only the log says which check failed. The first code noted wins.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

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


def current() -> str | None:
    """The code noted for the current request so far, if any."""
    box = _box.get()
    return box[0] if box else None
