"""The whole run: seed, start the three servers, check their answers, measure, soak."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import hostile
from bench.client import send
from bench.config import DATABASE, PORTS, RunConfig
from bench.dataset import Dataset, build
from bench.load import Wrk, ensure_wrk
from bench.machine import describe
from bench.measure import Point, measure, median_point
from bench.profile import profile
from bench.scenarios import Scenario, scenarios, soak_requests
from bench.seed import create_users, database_exists, seed
from bench.servers import RssSampler, Server, memory_mb, uvicorn
from bench.statements import SESSION_INIT, for_mysql2

# The last run's server logs; one directory per BENCH_PORT, as runs side by side need.
LOGS = Path(tempfile.gettempdir()) / f"downloads-api-bench-logs-{PORTS['service']}"
PEER = Path(__file__).resolve().parent / "peer"
SOAK_CUSTOMERS = range(100, 400)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class AnswersDiffer(Exception):
    """An anchor answered other bytes than the service: its timings would compare nothing."""


class Bench:
    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.results: dict[str, Any] = {"config": asdict(config)}
        shutil.rmtree(LOGS, ignore_errors=True)
        LOGS.mkdir(parents=True)

    def server(self, name: str, log_name: str = "") -> Server:
        port = PORTS[name]
        env = {"DATABASE_URL": self.config.database_url(name)}
        if name == "service":
            env |= {"SOURCE": "bagisto", **dict(self.config.service_env)}
            command = uvicorn("app.main:app", port)
        elif name == "floor":
            command = uvicorn("bench.floor:app", port)
        else:
            env |= {
                "PORT": str(port),
                "STATEMENTS": for_mysql2(),
                "SESSION_INIT": SESSION_INIT,
            }
            command = ["node", str(PEER / "server.js")]
        return Server(name, command, port, env, LOGS / f"{log_name or name}.log")

    def run(self) -> dict[str, Any]:
        wrk_binary = ensure_wrk()
        if "peer" in self.config.anchors:
            ensure_peer()
        self.results["meta"] = describe()
        data = build()
        self.prepare_database(data)
        selected = select(scenarios(data), self.config.scenarios)
        self.results["scenarios"] = {s.name: s.description for s in selected}
        started = time.monotonic()
        servers = [self.server(name) for name in ("service", *self.config.anchors)]
        try:
            for server in servers:
                server.start()
            self.check_answers(servers, selected)
            points = [p for s in selected for p in self.scenario_points(servers, s, wrk_binary)]
            self.results["points"] = [asdict(p) for p in points]
            self.results["hwm_mb"] = {s.name: memory_mb(s.pid, "VmHWM") for s in servers}
            self.profile(servers[0], selected, wrk_binary)
        finally:
            for server in servers:
                server.stop()
        self.soak(wrk_binary)
        if self.config.hostile > 0:
            log(f"hostile step: {self.config.hostile:g} s a phase, {self.config.rounds} rounds")
            with self.server("service", "service-hostile") as service:
                figures = hostile.run(service, wrk_binary, self.config.hostile, self.config.rounds)
            self.results["hostile"] = figures
            log(
                ", ".join(f"{k}: p99 beside/alone {v['p99_ratio']:.2f}" for k, v in figures.items())
            )
        self.results["elapsed_seconds"] = round(time.monotonic() - started, 1)
        return self.results

    def prepare_database(self, data: Dataset) -> None:
        if self.config.reuse_database and database_exists():
            log(f"reusing database {DATABASE} (--reuse-db)")
            create_users()
            return
        log(f"seeding {DATABASE} ...")
        seeded = seed(data)
        log(f"seeded {sum(seeded.rows.values()):,} rows in {seeded.seconds:.1f} s")

    def check_answers(self, servers: list[Server], selected: list[Scenario]) -> None:
        """Every anchor must answer each scenario with the service's status and bytes, or
        the comparison is void: the run stops."""
        service, *anchors = servers
        checks: dict[str, dict[str, Any]] = {}
        for scenario in selected:
            for request in scenario.requests:
                ours = send(service.port, request)
                checks[scenario.name] = {"status": ours.status, "bytes": len(ours.body)}
                for anchor in anchors:
                    theirs = send(anchor.port, request)
                    same = ours.status == theirs.status == 200 and ours.body == theirs.body
                    checks[scenario.name][f"same_as_{anchor.name}"] = same
                    if not same:
                        raise AnswersDiffer(
                            f"{scenario.name}: {anchor.name} answered {theirs.status}"
                            f" {theirs.body[:300]!r}, the service {ours.status}"
                            f" {ours.body[:300]!r}"
                        )
        self.results["checks"] = checks
        log(f"answers checked: the same bytes from {', '.join(a.name for a in anchors)}")

    def scenario_points(
        self, servers: list[Server], scenario: Scenario, wrk_binary: str
    ) -> list[Point]:
        """Each concurrency, `rounds` times, the servers back to back in a rotating order
        so that drift on the shared machine hits all alike; each figure the median."""
        points: list[Point] = []
        wrk = Wrk(wrk_binary, scenario.requests)
        try:
            for concurrency in self.config.concurrencies:
                measured: dict[str, list[Point]] = {s.name: [] for s in servers}
                for turn in range(self.config.rounds):
                    shift = turn % len(servers)
                    for server in servers[shift:] + servers[:shift]:
                        point = measure(
                            server,
                            wrk,
                            scenario.name,
                            concurrency,
                            self.config.warmup,
                            self.config.duration,
                        )
                        measured[server.name].append(point)
                        log(
                            f"{server.name:<8} {scenario.name:<14} c={concurrency:<4}"
                            f" {point.rps:7.0f} req/s  p99 {point.p99_ms:7.2f} ms"
                            f"  cpu {point.cpu_ms_per_request:5.2f} ms/req  errors {point.errors}"
                        )
                points.extend(median_point(rounds) for rounds in measured.values())
        finally:
            wrk.close()
        return points

    def profile(self, service: Server, selected: list[Scenario], wrk_binary: str) -> None:
        """Where the service's CPU goes in the list scenarios (bench/profile.py)."""
        if self.config.profile <= 0:
            return
        found = {}
        for scenario in (s for s in selected if s.name.startswith("list")):
            wrk = Wrk(wrk_binary, scenario.requests)
            try:
                found[scenario.name] = profile(service, wrk, self.config.profile)
            finally:
                wrk.close()
            if found[scenario.name] is None:
                log("no profile: py-spy is not installed (pip install -e '.[bench]')")
                return
            log(f"profiled the service under {scenario.name}")
        self.results["profile"] = found

    def soak(self, wrk_binary: str) -> None:
        """A fresh service under a mix of every scenario's shape over many customers at
        high concurrency: does its memory grow?"""
        seconds = self.config.soak
        if seconds <= 0:
            return
        mix = soak_requests(SOAK_CUSTOMERS)
        wrk = Wrk(wrk_binary, mix)
        concurrency = self.config.soak_concurrency
        log(f"soak: {seconds:.0f} s at c={concurrency}, {len(mix)} different requests")
        try:
            with self.server("service", "service-soak") as service:
                wrk.run(service.port, concurrency, max(2.0, 2 * self.config.warmup))
                with RssSampler(service.pid, interval=1.0) as rss:
                    result = wrk.run(service.port, concurrency, seconds)
                hwm = memory_mb(service.pid, "VmHWM")
        finally:
            wrk.close()
        values = [mb for _, mb in rss.samples if mb]
        tenth = max(1, len(values) // 10)
        start, end = statistics.median(values[:tenth]), statistics.median(values[-tenth:])
        self.results["soak"] = {
            "seconds": seconds,
            "concurrency": concurrency,
            "rps": result.rps,
            "p99_ms": result.p99_ms,
            "errors": result.errors,
            "rss_start_mb": start,
            "rss_end_mb": end,
            "rss_growth_mb": end - start,
            "hwm_mb": hwm,
        }
        log(
            f"soak: RSS {start:.1f} MB -> {end:.1f} MB,"
            f" {result.rps:.0f} req/s, errors {result.errors}"
        )


def select(every: list[Scenario], wanted: tuple[str, ...]) -> list[Scenario]:
    unknown = set(wanted) - {s.name for s in every}
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return [s for s in every if not wanted or s.name in wanted]


def ensure_peer() -> None:
    """The peer's packages, exactly as package-lock.json pins them (`npm ci`)."""
    if shutil.which("node") is None:
        raise SystemExit("the peer needs Node.js 20 or later (or leave it out: --anchors floor)")
    if not (PEER / "node_modules").is_dir():
        log("installing the peer's packages: npm ci")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)
