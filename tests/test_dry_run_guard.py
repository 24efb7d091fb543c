"""A dry run cannot write, whatever a page object does: proven from the sandbox's record, with page
objects forced to click Resend and the clear button, and a sweep forced to resend. Also --trace."""

from __future__ import annotations

import contextlib
import stat
import zipfile
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError
from pydantic import SecretStr

from agent.errors import AgentError, SettingsError
from agent.guard import guard_of
from agent.models import AttemptStatus
from agent.pages import InboxPage, SignInPage
from agent.run import new_context, sweep_and_report
from agent.settings import Settings
from agent.sweep import Sweep
from sandbox.control import SandboxControl
from tests.sweeping import sweep

pytestmark = pytest.mark.browser

SECRET = pyotp.random_base32()


def kinds(sandbox: SandboxControl) -> list[str]:
    return [event["kind"] for event in sandbox.record()]


@pytest.mark.parametrize(
    "sign_in", [{}, {"sign_in_flow": "two_step", "second_factor": "totp", "totp_secret": SECRET}], ids=["one", "2fa"]
)
def test_page_objects_forced_to_click_resend_and_clear_write_nothing(
    browser: Browser, sandbox: SandboxControl, settings: Settings, sign_in: dict[str, str]
) -> None:
    refs = sandbox.reset(scenario="rules", time_scale=0.01, **sign_in)["rules"]
    dry = settings.model_copy(update={"dry_run": True, "totp_secret": SecretStr(SECRET)})
    context = new_context(browser, dry)
    try:
        page = context.new_page()
        base_url, username, password = dry.require_site()
        SignInPage(page, dry).sign_in(base_url, username, password)  # the one write a dry run may make
        inbox = InboxPage(page, dry)
        inbox.open()
        inbox.show_errors()
        window = inbox.open_window(refs["R2"])
        latest = max(window.read().attempts, key=lambda a: a.at)
        assert latest.status is AttemptStatus.FAILED
        with contextlib.suppress(AgentError, PlaywrightError):
            window.resend(latest, lambda: None)
        with contextlib.suppress(AgentError, PlaywrightError):
            window.clear(lambda: None)
        guard = guard_of(context)
        assert guard is not None
        refused = [r.line() for r in guard.refused]
    finally:
        context.close()
    assert kinds(sandbox) == ["sign_in"]
    assert any(line.startswith("POST ") and line.endswith("/resend") for line in refused), refused
    assert any(line.startswith("POST ") and line.endswith("/clear") for line in refused), refused


def test_a_dry_run_sweep_forced_to_resend_writes_nothing_and_lists_the_refusal(
    browser: Browser, sandbox: SandboxControl, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.reset(scenario="rules", time_scale=0.01)
    monkeypatch.setattr(Sweep, "_resend_now", lambda self, case: True)  # a bug that clicks in a dry run
    run = sweep(settings, browser, dry_run=True)
    assert kinds(sandbox) == ["sign_in"]
    assert run.result.refused_requests, "the refused Resend clicks are listed"
    assert all(line.startswith("POST ") for line in run.result.refused_requests)
    assert '"refused_requests"' in run.report_json.read_text(encoding="utf-8")
    assert any("browser refused" in problem for problem in run.result.problems)  # shown in the report


def test_a_real_sweep_is_not_guarded(browser: Browser, sandbox: SandboxControl, settings: Settings) -> None:
    sandbox.reset(scenario="rules", time_scale=0.01)
    context = new_context(browser, settings)
    try:
        assert guard_of(context) is None
    finally:
        context.close()


def test_a_trace_is_written_0600_without_the_password_or_the_session_cookie(
    browser: Browser, sandbox: SandboxControl, settings: Settings, tmp_path: Path
) -> None:
    sandbox.reset(scenario="rules", time_scale=0.01, page_size=50)
    target = tmp_path / "private" / "trace.zip"
    run = sweep(settings, browser, dry_run=True, trace=target)
    assert run.result.referrals
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    password = settings.password.get_secret_value() if settings.password else "unset"
    with zipfile.ZipFile(target) as trace:
        blob = b"".join(trace.read(name) for name in trace.namelist())
    assert b"Integration Triggers" in blob  # it is a real trace of the pages
    assert password.encode() not in blob
    assert b"sandbox_session=" not in blob  # every cookie header blanked, the session's and any earlier one


def test_a_trace_inside_the_report_folder_is_refused(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="inside the report folder"):
        sweep_and_report(settings.model_copy(update={"trace": settings.report_dir / "t.zip"}))


def test_the_guard_lets_through_only_a_sign_in_fields_form(browser: Browser, settings: Settings) -> None:
    context = new_context(browser, settings.model_copy(update={"dry_run": True}))
    try:
        page = context.new_page()
        page.set_content(
            '<form method="post" action="/referrals/1/notes"><input name="q" type="search"><textarea></textarea>'
            '</form><form method="post" action="/session"><input type="password" name="p"></form>'
        )
        guard = guard_of(context)
        assert guard is not None
        assert guard.expect_sign_in(page.locator("input[name=q]")) is False
        assert guard.expect_sign_in(page.locator("textarea")) is False
        assert guard.expect_sign_in(page.locator("input[type=password]")) is True
        guard.expect_nothing()
    finally:
        context.close()
