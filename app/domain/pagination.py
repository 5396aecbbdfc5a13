"""Relay connection arithmetic over offset cursors (docs/behaviour.md §5).

A cursor is the base64 of a zero-based offset in the newest-first list, as API
Platform makes them: "MA==" is the first row. Cursors the real platform handed out
keep working here.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from app.errors import ApiError, ErrorKind
from app.notation import whole_number

# Offsets past this cannot come from a real cursor, and would overflow some drivers.
_MAX_OFFSET = 2**31 - 1


def encode_cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def decode_cursor(cursor: str) -> int:
    if cursor == "":
        raise ApiError(ErrorKind.BAD_INPUT, "Empty cursor is invalid")
    try:
        text = base64.b64decode(cursor, validate=True).decode("ascii")
    except (binascii.Error, ValueError):  # not base64, not ASCII (UnicodeDecodeError too)
        text = ""
    offset = whole_number(text, _MAX_OFFSET)
    if offset is None:
        raise ApiError(ErrorKind.BAD_INPUT, f"Cursor {cursor} is invalid")
    return offset


@dataclass(frozen=True)
class PageRequest:
    """Validated connection arguments, as offsets."""

    first: int | None
    last: int | None
    after: int | None
    before: int | None
    default_size: int

    @classmethod
    def parse(
        cls,
        *,
        first: int | None,
        last: int | None,
        after: str | None,
        before: str | None,
        default_size: int,
        max_size: int,
    ) -> PageRequest:
        if first is not None and last is not None:
            raise ApiError(ErrorKind.BAD_INPUT, 'Use either "first" or "last", not both.')
        if after is not None and before is not None:
            raise ApiError(ErrorKind.BAD_INPUT, 'Use either "after" or "before", not both.')
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= max_size:
                raise ApiError(
                    ErrorKind.BAD_INPUT,
                    f'Argument "{name}" must be between 0 and {max_size}, got {value}.',
                )
        return cls(
            first=first,
            last=last,
            after=None if after is None else decode_cursor(after),
            before=None if before is None else decode_cursor(before),
            default_size=default_size,
        )

    @property
    def needs_total(self) -> bool:
        """`last` without `before` counts back from the end, which needs the row count."""
        return self.last is not None and self.before is None

    def window(self, total: int | None = None) -> tuple[int, int]:
        """The half-open range [start, stop) of offsets this page covers (Relay's
        ApplyCursorsToEdges, then first/last, then the default page size)."""
        start = 0 if self.after is None else self.after + 1
        stop = self.before
        if self.first is not None:
            stop = start + self.first if stop is None else min(stop, start + self.first)
        if self.last is not None:
            if stop is None:
                if total is None:
                    raise ValueError("this window needs the total row count")
                stop = total
            start = max(start, stop - self.last)
        if self.first is None and self.last is None:
            if stop is None:
                stop = start + self.default_size
            else:
                start = max(start, stop - self.default_size)
        assert stop is not None  # first, last or the default size has set it
        return start, max(start, stop)
