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
from agent.reports.view import OUTCOME_LABELS, SUPPORT_CHANNEL, SUPPORT_HOURS, build_view, outage_groups

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "Reference #",
    "Outcome",
    "Rule",
    "What to do",
    "Field",
    "Destination",
    "http_code",
    "Nights open",
)


def md(text: str | None) -> str:
    """Markdown-escaped, on one line: partner text shows as text, never as markup or a link."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def text_summary(result: SweepResult, previous: SweepResult | None, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """The sweep in Markdown, short enough for an e-mail body or a chat message."""
    v = build_view(result, previous, zone)
    out = [f"# {md(v.title)}", ""]
    if v.dry_run:
        out += ["**Dry run: the agent clicked nothing.** Actions below are what it would have done.", ""]
    banner = "not read" if v.banner_count is None else str(v.banner_count)
    out += [
        f"Swept {md(v.base_url)} from {v.started} to {v.finished} ({v.duration}). "
        f"Banner count: {banner}; referrals in this report: {v.total}.",
        "",
    ]
    if v.problems:
        out += ["## Needs attention", ""] + [f"- {md(p)}" for p in v.problems] + [""]
    since = f" (change since {v.previous_started})" if v.previous_started else ""
    out += [f"| Outcome | Count | Change{since} |", "|---|---:|---:|"]
    out += [f"| {c.label} | {c.count} | {c.delta} |" for c in v.counts]
    out.append("")
    if v.outages:
        out += ["## Service Failure notices", ""]
        for o in v.outages:
            codes = ", ".join(str(c) for c in o.http_codes)
            out.append(
                f"- **Service Failure, {md(o.destination)}**: {len(o.references)} referrals with 500-series "
                f"errors ({codes}) that do not clear after Resend: {', '.join(o.references)}"
            )
        out.append("")
    if v.fix_groups:
        out += [f"## Fixes for staff ({v.fix_total})", ""]
        for g in v.fix_groups:
            path = f" (`{g.path}`)" if g.path and "`" not in g.path else ""
            out.append(f"### {md(g.field)}{path}")
            out += [
                f"- {i.reference}: {md(i.problem)}. To do: {md(i.fix)} (open {i.nights_open} "
                f"night{'s' if i.nights_open != 1 else ''})"
                for i in g.items
            ]
            out.append("")
    if v.escalations:
        out += [f"## Escalations for Caredove support ({len(v.escalations)})", ""]
        out += [
            f"- {e.reference}: {md(e.destination)}, http_code {e.http_code if e.http_code is not None else 'none'}, "
            f"{md(e.reason)}"
            for e in v.escalations
        ]
        out += ["", f"Take these to {SUPPORT_CHANNEL}, {SUPPORT_HOURS}; the report has a message for each.", ""]
    if v.pending:
        out += [f"## Pending ({len(v.pending)})", ""]
        out += [f"- {p.reference}: {md(p.destination)}, last attempt {p.last_attempt}" for p in v.pending]
        out.append("")
    if v.failed:
        out += [f"## Could not process ({len(v.failed)})", ""]
        out += [f"- {f.reference}: {md(f.reason)}" for f in v.failed]
        out.append("")
    resends = sum(a.action == "Resend" for a in v.actions)
    clears = len(v.actions) - resends
    verb = "planned" if v.dry_run else "did"
    out += [f"The agent {verb} {resends} resend(s) and {clears} clear(s).", ""]
    return "\n".join(out)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a quote mark."""
    text = "" if value is None else " ".join(str(value).split())
    return "'" + text if text.startswith(_FORMULA_START) else text


def actions_csv(result: SweepResult, zone: ZoneInfo = DEFAULT_ZONE) -> str:
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
            ]
        )
    return buffer.getvalue()
