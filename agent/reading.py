"""Phase 1's reading of the inbox: every page of the integration-errors view, read until the counts
agree or the bounded re-reads are used up, and what was read for the cross-check (:mod:`agent.reconcile`).

A careful person compares what they see with what the page says and looks again before concluding
anything from a short list; so does this. What each listed referral needs is the caller's (``each``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from agent.errors import ClickRefused, ControlMissing, PageError, SessionExpired, ValueUnreadable
from agent.models import InboxRow
from agent.progress import Reporter
from agent.reconcile import Counts, reconcile, reread
from agent.session import PAGE_ERRORS, Session, why
from agent.settings import Settings

log = logging.getLogger(__name__)


class InboxReading:
    def __init__(self, session: Session, settings: Settings, stop: threading.Event, progress: Reporter) -> None:
        self.session = session
        self.settings = settings
        self.stop = stop
        self.progress = progress
        self.seen: set[str] = set()  # every flagged reference listed, wanted or not
        self.listed: list[int | None] = []  # each page's "of n", from the latest full walk
        self.unreadable: str | None = None  # why the rows could not be read, while they could not
        self.screenshot: str | None = None  # of what the agent saw when it could not see everything
        self._page_recoveries = 0

    def open(self) -> bool:
        """The errors view with the banner's reading; False (and why) when its rows cannot be seen."""
        try:
            self.session.open_errors(read_banner=True)
        except (ControlMissing, ValueUnreadable) as exc:
            self._cannot_see(exc)
            return False
        return True

    def look_again(self) -> bool:
        """The same view loaded afresh, the banner read again; False (and why) when the rows still
        cannot be seen."""
        try:
            self.session.refresh(read_banner=True)
        except SessionExpired:
            return self.open()  # signed in again on the way: a fresh start of the view
        except PAGE_ERRORS as exc:
            self._cannot_see(exc)
            return False
        return True

    def read_all(self, opened: bool, each: Callable[[InboxRow], None]) -> None:
        """Walk the pages; while fewer referrals were found than the site says, wait a little, open the
        view afresh (a new banner reading) and walk again, a bounded number of times."""
        rereads = 0
        while True:
            if opened:
                self.walk(each)
            if self.stop.is_set() or not reread(self.counts(), rereads):
                break
            rereads += 1
            log.warning("found %d referrals, fewer than the site says: reading the pages again", len(self.seen))
            self.progress.note("fewer referrals found than the site says: reading the pages again")
            self.stop.wait(min(self.settings.timeout_seconds, float(rereads)))
            opened = self.look_again()
        if reconcile(self.counts()).blind and self.screenshot is None:
            self.screenshot = self.session.screenshot("unseen")

    def walk(self, each: Callable[[InboxRow], None]) -> None:
        """One walk of every page, ``each`` flagged row in turn; signs in again (bounded) as needed."""
        while True:
            self.listed = []
            try:
                for page in self.session.inbox.error_pages():
                    self._page_recoveries = self.session.recoveries
                    self.listed.append(page.listed_total)
                    for row in page.rows:
                        if self.stop.is_set():
                            return
                        self.seen.add(row.reference)
                        each(row)
                self.unreadable = None
                return
            except (SessionExpired, ClickRefused):
                self.session.sign_in_again()  # then walk the pages again; the caller skips what it read
            except PAGE_ERRORS as exc:
                self._cannot_see(exc)
                self.session.recover()
                return

    def on_screen(self) -> bool:
        """Whether the page being walked is still the one on screen (no reload since it was read), so
        its rows can be clicked without being looked for first."""
        return self.session.recoveries == self._page_recoveries

    def counts(self) -> Counts:
        return Counts(
            banner=self.session.banner,
            listed=tuple(self.listed),
            found=len(self.seen),
            unfiltered=self.session.unfiltered,
            only=bool(self.settings.only),
            unreadable=self.unreadable,
        )

    def _cannot_see(self, exc: Exception) -> None:
        self.unreadable = why(exc)
        self.screenshot = (exc.screenshot if isinstance(exc, PageError) else None) or self.screenshot
        log.warning("the inbox's rows could not be read: %s", self.unreadable)
