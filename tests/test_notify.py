"""Notifications reach a real SMTP server and a real HTTP server on loopback — once per sweep, only when
people are needed, and without the planted password or health card number."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage as EmailMsg
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from agent.models import Outcome, ReferralResult, SweepResult
from agent.notify import compose, deliver, needs_people, notify_sweep
from agent.run import SweepRun
from agent.schedules import EmailNotify, Notify, Schedule, WebhookNotify
from agent.settings import Settings

PASSWORD = "Plant3d-Pa55w0rd!"  # planted to prove it never leaves
SMTP_PASSWORD = "smtp-S3cret-planted"
HCN = "9876-543-217-XY"
BARE_HCN = "9876543217"
BASE_URL = "https://inbox.example"


# --- real servers on loopback --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """aiosmtpd handler: keeps every message it is handed."""

    def __init__(self) -> None:
        self.messages: list[EmailMsg] = []
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.seen.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"agent" and auth_data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok)


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.received.append((self.path, self.headers["Content-Type"], self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[list[tuple[str, str, bytes]], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.received, f"http://127.0.0.1:{server.server_address[1]}/hook"  # type: ignore[attr-defined]
    server.shutdown()
    server.server_close()


# --- a sweep to tell people about ----------------------------------------------------------------


def referral(reference: str, outcome: Outcome, reason: str, fix: str | None = None) -> ReferralResult:
    return ReferralResult(reference=reference, outcome=outcome, rule="r", reason=reason, fix=fix, http_code=400)


def sweep_run(tmp_path: Path, referrals: list[ReferralResult], problems: list[str] | None = None) -> SweepRun:
    start = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    result = SweepResult(
        sweep_id="20260310T073000Z",
        started_at=start,
        finished_at=start + timedelta(minutes=4),
        base_url=BASE_URL,
        dry_run=False,
        banner_count=len(referrals),
        summary=SweepResult.count(referrals),
        referrals=referrals,
        problems=problems or [],
    )
    folder = tmp_path / "reports" / result.sweep_id
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")
    # an upstream leak, to prove the notification scrubs what it forwards
    html = f"<html><body><h1>Sweep</h1><p>1234567890: fix it</p><p>hcn {HCN} / {BARE_HCN} {PASSWORD}</p></body></html>"
    (folder / "report.html").write_text(html, encoding="utf-8")
    return SweepRun(
        result=result, report_dir=folder, report_json=folder / "report.json", report_html=folder / "report.html"
    )


def needy(tmp_path: Path) -> SweepRun:
    return sweep_run(
        tmp_path,
        [
            referral(
                "1234567890",
                Outcome.FIX,
                f"Patient.identifier: health card {HCN} is invalid; card {BARE_HCN}; login {PASSWORD}",
                fix="Correct the registrant's health card number on the referral",
            ),
            referral("2345678901", Outcome.ESCALATED, "500-series error that does not clear after Resend"),
            referral("3456789012", Outcome.ESCALATED, "400-series error without a clear message"),
            referral("4567890123", Outcome.CLEARED, "latest attempt succeeded"),
        ],
    )


def quiet(tmp_path: Path) -> SweepRun:
    return sweep_run(tmp_path, [referral("4567890123", Outcome.CLEARED, "latest attempt succeeded")])


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(base_url=BASE_URL, username="staff@clinic.example", password=SecretStr(PASSWORD))


def schedule(
    *, email_to: EmailNotify | None = None, hook: WebhookNotify | None = None, when: str = "needs-people"
) -> Schedule:
    return Schedule(
        name="nightly",
        cron="30 2 * * *",
        timezone="America/Toronto",
        notify=Notify.model_validate({"when": when, "email": email_to, "webhook": hook}),
    )


def plain_email(port: int, **extra: Any) -> EmailNotify:
    return EmailNotify.model_validate(
        {"to": ["lead@clinic.example"], "from": "agent@clinic.example", "host": "127.0.0.1", "port": port,
         "starttls": False, **extra}
    )  # fmt: skip


def every_text(message: EmailMsg, raw: bytes) -> str:
    """The raw bytes and every decoded part, so an encoded attachment cannot hide a leak."""
    parts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def assert_clean(text: str) -> None:
    for secret in (PASSWORD, SMTP_PASSWORD, HCN, BARE_HCN, "9876 543 217"):
        assert secret not in text


# --- tests ---------------------------------------------------------------------------------------


def test_needs_people_for_fixes_escalations_errors_problems_or_a_failed_sweep(tmp_path: Path) -> None:
    assert needs_people(needy(tmp_path).result)
    assert needs_people(None)
    assert not needs_people(quiet(tmp_path / "q").result)
    with_problem = sweep_run(tmp_path / "p", [], problems=["banner says 3, found 2"])
    assert needs_people(with_problem.result)
    error = sweep_run(tmp_path / "e", [referral("5678901234", Outcome.ERROR, "window did not open")])
    assert needs_people(error.result)


def test_email_reaches_a_real_smtp_server_with_the_summary_and_no_secrets(
    tmp_path: Path, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    run = needy(tmp_path)
    sent = notify_sweep(schedule(email_to=plain_email(port)), settings=settings, run=run, error=None)
    assert sent == ["email"]
    [message] = inbox.messages
    assert message["To"] == "lead@clinic.example"
    assert "3 referrals need people" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    for reference in ("1234567890", "2345678901", "3456789012"):
        assert reference in text
    assert str(run.report_html) in text
    attachments = [p for p in message.iter_attachments() if p.get_filename() == "report.html"]
    assert len(attachments) == 1
    assert_clean(every_text(message, inbox.raw[0]))


def test_email_over_starttls_with_login(
    tmp_path: Path, settings: Settings, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, logins = Inbox(), Logins()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=logins,
        auth_require_tls=True,
    )
    controller.start()
    try:
        monkeypatch.setenv("CAREDOVE_SMTP_PASSWORD", SMTP_PASSWORD)
        config = plain_email(
            controller.port, starttls=True, username="agent", password_env="CAREDOVE_SMTP_PASSWORD", ca_file=cert
        )
        sent = notify_sweep(schedule(email_to=config), settings=settings, run=needy(tmp_path), error=None)
    finally:
        controller.stop()
    assert sent == ["email"]
    assert logins.seen == [(b"agent", SMTP_PASSWORD.encode())]
    [message] = inbox.messages
    assert_clean(every_text(message, inbox.raw[0]))


@pytest.mark.parametrize("kind", ["slack", "teams", "generic"])
def test_webhook_reaches_a_real_http_server(
    tmp_path: Path, settings: Settings, webhook: tuple[list[tuple[str, str, bytes]], str], kind: str
) -> None:
    received, url = webhook
    run = needy(tmp_path)
    hook = WebhookNotify(url=url, kind=kind)
    assert notify_sweep(schedule(hook=hook), settings=settings, run=run, error=None) == ["webhook"]
    [(path, content_type, body)] = received
    assert path == "/hook"
    assert content_type == "application/json"
    assert_clean(body.decode())
    payload = json.loads(body)
    if kind == "slack":
        assert "1234567890" in payload["text"]
    elif kind == "teams":
        assert payload["@type"] == "MessageCard"
        facts = {f["name"]: f["value"] for f in payload["sections"][0]["facts"]}
        assert facts["report_json"] == str(run.report_json)
    else:
        assert payload["event"] == "sweep_finished"
        assert payload["needs_people"] is True
        assert payload["counts"] == {"cleared": 1, "fix": 1, "escalated": 2, "pending": 0, "error": 0}
        assert payload["report_html"] == str(run.report_html)


def test_nothing_is_sent_when_nothing_needs_people(
    tmp_path: Path,
    settings: Settings,
    smtp: tuple[Inbox, int],
    webhook: tuple[list[tuple[str, str, bytes]], str],
) -> None:
    inbox, port = smtp
    received, url = webhook
    quiet_schedule = schedule(email_to=plain_email(port), hook=WebhookNotify(url=url))
    assert notify_sweep(quiet_schedule, settings=settings, run=quiet(tmp_path), error=None) == []
    assert inbox.messages == []
    assert received == []


def test_always_sends_even_a_quiet_sweep_and_never_sends_nothing(
    tmp_path: Path, settings: Settings, webhook: tuple[list[tuple[str, str, bytes]], str]
) -> None:
    received, url = webhook
    run = quiet(tmp_path)
    assert notify_sweep(schedule(hook=WebhookNotify(url=url), when="always"), settings=settings, run=run, error=None)
    assert (
        notify_sweep(schedule(hook=WebhookNotify(url=url), when="never"), settings=settings, run=run, error=None) == []
    )
    assert len(received) == 1


def test_one_message_per_sweep_not_per_referral(
    tmp_path: Path, settings: Settings, smtp: tuple[Inbox, int], webhook: tuple[list[tuple[str, str, bytes]], str]
) -> None:
    inbox, port = smtp
    received, url = webhook
    many = [referral(f"{1000000000 + i}", Outcome.ESCALATED, "500-series error") for i in range(25)]
    run = sweep_run(tmp_path, many)
    sent = notify_sweep(
        schedule(email_to=plain_email(port), hook=WebhookNotify(url=url)), settings=settings, run=run, error=None
    )
    assert sent == ["email", "webhook"]
    assert len(inbox.messages) == 1
    assert len(received) == 1


def test_a_failed_sweep_is_notified_without_the_password(
    settings: Settings, smtp: tuple[Inbox, int], webhook: tuple[list[tuple[str, str, bytes]], str]
) -> None:
    inbox, port = smtp
    received, url = webhook
    error = RuntimeError(f"sign-in form rejected password={PASSWORD} for card {HCN}")
    kinds = schedule(email_to=plain_email(port), hook=WebhookNotify(url=url))
    assert notify_sweep(kinds, settings=settings, run=None, error=error) == ["email", "webhook"]
    [message] = inbox.messages
    assert "FAILED" in message["Subject"]
    assert "RuntimeError" in every_text(message, inbox.raw[0])
    assert_clean(every_text(message, inbox.raw[0]))
    payload = json.loads(received[0][2])
    assert payload["event"] == "sweep_failed"
    assert_clean(received[0][2].decode())


def test_an_unreachable_smtp_server_is_logged_and_the_webhook_still_goes(
    tmp_path: Path,
    settings: Settings,
    webhook: tuple[list[tuple[str, str, bytes]], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    received, url = webhook
    dead = plain_email(free_port(), timeout_seconds=2)
    sent = notify_sweep(
        schedule(email_to=dead, hook=WebhookNotify(url=url)), settings=settings, run=needy(tmp_path), error=None
    )
    assert sent == ["webhook"]
    assert "email notification not sent" in caplog.text
    assert len(received) == 1


def test_a_missing_smtp_password_variable_is_reported_not_raised(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SMTP_PASSWORD", raising=False)
    config = plain_email(free_port(), username="agent", password_env="NO_SUCH_SMTP_PASSWORD")
    message = compose(schedule(email_to=config), base_url=BASE_URL, run=needy(tmp_path))
    assert deliver(schedule(email_to=config), message) == []
    assert "NO_SUCH_SMTP_PASSWORD (password_env) is not set" in caplog.text
