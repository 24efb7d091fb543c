"""Waiting for a resend's result ("wait a few minutes"), as pure functions of an injected ``now``.

``now`` is a monotonic reading in seconds (the sweep passes ``time.monotonic``; tests pass numbers),
so a clock change at night neither ends a wait early nor stretches it. Nothing here sleeps: the sweep
asks :func:`pause` how long it may sleep and :func:`due` which referrals to look at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent.policy import Policy


@dataclass(frozen=True)
class Waiting:
    """One referral waiting for an attempt to finish: until ``deadline``, looked at from ``next_look``."""

    deadline: float
    next_look: float


def start(now: float, policy: Policy) -> Waiting:
    """A fresh wait of ``settle_seconds``; the first look after ``poll_seconds`` (never past the deadline)."""
    deadline = now + policy.settle_seconds
    return Waiting(deadline=deadline, next_look=min(now + policy.poll_seconds, deadline))


def look_again(waiting: Waiting, now: float, policy: Policy) -> Waiting | None:
    """After a look that found the attempt still running: the next look, or None once the settle time is up."""
    if expired(waiting, now):
        return None
    return Waiting(deadline=waiting.deadline, next_look=min(now + policy.poll_seconds, waiting.deadline))


def look_soon(waiting: Waiting | None, now: float, policy: Policy) -> Waiting:
    """Look at the referral again at once (e.g. after signing in again), keeping any deadline it had."""
    current = waiting or start(now, policy)
    return Waiting(deadline=current.deadline, next_look=now)


def expired(waiting: Waiting, now: float) -> bool:
    return now >= waiting.deadline


def due(waiting: Waiting, now: float) -> bool:
    return waiting.next_look <= now


def pause(waitings: Iterable[Waiting], now: float) -> float:
    """Seconds until the earliest next look (0 when one is due now, or when nothing waits)."""
    looks = [w.next_look for w in waitings]
    return max(0.0, min(looks) - now) if looks else 0.0
