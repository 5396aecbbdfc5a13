"""What the database server saw: statements per user, the SQL itself, its plans.

Statements are counted per MariaDB user with `SHOW USER_STATISTICS` (the service and
the floor connect as users of their own, so other clients of the server - the bench's
own connection, other people's tests - are not counted). That needs `userstat`, which
the bench turns on for the run and restores after. When it cannot (no SUPER privilege,
or MySQL), it falls back to the global `Com_select` counter, which counts every client
of the server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pymysql

from bench.config import DATABASE, FLOOR_USER, SERVICE_USER
from bench.seed import connect

USERS = (SERVICE_USER, FLOOR_USER)


@dataclass(frozen=True)
class UserCounts:
    selects: int = 0
    others: int = 0  # SET (the session init), SHOW, ...
    connections: int = 0
    rows_read: int = 0
    cpu_seconds: float = 0.0  # server CPU spent on this user's statements

    def __sub__(self, other: UserCounts) -> UserCounts:
        return UserCounts(
            self.selects - other.selects,
            self.others - other.others,
            self.connections - other.connections,
            self.rows_read - other.rows_read,
            self.cpu_seconds - other.cpu_seconds,
        )


@dataclass(frozen=True)
class Snapshot:
    users: dict[str, UserCounts]
    com_select: int  # the whole server's, every client included
    questions: int


class StatementCounter:
    """Counters before and after a measurement; `per_user` says which kind this is."""

    def __init__(self) -> None:
        self.connection = connect()
        self._previous_userstat: str | None = None
        self.per_user = self._enable_userstat()

    def _enable_userstat(self) -> bool:
        with self.connection.cursor() as cursor:
            try:
                cursor.execute("SELECT @@GLOBAL.userstat")
                (value,) = cursor.fetchone()
                self._previous_userstat = str(value)
                if str(value) not in ("1", "ON"):
                    cursor.execute("SET GLOBAL userstat = 1")
                return True
            except pymysql.err.MySQLError:
                self._previous_userstat = None
                return False

    def close(self) -> None:
        if self._previous_userstat is not None and self._previous_userstat not in ("1", "ON"):
            with self.connection.cursor() as cursor:
                cursor.execute("SET GLOBAL userstat = 0")
        self.connection.close()

    def snapshot(self) -> Snapshot:
        # SHOW statements, not SELECTs: reading the counters does not move Com_select.
        users: dict[str, UserCounts] = {}
        with self.connection.cursor() as cursor:
            if self.per_user:
                cursor.execute("SHOW USER_STATISTICS WHERE User IN (%s, %s)", USERS)
                names = [d[0].lower() for d in cursor.description]
                for values in cursor.fetchall():
                    row = dict(zip(names, values, strict=True))
                    users[row["user"]] = UserCounts(
                        selects=int(row["select_commands"]),
                        others=int(row["other_commands"]),
                        connections=int(row["total_connections"]),
                        rows_read=int(row["rows_read"]),
                        cpu_seconds=float(row["cpu_time"]),
                    )
            cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Questions')")
            status = {name: int(value) for name, value in cursor.fetchall()}
        return Snapshot(users, status["Com_select"], status["Questions"])

    def drain(self, user: str, quiet: float = 0.1, limit: float = 3.0) -> None:
        """Wait until `user` has sent no statement for `quiet` seconds: the requests a
        load run left in flight are done (bounded by `limit`)."""
        deadline = time.monotonic() + limit
        last = self.snapshot()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.snapshot()
            if self.per_user:
                if delta(last, now, user).selects == 0:
                    return
            elif now.com_select == last.com_select:
                return
            last = now


def delta(before: Snapshot, after: Snapshot, user: str) -> UserCounts:
    return after.users.get(user, UserCounts()) - before.users.get(user, UserCounts())


# --- the SQL itself ------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    user: str
    command: str  # "Query", "Connect", ...
    sql: str


class GeneralLog:
    """The server's general log, on for a moment and read back from mysql.general_log.

    It is global: for that moment every client's statements are logged; only the bench
    users' ones and the bench's markers are read back. The previous settings are restored.
    """

    def __init__(self) -> None:
        self.connection = connect()
        self.entries: list[Logged] = []

    def marker(self, text: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT %s", (f"bench-marker:{text}",))
            cursor.fetchall()

    @contextmanager
    def recording(self) -> Iterator[GeneralLog]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT @@GLOBAL.general_log, @@GLOBAL.log_output, NOW(6)")
            was_on, output, since = cursor.fetchone()
            cursor.execute("SET GLOBAL log_output = 'TABLE'")
            cursor.execute("SET GLOBAL general_log = 1")
        try:
            yield self
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"SET GLOBAL general_log = {int(was_on)}")
                cursor.execute("SET GLOBAL log_output = %s", (output,))
                # mysql.general_log is a CSV table: rows come back in the order written.
                cursor.execute(
                    "SELECT user_host, command_type, CONVERT(argument USING utf8mb4)"
                    " FROM mysql.general_log WHERE event_time >= %s",
                    (since,),
                )
                for user_host, command, sql in cursor.fetchall():
                    user = str(user_host).split("[", 1)[0]
                    self.entries.append(Logged(user, str(command), str(sql)))

    def by_marker(self, users: tuple[str, ...] = USERS) -> dict[str, list[Logged]]:
        """The bench users' entries, grouped under the marker that came before them."""
        groups: dict[str, list[Logged]] = {}
        current = "-"
        for entry in self.entries:
            if entry.sql.startswith("SELECT 'bench-marker:"):
                current = entry.sql.split(":", 1)[1].rstrip("'")
                groups[current] = []
            elif entry.user in users:
                groups.setdefault(current, []).append(entry)
        return groups

    def close(self) -> None:
        self.connection.close()


def normalize(sql: str) -> str:
    """The statement with its literal values taken out and its spacing collapsed."""
    sql = re.sub(r"'(?:[^'\\]|\\.)*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return " ".join(sql.split())


# --- plans -----------------------------------------------------------------------------


def analyze(sql: str) -> tuple[list[str], list[tuple]]:
    """MariaDB's ANALYZE: the EXPLAIN plan plus the rows each step really read (r_rows)."""
    with connect(DATABASE) as connection, connection.cursor() as cursor:
        cursor.execute("ANALYZE " + sql)
        columns = [d[0] for d in cursor.description]
        return columns, list(cursor.fetchall())
