"""The edge: the one ASGI layer between the server and Starlette's router.

Every HTTP request crosses it once, and it does, in this order, the work of the eight
layers it replaces (six of ours, and Starlette's server-error and exception layers):

1. a request id, set for the logs and every answer (`X-Request-ID`), and one access line
   and the request metrics once answered (app/observability/logs.py `RequestLog`);
2. a CORS preflight answered (Starlette's `CORSMiddleware` as a library; a refusal in JSON);
3. a body that announces a bad or too large `Content-Length` refused (400, 413) before
   anything reads it; one that runs over `MAX_BODY_BYTES` as it arrives (chunked) is a 413,
   one still arriving `MAX_BODY_SECONDS` after the request began a 408;
4. the request run by the router in a fair-share scope (app/domain/fair_share.py);
5. an `HTTPException` (the router's 404 and 405) answered as Starlette answers it;
6. anything else that escapes: logged with its traceback, a JSON 500 with the request id.

Every answer but that 500 gets CORS's headers, and `Cache-Control: no-store` under the API
paths; a refusal (4xx) goes to the back of the event loop's queue once before it is sent.
`Service` is Starlette without its `ServerErrorMiddleware` and `ExceptionMiddleware`, whose
work the edge does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.fair_share import RowBudget
from app.errors import refuse
from app.http.responses import JSONResponse, error_answer
from app.observability.logs import RequestLog, request_id

logger = logging.getLogger("downloads_api")

# Headers the edge sets on an answer: when the answer has none of them, they are appended;
# when it has one, Starlette's own code merges them (`MutableHeaders`, `CORSMiddleware.send`).
_SET = frozenset(
    (
        b"vary",
        b"cache-control",
        b"access-control-allow-origin",
        b"access-control-allow-credentials",
        b"access-control-expose-headers",
    )
)
_NO_STORE = (b"cache-control", b"no-store")
_VARY_ORIGIN = (b"vary", b"Origin")
# What the edge adds to an answer: CORS's headers and no-store, no-store only (a
# preflight's answer), or nothing (the last line's 500): the request id always.
_ALL, _STORE_ONLY, _NONE = 2, 1, 0


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class Service(Starlette):
    """Starlette with only the layers it is given around its router: no
    `ServerErrorMiddleware`, no `ExceptionMiddleware` (the edge answers what they would)."""

    def build_middleware_stack(self) -> ASGIApp:
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        log: RequestLog,
        budget: RowBudget,
        max_bytes: int,
        max_seconds: float,
        no_store_prefixes: tuple[str, ...],
        no_store_suffixes: tuple[str, ...] = (),
        cors: Mapping[str, Any],
    ) -> None:
        """`cors`: the arguments of Starlette's `CORSMiddleware`."""
        self.app = app
        self.log = log
        self.budget = budget
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds
        self.prefixes = no_store_prefixes
        self.suffixes = no_store_suffixes
        self.cors = CORSMiddleware(app, **cors)
        self.http_exception = ExceptionMiddleware(app).http_exception
        # CORS's headers on an answer to a request with an Origin, as `CORSMiddleware.send`
        # appends them to an answer that has none of its own.
        self.simple = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.cors.simple_headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        declared = given = origin = None
        preflight = chunked = False
        for name, value in scope["headers"]:  # one pass; the last of a repeated one wins,
            if name == b"content-length":  # but the first Origin, as Starlette reads it
                declared = value
            elif name == b"x-request-id":
                given = value
            elif name == b"origin":
                origin = value.decode("latin-1") if origin is None else origin
            elif name == b"transfer-encoding":
                chunked = True
            elif name == b"access-control-request-method":
                preflight = True
        opened = self.log.open(given or b"")
        rid = opened[0].encode()
        scope.setdefault("state", {})
        path = scope["path"]
        no_store = path.startswith(self.prefixes) or path.endswith(self.suffixes)
        adds = _ALL
        status = 500
        answered = False

        async def send_edged(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                status = message["status"]
                headers = self._headers(message, adds, origin, no_store)
                if headers is None:
                    headers = await self._merged(message, adds, origin, no_store)
                message["headers"] = [*headers, (b"x-request-id", rid)]
                if 400 <= status < 500:
                    # A refusal waits for nothing, so a flood of them would take every
                    # turn of the event loop from requests waiting on the database: it
                    # goes to the back of the queue once before it is answered.
                    await asyncio.sleep(0)
            await send(message)

        try:
            try:
                if preflight and origin is not None and scope["method"] == "OPTIONS":
                    adds = _STORE_ONLY
                    answer: Response | None = self._preflight(Headers(scope=scope))
                else:
                    answer = self._declared(declared)
                if answer is not None:
                    await answer(scope, receive, send_edged)
                    return
                # Without a length or chunks, no body can arrive: nothing to count or time.
                limited = declared not in (None, b"0") or chunked
                inner = self._limited(receive) if limited else receive
                async with self.budget.request():
                    await self.app(scope, inner, send_edged)
            except (HTTPException, _TooLarge, _TooSlow) as refused:
                if answered and isinstance(refused, HTTPException):
                    said = "Caught handled exception, but response already started."
                    raise RuntimeError(said) from refused  # as Starlette's layer said
                if answered:
                    raise
                answer = await self._refusal(refused, scope)
                await answer(scope, receive, send_edged)
        except Exception:
            logger.exception("unexpected error [%s]", request_id())
            if answered:  # too late for another answer: let the server close the connection
                raise
            adds = _NONE
            body = {"errors": [{"message": "Internal server error", "requestId": request_id()}]}
            await JSONResponse(body, status_code=500)(scope, receive, send_edged)
        finally:
            reason = self.log.close(opened, scope, status, time.perf_counter() - started)
            if reason:  # for the trace's span, which ends after the edge has closed the box
                scope["state"]["refusal"] = reason

    def _headers(
        self, message: Message, adds: int, origin: str | None, no_store: bool
    ) -> list[tuple[bytes, bytes]] | None:
        """The answer's headers with the edge's appended, or None when the answer sets some
        of them itself (then `_merged`)."""
        raw = message.get("headers", ())
        if adds == _NONE:
            return list(raw)
        if any(name in _SET for name, _ in raw):
            return None
        added: list[tuple[bytes, bytes]] = []
        if adds == _ALL:
            cors = self.cors
            if origin is None:
                added.append(_VARY_ORIGIN)
            elif cors.allow_all_origins and cors.allow_credentials:
                return None
            else:
                added += self.simple
                if not cors.allow_all_origins and cors.is_allowed_origin(origin):
                    added.append((b"access-control-allow-origin", origin.encode("latin-1")))
                added.append(_VARY_ORIGIN)
        if no_store:
            added.append(_NO_STORE)
        return [*raw, *added]

    async def _merged(
        self, message: Message, adds: int, origin: str | None, no_store: bool
    ) -> list[tuple[bytes, bytes]]:
        """The answer's headers with the edge's merged in by Starlette's own code."""
        if adds == _ALL:
            origin_header = {} if origin is None else {"origin": origin}
            await self.cors.send(message, _kept, Headers(origin_header))
        message.setdefault("headers", [])
        headers = MutableHeaders(scope=message)
        if no_store:
            headers["Cache-Control"] = "no-store"
        return headers.raw

    def _preflight(self, request_headers: Headers) -> Response:
        """Starlette's answer to a CORS preflight; a refusal in JSON like every other."""
        response = self.cors.preflight_response(request_headers)
        if response.status_code == 200:
            return response
        refusal = error_answer(response.status_code, bytes(response.body).decode())
        refusal.headers.update(
            {
                name: value
                for name, value in response.headers.items()
                if name not in ("content-type", "content-length")
            }
        )
        return refusal

    def _declared(self, declared: bytes | None) -> JSONResponse | None:
        """The refusal of a body by the length it announces, if it is refused."""
        if declared is None:
            return None
        # Digits only, and few of them: int() is never asked to read a huge number.
        if not declared.isdigit() or len(declared) > 18:
            refuse("request_invalid")
            return error_answer(400, "Content-Length is not a number.")
        return self._too_large() if int(declared) > self.max_bytes else None

    def _limited(self, receive: Receive) -> Receive:
        """`receive`, counting the body as it arrives and giving it `max_seconds` from now."""
        deadline = asyncio.get_running_loop().time() + self.max_seconds
        max_bytes = self.max_bytes
        received = 0
        complete = False

        async def receive_limited() -> Message:
            nonlocal received, complete
            if complete:  # only a disconnect is left to wait for, as long as it takes
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _TooSlow from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise _TooLarge
                complete = not message.get("more_body", False)
            return message

        return receive_limited

    async def _refusal(self, refused: Exception, scope: Scope) -> Response:
        if isinstance(refused, HTTPException):  # the router's 404 and 405, in plain text
            return await self.http_exception(Request(scope), refused)
        if isinstance(refused, _TooLarge):
            return self._too_large()
        refuse("max_body_seconds")
        seconds = f"{self.max_seconds:g}"
        return error_answer(408, f"Request body did not arrive within {seconds} seconds.")

    def _too_large(self) -> JSONResponse:
        refuse("max_body_bytes")
        return error_answer(413, f"Request body is too large: at most {self.max_bytes} bytes.")


async def _kept(message: Message) -> None:
    """The `send` given to `CORSMiddleware.send`: the edge sends the message itself."""
