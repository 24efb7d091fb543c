"""A sweep's result from what it found: what was not seen comes first; no browser."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from agent.models import Outcome, ReferralResult
from agent.reconcile import Counts
from agent.tally import Facts, tally

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def facts(counts: Counts, **changes: Any) -> Facts:
    base = Facts(
        sweep_id="s", started=T0, finished=T0, base_url="https://x.example", dry_run=False, ui="older",
        counts=counts, complete=True, stopped=False, problems=("a later problem",),
    )  # fmt: skip
    return replace(base, **changes)


def line(reference: str) -> ReferralResult:
    return ReferralResult(reference=reference, outcome=Outcome.FIX, rule="R5", reason="fix it")


def test_a_blind_sweep_is_incomplete_and_its_report_opens_with_what_was_not_seen() -> None:
    result = tally(facts(Counts(banner=14, found=1), unseen_shot="screenshots/unseen.png"), [line("1")])
    assert result.unseen is not None and not result.complete
    assert result.problems[0] == result.unseen.why and result.problems[1] == "a later problem"
    assert "screenshots/unseen.png" in result.unseen.why and result.unseen.screenshot == "screenshots/unseen.png"
    assert (result.unseen.expected, result.unseen.found) == (14, 1)


def test_a_sweep_that_saw_everything_is_complete() -> None:
    result = tally(facts(Counts(banner=1, listed=(1,), found=1)), [line("1")])
    assert result.complete and result.unseen is None and result.problems == ["a later problem"]


def test_no_banner_and_no_red_control_is_a_banner_of_zero() -> None:
    assert tally(facts(Counts(banner=None, found=0)), []).banner_count == 0


def test_a_sweep_cut_short_says_so_and_its_counts_prove_nothing() -> None:
    stopped = tally(facts(Counts(banner=14, found=1), stopped=True), [line("1")])
    assert stopped.unseen is None and "stopped (shutdown)" in stopped.problems[-1]
    early = tally(facts(Counts(banner=14, found=1), complete=False), [line("1")])
    assert early.unseen is None and not early.complete
