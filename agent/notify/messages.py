"""The words of each notification, from a sweep's result and what changed — pure, no I/O, no clock.

Four messages, each with its own subject line so a reader (or a mail filter) tells them apart
without opening them:

    caredove-agent TROUBLE: …        the agent could not do its job (critical or warning), every time
    caredove-agent OK again: …       the sweep after a troubled one went well
    caredove-agent: new for people … fixes and escalations first seen, items crossing an age threshold
    caredove-agent: standing work …  everything still open, on the digest's schedule

Minimum necessary: a message carries the inbox, the schedule, counts, reference numbers, outcomes,
destinations, HTTP statuses, nights open and where the report is — never the partner's reply, a
field's value or a reason built from it (the report at the clinic has those). Every text still
loses the known secrets; fragments the agent did not word itself (a sweep's problems, an
error's message) go through the full scrubber of :mod:`agent.redact`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from agent.models import Outcome, ReferralResult, SweepResult
from agent.notify.changes import Changes, Trouble, blind, open_items
from agent.redact import REDACTED, scrub, shorten
from agent.reports.view import outage_groups

Kind = Literal["trouble", "recovered", "new", "standing"]
Severity = Literal["critical", "warning", "notice", "info"]

PREFIX = "caredove-agent"
ROLE = {
    Outcome.FIX: "fix for staff",
    Outcome.ESCALATED: "escalation for Caredove support",
    Outcome.PENDING: "pending (a resend under way)",
    Outcome.ERROR: "could not be processed",
    Outcome.CLEARED: "cleared",
}
SECTIONS = (
    (Outcome.FIX, "Fixes for staff"),
    (Outcome.ESCALATED, "Escalations for Caredove support"),
    (Outcome.PENDING, "Pending"),
    (Outcome.ERROR, "Could not be processed"),
)


class Message(BaseModel):
    """One notification, scrubbed, in the shapes the channels need."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    severity: Severity
    subject: str
    text: str
    attachment_html: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)

    @property
    def event(self) -> str:
        return {"trouble": "agent_trouble", "recovered": "agent_recovered", "new": "new_for_people"}.get(
            self.kind, "standing_work"
        )


class Context(BaseModel):
    """What every message of one schedule needs besides the sweep: names, zone, secrets, the report's link."""

    model_config = ConfigDict(frozen=True)

    schedule: str
    inbox: str
    timezone: str = "UTC"
    report: str | None = None
    secrets: tuple[str, ...] = ()
    attachment_html: str | None = None

    def when(self, moment: datetime) -> str:
        return moment.astimezone(ZoneInfo(self.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _destination(name: str | None) -> str:
    """A partner system's name as the window showed it: page text, so scrubbed and kept short."""
    return shorten(scrub(name), 40) if name else "destination not read"


def _line(item: ReferralResult) -> str:
    http = f"HTTP {item.http_code}" if item.http_code is not None else "no HTTP status"
    dest = _destination(item.destination)
    return f"- {item.reference}  {ROLE[item.outcome]}  {dest}  {http}  open {_plural(item.nights_open, 'night')}"


def _counts(result: SweepResult) -> str:
    return ", ".join(f"{k} {v}" for k, v in result.summary.items() if v) or "no referrals"


def _head(ctx: Context, result: SweepResult | None) -> list[str]:
    lines = [f"Inbox: {ctx.inbox} (schedule {ctx.schedule})"]
    if result is not None:
        dry = " — dry run: nothing was clicked" if result.dry_run else ""
        lines.append(f"Sweep {result.sweep_id}: {ctx.when(result.started_at)} to {ctx.when(result.finished_at)}{dry}")
    return lines


def _foot(ctx: Context) -> list[str]:
    return ["", f"Report: {ctx.report}" if ctx.report else "No report was written."]


def _facts(ctx: Context, result: SweepResult | None, **extra: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {"schedule": ctx.schedule, "inbox": ctx.inbox, "report": ctx.report}
    if result is not None:
        facts |= {
            "sweep_id": result.sweep_id,
            "started_at": result.started_at.isoformat(),
            "finished_at": result.finished_at.isoformat(),
            "dry_run": result.dry_run,
            "complete": result.complete,
            "banner_count": result.banner_count,
            "seen": len(result.referrals),
            "counts": dict(result.summary),
        }
    return facts | extra


def _message(
    ctx: Context,
    kind: Kind,
    severity: Severity,
    subject: str,
    lines: Sequence[str],
    facts: dict[str, Any],
    references: Sequence[str] = (),
) -> Message:
    def clean(text: str) -> str:
        """Our own wording: only the secrets go (its dates and reference numbers are the point)."""
        for secret in ctx.secrets:
            if secret and len(secret) >= 3:
                text = text.replace(secret, REDACTED)
        return text

    attachment = ctx.attachment_html
    return Message(
        kind=kind,
        severity=severity,
        subject=clean(f"{subject} ({ctx.inbox})"),
        text=clean("\n".join(lines) + "\n"),
        attachment_html=scrub(attachment, secrets=ctx.secrets, references=references) if attachment else None,
        facts=facts,
    )


def untrusted(ctx: Context, text: str, limit: int, references: Sequence[str] = ()) -> str:
    """A fragment the agent did not word itself (a sweep problem, an error's message): scrubbed, short."""
    return shorten(scrub(text, secrets=ctx.secrets, references=references), limit)


def trouble_message(ctx: Context, result: SweepResult, found: Trouble) -> Message:
    """The agent could not do its whole job on this sweep: loud, every time."""
    refs = [r.reference for r in result.referrals]
    lines = [*_head(ctx, result), "", "THE AGENT IS IN TROUBLE: it could not do its whole job on this sweep."]
    lines += [f"- {reason}" for reason in found.reasons]
    if found.not_seen:
        lines += [
            "",
            f"{_plural(found.not_seen, 'referral')} with integration errors went unseen: nothing was done about "
            "them, and nothing in this sweep says they are fine. Check the inbox by hand.",
        ]
    if result.problems:
        lines += ["", "What the sweep found wrong:"] + [f"- {untrusted(ctx, p, 300, refs)}" for p in result.problems]
    errors = [r.reference for r in result.referrals if r.outcome is Outcome.ERROR]
    if errors:
        lines += ["", f"Could not be processed (the report has the evidence): {', '.join(errors)}"]
    lines += ["", f"Outcomes of what it did see: {_counts(result)}"]
    lines += ["What to do: open the report, check the inbox by hand, run `caredove-agent doctor`."]
    return _message(
        ctx,
        "trouble",
        "critical" if found.critical else "warning",
        f"{PREFIX} TROUBLE: {found.headline}",
        lines + _foot(ctx),
        _facts(ctx, result, reasons=list(found.reasons), not_seen=found.not_seen, errors=errors),
        refs,
    )


def failure_message(ctx: Context, error: BaseException) -> Message:
    """The sweep could not run at all (sign-in refused, inbox never loaded, a crash)."""
    name = type(error).__name__
    what = "the site refused the sign-in" if name == "SignInFailed" else f"the {ctx.schedule} sweep FAILED ({name})"
    lines = [
        *_head(ctx, None),
        "",
        f"THE AGENT IS IN TROUBLE: {what}.",
        f"- {name}: {untrusted(ctx, str(error), 300)}",
        "",
        "Nothing in the inbox was looked at or done on this run. Check the agent's log "
        "(journalctl -u caredove-agent) and run `caredove-agent doctor`; the next scheduled sweep runs as usual.",
    ]
    return _message(
        ctx, "trouble", "critical", f"{PREFIX} TROUBLE: {what}", lines + _foot(ctx), _facts(ctx, None, error=name)
    )


def overdue_message(ctx: Context, last: SweepResult | None, hours_ago: float | None, overdue_hours: float) -> Message:
    """No sweep of this inbox has finished for longer than ``overdue_hours``."""
    if last is None or hours_ago is None:
        what = "no sweep of this inbox has finished yet"
        detail = "There is no report for it in the report folder."
    else:
        what = f"no sweep for {hours_ago:.0f} h"
        detail = f"The last sweep, {last.sweep_id}, finished {ctx.when(last.finished_at)} ({hours_ago:.1f} h ago)."
    lines = [
        *_head(ctx, None),
        "",
        f"THE AGENT IS IN TROUBLE: {what} (overdue after {overdue_hours:g} h).",
        detail,
        "Check that the scheduler runs (systemctl status caredove-agent) and its log.",
    ]
    facts = _facts(ctx, None, overdue_hours=overdue_hours, hours_since_last=hours_ago)
    return _message(ctx, "trouble", "critical", f"{PREFIX} TROUBLE: {what}", lines + _foot(ctx), facts)


def recovered_message(ctx: Context, result: SweepResult) -> Message:
    """The all-clear after a troubled sweep, so an open alarm can be closed."""
    seen = len(result.referrals)
    lines = [
        *_head(ctx, result),
        "",
        f"The agent is working again: this sweep saw every referral with integration errors the site lists "
        f"({seen}) and could process each of them.",
        f"Outcomes: {_counts(result)}",
    ]
    return _message(
        ctx,
        "recovered",
        "info",
        f"{PREFIX} OK again: the {ctx.schedule} sweep ran in full ({_plural(seen, 'referral')} seen)",
        lines + _foot(ctx),
        _facts(ctx, result),
        [r.reference for r in result.referrals],
    )


def _new_subject(changes: Changes) -> str:
    fixes = sum(i.outcome is Outcome.FIX for i in changes.new)
    escalations = len(changes.new) - fixes
    parts = []
    if fixes:
        parts.append(f"{_plural(fixes, 'new fix', 'new fixes')} for staff")
    if escalations:
        parts.append(f"{_plural(escalations, 'new escalation')}")
    if changes.aged:
        parts.append(f"{_plural(len(changes.aged), 'item')} open {max(a.nights for a in changes.aged)}+ nights")
    return ", ".join(parts) or "nothing new"


def _outages(changes: Changes) -> dict[str, list[ReferralResult]]:
    """Destinations with many new 500-series escalations at once: what looks like a Service Failure."""

    return outage_groups(list(changes.new))


def new_message(ctx: Context, result: SweepResult, changes: Changes) -> Message:
    """Fixes and escalations first seen in this sweep, items crossing an age threshold, what went;
    many new 500-series escalations from one destination are called a possible Service Failure."""
    since = (
        f"since the sweep of {ctx.when(changes.baseline.started_at)}"
        if changes.baseline
        else "(no earlier complete sweep of this inbox to compare with)"
    )
    lines = [*_head(ctx, result), ""]
    outages = _outages(changes)
    for destination, items in outages.items():
        lines += [
            f"Possible Service Failure at {_destination(destination)}: {len(items)} new 500-series errors that "
            "do not clear after Resend. The report has the notice to give Caredove support "
            "(in-app chat, 'Talk to a person').",
            "",
        ]
    if changes.new:
        lines += [f"New for people {since}:"] + [_line(i) for i in changes.new] + [""]
    if changes.aged:
        lines += ["Still open, and now past an age threshold:"]
        lines += [_line(a.item) + f" (crossed {a.nights} nights)" for a in changes.aged] + [""]
    if changes.gone:
        lines += [f"No longer needing people {since}: {', '.join(changes.gone)}", ""]
    if not changes.worth_telling:
        lines += ["Nothing new for people.", ""]
    still = open_items(result)
    lines += [f"Open after this sweep: {len(still)}. Outcomes: {_counts(result)}"]
    facts = _facts(
        ctx,
        result,
        new=[i.reference for i in changes.new],
        aged=[a.item.reference for a in changes.aged],
        gone=list(changes.gone),
        service_failure=[_destination(d) for d in outages],
    )
    return _message(
        ctx,
        "new",
        "notice" if changes.worth_telling else "info",
        f"{PREFIX}: new for people — {_new_subject(changes)}"
        + "".join(f" — possible Service Failure at {_destination(d)}" for d in outages),
        lines + _foot(ctx),
        facts,
        [r.reference for r in result.referrals] + list(changes.gone),
    )


def standing_message(ctx: Context, result: SweepResult) -> Message | None:
    """The digest: everything still open after the newest sweep; ``None`` when nothing is open."""
    still = open_items(result)
    if not still:
        return None
    lines = [*_head(ctx, result), "", f"Standing work: {_plural(len(still), 'referral')} still open."]
    if blind(result):
        lines += ["This sweep did not see the whole list (see its TROUBLE message): more may be open."]
    for outcome, title in SECTIONS:
        items = [i for i in still if i.outcome is outcome]
        if items:
            lines += ["", f"{title} ({len(items)}):"] + [_line(i) for i in items]
    oldest = still[0].nights_open
    return _message(
        ctx,
        "standing",
        "info",
        f"{PREFIX}: standing work — {_plural(len(still), 'referral')} open, oldest {_plural(oldest, 'night')}",
        lines + _foot(ctx),
        _facts(ctx, result, open=[i.reference for i in still]),
        [r.reference for r in result.referrals],
    )
