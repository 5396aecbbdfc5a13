"""What tracing costs when it is off: `python -m bench.tracing_off`.

Off, app/tracing.py adds no middleware and imports nothing of OpenTelemetry
(tests/test_tracing.py checks both); what remains is the `with statement_span(...)` around
each SQL statement in app/db/base.py. This times that block against an empty loop.
"""

from __future__ import annotations

import sys
import timeit

import sqlalchemy as sa

from app import tracing
from app.db import Prepared, database_at


def main() -> None:
    assert not tracing.active(), "unset OTEL_* first"
    database = database_at("mysql://bench@127.0.0.1:3306/bench")  # never connects
    query = Prepared(sa.select(sa.literal(1)))
    runs = 1_000_000

    def hooked() -> None:
        with tracing.statement_span(database, query):
            pass

    def bare() -> None:
        pass

    with_hook = min(timeit.repeat(hooked, number=runs, repeat=5)) / runs
    without = min(timeit.repeat(bare, number=runs, repeat=5)) / runs
    print(f"statement_span while off: {(with_hook - without) * 1e9:.0f} ns a statement")
    print("opentelemetry modules loaded:", sorted(m for m in sys.modules if "opentelemetry" in m))


if __name__ == "__main__":
    main()
