"""Telling people after a sweep — and telling them loudly when the agent itself is in trouble.

A nightly sweep nobody watches is only useful if the right message reaches someone, and only then:
a message every night becomes noise people filter away, and then the night the agent is blind looks
like every other. So a sweep gets at most these messages, each with its own subject line:

- **trouble** (failed, stopped early, saw fewer than the banner counts, could not process some,
  problems the sweep reported; an overdue sweep from the scheduler's watchdog) — every time it happens;
  **OK again** on the next sweep that went well;
- **new for people** — fixes and escalations first seen, items crossing an age threshold, and what
  went since the last sweep of this inbox that saw everything; a quiet repeat night sends nothing
  (``when = "always"`` sends this one every night);
- **standing work** — everything still open, as a digest on its own schedule (``notify.digest``).

    changes.py    pure: trouble, baseline, what is new / aged / gone
    messages.py   pure: the words, scrubbed, no partner text
    channels.py   SMTP (TLS only for a login) and webhooks (https, no redirect taken for delivery)
    __init__.py   this: from a sweep (or a failure) to the messages, and delivering them

A notification that cannot be delivered is logged; it never stops the scheduler.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from agent.models import SweepResult, SweepRun
from agent.notify.changes import baseline, changes, overdue, recovered, trouble
from agent.notify.channels import send_email, send_webhook
from agent.notify.messages import (
    Context,
    Message,
    failure_message,
    new_message,
    overdue_message,
    recovered_message,
    standing_message,
    trouble_message,
)
from agent.schedules import Schedule
from agent.settings import Settings

__all__ = [
    "Context",
    "Message",
    "baseline",
    "context_for",
    "deliver",
    "digest_messages",
    "failure_messages",
    "notify_failure",
    "notify_sweep",
    "overdue_messages",
    "setup_warnings",
    "sweep_messages",
]

log = logging.getLogger(__name__)


def setup_warnings(schedule: Schedule) -> list[str]:
    """What an operator should hear at start: a notification setting that cannot do what it says."""
    notify = schedule.notify
    found: list[str] = []
    if notify.when != "never" and not notify.channels:
        found.append(
            f"schedule {schedule.name}: notify.when is {notify.when!r} but no channel is configured: "
            "nobody will be told anything, not even a failed sweep (add [notify.email] or [notify.webhook])"
        )
    if notify.digest and not notify.channels:
        found.append(f"schedule {schedule.name}: notify.digest is set but no channel is configured")
    if notify.attach_report and notify.email is not None:
        found.append(
            f"schedule {schedule.name}: notify.attach_report is on: report.html (partner replies, scrubbed "
            "but not free of patient context) leaves the clinic by e-mail"
        )
    return found


def context_for(
    schedule: Schedule, settings: Settings | None, run: SweepRun | None, *, stored: SweepResult | None = None
) -> Context:
    """The schedule's names, zone and secrets, and where the report of ``run`` (or of a ``stored``
    sweep, for the digest) is: ``notify.report_url`` when set, else the file's path."""
    report: str | None = None
    attachment: str | None = None
    template = schedule.notify.report_url
    if run is not None:
        report = template.format(sweep_id=run.result.sweep_id) if template else str(run.report_html or run.report_json)
        html = run.report_html
        if schedule.notify.attach_report and html is not None and html.is_file():
            attachment = html.read_text(encoding="utf-8")
    elif stored is not None and settings is not None:
        folder = settings.report_dir / stored.sweep_id
        report = template.format(sweep_id=stored.sweep_id) if template else str(folder / "report.html")
    return Context(
        schedule=schedule.name,
        inbox=(settings.base_url if settings else None) or "the inbox",
        timezone=schedule.timezone,
        report=report,
        secrets=_secrets(schedule, settings),
        attachment_html=attachment,
    )


def sweep_messages(
    schedule: Schedule,
    ctx: Context,
    result: SweepResult,
    history: Sequence[SweepResult],
    *,
    last_failed: bool = False,
) -> list[Message]:
    """The messages one finished sweep deserves (pure): trouble or OK-again, then new for people.

    ``history``: the report folder's earlier sweeps (any inbox; filtered here). ``last_failed``: the
    scheduler saw the previous run of this schedule fail without a report.
    """
    when = schedule.notify.when
    if when == "never":
        return []
    messages: list[Message] = []
    found = trouble(result, baseline(history, result))
    if found:
        messages.append(trouble_message(ctx, result, found))
    elif last_failed or recovered(result, history):
        messages.append(recovered_message(ctx, result))
    new = changes(result, history, schedule.notify.age_thresholds)
    if new.worth_telling or when == "always":
        messages.append(new_message(ctx, result, new))
    return messages


def failure_messages(schedule: Schedule, ctx: Context, error: BaseException) -> list[Message]:
    return [] if schedule.notify.when == "never" else [failure_message(ctx, error)]


def digest_messages(schedule: Schedule, ctx: Context, newest: SweepResult) -> list[Message]:
    """The standing-work digest from the inbox's newest sweep; nothing when nothing is open."""
    if schedule.notify.when == "never":
        return []
    message = standing_message(ctx, newest)
    return [message] if message else []


def overdue_messages(
    schedule: Schedule, ctx: Context, history: Sequence[SweepResult], *, now: datetime, overdue_hours: float
) -> list[Message]:
    """The watchdog's message when no sweep of the inbox has finished within ``overdue_hours``."""
    if schedule.notify.when == "never":
        return []
    mine = [h for h in history if h.base_url == ctx.inbox]
    last = max(mine, key=lambda h: h.finished_at) if mine else None
    hours = (now - last.finished_at).total_seconds() / 3600 if last else None
    return [overdue_message(ctx, last, hours, overdue_hours)] if overdue(hours, overdue_hours) else []


def deliver(schedule: Schedule, message: Message) -> list[str]:
    """Sends ``message`` on every configured channel; returns the channels that took it.

    Each channel fails on its own: an SMTP outage still lets the webhook through, and is logged.
    """
    channels: list[tuple[str, Callable[[], None]]] = []
    if (email := schedule.notify.email) is not None:
        channels.append(("email", partial(send_email, email, message)))
    if (webhook := schedule.notify.webhook) is not None:
        channels.append(("webhook", partial(send_webhook, webhook, message)))
    sent: list[str] = []
    for name, send in channels:
        try:
            send()
        except Exception as exc:
            log.error(
                "schedule %s: %s %s notification not sent: %s: %s",
                schedule.name,
                message.kind,
                name,
                type(exc).__name__,
                exc,
            )
        else:
            sent.append(name)
            log.info("schedule %s: %s notification sent by %s", schedule.name, message.kind, name)
    return sent


def _send_all(schedule: Schedule, messages: Sequence[Message]) -> list[tuple[Message, list[str]]]:
    return [(m, deliver(schedule, m)) for m in messages]


def notify_sweep(
    schedule: Schedule,
    *,
    settings: Settings | None,
    run: SweepRun,
    history: Sequence[SweepResult] = (),
    last_failed: bool = False,
) -> list[tuple[Message, list[str]]]:
    """After one scheduled sweep: compose and deliver; never raises."""
    try:
        ctx = context_for(schedule, settings, run)
        return _send_all(schedule, sweep_messages(schedule, ctx, run.result, history, last_failed=last_failed))
    except Exception:
        log.exception("schedule %s: notification could not be prepared", schedule.name)
        return []


def notify_failure(
    schedule: Schedule, *, settings: Settings | None, error: BaseException, stored: SweepResult | None = None
) -> list[tuple[Message, list[str]]]:
    """After a scheduled sweep that could not run: the trouble message, linking the report the failed
    sweep left (``stored``) when there is one; never raises."""
    try:
        ctx = context_for(schedule, settings, None, stored=stored)
        return _send_all(schedule, failure_messages(schedule, ctx, error))
    except Exception:
        log.exception("schedule %s: notification could not be prepared", schedule.name)
        return []


def _secrets(schedule: Schedule, settings: Settings | None) -> tuple[str, ...]:
    values: list[str] = []
    if settings is not None and settings.password is not None:
        values.append(settings.password.get_secret_value())
    email = schedule.notify.email
    if email is not None and email.password_env:
        values.append(os.environ.get(email.password_env, ""))
    return tuple(v for v in values if v)
