"""The view-model a sweep's report is rendered from: what a support lead reads, already decided.

Templates get these small frozen objects instead of raw ``ReferralResult``s, so grouping, the
outage rule, counting and wording live in tested Python and the templates only lay them out. The
Markdown and CSV forms are built from the same objects and therefore say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from agent.models import ActionRecord, ActionType, Outcome, ReferralResult, SweepResult
from agent.reports.format import DEFAULT_ZONE, aware, fmt_delta, fmt_duration, fmt_time, safe_relative, shorten

# From this many 500-series escalations for one destination in one sweep, the report shows one
# outage notice instead of one row each: support needs to hear "Service Failure" once, not n times.
OUTAGE_THRESHOLD = 3

SUPPORT_CHANNEL = "Caredove's in-app chat (“Talk to a person”)"
SUPPORT_HOURS = "live chat Monday to Friday, 8:30–17:30 Eastern"
OCEAN_NOTE = "Caredove support asks for the Ocean Site ID for Ocean eReferral integrations: add yours."

# Order of importance for a morning reader: people's work first, the agent's own work last.
OUTCOME_ORDER: tuple[Outcome, ...] = (
    Outcome.FIX,
    Outcome.ESCALATED,
    Outcome.ERROR,
    Outcome.PENDING,
    Outcome.CLEARED,
)
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.FIX: "Fix for staff",
    Outcome.ESCALATED: "Escalate to Caredove",
    Outcome.ERROR: "Could not process",
    Outcome.PENDING: "Pending",
    Outcome.CLEARED: "Cleared",
}
# A text mark next to every colour, so the colour is never the only signal (and prints in grey).
OUTCOME_MARKS: dict[Outcome, str] = {
    Outcome.FIX: "✎",
    Outcome.ESCALATED: "▲",
    Outcome.ERROR: "✕",
    Outcome.PENDING: "…",
    Outcome.CLEARED: "✓",
}


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CountView(View):
    outcome: str
    label: str
    mark: str
    count: int
    previous: int | None
    delta: str


class FixItem(View):
    reference: str
    problem: str
    fix: str
    nights_open: int
    destination: str
    http_code: int | None


class FixGroup(View):
    """All referrals that need the same field corrected: staff fix them in one go."""

    field: str
    path: str | None
    items: tuple[FixItem, ...]


class Escalation(View):
    reference: str
    destination: str
    trigger: str
    attempts: tuple[str, ...]
    http_code: int | None
    text: str
    reason: str
    rule: str
    tried: tuple[str, ...]
    nights_open: int
    ocean: bool
    message: str


class Outage(View):
    """Many 500-series escalations from one destination: one notice in Caredove's SLA words."""

    destination: str
    references: tuple[str, ...]
    http_codes: tuple[int, ...]
    first_attempt: str
    last_attempt: str
    resends: int
    ocean: bool
    message: str


class ActionLine(View):
    reference: str
    action: str
    at: str
    state: str
    outcome: str


class PendingItem(View):
    reference: str
    destination: str
    trigger: str
    last_attempt: str
    reason: str


class FailedItem(View):
    reference: str
    reason: str
    rule: str
    screenshot: str | None


class ReportView(View):
    sweep_id: str
    title: str
    started: str
    finished: str
    duration: str
    zone: str
    base_url: str
    dry_run: bool
    ui: str
    banner_count: int | None
    total: int
    previous_id: str | None
    previous_started: str | None
    counts: tuple[CountView, ...]
    problems: tuple[str, ...]
    fix_groups: tuple[FixGroup, ...]
    fix_total: int
    outages: tuple[Outage, ...]
    escalations: tuple[Escalation, ...]
    escalation_total: int
    actions: tuple[ActionLine, ...]
    pending: tuple[PendingItem, ...]
    failed: tuple[FailedItem, ...]


def counts_of(result: SweepResult) -> dict[Outcome, int]:
    """Counted from the referrals themselves, so the numbers always match the rows shown."""
    return {outcome: sum(r.outcome is outcome for r in result.referrals) for outcome in Outcome}


def is_5xx(referral: ReferralResult) -> bool:
    return referral.http_code is not None and 500 <= referral.http_code <= 599


def is_ocean(destination: str | None) -> bool:
    return destination is not None and "ocean" in destination.lower()


def outage_groups(referrals: list[ReferralResult]) -> dict[str, list[ReferralResult]]:
    """Destinations with at least OUTAGE_THRESHOLD 500-series escalations, in first-seen order."""
    by_destination: dict[str, list[ReferralResult]] = defaultdict(list)
    for r in referrals:
        if r.outcome is Outcome.ESCALATED and is_5xx(r) and r.destination:
            by_destination[r.destination].append(r)
    return {d: rs for d, rs in by_destination.items() if len(rs) >= OUTAGE_THRESHOLD}


def describe_action(action: ActionRecord, zone: ZoneInfo) -> str:
    verb = "Resend" if action.type is ActionType.RESEND else "Clear error"
    return f"{verb} at {fmt_time(action.at, zone)} ({action_state(action)})"


def action_state(action: ActionRecord) -> str:
    if action.planned:
        return "planned, not clicked (dry run)"
    return "confirmed" if action.confirmed else "not confirmed"


def tried_of(referral: ReferralResult, zone: ZoneInfo) -> tuple[str, ...]:
    if not referral.actions:
        return ("No action in this sweep: the procedure allows none for this error.",)
    return tuple(describe_action(a, zone) for a in sorted(referral.actions, key=lambda a: a.at))


def _last_attempt(referral: ReferralResult, zone: ZoneInfo) -> str:
    return fmt_time(max(referral.attempt_dates), zone) if referral.attempt_dates else "unknown"


def escalation_message(r: ReferralResult, zone: ZoneInfo) -> str:
    """What the support lead pastes into the chat: every fact support asks for, reference # only."""
    attempts = ", ".join(fmt_time(a, zone) for a in sorted(r.attempt_dates)) or "none recorded"
    lines = [
        "Hello Caredove support,",
        "",
        f"Referral {r.reference} in our Referral Inbox has an integration error we cannot resolve ourselves.",
        "",
        f"- Reference #: {r.reference}",
        f"- Destination: {r.destination or 'unknown'}",
        f"- Trigger: {r.trigger or 'unknown'}",
        f"- Attempt dates: {attempts}",
        f"- http_code: {r.http_code if r.http_code is not None else 'none readable'}",
        f"- Response text: {shorten(r.text) or '(empty)'}",
        f"- Why we are asking: {r.reason}",
        f"- Already tried: {'; '.join(tried_of(r, zone))}",
    ]
    if is_ocean(r.destination):
        lines.append("- Ocean Site ID: [add our Ocean Site ID]")
    lines += ["", "Could you tell us what is wrong and what we should do? Thank you."]
    return "\n".join(lines)


def outage_message(destination: str, rs: list[ReferralResult], zone: ZoneInfo) -> str:
    """One outage report; "Service Failure" is the wording Caredove's SLA asks for."""
    dates = sorted(d for r in rs for d in r.attempt_dates)
    codes = sorted({r.http_code for r in rs if r.http_code is not None})
    resends = sum(a.type is ActionType.RESEND for r in rs for a in r.actions)
    lines = [
        "Hello Caredove support,",
        "",
        f"We are reporting a Service Failure: referrals sent to {destination} fail with 500-series errors "
        "that do not clear after Resend.",
        "",
        f"- Destination: {destination}",
        f"- Referrals affected ({len(rs)}): {', '.join(r.reference for r in rs)}",
        f"- http_code seen: {', '.join(str(c) for c in codes)}",
        f"- Failed attempts from {fmt_time(dates[0], zone) if dates else 'unknown'} "
        f"to {fmt_time(dates[-1], zone) if dates else 'unknown'}",
        f"- Already tried: {resends} Resend click(s) by our overnight agent in this sweep",
    ]
    if is_ocean(destination):
        lines.append("- Ocean Site ID: [add our Ocean Site ID]")
    lines += ["", "Please confirm the Service Failure and tell us when it is resolved so we can resend. Thank you."]
    return "\n".join(lines)


def _fix_groups(referrals: list[ReferralResult]) -> tuple[FixGroup, ...]:
    groups: dict[tuple[str, str | None], list[FixItem]] = defaultdict(list)
    for r in referrals:
        if r.outcome is not Outcome.FIX:
            continue
        label = r.field or r.path or "Field not named"
        groups[(label, r.path)].append(
            FixItem(
                reference=r.reference,
                problem=r.problem or shorten(r.reason),
                fix=r.fix or "Correct the referral as the response says, then save it (Caredove resends by itself).",
                nights_open=r.nights_open,
                destination=r.destination or "unknown",
                http_code=r.http_code,
            )
        )
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0].lower()))
    return tuple(
        FixGroup(field=label, path=path, items=tuple(sorted(items, key=lambda i: (-i.nights_open, i.reference))))
        for (label, path), items in ordered
    )


def build_view(
    result: SweepResult,
    previous: SweepResult | None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> ReportView:
    """Everything the HTML report shows, decided here once."""
    counts = counts_of(result)
    before = counts_of(previous) if previous is not None else None
    refs = result.referrals

    outages_by_dest = outage_groups(refs)
    in_outage = {r.reference for rs in outages_by_dest.values() for r in rs}
    outages = tuple(
        Outage(
            destination=dest,
            references=tuple(r.reference for r in rs),
            http_codes=tuple(sorted({r.http_code for r in rs if r.http_code is not None})),
            first_attempt=fmt_time(min((d for r in rs for d in r.attempt_dates), default=None), zone),
            last_attempt=fmt_time(max((d for r in rs for d in r.attempt_dates), default=None), zone),
            resends=sum(a.type is ActionType.RESEND for r in rs for a in r.actions),
            ocean=is_ocean(dest),
            message=outage_message(dest, rs, zone),
        )
        for dest, rs in outages_by_dest.items()
    )
    escalations = tuple(
        Escalation(
            reference=r.reference,
            destination=r.destination or "unknown",
            trigger=r.trigger or "unknown",
            attempts=tuple(fmt_time(a, zone) for a in sorted(r.attempt_dates)),
            http_code=r.http_code,
            text=shorten(r.text),
            reason=r.reason,
            rule=r.rule,
            tried=tried_of(r, zone),
            nights_open=r.nights_open,
            ocean=is_ocean(r.destination),
            message=escalation_message(r, zone),
        )
        for r in refs
        if r.outcome is Outcome.ESCALATED and r.reference not in in_outage
    )
    outcome_of = {r.reference: OUTCOME_LABELS[r.outcome] for r in refs}
    actions = tuple(
        ActionLine(
            reference=r.reference,
            action="Resend" if a.type is ActionType.RESEND else "Clear error",
            at=fmt_time(a.at, zone),
            state=action_state(a),
            outcome=outcome_of[r.reference],
        )
        for r, a in sorted(((r, a) for r in refs for a in r.actions), key=lambda ra: ra[1].at)
    )
    fix_groups = _fix_groups(refs)
    return ReportView(
        sweep_id=result.sweep_id,
        title=f"Caredove sweep of {fmt_time(result.started_at, zone)}",
        started=fmt_time(result.started_at, zone),
        finished=fmt_time(result.finished_at, zone),
        duration=fmt_duration(result.finished_at - result.started_at),
        zone=f"{aware(result.started_at).astimezone(zone):%Z} ({zone.key})",
        base_url=result.base_url,
        dry_run=result.dry_run,
        ui=result.ui,
        banner_count=result.banner_count,
        total=len(refs),
        previous_id=previous.sweep_id if previous else None,
        previous_started=fmt_time(previous.started_at, zone) if previous else None,
        counts=tuple(
            CountView(
                outcome=o.value,
                label=OUTCOME_LABELS[o],
                mark=OUTCOME_MARKS[o],
                count=counts[o],
                previous=before[o] if before is not None else None,
                delta=fmt_delta(counts[o] - before[o] if before is not None else None),
            )
            for o in OUTCOME_ORDER
        ),
        problems=tuple(result.problems),
        fix_groups=fix_groups,
        fix_total=sum(len(g.items) for g in fix_groups),
        outages=outages,
        escalations=escalations,
        escalation_total=counts[Outcome.ESCALATED],
        actions=actions,
        pending=tuple(
            PendingItem(
                reference=r.reference,
                destination=r.destination or "unknown",
                trigger=r.trigger or "unknown",
                last_attempt=_last_attempt(r, zone),
                reason=r.reason,
            )
            for r in refs
            if r.outcome is Outcome.PENDING
        ),
        failed=tuple(
            FailedItem(reference=r.reference, reason=r.reason, rule=r.rule, screenshot=safe_relative(r.screenshot))
            for r in refs
            if r.outcome is Outcome.ERROR
        ),
    )


def sweep_time(result: SweepResult) -> datetime:
    """started_at, comparable across sweeps even if one was stored without a zone."""
    return aware(result.started_at)
