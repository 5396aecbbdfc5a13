"""Targets (PASS/FAIL), the tables, the plot and the README section, from the results."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.config import BENCH_DIR

README = BENCH_DIR / "README.md"
BEGIN = "<!-- bench:results:begin (written by `python -m bench`; edits here are lost) -->"
END = "<!-- bench:results:end -->"
SOAK_TARGET_SECONDS = 300
RSS_LIMIT_MB = 80.0
RSS_GROWTH_LIMIT_MB = 2.0

Results = dict[str, Any]


# --- lookups -----------------------------------------------------------------------


def find(
    results: Results, scenario: str, target: str, concurrency: int, workers: int = 1
) -> dict[str, Any] | None:
    for point in results.get("points", []):
        if (
            point["scenario"] == scenario
            and point["target"] == target
            and point["concurrency"] == concurrency
            and point["workers"] == workers
        ):
            return point
    return None


def scenario_names(results: Results) -> list[str]:
    names: list[str] = []
    for point in results.get("points", []):
        if point["scenario"] not in names:
            names.append(point["scenario"])
    return names


def is_list(results: Results, name: str) -> bool:
    """Whether a scenario is "the list query" of the targets (0.6 of the floor)."""
    return bool(results.get("scenarios", {}).get(name, {}).get("is_list"))


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


# --- targets -----------------------------------------------------------------------


def _target(name: str, measured: str, ok: bool | None, note: str = "") -> dict[str, Any]:
    verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
    return {"target": name, "measured": measured, "verdict": verdict, "note": note}


def _throughput_target(results: Results, names: Sequence[str], minimum: float, c: int) -> tuple:
    parts, oks = [], []
    for name in names:
        service, floor = find(results, name, "service", c), find(results, name, "floor", c)
        ratio = _ratio(service and service["rps"], floor and floor["rps"])
        if ratio is None:
            continue
        parts.append(f"{name} {ratio:.2f}")
        oks.append(ratio >= minimum)
    return ", ".join(parts) or "not measured", (all(oks) if oks else None)


def evaluate(results: Results) -> list[dict[str, Any]]:
    names = scenario_names(results)
    others = [n for n in names if not is_list(results, n)]
    targets = []

    # The compiled executor's targets (GraphQL at the cost of REST), one worker, c=32.
    near = [n for n in ("list-small", "list-large", "magento-items", "item") if n in names]
    measured, ok = _throughput_target(results, near, 0.85, 32)
    targets.append(_target("list, items, item, c=32, 1 worker: ≥ 0.85 x floor req/s", measured, ok))
    measured, ok = _throughput_target(results, [n for n in names if n == "deep-page"], 0.9, 32)
    targets.append(_target("deep page, c=32, 1 worker: ≥ 0.9 x floor req/s", measured, ok))
    parts, oks = [], []
    for name in [*near, *(n for n in names if n == "deep-page")]:
        service, floor = find(results, name, "service", 32), find(results, name, "floor", 32)
        ratio = _ratio(service and service["p99_ms"], floor and floor["p99_ms"])
        if ratio is not None:
            parts.append(f"{name} {ratio:.2f}")
            oks.append(ratio <= 1.5)
    targets.append(
        _target(
            "p99 ≤ 1.5 x floor p99 at c=32 (those five)",
            ", ".join(parts) or "not measured",
            all(oks) if oks else None,
        )
    )
    # The façade's own CPU per node: the service's slope less the floor's (the floor's
    # is the driver decoding rows and the JSON of the same nodes, paid by both).
    slopes = node_slopes(results)
    extra = {
        c: slopes[("service", c)] - slopes[("floor", c)]
        for (target, c) in slopes
        if target == "service" and ("floor", c) in slopes
    }
    targets.append(
        _target(
            "worker CPU per extra node ≤ 25 µs (page-100 → page-1000, service less floor)",
            "; ".join(
                f"c={c} {value:.1f} µs (service {slopes[('service', c)]:.1f},"
                f" floor {slopes[('floor', c)]:.1f})"
                for c, value in sorted(extra.items())
            )
            or "not measured",
            all(v <= 25 for v in extra.values()) if extra else None,
        )
    )

    measured, ok = _throughput_target(results, others, 0.5, 32)
    targets.append(_target("every other query, c=32, 1 worker: ≥ 0.5 x floor req/s", measured, ok))

    statements = results.get("statements", {})
    for limit, label in (
        (3, "SQL statements per request ≤ 3 (token, page, count)"),
        (2, "SQL statements per request = 2 without totalCount/pageInfo"),
    ):
        chosen = {k: v for k, v in statements.items() if v["target"] == limit}
        parts = [f"{k} {v['service']:g}" for k, v in chosen.items()]
        oks = [v["service"] <= limit for v in chosen.values()]
        targets.append(_target(label, ", ".join(parts), all(oks) if oks else None))

    parts, oks = [], []
    for c in (1, 32):
        ratios = {}
        for target in ("service", "floor"):
            large = find(results, "list-large", target, c)
            small = find(results, "list-small", target, c)
            ratios[target] = _ratio(large and large["p50_ms"], small and small["p50_ms"])
        if ratios["service"] is not None:
            # The floor's own ratio: what 10 rows instead of 3 cost with no façade at all.
            parts.append(f"c={c} p50 {ratios['service']:.2f}x (floor: {_fmt(ratios['floor'])}x)")
            oks.append(ratios["service"] <= 1.5)
    targets.append(
        _target(
            "5,000-purchase first page ≤ 1.5 x 3-purchase latency",
            ", ".join(parts) or "not measured",
            all(oks) if oks else None,
        )
    )

    parts, oks = [], []
    for c in (1, 32):
        service, floor = (
            find(results, "deep-page", "service", c),
            find(results, "deep-page", "floor", c),
        )
        ratio = _ratio(service and service["p50_ms"], floor and floor["p50_ms"])
        if ratio is not None:
            parts.append(f"c={c} p50 {ratio:.2f}x")
            oks.append(ratio <= 1.2)
    targets.append(
        _target(
            "deep page ≤ 1.2 x the floor's deep-page latency",
            ", ".join(parts) or "not measured",
            all(oks) if oks else None,
        )
    )

    targets.append(_scaling_target(results, names))
    targets.extend(_memory_targets(results))
    return targets


def node_slopes(results: Results) -> dict[tuple[str, int], float]:
    """Worker CPU µs per extra node from the 100-node page to the 1,000-node one, by
    (target, concurrency)."""
    nodes = {n: v.get("nodes", 0) for n, v in results.get("scenarios", {}).items()}
    slopes = {}
    for target in ("service", "floor"):
        for c in results["config"]["concurrencies"]:
            small, large = (
                find(results, "page-100", target, c),
                find(results, "page-1000", target, c),
            )
            if small and large and nodes.get("page-1000", 0) > nodes.get("page-100", 0):
                extra = nodes["page-1000"] - nodes["page-100"]
                cpu = large["cpu_ms_per_request"] - small["cpu_ms_per_request"]
                slopes[(target, c)] = 1000 * cpu / extra
    return slopes


def nodes_table(results: Results) -> str:
    """Worker CPU per request against the number of nodes in the answer."""
    nodes = {n: v.get("nodes", 0) for n, v in results.get("scenarios", {}).items()}
    chosen = [
        n for n in ("item", "list-small", "list-large", "page-100", "page-1000") if n in nodes
    ]
    rows = []
    for c in results["config"]["concurrencies"]:
        for name in chosen:
            s, f = find(results, name, "service", c), find(results, name, "floor", c)
            if s is None or f is None:
                continue
            service, floor = s["cpu_ms_per_request"], f["cpu_ms_per_request"]
            rows.append(
                [
                    name,
                    nodes[name],
                    c,
                    f"{service:.2f}",
                    f"{floor:.2f}",
                    f"{service - floor:.2f}",
                    f"{1000 * service / nodes[name]:.1f}" if nodes[name] else "-",
                ]
            )
    header = [
        "scenario",
        "nodes",
        "c",
        "service CPU ms/req",
        "floor CPU ms/req",
        "service - floor ms",
        "service µs/node",
    ]
    return table(header, rows)


def scaling(results: Results, name: str, target: str) -> float | None:
    c = results["config"]["scaling_concurrency"]
    one, two = find(results, name, target, c, 1), find(results, name, target, c, 2)
    return _ratio(two and two["rps"], one and one["rps"])


def _geomean(values: Iterable[float]) -> float | None:
    values = list(values)
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def _scaling_target(results: Results, names: list[str]) -> dict[str, Any]:
    pairs = [(scaling(results, n, "service"), scaling(results, n, "floor")) for n in names]
    pairs = [(s, f) for s, f in pairs if s is not None and f is not None]
    service = _geomean(s for s, _ in pairs)
    floor = _geomean(f for _, f in pairs)
    ok = None if service is None or floor is None else service >= floor
    c = results["config"]["scaling_concurrency"]
    return _target(
        f"2 workers scale at least as well as the floor's (req/s 2w ÷ 1w at c={c})",
        f"service {_fmt(service)}x, floor {_fmt(floor)}x (geometric mean of {len(pairs)})",
        ok,
    )


def peak_rss_at(results: Results, concurrency: int) -> float | None:
    peaks = [
        p["rss_peak_mb"]
        for p in results.get("points", [])
        if p["target"] == "service" and p["concurrency"] == concurrency
    ]
    soak = results.get("soak")
    if soak and soak["concurrency"] == concurrency:
        peaks.append(soak["rss_max_mb"])
    return max(peaks) if peaks else None


def _memory_targets(results: Results) -> list[dict[str, Any]]:
    peak = peak_rss_at(results, 128)
    hwm = [  # the long pages' servers left out: their memory is the pages' own
        mb
        for key, workers in results.get("memory", {}).items()
        if key.isdigit()
        for mb in workers.get("service", [])
    ]
    soak = results.get("soak")
    if soak:
        hwm.append(soak["hwm_mb"])
    targets = [
        _target(
            f"peak RSS per worker < {RSS_LIMIT_MB:g} MB at c=128",
            f"{_fmt(peak, 1)} MB sampled at c=128;"
            f" VmHWM over the run {_fmt(max(hwm, default=None), 1)} MB",
            None if peak is None else peak < RSS_LIMIT_MB,
        )
    ]
    if soak:
        short = soak["seconds"] < SOAK_TARGET_SECONDS
        targets.append(
            _target(
                "no RSS growth over a 5-minute run",
                f"{soak['rss_start_mb']:.1f} → {soak['rss_end_mb']:.1f} MB"
                f" ({soak['rss_growth_mb']:+.1f} MB) over {soak['seconds']:.0f} s",
                soak["rss_growth_mb"] <= RSS_GROWTH_LIMIT_MB,
                f"only {soak['seconds']:.0f} s: run with --soak 300 for the 5-minute check"
                if short
                else "",
            )
        )
    else:
        targets.append(_target("no RSS growth over a 5-minute run", "soak skipped", None))
    return targets


# --- tables ------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main_table(results: Results) -> str:
    rows = []
    for name in scenario_names(results):
        for c in results["config"]["concurrencies"]:
            s, f = find(results, name, "service", c), find(results, name, "floor", c)
            if s is None or f is None:
                continue
            rows.append(
                [
                    name,
                    c,
                    f"{s['rps']:.0f}",
                    f"{f['rps']:.0f}",
                    f"**{s['rps'] / f['rps']:.2f}**" if f["rps"] else "-",
                    _fmt(s["p50_ms"]),
                    _fmt(s["p99_ms"]),
                    _fmt(f["p50_ms"]),
                    _fmt(f["p99_ms"]),
                    _fmt(_ratio(s["p99_ms"], f["p99_ms"])),
                    f"{s['errors']}/{f['errors']}",
                    f"{s['cpu_ms_per_request']:.2f}/{f['cpu_ms_per_request']:.2f}",
                    f"{s['rss_peak_mb']:.1f}/{f['rss_peak_mb']:.1f}",
                    f"{_fmt(s['statements_per_request'])}/{_fmt(f['statements_per_request'])}",
                ]
            )
    return table(
        [
            "scenario",
            "c",
            "service req/s",
            "floor req/s",
            "ratio",
            "service p50 ms",
            "service p99 ms",
            "floor p50 ms",
            "floor p99 ms",
            "p99 ratio",
            "errors s/f",
            "worker CPU ms/req s/f",
            "peak RSS MB s/f",
            "SQL/req s/f",
        ],
        rows,
    )


def scaling_table(results: Results) -> str:
    c = results["config"]["scaling_concurrency"]
    rows = []
    for name in scenario_names(results):
        cells: list[Any] = [name, c]
        for target in ("service", "floor"):
            one, two = find(results, name, target, c, 1), find(results, name, target, c, 2)
            if one is None or two is None:
                cells += ["-", "-", "-"]
                continue
            cells += [f"{one['rps']:.0f}", f"{two['rps']:.0f}", f"{two['rps'] / one['rps']:.2f}x"]
        two_service = find(results, name, "service", c, 2)
        cells.append("-" if two_service is None else f"{two_service['rss_peak_mb']:.1f}")
        rows.append(cells)
    return table(
        [
            "scenario",
            "c",
            "service 1w req/s",
            "service 2w req/s",
            "service scaling",
            "floor 1w req/s",
            "floor 2w req/s",
            "floor scaling",
            "service 2w peak RSS MB/worker",
        ],
        rows,
    )


def statements_table(results: Results) -> str:
    rows = []
    sql = results.get("sql", {})
    for name, row in results.get("statements", {}).items():
        same = sql.get(name, {}).get("same_statements")
        rows.append(
            [
                name,
                f"{row['service']:g}",
                "-" if row.get("floor") is None else f"{row['floor']:g}",
                f"≤ {row['target']}",
                _fmt(row.get("service_rows_read"), 0),
                _fmt(row.get("floor_rows_read"), 0),
                {True: "yes", False: "**no**", None: "-"}[same],
            ]
        )
    return table(
        [
            "request",
            "service SELECTs",
            "floor SELECTs",
            "target",
            "service rows read",
            "floor rows read",
            "same SQL as the floor",
        ],
        rows,
    )


def targets_table(results: Results) -> str:
    return table(
        ["target", "measured", "verdict"],
        (
            [
                t["target"],
                t["measured"] + (f" ({t['note']})" if t["note"] else ""),
                f"**{t['verdict']}**",
            ]
            for t in results.get("targets", [])
        ),
    )


def explain_section(results: Results) -> str:
    parts = []
    for plan in results.get("explain", []):
        keep = [
            i
            for i, column in enumerate(plan["columns"])
            if column
            in (
                "id",
                "select_type",
                "table",
                "type",
                "key",
                "key_len",
                "ref",
                "rows",
                "r_rows",
                "filtered",
                "r_filtered",
                "Extra",
            )
        ]
        rows = [[row[i] if row[i] is not None else "" for i in keep] for row in plan["rows"]]
        parts.append(
            f"**{plan['title']}** ({plan['scenario']}):\n\n```sql\n{plan['sql']}\n```\n\n"
            + table([plan["columns"][i] for i in keep], rows)
        )
    return "\n\n".join(parts)


def _max_load(results: Results) -> float:
    return max((p["loadavg"] for p in results.get("points", [])), default=0.0)


def _max_others(results: Results) -> float:
    others = [p["others_selects_per_s"] or 0 for p in results.get("points", [])]
    return max(others, default=0.0)


def render(results: Results) -> str:
    meta = results["meta"]
    config = results["config"]
    changes = meta.get("uncommitted_changes") or []
    lines = [
        f"Run of **{meta['date']}** on {meta['nproc']} x {meta['cpu']}, {meta['ram_gib']} GiB RAM"
        f" (Linux {meta['kernel']}), commit `{meta['commit']}`"
        + (
            f" plus uncommitted changes to {', '.join(f'`{c}`' for c in changes)}"
            if changes
            else ""
        )
        + f"; MariaDB {meta['mariadb']}, Python {meta['python']}, {meta['wrk']}."
        f" Load average {meta['loadavg_at_start']:.2f} at the start, up to {_max_load(results):.2f}"
        f" during the run; other clients of the server ran up to {_max_others(results):.0f}"
        f" SELECT/s meanwhile; the run took {results.get('elapsed_seconds', 0):.0f} s.",
        "",
        f"Each point: {config['warmup']:g} s warm-up, then {config['duration']:g} s measured"
        + (
            f" (one worker at c={config['scaling_concurrency']}, where the throughput targets"
            f" are read: the median of {config['rounds']} rounds, service and floor in turns)"
            if config.get("rounds", 1) > 1
            else ""
        )
        + ";"
        f" pool max_size {config['pool_size']} for both; SQL counted by"
        f" {results.get('statement_source', '?')}."
        + (f" Service environment: {config['service_env']}." if config.get("service_env") else "")
        + (
            f" Service app: `{config['service_app']}`."
            if config.get("service_app", "app.main:app") != "app.main:app"
            else ""
        ),
        "",
        "### Targets",
        "",
        targets_table(results),
        "",
        "### One worker each: service against floor",
        "",
        main_table(results),
        "",
        "### Worker CPU per request against node count",
        "",
        nodes_table(results),
        "",
        "### Two workers against one",
        "",
        scaling_table(results),
        "",
        "### SQL per request (sequential requests, counted by the server)",
        "",
        statements_table(results),
    ]
    checks = results.get("checks", {})
    differing = [name for name, check in checks.items() if not check["same_json"]]
    same_bytes = all(check["same_bytes"] for check in checks.values())
    lines += [
        "",
        "The floor's answers: "
        + (
            f"**differ from the service's for {', '.join(differing)}**"
            if differing
            else ("the same bytes" if same_bytes else "the same JSON")
            + " as the service's for every scenario"
        )
        + ".",
    ]
    init = results.get("session_init", {})
    if init:
        lines += [
            "",
            "Session init of new connections: "
            + "; ".join(f"{k} `{' / '.join(v) or '-'}`" for k, v in init.items())
            + ".",
        ]
    if results.get("skipped"):
        lines += ["", "Skipped: " + "; ".join(f"{k}: {v}" for k, v in results["skipped"].items())]
    soak = results.get("soak")
    if soak:
        lines += [
            "",
            "### Soak",
            "",
            f"One fresh worker, c={soak['concurrency']}, {soak['seconds']:.0f} s of every"
            f" scenario's shape over {soak['customers']} customers: {soak['rps']:.0f} req/s,"
            f" p99 {soak['p99_ms']:.1f} ms,"
            f" {soak['errors']} errors. RSS {soak['rss_start_mb']:.1f} MB at the start,"
            f" {soak['rss_end_mb']:.1f} MB at the end ({soak['rss_growth_mb']:+.1f} MB),"
            f" VmHWM {soak['hwm_mb']:.1f} MB.",
        ]
    memory = results.get("memory", {})
    if memory:
        lines += [
            "",
            "Peak RSS (VmHWM) per worker over each server's life, MB: "
            + "; ".join(
                f"{target} {workers}{'w' if workers.isdigit() else ''}"
                f" {', '.join(f'{mb:.1f}' for mb in values)}"
                for workers, by_target in memory.items()
                for target, values in by_target.items()
            )
            + ".",
        ]
    lines += [
        "",
        "### Query plans (service's SQL, 5,000-purchase customer)",
        "",
        explain_section(results),
    ]
    return "\n".join(lines) + "\n"


def update_readme(results: Results, path: Path = README) -> None:
    section = f"{BEGIN}\n\n{render(results)}\n{END}"
    text = path.read_text() if path.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + section + "\n"
    path.write_text(text)


# --- plot --------------------------------------------------------------------------


def plot(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = scenario_names(results)
    concurrencies = results["config"]["concurrencies"]
    columns = 3
    rows = max(1, math.ceil(len(names) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(5 * columns, 3.8 * rows), squeeze=False)
    for index, name in enumerate(names):
        ax = axes[index // columns][index % columns]
        for target, colour in (("service", "tab:blue"), ("floor", "tab:orange")):
            points = [find(results, name, target, c) for c in concurrencies]
            xs = [c for c, p in zip(concurrencies, points, strict=True) if p]
            for key, style, marker in (("p50_ms", "-", "o"), ("p99_ms", "--", "^")):
                ys = [p[key] for p in points if p]
                ax.plot(xs, ys, style, color=colour, marker=marker, label=f"{target} {key[:3]}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(concurrencies, [str(c) for c in concurrencies])
        ax.set_title(name)
        ax.set_xlabel("concurrent connections")
        ax.set_ylabel("latency, ms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    for index in range(len(names), rows * columns):
        axes[index // columns][index % columns].axis("off")
    meta = results["meta"]
    figure.suptitle(
        f"Latency against concurrency, 1 worker each - {meta['date']}, commit {meta['commit']}"
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    """`python -m bench.report`: judge and write up bench/results/latest.json again (after
    a change to this module) without measuring anything."""
    import json

    from bench.config import RESULTS_DIR

    path = RESULTS_DIR / "latest.json"
    results = json.loads(path.read_text())
    results["targets"] = evaluate(results)
    path.write_text(json.dumps(results, indent=2) + "\n")
    plot(results, RESULTS_DIR / "latency.png")
    update_readme(results)
    print(render(results))


if __name__ == "__main__":
    main()
