"""The messages a support lead pastes into Caredove's chat: one per escalation, one per outage.

They leave the page, so unlike the page they say the zone with every time. They carry reference
numbers and integration facts only; the partner's reply is the scrubbed, shortened text the sweep kept.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from agent.models import ActionRecord, ActionType, ReferralResult
from agent.redact import scrub
from agent.reports.format import fmt_stamp, plain_words, shorten


def partner_text(text: str | None) -> str:
    """The partner's reply as a report may show it: scrubbed again (report.json is read back from
    disk and may come from an older agent or a hand edit), on one line, shortened."""
    return shorten(scrub(text)) if text else ""


def is_5xx(referral: ReferralResult) -> bool:
    return referral.http_code is not None and 500 <= referral.http_code <= 599


def is_ocean(destination: str | None) -> bool:
    return destination is not None and "ocean" in destination.lower()


def action_state(action: ActionRecord) -> str:
    if action.planned:
        return "planned, not clicked (dry run)"
    return "confirmed" if action.confirmed else "not confirmed"


def describe_action(action: ActionRecord, zone: ZoneInfo) -> str:
    verb = "Resend" if action.type is ActionType.RESEND else "Clear error"
    return f"{verb} at {fmt_stamp(action.at, zone)} ({action_state(action)})"


def tried_of(referral: ReferralResult, zone: ZoneInfo) -> tuple[str, ...]:
    if not referral.actions:
        return ("No action in this sweep: the procedure allows none for this error.",)
    return tuple(describe_action(a, zone) for a in sorted(referral.actions, key=lambda a: a.at))


def _code(code: int | None) -> str:
    return "none readable" if code is None else str(code)


def escalation_message(r: ReferralResult, zone: ZoneInfo) -> str:
    """What the support lead pastes into the chat: every fact support asks for, reference # only."""
    attempts = ", ".join(fmt_stamp(a, zone) for a in sorted(r.attempt_dates)) or "none recorded"
    lines = [
        "Hello Caredove support,",
        "",
        f"Referral {r.reference} in our Referral Inbox has an integration error we cannot resolve ourselves.",
        "",
        f"- Reference #: {r.reference}",
        f"- Destination: {r.destination or 'unknown'}",
        f"- Trigger: {r.trigger or 'unknown'}",
        f"- Attempt dates: {attempts}",
        f"- HTTP status (http_code): {_code(r.http_code)}",
        f"- Response text: {partner_text(r.text) or '(empty)'}",
        f"- Why we are asking: {plain_words(r.reason, zone)}",
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
        f"- HTTP status (http_code) seen: {', '.join(str(c) for c in codes)}",
        f"- Failed attempts from {fmt_stamp(dates[0], zone) if dates else 'unknown'} "
        f"to {fmt_stamp(dates[-1], zone) if dates else 'unknown'}",
        f"- Already tried: {resends} Resend click(s) by our overnight agent in this sweep",
    ]
    if is_ocean(destination):
        lines.append("- Ocean Site ID: [add our Ocean Site ID]")
    lines += ["", "Please confirm the Service Failure and tell us when it is resolved so we can resend. Thank you."]
    return "\n".join(lines)
