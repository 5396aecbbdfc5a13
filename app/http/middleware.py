"""ASGI middleware of our own: only what Starlette does not ship."""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import refuse
from app.http.responses import JSONResponse
from app.observability.logs import request_id

logger = logging.getLogger("downloads_api")


class _TooLarge(Exception):
    pass


class _TooSlow(Exception):
    pass


class _WatchedSend:
    """`send`, noting whether the response has started: after that, no other answer can
    replace it."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class BodyLimits:
    """Refuse request bodies over `max_bytes` with 413, whether or not they announce
    their length (a chunked body is counted as it arrives), and bodies still arriving
    `max_seconds` after the request began with 408: a client dripping a body a byte at a
    time would otherwise hold its request open for as long as it likes."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_seconds = max_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            # Digits only, and few of them: int() is never asked to read a huge number.
            if not declared.isdigit() or len(declared) > 18:
                refuse("request_invalid")
                await _error(400, "Content-Length is not a number.")(scope, receive, send)
                return
            if int(declared) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return

        deadline = asyncio.get_running_loop().time() + self.max_seconds
        received = 0
        complete = False

        async def counting_receive() -> Message:
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
                if received > self.max_bytes:
                    raise _TooLarge
                complete = not message.get("more_body", False)
            return message

        watched = _WatchedSend(send)
        try:
            await self.app(scope, counting_receive, watched)
        except (_TooLarge, _TooSlow) as refused:
            if watched.started:
                raise
            answer = self._too_large() if isinstance(refused, _TooLarge) else self._too_slow()
            await answer(scope, receive, send)

    def _too_large(self) -> JSONResponse:
        refuse("max_body_bytes")
        return _error(413, f"Request body is too large: at most {self.max_bytes} bytes.")

    def _too_slow(self) -> JSONResponse:
        refuse("max_body_seconds")
        seconds = f"{self.max_seconds:g}"
        return _error(408, f"Request body did not arrive within {seconds} seconds.")


class NoStore:
    """`Cache-Control: no-store` on every answer under these paths (and those ending so:
    Magento's /{store_code}/graphql): customer data must never be kept by a CDN or a
    shared cache, whatever a GET looks like (docs/behaviour.md §2)."""

    def __init__(
        self, app: ASGIApp, prefixes: tuple[str, ...], suffixes: tuple[str, ...] = ()
    ) -> None:
        self.app = app
        self.prefixes = prefixes
        self.suffixes = suffixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path.startswith(self.prefixes) or path.endswith(self.suffixes)
        ):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)


class Unexpected:
    """The last line: a failure nothing else handled is logged with its traceback and
    answered as JSON with the request id, never as a trace or Starlette's plain text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watched = _WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception:
            logger.exception("unexpected error [%s]", request_id())
            if watched.started:  # too late for another answer: let the server close the connection
                raise
            body = {"errors": [{"message": "Internal server error", "requestId": request_id()}]}
            await JSONResponse(body, status_code=500)(scope, receive, send)


class JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with its preflight refusals in JSON like every other answer."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-type", "content-length")
        }
        refusal = _error(response.status_code, bytes(response.body).decode())
        refusal.headers.update(headers)
        return refusal


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)
