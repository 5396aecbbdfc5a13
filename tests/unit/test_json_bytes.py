"""orjson writes every JSON answer: the bytes must be those Starlette's `json.dumps`
wrote before (compact, UTF-8, no ASCII escapes), so no client sees a difference. Here on
chosen values; tests/db/test_responses.py on every kind of answer the service sends."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.http.responses import JSONResponse
from tests.helpers import starlette_bytes


@pytest.mark.parametrize(
    "content",
    [
        {"data": {"name": "Café «deluxe» \u2028 ☕ \U0001f600", "n": -2147483648, "f": 29.99}},
        {"errors": [{"message": 'quote " backslash \\ tab \t nul \x00 del \x7f', "path": [0]}]},
        [1.5, 123456789.125, 0.1, True, None, "", [], {}],
        # Amounts are DECIMAL(12,4) (Magento's (20,4)) sent as floats: never in exponent form.
        [
            float(f"{whole}.{fraction:04d}")
            for whole in (0, 1, 29, 99999999)
            for fraction in (0, 1, 10, 9999)
        ],
        [float("9999999999999999.9999"), 0.0001, 1234567890123.5],
    ],
)
def test_orjson_writes_what_starlette_wrote(content: Any) -> None:
    assert JSONResponse(content).body == starlette_bytes(content)


def test_only_exponents_are_written_differently() -> None:
    """1e-07 is 1e-7 to orjson, 2.5e-05 is 0.000025: the same numbers to any JSON reader, and
    out of reach of the amounts this service sends."""
    content = [1e-07, 1e16, 2.5e-05]

    assert JSONResponse(content).body == b"[1e-7,1e+16,0.000025]"
    assert json.loads(JSONResponse(content).body) == json.loads(starlette_bytes(content))
