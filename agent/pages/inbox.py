"""The Referral Inbox: getting there, the banner, the integration-errors filter, the rows of every
page (links, buttons that reload in place, "Load more", one page), and the red control of a row.

The inbox believes only a settled table (settle.py) and never skips a page silently: a pager that is
disabled while rows load is waited for, a Next that leaves the rows as they were is an error, and
each page says what the site itself claims ("Showing a–b of n") so the sweep can cross-check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlMissing, PageUnavailable, ReferralGone
from agent.models import BannerCount, InboxRow, ListedPage
from agent.pages.base import Screen, guarded, rx
from agent.pages.pager import Pager, more_to_come
from agent.pages.response import ResponseTab
from agent.pages.settle import Settled
from agent.pages.tables import Table, cell_text, column, read_table
from agent.pages.window import TriggersWindowPage
from agent.settings import Settings

REFERENCE = re.compile(r"\b\d{10}\b")
MAX_PAGES = 5000
MENU_OPENS_MS = 600
"""How long a hovered or focused menu gets to show its entries before the next way is tried."""


class InboxPage(Screen):
    def __init__(self, page: Page, settings: Settings, artifacts: Path | None = None) -> None:
        super().__init__(page, settings, artifacts)
        self.responses = ResponseTab(page.context, self.timeout_ms)
        self._filtered = False
        self.pager = Pager(page, settings, artifacts)

    # --- getting there -------------------------------------------------------------------------

    @guarded("the way to the Referral Inbox")
    def open(self) -> None:
        """Reach the inbox from the configured address, or as a person does: from wherever sign-in
        landed (the inbox itself, a dashboard, a sidebar), through the Referrals menu if need be."""
        if self.settings.inbox_url:
            self.load(self.settings.inbox_url, "the Referral Inbox")
        else:
            self.dismiss_overlays()
            if not self._on_inbox():
                self._go_to_inbox()
        self.ensure_loaded("the Referral Inbox")
        self.dismiss_overlays()
        self._settle("the Referral Inbox table")
        self._filtered = False

    @guarded("the banner's integration-errors link")
    def show_errors(self) -> str:
        """Follow the banner's filter link (either article's wording); returns the link's text, which
        tells the two articles' screens apart ("View Referrals…" older, "View referrals…" newer)."""
        link = self._filter_link()
        self.wait_for(link, "the banner's integration-errors link")
        text = link.first.inner_text(timeout=self.timeout_ms).strip()
        before = self._snapshot()
        link.first.click(timeout=self.timeout_ms)
        self.ensure_loaded("the filtered Referral Inbox")
        self.dismiss_overlays()
        self._settle_after("the filtered Referral Inbox", before)  # a filter applied in place changes the rows
        self._filtered = True
        return text

    @guarded("the banner's integration-errors link")
    def offers_error_filter(self) -> bool:
        """Whether the banner's integration-errors link is there (Caredove hides it when nothing errs)."""
        return self._filter_link().count() > 0

    @guarded("the yellow banner")
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

    @guarded("the Referral Inbox table")
    def rows(self) -> list[InboxRow]:
        """Rows of the current page, once settled, that show the red API error control."""
        return list(self.listed().rows)

    @guarded("the Referral Inbox table")
    def listed(self) -> ListedPage:
        """The current page as read once it settled: its errored rows and what it says of the list."""
        settled = self._settle("the Referral Inbox table")
        return self._listed_page(settled, set())

    def error_pages(self) -> Iterator[ListedPage]:
        """Every page of the current (filtered) view, one settled page at a time.

        Each referral is yielded once, even when "Load more" keeps the earlier rows on screen or the
        sweep had to reload the view in between; a Next that did not change the rows, a pager that
        stays disabled while the page says there are more, or more pages than the list can hold are
        errors, never the end of the list. Only agent errors come out of the iteration."""
        walk = self._walk_pages()
        while True:
            with self.guard("the pages of the Referral Inbox"):
                try:
                    listed = next(walk)
                except StopIteration:
                    return
            yield listed

    def _walk_pages(self) -> Iterator[ListedPage]:
        seen: set[str] = set()
        settled = self._settle("the Referral Inbox table")
        for _ in range(MAX_PAGES):
            yield self._listed_page(settled, seen)
            following = self._advance(settled)
            if following is None:
                return
            settled = following
        raise PageUnavailable(
            f"the inbox kept offering a next page after {MAX_PAGES} pages", fix="check the inbox's pager by hand"
        )

    def next_page(self) -> bool:
        """Go to the next page of rows; False on the last page."""
        with self.guard("the next page of the inbox"):
            return self._advance(self._settle("the Referral Inbox table")) is not None

    # --- one referral ----------------------------------------------------------------------------

    @guarded("a referral's row in the inbox")
    def find(self, reference: str) -> None:
        """Bring the referral's row on screen: this page, else the search box, else a walk of the pages.

        A referral that is no longer listed with the red API error control is ReferralGone."""
        if self._row(reference).count() > 0:
            self._still_flagged(reference)
            return
        if self.labels.search:
            box = self.page.get_by_role("searchbox", name=rx(self.labels.search)).or_(
                self.page.get_by_role("textbox", name=rx(self.labels.search))
            )
            if box.count() > 0:
                before = self._snapshot()
                box.first.fill(reference, timeout=self.timeout_ms)
                box.first.press("Enter")
                self.ensure_loaded("the inbox's search results")
                # a live search filters in place after a pause: wait for the rows to change (or a
                # patient while) before believing the referral is not there
                self._settle_after("the inbox's search results", before)
                if self._row(reference).count() > 0:
                    self._still_flagged(reference)
                    return
                raise self._gone(reference)
        self.show_errors()
        for _ in self.error_pages():
            if self._row(reference).count() > 0:
                self._still_flagged(reference)
                return
        raise self._gone(reference)

    @guarded("the Integration Triggers window")
    def open_window(self, reference: str, *, listed: bool = False) -> TriggersWindowPage:
        """Click the referral's red API error control (not the other Workflow icons) and wait for the window.

        ``listed``: the row was just read from this very page, so it is not looked for first; the click
        still waits for the control, and a row that lost it meanwhile is ReferralGone."""
        control = self._error_control(reference)
        what = f"the red API error control of referral {reference}"
        if not listed:
            self.find(reference)
        try:
            control.first.click(timeout=self.timeout_ms)
        except PlaywrightTimeoutError:
            if self.showing_sign_in():
                raise self.expired(what) from None
            if self._row(reference).count() == 0 or self._error_control(reference).count() == 0:
                raise self._gone(reference) from None
            if self.dismiss_overlays() == 0:
                raise self.missing(what) from None
            # An announcement came up over the row: the click never reached the control (Playwright
            # waits until the control itself would receive it), and opening a window changes nothing.
            control.first.click(timeout=self.timeout_ms)
        title = rx(self.labels.window_title)
        # By its accessible name, or — a dialog whose aria-labelledby points nowhere has none — by the
        # heading a person reads at its top.
        dialog = self.page.get_by_role("dialog", name=title).or_(
            self.page.get_by_role("dialog").filter(has=self.page.get_by_role("heading", name=title))
        )
        self.wait_for(dialog, f"the Integration Triggers window of referral {reference}")
        return TriggersWindowPage(
            self.page,
            self.settings,
            self.artifacts,
            dialog=dialog.first,
            reference=reference,
            responses=self.responses,
            reopen=lambda: self.open_window(reference),  # after a same-tab response page, or a reload
        )

    @guarded("the red API error control after a clear")
    def error_gone(self, reference: str) -> bool:
        """After a clear: the referral's row no longer shows the red API error control."""
        try:
            self._error_control(reference).first.wait_for(state="detached", timeout=self.timeout_ms)
        except PlaywrightTimeoutError:
            return False
        return True

    def reopen(self) -> None:
        """After a reload: the inbox again (and its integration-errors view when that was shown)."""
        if not self._on_inbox():
            was_filtered = self._filtered
            self.open()
            self._filtered = was_filtered
        if self._filtered and not self._offers(self.labels.show_all) and self.offers_error_filter():
            self.show_errors()
        else:
            self._settle("the Referral Inbox table")

    # --- private: getting there --------------------------------------------------------------------

    def _on_inbox(self) -> bool:
        return self._table_now() is not None

    def _go_to_inbox(self) -> None:
        """A visible Inbox link (a sidebar, a dashboard tile, an open menu), else the Referrals menu,
        opened the way it opens: a disclosure button by click, a hover or focus menu by those."""
        inbox = self._visible_link(self.labels.menu_inbox)
        referrals = rx(self.labels.menu_referrals)
        menu = (
            self.page.get_by_role("button", name=referrals)
            .or_(self.page.get_by_role("link", name=referrals))
            .or_(self.page.get_by_role("menuitem", name=referrals))
        ).filter(visible=True)
        if self.wait_for(menu, "the top menu's Referrals entry", also=inbox) is inbox:
            inbox.first.click(timeout=self.timeout_ms)
            return
        entry = menu.first
        if entry.get_attribute("aria-expanded") is None:
            for opens in (entry.hover, entry.focus):
                opens(timeout=self.timeout_ms)
                if self.shows(inbox, MENU_OPENS_MS):
                    inbox.first.click(timeout=self.timeout_ms)
                    return
        entry.click(timeout=self.timeout_ms)
        self.wait_for(inbox, "the Referrals menu's Inbox link")
        inbox.first.click(timeout=self.timeout_ms)

    def _visible_link(self, label: str) -> Locator:
        name = rx(label)
        return (self.page.get_by_role("link", name=name).or_(self.page.get_by_role("menuitem", name=name))).filter(
            visible=True
        )

    def _filter_link(self) -> Locator:
        """The banner's integration-errors filter: a link, or a button on a single-page app."""
        name = rx(self.labels.errors_filter)
        return self.page.get_by_role("link", name=name).or_(self.page.get_by_role("button", name=name))

    def _snapshot(self) -> Settled | None:
        """What the table shows now, to tell a change in place from no change (None: no table yet).
        Only compared with later, so an empty or disagreeing table is not waited on here."""
        try:
            return self._settle("the Referral Inbox table", patient=False)
        except ControlMissing:
            return None

    def _settle_after(self, what: str, before: Settled | None) -> Settled:
        """After a control that changes the rows in place or loads a new page: the same rows in the
        same document are waited on for a patient while; in a new document they are believed."""
        if before is None:
            return self._settle(what)
        return self._settle(what, before=before.signature, before_document=before.document)

    def _offers(self, label: str) -> bool:
        return self.page.get_by_role("link", name=rx(label)).filter(visible=True).count() > 0

    # --- private: pages ----------------------------------------------------------------------------

    def _settle(
        self, what: str, before: str | None = None, *, before_document: float | None = None, patient: bool = True
    ) -> Settled:
        return self.settle(
            what,
            header=self.labels.reference_column,
            control=self.labels.error_control,
            showing=self.labels.showing,
            before=before,
            before_document=before_document,
            patient=patient,
        )

    def _listed_page(self, settled: Settled, seen: set[str]) -> ListedPage:
        """The page's errored rows not yielded before; ``seen`` is updated with every row listed."""
        table = settled.table
        assert table is not None  # a table-settle returns one
        ref_col = column(table["headers"], self.labels.reference_column)
        found: list[InboxRow] = []
        listed = 0
        for row in table["rows"]:
            match = REFERENCE.search(cell_text(row, ref_col))
            if match is None or match.group(0) in seen:
                continue
            seen.add(match.group(0))
            listed += 1
            if row["flagged"]:
                found.append(InboxRow(reference=match.group(0)))
        return ListedPage(
            rows=tuple(found), listed_total=settled.showing[2] if settled.showing else None, rows_on_page=listed
        )

    def _advance(self, current: Settled) -> Settled | None:
        """Next page (a link or a button) or "Load more"; None on the last page, an error when the
        site says there is more than the pager lets the agent reach."""
        control = self.pager.control(more_to_come(current))
        if control is None:
            return None
        growing = bool(rx(self.labels.load_more).search(control.inner_text(timeout=self.timeout_ms) or ""))
        control.click(timeout=self.timeout_ms)
        self.ensure_loaded("the next page of the inbox")
        following = self._settle("the next page of the inbox", before=current.signature)
        if following.unchanged:
            raise PageUnavailable(
                "the inbox's rows did not change after "
                + ("Load more" if growing else "Next")
                + (f" (the page says {current.showing[1]} of {current.showing[2]})" if current.showing else ""),
                fix="the sweep goes back to a known screen and reads the pages again",
                screenshot=self.screenshot("pager-unchanged"),
            )
        return following

    # --- private: rows -------------------------------------------------------------------------------

    def _table_now(self) -> Table | None:
        try:
            return read_table(self.page.locator("body"), self.labels.reference_column, self.labels.error_control)
        except PlaywrightError:
            return None

    def _still_flagged(self, reference: str) -> None:
        if self._error_control(reference).count() == 0:
            raise self._gone(reference)

    def _gone(self, reference: str) -> ReferralGone:
        return ReferralGone(
            f"referral {reference} is no longer listed with an integration error",
            fix="someone else may have worked it meanwhile; nothing to do",
        )

    def _error_control(self, reference: str) -> Locator:
        """The red API error control (by name or tooltip), never the row's other Workflow icons."""
        name = rx(self.labels.error_control)
        row = self._row(reference)
        return row.get_by_role("button", name=name).or_(row.get_by_role("link", name=name)).or_(row.get_by_title(name))

    def _row(self, reference: str) -> Locator:
        return self.page.get_by_role("row").filter(has_text=reference)
