"""One request at a time, for the checks (not for load: that is wrk's job)."""

from __future__ import annotations

import http.client
from dataclasses import dataclass

from bench.scenarios import HttpRequest


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def send(port: int, request: HttpRequest, timeout: float = 30.0) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = None if request.body is None else request.body.encode()
        connection.request(request.method, request.path, body=body, headers=request.headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()
