"""What every page object shares: the page, the labels, bounded waits and typed failures."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from agent.errors import ControlMissing, PageUnavailable, SessionExpired
from agent.settings import Labels, Settings


@cache
def rx(pattern: str) -> re.Pattern[str]:
    """Labels are case-insensitive regular expressions (see Settings.labels)."""
    return re.compile(pattern, re.IGNORECASE)


def js_pattern(pattern: str) -> str:
    """A label as JavaScript RegExp source (Python's inline flags have no place there)."""
    return pattern.replace("(?i)", "")


class Screen:
    """Base of the page objects."""

    def __init__(self, page: Page, settings: Settings, artifacts: Path | None = None) -> None:
        self.page = page
        self.settings = settings
        self.labels: Labels = settings.labels
        self.timeout_ms = settings.timeout_seconds * 1000
        self.artifacts = artifacts

    # --- what a signed-out page looks like ------------------------------------------------------

    def sign_in_form(self) -> Locator:
        """The password field: on any site, the one thing a sign-in page is sure to show."""
        return self.page.locator("input[type=password]")

    def showing_sign_in(self) -> bool:
        return self.sign_in_form().count() > 0

    # --- waiting -------------------------------------------------------------------------------

    def wait_for(
        self,
        locator: Locator,
        what: str,
        *,
        also: Locator | None = None,
        timeout_ms: float | None = None,
        watch_sign_in: bool = True,
    ) -> int:
        """Wait until ``locator`` (or ``also``) shows; 0 for locator, 1 for ``also``.

        The sign-in form is always one of the things waited for, so an expired session is seen at once
        instead of after a timeout, and raised as SessionExpired.
        """
        target = locator.or_(self.sign_in_form()) if watch_sign_in else locator
        if also is not None:
            target = target.or_(also)
        try:
            target.first.wait_for(state="visible", timeout=timeout_ms or self.timeout_ms)
        except PlaywrightTimeoutError:
            raise self.missing(what) from None
        if locator.first.is_visible():
            return 0
        if also is not None and also.first.is_visible():
            return 1
        if watch_sign_in and self.showing_sign_in():
            raise SessionExpired(
                f"the site went back to Sign In while waiting for {what}", fix="the sweep signs in again once"
            )
        return 0

    def missing(self, what: str) -> ControlMissing:
        return ControlMissing(
            f"{what} did not appear within {self.settings.timeout_seconds:g} s",
            fix="check the screen in the screenshot; if it was relabelled, adjust the labels setting",
            screenshot=self.screenshot("missing"),
        )

    def ensure_loaded(self, what: str) -> None:
        """Fail fast on an error page (HTTP 4xx/5xx) instead of waiting out a timeout for its controls."""
        self.page.wait_for_load_state("domcontentloaded")
        status = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0]; return (n && n.responseStatus) || 0; }"
        )
        if isinstance(status, int) and status >= 400:
            raise PageUnavailable(
                f"{what} answered HTTP {status}",
                fix="the site had a problem; the sweep tries again a few times",
                screenshot=self.screenshot("page-error"),
            )

    # --- evidence ------------------------------------------------------------------------------

    def screenshot(self, name: str) -> str | None:
        """A screenshot with the registrant column and every form field masked (never-item 7)."""
        if self.artifacts is None or not self.settings.screenshots:
            return None
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        masks = [self.page.locator("input, textarea, select"), *self._personal_columns()]
        try:
            self.page.screenshot(path=str(path), mask=masks, timeout=self.timeout_ms)
        except PlaywrightError:
            return None
        return str(path)

    def _personal_columns(self) -> list[Locator]:
        """Cells under a header that names a person (the Registrant column), wherever it is."""
        try:
            indexes: list[int] = self.page.evaluate(
                """(source) => {
                    const re = new RegExp(source, 'i');
                    const out = new Set();
                    for (const row of document.querySelectorAll('tr')) {
                        [...row.children].forEach((cell, i) => {
                            if (cell.tagName === 'TH' && re.test(cell.textContent || '')) out.add(i + 1);
                        });
                    }
                    return [...out];
                }""",
                js_pattern(self.labels.registrant_column),
            )
        except PlaywrightError:
            return []
        return [self.page.locator(f"tr > td:nth-child({i})") for i in indexes]
