"""The Referral Inbox: the banner, the integration-errors filter, the rows, the pages, the red control."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlMissing, SessionExpired
from agent.models import BannerCount, InboxRow
from agent.pages.base import Screen, rx
from agent.pages.response import ResponseTab
from agent.pages.tables import Table, cell_text, column, read_table
from agent.pages.window import TriggersWindowPage
from agent.settings import Settings

REFERENCE = re.compile(r"\b\d{10}\b")


class InboxPage(Screen):
    def __init__(self, page: Page, settings: Settings, artifacts: Path | None = None) -> None:
        super().__init__(page, settings, artifacts)
        self.responses = ResponseTab(page.context, self.timeout_ms)

    # --- getting there -------------------------------------------------------------------------

    def open(self) -> None:
        """Reach the inbox from the configured address, or as a person does: Referrals → Inbox."""
        if self.settings.inbox_url:
            self.page.goto(self.settings.inbox_url, timeout=self.settings.navigation_timeout_seconds * 1000)
        else:
            referrals = rx(self.labels.menu_referrals)
            menu = self.page.get_by_role("button", name=referrals).or_(self.page.get_by_role("link", name=referrals))
            self.wait_for(menu, "the top menu's Referrals entry")
            inbox = self.page.get_by_role("link", name=rx(self.labels.menu_inbox))
            if not inbox.first.is_visible():
                menu.first.click(timeout=self.timeout_ms)
            self.wait_for(inbox, "the Referrals menu's Inbox link")
            inbox.first.click(timeout=self.timeout_ms)
        self.ensure_loaded("the Referral Inbox")
        self.wait_for(self._table_header(), "the Referral Inbox table")

    def show_errors(self) -> str:
        """Follow the banner's filter link (either article's wording); returns the link's text, which
        tells the two articles' screens apart ("View Referrals…" older, "View referrals…" newer)."""
        link = self.page.get_by_role("link", name=rx(self.labels.errors_filter))
        self.wait_for(link, "the banner's integration-errors link")
        text = link.first.inner_text(timeout=self.timeout_ms).strip()
        link.first.click(timeout=self.timeout_ms)
        self.ensure_loaded("the filtered Referral Inbox")
        self.wait_for(self._table_header(), "the filtered Referral Inbox")
        return text

    def offers_error_filter(self) -> bool:
        """Whether the banner's integration-errors link is there (Caredove hides it when nothing errs)."""
        return self.page.get_by_role("link", name=rx(self.labels.errors_filter)).count() > 0

    def banner_count(self) -> BannerCount | None:
        """How many referrals the yellow banner says have integration errors; None when it says nothing."""
        banner = self.page.get_by_text(rx(self.labels.banner_count))
        if banner.count() == 0:
            return None
        match = rx(self.labels.banner_count).search(banner.first.inner_text(timeout=self.timeout_ms))
        if match is None:
            return None
        return BannerCount(count=int(match.group(1).replace(",", "")))

    # --- reading rows --------------------------------------------------------------------------

    def rows(self) -> list[InboxRow]:
        """Rows of the current page that show the red API error control (others are not ours)."""
        table = self._read()
        headers = table["headers"]
        ref_col = column(headers, self.labels.reference_column)
        service = column(headers, self.labels.service_column)
        submitted = column(headers, self.labels.submitted_column)
        status = column(headers, self.labels.status_column)
        found = []
        for row in table["rows"]:
            match = REFERENCE.search(cell_text(row, ref_col))
            if match is None or not row["flagged"]:
                continue
            found.append(
                InboxRow(
                    reference=match.group(0),
                    service=cell_text(row, service),
                    submitted=cell_text(row, submitted),
                    status=cell_text(row, status),
                    has_error=True,
                )
            )
        return found

    def next_page(self) -> bool:
        """Go to the next page of rows; False on the last page."""
        name = rx(self.labels.next_page)
        control = self.page.get_by_role("link", name=name).or_(self.page.get_by_role("button", name=name))
        if control.count() == 0:
            return False
        target = control.first
        if target.get_attribute("aria-disabled") == "true" or target.is_disabled():
            return False
        before = self._first_reference()
        target.click(timeout=self.timeout_ms)
        self.ensure_loaded("the next page of the inbox")
        self.wait_for(self._table_header(), "the next page of the inbox")
        if before is not None:
            self.page.wait_for_function(
                """([before, source]) => {
                    const first = [...document.querySelectorAll('td')].map(c => c.innerText)
                        .find(t => new RegExp(source).test(t));
                    return first !== undefined && !first.includes(before);
                }""",
                arg=[before, REFERENCE.pattern.replace("\\b", "")],
                timeout=self.timeout_ms,
            )
        return True

    def error_pages(self) -> Iterator[list[InboxRow]]:
        """Every page of the current (filtered) view, one list of errored rows at a time."""
        while True:
            yield self.rows()
            if not self.next_page():
                return

    # --- one referral ----------------------------------------------------------------------------

    def find(self, reference: str) -> None:
        """Bring the referral's row on screen: this page, else the search box, else a walk of the pages."""
        if self._row(reference).count() > 0:
            return
        if self.labels.search:
            box = self.page.get_by_role("searchbox", name=rx(self.labels.search)).or_(
                self.page.get_by_role("textbox", name=rx(self.labels.search))
            )
            if box.count() > 0:
                box.first.fill(reference, timeout=self.timeout_ms)
                box.first.press("Enter")
                self.page.wait_for_load_state("domcontentloaded")
                self.wait_for(self._row(reference), f"referral {reference} in the search results")
                return
        self.show_errors()
        for _ in self.error_pages():
            if self._row(reference).count() > 0:
                return
        raise ControlMissing(
            f"referral {reference} is not in the integration-errors list any more",
            fix="it may have been cleared by someone else; nothing to do",
        )

    def open_window(self, reference: str, *, listed: bool = False) -> TriggersWindowPage:
        """Click the referral's red API error control (not the other Workflow icons) and wait for the window.

        ``listed``: the row was just read from this very page, so it is not looked for first; the click
        still waits for the control, and a missing one is still a ControlMissing."""
        control = self._error_control(reference)
        what = f"the red API error control of referral {reference}"
        if not listed:
            self.find(reference)
            self.wait_for(control, what)
        try:
            control.first.click(timeout=self.timeout_ms)
        except PlaywrightTimeoutError:
            if self.showing_sign_in():
                raise SessionExpired(f"the site went back to Sign In before {what}") from None
            raise self.missing(what) from None
        dialog = self.page.get_by_role("dialog", name=rx(self.labels.window_title))
        self.wait_for(dialog, f"the Integration Triggers window of referral {reference}")
        return TriggersWindowPage(
            self.page, self.settings, self.artifacts, dialog=dialog.first, reference=reference, responses=self.responses
        )

    def error_gone(self, reference: str) -> bool:
        """After a clear: the referral's row no longer shows the red API error control."""
        try:
            self._error_control(reference).first.wait_for(state="detached", timeout=self.timeout_ms)
        except PlaywrightTimeoutError:
            return False
        return True

    # --- private -------------------------------------------------------------------------------

    def _table_header(self) -> Locator:
        return self.page.get_by_role("columnheader", name=rx(self.labels.reference_column))

    def _error_control(self, reference: str) -> Locator:
        """The red API error control (by name or tooltip), never the row's other Workflow icons."""
        name = rx(self.labels.error_control)
        row = self._row(reference)
        return row.get_by_role("button", name=name).or_(row.get_by_role("link", name=name)).or_(row.get_by_title(name))

    def _row(self, reference: str) -> Locator:
        return self.page.get_by_role("row").filter(has_text=reference)

    def _read(self) -> Table:
        table = read_table(self.page.locator("body"), self.labels.reference_column, self.labels.error_control)
        if table is None:
            raise self.missing("the Referral Inbox table (a 'Reference #' column)")
        return table

    def _first_reference(self) -> str | None:
        try:
            table = self._read()
        except (ControlMissing, PlaywrightError):
            return None
        ref_col = column(table["headers"], self.labels.reference_column)
        for row in table["rows"]:
            match = REFERENCE.search(cell_text(row, ref_col))
            if match:
                return match.group(0)
        return None
