"""The response tab: the `view` link's page, where a person reads the text block.

One tab is kept for the whole sweep and sent to each link's address: opening a fresh tab per referral
costs Chromium about a third of a second each, a tenth of the whole per-referral budget. A link with
no address (a script opens it) is clicked, and its new tab read and closed, as a person would.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from agent.errors import PageUnavailable, SessionExpired

READ_BLOCK = """
() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const status = nav && nav.responseStatus ? nav.responseStatus : 0;
    const blocks = [...document.querySelectorAll('pre, code, textarea')];
    const best = blocks.sort((a, b) => (b.textContent || '').length - (a.textContent || '').length)[0];
    const text = best ? (best.tagName === 'TEXTAREA' ? best.value : best.textContent)
                      : (document.body ? document.body.innerText : '');
    const signIn = !!document.querySelector('input[type=password]');
    return {status, text: text || '', signIn};
}
"""


class ResponseTab:
    """The tab the response pages are read in, owned by one browser context."""

    def __init__(self, context: BrowserContext, timeout_ms: float) -> None:
        self.context = context
        self.timeout_ms = timeout_ms
        self._tab: Page | None = None

    def read(self, opener: Page, link: Locator) -> str:
        """The text block behind ``link``."""
        href = link.get_attribute("href", timeout=self.timeout_ms)
        if href and not href.startswith(("javascript:", "#")):
            return self._read_in_kept_tab(opener, href)
        return self._read_in_new_tab(opener, link)

    def read_address(self, opener: Page, url: str) -> str:
        """The text block at ``url``, an absolute address the page gave (a link's ``href`` property)."""
        return self._read_in_kept_tab(opener, url, absolute=True)

    def close(self) -> None:
        if self._tab is not None and not self._tab.is_closed():
            self._tab.close()
        self._tab = None

    def _read_in_kept_tab(self, opener: Page, href: str, *, absolute: bool = False) -> str:
        url = href if absolute else opener.evaluate("(h) => new URL(h, document.baseURI).href", href)
        if self._tab is None or self._tab.is_closed():
            self._tab = self.context.new_page()
        try:
            response = self._tab.goto(url, wait_until="domcontentloaded", timeout=self.timeout_ms)
            found = self._tab.evaluate(READ_BLOCK)
        except PlaywrightError as exc:
            self.close()
            raise PageUnavailable(
                "the response tab did not load", fix="open the 'view' link by hand; the sweep reports it"
            ) from exc
        finally:
            # A page in the background gets no animation frames, and every Playwright action on it
            # waits for frames: the inbox must be the front tab again before anything else happens.
            opener.bring_to_front()
        if response is not None:
            found["status"] = response.status
        return _text(found)

    def _read_in_new_tab(self, opener: Page, link: Locator) -> str:
        with opener.context.expect_page(timeout=self.timeout_ms) as opened:
            link.click(timeout=self.timeout_ms)
        tab = opened.value
        try:
            tab.wait_for_load_state("domcontentloaded", timeout=self.timeout_ms)
            found = tab.evaluate(READ_BLOCK)
        except PlaywrightError as exc:
            raise PageUnavailable(
                "the response tab did not load", fix="open the 'view' link by hand; the sweep reports it"
            ) from exc
        finally:
            tab.close()
        return _text(found)


def _text(found: dict[str, Any]) -> str:
    if found["signIn"]:
        raise SessionExpired("the response tab showed Sign In", fix="the sweep signs in again once")
    if found["status"] >= 400:
        raise PageUnavailable(f"the response tab answered HTTP {found['status']}", fix="try the 'view' link by hand")
    return str(found["text"])
