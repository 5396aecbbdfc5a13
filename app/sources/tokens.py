"""A bearer token's check, as every source runs it: a statement of the token's facts in the
platform's tables, and a verdict on those facts in Python.

The same statement and verdict serve the check on its own (`TableSource.customer_for_token`)
and the check that rides on the request's first read of the customer's rows, in that read's
own statement (`SignIn`, app/sources/table.py): one round trip where there were two, and
both ways say the same of every token, for the same reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from app.db import Prepared, Row

# Columns of a token's facts are labelled with this prefix, apart from a read's own.
FACT = "t_"


@dataclass(frozen=True, eq=False)
class TokenStatement:
    """One kind of token (Sanctum's "{id}|{secret}", a Magento JWT...) as SQL."""

    # The token's facts: at most one row, its columns labelled `t_<name>`.
    facts: sa.Select[Any]
    # The id of the customer whose rows the token may open, NULL when none: what a read
    # that checks the token reads, before the verdict decides whether it is shown. It
    # already leaves out what the facts would refuse for certain (a wrong secret, another
    # kind of user), so that a guessed token costs no read of anyone's rows.
    customer: sa.ColumnElement[Any]
    # A column of `facts` that is never NULL when its row exists.
    present: str

    @cached_property
    def alone(self) -> Prepared:
        return Prepared(self.facts)

    @cached_property
    def fact_keys(self) -> tuple[str, ...]:
        """The row keys of the facts (`t_<name>`)."""
        return tuple(self.facts.selected_columns.keys())


@dataclass(frozen=True)
class TokenCheck:
    """One request's token, ready to be checked."""

    statement: TokenStatement
    # The values of the statement's bind parameters (never those of a read's).
    values: Mapping[str, Any]
    # The customer's id from the token's facts (None when it has no row), or None when the
    # token is refused; the reason then goes to the request log (`app.errors.refuse`).
    verdict: Callable[[Row | None], int | None]

    def facts(self, row: Row) -> Row | None:
        """The token's facts in a row of a read that checked it, None when it has none."""
        if row[self.statement.present] is None:
            return None
        return {key: row[key] for key in self.statement.fact_keys}


@dataclass
class SignIn:
    """A request's token, to be checked in the statement of the first read of the
    customer's rows. The read sets `customer_id` (None: refused) and returns none of the
    rows unless it is set."""

    check: TokenCheck
    customer_id: int | None = field(default=None, init=False)


# Whose rows a read is for: a customer's id, or their token to check in the read's own
# statement.
Customer = int | SignIn
