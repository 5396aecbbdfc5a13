"""MySQL timestamps are decoded by each driver's converter (app/db/drivers.py) as pymysql
would decode them, then made UTC-aware (the session's time zone is UTC); whichever way a
timestamp was read, it is written in UTC (app/notation.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pymysql.constants import FIELD_TYPE
from pymysql.converters import convert_datetime

from app.db.mysql import DRIVERS, load_driver
from app.notation import iso8601, magento_date

DECODERS = [
    pytest.param(load_driver(name).conversions[field_type], id=f"{name}-{field_name}")
    for name in DRIVERS
    for field_name, field_type in (
        ("datetime", FIELD_TYPE.DATETIME),
        ("timestamp", FIELD_TYPE.TIMESTAMP),
    )
]


def texts() -> list[str]:
    """Values as the server sends them: whole seconds, 1 to 6 fraction digits, the edges
    of the range, and zero dates."""
    start = datetime(2025, 6, 15, 10, 30, 5, 123456)
    values = [start + timedelta(days=d, seconds=7 * d) for d in range(-400, 400, 37)]
    out = [v.strftime("%Y-%m-%d %H:%M:%S") for v in values]
    out += [
        start.strftime("%Y-%m-%d %H:%M:%S.") + f"{start.microsecond:06d}"[:n] for n in range(1, 7)
    ]
    out += ["1000-01-01 00:00:00", "9999-12-31 23:59:59.999999", "1970-01-01 00:00:00"]
    out += ["0000-00-00 00:00:00", "2025-00-00 00:00:00"]
    return out


@pytest.mark.parametrize("decode", DECODERS)
@pytest.mark.parametrize("text", texts())
def test_a_timestamp_reads_as_pymysql_reads_it_in_utc(
    decode: Callable[[str], object], text: str
) -> None:
    """A zero date, which pymysql gives back as text, is no date."""
    expected = convert_datetime(text)
    expected = expected.replace(tzinfo=UTC) if isinstance(expected, datetime) else None

    value = decode(text)

    assert value == expected
    assert type(value) is type(expected)
    if isinstance(value, datetime):
        assert value.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(
            datetime(2025, 6, 15, 10, 30, 5, 250000), id="naive"
        ),  # binary protocol, SQLite
        pytest.param(datetime(2025, 6, 15, 10, 30, 5, tzinfo=UTC), id="utc"),  # the text decoders
        pytest.param(
            datetime(2025, 6, 15, 12, 30, 5, tzinfo=timezone(timedelta(hours=2))), id="offset"
        ),
    ],
)
def test_a_timestamp_is_written_in_utc_however_it_was_read(value: datetime) -> None:
    assert iso8601(value) == "2025-06-15T10:30:05+00:00"
    assert magento_date(value) == "2025-06-15 10:30:05"
