"""The whole run: seed, check, measure, soak, explain; `report` writes it up."""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import hostile, report
from bench.client import send
from bench.config import (
    DATABASE,
    FLOOR_PORT,
    FLOOR_USER,
    RESULTS_DIR,
    SERVICE_ENV,
    SERVICE_PORT,
    SERVICE_USER,
    RunConfig,
)
from bench.dataset import Dataset, build
from bench.load import Wrk, ensure_wrk
from bench.machine import describe
from bench.measure import Point, measure, median_point
from bench.scenarios import HttpRequest, Scenario, edges_only, scenarios, soak_requests
from bench.seed import create_users, database_exists, seed
from bench.servers import RssSampler, Server, kb_to_mb, memory_kb
from bench.sqlstats import GeneralLog, StatementCounter, analyze, delta, normalize

LOGS = Path(tempfile.gettempdir()) / "downloads-api-bench-logs"  # the last run's server logs
PROBE_REQUESTS = 20  # sequential requests per scenario for the exact statement count
SOAK_CUSTOMERS = range(100, 400)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Bench:
    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.started = time.monotonic()
        self.logs = LOGS
        shutil.rmtree(LOGS, ignore_errors=True)
        LOGS.mkdir(parents=True)
        self.results: dict[str, Any] = {"config": _config_dict(config), "skipped": {}}
        self.data: Dataset
        self.counter: StatementCounter

    # --- servers ---------------------------------------------------------------------

    def service(self, workers: int, log_name: str = "") -> Server:
        return Server(
            "service",
            self.config.service_app,
            SERVICE_PORT,
            workers,
            SERVICE_USER,
            self.config.database_url(SERVICE_USER),
            self.logs / (log_name or f"service-{workers}w.log"),
            env={**SERVICE_ENV, **dict(self.config.service_env)},
        )

    def floor(self, workers: int) -> Server:
        return Server(
            "floor",
            "bench.floor:app",
            FLOOR_PORT,
            workers,
            FLOOR_USER,
            self.config.database_url(FLOOR_USER),
            self.logs / f"floor-{workers}w.log",
        )

    # --- the run ---------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        wrk_binary = ensure_wrk()  # before describe(), which reads wrk's version
        self.results["meta"] = describe()
        self.data = build()
        self.prepare_database()
        selected = self.select_scenarios(scenarios(self.data))
        self.results["scenarios"] = {
            s.name: {"description": s.description, "is_list": s.is_list, "nodes": s.nodes}
            for s in [*selected, edges_only()]
        }
        self.counter = StatementCounter()
        self.results["statement_source"] = (
            "USER_STATISTICS per user" if self.counter.per_user else "global Com_select"
        )
        try:
            with self.service(1, "service-1w-checks.log") as service, self.floor(1) as floor:
                selected = self.check_rest(service, selected)
                self.capture_sql(service, floor, [*selected, edges_only()])
                self.check_answers(service, floor, selected)
                self.probe_statements(service, floor, [*selected, edges_only()])
            # Measured on fresh servers, the long pages on servers of their own: one
            # 1,000-node answer leaves a worker's RSS high for the rest of its life, which
            # would count against the other scenarios' memory target.
            regular = [s for s in selected if not s.concurrencies]
            long_pages = [s for s in selected if s.concurrencies]
            with self.service(1) as service, self.floor(1) as floor:
                self.matrix(service, floor, regular, wrk_binary)
                self.results["memory"] = {"1": _memory(service, floor)}
            if long_pages:
                with self.service(1, "service-1w-pages.log") as service, self.floor(1) as floor:
                    self.matrix(service, floor, long_pages, wrk_binary)
                    self.results["memory"]["1, long pages"] = _memory(service, floor)
            with self.service(2) as service, self.floor(2) as floor:
                self.scaling(service, floor, regular, wrk_binary)
                self.results["memory"]["2"] = _memory(service, floor)
            self.soak(wrk_binary)
            if not self.config.scenarios:  # a full run: legit queries beside hostile ones
                service = self.service(1, "service-hostile.log")
                self.results["hostile"] = hostile.run(
                    service, wrk_binary, warmup=self.config.warmup
                )
        finally:
            self.counter.close()
        self.results["explain"] = self.explain()
        self.results["elapsed_seconds"] = round(time.monotonic() - self.started, 1)
        self.results["targets"] = report.evaluate(self.results)
        return self.results

    def prepare_database(self) -> None:
        if self.config.reuse_database and database_exists():
            log(f"reusing database {DATABASE} (--reuse-db)")
            create_users()
            self.results["seed"] = {"reused": True}
            return
        log(f"seeding {DATABASE} ...")
        seeded = seed(self.data)
        log(f"seeded {sum(seeded.rows.values()):,} rows in {seeded.seconds:.1f} s")
        self.results["seed"] = {"seconds": round(seeded.seconds, 2), "rows": seeded.rows}

    def select_scenarios(self, every: list[Scenario]) -> list[Scenario]:
        wanted = set(self.config.scenarios)
        unknown = wanted - {s.name for s in every}
        if unknown:
            raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
        return [s for s in every if not wanted or s.name in wanted]

    def check_rest(self, service: Server, selected: list[Scenario]) -> list[Scenario]:
        """The REST collection is measured only when the service has that route. Asked
        without credentials, so the answer (401, or 404 with no route) costs no SQL."""
        kept = []
        for scenario in selected:
            if "rest" in scenario.tags:
                bare = HttpRequest(scenario.request.method, scenario.request.path, {})
                if send(service.port, bare).status == 404:
                    reason = f"{bare.path} answered 404: the service has no such route"
                    self.results["skipped"][scenario.name] = reason
                    log(f"skipping {scenario.name}: {reason}")
                    continue
            kept.append(scenario)
        return kept

    def check_answers(self, service: Server, floor: Server, selected: list[Scenario]) -> None:
        """The floor must answer what the service answers, or the comparison is void."""
        checks = {}
        for scenario in selected:
            ours, theirs = send(service.port, scenario.request), send(floor.port, scenario.request)
            same = ours.body == theirs.body
            same_json = same or json.loads(ours.body) == json.loads(theirs.body)
            checks[scenario.name] = {
                "service_status": ours.status,
                "floor_status": theirs.status,
                "bytes": len(ours.body),
                "same_bytes": same,
                "same_json": same_json,
            }
            if not (ours.status == theirs.status == 200 and same_json):
                log(f"WARNING {scenario.name}: the floor's answer differs from the service's")
        self.results["checks"] = checks
        log(
            "answers checked: "
            + ", ".join(
                f"{k}={'same' if v['same_json'] else 'DIFFERENT'}" for k, v in checks.items()
            )
        )

    def capture_sql(self, service: Server, floor: Server, selected: list[Scenario]) -> None:
        """What each request sends to the server, from the general log: first the new
        connections' session init, then one request per scenario after an unlogged one
        has warmed the storefront key cache (markers split the log)."""
        general = GeneralLog()
        try:
            with general.recording():
                for server in (service, floor):
                    general.marker(f"{server.name}/connect")
                    send(server.port, selected[0].request)
                for scenario in selected:
                    for server in (service, floor) if scenario.floor else (service,):
                        general.marker("warm-up")
                        send(server.port, scenario.request)
                        general.marker(f"{server.name}/{scenario.name}")
                        send(server.port, scenario.request)
        finally:
            general.close()
        groups = general.by_marker()

        def queries(key: str) -> list[str]:
            return [e.sql for e in groups.get(key, []) if e.command == "Query"]

        self.results["session_init"] = {
            name: sorted({sql for sql in queries(f"{name}/connect") if sql.startswith("SET ")})
            for name in ("service", "floor")
        }
        captured: dict[str, Any] = {}
        for scenario in selected:
            ours = queries(f"service/{scenario.name}")
            theirs = queries(f"floor/{scenario.name}") if scenario.floor else None
            captured[scenario.name] = {
                "service": ours,
                "floor": theirs,
                "same_statements": None
                if theirs is None
                else sorted(map(normalize, ours)) == sorted(map(normalize, theirs)),
            }
        self.results["sql"] = captured
        log(
            "SQL compared: "
            + ", ".join(f"{k}={v['same_statements']}" for k, v in captured.items())
            + f"; session init {self.results['session_init']}"
        )

    def probe_statements(self, service: Server, floor: Server, selected: list[Scenario]) -> None:
        """Exact SELECTs per request: sequential requests, counters around them."""
        probes: dict[str, Any] = {}
        for scenario in selected:
            row: dict[str, Any] = {}
            for server in (service, floor):
                if server is floor and not scenario.floor:
                    continue
                send(server.port, scenario.request)
                before = self.counter.snapshot()
                for _ in range(PROBE_REQUESTS):
                    send(server.port, scenario.request)
                after = self.counter.snapshot()
                if self.counter.per_user:
                    counts = delta(before, after, server.user)
                    row[server.name] = counts.selects / PROBE_REQUESTS
                    row[f"{server.name}_rows_read"] = counts.rows_read / PROBE_REQUESTS
                else:
                    row[server.name] = (after.com_select - before.com_select) / PROBE_REQUESTS
            row["target"] = scenario.statements_target
            probes[scenario.name] = row
        self.results["statements"] = probes
        log(
            "statements per request: "
            + ", ".join(f"{k}={v['service']:g}" for k, v in probes.items())
        )

    def _points(
        self,
        servers: tuple[Server, Server],
        selected: list[Scenario],
        concurrencies: tuple[int, ...],
        wrk_binary: str,
        *,
        rounds_at: int | None = None,
    ) -> list[Point]:
        """Each scenario at each concurrency on both servers; at `rounds_at`, the median of
        `config.rounds` rounds (every round is kept in the results' "rounds")."""
        points: list[Point] = []
        turn = 0
        for scenario in selected:
            wrk = Wrk(wrk_binary, [scenario.request])
            try:
                for concurrency in concurrencies:
                    if scenario.concurrencies and concurrency not in scenario.concurrencies:
                        continue
                    rounds = self.config.rounds if concurrency == rounds_at else 1
                    measured: dict[str, list[Point]] = {server.name: [] for server in servers}
                    for _ in range(rounds):
                        # Service and floor back to back, in turns, so drift hits both alike.
                        order = servers if turn % 2 == 0 else servers[::-1]
                        turn += 1
                        for server in order:
                            point = measure(
                                server,
                                wrk,
                                scenario=scenario.name,
                                concurrency=concurrency,
                                warmup=self.config.warmup,
                                duration=self.config.duration,
                                counter=self.counter,
                            )
                            measured[server.name].append(point)
                            log(
                                f"{server.label:<20} {scenario.name:<14} c={concurrency:<4}"
                                f" {point.rps:8.0f} req/s  p50 {point.p50_ms:7.2f} ms"
                                f"  p99 {point.p99_ms:7.2f} ms  errors {point.errors}"
                            )
                    for server in servers:
                        if rounds > 1:
                            kept = self.results.setdefault("rounds", [])
                            kept.extend(p.as_dict() for p in measured[server.name])
                        points.append(median_point(measured[server.name]))
            finally:
                wrk.close()
        return points

    def matrix(
        self, service: Server, floor: Server, selected: list[Scenario], wrk_binary: str
    ) -> None:
        points = self._points(
            (service, floor),
            selected,
            self.config.concurrencies,
            wrk_binary,
            rounds_at=self.config.scaling_concurrency,
        )
        self.results.setdefault("points", []).extend(p.as_dict() for p in points)

    def scaling(
        self, service: Server, floor: Server, selected: list[Scenario], wrk_binary: str
    ) -> None:
        concurrencies = (self.config.scaling_concurrency,)
        points = self._points((service, floor), selected, concurrencies, wrk_binary)
        self.results.setdefault("points", []).extend(p.as_dict() for p in points)

    def soak(self, wrk_binary: str) -> None:
        """A fresh one-worker service under a mix of every scenario's shape, over many
        customers, at high concurrency: does its memory grow?"""
        seconds = self.config.soak
        if seconds <= 0:
            return
        mix = soak_requests(SOAK_CUSTOMERS)
        if "rest" in self.results["skipped"]:
            mix = [r for r in mix if r.method == "POST"]
        wrk = Wrk(wrk_binary, mix)
        concurrency = self.config.soak_concurrency
        log(f"soak: {seconds:.0f} s at c={concurrency}, {len(mix)} different requests")
        try:
            with self.service(1, "service-soak.log") as service:
                wrk.run(service.port, concurrency, max(2.0, 2 * self.config.warmup))
                pid = service.worker_pids()[0]
                with RssSampler([pid], interval=1.0) as rss:
                    result = wrk.run(service.port, concurrency, seconds)
                hwm = kb_to_mb(memory_kb(pid).get("VmHWM", 0))
        finally:
            wrk.close()
        series = [(round(t, 1), kb_to_mb(kb[pid])) for t, kb in rss.samples if kb.get(pid)]
        values = [v for _, v in series]
        tenth = max(1, len(values) // 10)
        start, end = statistics.median(values[:tenth]), statistics.median(values[-tenth:])
        self.results["soak"] = {
            "seconds": seconds,
            "concurrency": concurrency,
            "customers": len(SOAK_CUSTOMERS),
            "distinct_requests": len(mix),
            "requests": result.requests,
            "rps": result.rps,
            "p99_ms": result.p99_ms,
            "errors": result.errors,
            "rss_start_mb": start,
            "rss_end_mb": end,
            "rss_growth_mb": end - start,
            "rss_max_mb": max(values),
            "hwm_mb": hwm,
            "series": series,
        }
        log(
            f"soak: RSS {start:.1f} MB -> {end:.1f} MB, {result.rps:.0f} req/s,"
            f" errors {result.errors}"
        )

    def explain(self) -> list[dict[str, Any]]:
        """ANALYZE of the statements the service ran for the 5,000-purchase customer."""
        wanted: list[tuple[str, str, Callable[[str], bool]]] = [
            ("list-large", "token check", lambda s: "personal_access_tokens" in s),
            ("list-large", "first page", lambda s: "AS page" in s),
            ("list-large", "count", lambda s: "count(*)" in s),
            ("deep-page", "deep page (offset 4981)", lambda s: "AS page" in s),
            (
                "item",
                "single item",
                lambda s: "downloadable_link_purchased.id =" in s and "AS page" not in s,
            ),
        ]
        plans = []
        for scenario, title, match in wanted:
            statements = self.results.get("sql", {}).get(scenario, {}).get("service") or []
            found = next((s for s in statements if match(s)), None)
            if found is None:
                continue
            columns, rows = analyze(found)
            plans.append(
                {
                    "title": title,
                    "scenario": scenario,
                    "sql": found,
                    "columns": columns,
                    "rows": [list(map(_plain, r)) for r in rows],
                }
            )
        return plans


def _memory(service: Server, floor: Server) -> dict[str, list[float]]:
    """Peak RSS (VmHWM) of each worker over the server's life so far, in MB."""
    return {
        server.name: [kb_to_mb(memory_kb(pid).get("VmHWM", 0)) for pid in server.worker_pids()]
        for server in (service, floor)
    }


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _config_dict(config: RunConfig) -> dict[str, Any]:
    return {
        "duration": config.duration,
        "warmup": config.warmup,
        "concurrencies": list(config.concurrencies),
        "scaling_concurrency": config.scaling_concurrency,
        "rounds": config.rounds,
        "soak": config.soak,
        "soak_concurrency": config.soak_concurrency,
        "pool_size": config.pool_size,
        "service_env": dict(config.service_env),
        "service_app": config.service_app,
    }


def write(results: dict[str, Any], *, readme: bool, directory: Path = RESULTS_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    report.plot(results, directory / "latency.png")
    print(report.render(results))
    if readme:
        report.update_readme(results)
