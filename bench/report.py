"""The run's figures as ratios, and the verdicts on issue 23's targets.

`python -m bench.report [results.json]` renders a results file again without measuring.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.config import RESULTS_DIR

Results = dict[str, Any]
TARGET_CONCURRENCY = 32
MIN_OVER_FLOOR = 1.0  # service req/s ÷ floor req/s
MIN_OVER_PEER = 0.5  # service req/s ÷ peer req/s
MAX_RSS_MB = 80.0
MAX_GROWTH_MB = 2.0  # soak: median RSS of the last tenth less the first tenth's
SOAK_TARGET_SECONDS = 300.0
MAX_HOSTILE_RATIO = 2.0  # issue 11: legitimate p99 beside the hostile mix ÷ alone


def points_by(results: Results) -> dict[tuple[str, str, int], dict[str, Any]]:
    return {(p["scenario"], p["target"], p["concurrency"]): p for p in results.get("points", [])}


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ratios_table(results: Results) -> str:
    """Per scenario and concurrency: req/s and the two throughput ratios, the same ratios
    by CPU per request (anchor's ÷ service's: the steadier reading on a shared machine),
    then each server's CPU per request, p50, p99 and peak RSS."""
    by = points_by(results)
    rows = []
    for name in results.get("scenarios", {}):
        for c in results["config"]["concurrencies"]:
            ours = by.get((name, "service", c))
            if ours is None:
                continue
            anchors = [by.get((name, a, c)) for a in ("floor", "peer")]
            found = [p for p in (ours, *anchors) if p is not None]

            def each(key: str, digits: int = 2, found: list[dict[str, Any]] = found) -> str:
                return " / ".join(fmt(p[key], digits) for p in found)

            rps = [ratio(ours["rps"], a["rps"]) if a else None for a in anchors]
            cpu = [
                ratio(a["cpu_ms_per_request"], ours["cpu_ms_per_request"]) if a else None
                for a in anchors
            ]
            rows.append(
                (
                    name,
                    c,
                    each("rps", 0),
                    *(f"**{fmt(r)}** ({fmt(r_cpu)})" for r, r_cpu in zip(rps, cpu, strict=True)),
                    each("cpu_ms_per_request"),
                    each("p50_ms"),
                    each("p99_ms"),
                    each("rss_peak_mb", 1),
                    sum(p["errors"] for p in found),
                )
            )
    servers = " / ".join(["service", *results["config"]["anchors"]])
    headers = (
        "scenario",
        "c",
        f"req/s ({servers})",
        "service/floor (by CPU)",
        "service/peer (by CPU)",
        f"CPU ms/req ({servers})",
        "p50 ms",
        "p99 ms",
        "peak RSS MB",
        "errors",
    )
    return table(headers, rows)


def verdicts(results: Results) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for each of issue 23's targets; None: not measured."""
    by = points_by(results)
    c = TARGET_CONCURRENCY
    names = list(results.get("scenarios", {}))
    found: list[tuple[str, str, bool | None]] = []
    for anchor, minimum in (("floor", MIN_OVER_FLOOR), ("peer", MIN_OVER_PEER)):
        measured = {
            n: ratio(by[(n, "service", c)]["rps"], by[(n, anchor, c)]["rps"])
            for n in names
            if (n, "service", c) in by and (n, anchor, c) in by
        }
        text = ", ".join(f"{n} {fmt(r)}" for n, r in measured.items()) or "not measured"
        ok = all(r is not None and r >= minimum for r in measured.values()) if measured else None
        found.append((f"service/{anchor} ≥ {minimum} at c={c}", text, ok))
    p99 = {
        n: (by[(n, "service", c)]["p99_ms"], by[(n, "floor", c)]["p99_ms"])
        for n in names
        if (n, "service", c) in by and (n, "floor", c) in by
    }
    text = ", ".join(f"{n} {fmt(a)} vs {fmt(b)} ms" for n, (a, b) in p99.items()) or "not measured"
    found.append(
        (f"p99 ≤ the floor's at c={c}", text, all(a <= b for a, b in p99.values()) if p99 else None)
    )
    service_rss = [p["rss_peak_mb"] for p in results.get("points", []) if p["target"] == "service"]
    soak = results.get("soak")
    if soak:
        service_rss.append(soak["hwm_mb"])
    peak = max(service_rss, default=None)
    found.append(
        (
            f"RSS ≤ {MAX_RSS_MB:g} MB",
            f"service peak {fmt(peak, 1)} MB",
            None if peak is None else peak <= MAX_RSS_MB,
        )
    )
    growth = None if soak is None else soak["rss_growth_mb"]
    text = f"{fmt(growth, 1)} MB over {soak['seconds']:g} s" if soak else "no soak in this run"
    grown = None if growth is None else growth <= MAX_GROWTH_MB
    if soak and soak["seconds"] < SOAK_TARGET_SECONDS:  # not the target's run: no verdict
        text, grown = text + " (shorter than the target's 5 minutes: indicative)", None
    found.append((f"no RSS growth over {SOAK_TARGET_SECONDS / 60:g} minutes", text, grown))
    beside = results.get("hostile")
    text = ", ".join(f"{n} {fmt(v['p99_ratio'])}" for n, v in (beside or {}).items())
    ok = (
        all(v["p99_ratio"] <= MAX_HOSTILE_RATIO and not v["errors"] for v in beside.values())
        if beside
        else None
    )
    found.append(
        (f"p99 beside hostile traffic ≤ {MAX_HOSTILE_RATIO:g} x alone", text or "not run", ok)
    )
    return found


def profile_table(results: Results) -> str:
    """CPU ms per request by activity, each list scenario a column (bench/profile.py)."""
    found: dict[str, dict[str, float]] = results.get("profile") or {}
    first = next(iter(found.values()), {})
    costliest = sorted(first, key=first.__getitem__, reverse=True)
    rows = [(a, *(fmt(p.get(a), 3) for p in found.values())) for a in costliest]
    total = ("total", *(fmt(sum(p.values()), 3) for p in found.values()))
    heading = "Where the service's CPU goes, ms a request (py-spy, c=32):\n\n"
    return heading + table(("activity", *found), [*rows, total]) if found else ""


def render(results: Results) -> str:
    meta = results.get("meta", {})
    config = results["config"]
    verdict_rows = [
        (target, measured, {True: "PASS", False: "FAIL", None: "-"}[ok])
        for target, measured, ok in verdicts(results)
    ]
    soak = results.get("soak")
    soak_line = (
        f"Soak: {soak['seconds']:g} s at c={soak['concurrency']}, {fmt(soak['rps'], 0)} req/s,"
        f" p99 {fmt(soak['p99_ms'])} ms, {soak['errors']} errors;"
        f" RSS {fmt(soak['rss_start_mb'], 1)} → {fmt(soak['rss_end_mb'], 1)} MB,"
        f" VmHWM {fmt(soak['hwm_mb'], 1)} MB."
        if soak
        else "Soak: not run."
    )
    hwm = ", ".join(f"{name} {fmt(mb, 1)}" for name, mb in results.get("hwm_mb", {}).items())
    return "\n\n".join(
        [
            f"Run of {meta.get('date', '?')}, commit {meta.get('commit', '?')},"
            f" {meta.get('nproc', '?')} cores ({meta.get('cpu', '?')}), load average"
            f" {fmt(meta.get('loadavg_at_start'), 1)} at the start; {config['duration']:g} s a"
            f" point after {config['warmup']:g} s of warm-up,"
            f" median of {config['rounds']} rounds; one process each.",
            ratios_table(results),
            "Figures in a cell: service / " + " / ".join(config["anchors"]) + ". Every anchor"
            " answered each scenario with the service's bytes before it was timed.",
            table(("target", "measured", "verdict"), verdict_rows),
            f"Peak RSS (VmHWM) over the matrix, MB: {hwm}. {soak_line}",
            profile_table(results),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else RESULTS_DIR / "latest.json"
    print(render(json.loads(path.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
