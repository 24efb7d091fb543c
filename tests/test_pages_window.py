"""The Integration Triggers window against the sandbox's family of sites, proven from its own state
and record: what is read equals what the sandbox holds; Resend and clear happen once (confirmed when
asked, declined when the question is not theirs); a click the site refused raises ClickRefused."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route

from agent.errors import ClickRefused, ValueUnreadable
from agent.models import AttemptStatus
from agent.pages import InboxPage, SignInPage, TriggersWindowPage
from agent.rules.decide import latest_attempt
from agent.settings import Labels, Settings
from sandbox.control import SandboxControl, SandboxControlError

pytestmark = pytest.mark.browser

# Explicit window/response switches, then a few drawn variants (each seed is one whole site; seeds with
# a sidebar menu are left out while sign-in does not follow one).
WINDOW_SITES: list[dict[str, Any]] = [
    {},
    {"window_load": "after_open", "window_order": "oldest_first", "date_style": "long"},
    {"window_shadow": True, "status_style": "icon", "date_style": "eu", "time_element": True},
    {"status_style": "title", "date_style": "us", "time_element": False},
    {"two_destinations": True, "window_order": "by_destination", "date_style": "eu_seconds", "time_element": False},
    {"variant": 4},
    {"variant": 11},
]


def reset(sandbox: SandboxControl, **switches: Any) -> dict[str, Any]:
    """Reset to the rules scenario with ``switches``; skip while the sandbox does not have one yet."""
    try:
        return sandbox.reset(scenario="rules", time_scale=0.01, **switches)
    except SandboxControlError as exc:
        if "unknown switch" in str(exc) or "must be one of" in str(exc):
            pytest.skip(f"the sandbox has no such switch yet: {exc}")
        raise


def signed_in(page: Page, settings: Settings, artifacts: Path | None = None) -> InboxPage:
    base_url, username, password = settings.require_site()
    SignInPage(page, settings).sign_in(base_url, username, password)
    inbox = InboxPage(page, settings, artifacts)
    inbox.open()
    return inbox


def open_window(page: Page, settings: Settings, reference: str) -> TriggersWindowPage:
    return signed_in(page, settings).open_window(reference)


def shown_minutes(at: datetime) -> tuple[int, int, int, int, int]:
    """A date as a page without seconds shows it, in the site's zone."""
    local = at.astimezone(ZoneInfo("America/Toronto"))
    return local.year, local.month, local.day, local.hour, local.minute


def label(switches: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in switches.items()) or "default"


@pytest.mark.parametrize(
    "switches", WINDOW_SITES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "default"
)
def test_every_attempt_is_read_as_the_sandbox_holds_it(
    page: Page, sandbox: SandboxControl, settings: Settings, switches: dict[str, Any]
) -> None:
    refs = reset(sandbox, **switches)["rules"]
    precision = "exact" if switches.get("time_element", True) else "minutes"
    if precision == "minutes" and ("seconds" in str(switches.get("date_style", "iso")) or "date_style" not in switches):
        precision = "seconds"

    def as_read(at: datetime, status: str, trigger: str, destination: str) -> tuple[Any, ...]:
        shown: Any = at if precision == "exact" else shown_minutes(at)
        if precision == "seconds":
            shown = (*shown, at.second)
        return (shown, status, trigger, destination)

    inbox = signed_in(page, settings)
    for rule in ("R1", "R2", "R4"):
        window = inbox.open_window(refs[rule])
        seen = window.read().attempts
        truth = sandbox.referral(refs[rule])["attempts"]
        got = sorted(as_read(a.at, a.status.value, a.trigger, a.destination) for a in seen)
        want = sorted(as_read(_at(a), a["status"], a["trigger"], a["destination"]) for a in truth)
        assert got == want, rule
        window.close()
        assert not window.dialog.is_visible()


def _at(attempt: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(attempt["at"])


RESEND_SITES: list[dict[str, Any]] = [
    {},
    {"toasts": "alert", "banner_role": "alert"},
    {"toasts": "status", "window_shadow": True, "window_load": "after_open"},
    {"two_destinations": True, "window_order": "by_destination"},
    {"variant": 9},
    {"variant": 6},
]


@pytest.mark.parametrize(
    "switches", RESEND_SITES, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "default"
)
def test_resend_is_clicked_once_and_answered_by_a_new_attempt(
    page: Page, sandbox: SandboxControl, settings: Settings, switches: dict[str, Any]
) -> None:
    ref = reset(sandbox, **switches)["rules"]["R2"]
    window = open_window(page, settings, ref)
    failed = [a for a in window.read().attempts if a.status is AttemptStatus.FAILED]
    target = max(failed, key=lambda a: a.at)
    hooks: list[bool] = []
    result = window.resend(target, lambda: hooks.append(True))
    assert hooks == [True]
    assert result.page_error is None and result.window is not None and not result.declined
    newer = [a for a in result.window.attempts if a.destination == target.destination and a.at > target.at]
    assert newer, "the answer is a new attempt for the same destination"
    resends = sandbox.record("resend")
    assert [(e["reference"], e["outcome"]) for e in resends] == [(ref, "applied")]
    window.close()


CLEAR_SITES: list[dict[str, Any]] = [
    {},
    {"ui": "newer", "banner_role": "alert", "toasts": "alert"},
    {"clear_confirm": "native"},
    {"clear_confirm": "dialog", "window_shadow": True},
    {"clear_confirm": "dialog", "ui": "newer", "toasts": "status"},
    {"variant": 4},
    {"variant": 6},
]


@pytest.mark.parametrize("switches", CLEAR_SITES, ids=label)
def test_clear_is_clicked_once_confirmed_when_asked_and_the_window_closes(
    page: Page, sandbox: SandboxControl, settings: Settings, switches: dict[str, Any]
) -> None:
    ref = reset(sandbox, **switches)["rules"]["R1"]
    window = open_window(page, settings, ref)
    assert latest_attempt(window.read().attempts) is not None
    hooks: list[bool] = []
    result = window.clear(lambda: hooks.append(True))
    assert hooks == [True]
    assert result.page_error is None and not result.declined
    assert [(e["reference"], e["outcome"]) for e in sandbox.record("clear")] == [(ref, "applied")]
    assert not sandbox.referral(ref)["has_error"]


@pytest.mark.parametrize("confirm", ["native", "dialog"])
def test_a_confirmation_that_is_not_about_the_clear_is_declined_and_nothing_changes(
    page: Page, sandbox: SandboxControl, settings: Settings, confirm: str
) -> None:
    ref = reset(sandbox, clear_confirm=confirm)["rules"]["R1"]
    strict = settings.model_copy(update={"labels": Labels(confirm_clear=r"^this question is never asked$")})
    window = open_window(page, strict, ref)
    window.read()
    result = window.clear(lambda: None)
    assert result.declined and result.page_error is not None
    assert [e for e in sandbox.record("clear") if e["outcome"] == "applied"] == []
    assert sandbox.referral(ref)["has_error"]


@pytest.mark.parametrize("expiry", ["redirect", "script", "modal"])
@pytest.mark.parametrize("action", ["resend", "clear"])
def test_a_click_answered_401_by_an_expired_session_raises_click_refused(
    page: Page, sandbox: SandboxControl, settings: Settings, action: str, expiry: str
) -> None:
    refs = reset(sandbox, expiry=expiry)["rules"]
    ref = refs["R2" if action == "resend" else "R1"]
    window = open_window(page, settings, ref)
    attempts = window.read().attempts
    target = max(attempts, key=lambda a: (a.status is AttemptStatus.FAILED, a.at))

    def click() -> object:
        if action == "resend":
            return window.resend(target, sandbox.expire_sessions)
        return window.clear(sandbox.expire_sessions)

    with pytest.raises(ClickRefused) as refused:
        click()
    assert ref in refused.value.message
    # Refused by the site (recorded as rejected), or never sent at all (a notice covered the control).
    assert [e["outcome"] for e in sandbox.record(action)] in (["rejected"], [])


def test_a_status_the_agent_cannot_read_fails_the_referral_without_quoting_the_cell(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    ref = reset(sandbox)["rules"]["R1"]
    blind = settings.model_copy(update={"labels": Labels(success=r"^never$", failed=r"^never$", pending=r"^never$")})
    window = open_window(page, blind, ref)
    with pytest.raises(ValueUnreadable) as unreadable:
        window.read()
    assert "the status of an attempt" in unreadable.value.message and ref in unreadable.value.message
    assert "Success" not in unreadable.value.message and "Failed" not in unreadable.value.message


def test_a_date_the_agent_cannot_read_fails_the_referral_without_quoting_the_cell(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    ref = reset(sandbox)["rules"]["R1"]

    def vague(route: Route) -> None:  # the window's real fragment, its dates made relative
        response = route.fetch()
        body = re.sub(r"<time datetime=\"[^\"]*\">[^<]*</time>", "<span>a while ago</span>", response.text())
        route.fulfill(response=response, body=body)

    page.route(re.compile(r"/referrals/\d+/triggers"), vague)
    window = open_window(page, settings, ref)
    with pytest.raises(ValueUnreadable) as unreadable:
        window.read()
    assert "the date of an attempt" in unreadable.value.message and ref in unreadable.value.message
    assert "while ago" not in str(unreadable.value)


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (r'(<button[^>]*data-action="close"[^>]*>)Close(</button>)', r"\1×\2"),
        (r'<button[^>]*data-action="close"[^>]*>Close</button>', ""),
    ],
    ids=["x-button", "no-close-control"],
)
def test_the_window_is_closed_by_its_x_or_by_escape_and_is_gone(
    page: Page, sandbox: SandboxControl, settings: Settings, pattern: str, replacement: str
) -> None:
    ref = reset(sandbox)["rules"]["R1"]

    def restyle(route: Route) -> None:  # the window's real fragment with another close control
        response = route.fetch()
        route.fulfill(response=response, body=re.sub(pattern, replacement, response.text()))

    page.route(re.compile(r"/referrals/\d+/triggers"), restyle)
    window = open_window(page, settings, ref)
    window.read()
    window.close()
    assert not window.dialog.is_visible()


def test_resend_on_a_two_destination_referral_is_clicked_on_the_failed_destinations_row(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    ref = reset(sandbox, two_destinations=True, window_order="newest_first")["rules"]["R2_2d"]
    truth = {a["destination"]: a for a in sandbox.referral(ref)["attempts"]}
    window = open_window(page, settings, ref)
    seen = window.read().attempts
    assert {a.destination for a in seen} == set(truth)
    failed = [a for a in seen if a.status is AttemptStatus.FAILED]
    assert len(failed) == 1
    result = window.resend(failed[0], lambda: None)
    assert result.page_error is None and result.window is not None
    resends = sandbox.record("resend")
    assert [(e["reference"], e["attempt_id"]) for e in resends] == [(ref, truth[failed[0].destination]["id"])]
    before = {a.key for a in seen}
    added = [a for a in result.window.attempts if a.key not in before]
    assert [a.destination for a in added] == [failed[0].destination]
