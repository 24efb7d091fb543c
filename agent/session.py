"""The sweep's hold on the site: signing in (again, a bounded number of times), reaching the
integration-errors view with its banner, and getting back to a known screen after something failed.

Page objects raise only :mod:`agent.errors` types (their one place that maps the browser's errors is
``agent.pages.base``), so the sweep catches :data:`PAGE_ERRORS` and never imports Playwright.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from agent.errors import AgentError, ControlMissing, PageError, PageUnavailable, SessionExpired
from agent.pages import InboxPage, SignInPage
from agent.progress import Reporter
from agent.redact import scrub, shorten
from agent.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Page

log = logging.getLogger(__name__)

PAGE_ERRORS: tuple[type[Exception], ...] = (PageError,)
"""What a page can fail with, as the sweep catches it."""

MAX_SIGN_INS = 5  # an expired session is signed into again, but not forever
INBOX_TRIES = 3

Screens = Literal["older", "newer", "unknown"]


class Session:
    """Signed in to one inbox, on its integration-errors view."""

    def __init__(
        self, page: Page, settings: Settings, artifacts: Path, *, stop: threading.Event, report: Reporter
    ) -> None:
        self.settings = settings
        self.base_url, self.username, self.password = settings.require_site()
        self.stop = stop
        self.report = report
        self.signin = SignInPage(page, settings, artifacts)
        self.inbox = InboxPage(page, settings, artifacts)
        self.banner: int | None = None
        self.ui: Screens = "unknown"
        self.unfiltered = False
        self.sign_ins = 0
        self.recoveries = 0  # reloads after a failure: a page read before one may not be on screen any more

    def sign_in(self) -> None:
        self.sign_ins += 1
        self.signin.sign_in(self.base_url, self.username, self.password)

    def sign_in_again(self, reason: str = "the session expired") -> None:
        """Sign in and come back to the errors view; a sweep that keeps losing its session stops."""
        if self.sign_ins >= MAX_SIGN_INS:
            raise PageUnavailable(
                f"{reason}, {MAX_SIGN_INS} times in one sweep",
                fix="check the site and the session timeout; the next sweep starts afresh",
            )
        self.report.note(f"{reason}: signing in again")
        log.warning("%s: signing in again", reason)
        self.sign_in()
        self.open_errors()

    def open_errors(self, *, read_banner: bool = False) -> None:
        """The integration-errors view; a failing inbox page is tried again a few times.

        ``read_banner``: take the banner's count again (the first time, and before each re-read)."""
        last: AgentError | None = None
        for attempt in range(INBOX_TRIES):
            try:
                try:
                    self.inbox.open()
                except ControlMissing:
                    if read_banner:  # the rows cannot be seen: what the banner says is all the more wanted
                        self._read_banner_if_shown()
                    raise
                if read_banner:
                    self._read_banner()
                if not self.inbox.offers_error_filter():
                    # No banner link: nothing has an error, or the screen was relabelled. Either way the
                    # unfiltered pages are read and every row showing the red control is taken.
                    self.unfiltered = True
                    return
                self.unfiltered = False
                self.ui = screens_of(self.inbox.show_errors())
                return
            except SessionExpired as exc:
                last = exc
                self.sign_in()
            except PageUnavailable as exc:
                last = exc
                log.warning("the inbox did not load (%s); trying again", exc.message)
                self.stop.wait(0.5 * (attempt + 1))
        assert last is not None
        raise last

    def refresh(self, *, read_banner: bool = False) -> None:
        """The view the agent is on, loaded afresh (someone may have worked the inbox meanwhile): the
        page objects reload it and come back to the same list, filtered or not. A banner the reloaded
        view does not show leaves the earlier reading standing."""
        try:
            self.inbox.recover()
        except SessionExpired:
            self.sign_in_again()
        if read_banner:
            banner = self.inbox.banner_count()
            if banner is not None:
                self.banner = banner.count

    def _read_banner(self) -> None:
        banner = self.inbox.banner_count()
        self.banner = banner.count if banner else None

    def _read_banner_if_shown(self) -> None:
        try:
            self._read_banner()
        except PageError as exc:
            log.warning("the banner could not be read either: %s", exc.message)

    def recover(self) -> None:
        """Back to a known screen after something went wrong on this one. Best effort: when even that
        fails (or shows Sign In), the next step meets it and signs in or navigates again."""
        self.recoveries += 1
        try:
            self.inbox.recover()
        except PageError as exc:
            log.warning("could not get back to a known screen (%s); the next step navigates again", exc.message)

    def screenshot(self, name: str) -> str | None:
        return self.inbox.screenshot(name)


def screens_of(filter_link: str) -> Screens:
    """Which article's screens the site shows, from the filter link's capitalisation (inbox.md)."""
    if filter_link.startswith("View Referrals"):
        return "older"
    if filter_link.startswith("View referrals"):
        return "newer"
    return "unknown"


def why(exc: BaseException) -> str:
    """An error as one short line. The agent's own messages name reference numbers only; anything
    else (a browser message can quote the page) is scrubbed of personal data first."""
    if isinstance(exc, AgentError):
        return shorten(exc.message, 240)
    lines = str(exc).splitlines()
    return shorten(scrub(lines[0] if lines else type(exc).__name__), 240)
