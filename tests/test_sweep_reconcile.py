"""The banner, each page's "of n" and the rows read, cross-checked: pure, no browser."""

from __future__ import annotations

import pytest

from agent.reconcile import REREADS, Counts, expected, reconcile, reread


@pytest.mark.parametrize(
    ("counts", "blind", "unseen"),
    [
        (Counts(banner=14, listed=(14,), found=14), False, 0),
        (Counts(banner=14, listed=(None,), found=0), True, 14),  # zero against a banner is never clean
        (Counts(banner=14, found=13), True, 1),
        (Counts(banner=None, listed=(30,), found=25), True, 5),  # no banner, but the list says 30
        (Counts(banner=10, listed=(12, 12), found=10), True, 2),  # the larger count wins
        (Counts(banner=3, found=5), False, 0),  # found more: the inbox changed, not blindness
        (Counts(banner=None, found=0), False, 0),  # no banner, no red control: nothing has an error
        (Counts(banner=0, found=0), False, 0),
        (Counts(banner=None, listed=(500,), found=3, unfiltered=True), False, 0),  # "of n" counts all rows
        (Counts(banner=14, found=2, only=True), False, 12),  # --only: the rest were left alone on purpose
        (Counts(banner=14, found=0, unreadable="no 'Reference #' column"), True, 14),
        (Counts(banner=None, found=0, unreadable="no 'Reference #' column"), True, 0),
    ],
)
def test_the_cross_check(counts: Counts, blind: bool, unseen: int) -> None:
    verdict = reconcile(counts)
    assert (verdict.blind, verdict.unseen) == (blind, unseen)
    if blind:
        assert verdict.problems and verdict.problems[0]


def test_a_blind_verdict_says_what_was_not_seen_and_where_the_counts_came_from() -> None:
    [problem] = reconcile(Counts(banner=14, listed=(14, None), found=0)).problems
    assert problem.startswith("Saw fewer referrals than the site says")
    assert "banner counts 14" in problem and "of 14" in problem and "14 not seen" in problem


def test_an_unreadable_table_is_named_in_the_problem() -> None:
    [problem] = reconcile(Counts(banner=4, unreadable="the Referral Inbox table did not appear")).problems
    assert "could not read the inbox's rows (the Referral Inbox table did not appear)" in problem


def test_more_found_than_the_banner_is_mentioned_not_blind() -> None:
    verdict = reconcile(Counts(banner=3, found=5))
    assert not verdict.blind and "found 5" in verdict.problems[0]


def test_a_missing_banner_with_red_controls_is_mentioned() -> None:
    verdict = reconcile(Counts(banner=None, found=4))
    assert not verdict.blind and "banner" in verdict.problems[0]


@pytest.mark.parametrize(
    ("counts", "done", "again"),
    [
        (Counts(banner=14, found=0), 0, True),
        (Counts(banner=14, found=0), REREADS, False),  # bounded
        (Counts(banner=14, found=14), 0, False),
        (Counts(banner=14, found=1, only=True), 0, False),
        (Counts(banner=None, found=0, unreadable="no table"), 1, True),
    ],
)
def test_fewer_found_than_said_is_read_again_a_bounded_number_of_times(counts: Counts, done: int, again: bool) -> None:
    assert reread(counts, done) is again


def test_expected_ignores_the_list_total_of_an_unfiltered_inbox() -> None:
    assert expected(Counts(banner=None, listed=(143,), unfiltered=True)) is None
    assert expected(Counts(banner=7, listed=(143,), unfiltered=True)) == 7
