"""Timestamps as each platform prints them (contract §4); all values are UTC."""

from __future__ import annotations

from datetime import datetime


def iso8601(value: datetime | None) -> str | None:
    """Bagisto: `2025-06-15T10:30:00+00:00`."""
    return None if value is None else value.isoformat(timespec="seconds")


def magento_date(value: datetime | None) -> str | None:
    """Magento: `2025-06-15 10:30:00`."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")
