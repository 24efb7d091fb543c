"""`./dev bench` (= `python -m bench`): run the benchmarks, print one Markdown table per benchmark,
write them to bench/results/latest.md.

    ./dev bench                 the quick set (a few minutes): growth up to 300 errors
    ./dev bench --full          the issue's full set: growth up to 1,000 errors (about 10 min here)
    ./dev bench --only floor    one benchmark (floor, batching, growth, startup); repeatable
    ./dev bench --profile       also count and time every Playwright call of a floor run and a sweep

Every figure is compared only with figures of the same run (ratios), never with a fixed number of
seconds: the machine and its load at the time are recorded with the results.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import batching, floor, growth, machine, startup
from bench.harness import Stopwatch, bench
from bench.table import Results, render

SECTIONS = ("floor", "batching", "growth", "startup")
RESULTS = Path(__file__).parent / "results" / "latest.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./dev bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--full", action="store_true", help="growth up to 1,000 errors, best of 3 (slower)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only these benchmarks")
    parser.add_argument("--profile", action="store_true", help="count and time the Playwright calls per referral")
    parser.add_argument("--settle", type=float, default=3.0, help="settle time S of the batching benchmark (s)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where the Markdown goes (default {RESULTS})")
    args = parser.parse_args(argv)
    wanted = set(args.only or SECTIONS)
    repeats = 3 if args.full else 2
    sizes = (10, 100, 1000) if args.full else (10, 100, 300)

    clock = Stopwatch()

    def say(what: str) -> None:
        print(f"[bench {clock.seconds:5.0f} s] {what}", file=sys.stderr, flush=True)

    with bench() as b:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        facts = {"date": stamp, **machine.describe(b.browser.version, "agent.browser.find_browser")}
        results = Results(machine=facts, mode="--full" if args.full else "quick")
        if "floor" in wanted:
            say(f"floor: bare Playwright vs dry-run sweep, 50 errors, best of {repeats}")
            results.floor = floor.run(b, errors=50, repeats=repeats)
            say(f"floor, asynchronous look: rows and window contents fetched late, Load more; best of {repeats}")
            results.floor_late = floor.run(b, errors=50, repeats=repeats, late=True)
        if args.profile:
            say("profile: every Playwright call of one floor run and one sweep")
            results.profile = (50, *floor.profiled(b, errors=50))
        if "batching" in wanted:
            say(f"batching: K = 1, 10, 50 resends, S = {args.settle:g} s")
            results.batching = batching.run(b, settle=args.settle)
        if "growth" in wanted:
            say(f"growth: dry runs of {', '.join(map(str, sizes))} errors by the real command")
            results.growth = growth.run(b, sizes)
    if "startup" in wanted:
        say("startup: command → first page request")
        results.startup = startup.run(repeats=repeats)
    results.machine["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results.seconds = clock.seconds
    text = render(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    say(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
