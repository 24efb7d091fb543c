"""Telling people after a sweep: one e-mail and/or one webhook message per sweep, per schedule.

A nightly sweep nobody watches is only useful if someone hears when it needs them — and only then,
or the messages become noise people filter away. So by default a message goes out when a sweep
found fixes for staff, escalations for Caredove support, referrals it could not process, sweep-level
problems, or when the sweep failed outright. Messages carry reference numbers, counts and the
report's path — never a password, a cookie or a health card number (never-item 7): every text is
scrubbed with the known secrets and this sweep's reference numbers as the only 10-digit numbers
allowed through. A notification that cannot be delivered is logged; it never stops the scheduler.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import smtplib
import ssl
import urllib.request
from collections.abc import Callable
from email.message import EmailMessage
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.logs import scrub_text
from agent.models import Outcome, SweepResult
from agent.redact import shorten
from agent.run import SweepRun
from agent.schedules import EmailNotify, Schedule, WebhookNotify
from agent.settings import Settings

log = logging.getLogger(__name__)

ATTENTION = (Outcome.FIX, Outcome.ESCALATED, Outcome.ERROR)


def needs_people(result: SweepResult | None) -> bool:
    """True for a failed sweep (``None``), or one with fixes, escalations, errors or problems."""
    if result is None:
        return True
    return bool(result.problems) or any(result.summary.get(o.value, 0) > 0 for o in ATTENTION)


class Message(BaseModel):
    """One sweep's notification, already scrubbed, in the shapes the channels need."""

    model_config = ConfigDict(frozen=True)

    subject: str
    text: str
    html: str | None = None
    failed: bool
    needs_people: bool
    facts: dict[str, Any] = Field(default_factory=dict)


def plain_summary(result: SweepResult) -> str:
    """A summary that needs nothing but the result: used when the report renderer is unavailable."""
    lines = [f"Sweep {result.sweep_id} of {result.base_url}" + (" (dry run)" if result.dry_run else "")]
    lines.append(", ".join(f"{k}: {v}" for k, v in result.summary.items()) or "no referrals")
    for outcome in (*ATTENTION, Outcome.PENDING):
        refs = [r for r in result.referrals if r.outcome is outcome]
        if refs:
            lines.append(f"\n{outcome.value} ({len(refs)}):")
            lines += [f"- {r.reference}: {shorten(r.fix or r.reason, 160)}" for r in refs]
    lines += [f"Problem: {p}" for p in result.problems]
    return "\n".join(lines)


def _summary(result: SweepResult, previous: SweepResult | None) -> str:
    """The reports module's Markdown summary; the plain one if it is missing or fails (a notification
    about a sweep must not be lost to a rendering bug)."""
    try:
        text_summary = importlib.import_module("agent.reports").text_summary
        return str(text_summary(result, previous))
    except Exception:
        log.warning("report summary unavailable; sending the plain summary", exc_info=True)
        return plain_summary(result)


def compose(
    schedule: Schedule,
    *,
    base_url: str | None,
    run: SweepRun | None,
    error: BaseException | None = None,
    previous: SweepResult | None = None,
    secrets: tuple[str, ...] = (),
) -> Message:
    """The message for one sweep (``run``) or one failed sweep (``error``)."""
    where = base_url or "the inbox"
    if run is None:
        reason = shorten(str(error) if error is not None else "unknown error", 400)
        text = (
            f"The {schedule.name} sweep of {where} FAILED: {type(error).__name__}: {reason}\n\n"
            "No report was written for it. Check the agent's log (journalctl -u caredove-agent) and run "
            "`caredove-agent doctor`. The next scheduled sweep will run as usual."
        )
        return Message(
            subject=scrub_text(f"caredove-agent: {schedule.name} sweep FAILED ({where})", secrets=secrets),
            text=scrub_text(text, secrets=secrets),
            failed=True,
            needs_people=True,
            facts={"schedule": schedule.name, "base_url": base_url, "error": type(error).__name__},
        )
    result = run.result
    refs = [r.reference for r in result.referrals]
    attention = sum(result.summary.get(o.value, 0) for o in ATTENTION)
    headline = f"{attention} referral{'s' if attention != 1 else ''} need people" if attention else "nothing to do"
    if result.problems and not attention:
        headline = f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} to look at"
    html: str | None = None
    if run.report_html is not None and run.report_html.is_file():
        html = scrub_text(run.report_html.read_text(encoding="utf-8"), secrets=secrets, references=refs)
    text = _summary(result, previous) + f"\n\nReport: {run.report_html or run.report_json}\n"
    return Message(
        subject=scrub_text(f"caredove-agent: {schedule.name} sweep — {headline} ({where})", secrets=secrets),
        text=scrub_text(text, secrets=secrets, references=refs),
        html=html,
        failed=False,
        needs_people=needs_people(result),
        facts={
            "schedule": schedule.name,
            "base_url": result.base_url,
            "sweep_id": result.sweep_id,
            "started_at": result.started_at.isoformat(),
            "dry_run": result.dry_run,
            "counts": dict(result.summary),
            "problems": len(result.problems),
            "report_json": str(run.report_json),
            "report_html": str(run.report_html) if run.report_html else None,
        },
    )


def send_email(config: EmailNotify, message: Message) -> None:
    """One e-mail: the summary as text/plain, report.html attached; STARTTLS and login when configured."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config.from_
    email["To"] = ", ".join(config.to)
    email.set_content(message.text)
    if message.html is not None:
        email.add_attachment(message.html, subtype="html", filename="report.html")
    password = None
    if config.password_env:
        password = os.environ.get(config.password_env)
        if not password:
            raise RuntimeError(f"environment variable {config.password_env} (password_env) is not set")
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
        smtp.ehlo()
        if config.starttls:
            context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
            smtp.starttls(context=context)
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, password or "")
        smtp.send_message(email)


def webhook_payload(config: WebhookNotify, message: Message) -> dict[str, Any]:
    """Slack wants ``text``; Teams a MessageCard; anything else gets the facts as plain JSON."""
    if config.kind == "slack":
        return {"text": f"*{message.subject}*\n{message.text}"}
    if config.kind == "teams":
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.subject,
            "themeColor": "D70000" if message.needs_people else "2EB886",
            "title": message.subject,
            "text": message.text,
            "sections": [{"facts": [{"name": str(k), "value": str(v)} for k, v in message.facts.items()]}],
        }
    return {
        "event": "sweep_failed" if message.failed else "sweep_finished",
        "subject": message.subject,
        "needs_people": message.needs_people,
        **message.facts,
    }


def send_webhook(config: WebhookNotify, message: Message) -> None:
    body = json.dumps(webhook_payload(config, message)).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the URL is validated to be http(s)
        config.url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:  # noqa: S310
        response.read()


def deliver(schedule: Schedule, message: Message) -> list[str]:
    """Sends ``message`` on the schedule's channels if its ``when`` says so; returns the channels used.

    Each channel fails on its own: an SMTP outage still lets the webhook through, and is logged.
    """
    when = schedule.notify.when
    if when == "never" or (when == "needs-people" and not message.needs_people):
        return []
    sent: list[str] = []
    channels: list[tuple[str, Callable[[], None]]] = []
    if (email := schedule.notify.email) is not None:
        channels.append(("email", partial(send_email, email, message)))
    if (webhook := schedule.notify.webhook) is not None:
        channels.append(("webhook", partial(send_webhook, webhook, message)))
    for name, send in channels:
        try:
            send()
        except Exception as exc:
            log.error("schedule %s: %s notification not sent: %s: %s", schedule.name, name, type(exc).__name__, exc)
        else:
            sent.append(name)
            log.info("schedule %s: %s notification sent", schedule.name, name)
    return sent


def notify_sweep(
    schedule: Schedule,
    *,
    settings: Settings | None,
    run: SweepRun | None,
    error: BaseException | None,
    previous: SweepResult | None = None,
) -> list[str]:
    """After one scheduled sweep: compose and deliver; never raises."""
    try:
        secrets = _secrets(schedule, settings)
        message = compose(
            schedule,
            base_url=settings.base_url if settings else None,
            run=run,
            error=error,
            previous=previous,
            secrets=secrets,
        )
        return deliver(schedule, message)
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
