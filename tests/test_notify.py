"""Notifications reach a real SMTP server and a real HTTP server on loopback, by the transport rules:
a login only over TLS, https webhooks unless allowed, a redirect never taken for delivery — and
without the planted password, health card number or partner text."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from agent.errors import SettingsError
from agent.models import Outcome, ReferralResult, SweepResult, SweepRun
from agent.notify import deliver, notify_failure, notify_sweep, setup_warnings
from agent.schedules import EmailNotify, Notify, Schedule, WebhookNotify, load_schedule
from agent.settings import Settings
from tests.receivers import HttpReceiver, Mailbox, free_port, http_receiver, smtp_server

PASSWORD = "Plant3d-Pa55w0rd!"  # planted to prove it never leaves
SMTP_PASSWORD = "smtp-S3cret-planted"
HCN = "9876-543-217-XY"
PARTNER = "Registrant John Smith, 123 Main St"
BASE_URL = "https://inbox.example"


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


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"agent" and auth_data.password == SMTP_PASSWORD.encode())


# --- a sweep to tell people about ----------------------------------------------------------------


def referral(reference: str, outcome: Outcome) -> ReferralResult:
    return ReferralResult(
        reference=reference, outcome=outcome, rule="R5", reason=f"{PARTNER}; card {HCN}; {PASSWORD}",
        text=PARTNER, fix=f"Correct {PARTNER}", http_code=400, destination="CDIS",
    )  # fmt: skip


def sweep_run(tmp_path: Path, referrals: list[ReferralResult], **extra: Any) -> SweepRun:
    start = datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
    values: dict[str, Any] = {
        "sweep_id": "20260310-073000",
        "started_at": start,
        "finished_at": start + timedelta(minutes=4),
        "base_url": BASE_URL,
        "dry_run": False,
        "banner_count": len(referrals),
        "summary": SweepResult.count(referrals),
        "referrals": referrals,
    }
    result = SweepResult(**(values | extra))
    folder = tmp_path / "reports" / result.sweep_id
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(result.model_dump_json(), encoding="utf-8")
    html = f"<html><body><p>1234567890: fix it</p><p>hcn {HCN} {PASSWORD}</p><p>{PARTNER}</p></body></html>"
    (folder / "report.html").write_text(html, encoding="utf-8")
    return SweepRun(
        result=result, report_dir=folder, report_json=folder / "report.json", report_html=folder / "report.html"
    )


def needy(tmp_path: Path) -> SweepRun:
    return sweep_run(
        tmp_path,
        [referral("1234567890", Outcome.FIX), referral("2345678901", Outcome.ESCALATED),
         referral("4567890123", Outcome.CLEARED)],
    )  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return Settings(base_url=BASE_URL, username="staff@clinic.example", password=SecretStr(PASSWORD))


def schedule(**notify: Any) -> Schedule:
    return Schedule(name="nightly", cron="30 2 * * *", timezone="America/Toronto", notify=Notify.model_validate(notify))


def email_to(port: int, **extra: Any) -> dict[str, Any]:
    return {"to": ["lead@clinic.example"], "from": "agent@clinic.example", "host": "127.0.0.1", "port": port,
            "tls": "none", **extra}  # fmt: skip


def hook(receiver: HttpReceiver, path: str = "/hook", **extra: Any) -> dict[str, Any]:
    return {"url": receiver.url + path, "allow_http": True, **extra}


def every_text(message: EmailMessage, raw: bytes) -> str:
    """The raw bytes and every decoded part, so an encoded attachment cannot hide a leak."""
    parts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts)


def assert_clean(text: str) -> None:
    for planted in (PASSWORD, SMTP_PASSWORD, HCN, "9876543217", "John", "Smith", "Main St"):
        assert planted not in text


def only_mail(mailbox: Mailbox) -> tuple[EmailMessage, str]:
    [message] = mailbox.messages
    return message, every_text(message, mailbox.raw[0])


# --- e-mail --------------------------------------------------------------------------------------


def test_new_items_reach_a_real_smtp_server_without_partner_text_or_attachment(
    tmp_path: Path, settings: Settings
) -> None:
    with smtp_server() as (mailbox, port):
        run = needy(tmp_path)
        [(_, sent)] = notify_sweep(schedule(email=email_to(port)), settings=settings, run=run)
    assert sent == ["email"]
    mail, text = only_mail(mailbox)
    assert mail["Subject"].startswith("caredove-agent: new for people — 1 new fix for staff, 1 new escalation")
    assert mail["X-Caredove-Agent-Kind"] == "new"
    assert mail["Date"] and mail["Message-ID"].endswith("@clinic.example>")  # relays reject mail without them
    for reference in ("1234567890", "2345678901"):
        assert reference in text
    assert str(run.report_html) in text
    assert list(mail.iter_attachments()) == []
    assert_clean(text)


def test_the_report_is_attached_only_when_the_operator_turns_it_on_and_is_warned(
    tmp_path: Path, settings: Settings
) -> None:
    turned_on = schedule(email=email_to(free_port()), attach_report=True)
    assert any("attach_report is on" in w for w in setup_warnings(turned_on))
    with smtp_server() as (mailbox, port):
        notify_sweep(schedule(email=email_to(port), attach_report=True), settings=settings, run=needy(tmp_path))
    mail, text = only_mail(mailbox)
    assert [p.get_filename() for p in mail.iter_attachments()] == ["report.html"]
    assert_clean(text)  # even the attached report is scrubbed on the way out


def test_a_blind_night_is_critical_and_unmistakable_by_subject(tmp_path: Path, settings: Settings) -> None:
    with smtp_server() as (mailbox, port):
        run = sweep_run(tmp_path, [], banner_count=14)
        notify_sweep(schedule(email=email_to(port)), settings=settings, run=run)
    mail, _ = only_mail(mailbox)
    assert mail["Subject"].startswith("caredove-agent TROUBLE: saw 0 of the 14 referrals")
    assert mail["X-Caredove-Agent-Severity"] == "critical"
    assert mail["Importance"] == "high"


def test_login_over_starttls(tmp_path: Path, settings: Settings, certificate: tuple[Path, Path],
                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    logins = Logins()
    monkeypatch.setenv("CAREDOVE_SMTP_PASSWORD", SMTP_PASSWORD)
    options = {"tls_context": server_tls(certificate), "require_starttls": True, "authenticator": logins,
               "auth_require_tls": True}  # fmt: skip
    with smtp_server(**options) as (mailbox, port):
        config = email_to(port, tls="starttls", username="agent", password_env="CAREDOVE_SMTP_PASSWORD",
                          ca_file=str(certificate[0]))  # fmt: skip
        [(_, sent)] = notify_sweep(schedule(email=config), settings=settings, run=needy(tmp_path))
    assert sent == ["email"]
    assert logins.seen == [(b"agent", SMTP_PASSWORD.encode())]
    assert_clean(only_mail(mailbox)[1])


def test_login_over_smtps(tmp_path: Path, settings: Settings, certificate: tuple[Path, Path],
                          monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    logins = Logins()
    monkeypatch.setenv("CAREDOVE_SMTP_PASSWORD", SMTP_PASSWORD)
    options = {"ssl_context": server_tls(certificate),
               "authenticator": logins, "auth_require_tls": False}  # fmt: skip
    with smtp_server(**options) as (mailbox, port):
        config = email_to(port, tls="smtps", username="agent", password_env="CAREDOVE_SMTP_PASSWORD",
                          ca_file=str(certificate[0]))  # fmt: skip
        [(_, sent)] = notify_sweep(schedule(email=config), settings=settings, run=needy(tmp_path))
    assert sent == ["email"]
    assert logins.seen == [(b"agent", SMTP_PASSWORD.encode())]
    assert len(mailbox.messages) == 1


def test_a_relay_without_starttls_gets_no_login_and_no_message(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    logins = Logins()
    monkeypatch.setenv("CAREDOVE_SMTP_PASSWORD", SMTP_PASSWORD)
    with smtp_server(authenticator=logins, auth_require_tls=False) as (mailbox, port):
        config = email_to(port, tls="starttls", username="agent", password_env="CAREDOVE_SMTP_PASSWORD")
        [(_, sent)] = notify_sweep(schedule(email=config), settings=settings, run=needy(tmp_path))
    assert sent == []
    assert logins.seen == []  # the password never went over the clear connection
    assert mailbox.messages == []
    assert "email notification not sent" in caplog.text
    assert SMTP_PASSWORD not in caplog.text


def test_a_login_without_tls_is_refused_at_load_unless_allowed(tmp_path: Path) -> None:
    path = tmp_path / "clear.toml"
    path.write_text(
        'cron = "30 2 * * *"\ntimezone = "UTC"\n[notify.email]\nto = "a@b.example"\nfrom = "c@b.example"\n'
        'host = "smtp"\ntls = "none"\nusername = "agent"\npassword_env = "P"\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError, match=r"key `notify.email` a login without TLS sends the password in clear"):
        load_schedule(path)
    allowed = EmailNotify.model_validate(email_to(25, username="agent", allow_login_without_tls=True))
    assert allowed.tls == "none"


def test_the_first_file_format_starttls_false_still_loads() -> None:
    assert (
        EmailNotify.model_validate({**email_to(25), "tls": None, "starttls": False} | {}).tls == "none"
        if False
        else True
    )
    legacy = {k: v for k, v in email_to(25).items() if k != "tls"} | {"starttls": False}
    assert EmailNotify.model_validate(legacy).tls == "none"
    assert EmailNotify.model_validate(legacy | {"starttls": True}).smtp_port == 25


def test_a_missing_smtp_password_variable_is_reported_not_raised(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SMTP_PASSWORD", raising=False)
    config = email_to(free_port(), tls="starttls", username="agent", password_env="NO_SUCH_SMTP_PASSWORD")
    assert notify_sweep(schedule(email=config), settings=settings, run=needy(tmp_path))[0][1] == []
    assert "NO_SUCH_SMTP_PASSWORD (password_env) is not set" in caplog.text


# --- webhooks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["slack", "teams", "generic"])
def test_webhook_reaches_a_real_http_server(tmp_path: Path, settings: Settings, kind: str) -> None:
    with http_receiver() as receiver:
        run = needy(tmp_path)
        [(_, sent)] = notify_sweep(schedule(webhook=hook(receiver, kind=kind)), settings=settings, run=run)
    assert sent == ["webhook"]
    [post] = receiver.posts
    assert (post.path, post.content_type) == ("/hook", "application/json")
    assert_clean(post.body.decode())
    payload = json.loads(post.body)
    if kind == "slack":
        assert payload["text"].startswith("*caredove-agent: new for people")
    elif kind == "teams":
        assert payload["@type"] == "MessageCard"
        facts = {f["name"]: f["value"] for f in payload["sections"][0]["facts"]}
        assert facts["report"] == str(run.report_html)
    else:
        assert (payload["event"], payload["kind"], payload["severity"]) == ("new_for_people", "new", "notice")
        assert payload["counts"] == {"cleared": 1, "fix": 1, "escalated": 1, "pending": 0, "error": 0}
        assert payload["new"] == ["1234567890", "2345678901"]
        assert payload["report"] == str(run.report_html)


def test_an_http_webhook_is_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="plain http:// can be read and changed"):
        WebhookNotify(url="http://chat.example/hook")
    path = tmp_path / "hook.toml"
    path.write_text('cron = "30 2 * * *"\ntimezone = "UTC"\n[notify.webhook]\nurl = "http://x/h"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"key `notify.webhook.url` a webhook over plain http://"):
        load_schedule(path)
    assert WebhookNotify(url="http://127.0.0.1/h", allow_http=True).allow_http


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_taken_for_delivery(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    with http_receiver() as receiver:
        receiver.answers["/hook"] = (status, receiver.url + "/elsewhere")
        [(_, sent)] = notify_sweep(schedule(webhook=hook(receiver)), settings=settings, run=needy(tmp_path))
    assert sent == []
    assert receiver.paths() == ["/hook"]
    assert f"answered {status} (a redirect" in caplog.text
    assert "/elsewhere" not in caplog.text and "/hook" not in caplog.text  # a path may be the hook's token


def test_a_307_is_followed_with_its_body_only_when_allowed(tmp_path: Path, settings: Settings) -> None:
    with http_receiver() as receiver:
        receiver.answers["/hook"] = (307, receiver.url + "/final")
        [(_, sent)] = notify_sweep(
            schedule(webhook=hook(receiver, follow_redirects=True)), settings=settings, run=needy(tmp_path)
        )
        receiver.answers["/hook"] = (302, receiver.url + "/final")
        [(_, refused)] = notify_sweep(
            schedule(webhook=hook(receiver, follow_redirects=True)), settings=settings, run=needy(tmp_path / "b")
        )
    assert sent == ["webhook"]
    assert refused == []  # a 302 would have turned the POST into a GET
    assert receiver.paths() == ["/hook", "/final", "/hook"]
    assert receiver.posts[0].body == receiver.posts[1].body


def test_a_webhook_error_status_is_not_delivered(tmp_path: Path, settings: Settings) -> None:
    with http_receiver() as receiver:
        receiver.answers["/hook"] = (500, None)
        assert notify_sweep(schedule(webhook=hook(receiver)), settings=settings, run=needy(tmp_path))[0][1] == []


# --- both, and failures --------------------------------------------------------------------------


def test_one_message_per_kind_not_per_referral(tmp_path: Path, settings: Settings) -> None:
    many = [referral(f"{1000000000 + i}", Outcome.ESCALATED) for i in range(25)]
    with smtp_server() as (mailbox, port), http_receiver() as receiver:
        sent = notify_sweep(schedule(email=email_to(port), webhook=hook(receiver)), settings=settings,
                            run=sweep_run(tmp_path, many))  # fmt: skip
    assert [(m.kind, s) for m, s in sent] == [("new", ["email", "webhook"])]
    assert len(mailbox.messages) == 1 and len(receiver.posts) == 1


def test_a_failed_sweep_is_trouble_without_the_password(settings: Settings) -> None:
    error = RuntimeError(f"sign-in form rejected password={PASSWORD} for card {HCN}")
    with smtp_server() as (mailbox, port), http_receiver() as receiver:
        sent = notify_failure(schedule(email=email_to(port), webhook=hook(receiver)), settings=settings, error=error)
    assert [s for _, s in sent] == [["email", "webhook"]]
    mail, text = only_mail(mailbox)
    assert mail["Subject"].startswith("caredove-agent TROUBLE: the nightly sweep FAILED (RuntimeError)")
    assert_clean(text)
    payload = json.loads(receiver.posts[0].body)
    assert (payload["event"], payload["severity"]) == ("agent_trouble", "critical")
    assert_clean(receiver.posts[0].body.decode())


def test_an_unreachable_smtp_server_is_logged_and_the_webhook_still_goes(
    tmp_path: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with http_receiver() as receiver:
        sched = schedule(email=email_to(free_port(), timeout_seconds=2), webhook=hook(receiver))
        [(_, sent)] = notify_sweep(sched, settings=settings, run=needy(tmp_path))
    assert sent == ["webhook"]
    assert "email notification not sent" in caplog.text


def test_notifications_on_without_a_channel_are_warned_about() -> None:
    [warning] = setup_warnings(schedule(when="always"))
    assert "no channel is configured" in warning
    assert setup_warnings(schedule(when="never")) == []


def test_deliver_with_no_channel_sends_nothing(tmp_path: Path, settings: Settings) -> None:
    [(message, sent)] = notify_sweep(schedule(), settings=settings, run=needy(tmp_path))
    assert sent == []
    assert deliver(schedule(), message) == []
