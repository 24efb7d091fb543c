"""Delivery: SMTP and HTTP webhooks, with the transport rules an unattended sender needs.

- SMTP logs in only over TLS: STARTTLS (refused outright when the relay does not offer it — never a
  silent fall-back to clear text) or SMTPS; certificates are verified (``ca_file`` for an in-house CA).
- HTTP posts go to ``https://`` unless the operator allowed ``http://``; a redirect is never taken for
  delivery. Following one is opt-in and only for 307/308, which keep the POST and its body.
- Every call has a timeout; a failure raises :class:`NotDelivered` (or an ``OSError``) for the caller
  to log — nothing here retries or blocks a sweep.
"""

from __future__ import annotations

import email.policy
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

from agent.notify.messages import Message
from agent.schedules import EmailNotify, WebhookNotify

# Python folds a long Subject by moving all of it to the next line, which some readers (and Python's
# own parser) then show with a leading space: headers may be 998 characters, so fold only beyond that.
UNFOLDED = email.policy.default.clone(max_line_length=998)
THEME = {"critical": "D70000", "warning": "E8A100", "notice": "0063B1", "info": "2EB886"}


class NotDelivered(Exception):
    """The receiver did not take the message (a redirect, a refused scheme, a missing password)."""


def email_for(config: EmailNotify, message: Message) -> EmailMessage:
    """The e-mail: the text as text/plain, kind and severity in headers a mail filter can sort on."""
    mail = EmailMessage(policy=UNFOLDED)
    mail["Subject"] = message.subject
    mail["From"] = config.from_
    mail["To"] = ", ".join(config.to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=config.from_.rpartition("@")[2] or None)
    mail["X-Caredove-Agent-Kind"] = message.kind
    mail["X-Caredove-Agent-Severity"] = message.severity
    if message.severity == "critical":
        mail["X-Priority"] = "1 (Highest)"
        mail["Importance"] = "high"
    mail.set_content(message.text)
    if message.attachment_html is not None:
        mail.add_attachment(message.attachment_html, subtype="html", filename="report.html")
    return mail


def send_email(config: EmailNotify, message: Message) -> None:
    password = None
    if config.password_env:
        password = os.environ.get(config.password_env)
        if not password:
            raise NotDelivered(f"environment variable {config.password_env} (password_env) is not set")
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    smtp: smtplib.SMTP
    if config.tls == "smtps":
        smtp = smtplib.SMTP_SSL(config.host, config.smtp_port, timeout=config.timeout_seconds, context=context)
    else:
        smtp = smtplib.SMTP(config.host, config.smtp_port, timeout=config.timeout_seconds)
    with smtp:
        smtp.ehlo()
        if config.tls == "starttls":
            smtp.starttls(context=context)  # SMTPNotSupportedError when not offered: no clear-text fall-back
            smtp.ehlo()
        if config.username:
            smtp.login(config.username, password or "")
        smtp.send_message(email_for(config, message))


def _allowed(url: str, allow_http: bool) -> bool:
    scheme = urlsplit(url).scheme
    return scheme == "https" or (allow_http and scheme == "http")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a 307/308 to an allowed scheme when asked to; every other redirect is not delivered."""

    def __init__(self, follow: bool, allow_http: bool) -> None:
        self.follow = follow
        self.allow_http = allow_http

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if not self.follow or code not in (307, 308) or not _allowed(newurl, self.allow_http):
            return None  # urllib then raises HTTPError with the 3xx: handled as not delivered
        headers = dict(req.header_items())
        return urllib.request.Request(newurl, data=req.data, method=req.get_method(), headers=headers)  # noqa: S310


def post(
    url: str,
    body: bytes,
    *,
    content_type: str,
    timeout: float,
    allow_http: bool = False,
    follow_redirects: bool = False,
) -> int:
    """POSTs ``body``; returns the final 2xx status or raises NotDelivered / OSError."""
    if not _allowed(url, allow_http):
        raise NotDelivered(f"{urlsplit(url).scheme or 'no'} scheme refused: only https:// (or allow_http)")
    opener = urllib.request.build_opener(_Redirects(follow_redirects, allow_http))
    request = urllib.request.Request(  # noqa: S310 - https (or allowed http) only, checked above
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(65536)
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            where = exc.headers.get("Location", "?") if exc.headers else "?"
            raise NotDelivered(
                f"answered {exc.code} (a redirect to {shorten_url(where)}), not delivered: "
                "put the final address in the setting"
            ) from None
        raise NotDelivered(f"answered HTTP {exc.code}") from None
    if not 200 <= status < 300:
        raise NotDelivered(f"answered HTTP {status}")
    return status


def shorten_url(url: str) -> str:
    """Scheme and host only, for logs: a webhook's or a ping's path and query are its token."""
    parts = urlsplit(url)
    if not parts.netloc:
        return "(relative)"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def webhook_payload(config: WebhookNotify, message: Message) -> dict[str, Any]:
    """Slack wants ``text``; Teams a MessageCard; anything else gets the facts as plain JSON."""
    if config.kind == "slack":
        return {"text": f"*{message.subject}*\n{message.text}"}
    if config.kind == "teams":
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": message.subject,
            "themeColor": THEME[message.severity],
            "title": message.subject,
            "text": message.text,
            "sections": [{"facts": [{"name": str(k), "value": str(v)} for k, v in message.facts.items()]}],
        }
    return {
        "event": message.event,
        "kind": message.kind,
        "severity": message.severity,
        "subject": message.subject,
        "text": message.text,
        **message.facts,
    }


def send_webhook(config: WebhookNotify, message: Message) -> None:
    post(
        config.url,
        json.dumps(webhook_payload(config, message)).encode("utf-8"),
        content_type="application/json",
        timeout=config.timeout_seconds,
        allow_http=config.allow_http,
        follow_redirects=config.follow_redirects,
    )
