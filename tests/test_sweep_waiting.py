"""Waiting for resends and the max-actions limit: pure functions of an injected clock, no browser."""

from __future__ import annotations

import pytest

from agent.policy import Policy, out_of_actions
from agent.waiting import Waiting, due, expired, look_again, look_soon, pause, start

POLICY = Policy(settle_seconds=180, poll_seconds=20)


def test_a_wait_lasts_the_settle_time_and_first_looks_after_one_poll() -> None:
    assert start(1000.0, POLICY) == Waiting(deadline=1180.0, next_look=1020.0)


def test_the_first_look_is_never_after_the_deadline() -> None:
    assert start(0.0, Policy(settle_seconds=5, poll_seconds=20)) == Waiting(deadline=5.0, next_look=5.0)


@pytest.mark.parametrize(
    ("now", "after"),
    [
        (1020.0, Waiting(deadline=1180.0, next_look=1040.0)),
        (1170.0, Waiting(deadline=1180.0, next_look=1180.0)),  # the last look is at the deadline
        (1180.0, None),  # settle time up: reported pending, no second click
        (5000.0, None),
    ],
)
def test_looking_again_until_the_settle_time_is_up(now: float, after: Waiting | None) -> None:
    assert look_again(start(1000.0, POLICY), now, POLICY) == after


def test_looking_soon_keeps_the_deadline_or_starts_one() -> None:
    waiting = start(1000.0, POLICY)
    assert look_soon(waiting, 1100.0, POLICY) == Waiting(deadline=1180.0, next_look=1100.0)
    assert look_soon(None, 50.0, POLICY) == Waiting(deadline=230.0, next_look=50.0)


@pytest.mark.parametrize(
    ("now", "is_due", "is_expired"), [(1019.9, False, False), (1020.0, True, False), (1180.0, True, True)]
)
def test_due_and_expired_at_their_instants(now: float, is_due: bool, is_expired: bool) -> None:
    waiting = start(1000.0, POLICY)
    assert (due(waiting, now), expired(waiting, now)) == (is_due, is_expired)


@pytest.mark.parametrize(
    ("looks", "now", "seconds"),
    [([30.0, 12.0, 50.0], 10.0, 2.0), ([5.0], 10.0, 0.0), ([], 10.0, 0.0)],
)
def test_the_sweep_sleeps_until_the_earliest_look(looks: list[float], now: float, seconds: float) -> None:
    assert pause([Waiting(deadline=100.0, next_look=t) for t in looks], now) == seconds


@pytest.mark.parametrize(
    ("clicks", "limit", "stop"),
    [(0, None, False), (10_000, None, False), (0, 0, True), (0, 1, False), (1, 1, True), (4, 5, False), (6, 5, True)],
)
def test_the_max_actions_limit(clicks: int, limit: int | None, stop: bool) -> None:
    assert out_of_actions(clicks, limit) is stop
