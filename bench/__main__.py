"""`python -m bench`: the whole benchmark, start to finish (see bench/README.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.config import RESULTS_DIR, RunConfig
from bench.run import Bench, log, write


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(",") if part.strip())


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _variable(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parse(argv: list[str] | None) -> RunConfig:
    defaults = RunConfig()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--duration",
        type=float,
        default=defaults.duration,
        help="seconds measured per point (default %(default)s)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=defaults.warmup,
        help="seconds of load before each point (default %(default)s)",
    )
    parser.add_argument(
        "--concurrency",
        type=_numbers,
        default=defaults.concurrencies,
        help="comma-separated connection counts (default 1,8,32,128)",
    )
    parser.add_argument(
        "--scaling-concurrency",
        type=int,
        default=defaults.scaling_concurrency,
        help="where 2 workers are compared with 1 (default %(default)s)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=defaults.rounds,
        help="one worker at the scaling concurrency (the targets' points): rounds of"
        " service and floor in turns, each figure their median (default %(default)s)",
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=defaults.soak,
        help="seconds of the memory growth run; 300 for the issue's"
        " 5-minute check, 0 to skip (default %(default)s)",
    )
    parser.add_argument("--soak-concurrency", type=int, default=defaults.soak_concurrency)
    parser.add_argument(
        "--pool-size",
        type=int,
        default=defaults.pool_size,
        help="max_size of the service's and the floor's pools (default"
        " %(default)s, aiomysql's own default)",
    )
    parser.add_argument(
        "--scenarios",
        type=_names,
        default=(),
        help="comma-separated subset, e.g. list-small,deep-page",
    )
    parser.add_argument(
        "--service-env",
        type=_variable,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the service only, e.g. LOG_LEVEL=WARNING",
    )
    parser.add_argument(
        "--service-app",
        default=defaults.service_app,
        metavar="MODULE:APP",
        help="the ASGI app measured as the service (default %(default)s); another one"
        " measures a variant, e.g. a change before it is made",
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="keep the bench database if it is there instead of seeding again",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="where latest.json and latency.png go (default bench/results); elsewhere"
        " implies --no-readme, for trying variants without touching the published results",
    )
    parser.add_argument(
        "--no-readme",
        action="store_true",
        help="do not rewrite the results section of bench/README.md",
    )
    args = parser.parse_args(argv)
    return RunConfig(
        duration=args.duration,
        warmup=args.warmup,
        concurrencies=args.concurrency,
        scaling_concurrency=args.scaling_concurrency,
        rounds=args.rounds,
        soak=args.soak,
        soak_concurrency=args.soak_concurrency,
        pool_size=args.pool_size,
        scenarios=args.scenarios,
        reuse_database=args.reuse_db,
        write_readme=not args.no_readme and args.results.resolve() == RESULTS_DIR,
        results=args.results,
        service_env=tuple(args.service_env),
        service_app=args.service_app,
    )


def main(argv: list[str] | None = None) -> int:
    config = parse(argv)
    bench = Bench(config)
    results = bench.run()
    write(results, readme=config.write_readme, directory=config.results)
    log(f"wrote {config.results}/latest.json and latency.png; server logs in {bench.logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
