"""A sweep's result from what it found: every referral's line, the counts, and the cross-check's
findings first (what was not seen opens the report). Pure: no browser, no ledger, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent.models import ReferralResult, SweepResult, Unseen
from agent.reconcile import Counts, reconcile
from agent.session import Screens


@dataclass(frozen=True)
class Facts:
    """What the sweep knows about itself at the end."""

    sweep_id: str
    started: datetime
    finished: datetime
    base_url: str
    dry_run: bool
    ui: Screens
    counts: Counts
    complete: bool  # False: it stopped early (the inbox became unusable)
    stopped: bool  # a shutdown was asked for
    problems: tuple[str, ...] = ()
    unseen_shot: str | None = None  # relative to the report folder


def tally(facts: Facts, referrals: list[ReferralResult]) -> SweepResult:
    """The result report.json holds. A sweep cut short says so and its counts prove nothing, so the
    cross-check is made only for a sweep that read everything it could; a blind one is incomplete."""
    problems = list(facts.problems)
    unseen = None
    banner = facts.counts.banner
    if facts.complete and not facts.stopped:
        verdict = reconcile(facts.counts)
        found = list(verdict.problems)
        if verdict.blind:
            if facts.unseen_shot:  # the report names the masked screenshot of what the agent saw
                found[0] += f" What the agent saw: {facts.unseen_shot} (personal data masked)."
            unseen = Unseen(expected=verdict.expected, found=verdict.found, why=found[0], screenshot=facts.unseen_shot)
        elif banner is None and not referrals:
            banner = 0  # no banner and no red control anywhere: nothing has an error
        problems = [*found, *problems]
    if facts.stopped:
        problems.append("The sweep was stopped (shutdown) before it finished; unfinished referrals are pending.")
    return SweepResult(
        sweep_id=facts.sweep_id,
        started_at=facts.started,
        finished_at=facts.finished,
        base_url=facts.base_url,
        dry_run=facts.dry_run,
        banner_count=banner,
        ui=facts.ui,
        summary=SweepResult.count(referrals),
        referrals=referrals,
        problems=problems,
        complete=facts.complete and unseen is None,
        unseen=unseen,
    )
