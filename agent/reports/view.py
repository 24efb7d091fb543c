"""The view-model a sweep's report is rendered from: what a support lead reads, already decided.

Templates get these small frozen objects instead of raw ``ReferralResult``s, so grouping, the
outage rule, counting and wording live in tested Python and the templates only lay them out. The
Markdown and CSV forms are built from the same objects and therefore say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.models import ActionType, Outcome, ReferralResult, SweepResult
from agent.reports.format import (
    DEFAULT_ZONE,
    aware,
    fmt_delta,
    fmt_duration,
    fmt_span,
    fmt_time,
    plain_words,
    safe_relative,
    shorten,
    zone_name,
)
from agent.reports.links import referral_link, site_address
from agent.reports.messages import action_state, escalation_message, is_5xx, is_ocean, outage_message, partner_text
from agent.reports.viewmodel import (
    ActionLine,
    Changes,
    ClearedItem,
    CountView,
    Escalation,
    FailedItem,
    FixRow,
    OpenItem,
    Outage,
    PendingItem,
    Ref,
    ReportView,
)

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
GENERIC_FIX = "Correct the referral as the response says, then save it (Caredove resends by itself)."

# The section each summary card links to.
OUTCOME_SECTIONS: dict[Outcome, str] = {
    Outcome.FIX: "fixes",
    Outcome.ESCALATED: "escalations",
    Outcome.ERROR: "failed",
    Outcome.PENDING: "pending",
    Outcome.CLEARED: "cleared",
}
# A text mark next to every colour, so the colour is never the only signal (and prints in grey).
OUTCOME_MARKS: dict[Outcome, str] = {
    Outcome.FIX: "✎",
    Outcome.ESCALATED: "▲",
    Outcome.ERROR: "✕",
    Outcome.PENDING: "…",
    Outcome.CLEARED: "✓",
}


def counts_of(result: SweepResult) -> dict[Outcome, int]:
    """Counted from the referrals themselves, so the numbers always match the rows shown."""
    return {outcome: sum(r.outcome is outcome for r in result.referrals) for outcome in Outcome}


def outage_groups(referrals: list[ReferralResult]) -> dict[str, list[ReferralResult]]:
    """Destinations with at least OUTAGE_THRESHOLD 500-series escalations, in first-seen order."""
    by_destination: dict[str, list[ReferralResult]] = defaultdict(list)
    for r in referrals:
        if r.outcome is Outcome.ESCALATED and is_5xx(r) and r.destination:
            by_destination[r.destination].append(r)
    return {d: rs for d, rs in by_destination.items() if len(rs) >= OUTAGE_THRESHOLD}


def ref_of(referral: ReferralResult, base_url: str, pattern: str | None = None) -> Ref:
    return Ref(
        reference=referral.reference,
        anchor=f"ref-{referral.reference}",
        href=referral_link(referral, base_url, pattern),
    )


def http_status(code: int | None) -> str:
    return "none readable" if code is None else str(code)


def _fix_rows(referrals: list[ReferralResult], ref: Callable[[ReferralResult], Ref]) -> tuple[FixRow, ...]:
    """One table: fields that need the most corrections first, longest open first within a field."""
    groups: dict[tuple[str, str | None], list[ReferralResult]] = defaultdict(list)
    for r in referrals:
        if r.outcome is Outcome.FIX:
            groups[(partner_text(r.field) or r.path or "Field not named", r.path)].append(r)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0].lower()))
    rows = []
    for (label, path), items in ordered:
        for i, r in enumerate(sorted(items, key=lambda r: (-r.nights_open, r.reference))):
            rows.append(
                FixRow(
                    ref=ref(r),
                    field=label,
                    path=path,
                    problem=partner_text(r.problem) or shorten(r.reason),
                    fix=r.fix
                    or "Correct the referral as the response says, then save it (Caredove resends by itself).",
                    nights_open=r.nights_open,
                    destination=r.destination or "unknown",
                    http_status=http_status(r.http_code),
                    rule=r.rule,
                    first_of_field=i == 0,
                )
            )
    return tuple(rows)


def _cleared_what(referral: ReferralResult) -> str:
    resends = sum(a.type is ActionType.RESEND for a in referral.actions)
    planned = any(a.planned for a in referral.actions)
    verb = "would clear" if planned else "cleared"
    if resends:
        return f"Resent {resends}×, then {verb} (the latest attempt succeeded)"
    return f"The latest attempt had succeeded: {verb} the error"


def _pending_reason(referral: ReferralResult, zone: ZoneInfo) -> str:
    if referral.actions and all(a.planned for a in referral.actions):
        return "Dry run: Resend planned, not clicked. The next real sweep resends it."
    return plain_words(referral.reason, zone)


def _changes(
    result: SweepResult, previous: SweepResult | None, ref: Callable[[ReferralResult], Ref], zone: ZoneInfo
) -> Changes | None:
    if previous is None:
        return None
    before = {r.reference: r for r in previous.referrals}
    now = {r.reference for r in result.referrals}
    return Changes(
        previous=fmt_time(previous.started_at, zone),
        new=tuple(ref(r) for r in result.referrals if r.reference not in before),
        still_open=tuple(
            OpenItem(ref=ref(r), nights_open=r.nights_open)
            for r in sorted(result.referrals, key=lambda r: (-r.nights_open, r.reference))
            if r.reference in before and r.outcome is not Outcome.CLEARED
        ),
        gone=tuple(
            r.reference for r in previous.referrals if r.reference not in now and r.outcome is not Outcome.CLEARED
        ),
    )


def _outages(refs: list[ReferralResult], ref: Callable[[ReferralResult], Ref], zone: ZoneInfo) -> tuple[Outage, ...]:
    return tuple(
        Outage(
            key=f"outage-{i}",
            destination=dest,
            refs=tuple(ref(r) for r in rs),
            http_codes=tuple(sorted({r.http_code for r in rs if r.http_code is not None})),
            first_attempt=fmt_time(min((d for r in rs for d in r.attempt_dates), default=None), zone),
            last_attempt=fmt_time(max((d for r in rs for d in r.attempt_dates), default=None), zone),
            resends=sum(a.type is ActionType.RESEND for r in rs for a in r.actions),
            ocean=is_ocean(dest),
            message=outage_message(dest, rs, zone),
        )
        for i, (dest, rs) in enumerate(outage_groups(refs).items(), start=1)
    )


def build_view(
    result: SweepResult,
    previous: SweepResult | None,
    zone: ZoneInfo = DEFAULT_ZONE,
    *,
    referral_url: str | None = None,
) -> ReportView:
    """Everything the HTML report shows, decided here once.

    ``previous`` is the sweep "change since" compares with (the caller picks it: the previous real
    sweep of the same inbox); ``referral_url`` the pattern for referrals whose address is not stored."""
    counts = counts_of(result)
    before = counts_of(previous) if previous is not None else None
    refs = result.referrals

    def ref(r: ReferralResult) -> Ref:
        return ref_of(r, result.base_url, referral_url)

    outages = _outages(refs, ref, zone)
    in_outage = {x.reference for o in outages for x in o.refs}
    escalations = tuple(
        Escalation(
            ref=ref(r),
            destination=r.destination or "unknown",
            trigger=r.trigger or "unknown",
            http_status=http_status(r.http_code),
            reason=plain_words(r.reason, zone),
            rule=r.rule,
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
            ref=ref(r),
            action="Resend" if a.type is ActionType.RESEND else "Clear error",
            at=fmt_time(a.at, zone, seconds=True),
            state=action_state(a),
            outcome=outcome_of[r.reference],
        )
        for r, a in sorted(((r, a) for r in refs for a in r.actions), key=lambda ra: aware(ra[1].at))
    )
    fixes = _fix_rows(refs, ref)
    cleared_at = {r.reference: max((aware(a.at) for a in r.actions), default=None) for r in refs}
    return ReportView(
        sweep_id=result.sweep_id,
        title=f"Caredove sweep of {fmt_time(result.started_at, zone)}",
        span=fmt_span(result.started_at, result.finished_at, zone),
        duration=fmt_duration(result.finished_at - result.started_at),
        zone=zone_name(result.started_at, zone),
        site=site_address(result.inbox or result.base_url),
        dry_run=result.dry_run,
        complete=result.complete,
        failure=plain_words(result.failure, zone) if result.failure is not None else None,
        ui=result.ui,
        banner_count=result.banner_count,
        total=len(refs),
        linked=any(ref(r).href for r in refs),
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
                section=OUTCOME_SECTIONS[o],
            )
            for o in OUTCOME_ORDER
        ),
        problems=tuple(plain_words(p, zone) for p in result.problems),
        changes=_changes(result, previous, ref, zone),
        fixes=fixes,
        fix_fields=sum(f.first_of_field for f in fixes),
        outages=outages,
        escalations=escalations,
        escalation_total=counts[Outcome.ESCALATED],
        actions=actions,
        pending=tuple(
            PendingItem(
                ref=ref(r),
                destination=r.destination or "unknown",
                trigger=r.trigger or "unknown",
                last_attempt=fmt_time(max(r.attempt_dates), zone) if r.attempt_dates else "unknown",
                reason=_pending_reason(r, zone),
                rule=r.rule,
            )
            for r in refs
            if r.outcome is Outcome.PENDING
        ),
        failed=tuple(
            FailedItem(
                ref=ref(r), reason=plain_words(r.reason, zone), rule=r.rule, screenshot=safe_relative(r.screenshot)
            )
            for r in refs
            if r.outcome is Outcome.ERROR
        ),
        cleared=tuple(
            ClearedItem(
                ref=ref(r),
                destination=r.destination or "unknown",
                what=_cleared_what(r),
                at=fmt_time(cleared_at[r.reference], zone, seconds=True),
                rule=r.rule,
            )
            for r in refs
            if r.outcome is Outcome.CLEARED
        ),
    )


def sweep_time(result: SweepResult) -> datetime:
    """started_at, comparable across sweeps even if one was stored without a zone."""
    return aware(result.started_at)
