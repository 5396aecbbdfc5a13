"""A MariaDB server of the tests' own, on its own port and data directory, that a test may
stop, start, freeze and thaw: database faults without a mock."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pymysql

from tests.conftest import on_driver
from tests.served import free_port

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"


class MariaDBInstance:
    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="downloads-api-mariadb-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # A temporary directory of its own: at start, mariadbd deletes the `#sql*` files it
        # finds in its tmpdir, which would be the shared test server's temporary tables in
        # flight had it used /tmp (they failed with "Error on delete of /tmp/#sql-temptable").
        self.tmpdir = self.directory / "tmp"
        self.tmpdir.mkdir()
        subprocess.run(
            [
                INSTALL_DB,
                "--no-defaults",
                f"--datadir={self.directory / 'data'}",
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                f"--tmpdir={self.tmpdir}",
            ],
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "") -> str:
        """The service's URL for it, on the driver under test (tests/conftest.py)."""
        return on_driver(f"mysql://root@127.0.0.1:{self.port}/{database}".rstrip("/"))

    def start(self, timeout: float = 30) -> None:
        assert self.process is None, "already running"
        self._log = open(self.directory / "error.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                MARIADBD,
                "--no-defaults",
                f"--datadir={self.directory / 'data'}",
                f"--socket={self.directory / 'socket'}",
                f"--pid-file={self.directory / 'pid'}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=16M",
                f"--tmpdir={self.tmpdir}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not start: see {self.directory / 'error.log'}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot shut down
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None
            self._log.close()

    def freeze(self) -> None:
        """The server stops answering but keeps its connections open (a hung host).
        Returns once every thread of it has stopped: a signal is not delivered at once."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        tasks = Path(f"/proc/{self.process.pid}/task")
        while any(_state(task) != "T" for task in tasks.iterdir()):
            time.sleep(0.001)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def answers(self) -> bool:
        try:
            pymysql.connect(
                host="127.0.0.1", port=self.port, user="root", connect_timeout=1
            ).close()
        except pymysql.err.OperationalError:
            return False
        return True

    def execute(self, *statements: str) -> None:
        connection = pymysql.connect(host="127.0.0.1", port=self.port, user="root", autocommit=True)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        connection.close()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _state(task: Path) -> str:
    """A thread's state letter in /proc ("T": stopped); "T" once it has gone."""
    try:
        return (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "T"


def can_run_a_server() -> bool:
    return os.path.exists(MARIADBD) and os.path.exists(INSTALL_DB)
