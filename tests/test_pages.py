"""The page objects read what a person sees, in both article versions and under the sandbox's other
guesses at the markup (row order, date style, response style, page size)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page
from pydantic import SecretStr

from agent.errors import ControlMissing, SignInFailed
from agent.models import AttemptStatus
from agent.pages import InboxPage, SignInPage
from agent.rules.decide import latest_attempt
from agent.rules.reader import read_response
from agent.settings import Labels, Settings
from sandbox.control import SandboxControl

pytestmark = pytest.mark.browser


def signed_in_inbox(page: Page, settings: Settings, artifacts: Path | None = None) -> InboxPage:
    base_url, username, password = settings.require_site()
    SignInPage(page, settings).sign_in(base_url, username, password)
    inbox = InboxPage(page, settings, artifacts)
    inbox.open()
    return inbox


@pytest.mark.parametrize("ui", ["older", "newer"])
def test_inbox_reads_the_banner_and_every_errored_row_across_pages(
    page: Page, sandbox: SandboxControl, settings: Settings, ui: str
) -> None:
    answer = sandbox.reset(scenario="demo", ui=ui, page_size=4, time_scale=0.01)
    inbox = signed_in_inbox(page, settings)
    banner = inbox.banner_count()
    assert banner is not None and banner.count == len(answer["errored"])
    inbox.show_errors()
    pages = list(inbox.error_pages())
    assert len(pages) > 1
    seen = [row.reference for listed in pages for row in listed.rows]
    assert {listed.listed_total for listed in pages} == {len(answer["errored"])}
    assert sorted(seen) == sorted(answer["errored"])
    assert all(len(ref) == 10 for ref in seen)


def test_inbox_rows_skip_healthy_referrals_and_their_other_workflow_icons(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    answer = sandbox.reset(scenario="rules", page_size=50, time_scale=0.01)
    inbox = signed_in_inbox(page, settings)  # the unfiltered inbox also lists healthy referrals
    assert sorted(row.reference for row in inbox.rows()) == sorted(answer["errored"])


@pytest.mark.parametrize(
    ("ui", "order", "date_style"), [("older", "newest_first", "iso"), ("newer", "oldest_first", "long")]
)
def test_window_finds_the_latest_attempt_by_date_not_row_order(
    page: Page, sandbox: SandboxControl, settings: Settings, ui: str, order: str, date_style: str
) -> None:
    refs = sandbox.reset(scenario="rules", ui=ui, window_order=order, date_style=date_style, time_scale=0.01)["rules"]
    inbox = signed_in_inbox(page, settings)
    inbox.show_errors()
    window = inbox.open_window(refs["R1"])  # a failure, then a success
    view = window.read()
    assert [a.status for a in view.attempts] == (
        [AttemptStatus.SUCCESS, AttemptStatus.FAILED]
        if order == "newest_first"
        else [AttemptStatus.FAILED, AttemptStatus.SUCCESS]
    )
    latest = latest_attempt(view.attempts)
    assert latest is not None and latest.status is AttemptStatus.SUCCESS
    assert view.clear_available
    window.close()


@pytest.mark.parametrize("style", ["json", "key_value", "print_r"])
def test_response_tab_text_block_is_read_in_every_style(
    page: Page, sandbox: SandboxControl, settings: Settings, style: str
) -> None:
    refs = sandbox.reset(scenario="rules", response_style=style, time_scale=0.01)["rules"]
    inbox = signed_in_inbox(page, settings)
    inbox.show_errors()
    window = inbox.open_window(refs["R5"])
    view = window.read()
    latest = latest_attempt(view.attempts)
    assert latest is not None
    record = read_response(window.read_response(latest))
    assert record.http_code == 400
    assert record.text and "postCode" in record.text
    assert len(page.context.pages) == 2  # the one kept response tab, not one per referral
    window.close()


def test_resend_shows_a_pending_attempt_and_then_its_result(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    refs = sandbox.reset(scenario="rules", time_scale=0.01)["rules"]
    inbox = signed_in_inbox(page, settings)
    inbox.show_errors()
    window = inbox.open_window(refs["R2"])
    failed = latest_attempt(window.read().attempts)
    assert failed is not None
    clicked: list[bool] = []
    result = window.resend(failed, lambda: clicked.append(True))
    assert clicked == [True]
    assert result.page_error is None and result.window is not None
    newest = latest_attempt(result.window.attempts)
    assert newest is not None and newest.at > failed.at
    assert [e["kind"] for e in sandbox.record() if e["kind"] != "sign_in"] == ["resend"]
    window.close()


@pytest.mark.timeout(60)  # a hang guard, not a speed claim: the search is bounded by timeout_seconds
def test_a_missing_control_is_a_typed_error_with_a_screenshot_not_a_long_hang(
    page: Page, sandbox: SandboxControl, settings: Settings, tmp_path: Path
) -> None:
    refs = sandbox.reset(scenario="rules", time_scale=0.01)["rules"]
    relabelled = settings.model_copy(update={"labels": Labels(resend=r"^send again$"), "timeout_seconds": 1.0})
    inbox = signed_in_inbox(page, relabelled, tmp_path)
    inbox.show_errors()
    window = inbox.open_window(refs["R2"])
    failed = latest_attempt(window.read().attempts)
    assert failed is not None
    with pytest.raises(ControlMissing, match=f"Resend button of referral {refs['R2']}") as caught:
        window.resend(failed, lambda: pytest.fail("the intent hook ran without a button to click"))
    assert caught.value.screenshot is not None and Path(caught.value.screenshot).is_file()
    assert not [e for e in sandbox.record() if e["kind"] == "resend"]


def test_wrong_credentials_are_a_sign_in_failure(page: Page, sandbox: SandboxControl, settings: Settings) -> None:
    base_url, username, _ = settings.require_site()
    with pytest.raises(SignInFailed):
        SignInPage(page, settings).sign_in(base_url, username, SecretStr("wrong"))
