"""Values as they are written: timestamps as each platform prints them (docs/behaviour.md §4;
all UTC), and the whole numbers clients write. Beside `models`, under every layer: the sources
read with it too."""

from __future__ import annotations

from datetime import UTC, datetime

# Timestamps are written as read: a naive one is UTC already (the database session's time
# zone; the binary protocol and SQLite give them so), an aware one is turned to UTC. The
# records keep them as read, since most are never written out.


def iso8601(value: datetime | None) -> str | None:
    """Bagisto: `2025-06-15T10:30:00+00:00`."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat(timespec="seconds") + "+00:00"
    return value.astimezone(UTC).isoformat(timespec="seconds")


def magento_date(value: datetime | None) -> str | None:
    """Magento: `2025-06-15 10:30:00`."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "seconds")  # strftime's "%Y-%m-%d %H:%M:%S", five times faster


def whole_number(text: str, maximum: int) -> int | None:
    """The value of `text` when it is ASCII digits (leading zeros allowed) naming at most
    `maximum`, else None. The length is checked first: int() of thousands of digits is
    slow, and past 4,300 of them an error."""
    digits = text.lstrip("0") or "0"
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(maximum)):
        return None
    value = int(digits)
    return value if value <= maximum else None
