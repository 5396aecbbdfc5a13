"""`python -m bench`: seed, check, measure the service against its floor and its peer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.config import RESULTS_DIR, RunConfig
from bench.report import render
from bench.run import LOGS, Bench, log


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in _names(text))


def _variable(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parse(argv: list[str] | None) -> RunConfig:
    default = RunConfig()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add = parser.add_argument
    add("--duration", type=float, default=default.duration, help="seconds a point (%(default)s)")
    add("--warmup", type=float, default=default.warmup, help="seconds before each (%(default)s)")
    add("--concurrency", type=_numbers, default=default.concurrencies, help="e.g. 1,32")
    add("--rounds", type=int, default=default.rounds, help="rounds a point (%(default)s)")
    add("--soak", type=float, default=default.soak, help="seconds; 300 for the target, 0: none")
    add("--soak-concurrency", type=int, default=default.soak_concurrency)
    add("--hostile", type=float, default=default.hostile, help="seconds a phase; 0: none")
    add("--profile", type=int, default=default.profile, help="seconds of py-spy a list; 0: none")
    add("--pool-size", type=int, default=default.pool_size, help="max_size of every pool")
    add("--scenarios", type=_names, default=(), help="e.g. list-small,item (default: all)")
    add("--anchors", type=_names, default=default.anchors, help="floor and/or peer")
    add("--service-env", type=_variable, action="append", default=[], metavar="NAME=VALUE")
    add("--reuse-db", action="store_true", help="keep the bench database if it is there")
    add("--results", type=Path, default=RESULTS_DIR, help="where latest.json goes")
    add(
        "--quick", action="store_true", help="2 s points, 1 round, c=32, 20 s soak, no hostile step"
    )
    if "--quick" in (sys.argv[1:] if argv is None else argv):
        parser.set_defaults(
            duration=2.0, rounds=1, concurrency=(32,), soak=20.0, hostile=0.0, profile=4
        )
    args = parser.parse_args(argv)
    unknown = set(args.anchors) - {"floor", "peer"}
    if unknown:
        parser.error(f"unknown anchor(s): {', '.join(sorted(unknown))}")
    return RunConfig(
        duration=args.duration,
        warmup=args.warmup,
        concurrencies=args.concurrency,
        rounds=args.rounds,
        soak=args.soak,
        soak_concurrency=args.soak_concurrency,
        hostile=args.hostile,
        profile=args.profile,
        pool_size=args.pool_size,
        scenarios=args.scenarios,
        anchors=args.anchors,
        reuse_database=args.reuse_db,
        results=args.results,
        service_env=tuple(args.service_env),
    )


def main(argv: list[str] | None = None) -> int:
    config = parse(argv)
    results = Bench(config).run()
    config.results.mkdir(parents=True, exist_ok=True)
    (config.results / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(render(results))
    log(f"wrote {config.results}/latest.json; server logs in {LOGS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
