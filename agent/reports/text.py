"""The two plain forms of a sweep's report: a Markdown e-mail body and a CSV of action items.

Both are built from the same view-model as the HTML page, so the e-mail, the spreadsheet and the
page never disagree. Partner text is escaped here too: a Markdown body may be turned into HTML by
a mail client or a chat webhook, and a CSV cell starting with ``=`` is a formula to a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
from zoneinfo import ZoneInfo

from agent.models import Outcome, SweepResult
from agent.reports.format import DEFAULT_ZONE
from agent.reports.links import referral_link
from agent.reports.view import OUTCOME_LABELS, SUPPORT_CHANNEL, SUPPORT_HOURS, build_view, outage_groups

# Only what CommonMark (and GitHub's flavour, which many mail and chat tools use) would read as
# markup: code spans, emphasis, links and images, raw HTML and autolinks, strikethrough. Parentheses,
# dots, hashes mid-line and underscores inside a word are plain text and stay unescaped.
_MD_ALWAYS = re.compile(r"([\\`*\[\]<~])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "Reference #",
    "Outcome",
    "Rule",
    "What to do",
    "Field",
    "Destination",
    "HTTP status",
    "Nights open",
    "Address",
)


# The e-mail carries no partner text (the reply, or the reason that quotes it): an escalation is
# named by the procedure's words for its rule; the clinic's report has the rest.
ESCALATION_KINDS = {
    "R4": "500-series error that does not clear after Resend",
    "R6": "400-series error without a clear message",
    "R7": "200-series error code",
    "R8": "unreadable response",
}
SEE_REPORT = "see the report for why"


def md(text: str | None) -> str:
    """Markdown-safe, on one line: text shows as text, never as markup or a link; nothing else escaped."""
    flat = " ".join((text or "").split())
    flat = _MD_ALWAYS.sub(r"\\\1", flat)
    flat = _MD_UNDERSCORE.sub(r"\\_", flat)
    return _MD_ENTITY.sub(r"\\&", flat)


def _nights(n: int) -> str:
    return f"{n} night{'s' if n != 1 else ''}"


def text_summary(
    result: SweepResult,
    previous: SweepResult | None,
    zone: ZoneInfo = DEFAULT_ZONE,
    *,
    referral_url: str | None = None,
) -> str:
    """The sweep in Markdown that reads as plain text too: short enough for an e-mail body or a chat.

    It leaves the clinic (mail, chat), so it names referrals by reference and escalations by the
    procedure's words, never by what the partner replied."""
    v = build_view(result, previous, zone, referral_url=referral_url)
    out = [f"# {md(v.title)}", ""]
    if v.dry_run:
        out += ["Dry run: the agent clicked nothing. Actions below are what it would have done.", ""]
    banner = "not read" if v.banner_count is None else str(v.banner_count)
    out += [
        f"Inbox {md(v.site)}, {v.span} (took {v.duration}), times {v.zone}.",
        f"Banner count {banner}; {v.total} referral{'s' if v.total != 1 else ''} in this report.",
        "",
    ]
    if v.problems or not v.complete:
        out += ["## Needs attention", ""]
        if not v.complete:
            out.append("- The sweep stopped early: this report is partial.")
        out += [f"- {md(p)}" for p in v.problems] + [""]
    if v.changes is not None:
        ch = v.changes
        out += [
            f"Since the last sweep of this inbox ({ch.previous}): {len(ch.new)} new, "
            f"{len(ch.still_open)} still open, {len(ch.gone)} gone.",
            "",
        ]
    since = f" since {v.previous_started}" if v.previous_started else ""
    out += [f"| Outcome | Count | Change{since} |", "|---|---:|---:|"]
    out += [f"| {c.label} | {c.count} | {c.delta} |" for c in v.counts]
    out.append("")
    for o in v.outages:
        codes = ", ".join(str(c) for c in o.http_codes)
        out += [
            f"## Service Failure: {md(o.destination)}",
            "",
            f"{len(o.refs)} referrals fail with 500-series errors (HTTP status {codes}) that do not clear "
            f"after Resend: {', '.join(r.reference for r in o.refs)}. Report it once to Caredove support.",
            "",
        ]
    if v.fixes:
        out += [f"## Fixes for staff ({len(v.fixes)})", ""]
        out += [f"- {f.ref.reference}, {md(f.field)}: {md(f.fix)} ({_nights(f.nights_open)} open)" for f in v.fixes]
        out.append("")
    if v.escalations:
        out += [f"## Escalations for Caredove support ({len(v.escalations)})", ""]
        out += [
            f"- {e.ref.reference}, {md(e.destination)}, HTTP status {e.http_status}: "
            + ESCALATION_KINDS.get(e.rule, SEE_REPORT)
            for e in v.escalations
        ]
        out += ["", f"Take these to {SUPPORT_CHANNEL}, {SUPPORT_HOURS}; the report has a message for each.", ""]
    if v.pending:
        out += [f"## Pending ({len(v.pending)})", ""]
        out += [f"- {p.ref.reference}, {md(p.destination)}: {md(p.reason)}" for p in v.pending]
        out.append("")
    if v.failed:
        out += [f"## Could not process ({len(v.failed)})", ""]
        out += [f"- {f.ref.reference}: {md(f.reason)}" for f in v.failed]
        out.append("")
    if v.cleared:
        out += [f"## Cleared ({len(v.cleared)})", ""]
        out += [f"- {c.ref.reference}, {md(c.destination)}: {md(c.what)}" for c in v.cleared]
        out.append("")
    resends = sum(a.action == "Resend" for a in v.actions)
    clears = len(v.actions) - resends
    verb = "planned" if v.dry_run else "made"
    out += [f"The agent {verb} {resends} resend click(s) and {clears} clear click(s).", ""]
    return "\n".join(out)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a quote mark."""
    text = "" if value is None else " ".join(str(value).split())
    return "'" + text if text.startswith(_FORMULA_START) else text


def actions_csv(result: SweepResult, zone: ZoneInfo = DEFAULT_ZONE, *, referral_url: str | None = None) -> str:
    """One row per referral a person must do something about (or watch): fix, escalate, error, pending."""
    in_outage = {r.reference: dest for dest, rs in outage_groups(result.referrals).items() for r in rs}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    order = {Outcome.FIX: 0, Outcome.ESCALATED: 1, Outcome.ERROR: 2, Outcome.PENDING: 3}
    rows = sorted((r for r in result.referrals if r.outcome in order), key=lambda r: (order[r.outcome], r.reference))
    for r in rows:
        if r.outcome is Outcome.FIX:
            todo = r.fix or "Correct the referral as the response says, then save it"
        elif r.reference in in_outage:
            todo = f"Report a Service Failure of {in_outage[r.reference]} to Caredove support (one message for all)"
        elif r.outcome is Outcome.ESCALATED:
            todo = f"Send the report's message to Caredove support: {r.reason}"
        elif r.outcome is Outcome.ERROR:
            todo = f"Check this referral's Integration Triggers window by hand: {r.reason}"
        else:
            todo = "Nothing yet: the agent checks it again next sweep"
        field = r.field or ""
        if r.path:
            field = f"{field} ({r.path})" if field else r.path
        writer.writerow(
            [
                _cell(r.reference),
                OUTCOME_LABELS[r.outcome],
                _cell(r.rule),
                _cell(todo),
                _cell(field),
                _cell(r.destination),
                "" if r.http_code is None else str(r.http_code),
                str(r.nights_open),
                _cell(referral_link(r, result.base_url, referral_url)),
            ]
        )
    return buffer.getvalue()
