"""Prometheus metrics: requests by route, operation and status, latency, database
connections in use and cache lookups.

Under `downloads-api serve --workers N` (PROMETHEUS_MULTIPROC_DIR set) every worker writes
its counts to that directory and a scrape of any worker reads them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CacheStats = Callable[[], tuple[int, int]]  # (hits, misses) so far
# (plans built, how operations ran: "plan", or the reason graphql-core ran them) so far
ExecutionFigures = Callable[[], tuple[int, Mapping[str, int]]]


# The operations real clients name (tests/clients/, docs/platforms.md §3), the
# introspection of GraphiQL and code generators, and the explorer's example: labelled
# whoever sends them, as are the names an operator lists in METRICS_OPERATIONS.
KNOWN_OPERATIONS = frozenset(
    {
        "GetCustomerDownloadableProducts",
        "GetCustomerDownloadableProduct",
        "IntrospectionQuery",
        "CustomerDownloads",
    }
)
# Operation names are chosen by clients: at most this many others become labels, at most
# MAX_LABELS_PER_CUSTOMER of them named by any one customer.
MAX_OPERATION_LABELS = 100
MAX_LABELS_PER_CUSTOMER = 5
_MAX_OPERATION_LENGTH = 64
_NOT_A_NAME = re.compile(r"[^_0-9A-Za-z]")  # GraphQL names are made of these


class OperationLabels:
    """The `operation` label for the name of an operation that validated and ran: the name
    (cleaned, shortened) when it is known; else the name when a signed-in customer sent it
    and there is room, else "other". A storefront key is public, so a caller without a
    customer names no label; a label, once given, is kept for the life of the process
    (Prometheus keeps its series), so no customer may give more than a few."""

    def __init__(
        self,
        known: Iterable[str] = (),
        limit: int = MAX_OPERATION_LABELS,
        per_customer: int = MAX_LABELS_PER_CUSTOMER,
    ) -> None:
        self.known = KNOWN_OPERATIONS | frozenset(known)
        self.limit = limit
        self.per_customer = per_customer
        self.seen: set[str] = set()
        self._given_by: dict[int, int] = {}  # customer id: labels they named

    def __call__(self, name: str | None, customer_id: int | None = None) -> str:
        label = _NOT_A_NAME.sub("", name or "")[:_MAX_OPERATION_LENGTH]
        if not label or label in self.known or label in self.seen:
            return label
        if customer_id is None or len(self.seen) >= self.limit:
            return "other"
        given = self._given_by.get(customer_id, 0)
        if given >= self.per_customer:
            return "other"
        self._given_by[customer_id] = given + 1
        self.seen.add(label)
        return label


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(
        self,
        *,
        pool_in_use: Callable[[], int],
        caches: dict[str, CacheStats],
        execution: ExecutionFigures = lambda: (0, {}),
        cache_bytes: Callable[[], int] = lambda: 0,
        known_operations: Iterable[str] = (),
    ) -> None:
        self.registry = CollectorRegistry()
        self.operation_label = OperationLabels(known_operations)
        self.shared = multiprocess_directory() is not None
        figures = _Figures(pool_in_use, caches, execution, cache_bytes)
        if self.shared:
            # Figures other objects keep, copied into the shared files after each request.
            self._copy = _CopyToShared(figures, self.registry)
        else:
            self.registry.register(_ReadAtScrape(figures))
        self.requests = Counter(
            "downloads_api_requests",
            "Requests answered, by route, GraphQL operation and status.",
            ["path", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "downloads_api_request_duration_seconds",
            "Time to answer a request, by route.",
            ["path"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

    def after_request(self) -> None:
        if self.shared:
            self._copy()

    def exposition(self) -> bytes:
        """What /metrics answers: every worker's counts when they are shared."""
        if not self.shared:
            return generate_latest(self.registry)
        from prometheus_client.multiprocess import MultiProcessCollector

        self._copy()
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
        return generate_latest(registry)

    def close(self) -> None:
        """A stopping worker's gauges leave the sum (its counts stay counted)."""
        if self.shared:
            from prometheus_client.multiprocess import mark_process_dead

            mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # untyped upstream


class _Figures:
    """What other objects count, and the metrics' names and help for it."""

    def __init__(
        self,
        pool_in_use: Callable[[], int],
        caches: dict[str, CacheStats],
        execution: ExecutionFigures,
        cache_bytes: Callable[[], int],
    ) -> None:
        self.pool_in_use, self.caches = pool_in_use, caches
        self.execution, self.cache_bytes = execution, cache_bytes

    def counters(self) -> Iterator[tuple[str, str, tuple[str, ...], tuple[str, ...], int]]:
        """(name, help, label names, label values, count so far) of each counter."""
        for cache, stats in self.caches.items():
            for result, count in zip(("hit", "miss"), stats(), strict=True):
                yield _LOOKUPS, _LOOKUPS_HELP, ("cache", "result"), (cache, result), count
        built, outcomes = self.execution()
        yield _BUILT, _BUILT_HELP, (), (), built
        yield _PLANNED, _PLANNED_HELP, (), (), outcomes.get("plan", 0)
        for reason, count in sorted(outcomes.items()):
            if reason != "plan":
                yield _FALLBACKS, _FALLBACKS_HELP, ("reason",), (reason,), count


_LOOKUPS, _LOOKUPS_HELP = "downloads_api_cache_lookups", "Cache lookups, by cache and result."
_BUILT, _BUILT_HELP = "downloads_api_graphql_plans_built", "Operation plans compiled."
_PLANNED, _PLANNED_HELP = (
    "downloads_api_graphql_plan_executions",
    "GraphQL operations executed from a compiled plan.",
)
_FALLBACKS, _FALLBACKS_HELP = (
    "downloads_api_graphql_plan_fallbacks",
    "GraphQL operations executed by graphql-core, by the reason no plan ran them.",
)
_CACHE_BYTES, _CACHE_BYTES_HELP = (
    "downloads_api_graphql_cache_bytes",
    "Bytes the document cache holds (documents, validations, plans, answers).",
)


class _CopyToShared:
    def __init__(self, figures: _Figures, registry: CollectorRegistry) -> None:
        self.figures = figures
        self.connections = Gauge(
            "downloads_api_database_connections_in_use",
            "Database connections lent out by the pools of all workers.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.cache_bytes = Gauge(
            _CACHE_BYTES, _CACHE_BYTES_HELP, multiprocess_mode="livesum", registry=registry
        )
        self.counters: dict[str, Counter] = {}
        self.registry = registry
        self.copied: dict[tuple[str, tuple[str, ...]], int] = {}

    def __call__(self) -> None:
        self.connections.set(self.figures.pool_in_use())
        self.cache_bytes.set(self.figures.cache_bytes())
        for name, help, label_names, labels, count in self.figures.counters():
            new = count - self.copied.get((name, labels), 0)
            if new > 0:
                counter = self.counters.get(name)
                if counter is None:
                    counter = Counter(name, help, label_names, registry=self.registry)
                    self.counters[name] = counter
                (counter.labels(*labels) if labels else counter).inc(new)
                self.copied[name, labels] = count


class _ReadAtScrape(Collector):
    """Figures other objects already keep, read when Prometheus asks."""

    def __init__(self, figures: _Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "downloads_api_database_connections_in_use",
            "Database connections lent out by the pool right now.",
            value=self.figures.pool_in_use(),
        )
        yield GaugeMetricFamily(_CACHE_BYTES, _CACHE_BYTES_HELP, value=self.figures.cache_bytes())
        families: dict[str, CounterMetricFamily] = {}
        for name, help, label_names, labels, count in self.figures.counters():
            family = families.get(name)
            if family is None:
                family = CounterMetricFamily(name, help, labels=label_names)
                families[name] = family
            family.add_metric(list(labels), count)
        yield from families.values()
