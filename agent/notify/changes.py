"""What changed since the last sweep of an inbox, and whether the agent itself is in trouble.

Pure functions over :class:`SweepResult` values (this sweep, the inbox's history): no I/O, no clock.
They decide *which* messages a sweep deserves; :mod:`agent.notify.messages` words them.

Two readings matter and are kept apart:

- **trouble** is about the agent: it stopped early, saw fewer referrals than the banner counts,
  could not process some, or found something wrong with the inbox itself (``problems``). A blind
  night is never a quiet night — zero found against a non-zero banner is trouble.
- **new for people** compares the items that need a person (fixes for staff, escalations for
  support) with the *baseline*: the newest earlier sweep of the same inbox that saw everything. A
  blind or partial night is never a baseline, so the night after it does not announce every open
  item as new, and items it did not reach are not taken for resolved.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from agent.models import Outcome, ReferralResult, SweepResult
from agent.redact import scrub, shorten

FOR_PEOPLE = (Outcome.FIX, Outcome.ESCALATED)
OPEN = (Outcome.FIX, Outcome.ESCALATED, Outcome.PENDING, Outcome.ERROR)

ItemKey = tuple[str, str, str]


class Trouble(BaseModel):
    """Why the agent is in trouble after a sweep, most serious first; empty means it is not."""

    model_config = ConfigDict(frozen=True)

    reasons: tuple[str, ...] = ()
    critical: bool = False
    not_seen: int = 0

    def __bool__(self) -> bool:
        return bool(self.reasons)

    @property
    def headline(self) -> str:
        return self.reasons[0] if self.reasons else "no trouble"


class Aged(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: ReferralResult
    nights: int


class Changes(BaseModel):
    """Items for people that are new since the baseline, items crossing an age threshold, and what went."""

    model_config = ConfigDict(frozen=True)

    new: tuple[ReferralResult, ...] = ()
    aged: tuple[Aged, ...] = ()
    gone: tuple[str, ...] = ()
    baseline: SweepResult | None = None

    @property
    def worth_telling(self) -> bool:
        return bool(self.new or self.aged)


def expected(result: SweepResult) -> int | None:
    """The most referrals with errors the site said there are (the banner, the list's "of n")."""
    unseen = result.unseen
    values = [v for v in (result.banner_count, unseen.expected if unseen else None) if v is not None]
    return max(values) if values else None


def not_seen(result: SweepResult) -> int:
    """How many referrals the site counts that the sweep did not report on."""
    most = expected(result)
    return max(0, most - len(result.referrals)) if most is not None else 0


def blind(result: SweepResult) -> bool:
    """The sweep did not see the whole list: it failed, stopped early or saw fewer than the site counts."""
    return not result.complete or not_seen(result) > 0 or result.unseen is not None or result.failure is not None


def vanished(result: SweepResult, base: SweepResult | None) -> int:
    """How many referrals open after the baseline went without a trace: this sweep saw none at all.

    An error stays until it is cleared, and the agent clears only what it sees — so when every open
    item is gone at once and nothing was seen, someone cleared them all by hand, or the agent no
    longer sees the inbox (a relabelled banner and control). Worth a warning, never a clean night.
    """
    if base is None or blind(base) or result.referrals or result.base_url != base.base_url:
        return 0
    return len(open_items(base))


def trouble(result: SweepResult, base: SweepResult | None = None) -> Trouble:
    """Everything about this sweep that says the agent could not do its job in full; ``base`` (the
    inbox's baseline, see :func:`baseline`) adds the check that open items did not vanish unseen."""
    reasons: list[str] = []
    failure = result.failure
    if failure:
        reasons.append(f"the sweep FAILED: {shorten(scrub(failure), 160)}")
    missing = not_seen(result)
    seen = len(result.referrals)
    unseen = result.unseen
    if missing:
        reasons.append(f"saw {seen} of the {seen + missing} referrals the site lists with integration errors")
    elif unseen is not None:
        reasons.append(f"saw {seen} referrals, fewer than the site lists")
    if unseen is not None and unseen.why and unseen.why not in result.problems:
        reasons.append(f"not seen: {shorten(scrub(unseen.why), 200)}")
    if not result.complete and not failure:
        reasons.append("the sweep stopped early")
    errors = [r.reference for r in result.referrals if r.outcome is Outcome.ERROR]
    if errors:
        reasons.append(f"{len(errors)} referral{'s' if len(errors) != 1 else ''} could not be processed")
    if result.problems:
        reasons.append(
            f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} reported by the sweep"
        )
    gone = vanished(result, base)
    if gone and not missing:
        reasons.append(
            f"all {gone} referral{'s' if gone != 1 else ''} open after the last sweep are gone and none was seen: "
            "if nobody cleared them by hand, the agent no longer sees the inbox (check the labels settings)"
        )
    critical = bool(failure or missing or unseen is not None or not result.complete)
    return Trouble(reasons=tuple(reasons), critical=critical, not_seen=missing)


def same_inbox(history: Sequence[SweepResult], current: SweepResult) -> list[SweepResult]:
    """Earlier sweeps of the same inbox in the same mode (a dry run is compared with dry runs), oldest first."""
    return sorted(
        (
            h
            for h in history
            if h.base_url == current.base_url
            and h.dry_run == current.dry_run
            and h.sweep_id != current.sweep_id
            and h.started_at < current.started_at
        ),
        key=lambda h: h.started_at,
    )


def previous(history: Sequence[SweepResult], current: SweepResult) -> SweepResult | None:
    """The sweep of this inbox just before ``current``, whatever it saw."""
    earlier = same_inbox(history, current)
    return earlier[-1] if earlier else None


def baseline(history: Sequence[SweepResult], current: SweepResult) -> SweepResult | None:
    """The newest earlier sweep of this inbox that saw the whole list."""
    seeing = [h for h in same_inbox(history, current) if not blind(h)]
    return seeing[-1] if seeing else None


def key(item: ReferralResult) -> ItemKey:
    """One item for people: a referral, the destination it concerns, and what people must do."""
    return (item.reference, item.destination or "", item.outcome.value)


def for_people(result: SweepResult) -> list[ReferralResult]:
    return [r for r in result.referrals if r.outcome in FOR_PEOPLE]


def open_items(result: SweepResult) -> list[ReferralResult]:
    """Everything still open after the sweep, oldest first: the standing work."""
    return sorted((r for r in result.referrals if r.outcome in OPEN), key=lambda r: (-r.nights_open, r.reference))


def changes(result: SweepResult, history: Sequence[SweepResult], thresholds: Sequence[int]) -> Changes:
    """What is new for people in ``result`` against its baseline in ``history``.

    New: a fix or escalation (per referral and destination) the baseline did not have — a referral
    that turns from a fix into an escalation is new again. Aged: an item the baseline had whose
    nights open reached a threshold since. Gone: references the baseline needed people for that this
    sweep saw and no longer does (never computed from a blind sweep).
    """
    base = baseline(history, result)
    before = {key(r): r for r in for_people(base)} if base else {}
    new: list[ReferralResult] = []
    aged: list[Aged] = []
    for item in for_people(result):
        earlier = before.get(key(item))
        if earlier is None:
            new.append(item)
            continue
        crossed = [n for n in thresholds if earlier.nights_open < n <= item.nights_open]
        if crossed:
            aged.append(Aged(item=item, nights=max(crossed)))
    gone: list[str] = []
    if base is not None and not blind(result):
        now = {key(r) for r in for_people(result)}
        gone = sorted({k[0] for k in before if k not in now} - {k[0] for k in now})
    return Changes(new=tuple(new), aged=tuple(aged), gone=tuple(gone), baseline=base)


def recovered(result: SweepResult, history: Sequence[SweepResult]) -> bool:
    """The sweep before this one of the inbox was in trouble, and this one is not.

    The last sweep is judged on its own: a warning that open items vanished is said once and needs
    no all-clear (the next empty night proves nothing either way)."""
    last = previous(history, result)
    if last is None or not trouble(last):
        return False
    return not trouble(result, baseline(history, result))


def overdue(last_finished_hours_ago: float | None, overdue_hours: float) -> bool:
    """No sweep at all, or the newest finished longer ago than ``overdue_hours``."""
    return last_finished_hours_ago is None or last_finished_hours_ago > overdue_hours
