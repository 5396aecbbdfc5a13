"""Start and stop the service and the floor under uvicorn; read their workers' memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.config import PUBLIC_BASE_URL, PYTHON, ROOT

# Both get the same flags. uvloop and httptools are what uvicorn[standard] brings and what
# "auto" picks anyway; they are named so that `--workers 2` keeps TCP_NODELAY (uvicorn
# issue 3149: without uvloop each keep-alive response waits ~40 ms for a delayed ACK).
UVICORN_FLAGS = ("--loop", "uvloop", "--http", "httptools", "--no-access-log")
UVICORN_LOG_LEVEL = "warning"


@dataclass
class Server:
    name: str  # "service" or "floor"
    app: str  # the ASGI app, as uvicorn takes it
    port: int
    workers: int
    user: str  # the MariaDB user it connects as (its statements are counted by user)
    database_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)  # more environment variables
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers > 1 else ''})"

    def command(self) -> list[str]:
        return [
            str(PYTHON),
            "-m",
            "uvicorn",
            self.app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            *UVICORN_FLAGS,
            "--log-level",
            UVICORN_LOG_LEVEL,
        ]

    def start(self) -> None:
        if not _port_free(self.port):
            raise RuntimeError(f"port {self.port} is taken: stop what listens there first")
        env = dict(
            os.environ,
            DATABASE_URL=self.database_url,
            SOURCE="bagisto",
            PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        )
        env.update(self.env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2):
                    pass
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            if len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.label} did not answer /health within {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: uvicorn itself with one worker, its spawned
        children with more (not multiprocessing's resource tracker)."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        return [
            pid for pid in _children(self.process.pid) if b"resource_tracker" not in _cmdline(pid)
        ]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes have used so far (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0]
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def kb_to_mb(kb: float) -> float:
    """/proc's kB (KiB) in MB (10^6 bytes), the unit of the issue's 80 MB target."""
    return kb * 1024 / 1e6


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of a process, in kB."""
    values: dict[str, int] = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return values
    for line in lines:
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


class RssSampler:
    """Samples VmRSS of some processes every `interval` seconds in a thread."""

    def __init__(self, pids: list[int], interval: float = 0.1) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: list[tuple[float, dict[int, int]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            rss = {pid: memory_kb(pid).get("VmRSS", 0) for pid in self.pids}
            self.samples.append((time.monotonic() - start, rss))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mb(self) -> float:
        """The largest RSS any one of the processes reached, in MB."""
        peaks = [max(rss.values(), default=0) for _, rss in self.samples]
        return kb_to_mb(max(peaks, default=0))
