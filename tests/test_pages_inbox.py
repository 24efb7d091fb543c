"""The inbox page object over the sandbox's family of sites: rows fetched late behind a loading
state, ARIA tables and grids, sort buttons, filter rows, checkbox columns, hidden detail rows, and
every kind of pager — each proven against the sandbox's own state (which referrals have errors).

Sign-in is done here by hand, not by SignInPage, so these tests are about the inbox alone."""

from __future__ import annotations

import math
from typing import Any

import pytest
from playwright.sync_api import Page

from agent.errors import ReferralGone, SessionExpired
from agent.pages import InboxPage
from agent.pages.base import Screen
from agent.pages.inbox import REFERENCE
from agent.pages.tables import read_table
from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.conftest import SANDBOX_PASSWORD, SANDBOX_USER

pytestmark = pytest.mark.browser

PAGE_SIZE = 4

SWITCHES = [
    pytest.param(
        {"rows": "fetch", "loading": "loading_row", "table": "aria_grid", "paging": "buttons",
         "pager_disabled": "disabled", "showing_line": False, "load_delay_ms": 120},
        id="fetched-grid-buttons-disabled-while-loading-no-showing-line",
    ),
    pytest.param(
        {"rows": "fetch", "loading": "aria_busy", "table": "aria_table", "paging": "load_more",
         "sort_buttons": True, "filter_row": True, "checkbox_column": True, "detail_rows": True,
         "load_delay_ms": 120},
        id="fetched-aria-table-load-more-sort-filter-checkbox-detail",
    ),
    pytest.param(
        {"rows": "fetch", "loading": "progressbar", "paging": "links", "banner_role": "alert",
         "detail_rows": True, "load_delay_ms": 250, "rate_limit_ms": 150},
        id="fetched-table-links-progressbar-alert-banner-too-fast",
    ),
    pytest.param({"paging": "single", "checkbox_column": True, "sort_buttons": True}, id="one-page-checkboxes"),
    *[pytest.param({"variant": seed}, id=f"variant-{seed}") for seed in (1, 2, 3, 5)],
]  # fmt: skip


def sign_in(page: Page, settings: Settings) -> None:
    """By hand; a landing page answered 429 (``rate_limit_ms``) is waited out by the agent's own loader."""
    assert settings.base_url
    screen = Screen(page, settings)
    screen.load(f"{settings.base_url}/login", "Sign In")
    page.get_by_label("Email").fill(SANDBOX_USER)
    page.get_by_label("Password").fill(SANDBOX_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    screen.ensure_loaded("the page after Sign In")
    page.get_by_role("navigation", name="Main").wait_for()


def opened(page: Page, sandbox: SandboxControl, settings: Settings, **switches: Any) -> tuple[InboxPage, list[str]]:
    answer = sandbox.reset(**{"scenario": "demo", "page_size": PAGE_SIZE, "time_scale": 0.01, **switches})
    sign_in(page, settings)
    inbox = InboxPage(page, settings)
    inbox.open()
    return inbox, list(answer["errored"])


@pytest.mark.parametrize("switches", SWITCHES)
def test_every_errored_referral_is_listed_once_with_the_sites_own_count(
    page: Page, sandbox: SandboxControl, settings: Settings, switches: dict[str, Any]
) -> None:
    inbox, errored = opened(page, sandbox, settings, **switches)
    config = sandbox.state()["config"]
    banner = inbox.banner_count()
    assert banner is not None and banner.count == len(errored)
    inbox.show_errors()
    pages = list(inbox.error_pages())
    seen = [row.reference for listed in pages for row in listed.rows]
    assert sorted(seen) == sorted(errored), config
    assert len(seen) == len(set(seen))
    assert sum(listed.rows_on_page for listed in pages) == len(errored)  # the filtered view lists only those
    assert {listed.listed_total for listed in pages} == {len(errored) if config["showing_line"] else None}
    if config["paging"] != "single":
        assert len(pages) == math.ceil(len(errored) / PAGE_SIZE)


@pytest.mark.parametrize("table", ["html", "aria_grid"])
def test_the_unfiltered_inbox_page_lists_healthy_rows_but_returns_only_errored_ones(
    page: Page, sandbox: SandboxControl, settings: Settings, table: str
) -> None:
    inbox, errored = opened(page, sandbox, settings, table=table, rows="fetch", load_delay_ms=120)
    listed = inbox.listed()
    assert listed.rows_on_page == PAGE_SIZE
    assert {row.reference for row in listed.rows} <= set(errored)
    assert listed.listed_total == sandbox.state()["total"]


@pytest.mark.parametrize(
    ("paging", "expiry"), [("links", "redirect"), ("buttons", "script"), ("buttons", "modal"), ("load_more", "modal")]
)
def test_a_session_that_ends_between_pages_is_session_expired(
    page: Page, sandbox: SandboxControl, settings: Settings, paging: str, expiry: str
) -> None:
    inbox, _ = opened(page, sandbox, settings, rows="fetch", paging=paging, expiry=expiry, load_delay_ms=40)
    inbox.show_errors()
    walk = inbox.error_pages()
    assert next(walk).rows
    sandbox.expire_sessions()
    with pytest.raises(SessionExpired):
        next(walk)


def test_a_referral_no_longer_flagged_is_gone_not_missing(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    inbox, errored = opened(page, sandbox, settings, rows="fetch", load_delay_ms=40, page_size=50)
    table = read_table(page.locator("body"), settings.labels.reference_column, settings.labels.error_control)
    assert table is not None
    healthy = next(
        match.group(0)
        for row in table["rows"]
        if not row["flagged"] and (match := REFERENCE.search(" ".join(c["text"] for c in row["cells"])))
    )
    with pytest.raises(ReferralGone, match=healthy):
        inbox.find(healthy)  # on this page, without the red control
    with pytest.raises(ReferralGone):
        inbox.open_window(healthy, listed=True)
    with pytest.raises(ReferralGone):
        inbox.find("9999999999")  # searched for, not there
    inbox.find(errored[0])  # still flagged: brought on screen without complaint


@pytest.mark.parametrize("paging", ["links", "buttons"])
def test_recover_closes_the_window_and_comes_back_to_the_integration_errors_view(
    page: Page, sandbox: SandboxControl, settings: Settings, paging: str
) -> None:
    inbox, errored = opened(page, sandbox, settings, rows="fetch", paging=paging, load_delay_ms=40)
    inbox.show_errors()
    first = next(inbox.error_pages())
    inbox.open_window(first.rows[0].reference, listed=True)
    inbox.recover()
    assert page.get_by_role("dialog", name="Integration Triggers").filter(visible=True).count() == 0
    again = inbox.listed()
    assert {row.reference for row in again.rows} <= set(errored)
    assert again.rows_on_page == len(again.rows)  # still the filtered view: every listed row has an error


@pytest.mark.parametrize(
    "switches",
    [
        pytest.param({"landing": "home", "nav": "menu_click", "announcement": True}, id="home-click-menu-announcement"),
        pytest.param({"landing": "dashboard", "nav": "menu_hover"}, id="dashboard-hover-menu"),
        pytest.param({"landing": "inbox", "nav": "sidebar", "announcement": True}, id="inbox-sidebar-announcement"),
        pytest.param({"landing": "home", "nav": "sidebar", "rate_limit_ms": 150}, id="home-sidebar-too-fast"),
    ],
)
def test_the_inbox_is_reached_from_wherever_sign_in_lands_touching_nothing(
    page: Page, sandbox: SandboxControl, settings: Settings, switches: dict[str, Any]
) -> None:
    inbox, errored = opened(page, sandbox, settings, **switches)
    assert page.get_by_role("dialog").filter(visible=True).count() == 0  # the announcement is gone
    listed = inbox.listed()
    assert listed.rows_on_page == PAGE_SIZE
    assert {row.reference for row in listed.rows} <= set(errored)
    assert {event["kind"] for event in sandbox.record()} <= {"sign_in", "announcement"}  # no referral touched
