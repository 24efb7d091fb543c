"""What `sweep` and `schedule run --now` share once a sweep is under way: stopping cleanly on a
signal, and telling the person what it did (paths on stdout, the rest on stderr, the exit code)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from agent.errors import SweepBlind, SweepIncomplete
from agent.models import SweepRun


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM/SIGINT end the sweep between two referrals, never between an intent and its click.
    The previous handlers come back afterwards."""
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        print(f"caredove-agent: {name} received, finishing the current referral", file=sys.stderr)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def print_run(run: SweepRun) -> None:
    counts = ", ".join(f"{n} {outcome}" for outcome, n in run.result.summary.items() if n)
    print(f"swept {len(run.result.referrals)} referrals with integration errors: {counts or 'none'}", file=sys.stderr)
    for problem in run.result.problems:
        print(f"attention: {problem}", file=sys.stderr)
    print(run.report_json)
    if run.report_html:
        print(run.report_html)
    if run.result.unseen is not None:
        raise SweepBlind(
            f"saw fewer referrals than the site says ({run.result.unseen.found} found)",
            fix=f"see what was not seen at the top of the report; {run.report_json}",
        )
    if not run.result.complete:
        raise SweepIncomplete("the sweep stopped early", fix=f"see the report's problems; {run.report_json}")
