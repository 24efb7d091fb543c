"""Masks that fail safe on the sandbox's own screens: every registrant cell of the inbox, in a
``<table>`` and in an ARIA grid, a planted name on a referral page, and the window's title are
covered, while the columns the agent reads stay visible."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from agent.pages import InboxPage
from agent.pages.base import Screen
from agent.settings import Settings
from sandbox.control import SandboxControl
from tests.masking import covers, masked_boxes
from tests.test_pages_inbox import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("table", ["html", "aria_grid"])
def test_every_registrant_cell_is_masked_and_every_reference_is_not(
    page: Page, sandbox: SandboxControl, settings: Settings, table: str
) -> None:
    sandbox.reset(scenario="demo", page_size=6, time_scale=0.01, table=table, rows="fetch", load_delay_ms=40)
    sign_in(page, settings)
    inbox = InboxPage(page, settings)
    inbox.open()
    masked = masked_boxes(page, inbox)
    rows = page.get_by_role("row").filter(has=page.get_by_role("button", name="Messages"))
    assert rows.count() == 6
    for row in rows.all():
        cells = row.get_by_role("cell").or_(row.get_by_role("gridcell"))
        reference, registrant = cells.nth(0), cells.nth(1)
        assert covers(masked, registrant)
        assert not covers(masked, reference)
    assert covers(masked, page.get_by_role("heading", name="Referral Inbox"))  # headings too: fail safe


def test_a_planted_name_on_a_referral_page_and_the_windows_title_are_masked(
    page: Page, sandbox: SandboxControl, settings: Settings
) -> None:
    errored = sandbox.reset(scenario="demo", time_scale=0.01, plant={"name": "Zed Plantedperson", "dob": "1980-01-01"})
    reference = errored["errored"][0]
    sign_in(page, settings)
    assert settings.base_url
    page.goto(f"{settings.base_url}/referrals/{reference}")
    masked = masked_boxes(page, Screen(page, settings))
    planted = page.get_by_text("Zed Plantedperson")
    assert planted.count() >= 1
    for element in planted.all():
        assert covers(masked, element)
    inbox = InboxPage(page, settings)
    inbox.open()
    inbox.open_window(reference)
    dialog = page.get_by_role("dialog", name="Integration Triggers")
    masked = masked_boxes(page, inbox)
    assert covers(masked, dialog.get_by_role("heading").first)
    assert not covers(masked, dialog.get_by_role("button", name="Close", exact=True))
    assert not covers(masked, dialog.get_by_role("button", name="Close and clear error"))
