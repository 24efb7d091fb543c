"""Resend batching: K 500-series errors whose resends succeed after about the settle time S.

The sweep reads all K, resends all K, then waits once for the lot (phase 3), so its idle time should
stay about S whatever K is; the rest of the wall time is the browser work of reading, clicking and
looking again, which grows with K like any per-referral work. Idle time is measured, not guessed: the
sweep's ``stop`` event counts the seconds the sweep sat waiting on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.run import sweep_and_report
from bench.harness import Bench, IdleClock, Stopwatch

LARGE_RESEND_DELAY = 30.0  # sandbox/scenarios.py: the `resend` mix's 502 succeeds 30 s (× time_scale) after a resend


@dataclass(frozen=True)
class BatchResult:
    k: int
    settle: float
    max_resends: int
    wall: float
    idle: float
    resends: int
    clears: int
    cleared: int

    @property
    def busy(self) -> float:
        """Seconds of browser work: reading, clicking, looking again."""
        return self.wall - self.idle

    @property
    def idle_over_settle(self) -> float:
        return self.idle / self.settle

    @property
    def bound(self) -> float:
        """The target: at most max_resends × S of waiting on top of the clicking."""
        return self.max_resends * self.settle + self.busy

    @property
    def met(self) -> bool:
        return self.wall <= self.bound and self.idle <= self.max_resends * self.settle


def run(
    b: Bench, *, ks: tuple[int, ...] = (1, 10, 50), settle: float = 3.0, clears_at: float = 0.8
) -> list[BatchResult]:
    """``clears_at``: the resend succeeds at this fraction of S, so a result is there before the deadline."""
    results = []
    for k in ks:
        b.control.reset(
            scenario="large", size=max(100, 2 * k), errors=k, error_mix="resend", page_size=25,
            time_scale=clears_at * settle / LARGE_RESEND_DELAY,
        )  # fmt: skip
        settings = b.settings(dry_run=False, settle=settle, poll=settle / 6)
        stop = IdleClock()
        clock = Stopwatch()
        swept = sweep_and_report(settings, browser=b.browser, stop=stop)
        wall = clock.seconds
        record = b.control.record()
        outcomes = [r.outcome.value for r in swept.result.referrals]
        kinds = [e["kind"] for e in record]
        result = BatchResult(
            k=k, settle=settle, max_resends=settings.policy.max_resends, wall=wall, idle=stop.idle,
            resends=kinds.count("resend"), clears=kinds.count("clear"), cleared=outcomes.count("cleared"),
        )  # fmt: skip
        results.append(result)
    return results
