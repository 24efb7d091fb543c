"""Sign-in as real accounts have it, against the sandbox's sign-in switches, proven from its record:
one and two steps, authenticator codes, and the cases the agent must stop at with one clear line."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page
from pydantic import SecretStr

from agent.errors import SettingsError, SignInFailed
from agent.pages import SignInPage
from agent.settings import Settings, load_settings
from sandbox.control import SandboxControl, SandboxControlError

pytestmark = pytest.mark.browser

SECRET = pyotp.random_base32()


def sign_in(page: Page, settings: Settings) -> None:
    base_url, username, password = settings.require_site()
    SignInPage(page, settings).sign_in(base_url, username, password)


def kinds(sandbox: SandboxControl) -> list[str]:
    return [event["kind"] for event in sandbox.record()]


@pytest.mark.parametrize("flow", ["one_step", "two_step"])
def test_signs_in_with_one_or_two_steps(page: Page, sandbox: SandboxControl, settings: Settings, flow: str) -> None:
    sandbox.reset(scenario="rules", sign_in_flow=flow, time_scale=0.01)
    sign_in(page, settings)
    assert SignInPage(page, settings).signed_in_marker().first.is_visible()
    assert kinds(sandbox) == ["sign_in"]


@pytest.mark.parametrize("flow", ["one_step", "two_step"])
def test_signs_in_with_an_authenticator_code(
    page: Page, sandbox: SandboxControl, settings: Settings, flow: str
) -> None:
    sandbox.reset(scenario="rules", sign_in_flow=flow, second_factor="totp", totp_secret=SECRET, time_scale=0.01)
    sign_in(page, settings.model_copy(update={"totp_secret": SecretStr(SECRET)}))
    assert kinds(sandbox) == ["sign_in"]


def test_a_wrong_totp_secret_is_a_clear_refusal_exit_4(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    sandbox.reset(scenario="rules", second_factor="totp", totp_secret=SECRET, time_scale=0.01)
    wrong = settings.model_copy(update={"totp_secret": SecretStr(pyotp.random_base32())})
    with pytest.raises(SignInFailed, match="refused the authenticator code") as caught:
        sign_in(page, wrong)
    assert caught.value.exit_code == 4
    assert "TOTP secret" in str(caught.value.fix)
    assert kinds(sandbox) == ["sign_in_failed"]


def test_a_missing_totp_secret_says_which_setting(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    sandbox.reset(scenario="rules", second_factor="totp", totp_secret=SECRET, time_scale=0.01)
    with pytest.raises(SignInFailed, match="no TOTP secret is set") as caught:
        sign_in(page, settings)
    assert "CAREDOVE_TOTP_SECRET" in str(caught.value)
    assert kinds(sandbox) == []  # the password was right; no code was ever submitted


def test_a_wrong_password_is_refused(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    sandbox.reset(scenario="rules", sign_in_flow="two_step", time_scale=0.01)
    with pytest.raises(SignInFailed, match="refused the sign-in"):
        sign_in(page, settings.model_copy(update={"password": SecretStr("not-the-password")}))
    assert kinds(sandbox) == ["sign_in_failed"]


@pytest.mark.parametrize("factor", ["email", "sms"])
def test_a_code_sent_by_email_or_sms_is_named_with_what_to_do(
    page: Page, sandbox: SandboxControl, settings: Settings, factor: str
) -> None:
    sandbox.reset(scenario="rules", second_factor=factor, time_scale=0.01)
    with_secret = settings.model_copy(update={"totp_secret": SecretStr(SECRET)})  # a secret does not help here
    with pytest.raises(SignInFailed, match="by e-mail or SMS") as caught:
        sign_in(page, with_secret)
    assert "dedicated" in str(caught.value.fix) and "authenticator" in str(caught.value.fix)
    assert kinds(sandbox) == []


def test_a_microsoft_only_sign_in_is_named_with_what_to_do(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    sandbox.reset(scenario="rules", sign_in_flow="microsoft", time_scale=0.01)
    with pytest.raises(SignInFailed, match="Sign in with Microsoft") as caught:
        sign_in(page, settings)
    assert "dedicated" in str(caught.value.fix)
    assert kinds(sandbox) == []


@pytest.mark.parametrize(("notice", "words"), [("password_expiry", "change the password"), ("terms", "accept")])
def test_a_notice_after_sign_in_stops_the_agent_and_is_never_answered(
    page: Page, sandbox: SandboxControl, settings: Settings, notice: str, words: str
) -> None:
    sandbox.reset(scenario="rules", after_sign_in=notice, time_scale=0.01)
    with pytest.raises(SignInFailed, match=words):
        sign_in(page, settings)
    assert kinds(sandbox) == ["sign_in"]  # signed in, and no "notice" answer recorded


def test_the_notice_cannot_be_skipped_by_going_to_the_inbox(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    sandbox.reset(scenario="rules", after_sign_in="terms", time_scale=0.01)
    with pytest.raises(SignInFailed):
        sign_in(page, settings)
    page.goto(f"{sandbox.base_url}/referrals/inbox")
    assert page.get_by_role("heading", name="Updated Terms of Use").is_visible()


def test_the_sandbox_refuses_a_totp_switch_without_a_base32_secret(sandbox: SandboxControl) -> None:
    with pytest.raises(SandboxControlError, match="totp_secret"):
        sandbox.reset(scenario="rules", second_factor="totp", totp_secret="not base32!")


def test_the_totp_secret_is_read_from_a_file_and_refused_in_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAREDOVE_CONFIG", raising=False)
    secret_file = tmp_path / "totp"
    secret_file.write_text(SECRET.lower() + "\n", encoding="utf-8")
    settings = load_settings(None, totp_secret_file=secret_file)
    assert settings.totp_secret is not None and settings.totp_secret.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    config = tmp_path / "caredove-agent.toml"
    config.write_text(f'totp_secret = "{SECRET}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="TOTP secret") as caught:
        load_settings(config)
    assert SECRET not in str(caught.value)
