"""Cursor and window arithmetic, without a database."""

from __future__ import annotations

import base64

import pytest

from app.domain.pagination import PageRequest, decode_cursor, encode_cursor
from app.errors import ApiError


@pytest.mark.parametrize(
    ("offset", "cursor"), [(0, "MA=="), (1, "MQ=="), (9, "OQ=="), (10, "MTA=")]
)
def test_cursor_is_base64_of_the_offset_as_api_platform_makes_it(offset: int, cursor: str) -> None:
    assert encode_cursor(offset) == cursor
    assert decode_cursor(cursor) == offset


@pytest.mark.parametrize("cursor", ["MA", "!!!!", "YWJj", "LTE=", "IDE=", "MS4w", "w6k="])
def test_cursor_that_is_not_a_plain_offset_is_refused(cursor: str) -> None:
    with pytest.raises(ApiError, match=f"Cursor {cursor} is invalid"):
        decode_cursor(cursor)


def request(**arguments: object) -> PageRequest:
    values = {"first": None, "last": None, "after": None, "before": None} | arguments
    return PageRequest.parse(**values, default_size=10, max_size=100)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arguments", "total", "window"),
    [
        ({}, None, (0, 10)),
        ({"first": 3, "after": encode_cursor(4)}, None, (5, 8)),
        ({"last": 3}, 12, (9, 12)),
        ({"last": 3}, 2, (0, 2)),
        ({"last": 3, "before": encode_cursor(5)}, None, (2, 5)),
        ({"before": encode_cursor(3)}, None, (0, 3)),
        ({"first": 5, "before": encode_cursor(3)}, None, (0, 3)),
        ({"last": 4, "after": encode_cursor(7)}, 10, (8, 10)),
    ],
)
def test_window(arguments: dict, total: int | None, window: tuple[int, int]) -> None:
    assert request(**arguments).window(total) == window


def test_only_last_without_before_needs_the_total() -> None:
    assert request(last=3).needs_total
    assert not request(last=3, before="MQ==").needs_total
    assert not request(first=3).needs_total
    assert not request().needs_total


@pytest.mark.parametrize(
    "digits",
    [
        pytest.param("9" * 4301, id="past-ints-limit"),
        pytest.param("9" * 11, id="past-the-largest-offset"),
        pytest.param("2147483648", id="one-past-the-largest-offset"),
    ],
)
def test_cursor_of_too_many_digits_is_refused_before_it_is_read(digits: str) -> None:
    cursor = base64.b64encode(digits.encode()).decode()
    with pytest.raises(ApiError, match=f"Cursor {cursor} is invalid"):
        decode_cursor(cursor)


def test_leading_zeros_do_not_count_towards_a_cursors_length() -> None:
    assert decode_cursor(base64.b64encode(b"0" * 5000 + b"7").decode()) == 7


def test_cursor_with_characters_outside_ascii_is_refused_not_crashed() -> None:
    with pytest.raises(ApiError, match="Cursor é is invalid"):
        decode_cursor("é")
